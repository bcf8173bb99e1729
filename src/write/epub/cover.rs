//! The book's cover image, for single briefs and packets alike: the
//! `cover:` image the post (or `cover = "…"` the packet) names, else one
//! typeset by Typst from `templates/cover.typ` (title, subtitle,
//! organisation, date, marking) and drawn to a PNG in process.
//!
//! The typeset cover goes through the PDF edition's one compile path (the
//! same sandbox, time limit and missing-glyph check), only exported as a
//! PNG: the cover's text is data (`/cover.json`), never markup. A chosen
//! image goes through the image policy of `resources` (inside its folder,
//! a regular file, a real image by content, never fetched); a refused one
//! is a warning and the typeset cover takes its place.

use crate::diag::Diagnostic;
use crate::write::Context;
use crate::write::pdf::compile::{self, Data, Document, Export, Subject};
use crate::write::pdf::{font_lists, model::split_lang};
use crate::write::resources::ImageLookup;
use serde_json::json;
use std::path::{Path, PathBuf};

/// Pixels on the longer side of a typeset cover: above the 1400 px that
/// e-book shops ask for, and sharp on a tablet's library shelf.
pub const COVER_LONG_SIDE: u32 = 2400;

/// The fixed main file of the cover: imports the template, passes the data.
pub const COVER_MAIN: &str =
    "#import \"/templates/cover.typ\": cover\n#cover(json(\"/cover.json\"))\n";

/// What a cover says. Empty values are left off the cover.
#[derive(Debug, Clone, Default)]
pub struct CoverText {
    pub title: String,
    pub subtitle: Option<String>,
    pub organisation: Option<String>,
    /// The date as the book's language writes it.
    pub date: Option<String>,
    /// The marking (e.g. "For official use"), printed in the cover's band.
    pub marking: Option<String>,
    /// "brief" or "packet": templates may tell them apart.
    pub kind: &'static str,
    pub lang: String,
}

/// The image a book declares as its cover.
#[derive(Debug, Clone)]
pub struct CoverImage {
    /// Its name in the book (`cover.png`, `cover.jpg`, …).
    pub href: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// A cover image the project chose: `src` as written, looked up inside
/// `folder` (the post's folder, or the project's for a packet).
pub struct Chosen<'a> {
    pub src: &'a str,
    pub folder: Option<PathBuf>,
    /// The file whose setting it is, for the warning.
    pub named_in: &'a Path,
}

/// The cover of a book about `subject`: the chosen image when it passes
/// the image policy, else the typeset one. Warnings go to `warnings`.
pub fn cover(
    ctx: &Context,
    subject: Subject,
    text: &CoverText,
    chosen: Option<Chosen>,
    warnings: &mut Vec<Diagnostic>,
) -> Result<CoverImage, Diagnostic> {
    if let Some(chosen) = chosen {
        match ctx.resources.image(chosen.src, chosen.folder.as_deref()) {
            ImageLookup::Local(image) => {
                return Ok(CoverImage {
                    href: format!("cover.{}", image.extension),
                    media_type: image.media_type,
                    bytes: image.bytes,
                });
            }
            ImageLookup::Remote(_) => warnings.push(refused(
                chosen.named_in,
                chosen.src,
                "covers are never fetched from the web",
            )),
            ImageLookup::Refused(reason) => {
                warnings.push(refused(chosen.named_in, chosen.src, &reason))
            }
        }
    }
    let rendered = typeset(ctx, subject, text)?;
    warnings.extend(rendered.warnings);
    Ok(CoverImage {
        href: "cover.png".to_string(),
        media_type: "image/png",
        bytes: rendered.bytes,
    })
}

fn refused(file: &Path, src: &str, reason: &str) -> Diagnostic {
    Diagnostic::warning(format!(
        "cover image {} not used: {reason}; the book gets the typeset cover",
        crate::diag::quote(src)
    ))
    .in_file(file)
    .with_hint("name a PNG, JPEG, GIF, WebP or SVG file inside the folder (a path relative to it)")
}

/// The typeset cover, PNG bytes of [`COVER_LONG_SIDE`] pixels on the
/// longer side.
fn typeset(
    ctx: &Context,
    subject: Subject,
    text: &CoverText,
) -> Result<crate::write::Rendered, Diagnostic> {
    let fonts = ctx.resources.fonts();
    let templates_dir = ctx.templates_dir();
    let document = Document {
        ident: "brief:cover".to_string(),
        subject,
        fonts,
        templates_dir: &templates_dir,
        main: COVER_MAIN,
        data_path: "/cover.json",
        // The template has no use for the day; fixed, never the clock.
        today: typst::foundations::Datetime::from_ymd(1970, 1, 1).expect("a valid date"),
        creator: format!("brief {}", env!("CARGO_PKG_VERSION")),
        timestamp: None,
        standard: ctx.config.pdf.standard,
        time_limit: Some(std::time::Duration::from_secs(
            ctx.config.pdf.time_limit_seconds,
        )),
    };
    let json = cover_data(text, &font_lists(fonts, &text.lang).0);
    compile::compile_to(
        &document,
        &|_| {
            Ok(Data {
                json: json.clone(),
                roots: Vec::new(),
                embedded_images: 0,
                warnings: Vec::new(),
                info: None,
            })
        },
        Export::Png {
            long_side: COVER_LONG_SIDE,
        },
    )
}

/// `/cover.json`, the data `cover.typ` reads.
fn cover_data(text: &CoverText, fonts: &[String]) -> Vec<u8> {
    let (lang, region) = split_lang(&text.lang);
    let some = |s: &Option<String>| {
        s.as_deref()
            .map(|s| crate::write::shared::summary::one_line(s))
            .filter(|s| !s.is_empty())
    };
    let mut fonts = fonts.to_vec();
    if fonts.is_empty() {
        fonts.push("Libertinus Serif".to_string());
    }
    let dir = if crate::ir::script::is_rtl_lang(&text.lang) {
        "rtl"
    } else {
        "ltr"
    };
    json!({
        "title": crate::write::shared::summary::one_line(&text.title),
        "subtitle": some(&text.subtitle),
        "organisation": some(&text.organisation),
        "date": some(&text.date),
        "marking": some(&text.marking),
        "kind": text.kind,
        "lang": lang,
        "region": region,
        "dir": dir,
        "fonts": fonts,
    })
    .to_string()
    .into_bytes()
}
