//! The editions. Each writer is pure: a parsed [`Post`](crate::ir::Post)
//! and a read-only [`Context`] in, bytes and warnings out. Writers never
//! touch the output folder; `output` writes what they return.

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::ir::Post;
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
}

impl Edition {
    pub const ALL: [Edition; 3] = [Edition::Pdf, Edition::Epub, Edition::Email];

    pub fn name(self) -> &'static str {
        match self {
            Edition::Pdf => "pdf",
            Edition::Epub => "epub",
            Edition::Email => "email",
        }
    }

    pub fn from_name(name: &str) -> Option<Edition> {
        match name.trim().to_ascii_lowercase().as_str() {
            "pdf" => Some(Edition::Pdf),
            "epub" => Some(Edition::Epub),
            "email" | "text" | "txt" => Some(Edition::Email),
            _ => None,
        }
    }

    /// Where the edition of the post with `slug` goes under `out`.
    pub fn output_path(self, out: &Path, slug: &str) -> PathBuf {
        let (folder, ext) = match self {
            Edition::Pdf => ("pdf", "pdf"),
            Edition::Epub => ("epub", "epub"),
            Edition::Email => ("email", "txt"),
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
            Edition::Epub => epub::render(post, ctx),
            // Callers with many posts use `pdf::render_all`, which runs
            // Typst on plain threads (see DESIGN.md); never call this from
            // inside a rayon task.
            Edition::Pdf => pdf::render(post, ctx),
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
        }
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
