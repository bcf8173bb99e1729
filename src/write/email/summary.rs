//! The summary edition: what a busy reader needs from a brief in one
//! screen of e-mail — title, date, summary, the key points (the section
//! headings) and a link to the full brief. Pure: post and settings in,
//! lines (marked soft/hard as in `text::render_lines`) out.
//!
//! The summary itself is the one rule of `shared::summary`, which the
//! packet digest prints too.

use crate::diag::Diagnostic;
use crate::ir::{Block, Post};
use crate::read::dates;
use crate::write::shared::summary::{one_line, plain, summary};
use crate::write::shared::wrap::{width, wrap, wrap_marked};

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

    if let Some(summary) = summary(post) {
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

/// The summary's fixed words in the post's language (`shared::locale`).
fn label(lang: &str, which: Label) -> String {
    use crate::write::shared::locale::{KEY_POINTS, READ_FULL, word};
    word(lang, match which {
        Label::KeyPoints => KEY_POINTS,
        Label::ReadFull => READ_FULL,
    })
    .to_string()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_percent_encodes_the_slug() {
        assert_eq!(
            full_brief_url("https://x.org/briefs/", "a b"),
            "https://x.org/briefs/a%20b"
        );
    }
}
