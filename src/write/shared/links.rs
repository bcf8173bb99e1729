//! The link policy every edition follows: which addresses a reader may
//! follow (schemes, hosts), how an address is cleaned into a valid URL,
//! how relative addresses are resolved against the project's `base_url`,
//! and `%XX` decoding for local paths.

use std::fmt::Write as _;

/// Where a link in a post points, once checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// An absolute URL with an allowed scheme, cleaned to be a valid URL.
    External(String),
    /// `#fragment` inside the post.
    Fragment(String),
    /// A relative address (another page of the site); kept as text.
    Relative(String),
    /// A scheme we never link to (`javascript:`, `data:`, `file:` …).
    Refused,
}

/// The only schemes a reader may follow from a brief: the web and e-mail.
/// Everything else (`javascript:`, `vbscript:`, `file:`, `data:`, `blob:`,
/// `ftp:`, `tel:` …) is printed as text, never made active, in every
/// edition.
const LINK_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// Classifies and cleans a link target. Relative addresses are resolved
/// against `base_url` when the project has one.
pub fn link_target(url: &str, base_url: Option<&str>) -> Target {
    let url = url.trim();
    if let Some(frag) = url.strip_prefix('#') {
        return Target::Fragment(frag.to_string());
    }
    if let Some(rest) = url.strip_prefix("//") {
        return external(&format!("https://{rest}"));
    }
    if let Some(scheme) = scheme_of(url) {
        let scheme = scheme.to_ascii_lowercase();
        return if LINK_SCHEMES.contains(&scheme.as_str()) {
            external(url)
        } else {
            Target::Refused
        };
    }
    if url.is_empty() {
        return Target::Refused;
    }
    match base_url {
        Some(base) if scheme_of(base).is_some() => {
            let base = base.trim_end_matches('/');
            let joined = if url.starts_with('/') {
                // Site-absolute: keep the origin only.
                let origin_end = base
                    .find("://")
                    .and_then(|i| base[i + 3..].find('/').map(|j| i + 3 + j))
                    .unwrap_or(base.len());
                format!("{}{}", &base[..origin_end], url)
            } else {
                format!("{base}/{url}")
            };
            external(&joined)
        }
        _ => Target::Relative(url.to_string()),
    }
}

/// `url` cleaned, when it is an absolute `http(s)` address: what a reader
/// of a printed or plain-text edition can open for something the edition
/// cannot show (an image). Site-relative paths (`/assets/img/x.png`),
/// files beside the post and other schemes give `None`.
pub fn web_address(url: &str) -> Option<String> {
    match link_target(url, None) {
        Target::External(url) => {
            let scheme = url.split_once("://").map_or("", |(s, _)| s);
            let web = scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http");
            web.then_some(url)
        }
        _ => None,
    }
}

fn scheme_of(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

fn external(url: &str) -> Target {
    let scheme = scheme_of(url).unwrap_or("").to_ascii_lowercase();
    // Schemes are case-insensitive; the address made active is written in
    // the canonical lower case (`HTTPS://x.org` → `https://x.org`).
    let lowered = format!("{scheme}{}", &url[scheme.len()..]);
    let url = lowered.as_str();
    if scheme == "mailto" {
        // `mailto:` needs an address after it.
        let address = &url[scheme.len() + 1..];
        return if address.contains('@') && !address.trim().starts_with('@') {
            Target::External(clean_url(url))
        } else {
            Target::Refused
        };
    }
    // A web link needs `//` and a host a URL parser accepts: `http://`,
    // `https://../` and `https:javascript:…` are not links a reader can
    // follow (and the last makes an EPUB invalid): keep them as text.
    let Some(rest) = url[scheme.len() + 1..].strip_prefix("//") else {
        return Target::Refused;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if !valid_host(authority) {
        return Target::Refused;
    }
    Target::External(clean_url(url))
}

/// A loose check of `user@host:port`: a bracketed IPv6 address, or a
/// domain of non-empty labels made of letters, digits, `-` and `_`.
fn valid_host(authority: &str) -> bool {
    let host_port = authority.rsplit('@').next().unwrap_or("");
    if let Some(v6) = host_port.strip_prefix('[') {
        return v6.split(']').next().is_some_and(|a| {
            !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        });
    }
    let host = match host_port.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        Some(_) => return false,
        None => host_port,
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_' || !c.is_ascii())
        })
}

/// Percent-encodes what a URL may not contain (spaces, quotes, `<>`,
/// control characters, a second `#`, a `%` that starts no escape).
/// Non-ASCII characters are kept: they are valid in an IRI.
pub fn clean_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let bytes = url.as_bytes();
    let mut seen_hash = false;
    // `[` and `]` are allowed only around an IPv6 host.
    let authority = url.find("://").map(|i| {
        let start = i + 3;
        let len = url[start..]
            .find(['/', '?', '#'])
            .unwrap_or(url.len() - start);
        start..start + len
    });
    for (i, c) in url.char_indices() {
        let encode = match c {
            ' ' | '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}' => true,
            '[' | ']' => !authority.as_ref().is_some_and(|a| a.contains(&i)),
            '#' => std::mem::replace(&mut seen_hash, true),
            '%' => {
                !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
            }
            // Characters no XML document (an EPUB) may hold; the other
            // editions get the same address.
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => true,
            _ => false,
        };
        if encode {
            let mut b = [0; 4];
            for byte in c.encode_utf8(&mut b).bytes() {
                let _ = write!(out, "%{byte:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Decodes `%XX` escapes (local image paths, link fragments); when the
/// result is not UTF-8 the text is kept as it was written, so a file
/// literally named `%FF.png` is still found.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// The warning for links no edition makes active, worded once so the
/// editions' reports merge into one (`diag::merge_editions`).
pub fn refused_warning(
    refused: &std::collections::BTreeSet<String>,
) -> Option<crate::diag::Diagnostic> {
    let first = refused.iter().next()?;
    Some(crate::diag::Diagnostic::warning(format!(
        "{} link(s) with an unsafe or unknown scheme, or no valid host, kept as text only, e.g. {}",
        refused.len(),
        crate::diag::quote(first)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_targets() {
        assert_eq!(link_target("javascript:alert(1)", None), Target::Refused);
        assert_eq!(link_target("JavaScript:x", None), Target::Refused);
        assert_eq!(
            link_target("https://x.org/a b#c#d%zz", None),
            Target::External("https://x.org/a%20b#c%23d%25zz".into())
        );
        assert_eq!(
            link_target("/docs/", Some("https://e.org/blog/")),
            Target::External("https://e.org/docs/".into())
        );
        assert_eq!(link_target("x.md", None), Target::Relative("x.md".into()));
        assert_eq!(link_target("http://", None), Target::Refused);
        assert_eq!(link_target("https://../", None), Target::Refused);
        assert_eq!(link_target("http://a b/", None), Target::Refused);
        assert_eq!(
            link_target("http://[::1]:80/x[1]", None),
            Target::External("http://[::1]:80/x%5B1%5D".into())
        );
        assert_eq!(
            link_target("https://example.com/?search=](uri)", None),
            Target::External("https://example.com/?search=%5D(uri)".into())
        );
        assert_eq!(percent_decode("a%20b%zz%"), "a b%zz%");
    }

    #[test]
    fn only_the_web_and_mail_are_followed() {
        for url in [
            "vbscript:msgbox",
            "file:///etc/passwd",
            "data:text/html,<script>",
            "blob:https://x.org/1",
            "ftp://x.org/a",
            "tel:+1555",
            "https:javascript:alert(1)",
            "http:x.org",
            "mailto:",
            "mailto:nobody",
        ] {
            assert_eq!(link_target(url, None), Target::Refused, "{url}");
        }
        assert_eq!(
            link_target("mailto:desk@example.org", None),
            Target::External("mailto:desk@example.org".into())
        );
        // Schemes are case-insensitive; the active address has the
        // canonical lower-case one (the host is left as written).
        assert_eq!(
            link_target("HTTPS://Example.org/x", None),
            Target::External("https://Example.org/x".into())
        );
    }

    #[test]
    fn web_addresses_are_absolute_http_only() {
        assert_eq!(
            web_address("https://x.org/a b.png"),
            Some("https://x.org/a%20b.png".into())
        );
        assert_eq!(
            web_address("HTTP://x.org/i.png"),
            Some("http://x.org/i.png".into())
        );
        assert_eq!(
            web_address("//cdn.x.org/i.png"),
            Some("https://cdn.x.org/i.png".into())
        );
        for none in [
            "/assets/img/x.png",
            "img/x.png",
            "./x.png",
            "ftp://x.org/i.png",
            "data:image/png;base64,AA",
            "",
        ] {
            assert_eq!(web_address(none), None, "{none:?}");
        }
    }
}
