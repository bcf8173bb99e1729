//! A brief's summary, one rule for every place that prints one (the
//! summary e-mail and the packet digest), so a reader who gets both reads
//! the same words.
//!
//! The rule: the front matter's `summary` (or `description`, `excerpt`),
//! on one line; without one, the first paragraph of the body (outside
//! lists, quotes and code) as plain words, cut at a sentence end near
//! [`SUMMARY_CHARS`] characters, never inside a word.

use crate::ir::{Block, Inline, Post};
use crate::write::shared::html_text;

/// About how long a summary taken from the first paragraph may be.
pub const SUMMARY_CHARS: usize = 600;

/// The summary of `post`, when it has any text to make one from.
pub fn summary(post: &Post) -> Option<String> {
    if let Some(s) = post
        .meta
        .summary
        .as_deref()
        .map(one_line)
        .filter(|s| !s.is_empty())
    {
        return Some(s);
    }
    let first = first_paragraph(&post.body)?;
    Some(cut_at_sentence(&first, SUMMARY_CHARS))
}

/// The text of the first paragraph (outside lists, quotes and code).
fn first_paragraph(blocks: &[Block]) -> Option<String> {
    blocks.iter().find_map(|b| match b {
        Block::Paragraph { content } => Some(one_line(&plain(content))).filter(|t| !t.is_empty()),
        _ => None,
    })
}

/// Inline content as plain words: no emphasis marks, no reference numbers
/// (a summary stands alone, without the notes), a link's text (or its
/// address when it has none), raw HTML read by the raw-HTML rule.
pub fn plain(inlines: &[Inline]) -> String {
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

/// White space and control characters collapsed to single spaces.
pub fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` when it is at most `near` characters; otherwise cut after the
/// last sentence end within `near` characters (when that keeps at least
/// half of them), else after the first sentence end within a third more,
/// else at the last space before `near`, with "…". A full stop of Chinese
/// or Japanese ends a sentence by itself (no space follows it there); `.`,
/// `!` and `?` only before a space or the end, so "3.5" and "e.g" do not.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_a_sentence_end_near_the_limit() {
        let text = format!("{} End here. {}", "word ".repeat(100), "more ".repeat(100));
        assert!(cut_at_sentence(&text, 600).ends_with("End here."));
        assert_eq!(cut_at_sentence("Short.", 600), "Short.");
        let sentence = "This sentence has exactly fifty characters in it. ";
        let cut = cut_at_sentence(sentence.repeat(20).trim(), 600);
        assert!(cut.ends_with('.') && (500..=600).contains(&cut.chars().count()));
        let korean = "가나다라 마바사. ".repeat(100);
        assert!(cut_at_sentence(korean.trim(), 600).ends_with('.'));
        let chinese = "这是一个句子。".repeat(120);
        assert!(cut_at_sentence(&chinese, 600).chars().count() <= 600);
    }

    #[test]
    fn never_cuts_inside_a_word() {
        let no_end = "word ".repeat(200);
        let cut = cut_at_sentence(&no_end, 600);
        assert!(
            cut.ends_with("word…") && cut.chars().count() <= 601,
            "{cut}"
        );
        // One early sentence end and none near the length: the early one
        // would leave too little, so the cut is at the next end.
        let text = format!(
            "Early end. {} Late end. {}",
            "word ".repeat(130),
            "x ".repeat(100)
        );
        assert!(cut_at_sentence(&text, 600).ends_with("Late end."));
    }
}
