//! The PDF edition's data model: the IR turned into the JSON the template
//! (`templates/brief.typ`) walks. Post text only ever travels as JSON string
//! values; the template turns them into content with functions, so no post
//! text is ever parsed as Typst markup.
//!
//! Decisions that need Rust are made here, once: heading levels shifted
//! and clamped for PDF/UA, tabs expanded, long words cut into breakable
//! parts ([`breaking`](crate::write::shared::breaking)), links classified
//! (clickable? address printed where?), images checked against the
//! sandbox, raw HTML reduced to text. This file owns the document's
//! top-level record and the converter's state; `blocks`, `inlines`
//! (text, links, notes) and `images` own the rest.

mod blocks;
pub mod budget;
mod images;
mod inlines;
pub use inlines::KOREAN_WORD_JOINER;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};

use crate::config::{LinkStyle, Paper};
use crate::diag::Diagnostic;
use crate::ir::{Block, Post, plain_text};
use crate::write::resources::Resources;
use crate::write::shared::breaking::{BODY, WordLimit, line_parts, shorten};
use crate::write::shared::clean::clean;
use crate::write::shared::notes::Sources;

/// Longest address made clickable; Typst refuses more than 8000 bytes.
const MAX_LINK_URL: usize = 2000;
/// Longest address printed in full; longer ones are shortened with a note.
const MAX_PRINTED_URL: usize = 300;

/// Containers (quotes, lists, emphasis, links, footnote bodies, table
/// cells) nested deeper than this in the PDF data are flattened into their
/// parent, keeping their text. Typst stops at 80 nested function calls and
/// its `json()` at 128 nested values; the template spends up to four calls
/// and three JSON levels per container, so the markdown module's
/// `MAX_DEPTH` (32) is too deep for it, and a chain of footnotes (each note
/// citing the next) is not bounded by `MAX_DEPTH` at all. Regression:
/// 600 nested `>` and 2,000 chained footnotes failed the PDF with "maximum
/// function call depth exceeded" and "recursion limit exceeded".
pub const MAX_PDF_NESTING: usize = 12;

/// A brief with more noted sources than this prints them as numbered
/// endnotes (a marker in the text, the addresses in a Sources section at
/// the end) instead of footnotes. Typst lays a page's column out again for
/// each footnote on it, and list items miss its layout cache: measured
/// with `bench/long_links.py` (release-notes shape, contended 2-core
/// machine), 2,000 footnoted links took 11.5 s and 1.1 GB, 4,000 took
/// 76 s and 2.1 GB. The numbers are the same as in the text edition.
pub const MAX_FOOTNOTED_SOURCES: usize = 1000;

/// Everything the converter needs besides the post.
pub struct ModelOptions<'a> {
    pub links: LinkStyle,
    pub paper: Paper,
    /// Canonical folder of the post; images must resolve inside it.
    pub post_dir: Option<&'a Path>,
    /// The sandbox images are checked against.
    pub resources: &'a Resources,
    /// Font families in order of preference (already filtered to those
    /// available).
    pub body_fonts: Vec<String>,
    pub mono_fonts: Vec<String>,
    pub organisation: Option<&'a str>,
    /// `#rrggbb` of the printed marking (`[project] marking_colour`).
    pub marking_colour: &'a str,
    /// When true, no image is embedded (used to retry after an image that
    /// Typst could not decode).
    pub no_images: bool,
    /// Virtual folder the World serves `post_dir` under: `/post` for a
    /// single brief, `/brief-N` inside a packet.
    pub image_root: &'a str,
    /// Prefix of footnote labels, unique per brief within one document.
    pub note_prefix: &'a str,
}

/// The JSON model plus the warnings found while building it.
pub struct Model {
    pub json: Value,
    pub warnings: Vec<Diagnostic>,
    pub embedded_images: usize,
}

pub fn build(post: &Post, opts: &ModelOptions) -> Model {
    let mut cx = Converter {
        post,
        opts,
        warnings: Vec::new(),
        prev_level: 1,
        min_level: post
            .body
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level, content, .. } if !plain_text(content).trim().is_empty() => {
                    Some((*level).clamp(1, 6))
                }
                _ => None,
            })
            .min()
            .unwrap_or(2),
        notes: post.footnotes.iter().map(|f| (f.number, &f.body)).collect(),
        used_notes: BTreeSet::new(),
        sources: Sources::of(post),
        endnotes: false,
        emitted_sources: BTreeSet::new(),
        in_note: false,
        limit: BODY,
        embedded_images: 0,
        refused_links: BTreeSet::new(),
        depth: 0,
        flattened: false,
    };
    let noted = cx
        .sources
        .external()
        .filter(|s| s.kind == crate::write::shared::notes::Kind::Noted)
        .count();
    let work = budget::footnote_work(&post.body, opts.links);
    let too_many = noted > MAX_FOOTNOTED_SOURCES;
    cx.endnotes =
        (too_many || work > budget::MAX_FOOTNOTE_WORK) && opts.links == LinkStyle::Footnote;
    let mut body: Vec<Value> = cx.blocks(&post.body, true);
    if cx.endnotes {
        if noted > 0 {
            body.extend(endnote_section(&cx.sources, &post.meta.lang));
        }
        let footnotes = post.footnotes.len();
        let what = match (noted, footnotes) {
            (n, 0) => format!("{n} linked sources"),
            (0, f) => format!("{f} footnotes"),
            (n, f) => format!("{n} linked sources and {f} footnotes"),
        };
        let why = if too_many {
            format!("more than {MAX_FOOTNOTED_SOURCES} footnotes")
        } else {
            "this many footnotes inside long lists, quotes or tables".to_string()
        };
        cx.warnings.push(
            Diagnostic::warning(format!(
                "{what}: the PDF prints them at the end, not as footnotes (addresses in a Sources section, notes under Notes): {why} would take minutes and gigabytes to typeset"
            ))
            .in_file(&post.source),
        );
    }
    if crate::ir::script::is_rtl_lang(&post.meta.lang) {
        mark_left_to_right(&mut body);
    }
    let mut unreferenced = Vec::new();
    for f in &post.footnotes {
        if cx.used_notes.contains(&f.number) {
            continue;
        }
        cx.in_note = true;
        let body = cx.blocks(&f.body, false);
        cx.in_note = false;
        unreferenced.push(json!({"number": f.number, "body": body}));
    }

    let meta = &post.meta;
    let title = clean(&meta.title);
    let title = if title.trim().is_empty() {
        meta.slug.clone()
    } else {
        title
    };
    let short_title = meta
        .extra
        .iter()
        .find(|(k, _)| k == "short_title")
        .and_then(|(_, v)| v.as_str())
        .map(clean)
        .unwrap_or_else(|| shorten(&title, 70));
    let (lang, region) = split_lang(&meta.lang);
    let date = meta.date.as_ref().map(|d| {
        use chrono::Datelike;
        json!({
            "year": d.day.year(), "month": d.day.month(), "day": d.day.day(),
            "iso": d.day.format("%Y-%m-%d").to_string(),
            "written": crate::read::dates::written(d.day, &meta.lang),
        })
    });
    let json = json!({
        "title": title,
        "short_title": short_title,
        // The same texts cut into parts where a long word may break (see
        // `line_parts`). Regression: a 47-character word in the title ran
        // off the page and its last letter was lost.
        "title_parts": line_parts(&title),
        "subtitle_parts": meta.subtitle.as_deref().map(|s| line_parts(&clean(s))),
        "summary_parts": meta.summary.as_deref().map(|s| line_parts(&clean(s))),
        // The same texts as text nodes (like a paragraph's), which the
        // default templates set: boxed parts cannot break Chinese or
        // Japanese between characters nor justify it.
        "title_body": inlines::text_nodes(&title),
        "subtitle_body": meta.subtitle.as_deref().map(|s| inlines::text_nodes(&clean(s))),
        "summary_body": meta.summary.as_deref().map(|s| inlines::text_nodes(&clean(s))),
        "subtitle": meta.subtitle.as_deref().map(clean),
        "summary": meta.summary.as_deref().map(clean),
        "date": date,
        "authors": meta.authors.iter().map(|a| clean(&a.name)).collect::<Vec<_>>(),
        "tags": meta.tags.iter().map(|t| clean(t)).collect::<Vec<_>>(),
        "lang": lang,
        "region": region,
        "dir": crate::ir::script::direction(&meta.lang),
        // Every fixed word the template prints, in the post's language
        // (`shared::locale`, the one table of every edition).
        "labels": crate::write::shared::locale::labels(&meta.lang),
        "organisation": opts.organisation.map(clean),
        // Printed top and bottom of every page.
        "marking": meta.marking.as_deref().map(clean),
        "marking_colour": opts.marking_colour,
        "paper": match opts.paper { Paper::A4 => "a4", Paper::UsLetter => "us-letter" },
        "fonts": {"body": opts.body_fonts, "mono": opts.mono_fonts},
        "body": body,
        "notes": unreferenced,
    });
    if let Some(d) = crate::write::shared::links::refused_warning(&cx.refused_links) {
        cx.warnings.push(d.in_file(&post.source));
    }
    Model {
        json,
        warnings: cx.warnings,
        embedded_images: cx.embedded_images,
    }
}

struct Converter<'a> {
    post: &'a Post,
    opts: &'a ModelOptions<'a>,
    warnings: Vec<Diagnostic>,
    /// Level of the previous heading as printed (the title is level 1).
    prev_level: u8,
    /// The post's highest (smallest) heading level: printed as level 2.
    min_level: u8,
    notes: BTreeMap<usize, &'a Vec<Block>>,
    used_notes: BTreeSet<usize>,
    /// The brief's source numbers, shared with every edition.
    sources: Sources,
    /// Source numbers whose note is already printed: later uses refer to
    /// it.
    emitted_sources: BTreeSet<usize>,
    in_note: bool,
    /// Where long words are cut: [`BODY`], or a table cell's limit.
    limit: WordLimit,
    embedded_images: usize,
    /// Addresses the link policy refused (printed as text).
    refused_links: BTreeSet<String>,
    /// Containers open around the value being built (see
    /// [`MAX_PDF_NESTING`]).
    depth: usize,
    flattened: bool,
    /// Sources print as endnotes (see [`MAX_FOOTNOTED_SOURCES`]).
    endnotes: bool,
}

impl Converter<'_> {
    /// True (and warns once) when one more container would nest too deep
    /// for the template: the caller then splices the container's content
    /// into its parent instead.
    fn too_deep(&mut self) -> bool {
        if self.depth < MAX_PDF_NESTING {
            return false;
        }
        if !self.flattened {
            self.flattened = true;
            self.warn(
                format!(
                    "quotes, lists, emphasis or footnotes nested deeper than {MAX_PDF_NESTING} levels are flattened in the PDF (their text is kept)"
                ),
                None,
            );
        }
        true
    }

    /// Runs `f` one container deeper.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        out
    }

    fn warn(&mut self, message: String, line: Option<usize>) {
        let mut d = Diagnostic::warning(message).in_file(&self.post.source);
        if let Some(line) = line {
            d = d.at(line, None);
        }
        self.warnings.push(d);
    }
}

/// The Sources section of a brief whose sources print as endnotes: every
/// noted address after its number, broken like an address.
fn endnote_section(sources: &Sources, lang: &str) -> Vec<Value> {
    let mut out = vec![
        json!({"k": "h", "level": 2, "body": [{"k": "t", "s": crate::write::shared::locale::word(lang, crate::write::shared::locale::SOURCES)}]}),
        json!({"k": "p", "body": [{"k": "t", "s": "The numbers in the text refer to these addresses."}]}),
    ];
    for source in sources
        .external()
        .filter(|s| s.kind == crate::write::shared::notes::Kind::Noted)
    {
        out.push(json!({"k": "p", "body": [
            {"k": "t", "s": format!("[{}] ", source.number)},
            {"k": "w", "parts": crate::write::shared::breaking::address_parts(&source.url, BODY)},
        ]}));
    }
    out
}

/// In a right-to-left post, marks the text set in boxed parts (addresses,
/// long words, compounds: Latin text) `ltr`, so the template isolates it
/// as left to right. Otherwise the line lays the parts out right to left
/// and an address prints in reverse order of its parts ("en.https://www").
fn mark_left_to_right(nodes: &mut [Value]) {
    for node in nodes {
        match node {
            Value::Object(map) => {
                let boxed = matches!(map.get("k").and_then(Value::as_str), Some("w" | "link"));
                if boxed {
                    map.insert("ltr".into(), Value::Bool(true));
                }
                for v in map.values_mut() {
                    if let Value::Array(xs) = v {
                        mark_left_to_right(xs);
                    } else if v.is_object() {
                        mark_left_to_right(std::slice::from_mut(v));
                    }
                }
            }
            Value::Array(xs) => mark_left_to_right(xs),
            _ => {}
        }
    }
}

/// Text (a title, a name) as the body's text nodes, broken by the rules
/// of its script (see `inlines::push_text`).
pub fn text_nodes(text: &str) -> Vec<Value> {
    inlines::text_nodes(text)
}

/// Typst wants an ISO 639 language and an optional ISO 3166 region.
pub fn split_lang(tag: &str) -> (String, Option<String>) {
    let mut parts = tag.split(['-', '_']);
    let lang = parts.next().unwrap_or("en").to_ascii_lowercase();
    let lang = if (2..=3).contains(&lang.len()) && lang.chars().all(|c| c.is_ascii_alphabetic()) {
        lang
    } else {
        "en".to_string()
    };
    let region = parts
        .find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
        .map(|p| p.to_ascii_uppercase());
    (lang, region)
}
