//! A brief's source numbers, computed once from the IR and printed by
//! every edition: the PDF's note markers, the e-mail text's `[n]` and that
//! brief's group in a packet's Sources appendix. Regression: the PDF
//! numbered its notes with Typst's footnote counter (shared with Markdown
//! footnotes), the text edition numbered links and images as it met them,
//! and the Sources appendix numbered every external address, so the
//! sample's footnote 1 (AP News) was Sources [4].
//!
//! The scheme, and why:
//! 1. Links whose text is not their address, to an external address, are
//!    numbered 1..k in reading order (the body, then the Markdown
//!    footnotes, the order the text edition prints them in). These are the
//!    numbers a reader sees next to the text (PDF note marker, text
//!    `[n]`), so they come first and run without gaps in the body.
//! 2. External addresses the text prints itself (bare URLs, a link whose
//!    text is its address, or a link with no text) follow as k+1..m: they
//!    need no marker, only a place in Sources.
//! 3. What only the text edition numbers (relative links, images) follows
//!    as m+1..: Sources lists external evidence only, and these numbers
//!    must not shift the ones above.
//!
//! An address keeps its first number wherever it recurs (the PDF repeats
//! the note by reference). Markdown footnotes are a separate series (`[^n]`
//! in the text, `†n` in the PDF), so they never shift a source's number.

use std::collections::HashMap;

use crate::ir::{Block, Footnote, Inline, Post, plain_text};
use crate::write::shared::clean::clean;

/// How a link's address is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// After the text, as a numbered note (series 1).
    Noted,
    /// By the text itself (series 2).
    Shown,
    /// Only the text edition numbers it (series 3).
    TextOnly,
}

/// One numbered address of a brief.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub number: usize,
    /// The address, cleaned (see [`key`]).
    pub url: String,
    /// The link text at its first use (empty for images).
    pub text: String,
    pub kind: Kind,
}

/// Every numbered address of a brief.
#[derive(Debug, Default)]
pub struct Sources {
    list: Vec<Source>,
    by_url: HashMap<String, usize>,
}

/// The form of an address that identifies it: cleaned of control and
/// direction characters and trimmed, as every edition prints it.
pub fn key(url: &str) -> String {
    clean(url).trim().to_string()
}

/// Whether an address leads out of the post: it has a scheme (`https:`,
/// `mailto:`), or is protocol-relative (`//host/…`).
pub fn is_external(url: &str) -> bool {
    let url = url.trim();
    url.starts_with("//") || has_scheme(url)
}

/// Whether an address starts with a URL scheme (a Windows drive letter,
/// `C:`, is not one).
pub fn has_scheme(url: &str) -> bool {
    match url.find(':') {
        Some(i) if i > 1 => {
            let scheme = &url[..i];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        _ => false,
    }
}

/// How a link prints its address, or `None` when it has none to print (an
/// anchor within the post, an empty address).
pub fn kind_of(url: &str, content: &[Inline], bare: bool) -> Option<Kind> {
    let url = key(url);
    if url.is_empty() || url.starts_with('#') {
        return None;
    }
    let shown = plain_text(content);
    let shown = shown.trim();
    let shows_itself =
        bare || shown.is_empty() || shown == url || url.strip_prefix("mailto:") == Some(shown);
    Some(if shows_itself {
        Kind::Shown
    } else if is_external(&url) {
        Kind::Noted
    } else {
        Kind::TextOnly
    })
}

impl Sources {
    /// Numbers the addresses of `post` (see the module documentation).
    pub fn of(post: &Post) -> Sources {
        Sources::of_body(&post.body, &post.footnotes)
    }

    /// [`Sources::of`] a body and its Markdown footnotes.
    pub fn of_body(body: &[Block], footnotes: &[Footnote]) -> Sources {
        let mut found: Vec<(Kind, String, String)> = Vec::new();
        blocks(body, &mut found);
        for note in footnotes {
            blocks(&note.body, &mut found);
        }
        let mut sources = Sources::default();
        for series in [Kind::Noted, Kind::Shown, Kind::TextOnly] {
            for (kind, url, text) in &found {
                // A shown address that is not external has nothing to add.
                let wanted = *kind == series && !(series == Kind::Shown && !is_external(url));
                if wanted && !sources.by_url.contains_key(url) {
                    sources.by_url.insert(url.clone(), sources.list.len());
                    sources.list.push(Source {
                        number: sources.list.len() + 1,
                        url: url.clone(),
                        text: text.clone(),
                        kind: series,
                    });
                }
            }
        }
        sources
    }

    /// The number of an address, if the brief has it.
    pub fn number(&self, url: &str) -> Option<usize> {
        self.by_url.get(&key(url)).map(|&i| i + 1)
    }

    /// The external addresses (series 1 and 2), in number order: what a
    /// packet's Sources appendix lists for this brief.
    pub fn external(&self) -> impl Iterator<Item = &Source> {
        self.list.iter().filter(|s| s.kind != Kind::TextOnly)
    }
}

fn blocks(list: &[Block], out: &mut Vec<(Kind, String, String)>) {
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

fn inlines(list: &[Inline], out: &mut Vec<(Kind, String, String)>) {
    for i in list {
        match i {
            Inline::Link {
                url, content, bare, ..
            } => {
                if let Some(kind) = kind_of(url, content, *bare) {
                    let text = crate::diag::one_line(clean(&plain_text(content)).trim());
                    out.push((kind, key(url), text));
                }
                inlines(content, out);
            }
            // Only an image at a web address gets a number: a path inside
            // the site or beside the post names nothing a reader can open.
            Inline::Image { src, .. }
                if !key(src).is_empty() && super::links::web_address(src).is_some() =>
            {
                out.push((Kind::TextOnly, key(src), String::new()));
            }
            Inline::Emph { content } | Inline::Strong { content } | Inline::Strike { content } => {
                inlines(content, out)
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(url: &str, text: &str) -> Inline {
        Inline::Link {
            url: url.into(),
            title: None,
            bare: false,
            content: vec![Inline::text(text)],
        }
    }

    fn bare(url: &str) -> Inline {
        Inline::Link {
            url: url.into(),
            title: None,
            bare: true,
            content: vec![Inline::text(url)],
        }
    }

    #[test]
    fn noted_sources_come_first_then_shown_then_text_only() {
        let body = vec![Block::Paragraph {
            content: vec![
                bare("https://bare.example/1"),
                Inline::Image {
                    src: "https://img.example/chart.png".into(),
                    title: None,
                    alt: "chart".into(),
                    line: 1,
                },
                link("https://a.example/", "A"),
                Inline::FootnoteRef {
                    label: "x".into(),
                    number: 1,
                },
                link("other.md", "local"),
                link("https://b.example/", "B"),
                link("https://a.example/", "A again"),
                link("#top", "top"),
            ],
        }];
        let footnotes = vec![Footnote {
            label: "x".into(),
            number: 1,
            body: vec![Block::Paragraph {
                content: vec![link("https://c.example/", "C")],
            }],
        }];
        let s = Sources::of_body(&body, &footnotes);
        let n = |u: &str| s.number(u);
        assert_eq!(n("https://a.example/"), Some(1));
        assert_eq!(n("https://b.example/"), Some(2));
        assert_eq!(n("https://c.example/"), Some(3));
        assert_eq!(n("https://bare.example/1"), Some(4));
        assert_eq!(n("https://img.example/chart.png"), Some(5));
        assert_eq!(n("other.md"), Some(6));
        assert_eq!(n("#top"), None);
        // An image beside the post has no address a reader can open.
        let local = Sources::of_body(
            &[Block::Paragraph {
                content: vec![Inline::Image {
                    src: "chart.png".into(),
                    title: None,
                    alt: "chart".into(),
                    line: 1,
                }],
            }],
            &[],
        );
        assert_eq!(local.number("chart.png"), None);
        let external: Vec<usize> = s.external().map(|s| s.number).collect();
        assert_eq!(external, vec![1, 2, 3, 4]);
        // The same address written with a direction override is the same
        // source.
        assert_eq!(n("https://a.example/\u{202e}"), Some(1));
    }
}
