//! A [`Summary`] as text lines, the same in summary e-mails, packet
//! digests and `brief summary`, its fixed words from the locale table.

use super::Summary;

/// The summary as text lines (marked soft/hard as in
/// `email::text::render_lines`), every line starting with `indent`: the
/// lead, "Key points", the asks under the post's own announcing line, and
/// the sources with their addresses (never wrapped: a broken address is a
/// dead link).
pub fn render(summary: &Summary, max: usize, indent: &str, lang: &str) -> Vec<(String, bool)> {
    use crate::write::shared::wrap::{wrap, wrap_marked};
    let mut out: Vec<(String, bool)> = Vec::new();
    let gap = |out: &mut Vec<(String, bool)>| {
        if !out.is_empty() {
            out.push((String::new(), false));
        }
    };
    let hard = |lines: Vec<String>| lines.into_iter().map(|l| (l, false)).collect::<Vec<_>>();
    let bullet = format!("{indent}- ");
    let hanging = format!("{indent}  ");
    if let Some(lead) = &summary.lead {
        out.extend(wrap_marked(lead, max, indent, indent));
    }
    if !summary.key_points.is_empty() {
        gap(&mut out);
        out.push((format!("{indent}{}", label(lang, Label::KeyPoints)), false));
        out.push((String::new(), false));
        for point in &summary.key_points {
            out.extend(hard(wrap(point, max, &bullet, &hanging)));
        }
    }
    if let Some((line, asks)) = &summary.asks {
        gap(&mut out);
        let line = if line.is_empty() {
            label(lang, Label::Asks)
        } else {
            line.clone()
        };
        out.extend(hard(wrap(&format!("{line}:"), max, indent, indent)));
        out.push((String::new(), false));
        for ask in asks {
            out.extend(hard(wrap(ask, max, &bullet, &hanging)));
        }
    }
    if !summary.sources.is_empty() {
        gap(&mut out);
        out.push((format!("{indent}{}", label(lang, Label::Sources)), false));
        out.push((String::new(), false));
        for (text, url) in &summary.sources {
            if !text.is_empty() && text != url {
                out.extend(hard(wrap(text, max, &bullet, &hanging)));
                out.push((format!("{hanging}{url}"), false));
            } else {
                out.push((format!("{bullet}{url}"), false));
            }
        }
    }
    out
}

enum Label {
    KeyPoints,
    Asks,
    Sources,
}

/// The summary's fixed words in the post's language (`shared::locale`).
fn label(lang: &str, which: Label) -> String {
    use crate::write::shared::locale::{ASKS, KEY_POINTS, SOURCES, word};
    word(
        lang,
        match which {
            Label::KeyPoints => KEY_POINTS,
            Label::Asks => ASKS,
            Label::Sources => SOURCES,
        },
    )
    .to_string()
}
