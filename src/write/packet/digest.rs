//! A packet as plain text for e-mail: the packet's title and date, then per
//! brief its title, date, summary and where to read it online. Wrapped by
//! display width with `crate::write::shared::wrap`, like the e-mail edition, so the same
//! mail rules hold (no line starting with `>`, `-` or `1.`, Korean words
//! whole). The e-mail sender (`brief send`) takes this text as the body of
//! a packet's message: see [`digest_text`].

use super::Packet;
use crate::diag::Diagnostic;
use crate::ir::{Block, Post, plain_text};
use crate::read::dates::written;
use crate::write::shared::wrap::{width, wrap};
use crate::write::{Context, Rendered};

/// Summaries taken from the text are cut at a sentence end near this many
/// characters.
pub const SUMMARY_CHARS: usize = 600;

pub fn render(packet: &Packet, ctx: &Context) -> Result<Rendered, Diagnostic> {
    Ok(Rendered {
        bytes: digest_text(packet, ctx).into_bytes(),
        warnings: Vec::new(),
    })
}

/// The digest, wrapped at `[text] width` columns, ending in one newline.
pub fn digest_text(packet: &Packet, ctx: &Context) -> String {
    let max = ctx.config.text.width;
    let lang = packet.lang.as_str();
    let mut out: Vec<String> = Vec::new();
    if let Some(marking) = &packet.marking {
        out.extend(wrap(&clean(&marking.to_uppercase()), max, "", ""));
        out.push(String::new());
    }
    let title = wrap(&clean(&packet.title), max, "", "");
    let rule = title.iter().map(|l| width(l)).max().unwrap_or(3);
    out.extend(title);
    out.push("=".repeat(rule.max(3)));
    if let Some(sub) = &packet.subtitle {
        out.extend(wrap(&clean(sub), max, "", ""));
    }
    out.push(written(packet.day, lang));
    if let Some(org) = ctx
        .config
        .project
        .organisation
        .as_deref()
        .filter(|o| !o.trim().is_empty())
    {
        out.extend(wrap(&clean(org), max, "", ""));
    }
    out.push(String::new());
    let count = packet.briefs.len();
    out.extend(wrap(
        &format!("{count} brief{}:", if count == 1 { "" } else { "s" }),
        max,
        "",
        "",
    ));
    for (i, post) in packet.briefs.iter().enumerate() {
        out.push(String::new());
        brief(post, i + 1, ctx, max, &mut out);
    }
    let mut text = out.join("\n");
    text.truncate(text.trim_end().len());
    text.push('\n');
    text
}

fn brief(post: &Post, n: usize, ctx: &Context, max: usize, out: &mut Vec<String>) {
    let lead = format!("{n}. ");
    let indent = " ".repeat(width(&lead));
    let title = wrap(&clean(&post.meta.title), max, &lead, &indent);
    let rule = title
        .iter()
        .map(|l| width(l) - width(&indent))
        .max()
        .unwrap_or(3);
    out.extend(title);
    out.push(format!("{indent}{}", "-".repeat(rule.max(3))));
    if let Some(date) = &post.meta.date {
        out.push(format!("{indent}{}", written(date.day, &post.meta.lang)));
    }
    if let Some(summary) = summary(post) {
        out.push(String::new());
        out.extend(wrap(&summary, max, &indent, &indent));
    }
    if let Some(url) = read_online(post, ctx) {
        out.push(String::new());
        out.extend(wrap(&format!("Read online: {url}"), max, &indent, &indent));
    }
}

/// Where a brief can be read: `base_url` + slug, when the project has one.
pub fn read_online(post: &Post, ctx: &Context) -> Option<String> {
    let base = ctx.config.project.base_url.as_deref()?.trim();
    if base.is_empty() {
        return None;
    }
    Some(format!("{}/{}", base.trim_end_matches('/'), post.meta.slug))
}

/// The front matter's summary (or description), else the first paragraph
/// cut at a sentence end near [`SUMMARY_CHARS`].
pub fn summary(post: &Post) -> Option<String> {
    if let Some(s) = post
        .meta
        .summary
        .as_deref()
        .map(|s| collapse(&clean(s)))
        .filter(|s| !s.is_empty())
    {
        return Some(s);
    }
    let first = first_paragraph(&post.body)?;
    Some(cut_at_sentence(&first, SUMMARY_CHARS))
}

fn first_paragraph(blocks: &[Block]) -> Option<String> {
    blocks.iter().find_map(|b| match b {
        Block::Paragraph { content } => {
            let text = collapse(&clean(&plain_text(content)));
            (!text.is_empty()).then_some(text)
        }
        _ => None,
    })
}

/// Cuts `text` after the last sentence end within `near` characters (when
/// that keeps at least half of them), else after the first sentence end
/// within a third more, else at the last space before `near`, with "…".
pub fn cut_at_sentence(text: &str, near: usize) -> String {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    if chars.len() <= near {
        return text.to_string();
    }
    let is_end = |i: usize| {
        let c = chars[i].1;
        let next = chars.get(i + 1).map(|(_, c)| *c);
        matches!(c, '。' | '！' | '？')
            || (matches!(c, '.' | '!' | '?') && next.is_none_or(char::is_whitespace))
    };
    let byte_end = |i: usize| chars.get(i + 1).map_or(text.len(), |(b, _)| *b);
    if let Some(i) = (near / 2..near).rev().find(|&i| is_end(i)) {
        return text[..byte_end(i)].to_string();
    }
    if let Some(i) = (near..(near + near / 3).min(chars.len())).find(|&i| is_end(i)) {
        return text[..byte_end(i)].to_string();
    }
    let cut = (0..near).rev().find(|&i| chars[i].1 == ' ').unwrap_or(near);
    format!("{}…", text[..chars[cut].0].trim_end())
}

fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c == '\t' || c == '\n' { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect()
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_a_sentence_end_near_the_limit() {
        let text = format!("{} End here. {}", "word ".repeat(100), "more ".repeat(100));
        let cut = cut_at_sentence(&text, 600);
        assert!(cut.ends_with("End here."), "{cut}");
        assert_eq!(cut_at_sentence("Short.", 600), "Short.");
        let no_end = "word ".repeat(200);
        let cut = cut_at_sentence(&no_end, 600);
        assert!(
            cut.ends_with("word…") && cut.chars().count() <= 601,
            "{cut}"
        );
    }
}
