//! The editions. Each writer is pure: a parsed [`Post`](crate::ir::Post)
//! and a read-only [`Context`] in, bytes and warnings out. Writers never
//! touch the output folder; `output` writes what they return.

use crate::config::Config;
use crate::diag::Diagnostic;
use std::path::PathBuf;

pub mod epub;
pub mod xhtml;


/// What every writer may read. Shared by all threads; never mutated during
/// a build.
#[derive(Debug, Clone)]
pub struct Context {
    pub config: Config,
    /// The project folder (where `brief.toml`, `content/` and `templates/`
    /// live). Writers may read templates and a post's own images from here,
    /// and nothing outside it.
    pub project_root: PathBuf,
    /// `SOURCE_DATE_EPOCH` when set: the only clock a writer may use.
    pub source_date_epoch: Option<i64>,
}

impl Context {
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
