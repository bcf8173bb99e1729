//! The PDF briefing edition: a post's IR in, PDF bytes out, typeset by Typst
//! in process.
//!
//! Post text never becomes Typst code: [`pdf_model`](model) turns
//! the IR into JSON served as the virtual file `/post.json`, and the fixed
//! main file only imports the template and hands it that data. Typst's
//! errors and warnings become [`Diagnostic`]s naming the template (file,
//! line, column) or the post. Glyphs no font covers are found by walking the
//! laid-out pages, because Typst itself stays silent about them.
//!
//! Compiles must run on plain OS threads, never inside rayon (see
//! DESIGN.md): use [`render_all`] for many posts.

pub mod model;
pub mod world;

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Datelike, Timelike};
use typst::World;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::{Datetime, Smart};
use typst::layout::{Frame, FrameItem};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::config::PdfStandardSetting;
use crate::diag::{Diagnostic, Severity};
use crate::ir::Post;
use crate::write::resources::Fonts;
use crate::write::{Context, Rendered};
use model::ModelOptions;
use world::BriefWorld;

/// The fixed main file: it only imports the template and passes the data.
/// Public so the property tests can check that it parses.
pub const MAIN: &str = "#import \"/templates/brief.typ\": brief\n#brief(json(\"/post.json\"))\n";

/// Largest PDF data (the post as JSON, see `pdf_model`) that is typeset.
/// Typst needs about 350 bytes of memory per byte of it (measured: a
/// 1 MB post is 4.8 MB of data and peaks at 1.7 GB; a 3 MB post peaked at
/// 5.1 GB and took a minute), so without a cap one long post could take
/// the machine's memory and the whole build with it. 4 MiB is about 800 KB
/// of Markdown, ten times the longest real post we have seen as data
/// (react-labs, 348 KB → 0.45 MB). Longer posts get their EPUB and e-mail
/// editions and an error for the PDF.
pub const MAX_PDF_DATA_BYTES: usize = 4 << 20;

/// Data above this size is typeset by one thread at a time, so two long
/// posts never peak together: the memory bound is one long document plus
/// one short one.
const LARGE_PDF_DATA_BYTES: usize = 512 << 10;
static LARGE_DOCUMENT: Mutex<()> = Mutex::new(());

/// Renders one post to PDF bytes.
pub fn render(post: &Post, ctx: &Context) -> Result<Rendered, Diagnostic> {
    match catch_unwind(AssertUnwindSafe(|| render_inner(post, ctx, false))) {
        Ok(result) => result,
        Err(_) => Err(Diagnostic::error("the PDF typesetter crashed on this post")
            .in_file(&post.source)
            .with_hint("please report this post; the other editions are not affected")),
    }
}

/// Renders many posts on `threads` plain OS threads pulling from a shared
/// queue, evicting Typst's caches after each document so memory stays
/// bounded. Results come back in the order of `posts`.
pub fn render_all(
    posts: &[&Post],
    ctx: &Context,
    threads: usize,
) -> Vec<Result<Rendered, Diagnostic>> {
    let results: Mutex<Vec<Option<Result<Rendered, Diagnostic>>>> =
        Mutex::new((0..posts.len()).map(|_| None).collect());
    render_each(posts, ctx, threads, &|i, result| {
        results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(result);
    });
    results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(Diagnostic::error("PDF worker stopped early"))))
        .collect()
}

/// Renders `posts` on `threads` plain OS threads and hands each result, as
/// soon as it is ready, to `on_done` with the post's index, so a build can
/// write each PDF at once instead of holding them all in memory.
pub fn render_each(
    posts: &[&Post],
    ctx: &Context,
    threads: usize,
    on_done: &(dyn Fn(usize, Result<Rendered, Diagnostic>) + Sync),
) {
    on_plain_threads(posts, threads, &|i, post| on_done(i, render(post, ctx)));
}

/// Runs `work` for every item on `threads` plain OS threads (never rayon
/// workers, see DESIGN.md) pulling from a shared queue, evicting Typst's
/// caches after each item so memory stays bounded. Packets and single
/// briefs share one queue this way.
pub fn on_plain_threads<T: Sync>(items: &[T], threads: usize, work: &(dyn Fn(usize, &T) + Sync)) {
    let next = AtomicUsize::new(0);
    let threads = threads.clamp(1, items.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let worker = || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                work(i, item);
                typst::comemo::evict(10);
            };
            // Typst recurses deeply on nested content: give it room.
            std::thread::Builder::new()
                .name("brief-pdf".into())
                .stack_size(64 << 20)
                .spawn_scoped(scope, worker)
                .expect("cannot start a PDF worker thread");
        }
    });
}

fn render_inner(post: &Post, ctx: &Context, no_images: bool) -> Result<Rendered, Diagnostic> {
    // Checked before the data is built too: for a 3 MB post the JSON
    // value alone peaked near 1 GB.
    let weight = data_size_lower_bound(post);
    if weight > MAX_PDF_DATA_BYTES {
        return Err(too_long(post, weight));
    }
    let fonts = ctx.resources.fonts();
    let post_dir = post_dir(post, ctx);
    let model = model(post, ctx, fonts, post_dir.as_deref(), no_images);
    let settings = &ctx.config.pdf;
    let mut warnings = model.warnings;
    let json = serde_json::to_vec(&model.json).map_err(|e| {
        Diagnostic::error(format!("cannot serialize the PDF data: {e}")).in_file(&post.source)
    })?;

    if json.len() > MAX_PDF_DATA_BYTES {
        return Err(too_long(post, json.len()));
    }
    let large = json.len() > LARGE_PDF_DATA_BYTES;
    let one_at_a_time = large.then(|| LARGE_DOCUMENT.lock().unwrap_or_else(|p| p.into_inner()));

    let mut world = BriefWorld::new(
        fonts,
        MAIN.to_string(),
        &ctx.templates_dir(),
        post_dir.as_deref(),
        today(post, ctx),
    );
    world.add_virtual("/post.json", json);

    let compiled = typst::compile::<PagedDocument>(&world);
    warnings.extend(
        compiled
            .warnings
            .iter()
            .map(|d| to_diagnostic(d, &world, post)),
    );
    let document = match compiled.output {
        Ok(doc) => doc,
        Err(errors) => {
            // The retry takes the lock again: release it first.
            drop(one_at_a_time);
            if model.embedded_images > 0 && !no_images {
                // An image Typst cannot decode stops the whole document:
                // retry with placeholders so the brief still builds.
                if let Ok(mut retry) = render_inner(post, ctx, true) {
                    let first = errors
                        .first()
                        .map(|e| e.message.to_string())
                        .unwrap_or_default();
                    retry.warnings.insert(
                        0,
                        Diagnostic::warning(format!(
                            "images left out of the PDF after a typesetting error: {first}"
                        ))
                        .in_file(&post.source),
                    );
                    return Ok(retry);
                }
            }
            return Err(first_error(&errors, &world, post));
        }
    };

    let missing = missing_glyphs(&document);
    if !missing.is_empty() {
        let chars: String = missing.iter().take(20).collect();
        warnings.push(
            Diagnostic::warning(format!(
                "no available font has glyphs for {} character(s) of this post ({chars}); they print as empty boxes",
                missing.len()
            ))
            .in_file(&post.source)
            .with_hint(
                "install a font that covers them (for Korean, Japanese or Chinese: Debian's \
                 fonts-noto-cjk) or put a .ttf/.otf file in the project's fonts/ folder",
            ),
        );
    }

    let mut options = PdfOptions {
        ident: Smart::Custom(format!("brief:{}", post.meta.slug)),
        creator: Smart::Custom(Some(format!("brief {}", env!("CARGO_PKG_VERSION")))),
        timestamp: timestamp(post, ctx),
        standards: standards(settings.standard),
        ..PdfOptions::default()
    };
    let bytes = match typst_pdf::pdf(&document, &options) {
        Ok(bytes) => bytes,
        Err(errors) => {
            // Keep the brief: export without the standard and say why.
            let reasons: Vec<String> = errors
                .iter()
                .take(3)
                .map(|e| e.message.to_string())
                .collect();
            let why = if missing.is_empty() {
                ""
            } else {
                " (characters without a font)"
            };
            warnings.push(
                Diagnostic::warning(format!(
                    "the PDF does not conform to {}{why}; written without it: {}",
                    standard_name(settings.standard),
                    reasons.join("; ")
                ))
                .in_file(&post.source),
            );
            options.standards = PdfStandards::default();
            typst_pdf::pdf(&document, &options)
                .map_err(|errors| first_error(&errors, &world, post))?
        }
    };
    drop(document);
    if let Some(guard) = one_at_a_time {
        // A long document's caches are hundreds of MB: drop them now
        // rather than ten documents later (other threads only lose cache
        // hits).
        typst::comemo::evict(0);
        drop(guard);
    }
    Ok(Rendered { bytes, warnings })
}

fn too_long(post: &Post, size: usize) -> Diagnostic {
    Diagnostic::error(format!(
        "the post is too long for the PDF edition (at least {:.1} MB of text and markup; the limit is {} MB)",
        size as f64 / (1 << 20) as f64,
        MAX_PDF_DATA_BYTES >> 20
    ))
    .in_file(&post.source)
    .with_hint("split the post; its EPUB and e-mail editions are still written")
}

/// A cheap lower bound of the PDF data's size: every text byte, and 16
/// bytes for each node (the smallest node, `{"k":"t","s":""}`, is 16).
/// Control characters, which the PDF drops, count too: a post that is
/// megabytes of them is refused, which is no loss.
fn data_size_lower_bound(post: &Post) -> usize {
    use crate::ir::{Block, Inline};
    fn inlines(xs: &[Inline]) -> usize {
        xs.iter()
            .map(|x| {
                16 + match x {
                    Inline::Text { text } | Inline::Code { text } | Inline::Html { html: text } => {
                        text.len()
                    }
                    Inline::Emph { content }
                    | Inline::Strong { content }
                    | Inline::Strike { content } => inlines(content),
                    Inline::Link { content, .. } => inlines(content),
                    Inline::Image { alt, .. } => alt.len(),
                    _ => 0,
                }
            })
            .sum()
    }
    fn blocks(xs: &[Block]) -> usize {
        xs.iter()
            .map(|b| {
                16 + match b {
                    Block::Heading { content, .. } | Block::Paragraph { content } => {
                        inlines(content)
                    }
                    Block::List { items, .. } => items.iter().map(|i| blocks(&i.body)).sum(),
                    Block::Quote { body, .. } => blocks(body),
                    // Control characters are dropped from code; count
                    // conservatively.
                    Block::Code { .. } | Block::Html { .. } | Block::Rule => 0,
                    Block::Table { head, rows, .. } => head
                        .iter()
                        .chain(rows.iter().flatten())
                        .map(|c| inlines(c))
                        .sum(),
                }
            })
            .sum()
    }
    blocks(&post.body)
        + post
            .footnotes
            .iter()
            .map(|f| blocks(&f.body))
            .sum::<usize>()
}

/// The data the template typesets for `post`.
fn model(
    post: &Post,
    ctx: &Context,
    fonts: &Fonts,
    post_dir: Option<&Path>,
    no_images: bool,
) -> model::Model {
    let (body_fonts, mono_fonts) = font_lists(fonts, &post.meta.lang);
    model::build(
        post,
        &ModelOptions {
            links: ctx.config.pdf.links,
            paper: ctx.config.pdf.paper,
            post_dir,
            resources: &ctx.resources,
            body_fonts,
            mono_fonts,
            organisation: ctx.config.project.organisation.as_deref(),
            no_images,
            image_root: world::POST,
            note_prefix: "brief-",
        },
    )
}

/// The Typst sources a post is compiled from, as (path, bytes) relative to
/// the compile root: `main.typ`, `post.json` and the effective
/// `templates/brief.typ`. `brief dump-typst` writes them out so a template
/// author (or a benchmark) can compile them with the Typst CLI:
/// `typst compile --root DIR DIR/main.typ`.
pub fn typst_sources(post: &Post, ctx: &Context) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let fonts = ctx.resources.fonts();
    let post_dir = post_dir(post, ctx);
    let model = model(post, ctx, fonts, post_dir.as_deref(), false);
    let json = serde_json::to_vec_pretty(&model.json).map_err(|e| {
        Diagnostic::error(format!("cannot serialize the PDF data: {e}")).in_file(&post.source)
    })?;
    let template = ctx.resources.template("brief.typ").bytes;
    Ok(vec![
        ("main.typ".to_string(), MAIN.as_bytes().to_vec()),
        ("post.json".to_string(), json),
        ("templates/brief.typ".to_string(), template),
    ])
}

/// Canonical folder of the post's source file (relative sources are taken
/// from the project root).
pub(crate) fn post_dir(post: &Post, ctx: &Context) -> Option<PathBuf> {
    ctx.resources.post_dir(&post.source)
}

/// Font families in order of preference, keeping only those installed.
/// For Korean, Japanese and Chinese posts the matching CJK face comes first
/// (fallback alone would pick the Japanese face for Korean text).
pub(crate) fn font_lists(fonts: &Fonts, lang: &str) -> (Vec<String>, Vec<String>) {
    let (primary, region) = model::split_lang(lang);
    let cjk: &[&str] = match (primary.as_str(), region.as_deref()) {
        ("ko", _) => &[
            "Noto Serif CJK KR",
            "Noto Sans CJK KR",
            "Noto Serif KR",
            "Noto Sans KR",
            "NanumMyeongjo",
            "UnBatang",
        ],
        ("ja", _) => &[
            "Noto Serif CJK JP",
            "Noto Sans CJK JP",
            "Noto Serif JP",
            "Noto Sans JP",
            "IPAMincho",
        ],
        ("zh", Some("TW" | "HK" | "MO")) => {
            &["Noto Serif CJK TC", "Noto Sans CJK TC", "Noto Serif TC"]
        }
        ("zh", _) => &["Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Serif SC"],
        _ => &[],
    };
    let cjk_mono: &[&str] = match primary.as_str() {
        "ko" => &["Noto Sans Mono CJK KR"],
        "ja" => &["Noto Sans Mono CJK JP"],
        "zh" => &["Noto Sans Mono CJK SC"],
        _ => &[],
    };
    let available = |list: &[&str]| -> Vec<String> {
        list.iter()
            .filter(|f| fonts.has_family(f))
            .map(|f| f.to_string())
            .collect()
    };
    let mut body = available(cjk);
    body.extend(available(&["Libertinus Serif"]));
    let mut mono = available(&["DejaVu Sans Mono"]);
    mono.extend(available(cjk_mono));
    (body, mono)
}

pub(crate) fn standards(setting: PdfStandardSetting) -> PdfStandards {
    let list: &[PdfStandard] = match setting {
        PdfStandardSetting::Ua1 => &[PdfStandard::Ua_1],
        PdfStandardSetting::A2b => &[PdfStandard::A_2b],
        PdfStandardSetting::A2bUa1 => &[PdfStandard::A_2b, PdfStandard::Ua_1],
    };
    PdfStandards::new(list).unwrap_or_default()
}

pub(crate) fn standard_name(setting: PdfStandardSetting) -> &'static str {
    match setting {
        PdfStandardSetting::Ua1 => "PDF/UA-1",
        PdfStandardSetting::A2b => "PDF/A-2b",
        PdfStandardSetting::A2bUa1 => "PDF/A-2b and PDF/UA-1",
    }
}

/// `today()` for templates: SOURCE_DATE_EPOCH, else the post's day, else
/// 1970-01-01. Never the clock.
fn today(post: &Post, ctx: &Context) -> Datetime {
    let day = ctx
        .source_date_epoch
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map(|t| t.date_naive())
        .or_else(|| post.meta.date.as_ref().map(|d| d.day))
        .unwrap_or_default();
    Datetime::from_ymd(day.year(), day.month() as u8, day.day() as u8)
        .unwrap_or_else(|| Datetime::from_ymd(1970, 1, 1).expect("valid date"))
}

/// The PDF creation date: the post's date (and time, when given), else
/// SOURCE_DATE_EPOCH, else none.
fn timestamp(post: &Post, ctx: &Context) -> Option<Timestamp> {
    if let Some(date) = &post.meta.date {
        if let Some(dt) = &date.datetime {
            let typst_dt = Datetime::from_ymd_hms(
                dt.year(),
                dt.month() as u8,
                dt.day() as u8,
                dt.hour() as u8,
                dt.minute() as u8,
                dt.second() as u8,
            )?;
            return Timestamp::new_local(typst_dt, dt.offset().local_minus_utc() / 60);
        }
        let d = date.day;
        return Datetime::from_ymd_hms(d.year(), d.month() as u8, d.day() as u8, 0, 0, 0)
            .map(Timestamp::new_utc);
    }
    let t = chrono::DateTime::from_timestamp(ctx.source_date_epoch?, 0)?;
    Datetime::from_ymd_hms(
        t.year(),
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
    )
    .map(Timestamp::new_utc)
}

/// Characters drawn with glyph id 0 (".notdef", an empty box).
pub(crate) fn missing_glyphs(document: &PagedDocument) -> BTreeSet<char> {
    fn walk(frame: &Frame, out: &mut BTreeSet<char>) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Group(group) => walk(&group.frame, out),
                FrameItem::Text(text) => {
                    for glyph in text.glyphs.iter().filter(|g| g.id == 0) {
                        if let Some(s) = text.text.get(glyph.range()) {
                            out.extend(s.chars().filter(|c| !c.is_whitespace()));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = BTreeSet::new();
    for page in document.pages() {
        walk(&page.frame, &mut out);
    }
    out
}

pub(crate) fn first_error(
    errors: &[SourceDiagnostic],
    world: &BriefWorld,
    post: &Post,
) -> Diagnostic {
    first_error_in(errors, world, &post.source)
}

/// The first error of a failed compile of the document made from `subject`
/// (a post's source, or `brief.toml` for a packet).
pub(crate) fn first_error_in(
    errors: &[SourceDiagnostic],
    world: &BriefWorld,
    subject: &Path,
) -> Diagnostic {
    let mut d = errors
        .iter()
        .find(|e| e.severity == TypstSeverity::Error)
        .or(errors.first())
        .map(|e| to_diagnostic_in(e, world, subject))
        .unwrap_or_else(|| Diagnostic::error("the PDF could not be typeset").in_file(subject));
    d.severity = Severity::Error;
    if errors.len() > 1 {
        d.message
            .push_str(&format!(" (and {} more errors)", errors.len() - 1));
    }
    d
}

/// A Typst diagnostic as ours: an error located in a template names the
/// template file, line and column (and the post in the message); anything
/// else names the post.
pub(crate) fn to_diagnostic(
    diag: &SourceDiagnostic,
    world: &BriefWorld,
    post: &Post,
) -> Diagnostic {
    to_diagnostic_in(diag, world, &post.source)
}

pub(crate) fn to_diagnostic_in(
    diag: &SourceDiagnostic,
    world: &BriefWorld,
    subject: &Path,
) -> Diagnostic {
    let severity = match diag.severity {
        TypstSeverity::Error => Severity::Error,
        TypstSeverity::Warning => Severity::Warning,
    };
    let mut message = diag.message.to_string();
    let mut located = None;
    // Prefer the diagnostic's own span; else the innermost traced call in a
    // template file.
    let spans = std::iter::once(diag.span).chain(diag.trace.iter().rev().map(|t| t.span.into()));
    for span in spans {
        let Some(id) = span.id() else { continue };
        let vpath = id.vpath().get_with_slash();
        if !vpath.starts_with(world::TEMPLATES) {
            continue;
        }
        let file = world.real_path(id).unwrap_or_else(|| {
            PathBuf::from(format!("{} (built-in)", vpath.trim_start_matches('/')))
        });
        let position = typst::WorldExt::range(world, span).and_then(|range| {
            let source = world.source(id).ok()?;
            source.lines().byte_to_line_column(range.start)
        });
        located = Some((file, position));
        break;
    }
    let hints: Vec<String> = diag.hints.iter().map(|h| h.v.to_string()).collect();
    let d = match located {
        Some((file, position)) => {
            message = format!("{message} (while typesetting {})", subject.display());
            let mut d = Diagnostic::error(message).in_file(file);
            if let Some((line, col)) = position {
                d = d.at(line + 1, Some(col + 1));
            }
            d
        }
        None => Diagnostic::error(format!("PDF: {message}")).in_file(subject),
    };
    let mut d = if hints.is_empty() {
        d
    } else {
        d.with_hint(hints.join("; "))
    };
    d.severity = severity;
    d
}

#[allow(dead_code)]
fn _assert_world_is_world(w: &BriefWorld) -> &dyn World {
    w
}
