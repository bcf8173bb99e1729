//! Redaction, resolved: the one place that decides what a `[[redact: …]]`
//! marker becomes. A post is read with its markers kept (inline ones as
//! [`Inline::Redacted`] nodes, those in front-matter values, alt text and
//! titles as the literal marker in the string, both checked well-formed by
//! `read::redaction`). Before any writer sees it, [`apply`] turns it into
//! either the revealed post (the marker gone, its text in place) or the
//! hidden one (the text gone for good, an empty node or [`BAR`] in its
//! place). Writers only ever get one of those two, so a writer cannot leak
//! what it was never given.

use super::{Block, Footnote, Inline, ListItem, Meta, Post};
use serde_json::Value;

/// How a marker starts; its content follows, then [`CLOSE`].
pub const OPEN: &str = "[[redact:";
pub const CLOSE: &str = "]]";
/// What the text editions print in place of redacted text (its length is
/// not told: every redaction is five blocks).
pub const BAR: &str = "█████";
/// [`BAR`] where only 7-bit text is safe (mail headers such as Subject).
pub const BAR_7BIT: &str = "[redacted]";

/// What a build does with the post's markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// The marked text is printed, without the marker.
    Reveal,
    /// The marked text is replaced; it reaches no byte of any output.
    Hide,
}

/// Where the first marker in `s` is: the byte range of the whole marker and
/// of its content (one space after the colon is part of the marker). `None`
/// when `s` has no opening marker; `Some(Err(at))` when the marker opened at
/// byte `at` is not closed.
pub fn find(s: &str) -> Option<Result<Marker, usize>> {
    let start = s.find(OPEN)?;
    let mut content = start + OPEN.len();
    if s[content..].starts_with(' ') {
        content += 1;
    }
    Some(match s[content..].find(CLOSE) {
        Some(len) => Ok(Marker {
            start,
            content: content..content + len,
            end: content + len + CLOSE.len(),
        }),
        None => Err(start),
    })
}

/// One marker found in a string by [`find`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub start: usize,
    pub content: std::ops::Range<usize>,
    pub end: usize,
}

/// Whether `s` holds anything that looks like a marker, in any case: such
/// text where no marker may be (code, raw HTML, an address) is an error.
pub fn looks_marked(s: &str) -> bool {
    marked_at(s).is_some()
}

/// Where [`looks_marked`] finds its first marker-like text (a byte offset).
pub fn marked_at(s: &str) -> Option<usize> {
    s.to_ascii_lowercase().find("[[redact")
}

/// `s` with each marker resolved. A marker left unclosed (the reader
/// refuses those) hides everything after it rather than leak it.
pub fn apply_str(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(found) = find(rest) {
        match found {
            Ok(m) => {
                out.push_str(&rest[..m.start]);
                match mode {
                    Mode::Reveal => out.push_str(&rest[m.content.clone()]),
                    Mode::Hide => out.push_str(BAR),
                }
                rest = &rest[m.end..];
            }
            Err(at) => {
                out.push_str(&rest[..at]);
                out.push_str(BAR);
                return out;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `s` for a 7-bit context: [`BAR`] as [`BAR_7BIT`].
pub fn seven_bit(s: &str) -> String {
    s.replace(BAR, BAR_7BIT)
}

/// Whether the post has anything to redact: a marker in any string of it
/// or a redacted node anywhere. Read from the post's JSON, so that no
/// field (present or added later) escapes the check; streamed through
/// [`MarkerScan`], which stops at the first find, instead of building the
/// JSON string (this runs for every post of every build, no-ops included).
pub fn has_redactions(post: &Post) -> bool {
    use std::io::Write;
    let mut scan = MarkerScan::default();
    // Buffered, so the scan sees pages of JSON, not its every fragment.
    // The scan's "found" is the only error it raises; a serializer error
    // of its own (none is expected of the IR) counts as found, so a post
    // that cannot be checked is resolved, never passed on as it is.
    let mut sink = std::io::BufWriter::with_capacity(16 * 1024, &mut scan);
    let failed = serde_json::to_writer(&mut sink, post).is_err() || sink.flush().is_err();
    drop(sink);
    failed || scan.found
}

/// An `io::Write` sink that looks for [`OPEN`] or a redacted node's kind in
/// what is written to it, across write boundaries.
#[derive(Default)]
struct MarkerScan {
    /// The last bytes written, shorter than the longest pattern.
    tail: Vec<u8>,
    found: bool,
}

impl MarkerScan {
    const PATTERNS: [&'static [u8]; 2] = [OPEN.as_bytes(), b"\"kind\":\"redacted\""];
    const KEEP: usize = 16; // the longest pattern's length, less one
}

impl std::io::Write for MarkerScan {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tail.extend_from_slice(buf);
        let hit = Self::PATTERNS
            .iter()
            .any(|p| self.tail.windows(p.len()).any(|w| w == *p));
        if hit {
            self.found = true;
            return Err(std::io::Error::other("marker found"));
        }
        let cut = self.tail.len().saturating_sub(Self::KEEP);
        self.tail.drain(..cut);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// [`apply`] to a post the caller gives up: one with nothing to redact is
/// returned as it is (moved, not copied: copying every model at once would
/// double a build's peak memory).
pub fn resolve(post: Post, mode: Mode) -> Post {
    if has_redactions(&post) {
        apply(&post, mode)
    } else {
        post
    }
}

/// The post as a build in `mode` may show it. A hidden post that had
/// something to hide also gets a new `source_sha256`: the SHA-256 of its
/// hidden form, so no digest printed or stored (the Integrity page, the
/// manifest, cache keys) is one of the source that holds the hidden text,
/// which would let anyone with a guess confirm it.
pub fn apply(post: &Post, mode: Mode) -> Post {
    let mut out = Post {
        source: post.source.clone(),
        source_sha256: post.source_sha256.clone(),
        meta: meta(&post.meta, mode),
        body: blocks(&post.body, mode),
        footnotes: post
            .footnotes
            .iter()
            .map(|f| Footnote {
                label: f.label.clone(),
                number: f.number,
                body: blocks(&f.body, mode),
            })
            .collect(),
    };
    if mode == Mode::Hide && has_redactions(post) {
        use sha2::Digest;
        out.source_sha256 = String::new();
        let hidden = serde_json::to_vec(&out).unwrap_or_default();
        let mut hasher = sha2::Sha256::new();
        hasher.update(b"brief redacted post\n");
        hasher.update(&hidden);
        out.source_sha256 = super::hex(&hasher.finalize());
    }
    out
}

fn meta(m: &Meta, mode: Mode) -> Meta {
    let s = |v: &str| apply_str(v, mode);
    Meta {
        title: s(&m.title),
        slug: m.slug.clone(),
        date: m.date.clone(),
        lang: m.lang.clone(),
        authors: m
            .authors
            .iter()
            .map(|a| super::Author {
                name: s(&a.name),
                email: a.email.as_deref().map(s),
                role: a.role.clone(),
            })
            .collect(),
        tags: m.tags.iter().map(|t| s(t)).collect(),
        summary: m.summary.as_deref().map(s),
        subtitle: m.subtitle.as_deref().map(s),
        marking: m.marking.as_deref().map(s),
        draft: m.draft,
        extra: m
            .extra
            .iter()
            .map(|(k, v)| (s(k), value(v, mode)))
            .collect(),
    }
}

fn value(v: &Value, mode: Mode) -> Value {
    match v {
        Value::String(t) => Value::String(apply_str(t, mode)),
        Value::Array(items) => Value::Array(items.iter().map(|i| value(i, mode)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (apply_str(k, mode), value(v, mode)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn blocks(bs: &[Block], mode: Mode) -> Vec<Block> {
    bs.iter().map(|b| block(b, mode)).collect()
}

fn block(b: &Block, mode: Mode) -> Block {
    match b {
        Block::Heading { level, id, content } => Block::Heading {
            level: *level,
            id: id.clone(),
            content: inlines(content, mode),
        },
        Block::Paragraph { content } => Block::Paragraph {
            content: inlines(content, mode),
        },
        Block::List {
            start,
            tight,
            items,
        } => Block::List {
            start: *start,
            tight: *tight,
            items: items
                .iter()
                .map(|i| ListItem {
                    task: i.task,
                    body: blocks(&i.body, mode),
                })
                .collect(),
        },
        Block::Quote { alert, body } => Block::Quote {
            alert: alert.clone(),
            body: blocks(body, mode),
        },
        Block::Table { align, head, rows } => Block::Table {
            align: align.clone(),
            head: head.iter().map(|c| inlines(c, mode)).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| inlines(c, mode)).collect())
                .collect(),
        },
        // The reader refuses markers in code and raw HTML.
        Block::Code { .. } | Block::Rule | Block::Html { .. } => b.clone(),
    }
}

fn inlines(is: &[Inline], mode: Mode) -> Vec<Inline> {
    let mut out = Vec::with_capacity(is.len());
    for i in is {
        push_inline(i, mode, &mut out);
    }
    out
}

fn push_inline(i: &Inline, mode: Mode, out: &mut Vec<Inline>) {
    let pushed = match i {
        Inline::Redacted { width, content } => match mode {
            Mode::Reveal => {
                for c in content {
                    push_inline(c, mode, out);
                }
                return;
            }
            Mode::Hide => Inline::Redacted {
                width: *width,
                content: Vec::new(),
            },
        },
        Inline::Emph { content } => Inline::Emph {
            content: inlines(content, mode),
        },
        Inline::Strong { content } => Inline::Strong {
            content: inlines(content, mode),
        },
        Inline::Strike { content } => Inline::Strike {
            content: inlines(content, mode),
        },
        Inline::Link {
            url,
            title,
            bare,
            content,
        } => Inline::Link {
            url: url.clone(),
            title: title.as_deref().map(|t| apply_str(t, mode)),
            bare: *bare,
            content: inlines(content, mode),
        },
        Inline::Image {
            src,
            title,
            alt,
            line,
        } => Inline::Image {
            src: src.clone(),
            title: title.as_deref().map(|t| apply_str(t, mode)),
            alt: apply_str(alt, mode),
            line: *line,
        },
        other => other.clone(),
    };
    // Text revealed next to text is merged, as the reader merges it, so a
    // revealed post is the post as if it had no markers.
    if let (Some(Inline::Text { text: last }), Inline::Text { text }) = (out.last_mut(), &pushed) {
        last.push_str(text);
        return;
    }
    out.push(pushed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_revealed_or_hidden() {
        let s = "Met [[redact: Jane Doe]] and [[redact:X]].";
        assert_eq!(apply_str(s, Mode::Reveal), "Met Jane Doe and X.");
        assert_eq!(apply_str(s, Mode::Hide), format!("Met {BAR} and {BAR}."));
        assert_eq!(
            apply_str("a [[redact: open", Mode::Hide),
            format!("a {BAR}")
        );
        assert_eq!(
            seven_bit(&apply_str(s, Mode::Hide)),
            "Met [redacted] and [redacted]."
        );
    }

    #[test]
    fn the_scan_finds_a_marker_split_between_writes() {
        use std::io::Write;
        for pattern in MarkerScan::PATTERNS {
            for cut in 1..pattern.len() {
                let mut scan = MarkerScan::default();
                let filler = vec![b'x'; 40];
                assert!(scan.write(&filler).is_ok());
                assert!(scan.write(&pattern[..cut]).is_ok());
                assert!(scan.write(&pattern[cut..]).is_err(), "cut at {cut}");
                assert!(scan.found);
            }
        }
        let mut clean = MarkerScan::default();
        assert!(clean.write(b"[[redact").is_ok());
        assert!(clean.write(b" not a marker]]").is_ok());
        assert!(!clean.found);
    }

    #[test]
    fn a_post_with_a_marker_past_the_first_page_of_json_has_redactions() {
        // The marker lies beyond the scan's 16 KiB buffer.
        let long = "a".repeat(40_000);
        let md = format!("---\ntitle: T\n---\n\n{long}\n\nMet [[redact: Jane]].\n");
        let read = |md: &str| {
            crate::read::parse_post(std::path::Path::new("p.md"), md.as_bytes(), "en")
                .expect("parses")
                .post
        };
        assert!(has_redactions(&read(&md)));
        assert!(!has_redactions(&read(&format!(
            "---\ntitle: T\n---\n\n{long}\n"
        ))));
    }

    #[test]
    fn a_hidden_node_keeps_only_its_width() {
        let node = Inline::Redacted {
            width: 8,
            content: vec![Inline::text("Jane Doe")],
        };
        let mut out = vec![Inline::text("a ")];
        push_inline(&node, Mode::Hide, &mut out);
        assert_eq!(
            out[1],
            Inline::Redacted {
                width: 8,
                content: vec![]
            }
        );
        let mut out = vec![Inline::text("a ")];
        push_inline(&node, Mode::Reveal, &mut out);
        assert_eq!(out, vec![Inline::text("a Jane Doe")]);
    }
}
