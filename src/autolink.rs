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

/// Byte range of the next URL in `text`.
fn next_url(text: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while from < text.len() {
        let candidates = ["https://", "http://", "www."];
        let found = candidates
            .iter()
            .filter_map(|p| find_ascii_ci(&text[from..], p).map(|i| (from + i, p.len())))
            .min_by_key(|&(i, _)| i)?;
        let (start, prefix_len) = found;
        // A URL starts a word: `xhttps://` or `awww.` are not links.
        let starts_word = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '/' && c != '@' && c != '.');
        let end = url_end(text, start);
        if starts_word && end > start + prefix_len && has_domain(&text[start + prefix_len..end]) {
            return Some((start, end));
        }
        from = start + prefix_len;
    }
    None
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
    loop {
        let url = &text[start..end];
        let Some(last) = url.chars().next_back() else {
            return end;
        };
        let trim = match last {
            '?' | '!' | '.' | ',' | ':' | '*' | '_' | '~' | '\'' | '"' | ';' => true,
            ')' => url.matches(')').count() > url.matches('(').count(),
            _ => false,
        };
        if !trim {
            return end;
        }
        end -= last.len_utf8();
    }
}

#[cfg(test)]
mod tests {
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
