//! Where the project is. `-C DIR` first moves into DIR; then the project
//! is the folder of `--config FILE`, or of the nearest `brief.toml` in the
//! current folder or above it (as cargo finds `Cargo.toml`), or else the
//! current folder with default settings. Entering the project makes its
//! folder the current one, so `content/`, `output/`, `templates/` and the
//! paths in `brief.toml` mean the same wherever brief was started; paths
//! typed on the command line are carried over ([`Entered::typed`]).

use super::CONFIG_FILE;
use crate::diag::Diagnostic;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The settings file chosen by `--config`, relative to the project
/// folder; `brief.toml` when unset. Set once, by [`enter`].
static CONFIG_NAME: OnceLock<PathBuf> = OnceLock::new();

/// The settings file of the entered project, relative to its folder.
pub fn config_name() -> &'static Path {
    CONFIG_NAME
        .get()
        .map_or(Path::new(CONFIG_FILE), |p| p.as_path())
}

/// The project entered: its folder, and the folder brief was started in
/// (after `-C`), both absolute.
#[derive(Debug, Clone)]
pub struct Entered {
    pub root: PathBuf,
    pub started_in: PathBuf,
}

/// Moves into DIR (`-C`), only: for commands that make a project.
pub fn change_dir(directory: Option<&Path>) -> Result<PathBuf, Diagnostic> {
    if let Some(dir) = directory {
        std::env::set_current_dir(dir).map_err(|e| {
            Diagnostic::error(format!("cannot enter the folder given by -C: {e}")).in_file(dir)
        })?;
    }
    std::env::current_dir()
        .map_err(|e| Diagnostic::error(format!("cannot tell the current folder: {e}")))
}

/// Finds the project (see the module comment) and makes it the current
/// folder.
pub fn enter(directory: Option<&Path>, config: Option<&Path>) -> Result<Entered, Diagnostic> {
    let started_in = change_dir(directory)?;
    let root = match config {
        Some(file) => {
            let file = started_in.join(file);
            if !file.is_file() {
                return Err(Diagnostic::error("settings file not found (--config)").in_file(&file));
            }
            let name = file.file_name().map(PathBuf::from).unwrap_or_default();
            let _ = CONFIG_NAME.set(name);
            file.parent()
                .map_or_else(|| started_in.clone(), Path::to_path_buf)
        }
        None => find_upwards(&started_in).unwrap_or_else(|| started_in.clone()),
    };
    if root != started_in {
        std::env::set_current_dir(&root).map_err(|e| {
            Diagnostic::error(format!("cannot enter the project folder: {e}")).in_file(&root)
        })?;
    }
    Ok(Entered { root, started_in })
}

/// The nearest folder at or above `from` holding `brief.toml`.
fn find_upwards(from: &Path) -> Option<PathBuf> {
    from.ancestors()
        .find(|dir| dir.join(CONFIG_FILE).is_file())
        .map(Path::to_path_buf)
}

impl Entered {
    /// A path typed on the command line (relative to where brief was
    /// started), as seen from the project folder: relative to it when
    /// inside it, so diagnostics stay short, else absolute.
    pub fn typed(&self, path: &Path) -> PathBuf {
        if path.is_absolute() || self.root == self.started_in {
            return path.to_path_buf();
        }
        let full = normalise(&self.started_in.join(path));
        match full.strip_prefix(&self.root) {
            Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
            Ok(rel) => rel.to_path_buf(),
            Err(_) => full,
        }
    }
}

/// `a/b/../c` → `a/c`, `a/./b` → `a/b`, without touching the disk.
fn normalise(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_typed_in_a_subfolder_is_seen_from_the_project() {
        let e = Entered {
            root: PathBuf::from("/p"),
            started_in: PathBuf::from("/p/content"),
        };
        assert_eq!(e.typed(Path::new("a.md")), PathBuf::from("content/a.md"));
        assert_eq!(e.typed(Path::new("..")), PathBuf::from("."));
        assert_eq!(e.typed(Path::new("../../x")), PathBuf::from("/x"));
    }
}
