//! `brief check`: read every post as a build would, write nothing.

use super::{Status, load_config, plural};
use crate::cli::CheckArgs;
use crate::diag::Diagnostic;

/// What a check found.
#[derive(Debug)]
pub struct CheckReport {
    pub diagnostics: Vec<Diagnostic>,
    pub checked: usize,
    pub readable: usize,
    pub failed: usize,
}

pub fn run(args: CheckArgs) -> Result<CheckReport, Diagnostic> {
    let config = load_config()?;
    let paths = if args.paths.is_empty() {
        crate::read::discover(&args.content)?
    } else {
        args.paths
    };
    let (posts, diagnostics, failed) = crate::read::read_all(&paths, &config.project.lang);
    Ok(CheckReport {
        diagnostics,
        checked: paths.len(),
        readable: posts.len(),
        failed,
    })
}

impl CheckReport {
    pub fn status(&self) -> Status {
        Status::failed_if(self.failed)
    }

    pub fn summary_line(&self) -> String {
        format!(
            "{} post{} checked: {} readable, {} failed",
            self.checked,
            plural(self.checked),
            self.readable,
            self.failed
        )
    }
}
