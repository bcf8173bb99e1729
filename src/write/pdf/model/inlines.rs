//! Inline content of the PDF data: text (long words and hyphenated
//! compounds boxed), emphasis, code, links (clickable? address printed as
//! a note, in parentheses, or as the link text?) and Markdown footnotes.

use serde_json::{Value, json};

use super::{Converter, MAX_LINK_URL, MAX_PRINTED_URL};
use crate::config::LinkStyle;
use crate::ir::script::{has_cjk_run, has_hangul};
use crate::ir::{Inline, plain_text};
use crate::write::shared::breaking::{
    BODY, WordLimit, address_parts, cut_word, has_inner_hyphen, has_inner_plus, shorten_chars,
    word_parts,
};
use crate::write::shared::clean::clean;
use crate::write::shared::links::{Target, link_target};
use crate::write::shared::notes::{self, Kind, has_scheme};

impl Converter<'_> {
    pub(super) fn inlines(&mut self, inlines: &[Inline]) -> Vec<Value> {
        let mut out = Vec::new();
        let mut rest = inlines.iter().peekable();
        let mut prev: Option<&Inline> = None;
        while let Some(inline) = rest.next() {
            let joins = matches!(inline, Inline::SoftBreak)
                && crate::ir::script::joins_lines(prev, rest.peek().copied());
            prev = Some(inline);
            if !joins {
                self.inline(inline, &mut out);
            }
            // A link whose address prints after it (note marker or
            // parenthesis) and that ends inside a word
            // (`[Ca](https://x.org)se`): the rest of the word joins the
            // link text, so the marker does not cut "Case" in two.
            let Some(Value::Object(link)) = out.last_mut() else {
                continue;
            };
            let is = |key: &str| link.get(key).is_some_and(|v| !v.is_null());
            let prints_address = is("note") || is("inline");
            if link.get("k").and_then(Value::as_str) != Some("link") || !prints_address {
                continue;
            }
            let Some(Inline::Text { text }) = rest.peek() else {
                continue;
            };
            let text = clean(text);
            let word_end = crate::ir::word_rest_len(&text);
            if word_end == 0 {
                continue;
            }
            if let Some(Value::Array(body)) = link.get_mut("body") {
                push_text(&text[..word_end], body, self.limit);
                rest.next();
                push_text(&text[word_end..], &mut out, self.limit);
            }
        }
        out
    }

    pub(super) fn inline(&mut self, inline: &Inline, out: &mut Vec<Value>) {
        match inline {
            Inline::Text { text } => push_text(&clean(text), out, self.limit),
            Inline::Emph { content } | Inline::Strong { content } | Inline::Strike { content }
                if self.too_deep() =>
            {
                for c in content {
                    self.inline(c, out);
                }
            }
            Inline::Emph { content } => {
                out.push(json!({"k": "emph", "body": self.nested(|cx| cx.inlines(content))}))
            }
            Inline::Strong { content } => {
                out.push(json!({"k": "strong", "body": self.nested(|cx| cx.inlines(content))}))
            }
            Inline::Strike { content } => {
                out.push(json!({"k": "strike", "body": self.nested(|cx| cx.inlines(content))}))
            }
            Inline::Code { text } => {
                out.push(json!({"k": "icode", "parts": word_parts(&clean(text), self.limit)}))
            }
            Inline::Link {
                url, content, bare, ..
            } => {
                let link = self.link(url, content, *bare);
                out.push(link);
            }
            Inline::Image {
                src,
                title,
                alt,
                line,
            } => {
                let img = self.image(src, title.as_deref(), alt, *line);
                out.push(img);
            }
            Inline::FootnoteRef { number, .. } => {
                // Too deep: print the number only; the note's text goes to
                // the notes at the end (it stays out of `used_notes`).
                // Past the footnote budget (see `budget`), likewise: a
                // Markdown footnote costs Typst what a source's note does.
                let deep = self.notes.contains_key(number)
                    && !self.used_notes.contains(number)
                    && (self.endnotes || self.too_deep());
                if deep {
                    out.push(json!({"k": "fn", "n": number, "first": false, "known": false, "body": null}));
                    return;
                }
                let first = self.used_notes.insert(*number);
                let body = match (first, self.notes.get(number).copied()) {
                    (true, Some(blocks)) => {
                        // The note prints at the foot of the page, not in
                        // the table cell that may cite it.
                        let was = std::mem::replace(&mut self.in_note, true);
                        let limit = std::mem::replace(&mut self.limit, BODY);
                        let body = self.nested(|cx| cx.blocks(blocks, false));
                        self.in_note = was;
                        self.limit = limit;
                        Value::Array(body)
                    }
                    _ => Value::Null,
                };
                let known = self.notes.contains_key(number);
                let label = format!("{}fn-{number}", self.opts.note_prefix);
                out.push(json!({"k": "fn", "n": number, "label": label, "first": first, "known": known, "body": body}));
            }
            Inline::SoftBreak => out.push(json!({"k": "t", "s": " "})),
            Inline::HardBreak => out.push(json!({"k": "br"})),
            Inline::Redacted { width, .. } => push_bars(*width, out),
            Inline::Html { html } => {
                let lower = html.trim().to_ascii_lowercase();
                if lower.starts_with("<br") {
                    out.push(json!({"k": "br"}));
                } else {
                    push_text(
                        &clean(&crate::write::shared::html_text::inline_to_text(html)),
                        out,
                        self.limit,
                    );
                }
            }
        }
    }

    pub(super) fn link(&mut self, url: &str, content: &[Inline], bare: bool) -> Value {
        let url = clean(url).trim().to_string();
        let body = self.nested(|cx| cx.inlines(content));
        if url.starts_with('#') || url.is_empty() {
            // In-page anchors: the text alone reads fine on paper.
            return json!({"k": "span", "body": body});
        }
        // The one link policy (`shared::links`): only the web and e-mail,
        // with a valid host, become active; `javascript:`, `file:` and the
        // rest print as text.
        // The address made active is the policy's cleaned one, as in the
        // EPUB. Regression: `//example.org` was made a link to
        // "//example.org", which no PDF viewer can open.
        let clickable = match link_target(&url, None) {
            Target::External(cleaned) if cleaned.len() <= MAX_LINK_URL => Some(cleaned),
            Target::Refused if has_scheme(&url) => {
                self.refused_links.insert(url.clone());
                None
            }
            _ => None,
        };
        let printed = if url.chars().count() > MAX_PRINTED_URL {
            format!(
                "{}… ({} characters)",
                shorten_chars(&url, MAX_PRINTED_URL),
                url.chars().count()
            )
        } else {
            url.clone()
        };
        // One rule for every edition (see `shared::notes`): only a link
        // whose text is not its address, to an address outside the post,
        // gets a note.
        let kind = notes::kind_of(&url, content, bare);
        let text_is_url = kind == Some(Kind::Shown);
        let style = if self.in_note && self.opts.links == LinkStyle::Footnote {
            LinkStyle::Inline
        } else {
            self.opts.links
        };
        let (note, inline) = match style {
            _ if kind != Some(Kind::Noted) => (None, None),
            LinkStyle::Footnote if self.endnotes => (None, None),
            LinkStyle::Footnote => (Some(printed), None),
            LinkStyle::Inline => (None, Some(printed)),
            LinkStyle::None => (None, None),
        };
        // A link that shows its own address: printed in parts that break
        // like an address (see `address_parts`), not like words.
        let shown = plain_text(content);
        let body = if body.is_empty() || shown.trim().is_empty() {
            vec![json!({"k": "w", "parts": address_parts(&url, self.limit)})]
        } else if text_is_url
            && shown.trim() == shown
            && has_scheme(&shown)
            && shown.chars().count() <= MAX_PRINTED_URL
        {
            vec![json!({"k": "w", "parts": address_parts(&clean(&shown), self.limit)})]
        } else {
            body
        };
        // The note carries the source's number, the same in the text
        // edition and the packet's Sources; an address noted before is
        // referred to by its label, so it keeps its number.
        let number = note.as_ref().and_then(|_| self.sources.number(&url));
        let first = number.is_some_and(|n| self.emitted_sources.insert(n));
        let endnote = (self.endnotes && kind == Some(Kind::Noted) && style == LinkStyle::Footnote)
            .then(|| self.sources.number(&url))
            .flatten();
        let mut link = json!({
            "k": "link",
            "url": clickable,
            "body": body,
            // A note's address starts its own line at 8 pt, where about
            // 110 characters fit: shorter ones need no break (one box).
            "note": note.map(|n| if n.chars().count() <= 90 { vec![n] } else { address_parts(&n, BODY) }),
            "inline": inline.map(|n| address_parts(&n, self.limit)),
        });
        if let Some(n) = endnote {
            link["endnote"] = json!(n);
        }
        if let Some(n) = number {
            link["num"] = json!(n);
            link["first"] = json!(first);
            link["label"] = json!(format!("{}src-{n}", self.opts.note_prefix));
        }
        link
    }
}

/// Text (a title, a summary) as the body's text nodes: see `push_text`.
///
/// Pushes text, cutting words too long for a line into parts the template
/// sets as separate boxes (so the line may break between them without any
/// character being added to the text). Only the long word is boxed: the
/// text around it stays plain text, so it wraps and justifies as usual.
/// Regression: the text before a long word was one box, which wrapped
/// inside itself and left the long word on a line of its own.
///
/// A hyphenated compound ("theme-gem") is kept whole in one box too: Typst
/// would break it after the hyphen, and `pdftotext`, search and copying
/// take a hyphen at a line end for a hyphenation and read "themegem".
///
/// Chinese and Japanese are never boxed: Typst breaks them between
/// characters with the kinsoku rules of the document's `lang`, and
/// justifies them. Regression: a CJK run was a "long word" cut into
/// 20-character boxes, which gave lines with huge gaps, letter-spaced
/// lines and lines cut short. A Korean word is one box (keep-all: Typst
/// breaks Hangul between any two syllables, typst/typst#1164) unless it
/// is too long for a line.
pub(super) fn text_nodes(text: &str) -> Vec<Value> {
    let mut out = Vec::new();
    push_text(text, &mut out, BODY);
    out
}

/// For `bench/korean_keep_all.py` only, never for users: a Korean word's
/// syllables joined by U+2060 WORD JOINER in plain text instead of one
/// box, to measure the other way of keeping it whole (docs/languages.md).
/// Set once by `main` from `BRIEF_BENCH_KOREAN_JOINER=1`; part of every
/// PDF's cache key.
pub static KOREAN_WORD_JOINER: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

fn joined(word: &str) -> String {
    let mut out = String::with_capacity(word.len() * 2);
    for (i, c) in word.chars().enumerate() {
        if i > 0 {
            out.push('\u{2060}');
        }
        out.push(c);
    }
    out
}

fn push_text(text: &str, out: &mut Vec<Value>, limit: WordLimit) {
    let mut plain = String::new();
    for piece in text.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end();
        let keep = keep_whole(word, limit);
        if keep == Keep::Plain {
            plain.push_str(piece);
            continue;
        }
        if keep == Keep::Whole
            && !has_inner_hyphen(word)
            && !has_inner_plus(word)
            && KOREAN_WORD_JOINER.load(std::sync::atomic::Ordering::Relaxed)
        {
            plain.push_str(&joined(word));
            plain.push_str(&piece[word.len()..]);
            continue;
        }
        if !plain.is_empty() {
            out.push(json!({"k": "t", "s": std::mem::take(&mut plain)}));
        }
        let parts = if keep == Keep::Cut {
            word_parts(word, limit)
        } else {
            vec![word.to_string()]
        };
        out.push(json!({"k": "w", "parts": parts}));
        plain.push_str(&piece[word.len()..]);
    }
    if !plain.is_empty() {
        out.push(json!({"k": "t", "s": plain}));
    }
}

#[derive(PartialEq)]
enum Keep {
    /// Left to Typst's line breaking.
    Plain,
    /// Set whole in one box.
    Whole,
    /// Too long for a line: cut into boxed parts.
    Cut,
}

/// How the PDF sets one word of body text (see `push_text`).
fn keep_whole(word: &str, limit: WordLimit) -> Keep {
    if has_cjk_run(word) {
        return Keep::Plain;
    }
    if cut_word(word, limit) {
        return Keep::Cut;
    }
    if has_hangul(word) || has_inner_hyphen(word) || has_inner_plus(word) {
        return Keep::Whole;
    }
    Keep::Plain
}

/// A redaction as solid bars about as wide as the text was: one bar per
/// dozen characters with a space between, so a long redaction can still
/// break across lines. Only the width is given; the text never was.
fn push_bars(width: usize, out: &mut Vec<Value>) {
    const CHUNK: usize = 12;
    let mut left = width.max(1);
    while left > 0 {
        let w = left.min(CHUNK);
        out.push(json!({"k": "redact", "w": w}));
        left -= w;
        if left > 0 {
            out.push(json!({"k": "t", "s": " "}));
        }
    }
}
