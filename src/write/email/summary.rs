//! The summary edition: what a busy reader needs from a brief in one
//! screen of e-mail — title, date, summary, the key points (the section
//! headings) and a link to the full brief. Pure: post and settings in,
//! lines (marked soft/hard as in `text::render_lines`) out.
//!
//! The summary is the front matter's `summary` (or `description`,
//! `excerpt`); without one, the first paragraph, cut at a sentence end
//! near [`SUMMARY_CHARS`] characters.

use crate::diag::Diagnostic;
use crate::ir::{Block, Inline, Post};
use crate::read::dates;
use crate::write::shared::html_text;
use crate::write::shared::wrap::{width, wrap, wrap_marked};

/// About how long a summary taken from the first paragraph may be.
pub const SUMMARY_CHARS: usize = 600;
/// At most this many key points.
const MAX_POINTS: usize = 12;

/// The summary lines, and a warning when there is no link to the full
/// brief (no `project.base_url`).
pub fn render_lines(
    post: &Post,
    max: usize,
    base_url: Option<&str>,
) -> (Vec<(String, bool)>, Vec<Diagnostic>) {
    let meta = &post.meta;
    let lang = meta.lang.as_str();
    let mut warnings = Vec::new();
    let mut out: Vec<(String, bool)> = Vec::new();
    let hard = |lines: Vec<String>| lines.into_iter().map(|l| (l, false)).collect::<Vec<_>>();

    let title = wrap(&one_line(&meta.title), max, "", "");
    let rule = title.iter().map(|l| width(l)).max().unwrap_or(0).max(3);
    out.extend(hard(title));
    out.push(("=".repeat(rule), false));
    if let Some(date) = &meta.date {
        out.push((dates::written(date.day, lang), false));
    }

    let summary = match &meta.summary {
        Some(s) => one_line(s),
        None => first_paragraph(&post.body)
            .map(|p| cut_at_sentence(&p, SUMMARY_CHARS))
            .unwrap_or_default(),
    };
    if !summary.is_empty() {
        out.push((String::new(), false));
        out.extend(wrap_marked(&summary, max, "", ""));
    }

    let points = key_points(&post.body);
    if !points.is_empty() {
        out.push((String::new(), false));
        out.push((label(lang, Label::KeyPoints), false));
        out.push((String::new(), false));
        for point in points {
            out.extend(hard(wrap(&point, max, "- ", "  ")));
        }
    }

    match base_url {
        Some(base) => {
            out.push((String::new(), false));
            out.push((label(lang, Label::ReadFull), false));
            // Addresses are never wrapped: a broken URL is a dead link.
            out.push((full_brief_url(base, &meta.slug), false));
        }
        None => warnings.push(
            Diagnostic::warning("summary e-mail has no \"read the full brief\" link")
                .in_file(&post.source)
                .with_hint("set project.base_url in brief.toml"),
        ),
    }
    (out, warnings)
}

/// `base_url` + slug, the slug percent-encoded where a URL needs it.
pub fn full_brief_url(base: &str, slug: &str) -> String {
    let mut url = base.trim_end_matches('/').to_string();
    url.push('/');
    for b in slug.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

enum Label {
    KeyPoints,
    ReadFull,
}

fn label(lang: &str, which: Label) -> String {
    let primary = lang.split('-').next().unwrap_or("").to_ascii_lowercase();
    match (primary.as_str(), which) {
        ("ko", Label::KeyPoints) => "요점",
        ("ko", Label::ReadFull) => "전체 브리프 읽기:",
        ("ja", Label::KeyPoints) => "要点",
        ("ja", Label::ReadFull) => "全文を読む:",
        ("zh", Label::KeyPoints) => "要点",
        ("zh", Label::ReadFull) => "阅读全文:",
        (_, Label::KeyPoints) => "Key points",
        (_, Label::ReadFull) => "Read the full brief:",
    }
    .to_string()
}

/// The text of the first paragraph (outside lists, quotes and code).
fn first_paragraph(blocks: &[Block]) -> Option<String> {
    blocks.iter().find_map(|b| match b {
        Block::Paragraph { content } => Some(one_line(&plain(content))).filter(|t| !t.is_empty()),
        _ => None,
    })
}

/// The section headings: those of the post's top heading level, or of the
/// next level when the top level holds a single heading (a title).
fn key_points(blocks: &[Block]) -> Vec<String> {
    let headings: Vec<(u8, String)> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, content, .. } => Some((*level, one_line(&plain(content)))),
            _ => None,
        })
        .filter(|(_, t)| !t.is_empty())
        .collect();
    let Some(top) = headings.iter().map(|(l, _)| *l).min() else {
        return Vec::new();
    };
    let at = |level: u8| {
        headings
            .iter()
            .filter(|(l, _)| *l == level)
            .map(|(_, t)| t.clone())
            .collect::<Vec<_>>()
    };
    let mut points = at(top);
    if points.len() == 1 {
        let next = headings.iter().map(|(l, _)| *l).filter(|l| *l > top).min();
        if let Some(next) = next {
            points = at(next);
        }
    }
    points.truncate(MAX_POINTS);
    points
}

/// Inline content as plain words: no emphasis marks, no reference numbers.
fn plain(inlines: &[Inline]) -> String {
    let mut s = String::new();
    for inline in inlines {
        match inline {
            Inline::Text { text } | Inline::Code { text } => s.push_str(text),
            Inline::Emph { content } | Inline::Strong { content } | Inline::Strike { content } => {
                s.push_str(&plain(content))
            }
            Inline::Link { content, url, .. } => {
                let shown = plain(content);
                s.push_str(if shown.trim().is_empty() { url } else { &shown });
            }
            Inline::Image { alt, .. } => s.push_str(alt),
            Inline::FootnoteRef { .. } => {}
            Inline::SoftBreak | Inline::HardBreak => s.push(' '),
            Inline::Html { html } => s.push_str(&html_text::inline_to_text(html)),
        }
    }
    s
}

/// Whitespace and control characters collapsed to single spaces.
fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` when it is short; otherwise cut after the last sentence that
/// ends within `limit` characters (or the first sentence, if it ends within
/// half as much again), else at a word before `limit`, with an ellipsis.
pub fn cut_at_sentence(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut best: Option<usize> = None;
    for (i, &(at, c)) in chars.iter().enumerate() {
        if i >= limit + limit / 2 {
            break;
        }
        let ends = matches!(c, '.' | '!' | '?' | '。' | '！' | '？')
            && chars.get(i + 1).is_none_or(|&(_, n)| n.is_whitespace());
        if ends {
            let end = at + c.len_utf8();
            if i < limit || best.is_none() {
                best = Some(end);
            }
            if i >= limit {
                break;
            }
        }
    }
    if let Some(end) = best {
        return text[..end].to_string();
    }
    let cut = chars.get(limit).map_or(text.len(), |&(at, _)| at);
    let head = &text[..cut];
    let head = head.rsplit_once(' ').map_or(head, |(h, _)| h);
    format!("{}…", head.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_long_text_at_a_sentence_end_near_the_limit() {
        let sentence = "This sentence has exactly fifty characters in it. ";
        let text = sentence.repeat(20);
        let cut = cut_at_sentence(text.trim(), 600);
        assert!(cut.ends_with('.'), "{cut}");
        assert!(
            cut.chars().count() <= 600 && cut.chars().count() > 500,
            "{}",
            cut.len()
        );
        let korean = "가나다라 마바사. ".repeat(100);
        assert!(cut_at_sentence(korean.trim(), 600).ends_with('.'));
        let no_stop = "word ".repeat(300);
        let cut = cut_at_sentence(no_stop.trim(), 600);
        assert!(
            cut.ends_with("word…") && cut.chars().count() <= 601,
            "{cut}"
        );
    }

    #[test]
    fn link_percent_encodes_the_slug() {
        assert_eq!(
            full_brief_url("https://x.org/briefs/", "a b"),
            "https://x.org/briefs/a%20b"
        );
    }
}
