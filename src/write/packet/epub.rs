//! A packet as one EPUB book: a cover page (organisation, title, date,
//! marking, the list of briefs), the cover letter, then each brief as its
//! own title page, chapters and notes — written by the single-post EPUB
//! writer (`epub::render_part`) with a per-brief file prefix (`b3-`), so
//! ids, notes and images of different briefs never collide. Navigation is
//! nested: one entry per brief, its headings beneath.
//!
//! Its cover image shows the packet's title, subtitle, organisation, date
//! and marking (or the packet's `cover = "…"` image); its metadata credits
//! the briefs' authors, names the organisation as publisher and declares
//! the packet as the collection its briefs' own books belong to.
//!
//! Reproducible like the single-post books: v5 UUID of the packet name,
//! dates from the packet, fixed zip timestamps (`epub::package::finish_package`).

use super::Packet;
use crate::diag::Diagnostic;
use crate::write::epub::cover::{self, CoverImage, CoverText};
use crate::write::epub::metadata::{self, BookMetadata, Collection, Creator};
use crate::write::epub::xhtml::{Out, xml_clean};
use crate::write::epub::{
    self, HeldImages, Part, accessibility_metadata, document, finish_package, new_book,
    notes_title, stylesheet,
};
use crate::write::{Context, Rendered};
use epub_builder::{EpubBuilder, EpubContent, ReferenceType, TocElement, ZipLibrary};

const COVER_FILE: &str = "cover.xhtml";

pub fn render(packet: &Packet, ctx: &Context) -> Result<Rendered, Diagnostic> {
    let letter_post = super::letter(packet, super::Copy::General);
    let letter = letter_post
        .as_ref()
        .map(|post| epub::render_part(post, ctx, "letter-", false));
    let parts: Vec<Part> = packet
        .briefs
        .iter()
        .enumerate()
        .map(|(i, post)| epub::render_part(post, ctx, &format!("b{}-", i + 1), true))
        .collect();
    let mut warnings = Vec::new();
    let css = stylesheet(ctx, &mut warnings);
    let cover = cover_page(packet, ctx, &parts);
    let image = cover_image(packet, ctx, &mut warnings)?;
    let metadata = packet_metadata(packet, ctx, &parts, letter.as_ref());
    let bytes = assemble(
        packet,
        cover,
        letter.as_ref(),
        &parts,
        &css,
        &image,
        &metadata,
    )
    .map_err(|e| {
        Diagnostic::error(format!(
            "packet {}: could not assemble the EPUB: {e}",
            packet.name
        ))
    })?;
    for part in letter.into_iter().chain(parts) {
        warnings.extend(part.w.warnings);
    }
    Ok(Rendered { bytes, warnings })
}

/// The packet's `cover = "…"` image (inside the project), else one typeset
/// with its title, subtitle, organisation, date and marking.
fn cover_image(
    packet: &Packet,
    ctx: &Context,
    warnings: &mut Vec<Diagnostic>,
) -> Result<CoverImage, Diagnostic> {
    let file = ctx.config.file();
    let text = CoverText {
        title: packet.title.clone(),
        subtitle: packet.subtitle.clone(),
        organisation: ctx.config.project.organisation.clone(),
        date: Some(crate::read::dates::written(packet.day, &packet.lang)),
        marking: packet.marking.clone(),
        kind: "packet",
        lang: packet.lang.clone(),
    };
    let chosen = packet.cover.as_deref().map(|src| cover::Chosen {
        src,
        folder: crate::write::resources::canonical_dir(ctx.resources.project_root()),
        named_in: &file,
    });
    let subject = crate::write::pdf::compile::Subject::Packet {
        name: packet.name.clone(),
        file: file.clone(),
    };
    let mut found = Vec::new();
    let image = cover::cover(ctx, subject, &text, chosen, &mut found)?;
    for w in found {
        warnings.push(if w.message.starts_with("packet ") {
            w
        } else {
            Diagnostic {
                message: format!("packet {}: {}", packet.name, w.message),
                ..w
            }
        });
    }
    Ok(image)
}

/// The briefs' authors as creators (else the organisation, as compiler),
/// the organisation as publisher, the packet as a collection, and the
/// languages of briefs written in another language than the packet.
fn packet_metadata(
    packet: &Packet,
    ctx: &Context,
    parts: &[Part],
    letter: Option<&Part>,
) -> BookMetadata {
    let mut creators: Vec<Creator> = Vec::new();
    for brief in &packet.briefs {
        // Each brief's own book warns about its roles; the packet does
        // not repeat them.
        let mut said = Vec::new();
        for c in metadata::creators(&brief.meta.authors, &brief.source, &mut said) {
            if !creators.contains(&c) {
                creators.push(c);
            }
        }
    }
    let organisation = ctx
        .config
        .organisation()
        .map(|o| xml_clean(o).0)
        .filter(|o| !o.is_empty());
    if creators.is_empty() {
        creators.extend(
            organisation
                .clone()
                .map(|name| Creator { name, role: "com" }),
        );
    }
    let mut other_languages: Vec<String> = Vec::new();
    for part in letter.into_iter().chain(parts) {
        if part.lang != packet.lang && !other_languages.contains(&part.lang) {
            other_languages.push(part.lang.clone());
        }
    }
    BookMetadata {
        creators,
        publisher: organisation,
        collections: vec![Collection {
            title: packet.title.clone(),
            position: None,
        }],
        other_languages,
    }
}

fn cover_page(packet: &Packet, ctx: &Context, parts: &[Part]) -> String {
    let lang = &packet.lang;
    let mut out = Out::default();
    out.raw("<section epub:type=\"titlepage\" class=\"titlepage\">\n");
    if let Some(marking) = &packet.marking {
        out.raw("<p class=\"marking\"><strong>");
        out.text(marking);
        out.raw("</strong></p>\n");
    }
    crate::write::epub::documents::organisation_line(&mut out, ctx);
    out.raw("<h1 class=\"title\">");
    out.text(&packet.title);
    out.raw("</h1>\n");
    if let Some(sub) = &packet.subtitle {
        out.raw("<p class=\"subtitle\">");
        out.text(sub);
        out.raw("</p>\n");
    }
    out.raw("<p class=\"date\"><time");
    out.attribute("datetime", &packet.day.format("%Y-%m-%d").to_string());
    out.raw(">");
    out.text(&crate::read::dates::written(packet.day, lang));
    out.raw("</time></p>\n");
    out.raw("<ol class=\"packet-briefs\">\n");
    for part in parts {
        out.raw("<li><a");
        out.attribute("href", &part.title_file);
        out.raw(">");
        out.text(&part.title);
        out.raw("</a></li>\n");
    }
    out.raw("</ol>\n</section>\n");
    document(lang, &xml_clean(&packet.title).0, &out.buf)
}

fn assemble(
    packet: &Packet,
    cover: String,
    letter: Option<&Part>,
    parts: &[Part],
    css: &str,
    image: &CoverImage,
    metadata: &BookMetadata,
) -> Result<Vec<u8>, String> {
    let err = |e: epub_builder::Error| e.to_string();
    let lang = packet.lang.as_str();
    let (title, _) = xml_clean(&packet.title);
    let mut b = new_book(lang, &title)?;
    for tag in packet.briefs.iter().flat_map(|p| &p.meta.tags) {
        let (tag, _) = xml_clean(tag.trim());
        if !tag.is_empty() {
            b.add_subject(tag);
        }
    }
    if let Some(sub) = &packet.subtitle {
        b.add_description(xml_clean(sub).0);
    }
    b.set_uuid(uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("brief:packet:{}", packet.name).as_bytes(),
    ));
    let day = packet
        .day
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    b.set_publication_date(day);
    b.set_modified_date(day);
    let (mut images, mut without_alt) = (0, 0);
    for part in letter.into_iter().chain(parts) {
        images += part.w.images.embedded.len();
        without_alt += part.w.images_without_alt;
    }
    accessibility_metadata(
        &mut b,
        images,
        without_alt,
        "Reflowable text with a nested table of contents (one entry per brief, its headings beneath), \
         a logical reading order, footnotes as linked notes, and text alternatives for images.",
    );

    b.stylesheet(css.as_bytes()).map_err(err)?;
    let mut held_images = HeldImages::default();
    held_images.add_cover(&mut b, image).map_err(err)?;
    for part in letter.into_iter().chain(parts) {
        for r in &part.w.images.embedded {
            held_images
                .add(&mut b, &r.href, &r.bytes, r.media_type)
                .map_err(err)?;
        }
    }
    b.add_content(
        EpubContent::new(COVER_FILE, cover.as_bytes())
            .title(title.as_str())
            .reftype(ReferenceType::TitlePage),
    )
    .map_err(err)?;
    if let Some(letter) = letter {
        add_part(&mut b, letter, false).map_err(err)?;
    }
    for part in parts {
        add_part(&mut b, part, true).map_err(err)?;
    }
    let mut zipped = Vec::new();
    b.generate(&mut zipped).map_err(err)?;
    finish_package(zipped, lang, metadata, held_images)
}

/// Adds one brief's documents: its title page carries its navigation
/// (headings nested beneath); later chapters and the notes nest under it.
fn add_part(
    b: &mut EpubBuilder<ZipLibrary>,
    part: &Part,
    has_title_page: bool,
) -> epub_builder::Result<()> {
    let mut nav_title = part.nav.title.clone();
    nav_title.level = 1;
    let mut docs = part.docs.iter().zip(part.nav.chapters.iter());
    if has_title_page {
        let mut content = EpubContent::new(part.title_file.as_str(), part.title_page.as_bytes());
        content.toc = nav_title;
        b.add_content(content)?;
    } else if let Some(((file, xhtml), _)) = docs.next() {
        let mut content = EpubContent::new(file.as_str(), xhtml.as_bytes());
        content.toc = nav_title;
        b.add_content(content)?;
    }
    for ((file, xhtml), toc) in docs {
        let mut content = EpubContent::new(file.as_str(), xhtml.as_bytes());
        if let Some(toc) = toc {
            content.toc = toc.clone();
        }
        b.add_content(content)?;
    }
    if let Some(notes) = &part.notes {
        let toc = TocElement::new(part.w.notes_file.as_str(), notes_title(&part.lang)).level(2);
        let mut content = EpubContent::new(part.w.notes_file.as_str(), notes.as_bytes())
            .reftype(ReferenceType::Notes);
        content.toc = toc;
        b.add_content(content)?;
    }
    Ok(())
}
