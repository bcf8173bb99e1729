//! Visiting every node of a post's body and notes in reading order: the one
//! place that knows where blocks and inlines nest (lists, quotes, tables,
//! footnotes, emphasis, links, redactions), so a reader of the model (the
//! cache's image list, a check) does not walk the tree by hand again.

use super::{Block, Inline, Post};

/// Calls `f` with every block of the post (body, then footnotes), parents
/// before their children.
pub fn each_block<'p>(post: &'p Post, f: &mut impl FnMut(&'p Block)) {
    for block in post
        .body
        .iter()
        .chain(post.footnotes.iter().flat_map(|n| &n.body))
    {
        visit_block(block, f);
    }
}

fn visit_block<'p>(block: &'p Block, f: &mut impl FnMut(&'p Block)) {
    f(block);
    match block {
        Block::List { items, .. } => items
            .iter()
            .flat_map(|item| &item.body)
            .for_each(|b| visit_block(b, f)),
        Block::Quote { body, .. } => body.iter().for_each(|b| visit_block(b, f)),
        // No wildcard in these matches: a new kind of block or inline does
        // not compile until it is decided here what it holds.
        Block::Heading { .. }
        | Block::Paragraph { .. }
        | Block::Code { .. }
        | Block::Table { .. }
        | Block::Rule
        | Block::Html { .. } => {}
    }
}

/// The inlines a block holds itself (not those of its nested blocks), in
/// reading order: a heading's or paragraph's text, a table's header cells
/// then its rows.
pub fn own_inlines(block: &Block) -> Box<dyn Iterator<Item = &Inline> + '_> {
    match block {
        Block::Heading { content, .. } | Block::Paragraph { content } => Box::new(content.iter()),
        Block::Table { head, rows, .. } => {
            Box::new(head.iter().flatten().chain(rows.iter().flatten().flatten()))
        }
        Block::List { .. }
        | Block::Quote { .. }
        | Block::Code { .. }
        | Block::Rule
        | Block::Html { .. } => Box::new(std::iter::empty()),
    }
}

/// Calls `f` with every inline of the post in reading order, containers
/// before what they contain.
pub fn each_inline<'p>(post: &'p Post, f: &mut impl FnMut(&'p Inline)) {
    each_block(post, &mut |block| {
        for inline in own_inlines(block) {
            visit_inline(inline, f);
        }
    });
}

fn visit_inline<'p>(inline: &'p Inline, f: &mut impl FnMut(&'p Inline)) {
    f(inline);
    match inline {
        Inline::Emph { content }
        | Inline::Strong { content }
        | Inline::Strike { content }
        | Inline::Link { content, .. }
        | Inline::Redacted { content, .. } => content.iter().for_each(|i| visit_inline(i, f)),
        Inline::Text { .. }
        | Inline::Code { .. }
        | Inline::Image { .. }
        | Inline::FootnoteRef { .. }
        | Inline::SoftBreak
        | Inline::HardBreak
        | Inline::Html { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Footnote, ListItem};

    fn image(src: &str) -> Inline {
        Inline::Image {
            src: src.into(),
            title: None,
            alt: String::new(),
            line: 1,
        }
    }

    #[test]
    fn every_nested_inline_is_visited_in_reading_order() {
        let mut post =
            crate::read::parse_post(std::path::Path::new("t.md"), b"---\ntitle: T\n---\n", "en")
                .unwrap()
                .post;
        post.body = vec![
            Block::Paragraph {
                content: vec![Inline::Link {
                    url: "u".into(),
                    title: None,
                    bare: false,
                    content: vec![Inline::Emph {
                        content: vec![image("a")],
                    }],
                }],
            },
            Block::List {
                start: None,
                tight: true,
                items: vec![ListItem {
                    task: None,
                    body: vec![Block::Quote {
                        alert: None,
                        body: vec![Block::Table {
                            align: vec![],
                            head: vec![vec![image("b")]],
                            rows: vec![vec![vec![Inline::Redacted {
                                width: 1,
                                content: vec![image("c")],
                            }]]],
                        }],
                    }],
                }],
            },
        ];
        post.footnotes = vec![Footnote {
            label: "n".into(),
            number: 1,
            body: vec![Block::Heading {
                level: 2,
                id: None,
                content: vec![image("d")],
            }],
        }];
        let mut seen = Vec::new();
        each_inline(&post, &mut |i| {
            if let Inline::Image { src, .. } = i {
                seen.push(src.clone());
            }
        });
        assert_eq!(seen, ["a", "b", "c", "d"]);
    }
}
