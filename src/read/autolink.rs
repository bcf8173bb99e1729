//! Bare URLs in text (`https://…`, `http://…`, `www.…`) become links, with
//! GitHub's rules for where a URL ends: trailing punctuation and an
//! unbalanced closing parenthesis are not part of it.

use crate::ir::Inline;

/// Splits `text` into text and link inlines, appending them to `out`.
pub fn split_urls(text: &str, out: &mut Vec<Inline>) {
    let mut rest = text;
    while let Some((start, end)) = next_url(rest) {
        if start > 0 {
            out.push(Inline::text(&rest[..start]));
        }
        let shown = &rest[start..end];
        let url = if shown.starts_with("www.") {
            format!("http://{shown}")
        } else {
            shown.to_string()
        };
        out.push(Inline::Link {
            url,
            title: None,
            bare: true,
            content: vec![Inline::text(shown)],
        });
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        out.push(Inline::text(rest));
    }
}

/// Byte range of the next URL in `text`. Linear in the length of `text`:
/// where each prefix next occurs is remembered, never searched again.
fn next_url(text: &str) -> Option<(usize, usize)> {
    const PREFIXES: [&str; 3] = ["https://", "http://", "www."];
    let mut next = PREFIXES.map(|p| find_ascii_ci(text, p));
    loop {
        let (slot, start) = next
            .iter()
            .enumerate()
            .filter_map(|(slot, at)| at.map(|at| (slot, at)))
            .min_by_key(|&(_, at)| at)?;
        let prefix_len = PREFIXES[slot].len();
        // A URL starts a word: `xhttps://` or `awww.` are not links.
        let starts_word = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '/' && c != '@' && c != '.');
        if starts_word {
            let end = url_end(text, start);
            if end > start + prefix_len && has_domain(&text[start + prefix_len..end]) {
                return Some((start, end));
            }
        }
        let from = start + prefix_len;
        for (at, prefix) in next.iter_mut().zip(PREFIXES) {
            if at.is_some_and(|at| at < from) {
                *at = find_ascii_ci(&text[from..], prefix).map(|i| from + i);
            }
        }
    }
}

fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn has_domain(after_prefix: &str) -> bool {
    let host: String = after_prefix
        .chars()
        .take_while(|c| !matches!(c, '/' | '?' | '#' | ':'))
        .collect();
    !host.is_empty() && host.chars().any(|c| c.is_alphanumeric()) && !host.starts_with('.')
}

fn url_end(text: &str, start: usize) -> usize {
    let mut end = start
        + text[start..]
            .find(|c: char| c.is_whitespace() || c == '<' || c.is_control())
            .unwrap_or(text.len() - start);
    let url = &text[start..end];
    let mut unbalanced = url.matches(')').count() as isize - url.matches('(').count() as isize;
    while let Some(last) = text[start..end].chars().next_back() {
        let trim = match last {
            '?' | '!' | '.' | ',' | ':' | '*' | '_' | '~' | '\'' | '"' | ';' => true,
            ')' if unbalanced > 0 => {
                unbalanced -= 1;
                true
            }
            _ => false,
        };
        if !trim {
            break;
        }
        end -= last.len_utf8();
    }
    end
}

#[cfg(test)]
mod tests {
    #[test]
    fn many_false_starts_stay_linear() {
        // 200,000 prefixes that are not URLs (a quadratic search took
        // minutes here; the linear one, milliseconds).
        let text = "xhttps:// www ".repeat(200_000);
        assert!(links(&text).is_empty());
    }

    use super::*;
    use crate::ir::plain_text;

    fn links(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        split_urls(text, &mut out);
        assert_eq!(plain_text(&out), text, "text must survive unchanged");
        out.into_iter()
            .filter_map(|i| match i {
                Inline::Link { url, .. } => Some(url),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn finds_bare_urls_and_trims_punctuation() {
        assert_eq!(
            links("1. https://www.koreaherald.com/article/3480155 "),
            ["https://www.koreaherald.com/article/3480155"]
        );
        assert_eq!(links("see https://x.org/a."), ["https://x.org/a"]);
        assert_eq!(
            links("(see https://en.wikipedia.org/wiki/Foo_(bar))"),
            ["https://en.wikipedia.org/wiki/Foo_(bar)"]
        );
        assert_eq!(
            links("visit www.example.com, now"),
            ["http://www.example.com"]
        );
        assert_eq!(
            links("no https:// here, xhttps://a.b"),
            Vec::<String>::new()
        );
        assert_eq!(
            links("한국 https://example.kr/경로 입니다"),
            ["https://example.kr/경로"]
        );
    }
}
