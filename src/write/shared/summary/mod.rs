//! A brief's summary, one rule for every place that prints one (the
//! summary edition, summary e-mails and the packet digest), so a reader
//! who gets several reads the same words.
//!
//! The front matter wins: `summary` (or `description`, `excerpt`) is the
//! lead, and lists `key_points:` and `asks:` are taken as written.
//! Otherwise the summary is extractive, never invented: every sentence in
//! it is a sentence of the post.
//! - the lead: the first paragraph of the body (outside lists, quotes and
//!   code), cut at a sentence end near [`LEAD_CHARS`] characters;
//! - the asks: the post's own list of asks, recommendations or next steps,
//!   announced by a heading or by a lead-in line ending in a colon
//!   ("Immediate asks to G7/Nordic missions:"), each item whole;
//! - key points: the first sentence of each section's first paragraph, a
//!   bold lead-in ("**Evidence**: …") kept with it, skipping sections about
//!   sources, references, notes, appendices or timestamps ([`skipped`]);
//! - sources: the first three external sources, with their addresses.
//!
//! A budget in words (`[summary] words`, 250 by default)
//! is kept: the lead, then the asks, then the key points, each taken whole
//! (a sentence is never cut) while it fits. Words are counted by spaces,
//! and in Chinese and Japanese text every two characters count as one.

use crate::ir::{Block, Inline, Post};
use crate::write::shared::html_text;
use crate::write::shared::notes::{Kind, Sources};

mod render;
pub use render::render;

/// About how long a lead taken from the first paragraph may be.
pub const LEAD_CHARS: usize = 600;
/// At most this many key points and sources.
const MAX_POINTS: usize = 8;
const MAX_SOURCES: usize = 3;

/// A brief's summary, every part in the post's own words.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub lead: Option<String>,
    pub key_points: Vec<String>,
    /// The line announcing the asks as the post wrote it (without its
    /// colon), and the asks.
    pub asks: Option<(String, Vec<String>)>,
    /// (text, address) of the first external sources.
    pub sources: Vec<(String, String)>,
}

/// The lead of `post` alone, when it has any text to make one from (the
/// first part of [`summarize`]).
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
    Some(cut_at_sentence(&first, LEAD_CHARS))
}

/// The summary of `post` within `words` words.
pub fn summarize(post: &Post, words: usize) -> Summary {
    let mut budget = words;
    let take = |text: &str, budget: &mut usize| {
        let n = word_count(text);
        (n <= *budget).then(|| *budget -= n).is_some()
    };
    let lead = summary(post).map(|lead| {
        if take(&lead, &mut budget) {
            lead
        } else {
            // A front-matter summary longer than the budget: its first
            // sentences, whole.
            let mut kept = String::new();
            for s in sentences(&lead) {
                if !take(&s, &mut budget) {
                    break;
                }
                kept = if kept.is_empty() {
                    s
                } else {
                    format!("{kept} {s}")
                };
            }
            kept
        }
    });
    let lead = lead.filter(|l| !l.is_empty());

    let asks = front_list(post, "asks")
        .map(|items| (String::new(), items))
        .or_else(|| find_asks(&post.body, &post.meta.lang))
        .map(|(line, items)| {
            let kept: Vec<String> = items.into_iter().filter(|a| take(a, &mut budget)).collect();
            (line, kept)
        })
        .filter(|(_, items)| !items.is_empty());

    let candidates = front_list(post, "key_points").unwrap_or_else(|| key_points(post));
    let mut points = Vec::new();
    for point in candidates {
        if points.len() == MAX_POINTS {
            break;
        }
        let already = lead.as_deref().is_some_and(|l| l.contains(point.as_str()))
            || asks
                .as_ref()
                .is_some_and(|(_, a)| a.iter().any(|ask| ask.contains(point.as_str())));
        if !already && take(&point, &mut budget) {
            points.push(point);
        }
    }

    let sources = Sources::of(post)
        .external()
        .filter(|s| s.kind == Kind::Noted || s.kind == Kind::Shown)
        .take(MAX_SOURCES)
        .map(|s| (one_line(&s.text), s.url.clone()))
        .collect();
    Summary {
        lead,
        key_points: points,
        asks,
        sources,
    }
}

/// A front-matter list of text (`key_points:`, `asks:`), when given.
fn front_list(post: &Post, key: &str) -> Option<Vec<String>> {
    let (_, value) = post.meta.extra.iter().find(|(k, _)| k == key)?;
    let items: Vec<String> = match value {
        serde_json::Value::Array(items) => items
            .iter()
            .filter_map(|v| match v {
                serde_json::Value::String(s) => Some(one_line(s)),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .filter(|s| !s.is_empty())
            .collect(),
        serde_json::Value::String(s) => vec![one_line(s)],
        _ => Vec::new(),
    };
    (!items.is_empty()).then_some(items)
}

/// Words in `text`: runs between spaces, and in Chinese and Japanese
/// text (which has no spaces) one for every two characters.
pub fn word_count(text: &str) -> usize {
    let mut words = 0;
    let mut cjk = 0;
    for token in text.split_whitespace() {
        let ideographs = token.chars().filter(|&c| is_unspaced_script(c)).count();
        cjk += ideographs;
        if ideographs < token.chars().count() {
            words += 1;
        }
    }
    words + cjk.div_ceil(2)
}

/// Han, Hiragana and Katakana: scripts written without spaces.
fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x31F0..=0x31FF | 0x20000..=0x2FFFF)
}

/// The sentences of `text`: cut after `.`, `!` or `?` before a space and
/// a word not in lower case (not after a lone capital or a common
/// abbreviation: "U.S.", "e.g."), and after `。`, `！`, `？`.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        let end = at + c.len_utf8();
        let next = chars.get(i + 1).map(|(_, c)| *c);
        let cut = match c {
            '。' | '！' | '？' => true,
            // A sentence ends before a space and a word that does not
            // start in lower case ("cfg! macros" is inside one).
            '.' | '!' | '?' => {
                next.is_none_or(char::is_whitespace)
                    && !text[end..]
                        .trim_start()
                        .starts_with(|c: char| c.is_lowercase())
                    && !abbreviation(&text[start..end])
            }
            _ => false,
        };
        if cut {
            let s = text[start..end].trim();
            if !s.is_empty() {
                out.push(s.to_string());
            }
            start = end;
        }
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest.to_string());
    }
    out
}

/// Whether the text before a full stop ends in an abbreviation, not a
/// sentence.
fn abbreviation(before: &str) -> bool {
    let last = before.split_whitespace().last().unwrap_or("");
    let word = last.trim_start_matches(|c: char| !c.is_alphanumeric());
    let letters: Vec<char> = word.trim_end_matches('.').chars().collect();
    (letters.len() == 1 && letters[0].is_uppercase())
        || word.matches('.').count() > 1 // U.S., e.g., i.e.
        || matches!(
            word.to_ascii_lowercase().as_str(),
            "mr." | "mrs." | "ms." | "dr." | "st." | "no." | "vs." | "etc." | "cf." | "al." | "approx." | "jr." | "sr."
        )
}

/// The first paragraph's text (outside lists, quotes and code).
fn first_paragraph(blocks: &[Block]) -> Option<String> {
    blocks.iter().find_map(|b| match b {
        Block::Paragraph { content } => Some(one_line(&plain(content))).filter(|t| !t.is_empty()),
        _ => None,
    })
}

/// Sections at the body's top heading level: (heading, blocks).
fn sections(body: &[Block]) -> Vec<(String, &[Block])> {
    let top = body
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, .. } => Some(*level),
            _ => None,
        })
        .min();
    let mut out = Vec::new();
    let mut start = 0;
    let mut heading = String::new();
    for (i, b) in body.iter().enumerate() {
        if let Block::Heading { level, content, .. } = b {
            if Some(*level) == top {
                out.push((std::mem::take(&mut heading), &body[start..i]));
                heading = one_line(&plain(content));
                start = i + 1;
            }
        }
    }
    out.push((heading, &body[start..]));
    out
}

/// Key points from the body (see the module documentation).
fn key_points(post: &Post) -> Vec<String> {
    let lang = post.meta.lang.as_str();
    let lead = first_paragraph(&post.body);
    let headings: Vec<String> = post
        .body
        .iter()
        .filter_map(|b| match b {
            Block::Heading { content, .. } => Some(one_line(&plain(content))),
            _ => None,
        })
        .collect();
    let mut points = Vec::new();
    for (heading, blocks) in sections(&post.body) {
        if skipped(&heading, lang) {
            continue;
        }
        // The section's paragraphs; a section of lists only offers its
        // first item's.
        let mut paragraphs: Vec<&Vec<Inline>> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph { content } => Some(content),
                _ => None,
            })
            .collect();
        if paragraphs
            .iter()
            .all(|p| one_line(&plain(p)).ends_with(':'))
        {
            let first_item = blocks.iter().find_map(|b| match b {
                Block::List { items, .. } => items.first(),
                _ => None,
            });
            paragraphs.extend(first_item.into_iter().flat_map(|i| {
                i.body.iter().filter_map(|b| match b {
                    Block::Paragraph { content } => Some(content),
                    _ => None,
                })
            }));
        }
        for content in paragraphs {
            let text = one_line(&plain(content));
            // The lead is printed already; a line announcing a list is
            // not a point by itself.
            if Some(&text) == lead.as_ref() || text.is_empty() || text.ends_with(':') {
                continue;
            }
            let Some(first) = sentences(&text).into_iter().next() else {
                continue;
            };
            // A table of contents' entry is a heading, not a point.
            if first.ends_with(':') || word_count(&first) < 4 || headings.contains(&first) {
                continue;
            }
            points.push(first);
            break;
        }
    }
    points
}

/// The post's own list of asks: a list right after a paragraph that ends
/// in a colon, or first in a section whose heading, naming asks,
/// recommendations or next steps ([`ASK_WORDS`]).
fn find_asks(body: &[Block], lang: &str) -> Option<(String, Vec<String>)> {
    let items_of = |b: &Block| match b {
        Block::List { items, .. } => Some(
            items
                .iter()
                .map(|i| {
                    one_line(
                        &i.body
                            .iter()
                            .filter_map(|b| match b {
                                Block::Paragraph { content } => Some(plain(content)),
                                _ => None,
                            })
                            .collect::<Vec<_>>()
                            .join(" "),
                    )
                })
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>(),
        ),
        _ => None,
    };
    for (i, b) in body.iter().enumerate() {
        let (announce, heading) = match b {
            Block::Paragraph { content } => (one_line(&plain(content)), false),
            Block::Heading { content, .. } => (one_line(&plain(content)), true),
            Block::List { items, .. } => {
                // Nested deeper: a list item announcing asks.
                for item in items {
                    if let Some(found) = find_asks(&item.body, lang) {
                        return Some(found);
                    }
                }
                continue;
            }
            _ => continue,
        };
        if (!heading && !announce.ends_with(':')) || !names_asks(&announce, lang) {
            continue;
        }
        let rest = &body[i + 1..];
        let list = if heading {
            rest.iter()
                .take_while(|b| !matches!(b, Block::Heading { .. }))
                .find_map(items_of)
        } else {
            rest.first().and_then(items_of)
        };
        if let Some(items) = list.filter(|l| !l.is_empty()) {
            return Some((announce.trim_end_matches(':').trim().to_string(), items));
        }
    }
    None
}

/// Words that announce a brief's asks, per language (lower case).
const ASK_WORDS: &[&str] = &[
    "ask",
    "asks",
    "request",
    "requests",
    "recommendation",
    "recommendations",
    "recommend",
    "next steps",
    "we call on",
    "we urge",
    "action items",
    "what we ask",
    "calls to action",
    "요청",
    "권고",
    "제언",
    "촉구",
    "要請",
    "提言",
    "勧告",
    "お願い",
    "要求",
    "建议",
    "呼吁",
    "demandes",
    "recommandations",
    "forderungen",
    "empfehlungen",
    "peticiones",
    "recomendaciones",
    "просьбы",
    "рекомендации",
    "призываем",
    "مطالب",
    "توصيات",
];

fn names_asks(text: &str, _lang: &str) -> bool {
    let lower = text.to_lowercase();
    ASK_WORDS.iter().any(|w| {
        lower.match_indices(w).any(|(at, _)| {
            // Whole words in spaced scripts: "asks" but not "tasks".
            let before = lower[..at].chars().next_back();
            let after = lower[at + w.len()..].chars().next();
            let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
            !w.is_ascii() || (boundary(before) && boundary(after))
        })
    })
}

/// Sections whose heading means sources, references, notes, appendices or
/// timestamps: no key point is taken from them.
pub fn skipped(heading: &str, _lang: &str) -> bool {
    const WORDS: &[&str] = &[
        "source",
        "sources",
        "reference",
        "references",
        "citation",
        "citations",
        "notes",
        "footnotes",
        "appendix",
        "appendices",
        "annex",
        "bibliography",
        "further reading",
        "links",
        "timestamps",
        "timestamp",
        "changelog",
        "credits",
        "acknowledgements",
        "acknowledgments",
        "contents",
        "toc",
        "목차",
        "目次",
        "目录",
        "출처",
        "참고",
        "부록",
        "주석",
        "각주",
        "出典",
        "参考",
        "付録",
        "脚注",
        "来源",
        "附录",
        "注释",
        "références",
        "annexe",
        "quellen",
        "literatur",
        "anhang",
        "anmerkungen",
        "fuentes",
        "referencias",
        "apéndice",
        "notas",
        "источники",
        "литература",
        "приложение",
        "примечания",
        "المصادر",
        "المراجع",
        "ملحق",
        "ملاحظات",
    ];
    let lower = heading.to_lowercase();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|w| WORDS.contains(&w))
        || WORDS.iter().any(|w| w.contains(' ') && lower.contains(w))
        || WORDS.iter().any(|w| !w.is_ascii() && lower.contains(w))
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
            Inline::Redacted { .. } => s.push_str(crate::ir::redact::BAR),
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
