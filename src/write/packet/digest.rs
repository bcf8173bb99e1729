//! A packet as plain text for e-mail: the packet's title and date, then per
//! brief its title, date, summary (`shared::summary`, the same words as
//! the summary e-mail) and where to read it online. Wrapped by
//! display width with `crate::write::shared::wrap`, like the e-mail edition, so the same
//! mail rules hold (no line starting with `>`, `-` or `1.`, Korean words
//! whole). The e-mail sender (`brief send`) takes this text as the body of
//! a packet's message: see [`digest_text`].
//!
//! Its fixed words ("3 briefs:", "Key points", "Read online:") and the
//! dates it writes are in the language it is written for: the packet's
//! for the digest file and the general message, a recipient's own `lang`
//! for that recipient's message ([`Packet::lang_of`]). The briefs' titles
//! and summaries are their own text, in their own language.

use super::Packet;
use crate::diag::Diagnostic;
use crate::ir::Post;
use crate::read::dates::written;
use crate::write::shared::locale;
use crate::write::shared::summary::{self, summarize};
use crate::write::shared::wrap::{width, wrap};
use crate::write::{Context, Rendered};

pub fn render(packet: &Packet, ctx: &Context) -> Result<Rendered, Diagnostic> {
    Ok(Rendered {
        bytes: digest_text(packet, &packet.lang, ctx).into_bytes(),
        warnings: Vec::new(),
    })
}

/// The digest, its fixed words in `lang`, wrapped at `[text] width`
/// columns, ending in one newline.
pub fn digest_text(packet: &Packet, lang: &str, ctx: &Context) -> String {
    let max = ctx.config.text.width;
    let mut out: Vec<String> = Vec::new();
    if let Some(marking) = &packet.marking {
        out.extend(wrap(
            &crate::write::shared::marking::printed(marking),
            max,
            "",
            "",
        ));
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
    if let Some(org) = ctx.config.organisation() {
        out.extend(wrap(&clean(org), max, "", ""));
    }
    out.push(String::new());
    let count = packet.briefs.len();
    out.extend(wrap(
        &format!("{}:", locale::briefs(lang, count)),
        max,
        "",
        "",
    ));
    for (i, post) in packet.briefs.iter().enumerate() {
        out.push(String::new());
        brief(post, i + 1, lang, ctx, max, &mut out);
    }
    let online = read_online(packet, ctx);
    if !online.is_empty() {
        out.push(String::new());
        out.extend(wrap(locale::word(lang, locale::READ_ONLINE), max, "", ""));
        for url in online {
            out.push(url);
        }
    }
    if let Some(marking) = &packet.marking {
        out.push(String::new());
        out.extend(wrap(
            &crate::write::shared::marking::printed(marking),
            max,
            "",
            "",
        ));
    }
    let mut text = out.join("\n");
    text.truncate(text.trim_end().len());
    text.push('\n');
    text
}

fn brief(post: &Post, n: usize, lang: &str, ctx: &Context, max: usize, out: &mut Vec<String>) {
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
        out.push(format!("{indent}{}", written(date.day, lang)));
    }
    // The same summary as the brief's summary e-mail, its labels in the
    // digest's language.
    let summary = summary::render(
        &summarize(post, ctx.config.summary.words),
        max,
        &indent,
        lang,
    );
    if !summary.is_empty() {
        out.push(String::new());
        out.extend(summary.into_iter().map(|(line, _)| line));
    }
}

/// Where the packet itself can be read: its PDF and EPUB under
/// `base_url`, when the project has one (brief builds no web page, so it
/// never links one). None for a redacted twin (`packet::redaction`).
pub fn read_online(packet: &Packet, ctx: &Context) -> Vec<String> {
    // What is online is the general copy: never pointed at from what a
    // redacting recipient receives.
    if packet.is_twin {
        return Vec::new();
    }
    let Some(base) = ctx.config.project.base_url.as_deref().map(str::trim) else {
        return Vec::new();
    };
    if base.is_empty() {
        return Vec::new();
    }
    let base = base.trim_end_matches('/');
    ["pdf", "epub"]
        .iter()
        .map(|ext| format!("{base}/{}.{ext}", packet.name))
        .collect()
}

fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c == '\t' || c == '\n' { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect()
}
