//! Text cleaning for print, written once for every PDF (briefs and
//! packets): control characters, line breaks and tabs, and explicit
//! direction overrides never reach the typesetter.

/// Expands tabs to the next multiple of 4 columns (Typst draws a tab as
/// nothing).
pub fn expand_tabs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut col = 0;
        for c in line.chars() {
            if c == '\t' {
                let n = 4 - col % 4;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            } else {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

/// Post text made safe to lay out: tabs and line breaks become spaces,
/// other control characters are dropped (they would draw as empty boxes),
/// and so are explicit direction overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069): Typst honours them, so "\u{202e}reversed" printed as
/// "desrever", a word no reader or search could find (the "Trojan Source"
/// trick). Right-to-left scripts still run right to left: their direction
/// comes from the characters themselves.
pub fn clean(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if c.is_control() => None,
            c if is_bidi_control(c) => None,
            c => Some(c),
        })
        .collect()
}

pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

pub fn clean_keep_newlines(s: &str) -> String {
    expand_tabs(s)
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect()
}
