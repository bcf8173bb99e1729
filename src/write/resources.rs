//! The one sandbox through which every edition reads files: templates and
//! the stylesheet (the project's own, else the embedded default), fonts,
//! and a post's images. No other code under `src/write/` touches the file
//! system (an architecture test keeps it so).
//!
//! The image policy, the same for the PDF and the EPUB:
//! - only files inside the post's own folder, checked lexically first
//!   (no absolute paths, no `..` above the folder) and then again after
//!   canonicalizing (so a symlink cannot lead out);
//! - only regular files (never a FIFO or a device, which could hang a
//!   build), at most [`MAX_IMAGE_BYTES`] on disk and [`MAX_IMAGE_PIXELS`]
//!   as declared by the header (read before anything decodes the image);
//! - only PNG, JPEG, GIF, WebP and SVG, judged by content, not by name;
//!   SVGs with scripts, embedded HTML, entity declarations, event handlers
//!   or references to anything outside themselves (`href="file:…"`,
//!   `href="/etc/passwd"`, `url(http…)`) are refused;
//! - remote images are never fetched; the caller decides whether to link.
//!
//! A file is opened only after every path check has passed.

use crate::files::{self, ReadError};
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;
use typst_kit::fonts::FontStore;

/// The default single-brief layout (`templates/brief.typ`).
pub const DEFAULT_BRIEF_TEMPLATE: &str = include_str!("../../templates/brief.typ");
/// The default packet layout (`templates/packet.typ`).
pub const DEFAULT_PACKET_TEMPLATE: &str = include_str!("../../templates/packet.typ");
/// The default EPUB cover (`templates/cover.typ`).
pub const DEFAULT_COVER_TEMPLATE: &str = include_str!("../../templates/cover.typ");
/// The default EPUB stylesheet (`templates/epub.css`).
pub const DEFAULT_STYLESHEET: &str = include_str!("../../templates/epub.css");

/// Larger image files are not embedded in any edition.
pub const MAX_IMAGE_BYTES: u64 = 20 * 1024 * 1024;
/// Images with more pixels than this are not embedded: a 3.5 MB PNG can
/// declare 30000×30000 pixels and decode to 3.6 GB. Checked from the
/// header, before anything decodes it. 50 megapixels is a 8660×5773
/// photograph, well above what a printed page or an e-reader shows.
pub const MAX_IMAGE_PIXELS: u64 = 50_000_000;
/// Template and stylesheet files larger than this are refused.
pub const MAX_TEMPLATE_BYTES: u64 = 8 * 1024 * 1024;

/// The embedded default of a template file, by its name in `templates/`.
pub fn default_template(name: &str) -> Option<&'static str> {
    match name {
        "brief.typ" => Some(DEFAULT_BRIEF_TEMPLATE),
        "packet.typ" => Some(DEFAULT_PACKET_TEMPLATE),
        "cover.typ" => Some(DEFAULT_COVER_TEMPLATE),
        "epub.css" => Some(DEFAULT_STYLESHEET),
        _ => None,
    }
}

/// What the editions may read, rooted at one project folder.
#[derive(Debug, Clone)]
pub struct Resources {
    project_root: PathBuf,
}

/// A template file: the project's own, or the embedded default.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    pub bytes: Vec<u8>,
    /// The project file it came from; `None` for the embedded default.
    pub path: Option<PathBuf>,
    /// Why the project's file could not be used (it exists but cannot be
    /// read); the default was used instead.
    pub problem: Option<String>,
}

/// Why a file inside a sandboxed root was not served.
#[derive(Debug)]
pub enum ContainedError {
    NotFound(PathBuf),
    /// The path leads outside the root (lexically or through a symlink),
    /// or it is not a regular file.
    AccessDenied,
    IsDirectory,
    Io(std::io::Error, PathBuf),
}

/// A local image that passed every check of the image policy.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalImage {
    /// The canonical file.
    pub file: PathBuf,
    /// The normalized path relative to the post's folder, with `/`.
    pub relative: String,
    pub media_type: &'static str,
    pub extension: &'static str,
    /// The file's bytes, read once and checked.
    pub bytes: Vec<u8>,
}

/// What became of an image reference under the image policy.
#[derive(Debug, Clone, PartialEq)]
pub enum ImageLookup {
    Local(LocalImage),
    /// A remote address (never fetched).
    Remote(String),
    /// Refused; the reason completes "image … not embedded: <reason>".
    Refused(String),
}

impl Resources {
    pub fn new(project_root: &Path) -> Resources {
        Resources {
            project_root: project_root.to_path_buf(),
        }
    }

    pub fn project_root(&self) -> &Path {
        &self.project_root
    }

    /// The project folder, canonical, when it exists: the root of project
    /// images (`[project] logo`, a signature).
    pub fn project_dir(&self) -> Option<PathBuf> {
        canonical_dir(&self.project_root)
    }

    /// The project's `templates/` folder, canonical, when it exists.
    pub fn templates_root(&self) -> Option<PathBuf> {
        canonical_dir(&self.project_root.join("templates"))
    }

    /// `templates/NAME` from the project, else the embedded default.
    pub fn template(&self, name: &str) -> TemplateFile {
        let path = self.project_root.join("templates").join(name);
        match files::read_regular(&path, MAX_TEMPLATE_BYTES) {
            Ok(bytes) => TemplateFile {
                bytes,
                path: Some(path),
                problem: None,
            },
            Err(e) => TemplateFile {
                bytes: default_template(name).unwrap_or("").as_bytes().to_vec(),
                path: None,
                problem: match e {
                    ReadError::NotFound => None,
                    e => Some(format!("cannot read {}: {e}", path.display())),
                },
            },
        }
    }

    /// The canonical folder of a post's source file (a relative source is
    /// taken from the project folder when it is there).
    pub fn post_dir(&self, source: &Path) -> Option<PathBuf> {
        let source = if source.is_absolute() {
            source.to_path_buf()
        } else {
            let in_project = self.project_root.join(source);
            if in_project.exists() {
                in_project
            } else {
                source.to_path_buf()
            }
        };
        let parent = source.parent()?;
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        canonical_dir(parent)
    }

    /// `path` relative to the project folder, with `/` separators. Paths
    /// the user named relative to the working folder are already relative.
    pub fn project_relative(&self, path: &Path) -> String {
        let rel: PathBuf = if path.is_absolute() {
            let root = self
                .project_root
                .canonicalize()
                .unwrap_or_else(|_| self.project_root.clone());
            let real = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
            real.strip_prefix(&root)
                .map(Path::to_path_buf)
                .unwrap_or(real)
        } else {
            path.components()
                .filter(|c| !matches!(c, Component::CurDir))
                .collect()
        };
        rel.to_string_lossy().replace('\\', "/")
    }

    /// The process-wide fonts (the project's `fonts/` first, then Typst's
    /// embedded fonts, then the system's). The first call decides the
    /// project folder: a process builds one project.
    pub fn fonts(&self) -> &'static Fonts {
        FONTS.get_or_init(|| {
            let mut store = FontStore::new();
            let project_fonts = self.project_root.join("fonts");
            if project_fonts.is_dir() {
                store.extend(typst_kit::fonts::scan(&project_fonts));
            }
            store.extend(typst_kit::fonts::embedded());
            store.extend(typst_kit::fonts::system());
            Fonts { store }
        })
    }

    /// Applies the image policy to the reference `src` of a post whose
    /// canonical folder is `post_dir`.
    pub fn image(&self, src: &str, post_dir: Option<&Path>) -> ImageLookup {
        let refused = |reason: &str| ImageLookup::Refused(reason.to_string());
        let src = src.trim();
        if src.is_empty() {
            return refused("it has no address");
        }
        if src.to_ascii_lowercase().starts_with("data:") {
            return refused("data: URLs are not embedded");
        }
        if src.starts_with("//") || has_scheme(src) {
            // Only a web address is "remote" (and may be linked); any
            // other scheme gets one reason in every edition.
            return match crate::write::shared::links::link_target(src, None) {
                crate::write::shared::links::Target::External(url)
                    if url.starts_with("http://") || url.starts_with("https://") =>
                {
                    ImageLookup::Remote(src.to_string())
                }
                _ => refused("its address is not a file of the post's folder or a web address"),
            };
        }
        let path_part = src.split(['?', '#']).next().unwrap_or("");
        // The same decoding as a link fragment gets (`shared::links`).
        let path_part = crate::write::shared::links::percent_decode(path_part);
        let relative = match contained_relative(&path_part) {
            Ok(relative) => relative,
            Err(reason) => return refused(reason),
        };
        let Some(dir) = post_dir else {
            return refused("the post's folder is unknown");
        };
        let file = match contained_file(dir, &relative) {
            Ok(file) => file,
            Err(ContainedError::NotFound(_)) => return refused("the file does not exist"),
            Err(ContainedError::IsDirectory) => return refused("it is a folder, not a file"),
            Err(ContainedError::AccessDenied) => {
                return refused(
                    "it leads outside the post's folder (symlink) or is not a regular file",
                );
            }
            Err(ContainedError::Io(e, _)) => return refused(&format!("it cannot be read ({e})")),
        };
        let bytes = match files::read_regular(&file, MAX_IMAGE_BYTES) {
            Ok(bytes) => bytes,
            Err(e) => return refused(&e.to_string()),
        };
        let Some((media_type, extension)) = sniff(&bytes) else {
            return refused("it is not a PNG, JPEG, GIF, WebP or SVG image");
        };
        if media_type == "image/svg+xml" {
            if let Some(why) = svg_problem(&bytes) {
                return refused(&format!("SVG images with {why} are not embedded"));
            }
        } else {
            match imagesize::blob_size(&bytes) {
                Ok(size) if (size.width as u64) * (size.height as u64) > MAX_IMAGE_PIXELS => {
                    return refused(&format!(
                        "it declares {}×{} pixels, more than the {} megapixels an image may have",
                        size.width,
                        size.height,
                        MAX_IMAGE_PIXELS / 1_000_000
                    ));
                }
                Ok(_) => {}
                Err(_) => return refused("its header cannot be read (a damaged or unusual image)"),
            }
        }
        ImageLookup::Local(LocalImage {
            file,
            relative,
            media_type,
            extension,
            bytes,
        })
    }
}

/// Fonts shared by every compile in the process.
pub struct Fonts {
    pub store: FontStore,
}

impl Fonts {
    /// Whether some font of this family is available.
    pub fn has_family(&self, family: &str) -> bool {
        self.store.book().contains_family(&family.to_lowercase())
    }
}

static FONTS: OnceLock<Fonts> = OnceLock::new();

/// The canonical form of a folder, when it exists and is one.
pub fn canonical_dir(dir: &Path) -> Option<PathBuf> {
    dir.canonicalize().ok().filter(|d| d.is_dir())
}

/// The regular file `rest` (a normalized relative path) under `root`
/// (canonical), refusing anything whose canonical path leaves `root`.
pub fn contained_file(root: &Path, rest: &str) -> Result<PathBuf, ContainedError> {
    let candidate = root.join(rest);
    let real = candidate.canonicalize().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ContainedError::NotFound(candidate.clone()),
        _ => ContainedError::Io(e, candidate.clone()),
    })?;
    if !real.starts_with(root) {
        return Err(ContainedError::AccessDenied);
    }
    let meta = std::fs::metadata(&real).map_err(|e| ContainedError::Io(e, real.clone()))?;
    if meta.is_dir() {
        return Err(ContainedError::IsDirectory);
    }
    if !meta.is_file() {
        return Err(ContainedError::AccessDenied);
    }
    Ok(real)
}

/// Reads the regular file `rest` under the canonical `root` (see
/// [`contained_file`]).
pub fn read_contained(root: &Path, rest: &str) -> Result<Vec<u8>, ContainedError> {
    let real = contained_file(root, rest)?;
    // Typst reads templates and images through here: the image limit is
    // the larger of the two.
    files::read_regular(&real, MAX_IMAGE_BYTES.max(MAX_TEMPLATE_BYTES)).map_err(|e| match e {
        ReadError::NotFound => ContainedError::NotFound(real),
        ReadError::NotRegular(_) => ContainedError::AccessDenied,
        ReadError::TooLarge { .. } => {
            ContainedError::Io(std::io::Error::other(e.to_string()), real)
        }
        ReadError::Io(io) => ContainedError::Io(io, real),
    })
}

/// A relative path with `.` removed and `..` applied, or why it is not
/// inside its starting folder.
fn contained_relative(path: &str) -> Result<String, &'static str> {
    const ABSOLUTE: &str =
        "absolute paths are outside the post's folder (use a path relative to the post)";
    if path.starts_with('/') || path.starts_with('\\') || Path::new(path).is_absolute() {
        return Err(ABSOLUTE);
    }
    if path.len() > 1 && path.as_bytes()[1] == b':' {
        return Err(ABSOLUTE); // a Windows drive, `C:\x.png`
    }
    let mut parts: Vec<String> = Vec::new();
    for comp in Path::new(path).components() {
        match comp {
            Component::Normal(c) => parts.push(c.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Err("the path leads outside the post's folder");
                }
            }
            _ => return Err(ABSOLUTE),
        }
    }
    if parts.is_empty() {
        return Err("it has no file name");
    }
    Ok(parts.join("/"))
}

/// Whether `s` starts with a URL scheme (`https:`, `data:`); a one-letter
/// "scheme" is a Windows drive letter, handled as an absolute path.
fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) if i > 1 => s[..i]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')),
        _ => false,
    }
}

/// The one file-type sniffer: the media type and file extension of an
/// image every edition supports (EPUB 3.3 core media types), judged by its
/// first bytes.
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
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]);
    let head = text.trim_start_matches('\u{feff}').trim_start();
    (head.starts_with("<?xml") || head.starts_with("<svg") || head.starts_with("<!--"))
        && head.contains("<svg")
}

/// What makes an SVG unsafe to embed, if anything: active content, or a
/// reference to anything outside the image itself (which a reader or
/// Typst would try to load: a local file, a web address).
fn svg_problem(bytes: &[u8]) -> Option<&'static str> {
    let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
    if text.contains("<script") || text.contains("javascript:") {
        return Some("scripts");
    }
    if text.contains("foreignobject") {
        return Some("embedded HTML");
    }
    if text.contains("<!doctype") || text.contains("<!entity") {
        return Some("document type or entity declarations");
    }
    if text
        .split(|c: char| c.is_whitespace() || c == '<')
        .any(|w| w.starts_with("on") && w.contains('='))
    {
        return Some("event handlers");
    }
    if attribute_values(&text, "href").any(|v| !v.starts_with('#'))
        || url_references(&text).any(|v| !v.starts_with('#'))
        || text.contains("@import")
    {
        return Some("references to other files or addresses");
    }
    None
}

/// The values of every `NAME="…"` attribute (also `xlink:href`), trimmed.
fn attribute_values<'t>(text: &'t str, name: &'t str) -> impl Iterator<Item = &'t str> + 't {
    text.match_indices(name).filter_map(move |(i, _)| {
        let rest = text[i + name.len()..].trim_start();
        let rest = rest.strip_prefix('=')?.trim_start();
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let value = &rest[1..];
        Some(value[..value.find(quote).unwrap_or(value.len())].trim())
    })
}

/// The targets of every `url(…)` in styles, trimmed of quotes.
fn url_references(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("url(").map(move |(i, _)| {
        let rest = &text[i + 4..];
        let inner = &rest[..rest.find(')').unwrap_or(rest.len())];
        inner.trim().trim_matches(|c| c == '"' || c == '\'').trim()
    })
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

    #[test]
    fn relative_paths_stay_inside() {
        assert_eq!(contained_relative("a/./b.png").as_deref(), Ok("a/b.png"));
        assert_eq!(contained_relative("a/../b.png").as_deref(), Ok("b.png"));
        assert!(contained_relative("../b.png").is_err());
        assert!(contained_relative("/etc/passwd").is_err());
        assert!(contained_relative("C:\\x.png").is_err());
        assert!(contained_relative("").is_err());
    }

    #[test]
    fn images_outside_the_post_folder_are_refused() {
        let resources = Resources::new(Path::new("/tmp"));
        let dir = Some(Path::new("/tmp"));
        for src in [
            "/etc/passwd",
            "../../x.png",
            "C:\\x.png",
            "data:image/png;base64,AAAA",
            "file:///etc/passwd",
            "javascript:x.png",
        ] {
            assert!(
                matches!(resources.image(src, dir), ImageLookup::Refused(_)),
                "{src}"
            );
        }
        assert!(matches!(
            resources.image("https://x.org/a.png", dir),
            ImageLookup::Remote(_)
        ));
    }
}
