//! Images for the EPUB: which ones may be embedded and with what media type.
//!
//! Only files inside the project folder are read. Absolute paths, `..`
//! escapes and symlinks that lead out of the project are refused after
//! canonicalising; remote images are never fetched. The media type comes
//! from the file's first bytes, not its name, so the package never lies
//! about a resource.

use crate::write::xhtml::{Target, link_target, percent_decode};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Larger files are not embedded (an e-reader would choke on them anyway).
const MAX_IMAGE_BYTES: u64 = 20 * 1024 * 1024;

/// What became of one image reference.
#[derive(Debug, Clone, PartialEq)]
pub enum Image {
    /// Embedded at `href` (relative to the content documents).
    Embedded { href: String },
    /// Not embedded; `link` is where a reader can see it, when we have an
    /// address that is safe to link to. `reason` goes into the warning.
    Unavailable {
        link: Option<String>,
        reason: String,
    },
}

/// A file to add to the package.
#[derive(Debug)]
pub struct Resource {
    pub href: String,
    pub bytes: Vec<u8>,
    pub media_type: &'static str,
}

/// Resolves image references once each and collects the files to embed.
#[derive(Debug)]
pub struct Images {
    project_root: Option<PathBuf>,
    post_dir: PathBuf,
    by_src: BTreeMap<String, Image>,
    by_path: BTreeMap<PathBuf, String>,
    pub resources: Vec<Resource>,
    /// Prefix of embedded file names, unique per brief in a packet.
    pub prefix: String,
}

impl Images {
    /// `post_dir` is the folder of the post's source file; `project_root`
    /// the folder nothing may be read outside of.
    pub fn new(project_root: &Path, post_dir: PathBuf) -> Images {
        Images {
            project_root: project_root.canonicalize().ok(),
            post_dir,
            by_src: BTreeMap::new(),
            by_path: BTreeMap::new(),
            resources: Vec::new(),
            prefix: String::new(),
        }
    }

    pub fn resolve(&mut self, src: &str) -> Image {
        if let Some(known) = self.by_src.get(src) {
            return known.clone();
        }
        let image = self.resolve_new(src);
        self.by_src.insert(src.to_string(), image.clone());
        image
    }

    fn resolve_new(&mut self, src: &str) -> Image {
        let src = src.trim();
        let unavailable = |link: Option<String>, reason: &str| Image::Unavailable {
            link,
            reason: reason.to_string(),
        };
        if src.is_empty() {
            return unavailable(None, "it has no address");
        }
        let lower = src.to_ascii_lowercase();
        if lower.starts_with("data:") {
            return unavailable(None, "data: URLs are not embedded");
        }
        if src.starts_with("//") || has_scheme(src) {
            return match link_target(src, None) {
                Target::External(url) => unavailable(Some(url), "remote images are never fetched"),
                _ => unavailable(None, "its address is not a local file or a web address"),
            };
        }
        let path_part = src.split(['?', '#']).next().unwrap_or("");
        let rel = percent_decode(path_part);
        let rel_path = Path::new(&rel);
        if rel_path.is_absolute() || rel.starts_with('/') || rel.starts_with('\\') {
            return unavailable(
                None,
                "absolute paths are refused (use a path relative to the post)",
            );
        }
        let Some(root) = &self.project_root else {
            return unavailable(None, "the project folder cannot be read");
        };
        let Ok(canonical) = self.post_dir.join(rel_path).canonicalize() else {
            return unavailable(None, "the file does not exist");
        };
        if !canonical.starts_with(root) {
            return unavailable(None, "it lies outside the project folder");
        }
        if let Some(href) = self.by_path.get(&canonical) {
            return Image::Embedded { href: href.clone() };
        }
        match std::fs::metadata(&canonical) {
            Ok(m) if !m.is_file() => return unavailable(None, "it is not a file"),
            Ok(m) if m.len() > MAX_IMAGE_BYTES => {
                return unavailable(None, "it is larger than 20 MB");
            }
            Ok(_) => {}
            Err(_) => return unavailable(None, "the file cannot be read"),
        }
        let Ok(bytes) = std::fs::read(&canonical) else {
            return unavailable(None, "the file cannot be read");
        };
        let Some((media_type, ext)) = sniff(&bytes) else {
            return unavailable(
                None,
                "it is not a PNG, JPEG, GIF, WebP or SVG image (EPUB readers need one of these)",
            );
        };
        if media_type == "image/svg+xml" && svg_is_active(&bytes) {
            return unavailable(
                None,
                "SVG images with scripts or embedded HTML are not embedded",
            );
        }
        let href = format!(
            "images/{}image-{}.{ext}",
            self.prefix,
            self.resources.len() + 1
        );
        self.by_path.insert(canonical, href.clone());
        self.resources.push(Resource {
            href: href.clone(),
            bytes,
            media_type,
        });
        Image::Embedded { href }
    }
}

fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        // A one-letter "scheme" is a Windows drive, handled as absolute.
        Some(i) if i > 1 => s[..i]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')),
        Some(1) => false,
        _ => false,
    }
}

/// The media type and file extension of an image an EPUB reader must
/// support (EPUB 3.3 core media types), judged by its content.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png"))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(("image/gif", "gif"))
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(("image/webp", "webp"))
    } else if is_svg(bytes) {
        Some(("image/svg+xml", "svg"))
    } else {
        None
    }
}

fn is_svg(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let head: String = text.chars().take(2048).collect();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    (head.starts_with("<?xml") || head.starts_with("<svg") || head.starts_with("<!--"))
        && head.contains("<svg")
}

fn svg_is_active(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
    text.contains("<script")
        || text.contains("foreignobject")
        || text.contains("<!doctype")
        || text.contains("<!entity")
        || text.contains("javascript:")
        || text
            .split(|c: char| c.is_whitespace())
            .any(|w| w.starts_with("on") && w.contains('='))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\nrest").map(|s| s.0),
            Some("image/png")
        );
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><svg/>").map(|s| s.0),
            Some("image/svg+xml")
        );
        assert_eq!(sniff(b"BM...."), None);
    }
}
