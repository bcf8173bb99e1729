//! Finding posts and reading each one, once, into a [`Post`]: bytes to
//! text, front matter to [`Meta`], body to IR, and the fallbacks for title,
//! slug and date that need the body or the file name.

pub mod autolink;
pub mod dates;
pub mod frontmatter;
pub mod known_keys;
pub mod language;
pub mod liquid;
pub mod markdown;
pub mod meta;
pub mod redaction;
pub mod site_engines;
pub mod slugs;
pub mod translations;
pub mod yaml_help;

use crate::diag::Diagnostic;
use crate::ir::{Block, Meta, Post, hex, safe_slug};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Posts larger than this are refused: no brief is 32 MB of text, and the
/// editions hold several copies of a post in memory.
pub const MAX_POST_BYTES: u64 = 32 * 1024 * 1024;

/// Markdown files under `dir`, recursively, sorted by path so builds are
/// reproducible. Hidden files and folders (`.git`, `.obsidian`) are skipped;
/// symlinks are not followed, so a link cannot pull in files from outside.
pub fn discover(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| Diagnostic::error(format!("cannot read folder: {e}")).in_file(&folder))?;
        for entry in entries {
            let entry = entry.map_err(|e| {
                Diagnostic::error(format!("cannot read folder: {e}")).in_file(&folder)
            })?;
            let path = entry.path();
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry
                .file_type()
                .map_err(|e| Diagnostic::error(format!("cannot read: {e}")).in_file(&path))?;
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() && is_markdown(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

pub fn is_markdown(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("md" | "markdown" | "mdx")
    )
}

/// A post read successfully, with the warnings found while reading it.
#[derive(Debug)]
pub struct Read {
    pub post: Post,
    pub warnings: Vec<Diagnostic>,
}

/// Reads and parses one post. `default_lang` applies when the front matter
/// names no language. Every diagnostic names `path`.
pub fn read_post(path: &Path, default_lang: &str) -> Result<Read, Diagnostic> {
    let bytes = crate::files::read_regular(path, MAX_POST_BYTES).map_err(|e| {
        let why = match e {
            crate::files::ReadError::TooLarge { .. } => format!(
                "post is larger than {} MB, the limit",
                MAX_POST_BYTES / (1024 * 1024)
            ),
            e => format!("cannot read: {e}"),
        };
        Diagnostic::error(why).in_file(path)
    })?;
    parse_post(path, &bytes, default_lang)
}

/// Parses a post from its bytes (no file system access).
pub fn parse_post(path: &Path, bytes: &[u8], default_lang: &str) -> Result<Read, Diagnostic> {
    let source_sha256 = hex(&Sha256::digest(bytes));
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
        Diagnostic::error(format!(
            "not valid UTF-8 (first bad byte at offset {offset})"
        ))
        .in_file(path)
        .at(line, None)
        .with_hint("save the file as UTF-8")
    })?;
    let text = frontmatter::normalise(text);
    let in_file = |d: Diagnostic| d.in_file(path);
    let split = frontmatter::split(&text).map_err(in_file)?;
    let mut warnings: Vec<Diagnostic> = split.warnings.into_iter().map(in_file).collect();
    let declared = match &split.front {
        Some(front) => {
            let fields = frontmatter::parse(front).map_err(in_file)?;
            meta::interpret(fields, front).map_err(in_file)?
        }
        None => meta::Declared::default(),
    };
    warnings.extend(declared.warnings.iter().cloned().map(in_file));
    if text.contains('\0') {
        warnings.push(in_file(Diagnostic::warning(
            "the post contains NUL characters; they are replaced by U+FFFD",
        )));
    }
    // Jekyll runs Liquid over the post unless its front matter says not to.
    let liquid_off = declared
        .extra
        .iter()
        .any(|(k, v)| k == "render_with_liquid" && v == &serde_json::Value::Bool(false));
    let liquid = (!liquid_off)
        .then(|| liquid::normalise(&split.body))
        .flatten();
    if let Some((_, notes)) = &liquid {
        warnings.extend(
            notes
                .iter()
                .map(|n| in_file(Diagnostic::warning(n.clone()))),
        );
    }
    let body_source = liquid
        .as_ref()
        .map_or(split.body.as_str(), |(t, _)| t.as_str());
    let engines = site_engines::normalise(body_source);
    if let Some(engines) = &engines {
        warnings.extend(
            engines
                .notes
                .iter()
                .map(|n| in_file(Diagnostic::warning(n.clone()))),
        );
    }
    let body_text = engines.as_ref().map_or(body_source, |e| e.text.as_str());
    let parsed = markdown::parse(body_text, split.body_line);
    warnings.extend(parsed.warnings.into_iter().map(in_file));
    let (mut body, footnotes) =
        redaction::group(parsed.body, parsed.footnotes, body_text, split.body_line)
            .map_err(in_file)?;
    if body.is_empty() && footnotes.is_empty() {
        warnings.push(in_file(Diagnostic::warning("the post has no text")));
    }

    let stem = file_stem_for_slug(path);
    let file_date = crate::read::dates::from_file_stem(&stem);
    let title = match declared.title {
        Some(title) => title,
        None => take_first_h1(&mut body).unwrap_or_else(|| {
            file_date
                .as_ref()
                .map_or(stem.clone(), |(_, rest)| rest.to_string())
        }),
    };
    let slug_source = match &declared.slug {
        Some(slug) => slug.clone(),
        None => file_date
            .as_ref()
            .map_or(stem.clone(), |(_, rest)| rest.to_string()),
    };
    if crate::ir::redact::looks_marked(&slug_source) {
        return Err(in_file(Diagnostic::error(
            "a slug cannot be redacted: it names the output files",
        )));
    }
    let slug = safe_slug(&slug_source);
    if declared.slug.as_deref().is_some_and(|s| s != slug) {
        warnings.push(in_file(Diagnostic::warning(format!(
            "slug {} is not a safe file name; using {}",
            crate::diag::quote(declared.slug.as_deref().unwrap_or_default()),
            crate::diag::quote(&slug)
        ))));
    }
    let (lang, inferred) = language::resolve(declared.lang, &title, &body, default_lang, path);
    warnings.extend(inferred);
    let meta = Meta {
        title,
        slug,
        date: declared.date.or(file_date.map(|(d, _)| d)),
        lang,
        authors: declared.authors,
        tags: declared.tags,
        summary: declared.summary,
        subtitle: declared.subtitle,
        marking: declared.marking,
        draft: declared.draft,
        extra: declared.extra,
    };
    let mut post = Post {
        source: path.to_path_buf(),
        source_sha256,
        meta,
        body,
        footnotes,
    };
    crate::ir::compact::shrink(&mut post);
    redaction::check_post(&post).map_err(|d| {
        // Front matter, alt text, titles: the first line with a marker.
        let line = d.line.or_else(|| redaction::first_marked_line(&text));
        let d = d.in_file(path);
        match line {
            Some(line) => d.at(line, None),
            None => d,
        }
    })?;
    Ok(Read { post, warnings })
}

/// The name a slug falls back to: the file name without extension, or for
/// a Hugo page bundle (`apisix/index.md`) the folder's name.
pub(crate) fn file_stem_for_slug(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem == "index" || stem == "_index" {
        if let Some(folder) = path.parent().and_then(Path::file_name) {
            return folder.to_string_lossy().into_owned();
        }
    }
    stem
}

/// Removes the first top-level level-1 heading and returns its text.
fn take_first_h1(body: &mut Vec<Block>) -> Option<String> {
    let index = body
        .iter()
        .position(|b| matches!(b, Block::Heading { level: 1, .. }))?;
    let Block::Heading { content, .. } = &body[index] else {
        return None;
    };
    let title = crate::ir::plain_text(content).trim().to_string();
    if title.is_empty() {
        return None;
    }
    body.remove(index);
    Some(title)
}

/// Reads posts in parallel. Returns the posts that parsed (in path order),
/// their warnings and the errors, and how many failed.
pub fn read_all(paths: &[PathBuf], default_lang: &str) -> (Vec<Post>, Vec<Diagnostic>, usize) {
    let results: Vec<Result<Read, Diagnostic>> = paths
        .par_iter()
        .map(|p| read_post(p, default_lang))
        .collect();
    let mut posts = Vec::new();
    let mut diagnostics = Vec::new();
    let mut failed = 0;
    for result in results {
        match result {
            Ok(read) => {
                diagnostics.extend(read.warnings);
                posts.push(read.post);
            }
            Err(e) => {
                failed += 1;
                diagnostics.push(e);
            }
        }
    }
    (posts, diagnostics, failed)
}
