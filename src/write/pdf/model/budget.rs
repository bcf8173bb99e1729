//! The footnote budget: whether a brief's sources can be footnotes, or
//! must print as numbered endnotes so that typesetting stays bounded.
//!
//! Typst lays the column out again for every footnote it places, and a
//! breakable block (a list, a quote, a table) misses its layout cache each
//! time: the cost of a block grows with its footnotes times its length.
//! Measured on this project's 2-core machine (items of ~600 characters,
//! each with one footnoted link, typeset alone):
//!
//! | block                  | notes × bytes | time  | peak memory |
//! |------------------------|---------------|-------|-------------|
//! | list of 100 items      | 6 M           | 7.0 s | 0.3 GB      |
//! | list of 200 items      | 24 M          | 17.5 s| 0.9 GB      |
//! | list of 400 items      | 96 M          | 83 s  | 2.9 GB      |
//! | list of 999 items      | 600 M         | >120 s| >5 GB       |
//! | quote of 200 paragraphs| 22 M          | 5.9 s | 1.3 GB      |
//! | table of 200 rows      | 22 M          | 26 s  | 2.3 GB      |
//! | 999 paragraphs         | (no block)    | 4.5 s | 0.3 GB      |
//!
//! Paragraphs outside such blocks cost little per note, so they do not
//! count. Tables cost about four times a list of the same work.

use crate::config::LinkStyle;
use crate::ir::{Block, Inline};
use crate::write::shared::notes::{Kind, kind_of};

/// Most footnote work (notes × bytes, summed over the breakable blocks at
/// the top level; tables weighted by [`TABLE_WEIGHT`]) typeset as
/// footnotes: about 10 s for a list, by the table above.
pub const MAX_FOOTNOTE_WORK: u64 = 12_000_000;
const TABLE_WEIGHT: u64 = 4;

/// The footnote work of a body: for each top-level list, quote and table,
/// the footnotes inside it times its size in bytes.
pub fn footnote_work(body: &[Block], links: LinkStyle) -> u64 {
    body.iter()
        .map(|block| {
            let weight = match block {
                Block::List { .. } | Block::Quote { .. } => 1,
                Block::Table { .. } => TABLE_WEIGHT,
                _ => return 0,
            };
            let mut tally = Tally::default();
            tally.block(block, links);
            tally.notes * tally.bytes * weight
        })
        .sum()
}

#[derive(Default)]
struct Tally {
    notes: u64,
    bytes: u64,
}

impl Tally {
    fn block(&mut self, block: &Block, links: LinkStyle) {
        match block {
            Block::Heading { content, .. } | Block::Paragraph { content } => {
                self.inlines(content, links)
            }
            Block::List { items, .. } => items
                .iter()
                .flat_map(|i| &i.body)
                .for_each(|b| self.block(b, links)),
            Block::Quote { body, .. } => body.iter().for_each(|b| self.block(b, links)),
            Block::Table { head, rows, .. } => head
                .iter()
                .chain(rows.iter().flatten())
                .for_each(|cell| self.inlines(cell, links)),
            Block::Code { text, .. } => self.bytes += text.len() as u64,
            Block::Html { html } => self.bytes += html.len() as u64,
            Block::Rule => {}
        }
    }

    fn inlines(&mut self, inlines: &[Inline], links: LinkStyle) {
        for inline in inlines {
            match inline {
                Inline::Text { text } | Inline::Code { text } => self.bytes += text.len() as u64,
                Inline::Html { html } => self.bytes += html.len() as u64,
                Inline::Emph { content }
                | Inline::Strong { content }
                | Inline::Strike { content } => self.inlines(content, links),
                Inline::Link {
                    url, content, bare, ..
                } => {
                    if links == LinkStyle::Footnote
                        && kind_of(url, content, *bare) == Some(Kind::Noted)
                    {
                        self.notes += 1;
                    }
                    self.bytes += url.len() as u64;
                    self.inlines(content, links);
                }
                Inline::FootnoteRef { .. } => self.notes += 1,
                Inline::Image { alt, .. } => self.bytes += alt.len() as u64,
                Inline::SoftBreak | Inline::HardBreak | Inline::Redacted { .. } => self.bytes += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::ListItem;

    fn item(i: usize) -> ListItem {
        ListItem {
            task: None,
            body: vec![Block::Paragraph {
                content: vec![
                    Inline::Text {
                        text: "x".repeat(500),
                    },
                    Inline::Link {
                        url: format!("https://example.org/{i}"),
                        title: None,
                        bare: false,
                        content: vec![Inline::Text {
                            text: "report".into(),
                        }],
                    },
                ],
            }],
        }
    }

    fn list(n: usize) -> Block {
        Block::List {
            start: None,
            tight: true,
            items: (0..n).map(item).collect(),
        }
    }

    #[test]
    fn long_lists_of_footnotes_are_over_budget_short_ones_and_paragraphs_are_not() {
        let within = footnote_work(&[list(100)], LinkStyle::Footnote);
        assert!(within > 0 && within <= MAX_FOOTNOTE_WORK, "{within}");
        assert!(footnote_work(&[list(400)], LinkStyle::Footnote) > MAX_FOOTNOTE_WORK);
        // The same links as separate paragraphs, or printed inline: free.
        let paragraphs: Vec<Block> = (0..400).flat_map(|i| item(i).body).collect();
        assert_eq!(footnote_work(&paragraphs, LinkStyle::Footnote), 0);
        assert_eq!(footnote_work(&[list(400)], LinkStyle::Inline), 0);
    }
}
