//! Giving back the spare capacity a parsed post's strings and lists were
//! grown with. A build holds every post's model at once (packets, slugs
//! and the manifest need them all), so at 10,000 posts this slack is a
//! good part of the peak memory.

use super::{Block, Footnote, Inline, ListItem, Meta, Post};

/// Shrinks every `String` and `Vec` of the post to its length.
pub fn shrink(post: &mut Post) {
    post.source_sha256.shrink_to_fit();
    meta(&mut post.meta);
    blocks(&mut post.body);
    for Footnote { label, body, .. } in &mut post.footnotes {
        label.shrink_to_fit();
        blocks(body);
    }
    post.footnotes.shrink_to_fit();
}

fn meta(m: &mut Meta) {
    m.title.shrink_to_fit();
    m.slug.shrink_to_fit();
    m.lang.shrink_to_fit();
    m.tags.iter_mut().for_each(String::shrink_to_fit);
    m.tags.shrink_to_fit();
    m.authors.shrink_to_fit();
    m.extra.shrink_to_fit();
}

fn blocks(bs: &mut Vec<Block>) {
    bs.iter_mut().for_each(block);
    bs.shrink_to_fit();
}

fn block(b: &mut Block) {
    match b {
        Block::Heading { content, id, .. } => {
            inlines(content);
            if let Some(id) = id {
                id.shrink_to_fit();
            }
        }
        Block::Paragraph { content } => inlines(content),
        Block::List { items, .. } => {
            for ListItem { body, .. } in items.iter_mut() {
                blocks(body);
            }
            items.shrink_to_fit();
        }
        Block::Quote { body, .. } => blocks(body),
        Block::Code { text, .. } | Block::Html { html: text } => text.shrink_to_fit(),
        Block::Table { align, head, rows } => {
            align.shrink_to_fit();
            head.iter_mut().for_each(inlines);
            head.shrink_to_fit();
            for row in rows.iter_mut() {
                row.iter_mut().for_each(inlines);
                row.shrink_to_fit();
            }
            rows.shrink_to_fit();
        }
        Block::Rule => {}
    }
}

fn inlines(is: &mut Vec<Inline>) {
    for i in is.iter_mut() {
        match i {
            Inline::Text { text } | Inline::Code { text } | Inline::Html { html: text } => {
                text.shrink_to_fit()
            }
            Inline::Emph { content }
            | Inline::Strong { content }
            | Inline::Strike { content }
            | Inline::Redacted { content, .. } => inlines(content),
            Inline::Link { url, content, .. } => {
                url.shrink_to_fit();
                inlines(content);
            }
            Inline::Image { src, alt, .. } => {
                src.shrink_to_fit();
                alt.shrink_to_fit();
            }
            Inline::FootnoteRef { label, .. } => label.shrink_to_fit(),
            Inline::SoftBreak | Inline::HardBreak => {}
        }
    }
    is.shrink_to_fit();
}
