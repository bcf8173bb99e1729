//! Markdown to IR. The one place pulldown-cmark's options are set, and the
//! one `match` over its events.
//!
//! Besides translating events this module: numbers footnotes in order of
//! first reference, turns bare `https://…` and `www.…` in text into links,
//! reads `{#id}` and MDX `{/*id*/}` heading ids, and flattens containers
//! nested deeper than [`MAX_DEPTH`] (keeping their text) so no writer ever
//! recurses without bound.

mod builder;

use crate::diag::Diagnostic;
use crate::ir::{Align, Block, Footnote, Inline, ListItem};
use builder::Builder;
use pulldown_cmark::{
    Alignment, BlockQuoteKind, CodeBlockKind, Event, LinkType, Options, Parser, Tag, TagEnd,
};
use std::collections::HashMap;

/// Containers (quotes, lists, emphasis, links) nested deeper than this are
/// flattened into their parent: their text stays, their nesting goes.
pub const MAX_DEPTH: usize = 32;

/// The parser options every edition is built with.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
    // Smart punctuation stays off: the author's characters are kept.
}

/// A parsed body.
#[derive(Debug, Default)]
pub struct Parsed {
    pub body: Vec<Block>,
    pub footnotes: Vec<Footnote>,
    pub warnings: Vec<Diagnostic>,
}

/// Parses a Markdown body. `first_line` is the source line where `text`
/// starts, so image lines and warnings point into the file.
pub fn parse(text: &str, first_line: usize) -> Parsed {
    let without_mdx = strip_mdx_comments(text);
    let text = without_mdx.as_deref().unwrap_or(text);
    let mut builder = Builder::new(text, first_line);
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        builder.event(event, range.start);
    }
    builder.finish()
}

/// Orders definitions by the number of their first reference; definitions
/// never referenced are numbered after, so their text is not lost.
fn number_footnotes(
    defs: Vec<(String, Vec<Block>)>,
    numbers: &mut HashMap<String, usize>,
) -> Vec<Footnote> {
    let mut notes: Vec<Footnote> = Vec::new();
    let mut unreferenced = Vec::new();
    for (label, body) in defs {
        if notes.iter().any(|n| n.label == label) {
            continue; // pulldown-cmark uses the first definition; so do we.
        }
        match numbers.get(&label) {
            Some(&number) => notes.push(Footnote {
                label,
                number,
                body,
            }),
            None => unreferenced.push((label, body)),
        }
    }
    notes.sort_by_key(|n| n.number);
    let mut next = numbers.len() + 1;
    for (label, body) in unreferenced {
        numbers.insert(label.clone(), next);
        notes.push(Footnote {
            label,
            number: next,
            body,
        });
        next += 1;
    }
    notes
}

fn block_text(block: &Block) -> String {
    match block {
        Block::Paragraph { content } | Block::Heading { content, .. } => {
            crate::ir::plain_text(content)
        }
        Block::Code { text, .. } => text.clone(),
        Block::Html { html } => html.clone(),
        Block::Quote { body, .. } => body.iter().map(block_text).collect::<Vec<_>>().join(" "),
        Block::List { items, .. } => items
            .iter()
            .flat_map(|i| i.body.iter().map(block_text))
            .collect::<Vec<_>>()
            .join(" "),
        Block::Table { head, rows, .. } => std::iter::once(head)
            .chain(rows)
            .flat_map(|r| r.iter().map(|c| crate::ir::plain_text(c)))
            .collect::<Vec<_>>()
            .join(" "),
        Block::Rule => String::new(),
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn alert_name(kind: BlockQuoteKind) -> String {
    match kind {
        BlockQuoteKind::Note => "note",
        BlockQuoteKind::Tip => "tip",
        BlockQuoteKind::Important => "important",
        BlockQuoteKind::Warning => "warning",
        BlockQuoteKind::Caution => "caution",
    }
    .to_string()
}

fn convert_align(a: Alignment) -> Align {
    match a {
        Alignment::None => Align::None,
        Alignment::Left => Align::Left,
        Alignment::Center => Align::Center,
        Alignment::Right => Align::Right,
    }
}

/// Final touches on a run of inlines: adjacent text merged (done on push),
/// bare URLs turned into links unless we are inside a link already.
fn finish_inlines(inlines: Vec<Inline>, autolink: bool) -> Vec<Inline> {
    if !autolink {
        return inlines;
    }
    let mut out = Vec::with_capacity(inlines.len());
    for inline in inlines {
        match inline {
            Inline::Text { text } => crate::read::autolink::split_urls(&text, &mut out),
            other => out.push(other),
        }
    }
    out
}

/// MDX comments (`{/* … */}`) are not text anyone reads: they are removed
/// before parsing, outside code, keeping their line breaks so line numbers
/// stay right. A comment ending a heading line is MDX's heading id
/// (`## Title {/*title*/}`) and becomes `{#title}`. Returns `None` when the
/// text has none.
fn strip_mdx_comments(text: &str) -> Option<String> {
    if !text.contains("{/*") {
        return None;
    }
    let code: Vec<std::ops::Range<usize>> = Parser::new_ext(text, options())
        .into_offset_iter()
        .filter(|(event, _)| matches!(event, Event::Start(Tag::CodeBlock(_)) | Event::Code(_)))
        .map(|(_, range)| range)
        .collect();
    let in_code = |at: usize| code.iter().any(|r| r.contains(&at));
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    let mut from = 0;
    while let Some(found) = text[from..].find("{/*") {
        let start = from + found;
        let Some(length) = text[start..].find("*/}") else {
            break;
        };
        let end = start + length + 3;
        if in_code(start) {
            from = start + 3;
            continue;
        }
        out.push_str(&text[done..start]);
        let inner = text[start + 3..end - 3].trim();
        let line_start = text[..start].rfind('\n').map_or(0, |p| p + 1);
        let line_end = text[end..].find('\n').map_or(text.len(), |p| end + p);
        let heading_id = text[line_start..start].trim_start().starts_with('#')
            && text[end..line_end].trim().is_empty()
            && !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if heading_id {
            out.push_str(&format!("{{#{inner}}}"));
        } else {
            out.extend(text[start..end].chars().filter(|&c| c == '\n'));
        }
        done = end;
        from = end;
    }
    out.push_str(&text[done..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::plain_text;

    #[test]
    fn mdx_comments_are_removed_outside_code_and_ids_kept() {
        let text = "{/*<!-- eslint-disable -->*/}\nText {/* note */} here.\n\n## Title {/*title-id*/}\n\n```jsx\n{/* kept */}\n```\n";
        let parsed = parse(text, 1);
        let Block::Paragraph { content } = &parsed.body[0] else {
            panic!("{:?}", parsed.body)
        };
        assert_eq!(
            plain_text(content).split_whitespace().collect::<Vec<_>>(),
            ["Text", "here."]
        );
        let Block::Heading { id, content, .. } = &parsed.body[1] else {
            panic!()
        };
        assert_eq!(
            (id.as_deref(), plain_text(content).as_str()),
            (Some("title-id"), "Title")
        );
        let Block::Code { text, .. } = &parsed.body[2] else {
            panic!()
        };
        assert_eq!(text, "{/* kept */}\n");
    }

    #[test]
    fn deep_nesting_is_flattened_without_losing_text() {
        let text = format!("{}deep\n", "> ".repeat(600));
        let parsed = parse(&text, 1);
        assert!(!parsed.warnings.is_empty());
        let mut depth = 0;
        let mut blocks = &parsed.body;
        while let Some(Block::Quote { body, .. }) = blocks.first() {
            depth += 1;
            blocks = body;
        }
        assert!(depth <= MAX_DEPTH, "{depth}");
        assert!(
            crate::write::shared::survival::reader_text(&crate::ir::Post {
                source: Default::default(),
                source_sha256: String::new(),
                meta: crate::ir::Meta {
                    title: String::new(),
                    slug: String::new(),
                    date: None,
                    lang: "en".into(),
                    authors: vec![],
                    tags: vec![],
                    summary: None,
                    subtitle: None,
                    marking: None,
                    draft: false,
                    extra: vec![],
                },
                body: parsed.body.clone(),
                footnotes: vec![],
            })
            .contains("deep")
        );
    }

    #[test]
    fn footnotes_are_numbered_by_first_reference_and_unreferenced_kept() {
        let parsed = parse(
            "b[^b] a[^a] b again[^b]\n\n[^a]: A.\n[^b]: B.\n[^c]: C.\n",
            1,
        );
        let labels: Vec<(&str, usize)> = parsed
            .footnotes
            .iter()
            .map(|n| (n.label.as_str(), n.number))
            .collect();
        assert_eq!(labels, [("b", 1), ("a", 2), ("c", 3)]);
    }
}
