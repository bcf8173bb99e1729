//! Raw HTML written in a post, read as text: the one rule every edition
//! uses (no edition ever passes HTML through), so the e-mail text, the PDF
//! and the EPUB show the same words with the same breaks.
//!
//! The rule, so it can be tested: tags are removed and the text between
//! them kept, entity references becoming characters; comments,
//! declarations (`<!DOCTYPE>`, `<![CDATA[…]>`, which HTML treats as a
//! bogus comment) and processing instructions are dropped; so is the
//! content of [`DROP_CONTENT`] elements (never shown to a reader; the
//! editions warn, from [`HtmlText::dropped`]); a [`BLOCK_TAGS`] tag starts
//! a new paragraph, `<br>` a new line in it; table cells are separated by a
//! space; `<img>` is its `alt` text. Every other character is kept. White
//! space collapses as in HTML (ASCII white space only: a no-break space is
//! the author's).
//!
//! [`read`] walks a fragment once; [`HtmlText::paragraphs`] is the reading
//! of an HTML block, [`HtmlText::inline_lines`] of HTML inside a paragraph.

/// Elements whose content a reader never sees. `object`'s children are
/// not here: they are the fallback shown when the object cannot be, which
/// is always the case in our editions.
pub const DROP_CONTENT: &[&str] = &["script", "style", "template", "iframe"];

/// Tags that start a new paragraph (HTML's block-level elements).
pub const BLOCK_TAGS: &[&str] = &[
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

/// A piece of what the rule made of a fragment, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// Text as written (entities decoded, white space not yet collapsed).
    Text(String),
    /// `<br>`: a new line in the current paragraph.
    Break,
    /// A block-level tag: what follows starts a new paragraph.
    Block,
}

/// A fragment of raw HTML, read.
#[derive(Debug, Default, PartialEq)]
pub struct HtmlText {
    pub pieces: Vec<Piece>,
    /// Names of elements whose content was dropped, in order of appearance.
    pub dropped: Vec<String>,
    /// How many tags, comments and declarations were removed.
    pub tags: usize,
}

impl HtmlText {
    /// The reading of an HTML block: paragraphs of lines, white space
    /// collapsed, no line and no paragraph empty.
    pub fn paragraphs(&self) -> Vec<Vec<String>> {
        let mut paragraphs: Vec<Vec<String>> = Vec::new();
        let mut lines: Vec<String> = Vec::new();
        let mut line = String::new();
        let end_line = |line: &mut String, lines: &mut Vec<String>| {
            let text = collapse_ws(line);
            if !text.is_empty() {
                lines.push(text);
            }
            line.clear();
        };
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => line.push_str(t),
                Piece::Break => end_line(&mut line, &mut lines),
                Piece::Block => {
                    end_line(&mut line, &mut lines);
                    if !lines.is_empty() {
                        paragraphs.push(std::mem::take(&mut lines));
                    }
                }
            }
        }
        end_line(&mut line, &mut lines);
        if !lines.is_empty() {
            paragraphs.push(lines);
        }
        paragraphs
    }

    /// The reading of HTML inside a paragraph: the text split at `<br>`s,
    /// a block tag read as a space; white space left to the paragraph.
    pub fn inline_lines(&self) -> Vec<String> {
        let mut lines = vec![String::new()];
        for piece in &self.pieces {
            match (piece, lines.last_mut()) {
                (Piece::Text(t), Some(line)) => line.push_str(t),
                (Piece::Block, Some(line)) => line.push(' '),
                _ => lines.push(String::new()),
            }
        }
        lines
    }
}

/// Reads a fragment by the rule (see the module docs).
pub fn read(html: &str) -> HtmlText {
    let mut out = HtmlText::default();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_decoded(&mut out, &rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            out.tags += 1;
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            rest = rest.find('>').map_or("", |end| &rest[end + 1..]);
            out.tags += 1;
        } else if let Some(tag) = parse_tag(rest) {
            out.tags += 1;
            rest = &rest[tag.len..];
            let name = tag.name.as_str();
            if !tag.end && DROP_CONTENT.contains(&name) {
                rest = skip_past_end_tag(rest, name);
                out.dropped.push(name.to_string());
            } else if name == "br" {
                out.pieces.push(Piece::Break);
            } else if name == "img" && !tag.end {
                if let Some(alt) = tag.alt.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
                    push_text(&mut out, &format!(" {alt} "));
                }
            } else if matches!(name, "td" | "th") {
                push_text(&mut out, " ");
            } else if BLOCK_TAGS.contains(&name) {
                out.pieces.push(Piece::Block);
            }
        } else {
            // A `<` that starts no tag is text (`a < b`), as in HTML.
            push_text(&mut out, "<");
            rest = &rest[1..];
        }
    }
    push_decoded(&mut out, rest);
    out
}

/// Text of an HTML block: paragraphs separated by a blank line, lines by
/// a line break (the form the text and PDF editions lay out).
pub fn to_text(html: &str) -> String {
    read(html)
        .paragraphs()
        .iter()
        .map(|p| p.join("\n"))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Text of HTML inside a paragraph (`<br>` becomes a line break).
pub fn inline_to_text(html: &str) -> String {
    read(html).inline_lines().join("\n")
}

/// Text of HTML on one line, breaks read as spaces (titles, navigation).
pub fn one_line(html: &str) -> String {
    read(html).inline_lines().join(" ")
}

/// Collapses runs of ASCII white space to one space and trims, as HTML
/// does (a no-break space is kept).
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

fn push_decoded(out: &mut HtmlText, s: &str) {
    if !s.is_empty() {
        push_text(out, &html_escape::decode_html_entities(s));
    }
}

fn push_text(out: &mut HtmlText, s: &str) {
    if let Some(Piece::Text(last)) = out.pieces.last_mut() {
        last.push_str(s);
    } else {
        out.pieces.push(Piece::Text(s.to_string()));
    }
}

fn skip_past_end_tag<'a>(rest: &'a str, name: &str) -> &'a str {
    let needle = format!("</{name}");
    match find_ci(rest, &needle) {
        Some(i) => {
            let after = &rest[i..];
            after.find('>').map_or("", |j| &after[j + 1..])
        }
        None => "",
    }
}

fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

struct Tag {
    /// Lower-case element name.
    name: String,
    end: bool,
    /// The `alt` attribute, entities decoded (only `<img>` needs one).
    alt: Option<String>,
    /// Length in bytes of the whole tag, `<` to `>`.
    len: usize,
}

/// Reads an element tag (`<name …>` or `</name …>`) at the start of `s`.
fn parse_tag(s: &str) -> Option<Tag> {
    let inner = s.strip_prefix('<')?;
    let (end, inner) = match inner.strip_prefix('/') {
        Some(r) => (true, r),
        None => (false, inner),
    };
    if !inner.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let name_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
        .unwrap_or(inner.len());
    let len = tag_extent(s)?;
    let name = inner[..name_len].to_ascii_lowercase();
    let attrs_start = s.len() - inner.len() + name_len;
    let alt = (name == "img" && !end)
        .then(|| attribute(&s[attrs_start..len - 1], "alt"))
        .flatten();
    Some(Tag {
        name,
        end,
        alt,
        len,
    })
}

/// Where the tag starting `s` ends: the first `>` outside quoted attribute
/// values. An unquoted `<`, or a run longer than 8 KiB, means it was no tag
/// but text: every `<` of a hostile post must not rescan the rest of it,
/// and cargo fuzz found runaway quotes losing words when editions disagreed
/// on this.
fn tag_extent(s: &str) -> Option<usize> {
    const MAX_TAG_BYTES: usize = 8 * 1024;
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        if i > MAX_TAG_BYTES {
            return None;
        }
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '<') => return None,
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The value of attribute `wanted` in `attrs` (the inside of a tag after
/// its name), best effort: `a=1 b="2" c='3' d`.
fn attribute(attrs: &str, wanted: &str) -> Option<String> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return None;
        }
        let n = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '=' | '/'))
            .unwrap_or(rest.len())
            .max(1);
        let name = rest[..n].to_ascii_lowercase();
        rest = rest[n..].trim_start();
        let mut value = None;
        if let Some(r) = rest.strip_prefix('=') {
            rest = r.trim_start();
            let (raw, after) = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &rest[1..];
                    let close = body.find(q).unwrap_or(body.len());
                    (&body[..close], body.get(close + 1..).unwrap_or(""))
                }
                _ => {
                    let n = rest.find(char::is_whitespace).unwrap_or(rest.len());
                    (&rest[..n], &rest[n..])
                }
            };
            value = Some(html_escape::decode_html_entities(raw).into_owned());
            rest = after;
        }
        if name == wanted {
            return Some(value.unwrap_or_default());
        }
    }
}

/// The warning for raw HTML fragments shown as text, worded the same by
/// every edition (see `write::shared::image_not_embedded`).
pub fn shown_as_text(fragments: usize) -> crate::diag::Diagnostic {
    crate::diag::Diagnostic::warning(format!(
        "{fragments} raw HTML fragment(s) are shown as text (tags removed, words kept)"
    ))
    .with_hint("write Markdown instead of HTML to keep the formatting")
}

/// The warning for raw HTML elements whose content no edition shows.
pub fn content_dropped(names: &[String]) -> crate::diag::Diagnostic {
    crate::diag::Diagnostic::warning(format!(
        "raw HTML {} content dropped (never shown or run)",
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_text_drops_markup_comments_and_scripts() {
        let html = "<div class=\"x\">\n<p>Survey <b>charts</b> &amp; data here</p><!-- hidden --><script>alert(1)</script><style>p{}</style>\n<table><tr><td>a</td><td>b</td></tr></table></div>";
        assert_eq!(to_text(html), "Survey charts & data here\n\na b");
        assert_eq!(read(html).dropped, ["script", "style"]);
    }

    #[test]
    fn paragraphs_lines_alt_text_and_no_break_spaces() {
        let t = read(
            "<div class=x>Hello&nbsp;<b>world</b><br>again<iframe src='y'>no</iframe><img src=a.png alt=\"a cat\"></div><dl><dt>Term</dt><dd>Def</dd></dl>",
        );
        assert_eq!(
            t.paragraphs(),
            [
                vec!["Hello\u{a0}world".to_string(), "again a cat".into()],
                vec!["Term".into()],
                vec!["Def".into()],
            ]
        );
        assert_eq!(t.dropped, ["iframe"]);
    }

    #[test]
    fn lone_angle_brackets_and_runaway_quotes_are_text() {
        assert_eq!(inline_to_text("a < b > c"), "a < b > c");
        assert_eq!(inline_to_text("x<br/>y"), "x\ny");
        assert_eq!(one_line("1 < 2 <x"), "1 < 2 <x");
        assert_eq!(
            to_text("<a title=\"oops>words <b>on</b>"),
            "<a title=\"oops>words on"
        );
        assert_eq!(
            read("<![CDATA[gone]]>kept<?pi x?>").pieces,
            [Piece::Text("kept".into())]
        );
    }
}
