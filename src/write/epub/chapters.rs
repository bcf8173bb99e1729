//! Where a post's body splits into chapters, the XML id of every heading
//! (and the names a link may use to reach it), and the navigation built
//! from the headings.

use super::body::BodyWriter;
use super::{TITLE_FILE, chapter_file};
use crate::ir::{Block, Inline, Post};
use crate::write::epub::xhtml::{slug, xml_clean, xml_id};
use crate::write::shared::html_text;
use epub_builder::TocElement;
use std::collections::HashSet;

/// Splits the body into chapters (ranges of top-level blocks). A body
/// longer than `split_chars` characters starts a new chapter at each
/// heading of its top level, when that level is 1 or 2.
pub(super) fn plan_chapters(body: &[Block], split_chars: usize) -> Vec<std::ops::Range<usize>> {
    let total: usize = body.iter().map(block_len).sum();
    let top = top_heading_level(body);
    let mut ranges = Vec::new();
    let mut start = 0;
    if split_chars > 0 && total > split_chars && top.is_some_and(|l| l <= 2) {
        for (i, b) in body.iter().enumerate() {
            if let Block::Heading { level, .. } = b {
                if Some(*level) == top && i > start {
                    ranges.push(start..i);
                    start = i;
                }
            }
        }
    }
    ranges.push(start..body.len());
    ranges
}

fn top_heading_level(body: &[Block]) -> Option<u8> {
    body.iter()
        .filter_map(|b| match b {
            Block::Heading { level, .. } => Some(*level),
            _ => None,
        })
        .min()
}

fn block_len(b: &Block) -> usize {
    match b {
        Block::Heading { content, .. } | Block::Paragraph { content } => inline_len(content),
        Block::List { items, .. } => items.iter().flat_map(|i| &i.body).map(block_len).sum(),
        Block::Quote { body, .. } => body.iter().map(block_len).sum(),
        Block::Code { text, .. } => text.len(),
        Block::Table { head, rows, .. } => head
            .iter()
            .chain(rows.iter().flatten())
            .map(|c| inline_len(c))
            .sum(),
        Block::Rule => 0,
        Block::Html { html } => html.len(),
    }
}

fn inline_len(inlines: &[Inline]) -> usize {
    crate::ir::plain_text(inlines).len()
}

/// Plain text of inlines for titles and the navigation: raw HTML reduced
/// by the raw-HTML rule, forbidden characters dropped, space collapsed.
fn title_text(inlines: &[Inline]) -> String {
    let mut s = String::new();
    push_title_text(inlines, &mut s);
    let (clean, _) = xml_clean(&s);
    html_text::collapse_ws(&clean)
}

fn push_title_text(inlines: &[Inline], s: &mut String) {
    for i in inlines {
        match i {
            Inline::Text { text } | Inline::Code { text } => s.push_str(text),
            Inline::Html { html } => s.push_str(&html_text::one_line(html)),
            Inline::Emph { content }
            | Inline::Strong { content }
            | Inline::Strike { content }
            | Inline::Link { content, .. } => push_title_text(content, s),
            Inline::Image { alt, .. } => s.push_str(alt),
            Inline::FootnoteRef { .. } => {}
            Inline::SoftBreak | Inline::HardBreak => s.push(' '),
            Inline::Redacted { .. } => s.push_str(crate::ir::redact::BAR),
        }
    }
}

/// Gives every heading a unique XML id and records which names a link may
/// use to reach it: the author's id, the generated id, the GitHub slug.
pub(super) fn assign_ids(
    post: &Post,
    plan: &[std::ops::Range<usize>],
    w: &mut BodyWriter,
    prefix: &str,
) {
    let mut used: HashSet<String> = HashSet::new();
    for (i, range) in plan.iter().enumerate() {
        for b in &post.body[range.clone()] {
            visit_headings(b, &chapter_file(prefix, i), &mut used, w);
        }
    }
    let notes_file = w.notes_file.clone();
    for note in &post.footnotes {
        for b in &note.body {
            visit_headings(b, &notes_file, &mut used, w);
        }
    }
}

fn visit_headings(b: &Block, file: &str, used: &mut HashSet<String>, w: &mut BodyWriter) {
    match b {
        Block::Heading { id, content, .. } => {
            let text = title_text(content);
            let auto = slug(&text);
            let wanted = id
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or(&auto);
            let mut base = xml_id(wanted);
            // Our own footnote ids must stay unique.
            if base.starts_with("fn-") || base.starts_with("fnref-") {
                base.insert_str(0, "h-");
            }
            let mut candidate = base.clone();
            let mut n = 1;
            while used.contains(&candidate) {
                n += 1;
                candidate = format!("{base}-{n}");
            }
            used.insert(candidate.clone());
            let anchor = (file.to_string(), candidate.clone());
            for alias in [id.clone().unwrap_or_default(), auto, candidate.clone()] {
                if !alias.is_empty() {
                    w.anchors.entry(alias).or_insert_with(|| anchor.clone());
                }
            }
            w.heading_ids.insert(b as *const Block, candidate);
        }
        Block::List { items, .. } => {
            for item in items {
                for b in &item.body {
                    visit_headings(b, file, used, w);
                }
            }
        }
        Block::Quote { body, .. } => {
            for b in body {
                visit_headings(b, file, used, w);
            }
        }
        _ => {}
    }
}

/// The table of contents: the title page is the root entry; the headings
/// of the first chapter are its children, later chapters follow as its
/// children too (each with its own headings nested by level), and the
/// notes are a sibling of the title.
pub(crate) struct Nav {
    pub title: TocElement,
    pub chapters: Vec<Option<TocElement>>,
}

pub(super) fn navigation(
    post: &Post,
    plan: &[std::ops::Range<usize>],
    w: &BodyWriter,
    title: &str,
    prefix: &str,
) -> Nav {
    let min = top_heading_level(&post.body).unwrap_or(1);
    let entry = |b: &Block, file: &str| -> Option<TocElement> {
        let Block::Heading { level, content, .. } = b else {
            return None;
        };
        let text = title_text(content);
        let id = w.heading_ids.get(&(b as *const Block))?;
        (!text.is_empty()).then(|| {
            TocElement::new(format!("{file}#{id}"), text).level(i32::from(level - min) + 2)
        })
    };
    let mut root = TocElement::new(format!("{prefix}{TITLE_FILE}"), title).level(1);
    let mut chapters = Vec::new();
    for (i, range) in plan.iter().enumerate() {
        let file = chapter_file(prefix, i);
        let blocks = &post.body[range.clone()];
        if i == 0 {
            for b in blocks {
                if let Some(e) = entry(b, &file) {
                    root.add(e);
                }
            }
            chapters.push(None);
            continue;
        }
        // Later chapters start with their split heading.
        let mut it = blocks.iter();
        let mut head = it
            .next()
            .and_then(|b| entry(b, &file))
            .map(|e| TocElement {
                url: file.clone(),
                ..e
            })
            .unwrap_or_else(|| TocElement::new(file.clone(), title).level(2));
        for b in it {
            if let Some(e) = entry(b, &file) {
                head.add(e);
            }
        }
        chapters.push(Some(head));
    }
    Nav {
        title: root,
        chapters,
    }
}
