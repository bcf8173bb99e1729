//! The "nothing lost, nothing let in" properties of one post, shared by the
//! property tests (`tests/hostile.rs`) and the fuzz target
//! (`fuzz/fuzz_targets/editions.rs`, which includes this file by path).
//!
//! For any bytes: reading never panics. For a post that reads: the e-mail
//! text keeps every word (`brief::write::shared::survival`); the EPUB opens as a zip, every
//! XHTML file in it is well-formed XML and together they keep every word;
//! the PDF data is JSON that Typst's `json()` accepts (nesting below its
//! limit) and the fixed main file parses with `typst-syntax`.
//!
//! Nothing let in: the post is read inside a real project ([`project`])
//! with an image beside the post and a secret image outside its folder.
//! No edition makes a link active unless it is `http(s)` with a valid
//! host, `mailto:` an address, or a fragment (checked here independently of
//! brief's own policy); no edition embeds anything but the post folder's
//! own image, and the secret's bytes never appear in a book.

#![allow(dead_code)]

use brief::write::email::text;
use brief::write::shared::survival::{missing_words, reader_text};
use brief::write::{Context, epub};
use std::io::Read;
use std::path::Path;

/// Typst's `json()` refuses values nested deeper than serde_json's limit.
pub const TYPST_JSON_DEPTH: usize = 120;

pub fn context() -> Context {
    // Nothing exists here: no stylesheet, no images, nothing to read.
    Context::new(
        brief::config::Config::default(),
        std::path::Path::new("/nonexistent-brief-project"),
        None,
        0,
    )
}

/// A 1×1 PNG: the image a post may embed (`content/in.png`, also at
/// `content/sub/in.png`).
pub const INSIDE_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89, 0, 0, 0, 0x0D, 0x49, 0x44, 0x41, 0x54,
    0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0, 0x05, 0, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D,
    0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// The secret outside the post's folder (`secret.png` and
/// `static/secret.png` at the project root): a PNG too, so that only the
/// folder rule keeps it out. Its marker bytes must never reach a book.
pub const SECRET_MARK: &[u8] = b"SECRET-brief-property-7d1f";

fn secret_png() -> Vec<u8> {
    // The 1x1 PNG with a tEXt chunk holding the marker (CRC not checked by
    // the header sniffers; the marker is what the property looks for).
    let mut png = INSIDE_PNG[..33].to_vec();
    let mut chunk = b"tEXt".to_vec();
    chunk.extend_from_slice(b"k\0");
    chunk.extend_from_slice(SECRET_MARK);
    png.extend_from_slice(&((chunk.len() - 4) as u32).to_be_bytes());
    png.extend_from_slice(&chunk);
    png.extend_from_slice(&[0, 0, 0, 0]);
    png.extend_from_slice(&INSIDE_PNG[33..]);
    png
}

/// The project every property reads its post in, made once per process:
/// `ROOT/content/prop.md` is the post's path (never written: the bytes
/// come from the test), with `in.png` beside it and the secret outside.
pub fn project() -> &'static Path {
    static ROOT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("brief-properties-{}", std::process::id()));
        let _ = std::fs::create_dir_all(root.join("content/sub"));
        let _ = std::fs::create_dir_all(root.join("static"));
        let _ = std::fs::write(root.join("content/in.png"), INSIDE_PNG);
        let _ = std::fs::write(root.join("content/sub/in.png"), INSIDE_PNG);
        let _ = std::fs::write(root.join("secret.png"), secret_png());
        let _ = std::fs::write(root.join("static/secret.png"), secret_png());
        root.canonicalize().unwrap_or(root)
    })
}

/// The context of [`project`].
pub fn project_context() -> Context {
    Context::new(brief::config::Config::default(), project(), None, 0)
}

/// Checks every property for one post; `Err` says which one broke.
pub fn check_bytes(bytes: &[u8]) -> Result<(), String> {
    let path = project().join("content/prop.md");
    let Ok(read) = brief::read::parse_post(&path, bytes, "en") else {
        return Ok(()); // refused with a diagnostic: allowed
    };
    let post = read.post;
    let expected = reader_text(&post);

    let mail = text::render_text(&post, 72);
    let missing = missing_words(&expected, &mail);
    if !missing.is_empty() {
        return Err(format!("e-mail text lost {missing:?}\n--- text\n{mail}"));
    }

    let ctx = project_context();
    let book = epub::render(&post, &ctx).map_err(|d| format!("EPUB failed: {d}"))?;
    let visible = epub_visible_text(&book.bytes)?;
    let missing = missing_words(&expected, &visible);
    if !missing.is_empty() {
        return Err(format!("EPUB lost {missing:?}\n--- visible\n{visible}"));
    }
    check_epub_lets_nothing_in(&book.bytes)?;

    check_pdf_data(&post, &ctx)?;
    Ok(())
}

/// Whether a reader may follow `href`: `http(s)://` and a host of letters,
/// digits, dots and hyphens (or an IP literal in brackets), `mailto:` an
/// address with an `@`, or a fragment. Deliberately not brief's own code.
pub fn followable(href: &str) -> bool {
    if href.starts_with('#') {
        return true;
    }
    // Schemes are case-insensitive (RFC 3986); brief writes them in lower
    // case, which this check asks for.
    if let Some(address) = href.strip_prefix("mailto:") {
        return address.contains('@')
            && !address.chars().any(|c| c.is_whitespace() || c.is_control());
    }
    let rest = href
        .strip_prefix("https://")
        .or_else(|| href.strip_prefix("http://"));
    let Some(rest) = rest else { return false };
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = host_port.rsplit_once('@').map_or(host_port, |(_, h)| h);
    let host = if host_port.starts_with('[') {
        host_port
            .split(']')
            .next()
            .unwrap_or("")
            .trim_start_matches('[')
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    !host.is_empty()
        // Letters of any script: internationalised host names are hosts.
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
        && !href.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The EPUB's links and images: every `href` in a content document is a
/// chapter of the book, a fragment or [`followable`]; every `src` is a
/// file of the book; no entry holds the secret.
pub fn check_epub_lets_nothing_in(bytes: &[u8]) -> Result<(), String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("EPUB is not a zip: {e}"))?;
    let names: Vec<String> = archive.file_names().map(str::to_string).collect();
    for name in &names {
        let mut entry = archive.by_name(name).map_err(|e| format!("{name}: {e}"))?;
        let mut data = Vec::new();
        entry
            .read_to_end(&mut data)
            .map_err(|e| format!("{name}: {e}"))?;
        if data.windows(SECRET_MARK.len()).any(|w| w == SECRET_MARK) {
            return Err(format!(
                "the EPUB embeds the secret image outside the post folder ({name})"
            ));
        }
        if !name.ends_with(".xhtml") || name.ends_with("nav.xhtml") {
            continue;
        }
        let src = String::from_utf8_lossy(&data);
        let opts = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let Ok(doc) = roxmltree::Document::parse_with_options(&src, opts) else {
            continue;
        };
        let folder = name.rsplit_once('/').map_or("", |(f, _)| f);
        let in_book = |target: &str| {
            let file = target.split('#').next().unwrap_or("");
            let path = if folder.is_empty() {
                file.to_string()
            } else {
                format!("{folder}/{file}")
            };
            !file.contains("..") && !file.contains(':') && names.contains(&path)
        };
        for node in doc.descendants() {
            if let Some(href) = node.attribute("href") {
                if !(followable(href) || in_book(href)) {
                    return Err(format!("{name}: an active link to {href:?}"));
                }
            }
            if let Some(src) = node.attribute("src") {
                if !in_book(src) {
                    return Err(format!(
                        "{name}: an image from {src:?}, not a file of the book"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The PDF data's links and images: every clickable `url` is
/// [`followable`]; every embedded image `path` is under `/post/` and names
/// a file inside the post's folder.
pub fn check_pdf_lets_nothing_in(value: &serde_json::Value) -> Result<(), String> {
    let content = project().join("content");
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Array(a) => stack.extend(a),
            serde_json::Value::Object(o) => {
                if o.get("k").and_then(|k| k.as_str()) == Some("link") {
                    if let Some(url) = o.get("url").and_then(|u| u.as_str()) {
                        if !followable(url) {
                            return Err(format!("the PDF makes {url:?} clickable"));
                        }
                    }
                }
                if o.get("k").and_then(|k| k.as_str()) == Some("img") {
                    if let Some(path) = o.get("path").and_then(|p| p.as_str()) {
                        let inside = path.strip_prefix("/post/").is_some_and(|rel| {
                            content
                                .join(rel)
                                .canonicalize()
                                .is_ok_and(|real| real.starts_with(&content))
                        });
                        if !inside {
                            return Err(format!(
                                "the PDF embeds {path:?}, not a file of the post's folder"
                            ));
                        }
                    }
                }
                stack.extend(o.values());
            }
            _ => {}
        }
    }
    Ok(())
}

/// The PDF's inputs as `brief dump-typst` writes them: the main file and
/// the template must parse with `typst-syntax` without errors, and the
/// post's data must be JSON that Typst's `json()` accepts (nesting below
/// its limit). Compiling is checked separately: too slow for the fuzz loop.
pub fn check_pdf_data(post: &brief::ir::Post, ctx: &Context) -> Result<(), String> {
    let sources =
        brief::write::pdf::typst_sources(post, ctx).map_err(|d| format!("PDF sources: {d}"))?;
    for (name, bytes) in &sources {
        let text = std::str::from_utf8(bytes).map_err(|e| format!("{name}: {e}"))?;
        if name.ends_with(".typ") {
            let (errors, _) = typst_syntax::parse(text).errors_and_warnings();
            if !errors.is_empty() {
                return Err(format!("{name} has syntax errors: {errors:?}"));
            }
        } else {
            let value: serde_json::Value = serde_json::from_str(text)
                .map_err(|e| format!("{name} is not JSON Typst can read: {e}"))?;
            let depth = json_depth(&value);
            if depth >= TYPST_JSON_DEPTH {
                return Err(format!(
                    "{name} nests {depth} levels; Typst's json() stops at 128"
                ));
            }
            check_pdf_lets_nothing_in(&value)?;
        }
    }
    Ok(())
}

pub fn json_depth(v: &serde_json::Value) -> usize {
    // Iterative: the value may be deep, and this check must not overflow.
    let mut max = 0;
    let mut stack = vec![(v, 1usize)];
    while let Some((v, d)) = stack.pop() {
        max = max.max(d);
        match v {
            serde_json::Value::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
            serde_json::Value::Object(o) => stack.extend(o.values().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    max
}

/// Reader-visible text of every content document (not the nav), each
/// parsed as XML on the way: text nodes and `alt` attributes.
pub fn epub_visible_text(bytes: &[u8]) -> Result<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("EPUB is not a zip: {e}"))?;
    let mut all = String::new();
    for i in 0..archive.len() {
        let mut f = archive
            .by_index(i)
            .map_err(|e| format!("EPUB entry {i}: {e}"))?;
        let name = f.name().to_string();
        if !name.ends_with(".xhtml") && !name.ends_with(".opf") && !name.ends_with(".ncx") {
            continue;
        }
        let mut src = String::new();
        f.read_to_string(&mut src)
            .map_err(|e| format!("{name}: {e}"))?;
        let opts = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(&src, opts)
            .map_err(|e| format!("{name} is not well-formed XML: {e}\n{src}"))?;
        if !name.ends_with(".xhtml") || name.ends_with("nav.xhtml") {
            continue;
        }
        for node in doc.descendants() {
            if let Some(text) = node.text().filter(|_| node.is_text()) {
                all.push_str(text);
                all.push(' ');
            } else if let Some(alt) = node.attribute("alt") {
                all.push_str(alt);
                all.push(' ');
            }
        }
    }
    Ok(all)
}
