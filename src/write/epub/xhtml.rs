//! XHTML building blocks shared by the EPUB writer: escaping that always
//! yields well-formed XML 1.0, the raw-HTML rule, XML ids and link targets.
//!
//! Nothing here knows about EPUB files; it only turns strings into strings
//! that are safe to place inside an XHTML document.
//!
//! # The raw-HTML rule
//!
//! Raw HTML from a post is never copied into the book. It is shown as its
//! text: tags are removed, the text between them is kept (entities become
//! characters), `<br>` becomes a line break, block-level tags (`p`, `div`,
//! `li`, `tr`, headings, …) start a new paragraph, table cells are separated
//! by a space and `<img>` keeps its `alt` text. Comments, `<!DOCTYPE>` and
//! processing instructions are dropped, and so is everything inside
//! `script`, `style` and `template` — the writer warns when it drops such
//! content. This is the rule `survival` checks (the same list as
//! `html_text`): fuzzing found the EPUB dropping the text inside
//! `iframe`/`textarea` and, after an `<iframe` whose attribute quote ran on
//! for lines, the rest of the block, words the other editions keep. What
//! is a tag, and where it ends, is `html_text::tag_len`'s decision.

use std::fmt::Write as _;

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
// Raw HTML shown as text

/// A piece of the text shown for raw HTML.
#[derive(Debug, Clone, PartialEq)]
pub enum HtmlPiece {
    Text(String),
    /// `<br>`: a line break inside the current paragraph.
    Break,
    /// A block-level tag: the text after it starts a new paragraph.
    Paragraph,
}

/// What the raw-HTML rule made of a fragment.
#[derive(Debug, Default, PartialEq)]
pub struct HtmlText {
    pub pieces: Vec<HtmlPiece>,
    /// Names of elements whose content was dropped (script, style, …).
    pub dropped: Vec<String>,
    /// Number of tags removed (the fragment had markup in it).
    pub tags: usize,
}

const DROP_CONTENT: &[&str] = &["script", "style", "template"];

const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "center",
    "details",
    "dialog",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "tr",
    "ul",
];

/// Applies the raw-HTML rule (see the module docs) to a fragment.
pub fn html_text(html: &str) -> HtmlText {
    let mut out = HtmlText::default();
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut out, rest);
            break;
        };
        push_text(&mut out, &rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |i| &after[i + 3..]);
            out.tags += 1;
        } else if let Some(after) = rest.strip_prefix("<![CDATA[") {
            let end = after.find("]]>").unwrap_or(after.len());
            push_text_raw(&mut out, &after[..end]);
            rest = after.get(end + 3..).unwrap_or("");
            out.tags += 1;
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            rest = rest.find('>').map_or("", |i| &rest[i + 1..]);
            out.tags += 1;
        } else if let Some((tag, after)) = parse_tag(rest) {
            out.tags += 1;
            rest = after;
            let name = tag.name.as_str();
            if !tag.end && DROP_CONTENT.contains(&name) {
                // Raw-text elements: skip to the matching end tag.
                rest = skip_past_end_tag(rest, name);
                out.dropped.push(name.to_string());
            } else if name == "br" {
                out.pieces.push(HtmlPiece::Break);
            } else if name == "img" && !tag.end {
                if let Some(alt) = tag.attr("alt").filter(|a| !a.trim().is_empty()) {
                    push_text_raw(&mut out, &format!(" {} ", alt.trim()));
                }
            } else if matches!(name, "td" | "th") {
                push_text_raw(&mut out, " ");
            } else if BLOCK_TAGS.contains(&name) {
                out.pieces.push(HtmlPiece::Paragraph);
            }
        } else {
            // A `<` that starts no tag is text, as in HTML.
            push_text_raw(&mut out, "<");
            rest = &rest[1..];
        }
    }
    out
}

fn push_text(out: &mut HtmlText, s: &str) {
    if !s.is_empty() {
        push_text_raw(out, &html_escape::decode_html_entities(s));
    }
}

fn push_text_raw(out: &mut HtmlText, s: &str) {
    if let Some(HtmlPiece::Text(last)) = out.pieces.last_mut() {
        last.push_str(s);
    } else {
        out.pieces.push(HtmlPiece::Text(s.to_string()));
    }
}

fn skip_past_end_tag<'a>(rest: &'a str, name: &str) -> &'a str {
    let lower = rest.to_ascii_lowercase();
    let needle = format!("</{name}");
    match lower.find(&needle) {
        Some(i) => {
            let after = &rest[i..];
            after.find('>').map_or("", |j| &after[j + 1..])
        }
        None => "",
    }
}

struct Tag {
    name: String,
    end: bool,
    attrs: Vec<(String, String)>,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses `<name attr=value …>` or `</name>` at the start of `s`. Where
/// the tag ends is `html_text`'s decision (quote-aware, an unquoted `<`
/// means text, at most 8 KiB), so every edition agrees on what is a tag and
/// the survival rule holds; cargo fuzz found two tokenizers disagreeing on
/// runaway quotes, each time losing words from the EPUB. Attributes are
/// then read, best effort, inside that extent.
fn parse_tag(s: &str) -> Option<(Tag, &str)> {
    let len = crate::write::shared::html_text::tag_len(s)?;
    let (head, after) = s.split_at(len);
    let mut rest = head.strip_prefix('<')?;
    let end = if let Some(r) = rest.strip_prefix('/') {
        rest = r;
        true
    } else {
        false
    };
    if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
        .unwrap_or(rest.len());
    let name = rest[..name_len].to_ascii_lowercase();
    rest = &rest[name_len..];
    let mut attrs = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() || rest.starts_with('>') || rest.starts_with("/>") {
            break;
        }
        let n = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '=' | '>' | '/'))
            .unwrap_or(rest.len());
        if n == 0 {
            // A stray `/` or `=`: skip it.
            rest = &rest[1..];
            continue;
        }
        let attr_name = rest[..n].to_ascii_lowercase();
        rest = rest[n..].trim_start();
        let mut value = String::new();
        if let Some(r) = rest.strip_prefix('=') {
            rest = r.trim_start();
            if let Some(q) = rest.chars().next().filter(|&c| c == '"' || c == '\'') {
                let body = &rest[1..];
                let Some(close) = body.find(q) else { break };
                value = html_escape::decode_html_entities(&body[..close]).into_owned();
                rest = &body[close + 1..];
            } else {
                let n = rest
                    .find(|c: char| c.is_whitespace() || c == '>')
                    .unwrap_or(rest.len());
                value = html_escape::decode_html_entities(&rest[..n]).into_owned();
                rest = &rest[n..];
            }
        }
        attrs.push((attr_name, value));
    }
    Some((Tag { name, end, attrs }, after))
}

/// Plain text of raw inline HTML for places that take text only (titles,
/// the navigation): pieces joined, breaks as spaces.
pub fn html_plain(html: &str) -> String {
    let mut s = String::new();
    for piece in html_text(html).pieces {
        match piece {
            HtmlPiece::Text(t) => s.push_str(&t),
            HtmlPiece::Break | HtmlPiece::Paragraph => s.push(' '),
        }
    }
    s
}

/// Collapses runs of ASCII white space to one space (as HTML does; a
/// no-break space is kept).
pub fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_ascii_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
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

// ---------------------------------------------------------------------------
// Link targets

/// Where a link in a post points, once checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// An absolute URL with an allowed scheme, cleaned to be a valid URL.
    External(String),
    /// `#fragment` inside the post.
    Fragment(String),
    /// A relative address (another page of the site); kept as text.
    Relative(String),
    /// A scheme we never link to (`javascript:`, `data:`, `file:` …).
    Refused,
}

const LINK_SCHEMES: &[&str] = &[
    "http", "https", "mailto", "ftp", "tel", "sms", "geo", "news",
];

/// Classifies and cleans a link target. Relative addresses are resolved
/// against `base_url` when the project has one.
pub fn link_target(url: &str, base_url: Option<&str>) -> Target {
    let url = url.trim();
    if let Some(frag) = url.strip_prefix('#') {
        return Target::Fragment(frag.to_string());
    }
    if let Some(rest) = url.strip_prefix("//") {
        return external(&format!("https://{rest}"));
    }
    if let Some(scheme) = scheme_of(url) {
        let scheme = scheme.to_ascii_lowercase();
        return if LINK_SCHEMES.contains(&scheme.as_str()) {
            external(url)
        } else {
            Target::Refused
        };
    }
    if url.is_empty() {
        return Target::Refused;
    }
    match base_url {
        Some(base) if scheme_of(base).is_some() => {
            let base = base.trim_end_matches('/');
            let joined = if url.starts_with('/') {
                // Site-absolute: keep the origin only.
                let origin_end = base
                    .find("://")
                    .and_then(|i| base[i + 3..].find('/').map(|j| i + 3 + j))
                    .unwrap_or(base.len());
                format!("{}{}", &base[..origin_end], url)
            } else {
                format!("{base}/{url}")
            };
            external(&joined)
        }
        _ => Target::Relative(url.to_string()),
    }
}

fn scheme_of(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

fn external(url: &str) -> Target {
    // A link whose host no URL parser accepts (`http://`, `https://../`)
    // is not one a reader can follow: keep it as text.
    if let Some(i) = url.find("://") {
        let authority = url[i + 3..].split(['/', '?', '#']).next().unwrap_or("");
        if !valid_host(authority) {
            return Target::Refused;
        }
    }
    Target::External(clean_url(url))
}

/// A loose check of `user@host:port`: a bracketed IPv6 address, or a
/// domain of non-empty labels made of letters, digits, `-` and `_`.
fn valid_host(authority: &str) -> bool {
    let host_port = authority.rsplit('@').next().unwrap_or("");
    if let Some(v6) = host_port.strip_prefix('[') {
        return v6.split(']').next().is_some_and(|a| {
            !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        });
    }
    let host = match host_port.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        Some(_) => return false,
        None => host_port,
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_' || !c.is_ascii())
        })
}

/// Percent-encodes what a URL may not contain (spaces, quotes, `<>`,
/// control characters, a second `#`, a `%` that starts no escape).
/// Non-ASCII characters are kept: they are valid in an IRI.
pub fn clean_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let bytes = url.as_bytes();
    let mut seen_hash = false;
    // `[` and `]` are allowed only around an IPv6 host.
    let authority = url.find("://").map(|i| {
        let start = i + 3;
        let len = url[start..]
            .find(['/', '?', '#'])
            .unwrap_or(url.len() - start);
        start..start + len
    });
    for (i, c) in url.char_indices() {
        let encode = match c {
            ' ' | '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}' => true,
            '[' | ']' => !authority.as_ref().is_some_and(|a| a.contains(&i)),
            '#' => std::mem::replace(&mut seen_hash, true),
            '%' => {
                !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
            }
            c if c.is_control() || !is_xml_char(c) => true,
            _ => false,
        };
        if encode {
            let mut b = [0; 4];
            for byte in c.encode_utf8(&mut b).bytes() {
                let _ = write!(out, "%{byte:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Decodes `%XX` escapes (for local image paths); invalid UTF-8 is kept
/// as it was written.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
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
    fn raw_html_keeps_words_and_drops_scripts() {
        let t = html_text(
            "<div class=x>Hello&nbsp;<b>world</b><br>again<script>alert(1)</script><!-- no --><img src=a.png alt=\"a cat\"></div>",
        );
        assert_eq!(
            t.pieces,
            vec![
                HtmlPiece::Paragraph,
                HtmlPiece::Text("Hello\u{a0}world".into()),
                HtmlPiece::Break,
                HtmlPiece::Text("again a cat ".into()),
                HtmlPiece::Paragraph,
            ]
        );
        assert_eq!(t.dropped, vec!["script".to_string()]);
        assert_eq!(html_plain("1 < 2 <x"), "1 < 2 <x");
    }

    #[test]
    fn ids_and_slugs() {
        assert_eq!(slug("Hello, World! 2"), "hello-world-2");
        assert_eq!(slug("왜 중요한가"), "왜-중요한가");
        assert_eq!(xml_id("1. Intro"), "h-1.-Intro");
        assert_eq!(xml_id("a:b c"), "a-b-c");
    }

    #[test]
    fn link_targets() {
        assert_eq!(link_target("javascript:alert(1)", None), Target::Refused);
        assert_eq!(link_target("JavaScript:x", None), Target::Refused);
        assert_eq!(
            link_target("https://x.org/a b#c#d%zz", None),
            Target::External("https://x.org/a%20b#c%23d%25zz".into())
        );
        assert_eq!(
            link_target("/docs/", Some("https://e.org/blog/")),
            Target::External("https://e.org/docs/".into())
        );
        assert_eq!(link_target("x.md", None), Target::Relative("x.md".into()));
        assert_eq!(link_target("http://", None), Target::Refused);
        assert_eq!(link_target("https://../", None), Target::Refused);
        assert_eq!(link_target("http://a b/", None), Target::Refused);
        assert_eq!(
            link_target("http://[::1]:80/x[1]", None),
            Target::External("http://[::1]:80/x%5B1%5D".into())
        );
        assert_eq!(
            link_target("https://example.com/?search=](uri)", None),
            Target::External("https://example.com/?search=%5D(uri)".into())
        );
        assert_eq!(percent_decode("a%20b%zz%"), "a b%zz%");
    }
}
