//! XHTML building blocks of the EPUB writer: escaping that always yields
//! well-formed XML 1.0, and XML ids (with the GitHub-style heading slug,
//! which must be a valid id too, so it lives here with the id rules).
//!
//! Nothing here knows about EPUB files; it only turns strings into strings
//! that are safe to place inside an XHTML document. Raw HTML is read by
//! `write::shared::html_text`, links by `write::shared::links`: rules every
//! edition shares.

/// True for characters XML 1.0 allows in a document.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Removes characters XML 1.0 forbids; returns the cleaned text and how
/// many characters were dropped.
pub fn xml_clean(s: &str) -> (String, usize) {
    let mut dropped = 0;
    let out = s
        .chars()
        .filter(|&c| {
            let ok = is_xml_char(c);
            if !ok {
                dropped += 1;
            }
            ok
        })
        .collect();
    (out, dropped)
}

/// An XHTML fragment being built. Every piece of outside text goes through
/// [`Out::text`] or [`Out::attr`], which escape it and drop forbidden
/// characters (counted in `dropped`, so the caller can warn once).
#[derive(Debug, Default)]
pub struct Out {
    pub buf: String,
    pub dropped: usize,
}

impl Out {
    /// Markup we wrote ourselves (tag names, fixed attribute values).
    pub fn raw(&mut self, s: &str) {
        self.buf.push_str(s);
    }

    /// Character data: escapes `&`, `<` and `>`.
    pub fn text(&mut self, s: &str) {
        for c in s.chars() {
            match c {
                '&' => self.buf.push_str("&amp;"),
                '<' => self.buf.push_str("&lt;"),
                '>' => self.buf.push_str("&gt;"),
                c if is_xml_char(c) => self.buf.push(c),
                _ => self.dropped += 1,
            }
        }
    }

    /// An attribute value for a double-quoted attribute: escapes
    /// `& < > " '`; line breaks and tabs become character references so
    /// attribute normalisation does not change them.
    pub fn attr(&mut self, s: &str) {
        for c in s.chars() {
            match c {
                '&' => self.buf.push_str("&amp;"),
                '<' => self.buf.push_str("&lt;"),
                '>' => self.buf.push_str("&gt;"),
                '"' => self.buf.push_str("&quot;"),
                '\'' => self.buf.push_str("&#39;"),
                '\n' => self.buf.push_str("&#10;"),
                '\r' => self.buf.push_str("&#13;"),
                '\t' => self.buf.push_str("&#9;"),
                c if is_xml_char(c) => self.buf.push(c),
                _ => self.dropped += 1,
            }
        }
    }

    /// ` name="value"` with the value escaped.
    pub fn attribute(&mut self, name: &str, value: &str) {
        self.buf.push(' ');
        self.buf.push_str(name);
        self.buf.push_str("=\"");
        self.attr(value);
        self.buf.push('"');
    }
}

/// Escapes a string for XML text or a double-quoted attribute in one go
/// (used for small values placed into templates and the package file).
pub fn escape(s: &str) -> String {
    let mut out = Out::default();
    out.attr(s);
    out.buf
}

// ---------------------------------------------------------------------------
// Ids

/// XML `NameChar` (XML 1.0 fifth edition), minus `:` which ids must not use.
pub fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || c == '-'
        || c == '.'
        || c.is_ascii_digit()
        || c == '\u{B7}'
        || ('\u{300}'..='\u{36F}').contains(&c)
        || ('\u{203F}'..='\u{2040}').contains(&c)
}

pub fn is_name_start_char(c: char) -> bool {
    c.is_ascii_alphabetic()
        || c == '_'
        || ('\u{C0}'..='\u{D6}').contains(&c)
        || ('\u{D8}'..='\u{F6}').contains(&c)
        || ('\u{F8}'..='\u{2FF}').contains(&c)
        || ('\u{370}'..='\u{37D}').contains(&c)
        || ('\u{37F}'..='\u{1FFF}').contains(&c)
        || ('\u{200C}'..='\u{200D}').contains(&c)
        || ('\u{2070}'..='\u{218F}').contains(&c)
        || ('\u{2C00}'..='\u{2FEF}').contains(&c)
        || ('\u{3001}'..='\u{D7FF}').contains(&c)
        || ('\u{F900}'..='\u{FDCF}').contains(&c)
        || ('\u{FDF0}'..='\u{FFFD}').contains(&c)
        || ('\u{10000}'..='\u{EFFFF}').contains(&c)
}

/// A GitHub-style heading slug (lower case, spaces to `-`, punctuation
/// dropped), so `[see](#some-heading)` links written for the web still work.
pub fn slug(text: &str) -> String {
    let mut s = String::new();
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if c == ' ' || c == '-' {
            s.push('-');
        } else if c == '_' || (c.is_alphanumeric() && is_name_char(c)) {
            s.push(c);
        }
    }
    s
}

/// Makes `candidate` a valid XML id (NCName): invalid characters become
/// `-`, and an id that does not start with a letter or `_` gets `h-`.
pub fn xml_id(candidate: &str) -> String {
    let mut s: String = candidate
        .chars()
        .map(|c| if is_name_char(c) { c } else { '-' })
        .collect();
    if !s.starts_with(is_name_start_char) {
        s.insert_str(0, "h-");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_drops_forbidden_characters() {
        let mut o = Out::default();
        o.text("a&b<c>d\"e'f\u{0}\u{1b}g\u{FFFF}");
        assert_eq!(o.buf, "a&amp;b&lt;c&gt;d\"e'fg");
        assert_eq!(o.dropped, 3);
        let mut o = Out::default();
        o.attr("\"'<&\n");
        assert_eq!(o.buf, "&quot;&#39;&lt;&amp;&#10;");
    }

    #[test]
    fn ids_and_slugs() {
        assert_eq!(slug("Hello, World! 2"), "hello-world-2");
        assert_eq!(slug("왜 중요한가"), "왜-중요한가");
        assert_eq!(xml_id("1. Intro"), "h-1.-Intro");
        assert_eq!(xml_id("a:b c"), "a-b-c");
    }
}
