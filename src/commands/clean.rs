//! `brief clean`: removes what builds wrote to an output folder — every
//! file its manifest lists, the manifest itself, and the build cache
//! (`OUT/.brief-cache`, and `--cache-dir DIR` when given). Nothing the
//! manifest does not list is touched: the log of sent messages
//! (`sent.jsonl`) and the user's own files stay.

use crate::diag::Diagnostic;
use crate::output::{incremental, manifest};

/// What `brief clean` removed.
#[derive(Debug, Default)]
pub struct CleanReport {
    pub files_removed: usize,
    pub cache_entries_removed: usize,
}

pub fn run(args: &crate::cli::CleanArgs) -> Result<CleanReport, Diagnostic> {
    let mut report = CleanReport::default();
    if !args.out.is_dir() {
        return Ok(report);
    }
    // Not while a build writes there.
    let _lock = crate::output::lock_output(&args.out)?;
    for file in manifest::read_previous(&args.out).files {
        if incremental::remove_listed(&args.out, &file.path)? {
            report.files_removed += 1;
        }
    }
    if incremental::remove_listed(&args.out, manifest::FILE_NAME)? {
        report.files_removed += 1;
    }
    report.cache_entries_removed = incremental::remove_cache(
        &args.out.join(crate::cache::DEFAULT_DIR),
        &Default::default(),
    )?;
    if let Some(dir) = &args.cache_dir {
        report.cache_entries_removed += incremental::remove_cache(dir, &Default::default())?;
    }
    Ok(report)
}

impl CleanReport {
    pub fn summary_line(&self) -> String {
        format!(
            "{} file{} and {} cache entr{} removed",
            self.files_removed,
            super::plural(self.files_removed),
            self.cache_entries_removed,
            if self.cache_entries_removed == 1 {
                "y"
            } else {
                "ies"
            }
        )
    }
}
