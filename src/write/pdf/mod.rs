//! The PDF briefing edition: a post's IR in, PDF bytes out, typeset by Typst
//! in process.
//!
//! Post text never becomes Typst code: [`model`] turns the IR into JSON
//! served as the virtual file `/post.json`, and the fixed main file only
//! imports the template and hands it that data. [`compile`] is the one
//! compile path of every PDF (briefs and packet copies): the data cap,
//! scheduling, Typst's diagnostics located in the template or the post, and
//! glyphs no font covers (Typst itself stays silent about them). [`world`]
//! is what a compile may read. This file owns what is the brief's own: its
//! data, its dates, its fonts, and the worker threads.
//!
//! Compiles must run on plain OS threads, never inside rayon (see
//! DESIGN.md): use [`render_all`] for many posts.

mod budget;
pub mod compile;
pub mod fonts;
mod glyphs;
pub mod model;
mod raster;
mod typst_diag;
pub mod world;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Datelike, Timelike};
use typst::foundations::Datetime;
use typst_pdf::Timestamp;

use crate::diag::Diagnostic;
use crate::ir::Post;
use crate::write::resources::Fonts;
use crate::write::{Context, Rendered};
use compile::{Data, Document, Subject};
pub(crate) use fonts::font_lists;
use model::ModelOptions;

/// The fixed main file: it only imports the template and passes the data.
/// Public so the property tests can check that it parses.
pub const MAIN: &str = "#import \"/templates/brief.typ\": brief\n#brief(json(\"/post.json\"))\n";

pub use compile::MAX_PDF_DATA_BYTES;

/// Renders one post to PDF bytes.
pub fn render(post: &Post, ctx: &Context) -> Result<Rendered, Diagnostic> {
    let subject = Subject::Post(post.source.clone());
    // Checked before the data is built too: for a 3 MB post the JSON
    // value alone peaked near 1 GB.
    compile::check_size(&subject, data_size_lower_bound(post))?;
    let fonts = ctx.resources.fonts();
    let post_dir = post_dir(post, ctx);
    let templates_dir = ctx.templates_dir();
    let document = Document {
        subject,
        fonts,
        templates_dir: &templates_dir,
        main: MAIN,
        data_path: "/post.json",
        today: today(post, ctx),
        ident: format!("brief:{}", post.meta.slug),
        creator: format!("brief {}", env!("CARGO_PKG_VERSION")),
        timestamp: timestamp(post, ctx),
        standard: ctx.config.pdf.standard,
        time_limit: Some(std::time::Duration::from_secs(
            ctx.config.pdf.time_limit_seconds,
        )),
    };
    compile::compile(&document, &|no_images| {
        let model = model(post, ctx, fonts, post_dir.as_deref(), no_images);
        let json = serde_json::to_vec(&model.json).map_err(|e| {
            Diagnostic::error(format!("cannot serialize the PDF data: {e}")).in_file(&post.source)
        })?;
        Ok(Data {
            json,
            roots: post_dir
                .iter()
                .map(|d| (world::POST.to_string(), d.clone()))
                .collect(),
            embedded_images: model.embedded_images,
            warnings: model.warnings,
            info: None,
        })
    })
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

/// A cheap lower bound of the PDF data's size: every text byte, and 16
/// bytes for each node (the smallest node, `{"k":"t","s":""}`, is 16).
/// Control characters, which the PDF drops, count too: a post that is
/// megabytes of them is refused, which is no loss.
pub(crate) fn data_size_lower_bound(post: &Post) -> usize {
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
    let mut model = model::build(post, &model_options(post, ctx, post_dir, no_images));
    model
        .warnings
        .extend(fonts::missing_face(fonts, &post.meta.lang).map(|d| d.in_file(&post.source)));
    model
}

/// What a brief's model is built with, from the build's settings: the one
/// place a single brief's PDF and a packet's brief take them from. Set for
/// a single brief (its paper, served at [`world::POST`]); a packet
/// overrides the paper, the folder it serves the brief at and the prefix
/// of its note labels.
pub(crate) fn model_options<'a>(
    post: &Post,
    ctx: &'a Context,
    post_dir: Option<&'a Path>,
    no_images: bool,
) -> ModelOptions<'a> {
    let (body_fonts, mono_fonts) = font_lists(ctx.resources.fonts(), &post.meta.lang);
    ModelOptions {
        links: ctx.config.pdf.links,
        paper: ctx.config.pdf.paper,
        post_dir,
        resources: &ctx.resources,
        body_fonts,
        mono_fonts,
        organisation: ctx.config.organisation(),
        marking_colour: ctx.config.marking_colour(),
        no_images,
        image_root: world::POST,
        note_prefix: "brief-",
    }
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
