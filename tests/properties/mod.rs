//! The "nothing lost, nothing let in" properties of one post, shared by the
//! property tests (`tests/hostile.rs`) and the fuzz target
//! (`fuzz/fuzz_targets/editions.rs`, which includes this file by path).
//!
//! For any bytes: reading never panics. For a post that reads: the e-mail
//! text keeps every word (`brief::write::shared::survival`); the EPUB opens as a zip, every
//! XHTML file in it is well-formed XML and together they keep every word;
//! the PDF data is JSON that Typst's `json()` accepts (nesting below its
//! limit) and the fixed main file parses with `typst-syntax`.

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

/// Checks every property for one post; `Err` says which one broke.
pub fn check_bytes(bytes: &[u8]) -> Result<(), String> {
    let Ok(read) = brief::read::parse_post(Path::new("prop.md"), bytes, "en") else {
        return Ok(()); // refused with a diagnostic: allowed
    };
    let post = read.post;
    let expected = reader_text(&post);

    let mail = text::render_text(&post, 72);
    let missing = missing_words(&expected, &mail);
    if !missing.is_empty() {
        return Err(format!("e-mail text lost {missing:?}\n--- text\n{mail}"));
    }

    let ctx = context();
    let book = epub::render(&post, &ctx).map_err(|d| format!("EPUB failed: {d}"))?;
    let visible = epub_visible_text(&book.bytes)?;
    let missing = missing_words(&expected, &visible);
    if !missing.is_empty() {
        return Err(format!("EPUB lost {missing:?}\n--- visible\n{visible}"));
    }

    check_pdf_data(&post, &ctx)?;
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
