//! The EPUB e-reader edition: IR → XHTML content documents → EPUB 3.
//!
//! Layout of a book (all under `OEBPS/`): `title.xhtml` (title page),
//! `chapter-N.xhtml` (the body, split at level-1/2 headings when long),
//! `notes.xhtml` (footnotes as EPUB 3 notes, when the post has any),
//! `images/` (local images embedded), `cover.png` (the cover image),
//! `stylesheet.css`, `nav.xhtml`, `toc.ncx` and `content.opf`.
//!
//! This module owns one post's way through: [`render`] and [`render_part`]
//! (also used by the packet book). The rooms: `chapters` (where the body
//! splits, heading ids, the navigation), `body` (blocks and inlines as
//! XHTML), `documents` (the XHTML documents around them: title page,
//! notes, direction), `images`, `xhtml` (escaping and ids), `cover` (the
//! cover image, typeset or chosen), `metadata` (creators, publisher,
//! collections) and `package` (epub-builder and the reproducible zip).

mod body;
mod chapters;
pub mod cover;
pub(crate) mod documents;
mod images;
pub(crate) mod metadata;
mod package;
pub mod xhtml;

use crate::diag::Diagnostic;
use crate::ir::Post;
use crate::write::epub::xhtml::{Out, xml_clean};
use crate::write::{Context, Rendered};
use body::{BodyWriter, NOTES_FILE};
use chapters::{assign_ids, navigation, plan_chapters};
use documents::{render_notes, render_title_page};
use images::Images;
use package::assemble;

pub(crate) use chapters::Nav;
pub(crate) use documents::{contents_title, document, is_rtl, notes_title, stylesheet};
pub use package::book_uuid;
pub(crate) use package::{HeldImages, accessibility_metadata, finish_package, new_book};

const TITLE_FILE: &str = "title.xhtml";

/// Renders one post as an EPUB 3 book. Pure: the stylesheet and the
/// post's images come through `ctx.resources`, its one sandbox.
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
    let marking = post
        .meta
        .marking
        .as_deref()
        .map(crate::write::shared::marking::printed);
    let cover = post_cover(
        post,
        ctx,
        &lang,
        &title,
        marking.as_deref(),
        &mut w.warnings,
    )?;
    let metadata = post_metadata(post, ctx, &mut w.warnings);
    let bytes = assemble(
        post, ctx, &lang, &title, title_page, docs, notes, nav, &css, &cover, &metadata, &mut w,
    )
    .map_err(|e| {
        Diagnostic::error(format!("could not assemble the EPUB: {e}")).in_file(&post.source)
    })?;
    Ok(Rendered {
        bytes,
        warnings: std::mem::take(&mut w.warnings),
    })
}

/// The cover of a post's own book: its `cover:` image, else one typeset
/// with its title, subtitle, the organisation, its date and `marking`.
pub(crate) fn post_cover(
    post: &Post,
    ctx: &Context,
    lang: &str,
    title: &str,
    marking: Option<&str>,
    warnings: &mut Vec<crate::diag::Diagnostic>,
) -> Result<cover::CoverImage, Diagnostic> {
    let text = cover::CoverText {
        title: title.to_string(),
        subtitle: post.meta.subtitle.clone(),
        organisation: ctx.config.project.organisation.clone(),
        date: post
            .meta
            .date
            .as_ref()
            .map(|d| crate::read::dates::written(d.day, lang)),
        marking: marking.map(str::to_string),
        kind: "brief",
        lang: lang.to_string(),
    };
    let chosen = post
        .meta
        .extra
        .iter()
        .find(|(key, _)| key == "cover")
        .and_then(|(_, v)| v.as_str())
        .map(|src| cover::Chosen {
            src,
            folder: ctx.resources.post_dir(&post.source),
            named_in: &post.source,
        });
    cover::cover(
        ctx,
        crate::write::pdf::compile::Subject::Post(post.source.clone()),
        &text,
        chosen,
        warnings,
    )
}

/// Creators from the authors (else the organisation), the organisation as
/// publisher, and the
/// packets the post is a brief of as collections.
fn post_metadata(
    post: &Post,
    ctx: &Context,
    warnings: &mut Vec<crate::diag::Diagnostic>,
) -> metadata::BookMetadata {
    let organisation = ctx.config.organisation();
    let mut creators = metadata::creators(&post.meta.authors, &post.source, warnings);
    if creators.is_empty() {
        // A brief that names nobody is the organisation's own work (its
        // corporate author, as a catalogue records it).
        creators.extend(organisation.map(|name| metadata::Creator {
            name: xhtml::xml_clean(name).0,
            role: "aut",
        }));
    }
    metadata::BookMetadata {
        creators,
        publisher: organisation.map(str::to_string),
        collections: ctx
            .collections
            .get(&post.meta.slug)
            .cloned()
            .unwrap_or_default(),
        other_languages: Vec::new(),
    }
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
        out.raw("<section epub:type=\"bodymatter chapter\" role=\"doc-chapter\">\n");
        documents::marking_line(&mut out, post);
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

pub(crate) fn chapter_file(prefix: &str, i: usize) -> String {
    format!("{prefix}chapter-{}.xhtml", i + 1)
}
