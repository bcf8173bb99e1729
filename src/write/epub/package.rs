//! The package: metadata (identifier, dates, accessibility), the
//! epub-builder call, and the rewrite that makes the zip reproducible.
//!
//! `epub-builder` writes the package, navigation and zip. What 0.8.2
//! cannot express is added afterwards by [`finish_package`], which
//! rewrites three generated files with exact, checked substitutions: the
//! language (and direction) on the package, nav and NCX roots, and the
//! metadata of `metadata` (creators with roles, publisher, collections). Every
//! timestamp is fixed (zip entries 1980-01-01, dates from the post or
//! `SOURCE_DATE_EPOCH`), and the identifier is a v5 UUID of the slug, so
//! two builds of the same post are byte-identical.

use super::body::{BodyWriter, NOTES_FILE};
use super::cover::CoverImage;
use super::documents::dir_attribute;
use super::metadata::BookMetadata;
use super::{Nav, TITLE_FILE, contents_title, is_rtl, notes_title};
use crate::ir::Post;
use crate::write::Context;
use crate::write::epub::xhtml::{escape, xml_clean};
use chrono::{DateTime, NaiveDate, Utc};
use epub_builder::{
    EpubBuilder, EpubContent, EpubVersion, MetadataOpfV3, ReferenceType, ZipLibrary,
};
use std::io::{Cursor, Read, Write};

/// Namespace for the book identifier: `uuid_v5(NAMESPACE_URL, "brief:epub:" + slug)`.
const ID_PREFIX: &str = "brief:epub:";

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
pub(super) fn assemble(
    post: &Post,
    ctx: &Context,
    lang: &str,
    title: &str,
    title_page: String,
    docs: Vec<(String, String)>,
    notes: Option<String>,
    nav: Nav,
    css: &str,
    cover: &CoverImage,
    metadata: &BookMetadata,
    w: &mut BodyWriter,
) -> Result<Vec<u8>, String> {
    let err = |e: epub_builder::Error| e.to_string();
    let mut b = new_book(lang, title)?;
    for tag in &post.meta.tags {
        let (tag, _) = xml_clean(tag.trim());
        if !tag.is_empty() {
            b.add_subject(tag);
        }
    }
    // The lead the summary e-mail and the packet digest print: the
    // front-matter summary, else the first paragraph cut at a sentence.
    if let Some(summary) = crate::write::shared::summary::summary(post) {
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
    accessibility_metadata(
        &mut b,
        w.images.embedded.len(),
        w.images_without_alt,
        "Reflowable text with a table of contents built from the headings, a logical reading order, \
         footnotes as linked notes, and text alternatives for images; no flashing, sound or motion.",
    );

    b.stylesheet(css.as_bytes()).map_err(err)?;
    let mut held_images = HeldImages::default();
    held_images.add_cover(&mut b, cover).map_err(err)?;
    for r in &w.images.embedded {
        held_images
            .add(&mut b, &r.href, &r.bytes, r.media_type)
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
    finish_package(zipped, lang, metadata, held_images)
}

/// The book's images (its cover and every embedded one), whose bytes reach
/// the zip only in [`finish_package`]. epub-builder deflates what it is
/// given, and `finish_package` inflates the whole zip and deflates it
/// again; images are most of a book's bytes (a typeset cover is ~200 KB
/// of a ~250 KB book), so epub-builder gets a short placeholder for each
/// and the image is compressed once. The book is byte for byte the same.
#[derive(Default)]
pub(crate) struct HeldImages<'a> {
    /// Zip name (`OEBPS/…`) and bytes, in the order they were added.
    held: Vec<(String, &'a [u8])>,
}

impl<'a> HeldImages<'a> {
    /// Declares `cover` as the book's cover image (`properties="cover-image"`,
    /// and the EPUB 2 `<meta name="cover">` older readers look for).
    pub(crate) fn add_cover(
        &mut self,
        b: &mut EpubBuilder<ZipLibrary>,
        cover: &'a CoverImage,
    ) -> epub_builder::Result<()> {
        let placeholder = self.hold(&cover.href, &cover.bytes);
        b.add_cover_image(&cover.href, placeholder.as_bytes(), cover.media_type)?;
        Ok(())
    }

    /// Adds an image the book's documents show.
    pub(crate) fn add(
        &mut self,
        b: &mut EpubBuilder<ZipLibrary>,
        href: &str,
        bytes: &'a [u8],
        media_type: &str,
    ) -> epub_builder::Result<()> {
        let placeholder = self.hold(href, bytes);
        b.add_resource(href, placeholder.as_bytes(), media_type)?;
        Ok(())
    }

    /// Keeps `bytes` for `href` and returns what epub-builder gets instead.
    fn hold(&mut self, href: &str, bytes: &'a [u8]) -> String {
        // epub-builder puts every resource under `OEBPS/`.
        let name = format!("OEBPS/{href}");
        let placeholder = placeholder(&name);
        self.held.push((name, bytes));
        placeholder
    }

    /// The bytes held for entry `name`, whose data epub-builder wrote as
    /// `data`; `None` for an entry that is not a held image.
    fn release(&mut self, name: &str, data: &[u8]) -> Result<Option<&'a [u8]>, String> {
        let Some(i) = self.held.iter().position(|(n, _)| n == name) else {
            return Ok(None);
        };
        if data != placeholder(name).as_bytes() {
            return Err(format!(
                "epub-builder output changed: {name} does not hold its placeholder"
            ));
        }
        Ok(Some(self.held.remove(i).1))
    }
}

fn placeholder(name: &str) -> String {
    format!("brief: the bytes of {name} are put here when the book is finished")
}

/// What every book of ours declares first: EPUB 3.3, the title, the
/// language and the direction its pages turn in, which follows the
/// language by the same rule as each document's `dir` ([`is_rtl`]).
pub(crate) fn new_book(lang: &str, title: &str) -> Result<EpubBuilder<ZipLibrary>, String> {
    let err = |e: epub_builder::Error| e.to_string();
    let mut b = EpubBuilder::new(ZipLibrary::new().map_err(err)?).map_err(err)?;
    b.epub_version(EpubVersion::V33);
    // Not `epub_direction`: epub-builder 0.8.2 stores that in a field its
    // template never reads, and the spine said "ltr" for Arabic books.
    let direction = if is_rtl(lang) { "rtl" } else { "ltr" };
    b.metadata("direction", direction).map_err(err)?;
    b.set_title(title);
    b.metadata("lang", lang).map_err(err)?;
    b.metadata("generator", "brief").map_err(err)?;
    b.metadata("toc_name", contents_title(lang)).map_err(err)?;
    Ok(b)
}

/// The accessibility metadata of a book with `images` embedded images,
/// `without_alt` of them lacking alt text; `summary` says what the
/// book offers a reader.
pub(crate) fn accessibility_metadata(
    b: &mut EpubBuilder<ZipLibrary>,
    images: usize,
    without_alt: usize,
    summary: &str,
) {
    b.add_metadata_opf(meta("schema:accessMode", "textual"));
    if images > 0 {
        b.add_metadata_opf(meta("schema:accessMode", "visual"));
    }
    let sufficient = if images > 0 && without_alt > 0 {
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
    if images > 0 && without_alt == 0 {
        features.push("alternativeText");
    }
    for f in features {
        b.add_metadata_opf(meta("schema:accessibilityFeature", f));
    }
    b.add_metadata_opf(meta("schema:accessibilityHazard", "none"));
    b.add_metadata_opf(meta("schema:accessibilitySummary", summary));
    b.add_metadata_opf(meta(
        "dcterms:conformsTo",
        "EPUB Accessibility 1.1 - WCAG 2.1 Level AA",
    ));
}

/// Rewrites the zip epub-builder produced: adds the language to the
/// package, nav and NCX roots (epub-builder 0.8.2 has no way to), puts
/// each of `images` in place of its placeholder, and re-stores every
/// entry with fixed timestamps, `mimetype` first and uncompressed. Each substitution must match exactly once, so an
/// epub-builder upgrade that changes its templates fails loudly here.
pub(crate) fn finish_package(
    zipped: Vec<u8>,
    lang: &str,
    metadata: &BookMetadata,
    mut images: HeldImages,
) -> Result<Vec<u8>, String> {
    use zip::write::SimpleFileOptions;
    let lang = escape(lang);
    let mut archive = zip::ZipArchive::new(Cursor::new(zipped)).map_err(|e| e.to_string())?;
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| e.to_string())?;
        let name = entry.name().to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).map_err(|e| e.to_string())?;
        let image = images.release(&name, &data)?;
        let data = match name.as_str() {
            "OEBPS/content.opf" => {
                let data = patch(
                    data,
                    "<package version=\"3.0\" xmlns=\"http://www.idpf.org/2007/opf\" unique-identifier=\"epub-id-1\">",
                    &format!(
                        "<package version=\"3.0\" xmlns=\"http://www.idpf.org/2007/opf\" unique-identifier=\"epub-id-1\" xml:lang=\"{lang}\">"
                    ),
                )?;
                const MODIFIED: &str = "    <meta property=\"dcterms:modified\">";
                patch(data, MODIFIED, &format!("{}{MODIFIED}", metadata.opf()))?
            }
            "OEBPS/nav.xhtml" => {
                let dir = dir_attribute(&lang);
                let data = patch(
                    data,
                    "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">",
                    &format!(
                        "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" xml:lang=\"{lang}\" lang=\"{lang}\"{dir}>"
                    ),
                )?;
                // The contents get their DPUB role and their heading as
                // name, so assistive technology tells the two navs apart
                // (Ace: epub-type-has-matching-role, landmark-unique); the
                // landmarks are for the reading system, not the page.
                let data = patch(
                    data,
                    "<nav epub:type = \"toc\" id=\"toc\">",
                    "<nav epub:type=\"toc\" id=\"toc\" role=\"doc-toc\" aria-labelledby=\"toc-title\">",
                )?;
                patch(
                    data,
                    "<nav epub:type = \"landmarks\">",
                    "<nav epub:type=\"landmarks\" hidden=\"hidden\">",
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
        writer
            .write_all(image.unwrap_or(&data))
            .map_err(|e| e.to_string())?;
    }
    if let Some((name, _)) = images.held.first() {
        return Err(format!("epub-builder output changed: no {name} in the zip"));
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

    /// A book with `cover` and one image, finished.
    fn finished(cover: &CoverImage, image: &[u8]) -> zip::ZipArchive<Cursor<Vec<u8>>> {
        let mut b = new_book("en", "T").unwrap();
        b.add_content(EpubContent::new("a.xhtml", &b"<p>a</p>"[..]))
            .unwrap();
        let mut held = HeldImages::default();
        held.add_cover(&mut b, cover).unwrap();
        held.add(&mut b, "images/1.png", image, "image/png")
            .unwrap();
        let mut zipped = Vec::new();
        b.generate(&mut zipped).unwrap();
        let book = finish_package(zipped, "en", &BookMetadata::default(), held).unwrap();
        zip::ZipArchive::new(Cursor::new(book)).unwrap()
    }

    fn entry(archive: &mut zip::ZipArchive<Cursor<Vec<u8>>>, name: &str) -> Vec<u8> {
        let mut data = Vec::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_end(&mut data)
            .unwrap();
        data
    }

    #[test]
    fn held_images_reach_the_finished_book_whole() {
        let cover = CoverImage {
            href: "cover.png".into(),
            media_type: "image/png",
            bytes: (0..=255u8).cycle().take(70_000).collect(),
        };
        let image: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut archive = finished(&cover, &image);
        assert_eq!(entry(&mut archive, "OEBPS/cover.png"), cover.bytes);
        assert_eq!(entry(&mut archive, "OEBPS/images/1.png"), image);
        assert_eq!(archive.by_index(0).unwrap().name(), "mimetype");
        let opf = String::from_utf8(entry(&mut archive, "OEBPS/content.opf")).unwrap();
        assert!(
            opf.contains("cover.png") && opf.contains("images/1.png"),
            "{opf}"
        );
        for i in 0..archive.len() {
            let name = archive.by_index(i).unwrap().name().to_string();
            let data = entry(&mut archive, &name);
            assert!(
                !String::from_utf8_lossy(&data).contains("brief: the bytes of"),
                "a placeholder was left in the book"
            );
        }
    }

    #[test]
    fn a_held_image_missing_from_the_zip_is_an_error() {
        let mut held = HeldImages::default();
        let _ = held.hold("gone.png", b"x");
        let mut b = new_book("en", "T").unwrap();
        b.add_content(EpubContent::new("a.xhtml", &b"<p>a</p>"[..]))
            .unwrap();
        let mut zipped = Vec::new();
        b.generate(&mut zipped).unwrap();
        let error = finish_package(zipped, "en", &BookMetadata::default(), held).unwrap_err();
        assert!(error.contains("no OEBPS/gone.png"), "{error}");
    }
}
