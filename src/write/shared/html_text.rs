//! The readable text of raw HTML written in a post, for editions that never
//! pass HTML through (plain text; the EPUB and PDF show HTML this way too).
//!
//! The rule, so it can be tested: tags are removed; comments and the
//! contents of `<script>`, `<style>` and `<template>` are dropped (they are
//! not text a reader sees); block-level tags and `<br>` break lines; entity
//! references become characters. Every other character is kept.

/// Text of an HTML block: paragraphs separated by blank lines, whitespace
/// within a paragraph collapsed.
pub fn to_text(html: &str) -> String {
    let raw = strip(html, true);
    raw.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Text of inline HTML (`<br>` becomes a line break, other tags vanish).
pub fn inline_to_text(html: &str) -> String {
    strip(html, false)
}

const HIDDEN: [&str; 3] = ["script", "style", "template"];
const BLOCK: [&str; 24] = [
    "p",
    "div",
    "section",
    "article",
    "aside",
    "header",
    "footer",
    "nav",
    "li",
    "ul",
    "ol",
    "table",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "details",
];

fn strip(html: &str, block: bool) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode(&rest[..lt]));
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(tag) = parse_tag(rest) else {
            // A `<` that starts no tag is text (`a < b`).
            out.push('<');
            rest = &rest[1..];
            continue;
        };
        rest = &rest[tag.len..];
        if !tag.closing && HIDDEN.contains(&tag.name.as_str()) {
            let close = format!("</{}", tag.name);
            rest = find_ci(rest, &close).map_or("", |i| {
                let after = &rest[i..];
                after.find('>').map_or("", |j| &after[j + 1..])
            });
            continue;
        }
        if tag.name == "br" {
            out.push('\n');
        } else if tag.name == "td" || tag.name == "th" {
            out.push(' ');
        } else if BLOCK.contains(&tag.name.as_str()) {
            out.push_str(if block { "\n\n" } else { " " });
        }
    }
    out.push_str(&decode(rest));
    out
}

struct Tag {
    name: String,
    closing: bool,
    /// Length in bytes of the whole tag, `<` to `>`.
    len: usize,
}

/// Length in bytes of the element tag (`<name …>` or `</name …>`) at the
/// start of `s`, when `s` starts with one. The EPUB's raw-HTML rule uses
/// this too, so all editions agree on where a tag ends.
pub fn tag_len(s: &str) -> Option<usize> {
    if !s.starts_with('<') {
        return None;
    }
    parse_tag(s).filter(|t| !t.name.is_empty()).map(|t| t.len)
}

/// Reads a tag at the start of `s` (which starts with `<`).
fn parse_tag(s: &str) -> Option<Tag> {
    let inner = &s[1..];
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(r) => (true, r),
        None => (false, inner),
    };
    let name: String = inner
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        // Declarations and processing instructions (`<!DOCTYPE`, `<?xml`).
        if inner.starts_with(['!', '?']) {
            return s.find('>').map(|end| Tag {
                name: String::new(),
                closing,
                len: end + 1,
            });
        }
        return None;
    }
    // Find the closing `>` outside quoted attribute values. An unquoted
    // `<` or a very long run ends the search: that `<` was text, and every
    // `<` of a hostile post must not rescan the rest of it.
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
            (None, '>') => {
                return Some(Tag {
                    name: name.to_ascii_lowercase(),
                    closing,
                    len: i + 1,
                });
            }
            _ => {}
        }
    }
    None
}

fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Entity references to characters (`&nbsp;` → U+00A0, `&#x41;` → `A`).
pub fn decode(s: &str) -> String {
    html_escape::decode_html_entities(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_text_drops_markup_comments_and_scripts() {
        let html = "<div class=\"x\">\n<p>Survey <b>charts</b> &amp; data&nbsp;here</p><!-- hidden --><script>alert(1)</script><style>p{}</style>\n<table><tr><td>a</td><td>b</td></tr></table></div>";
        assert_eq!(to_text(html), "Survey charts & data here\n\na b");
    }

    #[test]
    fn lone_angle_brackets_are_text() {
        assert_eq!(inline_to_text("a < b > c"), "a < b > c");
        assert_eq!(inline_to_text("x<br/>y"), "x\ny");
    }
}
