//! What makes a name of the model valid: slugs (which become file names)
//! and language tags (which become `xml:lang` and Typst's `lang`), and the
//! hexadecimal form of a digest.

/// Makes `s` safe as a file name on every system we write to: no path
/// separators, no `..`, no leading dot, no control characters, none of the
/// characters Windows forbids; Unicode letters stay. Never empty.
pub fn safe_slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        let bad = c.is_control()
            || c.is_whitespace()
            || matches!(
                c,
                '/' | '\\' | '<' | '>' | ':' | '"' | '|' | '?' | '*' | '\u{feff}'
            );
        let c = if bad { '-' } else { c };
        // Collapse runs of '-' and '.' so `..` cannot appear.
        if (c == '-' || c == '.') && out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    let out = out.trim_matches(|c| c == '-' || c == '.');
    // Leave room for an extension within the usual 255-byte name limit.
    let mut end = out.len().min(180);
    while !out.is_char_boundary(end) {
        end -= 1;
    }
    let out = out[..end].trim_end_matches(['-', '.']);
    if out.is_empty() {
        "post".to_string()
    } else {
        out.to_string()
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A loose BCP 47 check: letters, digits and hyphens, starting with a
/// 2–3 letter primary language subtag. Enough to refuse a value that would
/// be unsafe or meaningless as `xml:lang`.
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_file_names() {
        assert_eq!(safe_slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(safe_slug(".hidden"), "hidden");
        assert_eq!(safe_slug("a..b"), "a.b");
        assert_eq!(safe_slug("a/b\\c"), "a-b-c");
        assert_eq!(safe_slug("한국어 제목"), "한국어-제목");
        assert_eq!(safe_slug("x\u{0}y\n"), "x-y");
        assert_eq!(safe_slug(""), "post");
        assert_eq!(safe_slug("..."), "post");
        assert!(safe_slug(&"é".repeat(300)).len() <= 180);
    }
}
