//! The document model every edition is written from.
//!
//! A [`Post`] is read and parsed once (by `source` and `markdown`) and then
//! shared, read-only, by all writers across threads. It is plain owned data:
//! no I/O, no references into the source text, `Send + Sync + Serialize`, so
//! `brief dump-ir` can print it and snapshot tests can pin it.

pub mod compact;
pub mod names;
pub mod redact;
pub mod script;
pub mod walk;
pub use names::{hex, is_language_tag, safe_slug};

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;
use std::path::PathBuf;

/// One brief: where it came from, its front matter, and its body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Post {
    /// Path of the source file as the user named it (relative to the working
    /// folder when it was found by walking `content/`). Used in diagnostics
    /// only; never written into an output unless a writer says so.
    pub source: PathBuf,
    /// SHA-256 of the source file's bytes, lowercase hex.
    pub source_sha256: String,
    pub meta: Meta,
    pub body: Vec<Block>,
    /// Footnote definitions in the order of their first reference; notes
    /// that are defined but never referenced follow, so no text is lost.
    pub footnotes: Vec<Footnote>,
}

/// Front matter, normalised. Unknown keys are kept in `extra`, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meta {
    pub title: String,
    /// Safe as a file name: no separators, no `..`, no leading dot, no
    /// control characters (see `ir::safe_slug`).
    pub slug: String,
    pub date: Option<PostDate>,
    /// BCP 47 language tag, e.g. `en`, `ko`, `pt-BR`. Defaults to the
    /// project's language (`en` when unset).
    pub lang: String,
    pub authors: Vec<Author>,
    pub tags: Vec<String>,
    pub summary: Option<String>,
    pub subtitle: Option<String>,
    /// A protective marking (`marking: For official use`), printed in every
    /// edition: top and bottom of each PDF page, the EPUB's title page and
    /// chapter heads, the first and last line of the text edition.
    pub marking: Option<String>,
    pub draft: bool,
    /// Every other front-matter key, in source order, as data. Never
    /// interpreted as settings of any writer.
    pub extra: Vec<(String, serde_json::Value)>,
}

/// A post's date: always a calendar day; a time and offset when given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostDate {
    pub day: NaiveDate,
    pub datetime: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Author {
    pub name: String,
    pub email: Option<String>,
    /// What the person did (`role:` in front matter: "author", "editor",
    /// "translator", … or a MARC relator code); `None` is the author.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// A footnote definition. `number` is the 1-based number readers see.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Footnote {
    pub label: String,
    pub number: usize,
    pub body: Vec<Block>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// `level` is the author's level (1–6). Writers shift or clamp it to
    /// fit their own outline.
    Heading {
        level: u8,
        id: Option<String>,
        content: Vec<Inline>,
    },
    Paragraph {
        content: Vec<Inline>,
    },
    List {
        /// `Some(n)` for an ordered list starting at `n`.
        start: Option<u64>,
        tight: bool,
        items: Vec<ListItem>,
    },
    Quote {
        /// GitHub alert kind (`note`, `warning`, …) when the quote is one.
        alert: Option<String>,
        body: Vec<Block>,
    },
    Code {
        lang: Option<String>,
        text: String,
    },
    Table {
        align: Vec<Align>,
        head: Vec<Vec<Inline>>,
        /// Rows may be ragged in the source; the parser pads them to the
        /// header's width so writers can rely on rectangular tables.
        rows: Vec<Vec<Vec<Inline>>>,
    },
    Rule,
    /// Raw HTML exactly as written. Writers must never pass it through:
    /// they show its text or drop it by a written rule.
    Html {
        html: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListItem {
    /// `Some(checked)` for a task list item.
    pub task: Option<bool>,
    pub body: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Inline {
    Text {
        text: String,
    },
    Emph {
        content: Vec<Inline>,
    },
    Strong {
        content: Vec<Inline>,
    },
    Strike {
        content: Vec<Inline>,
    },
    Code {
        text: String,
    },
    Link {
        url: String,
        title: Option<String>,
        /// True when the visible text is the address itself (`<https://…>`
        /// or a bare URL in the text): writers print it once, not twice.
        bare: bool,
        content: Vec<Inline>,
    },
    Image {
        src: String,
        title: Option<String>,
        alt: String,
        /// 1-based line of the image in the source file, for diagnostics.
        line: usize,
    },
    FootnoteRef {
        label: String,
        number: usize,
    },
    SoftBreak,
    HardBreak,
    /// Inline raw HTML exactly as written (see [`Block::Html`]).
    Html {
        html: String,
    },
    /// Text the author marked `[[redact: …]]`. As read, `content` is what
    /// the marker encloses; before any writer sees the post, `ir::redact`
    /// either puts the content in its place (an unredacted build) or
    /// empties it (a redacted build). Writers therefore draw a bar about
    /// `width` characters wide from `width` alone and never read `content`.
    Redacted {
        width: usize,
        content: Vec<Inline>,
    },
}

impl Inline {
    pub fn text(s: impl Into<String>) -> Inline {
        Inline::Text { text: s.into() }
    }
}

/// Where the word a preceding inline ends inside stops in `text` (0 when
/// `text` starts a new word): the writers put a link's marker or address
/// after `text[..n]`, so `[Ca](url)se` keeps the word "Case" whole.
pub fn word_rest_len(text: &str) -> usize {
    text.find(|c: char| !c.is_alphanumeric())
        .unwrap_or(text.len())
}

/// The plain text of inlines, as a reader would see it (no markup, link
/// addresses omitted, image alt text kept). Used for titles, alt text,
/// heading ids and word-survival checks.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain_text(inlines, &mut out);
    out
}

fn push_plain_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text { text } | Inline::Code { text } | Inline::Html { html: text } => {
                out.push_str(text)
            }
            Inline::Emph { content }
            | Inline::Strong { content }
            | Inline::Strike { content }
            | Inline::Link { content, .. } => push_plain_text(content, out),
            Inline::Image { alt, .. } => out.push_str(alt),
            Inline::FootnoteRef { number, .. } => out.push_str(&format!("[{number}]")),
            Inline::SoftBreak | Inline::HardBreak => out.push(' '),
            // As read (a title taken from a heading keeps its marker for
            // `ir::redact` to resolve); once resolved, the bar.
            Inline::Redacted { content, .. } if !content.is_empty() => {
                out.push_str(redact::OPEN);
                out.push(' ');
                push_plain_text(content, out);
                out.push_str(redact::CLOSE);
            }
            Inline::Redacted { .. } => out.push_str(redact::BAR),
        }
    }
}
