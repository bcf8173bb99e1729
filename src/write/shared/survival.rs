//! The text a reader must find in every edition of a post: the rule that
//! the "nothing lost" tests check, written down once.
//!
//! Included: the title, subtitle, summary, authors, every text and code
//! run, the readable text of raw HTML (the one rule of `html_text`,
//! which drops tags, comments and the content of scripts, styles,
//! templates and iframes, and keeps `<img>` alt text), image alt text, table
//! cells, and footnote bodies. Not included: link addresses and image
//! sources (editions show them in different places, or not at all when a
//! link's text is the address itself), heading ids, and front-matter keys
//! that no edition prints (`extra`).

use crate::ir::{Block, Inline, Post};
use crate::write::shared::html_text;

pub fn reader_text(post: &Post) -> String {
    let mut out = String::new();
    let meta = &post.meta;
    for field in [Some(&meta.title), meta.subtitle.as_ref()]
        .into_iter()
        .flatten()
    {
        out.push_str(field);
        out.push('\n');
    }
    for author in &meta.authors {
        out.push_str(&author.name);
        out.push('\n');
    }
    blocks(&post.body, &mut out);
    for note in &post.footnotes {
        blocks(&note.body, &mut out);
    }
    out
}

fn blocks(blocks_: &[Block], out: &mut String) {
    for block in blocks_ {
        match block {
            Block::Paragraph { content } | Block::Heading { content, .. } => inlines(content, out),
            Block::List { items, .. } => {
                for item in items {
                    blocks(&item.body, out);
                }
            }
            Block::Quote { body, .. } => blocks(body, out),
            Block::Code { text, .. } => out.push_str(text),
            Block::Table { head, rows, .. } => {
                for cell in head.iter().chain(rows.iter().flatten()) {
                    inlines(cell, out);
                    out.push(' ');
                }
            }
            Block::Rule => {}
            Block::Html { html } => out.push_str(&html_text::to_text(html)),
        }
        out.push('\n');
    }
}

fn inlines(inlines_: &[Inline], out: &mut String) {
    for inline in inlines_ {
        match inline {
            Inline::Text { text } | Inline::Code { text } => out.push_str(text),
            Inline::Emph { content } | Inline::Strong { content } | Inline::Strike { content } => {
                inlines(content, out)
            }
            Inline::Link { content, .. } => inlines(content, out),
            Inline::Image { alt, .. } => {
                out.push(' ');
                out.push_str(alt);
                out.push(' ');
            }
            // A note marker separates the words around it: `x[^a]ode` is
            // "x", a marker, "ode" (the EPUB prints the marker as a bare
            // number, so "xode" is in no edition). Found by cargo fuzz.
            Inline::FootnoteRef { .. } => out.push(' '),
            Inline::SoftBreak | Inline::HardBreak => out.push(' '),
            Inline::Html { html } => out.push_str(&html_text::inline_to_text(html)),
            // Nothing of redacted text is to survive.
            Inline::Redacted { .. } => out.push(' '),
        }
    }
}

/// Words of a text: runs of letters and digits, lowercased, with every
/// East Asian wide character (Han, Kana, Hangul) a word of its own, since
/// those scripts may be wrapped between any two characters.
pub fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        let wide = unicode_width::UnicodeWidthChar::width(c) == Some(2);
        if c.is_alphanumeric() && !wide {
            current.extend(c.to_lowercase());
            continue;
        }
        if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        if c.is_alphanumeric() {
            words.push(c.to_string());
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Words of `expected` not found in `actual`, counting repeats. A word
/// split in the output by formatting (`un*believ*able`) or joined there
/// (`unbelievable` for `un` + `believ` + `able`) still counts as found.
pub fn missing_words(expected: &str, actual: &str) -> Vec<String> {
    use std::collections::HashMap;
    let mut have: HashMap<String, usize> = HashMap::new();
    let actual_words = words(actual);
    for w in &actual_words {
        *have.entry(w.clone()).or_default() += 1;
    }
    // Reference numbers (`foo [1]baz`) may sit inside a joined word.
    let joined: String = words(&without_reference_marks(actual)).concat();
    let mut want: HashMap<String, usize> = HashMap::new();
    for w in words(expected) {
        *want.entry(w).or_default() += 1;
    }
    let mut missing: Vec<String> = want
        .into_iter()
        .filter(|(w, n)| {
            let whole = have.get(w).copied().unwrap_or(0);
            whole < *n && whole + joined.matches(w.as_str()).count().saturating_sub(whole) < *n
        })
        .map(|(w, _)| w)
        .collect();
    missing.sort();
    missing
}

/// Removes `[12]` and `[^12]` reference marks.
fn without_reference_marks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let inner = after.strip_prefix('^').unwrap_or(after);
        let digits = inner.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && inner[digits..].starts_with(']') {
            rest = &inner[digits + 1..];
        } else {
            out.push('[');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}
