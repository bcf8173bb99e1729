//! Incremental builds: the content-addressed build cache and the rule that
//! the output folder holds exactly the last build's result.
//!
//! - [`key`] computes each output's key: a SHA-256 over everything that
//!   can change its bytes (the post and the images it embeds, the
//!   templates, stylesheet and fonts in force, the settings its edition
//!   reads, the clock it may print, the tool itself).
//! - [`store`] keeps one entry per key, `DIR/objects/ab/<key>`: the output's
//!   bytes with their SHA-256 and the writer's warnings. An entry is checked
//!   against its own hashes before use; a damaged one is a miss (the output
//!   is rendered again and the entry replaced), never copied into the
//!   output folder. Entries are written to a temporary name and renamed,
//!   so builds sharing one `--cache-dir` never see half an entry.
//! - [`folder`] decides, after a build, which outputs of the previous
//!   manifest are stale (their post is gone, or no longer builds that
//!   edition) and which are kept (out of the build's scope, or their post
//!   failed this time and its last good output stays).
//!
//! Only `output/` writes or removes files; this module decides what.

pub mod folder;
pub mod key;
pub mod store;

pub use key::{Key, Keys};
pub use store::Cache;

/// The cache folder inside the output folder, when `--cache-dir` names
/// none. Hidden: it is the tool's, not an output, and the manifest does
/// not list it.
pub const DEFAULT_DIR: &str = ".brief-cache";

/// Where a build keeps its cache.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Setting {
    /// `OUT/.brief-cache`.
    #[default]
    InOutput,
    /// `--cache-dir DIR`: shared between builds or CI runners.
    Dir(std::path::PathBuf),
    /// `--no-cache`: every output is rendered again.
    Off,
}

/// How an output came to be in the output folder in this build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Produced {
    /// Rendered by its writer, taking this long.
    Rendered(std::time::Duration),
    /// The key was unchanged: the file was already intact, or restored
    /// from the cache.
    Reused,
}
