//! Finding posts and reading them: front matter split and parsed into
//! [`Meta`](crate::ir::Meta), dates, slugs.

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
