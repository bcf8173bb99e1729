//! The three forms of a briefing packet: one PDF per copy (`pdf`), one
//! EPUB book (`epub`) and a plain-text digest for e-mail (`digest`).
//! Like every writer they are pure: a resolved [`Packet`] and the
//! read-only [`Context`](crate::write::Context) in, bytes out.
//!
//! This module owns what the forms share: the external links of a brief
//! (the PDF's "Sources" appendix), the integrity record of each brief
//! (also written to `output/manifest.json`), and where a source file is,
//! relative to the project.

pub mod digest;
pub mod epub;
pub mod pdf;

use crate::ir::{Block, Inline, Post};
use crate::write::Context;
use crate::write::shared::links::{Target, link_target};
use serde::Serialize;

pub use crate::packet::{Copy, Packet};

/// One external link of a brief, in reading order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    pub text: String,
    pub url: String,
}

/// Every external link of a post (body, then footnotes), each address
/// once, with the text of its first use. In-page anchors and relative
/// links are not evidence a printed packet can point to and are left out.
pub fn external_links(post: &Post) -> Vec<Source> {
    let mut found = Vec::new();
    blocks(&post.body, &mut found);
    for note in &post.footnotes {
        blocks(&note.body, &mut found);
    }
    let mut seen = std::collections::HashSet::new();
    found.retain(|s: &Source| seen.insert(s.url.clone()));
    found
}

fn blocks(list: &[Block], out: &mut Vec<Source>) {
    for b in list {
        match b {
            Block::Heading { content, .. } | Block::Paragraph { content } => inlines(content, out),
            Block::List { items, .. } => items.iter().for_each(|i| blocks(&i.body, out)),
            Block::Quote { body, .. } => blocks(body, out),
            Block::Table { head, rows, .. } => head
                .iter()
                .chain(rows.iter().flatten())
                .for_each(|c| inlines(c, out)),
            Block::Code { .. } | Block::Rule | Block::Html { .. } => {}
        }
    }
}

fn inlines(list: &[Inline], out: &mut Vec<Source>) {
    for i in list {
        match i {
            Inline::Link { url, content, .. } => {
                if let Target::External(url) = link_target(url, None) {
                    let text = crate::diag::one_line(crate::ir::plain_text(content).trim());
                    out.push(Source { text, url });
                }
                inlines(content, out);
            }
            Inline::Emph { content } | Inline::Strong { content } | Inline::Strike { content } => {
                inlines(content, out)
            }
            _ => {}
        }
    }
}

/// What a recipient needs to confirm which text they were given.
#[derive(Debug, Clone, Serialize)]
pub struct Integrity {
    pub slug: String,
    pub title: String,
    /// The source file, relative to the project folder.
    pub source: String,
    pub date: Option<String>,
    pub sha256: String,
}

pub fn integrity(post: &Post, ctx: &Context) -> Integrity {
    Integrity {
        slug: post.meta.slug.clone(),
        title: post.meta.title.clone(),
        source: ctx.resources.project_relative(&post.source),
        date: post
            .meta
            .date
            .as_ref()
            .map(|d| d.day.format("%Y-%m-%d").to_string()),
        sha256: post.source_sha256.clone(),
    }
}

/// The tool that built the packet, printed on its integrity page.
pub fn tool_version() -> String {
    format!("brief {}", env!("CARGO_PKG_VERSION"))
}
