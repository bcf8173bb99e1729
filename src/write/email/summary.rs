//! The summary edition: what a busy reader needs from a brief in one
//! screen of e-mail — title, date, the summary (lead, key points, the
//! brief's own asks, first sources), a link to the full brief and the
//! names of attached files. Pure: post and settings in,
//! lines (marked soft/hard as in `text::render_lines`) out.
//!
//! The summary itself is the one rule of `shared::summary`, which the
//! packet digest prints too.

use crate::diag::Diagnostic;
use crate::ir::Post;
use crate::read::dates;
use crate::write::shared::summary::{self as rule, one_line, summarize};
use crate::write::shared::wrap::{width, wrap};
use crate::write::{Context, Rendered};

/// The summary edition of `post` (`summary/<slug>.txt`): the summary a
/// summary message carries, without the names of attachments, at the
/// text width and word budget in force. No warning for a missing
/// `base_url`: that is about messages, which warn themselves.
pub fn render(post: &Post, ctx: &Context) -> Result<Rendered, Diagnostic> {
    Ok(Rendered {
        bytes: text(post, ctx).into_bytes(),
        warnings: Vec::new(),
    })
}

/// The summary edition as a string: the bytes of its file and what
/// `brief summary` prints.
pub fn text(post: &Post, ctx: &Context) -> String {
    let (lines, _) = render_lines(
        post,
        ctx.config.text.width,
        ctx.config.summary.words,
        ctx.config.project.base_url.as_deref(),
        &[],
    );
    let mut text = String::new();
    for (line, _) in lines {
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// The summary lines, and a warning when there is no link to the full
/// brief (no `project.base_url`).
pub fn render_lines(
    post: &Post,
    max: usize,
    words: usize,
    base_url: Option<&str>,
    attachments: &[String],
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

    let summary = summarize(post, words);
    let body = rule::render(&summary, max, "", lang);
    if !body.is_empty() {
        out.push((String::new(), false));
        out.extend(body);
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
    if !attachments.is_empty() {
        out.push((String::new(), false));
        out.extend(
            wrap(
                &format!(
                    "{} {}",
                    label(lang, Label::Attached),
                    attachments.join(", ")
                ),
                max,
                "",
                "",
            )
            .into_iter()
            .map(|l| (l, false)),
        );
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
    ReadFull,
    Attached,
}

/// The summary's fixed words in the post's language (`shared::locale`).
fn label(lang: &str, which: Label) -> String {
    use crate::write::shared::locale::{ATTACHED, READ_FULL, word};
    word(
        lang,
        match which {
            Label::ReadFull => READ_FULL,
            Label::Attached => ATTACHED,
        },
    )
    .to_string()
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
