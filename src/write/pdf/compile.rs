//! The one compile path of every PDF, single briefs and packet copies
//! alike: the data cap, the one-long-document-at-a-time rule, the World,
//! Typst's compile behind `catch_unwind`, its warnings and first error
//! (located in the template when it is one), the missing-glyph check, the
//! retry without images after an image Typst cannot decode, and the export
//! with the configured standard (and without it, with a warning, when the
//! document cannot conform).
//!
//! Written once because the packet's copy of it had drifted: it had no data
//! cap and no scheduling rule, so a packet of long briefs escaped the
//! memory bound that every single brief obeys.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::Duration;

use typst::World;

use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use super::glyphs::missing_glyphs;
use super::typst_diag::{first_error_in, to_diagnostic_in};
use super::world::BriefWorld;
use crate::config::PdfStandardSetting;
use crate::diag::Diagnostic;
use crate::write::Rendered;
use crate::write::resources::Fonts;

/// Largest PDF data (a post's or a whole packet's JSON, see `pdf::model`)
/// that is typeset. Typst needs about 350 bytes of memory per byte of it
/// (measured: a 1 MB post is 4.8 MB of data and peaks at 1.7 GB; a 3 MB
/// post peaked at 5.1 GB and took a minute), so without a cap one long post
/// could take the machine's memory and the whole build with it. 4 MiB is
/// about 800 KB of Markdown, ten times the longest real post we have seen
/// as data (react-labs, 348 KB → 0.45 MB). Longer posts and packets get
/// their EPUB and e-mail editions and an error for the PDF.
pub const MAX_PDF_DATA_BYTES: usize = 4 << 20;

/// Data above this size is typeset by one thread at a time, so two long
/// documents never peak together: the memory bound is one long document
/// plus one short one.
const LARGE_PDF_DATA_BYTES: usize = 512 << 10;
static LARGE_DOCUMENT: Mutex<()> = Mutex::new(());

/// How a document is scheduled among the PDF workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// Beside any other document.
    Together,
    /// Never beside another long document (data over 512 KiB).
    OneAtATime,
}

impl Schedule {
    /// The rule, by the size of the document's data: a packet's data holds
    /// all of its briefs, so a packet of briefs that are each short may
    /// still be long.
    pub fn for_data(bytes: usize) -> Schedule {
        if bytes > LARGE_PDF_DATA_BYTES {
            Schedule::OneAtATime
        } else {
            Schedule::Together
        }
    }
}

/// What a document is, for its diagnostics (owned: the typesetting thread
/// may outlive the caller's borrow, see [`attempt`]).
#[derive(Debug, Clone)]
pub enum Subject {
    /// A single brief, named by its source file.
    Post(PathBuf),
    /// One copy of a packet, named by `brief.toml` and the packet's name.
    Packet { name: String, file: PathBuf },
}

impl Subject {
    /// The file its diagnostics name.
    pub fn file(&self) -> &Path {
        match self {
            Subject::Post(file) | Subject::Packet { file, .. } => file,
        }
    }

    /// `message` about this document: a packet's name leads, since every
    /// packet's errors name the same `brief.toml`.
    fn say(&self, message: &str) -> String {
        match self {
            Subject::Post(_) => message.to_string(),
            Subject::Packet { name, .. } => format!("packet {name}: {message}"),
        }
    }
}

/// Refuses data over [`MAX_PDF_DATA_BYTES`] (`size` may be a lower bound,
/// checked before the data is built: for a 3 MB post the JSON value alone
/// peaked near 1 GB).
pub fn check_size(subject: &Subject, size: usize) -> Result<(), Diagnostic> {
    if size <= MAX_PDF_DATA_BYTES {
        return Ok(());
    }
    let (what, hint) = match subject {
        Subject::Post(_) => (
            "the post".to_string(),
            "split the post; its EPUB and e-mail editions are still written",
        ),
        Subject::Packet { name, .. } => (
            format!("packet {name}"),
            "split the packet into smaller ones; its EPUB and digest are still written",
        ),
    };
    Err(Diagnostic::error(format!(
        "{what} is too long for the PDF edition (at least {:.1} MB of text and markup; the limit is {} MB)",
        size as f64 / (1 << 20) as f64,
        MAX_PDF_DATA_BYTES >> 20
    ))
    .in_file(subject.file())
    .with_hint(hint))
}

/// A document's data, built by the caller (once more without images after
/// an image Typst could not decode).
pub struct Data {
    /// The JSON the template reads.
    pub json: Vec<u8>,
    /// Folders served to the compile: virtual prefix → folder.
    pub roots: Vec<(String, PathBuf)>,
    /// Images the data asks Typst to embed.
    pub embedded_images: usize,
    pub warnings: Vec<Diagnostic>,
    /// The PDF's description and keywords, when set from here rather than
    /// by the template.
    pub info: Option<Info>,
}

/// Document metadata set on the laid-out document, after Typst's layout
/// and before the export. A packet copy's own words (its copy line, its
/// recipient) go here: as a template `set document` they would be styles
/// of every page, and no layout result of one copy could serve the next.
#[derive(Debug, Clone, Default)]
pub struct Info {
    pub description: Option<String>,
    pub keywords: Vec<String>,
}

/// Everything about a document besides its data.
pub struct Document<'a> {
    pub subject: Subject,
    pub fonts: &'static Fonts,
    pub templates_dir: &'a Path,
    /// The fixed main file; it reads the data at `data_path`.
    pub main: &'static str,
    pub data_path: &'static str,
    /// `today()` for templates (never the clock).
    pub today: Datetime,
    pub ident: String,
    pub creator: String,
    pub timestamp: Option<Timestamp>,
    pub standard: PdfStandardSetting,
    /// How long one compile and export may take (`[pdf]
    /// time_limit_seconds`); `None` waits for ever.
    pub time_limit: Option<Duration>,
}

/// What a compile makes of the laid-out document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Export {
    /// The PDF, with the document's standard.
    Pdf,
    /// The first page as a PNG with `long_side` pixels on its longer side
    /// (the EPUB cover).
    Png { long_side: u32 },
}

/// Compiles and exports one document. `data(no_images)` builds its data.
pub fn compile(
    doc: &Document,
    data: &dyn Fn(bool) -> Result<Data, Diagnostic>,
) -> Result<Rendered, Diagnostic> {
    compile_to(doc, data, Export::Pdf)
}

/// [`compile`], exported as `export` says: a cover goes the same way as
/// every PDF (sandbox, time limit, glyph check), only its last step differs.
pub fn compile_to(
    doc: &Document,
    data: &dyn Fn(bool) -> Result<Data, Diagnostic>,
    export: Export,
) -> Result<Rendered, Diagnostic> {
    match catch_unwind(AssertUnwindSafe(|| compile_inner(doc, data, export))) {
        Ok(result) => result,
        Err(_) => Err(crashed(&doc.subject)),
    }
}

fn crashed(subject: &Subject) -> Diagnostic {
    let (message, hint) = match subject {
        Subject::Post(_) => (
            "the PDF typesetter crashed on this post".to_string(),
            "please report this post; the other editions are not affected",
        ),
        Subject::Packet { name, .. } => (
            format!("the PDF typesetter crashed on packet {name}"),
            "please report this packet; its other forms are not affected",
        ),
    };
    Diagnostic::error(message)
        .in_file(subject.file())
        .with_hint(hint)
}

fn out_of_time(subject: &Subject, limit: Duration) -> Diagnostic {
    let hint = match subject {
        Subject::Post(_) => {
            "its EPUB and e-mail editions are still written; split the post, or raise [pdf] time_limit_seconds in brief.toml"
        }
        Subject::Packet { .. } => {
            "its EPUB and digest are still written; split the packet, or raise [pdf] time_limit_seconds in brief.toml"
        }
    };
    Diagnostic::error(subject.say(&format!(
        "the PDF was not finished within its time limit of {} s, so it is not written",
        limit.as_secs()
    )))
    .in_file(subject.file())
    .with_hint(hint)
}

fn compile_inner(
    doc: &Document,
    data: &dyn Fn(bool) -> Result<Data, Diagnostic>,
    export: Export,
) -> Result<Rendered, Diagnostic> {
    let first = data(false)?;
    let images = first.embedded_images;
    match attempt(doc, first, export)? {
        Ok(rendered) => Ok(rendered),
        Err(error) if images > 0 => {
            // An image Typst cannot decode stops the whole document: retry
            // with placeholders so it still builds.
            let Ok(Ok(mut retry)) = data(true).and_then(|d| attempt(doc, d, export)) else {
                return Err(error.diagnostic);
            };
            retry.warnings.insert(
                0,
                Diagnostic::warning(doc.subject.say(&format!(
                    "images left out of the PDF after a typesetting error: {}",
                    error.first_message
                )))
                .in_file(doc.subject.file()),
            );
            Ok(retry)
        }
        Err(error) => Err(error.diagnostic),
    }
}

/// A compile that Typst refused.
struct Failed {
    diagnostic: Diagnostic,
    first_message: String,
}

/// One compile and export: the outer error is final, the inner one may be
/// retried without images.
///
/// Typst cannot be interrupted, so the compile runs on a thread of its
/// own and the caller waits at most `time_limit`. A document over its
/// limit is an error for that document while the rest of the build goes
/// on; its thread runs on, detached, until it finishes or the process
/// ends (the build does not wait for it). The one-long-document lock is
/// held by the caller, so it is released on time too.
fn attempt(
    doc: &Document,
    data: Data,
    export: Export,
) -> Result<Result<Rendered, Failed>, Diagnostic> {
    check_size(&doc.subject, data.json.len())?;
    let one_at_a_time = (Schedule::for_data(data.json.len()) == Schedule::OneAtATime)
        .then(|| LARGE_DOCUMENT.lock().unwrap_or_else(|p| p.into_inner()));

    let mut world = BriefWorld::new(
        doc.fonts,
        doc.main.to_string(),
        doc.templates_dir,
        None,
        doc.today,
    );
    for (prefix, dir) in &data.roots {
        world.add_root(prefix, dir);
    }
    world.add_virtual(doc.data_path, data.json);
    let job = Typeset {
        subject: doc.subject.clone(),
        ident: doc.ident.clone(),
        creator: doc.creator.clone(),
        timestamp: doc.timestamp,
        standard: doc.standard,
        warnings: data.warnings,
        info: data.info,
        export,
    };

    let (done, result) = mpsc::channel();
    let (clock_tx, clock_rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("brief-typeset".into())
        // Typst recurses deeply on nested content: give it room.
        .stack_size(64 << 20)
        .spawn(move || {
            let _ = clock_tx.send(super::budget::ThreadClock::current());
            let outcome = catch_unwind(AssertUnwindSafe(|| typeset(&world, job)));
            let _ = done.send(outcome.ok());
        })
        .map_err(|e| {
            Diagnostic::error(format!("cannot start the PDF typesetter: {e}"))
                .in_file(doc.subject.file())
        })?;
    let outcome = match doc.time_limit {
        Some(limit) => {
            let clock = clock_rx.recv().ok().flatten();
            super::budget::wait(&result, limit, clock).map_err(|e| match e {
                super::budget::Ended::OutOfTime => out_of_time(&doc.subject, limit),
                super::budget::Ended::Crashed => crashed(&doc.subject),
            })?
        }
        None => result.recv().map_err(|_| crashed(&doc.subject))?,
    };
    let outcome = outcome.ok_or_else(|| crashed(&doc.subject))?;
    if let Some(guard) = one_at_a_time {
        // A long document's caches are hundreds of MB: drop them now
        // rather than ten documents later (other threads only lose cache
        // hits).
        typst::comemo::evict(0);
        drop(guard);
    }
    outcome
}

/// What the typesetting thread owns besides the World.
struct Typeset {
    subject: Subject,
    ident: String,
    creator: String,
    timestamp: Option<Timestamp>,
    standard: PdfStandardSetting,
    warnings: Vec<Diagnostic>,
    info: Option<Info>,
    export: Export,
}

/// Typst's compile, the missing-glyph check and the export.
fn typeset(world: &BriefWorld, job: Typeset) -> Result<Result<Rendered, Failed>, Diagnostic> {
    let subject = &job.subject;
    let file = subject.file();
    let mut warnings = job.warnings;
    let compiled = typst::compile::<PagedDocument>(world);
    warnings.extend(
        compiled
            .warnings
            .iter()
            .map(|d| to_diagnostic_in(d, world, file)),
    );
    let mut document = match compiled.output {
        Ok(document) => document,
        Err(errors) => {
            let mut diagnostic = first_error_in(&errors, world, file);
            diagnostic.message = subject.say(&diagnostic.message);
            let first_message = errors
                .first()
                .map(|e| e.message.to_string())
                .unwrap_or_default();
            return Ok(Err(Failed {
                diagnostic,
                first_message,
            }));
        }
    };

    if let Some(info) = job.info {
        let meta = document.info_mut();
        meta.description = info.description.map(Into::into);
        meta.keywords = info.keywords.into_iter().map(Into::into).collect();
    }

    let missing = missing_glyphs(&document);
    if !missing.is_empty() {
        let chars: String = missing.iter().take(20).collect();
        let of = match subject {
            Subject::Post(_) => "this post",
            Subject::Packet { .. } => "this packet",
        };
        warnings.push(
            Diagnostic::warning(subject.say(&format!(
                "no available font has glyphs for {} character(s) of {of} ({chars}); they print as empty boxes",
                missing.len()
            )))
            .in_file(file)
            .with_hint(
                "install a font that covers them (for Korean, Japanese or Chinese: Debian's \
                 fonts-noto-cjk) or put a .ttf/.otf file in the project's fonts/ folder",
            ),
        );
    }

    if let Export::Png { long_side } = job.export {
        let bytes = super::raster::first_page_png(&document, long_side).map_err(|e| {
            Diagnostic::error(subject.say(&format!("cannot draw the cover: {e}"))).in_file(file)
        })?;
        return Ok(Ok(Rendered { bytes, warnings }));
    }
    let mut options = PdfOptions {
        ident: Smart::Custom(job.ident.clone()),
        creator: Smart::Custom(Some(job.creator.clone())),
        timestamp: job.timestamp,
        standards: standards(job.standard),
        ..PdfOptions::default()
    };
    let bytes = match typst_pdf::pdf(&document, &options) {
        Ok(bytes) => bytes,
        Err(errors) => {
            // Keep the document: export without the standard and say why.
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
                Diagnostic::warning(subject.say(&format!(
                    "the PDF does not conform to {}{why}; written without it: {}",
                    standard_name(job.standard),
                    reasons.join("; ")
                )))
                .in_file(file),
            );
            options.standards = PdfStandards::default();
            typst_pdf::pdf(&document, &options).map_err(|errors| {
                let mut d = first_error_in(&errors, world, file);
                d.message = subject.say(&d.message);
                d
            })?
        }
    };
    Ok(Ok(Rendered { bytes, warnings }))
}

fn standards(setting: PdfStandardSetting) -> PdfStandards {
    let list: &[PdfStandard] = match setting {
        PdfStandardSetting::Ua1 => &[PdfStandard::Ua_1],
        PdfStandardSetting::A2b => &[PdfStandard::A_2b],
        PdfStandardSetting::A2bUa1 => &[PdfStandard::A_2b, PdfStandard::Ua_1],
    };
    PdfStandards::new(list).unwrap_or_default()
}

fn standard_name(setting: PdfStandardSetting) -> &'static str {
    match setting {
        PdfStandardSetting::Ua1 => "PDF/UA-1",
        PdfStandardSetting::A2b => "PDF/A-2b",
        PdfStandardSetting::A2bUa1 => "PDF/A-2b and PDF/UA-1",
    }
}

#[allow(dead_code)]
fn _assert_world_is_world(w: &BriefWorld) -> &dyn World {
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_data_is_typeset_one_at_a_time_and_the_cap_names_the_packet() {
        assert_eq!(Schedule::for_data(100 << 10), Schedule::Together);
        assert_eq!(Schedule::for_data(LARGE_PDF_DATA_BYTES), Schedule::Together);
        // Three briefs of 200 KB of data: each alone goes beside others,
        // their packet (which holds all three) does not.
        let brief = 200 << 10;
        assert_eq!(Schedule::for_data(brief), Schedule::Together);
        assert_eq!(Schedule::for_data(3 * brief), Schedule::OneAtATime);

        let packet = Subject::Packet {
            name: "heavy".into(),
            file: PathBuf::from("brief.toml"),
        };
        assert!(check_size(&packet, MAX_PDF_DATA_BYTES).is_ok());
        let refused = check_size(&packet, MAX_PDF_DATA_BYTES + 1).unwrap_err();
        assert!(
            refused
                .message
                .starts_with("packet heavy is too long for the PDF edition"),
            "{}",
            refused.message
        );
        let post = check_size(&Subject::Post("a.md".into()), 5 << 20).unwrap_err();
        assert!(post.message.starts_with("the post is too long"));
    }
}
