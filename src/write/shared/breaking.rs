//! Where printed text may break: long words and addresses cut into parts a
//! line may break between, never after a hyphen (`pdftotext`, search and
//! copying take a hyphen at a line end for a hyphenation and delete it:
//! "trafficking-" / "networks.md" reads "traffickingnetworks.md"), and
//! texts shortened for running heads. Written once for the PDF brief, the
//! packet's Sources appendix and its Integrity page.

/// Words longer than this (in chars) are cut into parts that may break.
pub const LONG_WORD: usize = 30;
pub const WORD_PART: usize = 10;
/// Parts of a printed address are merged up to this many characters.
const ADDRESS_CHUNK: usize = 16;

/// When a word is too long to set whole, and where it is cut.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WordLimit {
    /// Body text: words over `LONG_WORD` chars are cut, runs of letters
    /// and digits every `2 * WORD_PART`, addresses as `address_parts`
    /// cuts them.
    Body,
    /// A table cell: words wider than `em` (estimated, in ems of the
    /// cell's text) are cut into parts narrower than that, addresses too.
    Cell { em: f64 },
}

pub const BODY: WordLimit = WordLimit::Body;

impl WordLimit {
    /// The limit for a cell of a table with `columns` columns. Mirrors
    /// templates/brief.typ: A4 text width 465 pt; table text 9 pt with 6 pt
    /// side insets, 8 pt and 3 pt above 6 columns, 7 pt and 3 pt above 10.
    /// Typst never gives an auto column whose content is wider than its
    /// share less than an equal share of the width, so a word no wider than
    /// an equal share cannot run into the next cell or off the page; other
    /// words stay whole (a part boundary is a place the line may break,
    /// wanted or not). Past ~40 columns a share is narrower than one
    /// letter and cells may still touch. Regression: 16 columns of long
    /// words printed on top of each other.
    pub fn table_cell(columns: usize) -> WordLimit {
        let (size, inset) = match columns {
            0..=6 => (9.0, 6.0),
            7..=10 => (8.0, 3.0),
            _ => (7.0, 3.0),
        };
        let share = 465.0 / columns.max(1) as f64 - 2.0 * inset;
        WordLimit::Cell { em: share / size }
    }
}

/// The most columns a PDF page sets as a table. Past 16, a column's share
/// of the width at 7 pt is under 3 em, about four digits; such a table is
/// printed as one record per row instead (`write::pdf::model::blocks`).
pub const MAX_PAGE_COLUMNS: usize = 16;

/// A generous estimate of a character's width in ems (Libertinus Serif,
/// bold headers included): wide for capitals and `m`/`w`, full for CJK.
fn char_em(c: char) -> f64 {
    match c {
        'M' | 'W' | '@' | '%' | '&' => 1.0,
        'm' | 'w' => 0.8,
        'i' | 'j' | 'l' | 't' | 'f' | 'r' | 'I' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' => 0.35,
        c if c.is_ascii_uppercase() => 0.75,
        c if c.is_ascii() => 0.55,
        c if unicode_width::UnicodeWidthChar::width(c) == Some(2) => 1.0,
        _ => 0.7,
    }
}

pub fn word_em(word: &str) -> f64 {
    word.chars().map(char_em).sum()
}

/// Whether a word is too long to set whole. Regression: a 20,000-character
/// bare URL ran off the page, lost to the reader and to text extraction.
pub fn cut_word(word: &str, limit: WordLimit) -> bool {
    match limit {
        WordLimit::Body => word.chars().count() > LONG_WORD,
        WordLimit::Cell { em } => word_em(word) > em,
    }
}

/// Splits text into parts: words longer than `limit` allows are cut into
/// pieces ([`word_pieces`]), everything else stays whole.
pub fn word_parts(text: &str, limit: WordLimit) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    for piece in text.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end();
        if cut_word(word, limit) {
            if !current.is_empty() {
                parts.push(std::mem::take(&mut current));
            }
            let mut cs = long_word_parts(word, limit);
            if let Some(last) = cs.last_mut() {
                last.push_str(&piece[word.len()..]);
            }
            parts.extend(cs);
        } else {
            current.push_str(piece);
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// Text as one part per word (with its following space), long words cut
/// into pieces: the template sets each part in a box, and a line may break
/// between any two, so the text wraps like ordinary text.
pub fn line_parts(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    for piece in text.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end();
        // Every long word, addresses too: a box is never broken by Typst.
        if word.chars().count() > LONG_WORD {
            let mut cs = word_pieces(word, BODY);
            if let Some(last) = cs.last_mut() {
                last.push_str(&piece[word.len()..]);
            }
            parts.extend(cs);
        } else {
            parts.push(piece.to_string());
        }
    }
    parts
}

/// An address to print, cut into parts a line may break between (the
/// template sets each part in a box). Typst's own URL breaking may break
/// right after a hyphen, and `pdftotext` (and so search and copying) takes
/// a hyphen at a line end for a hyphenation and deletes it, changing the
/// address. So addresses are cut the way the Chicago Manual of Style breaks
/// URLs: after `://`, before `/ . , - _ ? # % ~`, after `=` and `&`; runs
/// of letters and digits every `2 * WORD_PART` characters. In a table cell
/// a part still wider than the cell is cut further.
pub fn address_parts(address: &str, limit: WordLimit) -> Vec<String> {
    // Only a real scheme (`https`, `svn+ssh`) is one part: text before
    // `://` that is not one ("[long-word](https" in a title) is cut like
    // the rest. Regression: it was one box, and its end ran off the page.
    let (scheme, rest) = match address.find("://") {
        Some(i)
            if i <= 16
                && address[..i]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) =>
        {
            address.split_at(i + 3)
        }
        _ => ("", address),
    };
    let mut parts = Vec::new();
    if !scheme.is_empty() {
        parts.push(scheme.to_string());
    }
    let mut current = String::new();
    let mut run = 0;
    for c in rest.chars() {
        let breaks_before = matches!(c, '/' | '.' | ',' | '-' | '_' | '?' | '#' | '%' | '~')
            || (c.is_alphanumeric() && run >= 2 * WORD_PART);
        if breaks_before && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
            run = 0;
        }
        current.push(c);
        run = if c.is_alphanumeric() { run + 1 } else { 0 };
        if matches!(c, '=' | '&') {
            parts.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    // Fewer, longer parts (each is a box for Typst to lay out): merge
    // neighbours up to `ADDRESS_CHUNK` characters; a line then breaks at
    // most that much earlier than it could.
    let mut merged: Vec<String> = Vec::with_capacity(parts.len());
    for part in parts {
        match merged.last_mut() {
            // A part must not end in a hyphen (`x-` before `.pdf`).
            Some(last)
                if last.ends_with(is_hyphen)
                    || last.chars().count() + part.chars().count() <= ADDRESS_CHUNK =>
            {
                last.push_str(&part)
            }
            _ => merged.push(part),
        }
    }
    let mut parts = merged;
    if let WordLimit::Cell { em } = limit {
        parts = parts
            .into_iter()
            .flat_map(|p| {
                if word_em(&p) > em {
                    word_pieces(&p, limit)
                } else {
                    vec![p]
                }
            })
            .collect();
    }
    if parts.is_empty() {
        parts.push(String::new());
    }
    parts
}

/// Cuts a long word after punctuation (`-`, `/`, `.`, ...), so the pieces
/// are mostly whole words, and cuts runs of letters and digits (hashes,
/// base64, long compounds): in body text every `2 * WORD_PART` characters,
/// in a table cell where the run would grow wider than the cell (leaving
/// room for one punctuation mark after it).
pub fn word_pieces(word: &str, limit: WordLimit) -> Vec<String> {
    let run_full = |run: usize, run_em: f64, next: char| match limit {
        WordLimit::Body => run >= 2 * WORD_PART,
        WordLimit::Cell { em } => run > 0 && run_em + char_em(next) > em - 0.35,
    };
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut run = 0;
    let mut run_em = 0.0;
    for c in word.chars() {
        if c.is_alphanumeric() {
            if run_full(run, run_em, c) {
                pieces.push(std::mem::take(&mut current));
                run = 0;
                run_em = 0.0;
            }
            run += 1;
            run_em += char_em(c);
            current.push(c);
        } else if is_hyphen(c) {
            // A hyphen starts a piece instead of ending one: a line that
            // ends in a hyphen reads as a hyphenation to `pdftotext`,
            // search and copying, which delete it ("advanced-types" became
            // "advancedtypes" in a wrapped code line).
            if !current.chars().all(is_hyphen) {
                pieces.push(std::mem::take(&mut current));
            }
            current.push(c);
            run = 0;
            run_em = 0.0;
        } else {
            current.push(c);
            pieces.push(std::mem::take(&mut current));
            run = 0;
            run_em = 0.0;
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces.retain(|p| !p.is_empty());
    if pieces.is_empty() {
        pieces.push(String::new());
    }
    pieces
}

/// Whether a hyphen joins two letters or digits in `word` ("theme-gem").
pub fn has_inner_hyphen(word: &str) -> bool {
    let cs: Vec<char> = word.chars().collect();
    cs.windows(3)
        .any(|w| is_hyphen(w[1]) && w[0].is_alphanumeric() && w[2].is_alphanumeric())
}

/// Whether a `+` follows a letter or digit in `word` ("C++", "g++",
/// "C++17"): Typst may break between the pluses (UAX #14 allows a break
/// before a prefix sign), which prints "C+" / "+", so such a word is set
/// whole.
pub fn has_inner_plus(word: &str) -> bool {
    let cs: Vec<char> = word.chars().collect();
    cs.windows(2).any(|w| w[0].is_alphanumeric() && w[1] == '+')
}

/// Hyphen-minus, hyphen and soft hyphen: the marks text extraction joins
/// across a line end.
pub fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{00AD}')
}

/// A word too long to set whole, cut into pieces. An address in the text
/// (not a link, or in code) breaks like one (`address_parts`): Typst's own
/// URL breaking may break after a hyphen.
pub fn long_word_parts(word: &str, limit: WordLimit) -> Vec<String> {
    if word.contains("://") {
        address_parts(word, limit)
    } else {
        word_pieces(word, limit)
    }
}

/// A code line cut into parts a wrapped line may break between: at
/// spaces, like text (indentation stays with the first token), and inside
/// tokens too long for a line as `address_parts` or `word_pieces` cut them
/// (never after a hyphen). Regression: fixed 40-character chunks broke
/// "type" into "typ" and "e", and "advanced-types" after the hyphen, which
/// `pdftotext` then deleted.
pub fn code_line_parts(line: &str) -> Vec<String> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let mut parts: Vec<String> = Vec::new();
    for piece in line[indent..].split_inclusive(' ') {
        let token = piece.trim_end_matches(' ');
        let mut cut = if token.chars().count() <= 2 * WORD_PART {
            vec![token.to_string()]
        } else {
            long_word_parts(token, BODY)
        };
        if let Some(last) = cut.last_mut() {
            last.push_str(&piece[token.len()..]);
        }
        parts.extend(cut);
    }
    match parts.first_mut() {
        Some(first) => first.insert_str(0, &line[..indent]),
        None => parts.push(line.to_string()),
    }
    parts
}

pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    // Cut at a word boundary when one is near.
    let head: String = s.chars().take(max).collect();
    let cut = head
        .rfind(' ')
        .filter(|&i| i > max / 2)
        .unwrap_or(head.len());
    format!("{}…", head[..cut].trim_end())
}

pub fn shorten_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_are_cut_without_losing_characters() {
        let w = "a".repeat(45);
        let parts = word_parts(&format!("x {w} y"), BODY);
        assert_eq!(parts.concat(), format!("x {w} y"));
        assert!(parts.len() > 3);
    }

    #[test]
    fn table_cells_cut_words_to_their_share_of_the_width() {
        // A 16-column table: every part fits an equal share at 7 pt.
        let narrow = WordLimit::table_cell(16);
        let WordLimit::Cell { em } = narrow else {
            panic!()
        };
        let w = "Internationalisierungsbestrebungen";
        let parts = word_parts(w, narrow);
        assert_eq!(parts.concat(), w);
        assert!(
            parts.len() > 3 && parts.iter().all(|p| word_em(p) <= em),
            "{parts:?}"
        );
        let caps = "WWWWWWWWWWWWWWWWWWWW";
        assert!(word_parts(caps, WordLimit::table_cell(4)).len() > 1);
        let url = "https://example.org/a/b";
        let cut = address_parts(url, narrow);
        assert!(
            cut.concat() == url && cut.iter().all(|p| word_em(p) <= em),
            "{cut:?}"
        );
        // Few columns: ordinary words stay whole, as in body text.
        let six = WordLimit::table_cell(6);
        assert_eq!(
            word_parts("implementation", six),
            vec!["implementation".to_string()]
        );
    }

    #[test]
    fn addresses_break_before_hyphens_never_after() {
        let url =
            "https://www.example.org/reports/east-asia-final_v2.pdf?download=true&lang=en#p-3";
        let parts = address_parts(url, BODY);
        assert_eq!(parts.concat(), url);
        assert!(parts.iter().all(|p| !p.ends_with('-')), "{parts:?}");
        assert!(parts.len() > 4, "{parts:?}");
        let word = "advanced-types-and-the-sized-trait-in-a-very-long-identifier";
        let pieces = word_parts(word, BODY);
        assert_eq!(pieces.concat(), word);
        assert!(
            pieces.len() > 3 && pieces.iter().all(|p| !p.ends_with('-')),
            "{pieces:?}"
        );
        let edge = format!("https://x.org/{}-{}.pdf", "a".repeat(14), "b".repeat(20));
        assert!(address_parts(&edge, BODY).iter().all(|p| !p.ends_with('-')));
        let hash = format!("https://x.org/{}", "a".repeat(45));
        assert!(
            address_parts(&hash, BODY)
                .iter()
                .all(|p| p.chars().count() <= 2 * WORD_PART + 1)
        );
    }

    #[test]
    fn wrapped_code_lines_break_at_spaces_and_never_after_a_hyphen() {
        let line = "    = note: visit <https://doc.rust-lang.org/book/ch19-04-advanced-types.html#dynamically-sized> now";
        let parts = code_line_parts(line);
        assert_eq!(parts.concat(), line);
        assert!(parts[0].starts_with("    = "), "{parts:?}");
        assert!(parts.contains(&"visit ".to_string()), "{parts:?}");
        assert!(
            parts.iter().all(|p| !p.trim_end().ends_with('-')),
            "{parts:?}"
        );
        assert_eq!(code_line_parts(""), vec![String::new()]);
        assert_eq!(code_line_parts("   "), vec!["   ".to_string()]);
    }
}
