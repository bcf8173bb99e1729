//! The library side of each subcommand. Each resolves and checks its
//! arguments and `brief.toml` before any work (exit 2 on a problem, via
//! `Err`), does the work, and returns a report; none of them prints.
//! `main` prints the reports and turns them into exit codes.

pub mod build;
pub mod check;
pub mod clean;
pub mod dump;
pub mod merge;
pub mod project;
pub mod scaffold;
pub mod send;
pub mod signing;
pub mod summary;
pub mod verify;
pub mod watch;

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::files::ReadError;
use crate::write::Context;
use std::path::Path;

/// The configuration file's usual name (see `project` for how it is found).
pub const CONFIG_FILE: &str = "brief.toml";
/// A `brief.toml` larger than this is refused (it is a settings file).
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// How a command ended, for the exit status: 0 everything done; 1 some
/// post, packet or delivery failed (the rest was done); 2 nothing was done
/// (usage, configuration, or another build holds the output folder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Done,
    SomeFailed,
    NothingDone,
}

impl Status {
    /// `Done`, or `SomeFailed` when anything failed.
    pub fn failed_if(failures: usize) -> Status {
        if failures > 0 {
            Status::SomeFailed
        } else {
            Status::Done
        }
    }

    pub fn code(self) -> u8 {
        match self {
            Status::Done => 0,
            Status::SomeFailed => 1,
            Status::NothingDone => 2,
        }
    }
}

/// Reads the project's `brief.toml` (or the `--config` file) when it
/// exists; `project::enter` has made the project folder the current one.
pub fn load_config() -> Result<Config, Diagnostic> {
    let path = project::config_name();
    match crate::files::read_regular(path, MAX_CONFIG_BYTES) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Config::parse(&text, path),
            Err(_) => Err(Diagnostic::error("brief.toml is not UTF-8").in_file(path)),
        },
        Err(ReadError::NotFound) => Ok(Config::default()),
        Err(e) => Err(Diagnostic::error(format!("cannot read: {e}")).in_file(path)),
    }
}

/// The writers' context for a project in the current folder: the clock and
/// `SOURCE_DATE_EPOCH` are read here, once, so writers never read them.
pub fn context(config: Config) -> Context {
    let source_date_epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse().ok());
    let build_time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    Context::new(config, Path::new("."), source_date_epoch, build_time)
}

/// "s" for a count other than one.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
