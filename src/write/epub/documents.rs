//! The XHTML content documents around the body: the document frame (with
//! the language and its writing direction), the title page and the notes,
//! and the words of the book's own furniture in the post's language.

use super::body::BodyWriter;
use crate::diag::Diagnostic;
use crate::ir::Post;
use crate::write::Context;
use crate::write::epub::xhtml::{Out, escape};
use crate::write::shared::locale;

/// A complete XHTML content document around `body`.
pub(crate) fn document(lang: &str, title: &str, body: &str) -> String {
    let dir = dir_attribute(lang);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n\
<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" xml:lang=\"{lang}\" lang=\"{lang}\"{dir}>\n\
<head>\n<meta charset=\"utf-8\"/>\n<title>{title}</title>\n\
<link rel=\"stylesheet\" type=\"text/css\" href=\"stylesheet.css\"/>\n</head>\n<body>\n{body}</body>\n</html>\n",
        lang = escape(lang),
        title = escape(title),
    )
}

pub(super) fn render_title_page(
    post: &Post,
    ctx: &Context,
    w: &mut BodyWriter,
    lang: &str,
    title: &str,
) -> String {
    let meta = &post.meta;
    let mut out = Out::default();
    out.raw("<section epub:type=\"titlepage\" class=\"titlepage\">\n");
    marking_line(&mut out, post);
    out.raw("<h1 class=\"title\">");
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
    organisation_line(&mut out, ctx);
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
pub(super) fn render_notes(
    post: &Post,
    w: &mut BodyWriter,
    lang: &str,
    title: &str,
) -> Option<String> {
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
    locale::word(lang, locale::NOTES)
}

/// Accessible name of a footnote's back link (its text is only `↩`).
fn back_label(lang: &str) -> &'static str {
    locale::word(lang, locale::BACK_TO_TEXT)
}

pub(crate) fn contents_title(lang: &str) -> &'static str {
    locale::word(lang, locale::CONTENTS)
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

/// Whether `lang` is written right to left: the one rule for the book's
/// documents, its navigation and its package, single post or packet.
pub(crate) fn is_rtl(lang: &str) -> bool {
    crate::ir::script::is_rtl_lang(lang)
}

/// ` dir="rtl"` for a right-to-left language, else nothing.
pub(crate) fn dir_attribute(lang: &str) -> &'static str {
    if is_rtl(lang) { " dir=\"rtl\"" } else { "" }
}

/// A marked post's marking, at the head of its title page and of each
/// chapter (`shared::marking`): a reader who opens any chapter sees it.
pub(crate) fn marking_line(out: &mut Out, post: &Post) {
    if let Some(m) = post.meta.marking.as_deref() {
        out.raw("<p class=\"marking\">");
        out.text(&crate::write::shared::marking::printed(m));
        out.raw("</p>\n");
    }
}

/// The organisation's line on a title page (single books and packets).
pub(crate) fn organisation_line(out: &mut Out, ctx: &Context) {
    if let Some(org) = ctx.config.organisation() {
        out.raw("<p class=\"organisation\">");
        out.text(org);
        out.raw("</p>\n");
    }
}
