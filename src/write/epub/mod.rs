//! The EPUB e-reader edition: IR → XHTML content documents → EPUB 3.
//!
//! Layout of a book (all under `OEBPS/`): `title.xhtml` (title page),
//! `chapter-N.xhtml` (the body, split at level-1/2 headings when long),
//! `notes.xhtml` (footnotes as EPUB 3 notes, when the post has any),
//! `images/` (local images embedded), `stylesheet.css`, `nav.xhtml`,
//! `toc.ncx` and `content.opf`.
//!
//! The XHTML is ours (see `body` and `xhtml`); `epub-builder` writes the
//! package, navigation and zip. What epub-builder 0.8.2 cannot express is
//! added afterwards by [`finish_package`], which rewrites three generated
//! files with exact, checked substitutions: the language on the package,
//! nav and NCX roots, and the accessibility metadata. Every timestamp is
//! fixed (zip entries 1980-01-01, dates from the post or
//! `SOURCE_DATE_EPOCH`), and the identifier is a v5 UUID of the slug, so
//! two builds of the same post are byte-identical.

mod body;
mod images;
pub mod xhtml;

use crate::diag::Diagnostic;
use crate::ir::{Block, Inline, Post};
use crate::write::epub::xhtml::{Out, escape, slug, xml_clean, xml_id};
use crate::write::shared::html_text;
use crate::write::{Context, Rendered};
use body::{BodyWriter, NOTES_FILE};
use chrono::{DateTime, NaiveDate, Utc};
use epub_builder::{
    EpubBuilder, EpubContent, EpubVersion, MetadataOpfV3, ReferenceType, TocElement, ZipLibrary,
};
use images::Images;
use std::collections::HashSet;
use std::io::{Cursor, Read, Write};

/// Namespace for the book identifier: `uuid_v5(NAMESPACE_URL, "brief:epub:" + slug)`.
const ID_PREFIX: &str = "brief:epub:";

const TITLE_FILE: &str = "title.xhtml";

/// Renders one post as an EPUB 3 book. Pure apart from reading the
/// project's stylesheet and the post's own images (never anything outside
/// the project folder).
pub fn render(post: &Post, ctx: &Context) -> Result<Rendered, Diagnostic> {
    let Part {
        lang,
        title,
        title_page,
        docs,
        notes,
        nav,
        mut w,
        ..
    } = render_part(post, ctx, "", true);
    let css = stylesheet(ctx, &mut w.warnings);
    let bytes = assemble(
        post, ctx, &lang, &title, title_page, docs, notes, nav, &css, &mut w,
    )
    .map_err(|e| {
        Diagnostic::error(format!("could not assemble the EPUB: {e}")).in_file(&post.source)
    })?;
    Ok(Rendered {
        bytes,
        warnings: std::mem::take(&mut w.warnings),
    })
}

/// One post's content documents, ready to be packaged: alone (prefix
/// `""`) or as part of a packet book, where `prefix` keeps its file
/// names, ids of files and images apart from the other briefs'.
pub(crate) struct Part<'a> {
    pub lang: String,
    pub title: String,
    pub title_file: String,
    pub title_page: String,
    pub docs: Vec<(String, String)>,
    /// The notes document (named `w.notes_file`), when the post has any.
    pub notes: Option<String>,
    pub nav: Nav,
    pub w: BodyWriter<'a>,
}

/// Without a title page (`title_page: false`, for a packet's cover
/// letter) the title is the first chapter's heading instead.
pub(crate) fn render_part<'a>(
    post: &'a Post,
    ctx: &'a Context,
    prefix: &str,
    title_page: bool,
) -> Part<'a> {
    let lang = book_language(post, ctx);
    let (title, title_dropped) = book_title(post);
    let plan = plan_chapters(&post.body, ctx.config.epub.split_chars);

    let mut images = Images::new(&ctx.resources, ctx.resources.post_dir(&post.source));
    images.prefix = prefix.to_string();
    let mut w = BodyWriter::new(post, ctx.config.project.base_url.as_deref(), images);
    w.notes_file = format!("{prefix}{NOTES_FILE}");
    w.add_dropped(title_dropped + metadata_dropped(post));
    assign_ids(post, &plan, &mut w, prefix);

    let mut docs: Vec<(String, String)> = Vec::new();
    for (i, range) in plan.iter().enumerate() {
        w.current_file = chapter_file(prefix, i);
        let mut out = Out::default();
        out.raw("<section epub:type=\"bodymatter chapter\">\n");
        if i == 0 && !title_page {
            out.raw("<h1>");
            out.text(&title);
            out.raw("</h1>\n");
        }
        w.blocks(&mut out, &post.body[range.clone()]);
        out.raw("</section>\n");
        w.count_dropped(&mut out);
        docs.push((w.current_file.clone(), document(&lang, &title, &out.buf)));
    }
    let notes = render_notes(post, &mut w, &lang, &title);

    let mut nav = navigation(post, &plan, &w, &title, prefix);
    let title_file = if title_page {
        format!("{prefix}{TITLE_FILE}")
    } else {
        chapter_file(prefix, 0)
    };
    nav.title.url = title_file.clone();
    let title_page = if title_page {
        render_title_page(post, ctx, &mut w, &lang, &title)
    } else {
        String::new()
    };
    w.summary_warnings();
    Part {
        lang,
        title,
        title_file,
        title_page,
        docs,
        notes,
        nav,
        w,
    }
}

/// The post's language when it is a usable tag, else the project's.
fn book_language(post: &Post, ctx: &Context) -> String {
    let lang = post.meta.lang.trim();
    if crate::ir::is_language_tag(lang) {
        lang.to_string()
    } else {
        ctx.config.project.lang.clone()
    }
}

/// The title with forbidden characters dropped (and how many), or the
/// slug when nothing is left.
fn book_title(post: &Post) -> (String, usize) {
    let (title, dropped) = xml_clean(post.meta.title.trim());
    if title.trim().is_empty() {
        (post.meta.slug.clone(), dropped)
    } else {
        (title, dropped)
    }
}

/// Forbidden characters in the metadata only the package carries (tags);
/// the title page counts its own.
fn metadata_dropped(post: &Post) -> usize {
    post.meta.tags.iter().map(|t| xml_clean(t).1).sum()
}

pub(crate) fn is_rtl(lang: &str) -> bool {
    let primary = lang.split('-').next().unwrap_or("").to_ascii_lowercase();
    matches!(
        primary.as_str(),
        "ar" | "he" | "fa" | "ur" | "yi" | "ps" | "sd" | "ug" | "dv"
    )
}

fn chapter_file(prefix: &str, i: usize) -> String {
    format!("{prefix}chapter-{}.xhtml", i + 1)
}

// ---------------------------------------------------------------------------
// Chapters and ids

/// Splits the body into chapters (ranges of top-level blocks). A body
/// longer than `split_chars` characters starts a new chapter at each
/// heading of its top level, when that level is 1 or 2.
fn plan_chapters(body: &[Block], split_chars: usize) -> Vec<std::ops::Range<usize>> {
    let total: usize = body.iter().map(block_len).sum();
    let top = top_heading_level(body);
    let mut ranges = Vec::new();
    let mut start = 0;
    if split_chars > 0 && total > split_chars && top.is_some_and(|l| l <= 2) {
        for (i, b) in body.iter().enumerate() {
            if let Block::Heading { level, .. } = b {
                if Some(*level) == top && i > start {
                    ranges.push(start..i);
                    start = i;
                }
            }
        }
    }
    ranges.push(start..body.len());
    ranges
}

fn top_heading_level(body: &[Block]) -> Option<u8> {
    body.iter()
        .filter_map(|b| match b {
            Block::Heading { level, .. } => Some(*level),
            _ => None,
        })
        .min()
}

fn block_len(b: &Block) -> usize {
    match b {
        Block::Heading { content, .. } | Block::Paragraph { content } => inline_len(content),
        Block::List { items, .. } => items.iter().flat_map(|i| &i.body).map(block_len).sum(),
        Block::Quote { body, .. } => body.iter().map(block_len).sum(),
        Block::Code { text, .. } => text.len(),
        Block::Table { head, rows, .. } => head
            .iter()
            .chain(rows.iter().flatten())
            .map(|c| inline_len(c))
            .sum(),
        Block::Rule => 0,
        Block::Html { html } => html.len(),
    }
}

fn inline_len(inlines: &[Inline]) -> usize {
    crate::ir::plain_text(inlines).len()
}

/// Plain text of inlines for titles and the navigation: raw HTML reduced
/// by the raw-HTML rule, forbidden characters dropped, space collapsed.
fn title_text(inlines: &[Inline]) -> String {
    let mut s = String::new();
    push_title_text(inlines, &mut s);
    let (clean, _) = xml_clean(&s);
    html_text::collapse_ws(&clean)
}

fn push_title_text(inlines: &[Inline], s: &mut String) {
    for i in inlines {
        match i {
            Inline::Text { text } | Inline::Code { text } => s.push_str(text),
            Inline::Html { html } => s.push_str(&html_text::one_line(html)),
            Inline::Emph { content }
            | Inline::Strong { content }
            | Inline::Strike { content }
            | Inline::Link { content, .. } => push_title_text(content, s),
            Inline::Image { alt, .. } => s.push_str(alt),
            Inline::FootnoteRef { .. } => {}
            Inline::SoftBreak | Inline::HardBreak => s.push(' '),
        }
    }
}

/// Gives every heading a unique XML id and records which names a link may
/// use to reach it: the author's id, the generated id, the GitHub slug.
fn assign_ids(post: &Post, plan: &[std::ops::Range<usize>], w: &mut BodyWriter, prefix: &str) {
    let mut used: HashSet<String> = HashSet::new();
    for (i, range) in plan.iter().enumerate() {
        for b in &post.body[range.clone()] {
            visit_headings(b, &chapter_file(prefix, i), &mut used, w);
        }
    }
    let notes_file = w.notes_file.clone();
    for note in &post.footnotes {
        for b in &note.body {
            visit_headings(b, &notes_file, &mut used, w);
        }
    }
}

fn visit_headings(b: &Block, file: &str, used: &mut HashSet<String>, w: &mut BodyWriter) {
    match b {
        Block::Heading { id, content, .. } => {
            let text = title_text(content);
            let auto = slug(&text);
            let wanted = id
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or(&auto);
            let mut base = xml_id(wanted);
            // Our own footnote ids must stay unique.
            if base.starts_with("fn-") || base.starts_with("fnref-") {
                base.insert_str(0, "h-");
            }
            let mut candidate = base.clone();
            let mut n = 1;
            while used.contains(&candidate) {
                n += 1;
                candidate = format!("{base}-{n}");
            }
            used.insert(candidate.clone());
            let anchor = (file.to_string(), candidate.clone());
            for alias in [id.clone().unwrap_or_default(), auto, candidate.clone()] {
                if !alias.is_empty() {
                    w.anchors.entry(alias).or_insert_with(|| anchor.clone());
                }
            }
            w.heading_ids.insert(b as *const Block, candidate);
        }
        Block::List { items, .. } => {
            for item in items {
                for b in &item.body {
                    visit_headings(b, file, used, w);
                }
            }
        }
        Block::Quote { body, .. } => {
            for b in body {
                visit_headings(b, file, used, w);
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// Navigation

/// The table of contents: the title page is the root entry; the headings
/// of the first chapter are its children, later chapters follow as its
/// children too (each with its own headings nested by level), and the
/// notes are a sibling of the title.
pub(crate) struct Nav {
    pub title: TocElement,
    pub chapters: Vec<Option<TocElement>>,
}

fn navigation(
    post: &Post,
    plan: &[std::ops::Range<usize>],
    w: &BodyWriter,
    title: &str,
    prefix: &str,
) -> Nav {
    let min = top_heading_level(&post.body).unwrap_or(1);
    let entry = |b: &Block, file: &str| -> Option<TocElement> {
        let Block::Heading { level, content, .. } = b else {
            return None;
        };
        let text = title_text(content);
        let id = w.heading_ids.get(&(b as *const Block))?;
        (!text.is_empty()).then(|| {
            TocElement::new(format!("{file}#{id}"), text).level(i32::from(level - min) + 2)
        })
    };
    let mut root = TocElement::new(format!("{prefix}{TITLE_FILE}"), title).level(1);
    let mut chapters = Vec::new();
    for (i, range) in plan.iter().enumerate() {
        let file = chapter_file(prefix, i);
        let blocks = &post.body[range.clone()];
        if i == 0 {
            for b in blocks {
                if let Some(e) = entry(b, &file) {
                    root.add(e);
                }
            }
            chapters.push(None);
            continue;
        }
        // Later chapters start with their split heading.
        let mut it = blocks.iter();
        let mut head = it
            .next()
            .and_then(|b| entry(b, &file))
            .map(|e| TocElement {
                url: file.clone(),
                ..e
            })
            .unwrap_or_else(|| TocElement::new(file.clone(), title).level(2));
        for b in it {
            if let Some(e) = entry(b, &file) {
                head.add(e);
            }
        }
        chapters.push(Some(head));
    }
    Nav {
        title: root,
        chapters,
    }
}

// ---------------------------------------------------------------------------
// Documents

/// A complete XHTML content document around `body`.
pub(crate) fn document(lang: &str, title: &str, body: &str) -> String {
    let dir = if is_rtl(lang) { " dir=\"rtl\"" } else { "" };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n\
<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" xml:lang=\"{lang}\" lang=\"{lang}\"{dir}>\n\
<head>\n<meta charset=\"utf-8\"/>\n<title>{title}</title>\n\
<link rel=\"stylesheet\" type=\"text/css\" href=\"stylesheet.css\"/>\n</head>\n<body>\n{body}</body>\n</html>\n",
        lang = escape(lang),
        title = escape(title),
    )
}

fn render_title_page(
    post: &Post,
    ctx: &Context,
    w: &mut BodyWriter,
    lang: &str,
    title: &str,
) -> String {
    let meta = &post.meta;
    let mut out = Out::default();
    out.raw("<section epub:type=\"titlepage\" class=\"titlepage\">\n<h1 class=\"title\">");
    out.text(title);
    out.raw("</h1>\n");
    if let Some(sub) = meta.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        out.raw("<p class=\"subtitle\">");
        out.text(sub);
        out.raw("</p>\n");
    }
    let authors: Vec<&str> = meta
        .authors
        .iter()
        .map(|a| a.name.trim())
        .filter(|n| !n.is_empty())
        .collect();
    if !authors.is_empty() {
        out.raw("<p class=\"authors\">");
        out.text(&authors.join(", "));
        out.raw("</p>\n");
    }
    if let Some(date) = &meta.date {
        out.raw("<p class=\"date\"><time");
        out.attribute("datetime", &date.day.format("%Y-%m-%d").to_string());
        out.raw(">");
        out.text(&crate::read::dates::written(date.day, lang));
        out.raw("</time></p>\n");
    }
    if let Some(org) = ctx
        .config
        .project
        .organisation
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        out.raw("<p class=\"organisation\">");
        out.text(org);
        out.raw("</p>\n");
    }
    if let Some(summary) = meta.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        out.raw("<p class=\"summary\">");
        out.text(summary);
        out.raw("</p>\n");
    }
    out.raw("</section>\n");
    w.count_dropped(&mut out);
    document(lang, title, &out.buf)
}

/// `notes.xhtml`: every footnote as an `aside` EPUB readers can pop up,
/// with a link back to each place it is referenced.
fn render_notes(post: &Post, w: &mut BodyWriter, lang: &str, title: &str) -> Option<String> {
    if post.footnotes.is_empty() {
        return None;
    }
    w.current_file = w.notes_file.clone();
    let mut out = Out::default();
    out.raw("<section epub:type=\"footnotes\" class=\"notes\">\n<h1>");
    out.text(notes_title(lang));
    out.raw("</h1>\n");
    // Bodies first: a reference inside a later note needs a back link in
    // an earlier one.
    let bodies: Vec<String> = post
        .footnotes
        .iter()
        .map(|note| {
            let mut body = Out::default();
            w.blocks(&mut body, &note.body);
            body.buf
        })
        .collect();
    for (note, body) in post.footnotes.iter().zip(bodies) {
        out.raw("<aside epub:type=\"footnote\" role=\"doc-footnote\"");
        out.attribute("id", &format!("fn-{}", note.number));
        out.raw(&format!("><p class=\"note-number\">{}</p>\n", note.number));
        out.raw(&body);
        let refs = w.note_refs.get(&note.number).cloned().unwrap_or_default();
        if !refs.is_empty() {
            out.raw("<p class=\"note-back\">");
            for (file, id) in &refs {
                out.raw("<a role=\"doc-backlink\"");
                out.attribute("aria-label", back_label(lang));
                let href = if *file == w.notes_file {
                    format!("#{id}")
                } else {
                    format!("{file}#{id}")
                };
                out.attribute("href", &href);
                out.raw(">\u{21A9}\u{FE0E}</a> ");
            }
            out.raw("</p>\n");
        }
        out.raw("</aside>\n");
    }
    out.raw("</section>\n");
    w.count_dropped(&mut out);
    Some(document(lang, title, &out.buf))
}

pub(crate) fn notes_title(lang: &str) -> &'static str {
    match lang.split('-').next().unwrap_or("") {
        "ko" => "주석",
        "ja" => "注",
        "zh" => "注释",
        "de" => "Anmerkungen",
        "fr" => "Notes",
        "es" => "Notas",
        "pt" => "Notas",
        "it" => "Note",
        "nl" => "Noten",
        _ => "Notes",
    }
}

/// Accessible name of a footnote's back link (its text is only `↩`).
fn back_label(lang: &str) -> &'static str {
    match lang.split('-').next().unwrap_or("") {
        "ko" => "본문으로 돌아가기",
        "ja" => "本文に戻る",
        "zh" => "返回正文",
        "de" => "Zurück zum Text",
        "fr" => "Retour au texte",
        "es" => "Volver al texto",
        "pt" => "Voltar ao texto",
        "it" => "Torna al testo",
        "nl" => "Terug naar de tekst",
        _ => "Back to the text",
    }
}

pub(crate) fn contents_title(lang: &str) -> &'static str {
    match lang.split('-').next().unwrap_or("") {
        "ko" => "차례",
        "ja" => "目次",
        "zh" => "目录",
        "de" => "Inhalt",
        "fr" => "Table des matières",
        "es" => "Índice",
        "pt" => "Sumário",
        "it" => "Indice",
        "nl" => "Inhoud",
        _ => "Contents",
    }
}

pub(crate) fn stylesheet(ctx: &Context, warnings: &mut Vec<Diagnostic>) -> String {
    let file = ctx.resources.template("epub.css");
    if let Some(problem) = file.problem {
        warnings.push(
            Diagnostic::warning(format!("{problem}; using the built-in EPUB stylesheet"))
                .in_file(ctx.templates_dir().join("epub.css")),
        );
    }
    String::from_utf8_lossy(&file.bytes).into_owned()
}

// ---------------------------------------------------------------------------
// Metadata and assembly

/// A name-based (v5) UUID of the slug: the same post always gets the same
/// identifier.
pub fn book_uuid(slug: &str) -> uuid::Uuid {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("{ID_PREFIX}{slug}").as_bytes(),
    )
}

/// Last modification: a `lastmod`/`updated`/`modified` front-matter date,
/// else the post's date, else `SOURCE_DATE_EPOCH`, else the Unix epoch —
/// never the clock.
fn modified_date(post: &Post, ctx: &Context) -> DateTime<Utc> {
    let from_extra = post
        .meta
        .extra
        .iter()
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "lastmod" | "updated" | "modified" | "last_modified"
            )
        })
        .filter_map(|(_, v)| v.as_str())
        .find_map(parse_date);
    from_extra
        .or_else(|| post.meta.date.as_ref().map(post_datetime))
        .or_else(|| {
            ctx.source_date_epoch
                .and_then(|s| DateTime::from_timestamp(s, 0))
        })
        .unwrap_or(DateTime::UNIX_EPOCH)
}

fn post_datetime(d: &crate::ir::PostDate) -> DateTime<Utc> {
    d.datetime
        .map(|dt| dt.with_timezone(&Utc))
        .unwrap_or_else(|| {
            d.day
                .and_hms_opt(0, 0, 0)
                .expect("midnight exists")
                .and_utc()
        })
}

fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
        })
}

pub(crate) fn meta(property: &str, content: &str) -> Box<MetadataOpfV3> {
    Box::new(MetadataOpfV3::new(property.to_string(), escape(content)))
}

#[allow(clippy::too_many_arguments)]
fn assemble(
    post: &Post,
    ctx: &Context,
    lang: &str,
    title: &str,
    title_page: String,
    docs: Vec<(String, String)>,
    notes: Option<String>,
    nav: Nav,
    css: &str,
    w: &mut BodyWriter,
) -> Result<Vec<u8>, String> {
    let err = |e: epub_builder::Error| e.to_string();
    let mut b = EpubBuilder::new(ZipLibrary::new().map_err(err)?).map_err(err)?;
    b.epub_version(EpubVersion::V33);
    if is_rtl(lang) {
        b.epub_direction(epub_builder::PageDirection::Rtl);
    }
    b.set_title(title);
    b.metadata("lang", lang).map_err(err)?;
    b.metadata("generator", "brief").map_err(err)?;
    b.metadata("toc_name", contents_title(lang)).map_err(err)?;
    for a in &post.meta.authors {
        let (name, _) = xml_clean(a.name.trim());
        if !name.is_empty() {
            b.add_author(name);
        }
    }
    for tag in &post.meta.tags {
        let (tag, _) = xml_clean(tag.trim());
        if !tag.is_empty() {
            b.add_subject(tag);
        }
    }
    if let Some(summary) = post.meta.summary.as_deref() {
        let (summary, _) = xml_clean(summary.trim());
        if !summary.is_empty() {
            b.add_description(summary);
        }
    }
    b.set_uuid(book_uuid(&post.meta.slug));
    if let Some(date) = &post.meta.date {
        b.set_publication_date(post_datetime(date));
    }
    b.set_modified_date(modified_date(post, ctx));
    accessibility_metadata(&mut b, w);

    b.stylesheet(css.as_bytes()).map_err(err)?;
    for r in &w.images.embedded {
        b.add_resource(&r.href, r.bytes.as_slice(), r.media_type)
            .map_err(err)?;
    }
    let mut title_entry =
        EpubContent::new(TITLE_FILE, title_page.as_bytes()).reftype(ReferenceType::TitlePage);
    title_entry.toc = nav.title;
    b.add_content(title_entry).map_err(err)?;
    for ((file, xhtml), toc) in docs.iter().zip(nav.chapters) {
        let mut content = EpubContent::new(file.as_str(), xhtml.as_bytes());
        if let Some(toc) = toc {
            content.toc = toc;
        }
        b.add_content(content).map_err(err)?;
    }
    if let Some(notes) = &notes {
        b.add_content(
            EpubContent::new(NOTES_FILE, notes.as_bytes())
                .title(notes_title(lang))
                .reftype(ReferenceType::Notes),
        )
        .map_err(err)?;
    }
    let mut zipped = Vec::new();
    b.generate(&mut zipped).map_err(err)?;
    finish_package(zipped, lang)
}

pub(crate) fn accessibility_metadata(b: &mut EpubBuilder<ZipLibrary>, w: &BodyWriter) {
    let has_images = !w.images.embedded.is_empty();
    b.add_metadata_opf(meta("schema:accessMode", "textual"));
    if has_images {
        b.add_metadata_opf(meta("schema:accessMode", "visual"));
    }
    let sufficient = if has_images && w.images_without_alt > 0 {
        "textual,visual"
    } else {
        "textual"
    };
    b.add_metadata_opf(meta("schema:accessModeSufficient", sufficient));
    let mut features = vec![
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
    ];
    if has_images && w.images_without_alt == 0 {
        features.push("alternativeText");
    }
    for f in features {
        b.add_metadata_opf(meta("schema:accessibilityFeature", f));
    }
    b.add_metadata_opf(meta("schema:accessibilityHazard", "none"));
    b.add_metadata_opf(meta(
        "schema:accessibilitySummary",
        "Reflowable text with a table of contents built from the headings, a logical reading order, \
         footnotes as linked notes, and text alternatives for images; no flashing, sound or motion.",
    ));
    b.add_metadata_opf(meta(
        "dcterms:conformsTo",
        "EPUB Accessibility 1.1 - WCAG 2.1 Level AA",
    ));
}

/// Rewrites the zip epub-builder produced: adds the language to the
/// package, nav and NCX roots (epub-builder 0.8.2 has no way to), and
/// re-stores every entry with fixed timestamps, `mimetype` first and
/// uncompressed. Each substitution must match exactly once, so an
/// epub-builder upgrade that changes its templates fails loudly here.
pub(crate) fn finish_package(zipped: Vec<u8>, lang: &str) -> Result<Vec<u8>, String> {
    use zip::write::SimpleFileOptions;
    let lang = escape(lang);
    let mut archive = zip::ZipArchive::new(Cursor::new(zipped)).map_err(|e| e.to_string())?;
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| e.to_string())?;
        let name = entry.name().to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).map_err(|e| e.to_string())?;
        let data = match name.as_str() {
            "OEBPS/content.opf" => patch(
                data,
                "<package version=\"3.0\" xmlns=\"http://www.idpf.org/2007/opf\" unique-identifier=\"epub-id-1\">",
                &format!(
                    "<package version=\"3.0\" xmlns=\"http://www.idpf.org/2007/opf\" unique-identifier=\"epub-id-1\" xml:lang=\"{lang}\">"
                ),
            )?,
            "OEBPS/nav.xhtml" => {
                let dir = if is_rtl(&lang) { " dir=\"rtl\"" } else { "" };
                patch(
                    data,
                    "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">",
                    &format!(
                        "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" xml:lang=\"{lang}\" lang=\"{lang}\"{dir}>"
                    ),
                )?
            }
            "OEBPS/toc.ncx" => patch(
                data,
                "<ncx version=\"2005-1\" xmlns=\"http://www.daisy.org/z3986/2005/ncx/\">",
                &format!(
                    "<ncx version=\"2005-1\" xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" xml:lang=\"{lang}\">"
                ),
            )?,
            _ => data,
        };
        let method = if name == "mimetype" {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(zip::DateTime::default());
        writer
            .start_file(name, options)
            .map_err(|e| e.to_string())?;
        writer.write_all(&data).map_err(|e| e.to_string())?;
    }
    Ok(writer.finish().map_err(|e| e.to_string())?.into_inner())
}

fn patch(data: Vec<u8>, from: &str, to: &str) -> Result<Vec<u8>, String> {
    let text = String::from_utf8(data).map_err(|e| e.to_string())?;
    if text.matches(from).count() != 1 {
        return Err(format!(
            "epub-builder output changed: expected one {from:?}"
        ));
    }
    Ok(text.replacen(from, to, 1).into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_is_stable_v5() {
        let a = book_uuid("hello");
        assert_eq!(a, book_uuid("hello"));
        assert_eq!(a.get_version_num(), 5);
        assert_ne!(a, book_uuid("hello2"));
    }
}
