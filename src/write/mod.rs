//! The editions. Each writer is pure: a parsed [`Post`](crate::ir::Post)
//! (or a resolved packet) and a read-only [`Context`] in, bytes and
//! warnings out. A [`Job`] names one output and renders it; writers never
//! touch the output folder (`output` writes what they return) and read
//! files only through [`resources`].
//!
//! Rooms: `email/` (plain text, flowed text, summaries, MIME messages),
//! `epub/`, `pdf/` (Typst), `packet/` (a packet's PDF, EPUB and digest);
//! `shared/` holds each rule that more than one edition needs.

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::ir::Post;
use crate::packet::{Copy, Packet};
use resources::Resources;
use std::path::{Path, PathBuf};

pub mod email;
pub mod epub;
pub mod packet;
pub mod pdf;
pub mod resources;
pub mod shared;

/// An edition of a post. Each has its own folder and file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Edition {
    Pdf,
    Epub,
    Email,
    /// The summary a busy reader gets in one minute (`shared::summary`),
    /// as a text file to review before anything is sent.
    Summary,
}

impl Edition {
    pub const ALL: [Edition; 4] = [
        Edition::Pdf,
        Edition::Epub,
        Edition::Email,
        Edition::Summary,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Edition::Pdf => "pdf",
            Edition::Epub => "epub",
            Edition::Email => "email",
            Edition::Summary => "summary",
        }
    }

    /// The edition as a reader names it, in diagnostics.
    pub fn label(self) -> &'static str {
        match self {
            Edition::Pdf => "PDF",
            Edition::Epub => "EPUB",
            Edition::Email => "e-mail text",
            Edition::Summary => "summary",
        }
    }

    pub fn from_name(name: &str) -> Option<Edition> {
        match name.trim().to_ascii_lowercase().as_str() {
            "pdf" => Some(Edition::Pdf),
            "epub" => Some(Edition::Epub),
            "email" | "text" | "txt" => Some(Edition::Email),
            "summary" | "summaries" => Some(Edition::Summary),
            _ => None,
        }
    }

    /// Where the edition of the post with `slug` goes under `out`.
    pub fn output_path(self, out: &Path, slug: &str) -> PathBuf {
        let (folder, ext) = match self {
            Edition::Pdf => ("pdf", "pdf"),
            Edition::Epub => ("epub", "epub"),
            Edition::Email => ("email", "txt"),
            Edition::Summary => ("summary", "txt"),
        };
        out.join(folder).join(format!("{slug}.{ext}"))
    }

    /// Where the standard e-mail message of the post with `slug` goes.
    pub fn message_path(out: &Path, slug: &str) -> PathBuf {
        out.join("email").join(format!("{slug}.eml"))
    }

    /// Renders one post. Pure: nothing is written.
    pub fn render(self, post: &Post, ctx: &Context) -> Result<Rendered, Diagnostic> {
        match self {
            Edition::Email => email::text::render(post, ctx),
            Edition::Summary => email::summary::render(post, ctx),
            Edition::Epub => epub::render(post, ctx),
            // Callers with many posts use `pdf::render_all`, which runs
            // Typst on plain threads (see DESIGN.md); never call this from
            // inside a rayon task.
            Edition::Pdf => pdf::render(post, ctx),
        }
    }
}

/// One output of a build: an edition of a post, or one form of a packet.
#[derive(Debug, Clone, Copy)]
pub enum Job<'p> {
    Post(&'p Post, Edition),
    /// One copy of a packet's PDF (the general copy or one recipient's).
    PacketPdf(&'p Packet<'p>, Copy),
    PacketEpub(&'p Packet<'p>),
    /// The packet's plain-text digest (its e-mail edition).
    PacketDigest(&'p Packet<'p>),
}

impl Job<'_> {
    /// Whether the job runs Typst (a PDF, or an EPUB's typeset cover), so
    /// it must run on a plain thread, never in a rayon task (DESIGN.md).
    pub fn typesets(&self) -> bool {
        matches!(self.edition(), Edition::Pdf | Edition::Epub)
    }

    /// The edition this job's output belongs to.
    pub fn edition(&self) -> Edition {
        match self {
            Job::Post(_, edition) => *edition,
            Job::PacketPdf(..) => Edition::Pdf,
            Job::PacketEpub(_) => Edition::Epub,
            Job::PacketDigest(_) => Edition::Email,
        }
    }

    /// Where the output goes under the output folder `out`.
    pub fn target(&self, out: &Path) -> PathBuf {
        match self {
            Job::Post(post, edition) => edition.output_path(out, &post.meta.slug),
            Job::PacketPdf(packet, copy) => packet.pdf_path(out, *copy),
            Job::PacketEpub(packet) => packet.epub_path(out),
            Job::PacketDigest(packet) => packet.digest_path(out),
        }
    }

    /// Renders the output. Pure: nothing is written. PDF jobs run Typst,
    /// which must not be called from inside a rayon task (DESIGN.md): the
    /// build runs them on plain threads.
    pub fn render(&self, ctx: &Context) -> Result<Rendered, Diagnostic> {
        let rendered = match self {
            Job::Post(post, edition) => edition.render(post, ctx),
            Job::PacketPdf(packet, copy) => packet::pdf::render(packet, *copy, ctx),
            Job::PacketEpub(packet) => packet::epub::render(packet, ctx),
            Job::PacketDigest(packet) => packet::digest::render(packet, ctx),
        };
        // Signing is the one step after the bytes exist; an output that
        // should be signed and cannot be fails, never written unsigned.
        let rendered = match (rendered, self.signer(ctx)) {
            (Ok(mut r), Some((signer, day))) => match signer.sign(&r.bytes, day) {
                Ok(bytes) => {
                    r.bytes = bytes;
                    Ok(r)
                }
                Err(e) => Err(Diagnostic::error(e)),
            },
            (r, _) => r,
        };
        // A failure that names no file names the job's source.
        rendered.map_err(|d| {
            if d.file.is_none() {
                d.in_file(self.source(ctx))
            } else {
                d
            }
        })
    }

    /// Who signs this job's output and the day the signature claims (the
    /// packet's date, or the post's), when `[sign]` signs it.
    pub fn signer<'c>(
        &self,
        ctx: &'c Context,
    ) -> Option<(&'c crate::sign::Signer, Option<chrono::NaiveDate>)> {
        match self {
            Job::PacketPdf(packet, _) => {
                Some((ctx.signer_for(Edition::Pdf, true)?, Some(packet.day)))
            }
            Job::Post(post, edition) => Some((
                ctx.signer_for(*edition, false)?,
                post.meta.date.as_ref().map(|d| d.day),
            )),
            _ => None,
        }
    }

    /// The file a failure of this job is about: the post, or `brief.toml`
    /// for a packet.
    pub fn source(&self, ctx: &Context) -> PathBuf {
        match self {
            Job::Post(post, _) => post.source.clone(),
            _ => ctx.config.file(),
        }
    }
}

/// What every writer may read. Shared by all threads; never mutated during
/// a build.
#[derive(Debug, Clone)]
pub struct Context {
    pub config: Config,
    /// The project folder (where `brief.toml`, `content/` and `templates/`
    /// live).
    pub project_root: PathBuf,
    /// Every file a writer reads comes through here.
    pub resources: Resources,
    /// `SOURCE_DATE_EPOCH` when set: the only clock a writer may use for
    /// what it prints.
    pub source_date_epoch: Option<i64>,
    /// When the build started (seconds since 1970), chosen by the caller:
    /// the date of messages for posts that have none of their own.
    pub build_time: i64,
    /// The packets each post (by slug) is a brief of, for its EPUB's
    /// `belongs-to-collection`; filled once the packets are resolved.
    pub collections: std::collections::BTreeMap<String, Vec<epub::metadata::Collection>>,
    /// The organisation's signing key when `[sign]` is set, loaded once by
    /// the command (writers never read the key file or the password).
    pub signer: Option<std::sync::Arc<crate::sign::Signer>>,
}

impl Context {
    pub fn new(
        config: Config,
        project_root: &Path,
        source_date_epoch: Option<i64>,
        build_time: i64,
    ) -> Context {
        Context {
            config,
            project_root: project_root.to_path_buf(),
            resources: Resources::new(project_root),
            source_date_epoch,
            build_time,
            collections: Default::default(),
            signer: None,
        }
    }

    /// Who signs an output of `edition` (of a packet, or of a single
    /// post): every packet PDF, and single briefs' PDFs with `[sign]
    /// briefs = true`. The one rule for which files are signed.
    pub fn signer_for(&self, edition: Edition, packet: bool) -> Option<&crate::sign::Signer> {
        let signer = self.signer.as_deref()?;
        (edition == Edition::Pdf && (packet || signer.briefs)).then_some(signer)
    }

    /// This context with the packets' briefs known as collections.
    pub fn with_collections(&self, packets: &[Packet]) -> Context {
        let mut ctx = self.clone();
        for packet in packets {
            for (i, brief) in packet.briefs.iter().enumerate() {
                ctx.collections
                    .entry(brief.meta.slug.clone())
                    .or_default()
                    .push(epub::metadata::Collection {
                        title: packet.title.clone(),
                        position: Some(i + 1),
                    });
            }
        }
        ctx
    }

    pub fn templates_dir(&self) -> PathBuf {
        self.project_root.join("templates")
    }
}

/// One edition of one post, ready to be written.
#[derive(Debug, Default)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub warnings: Vec<Diagnostic>,
}
