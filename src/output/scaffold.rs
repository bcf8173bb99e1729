//! Files a person will edit (`brief init`, `brief new`, `brief templates
//! eject`): written only where nothing is, unless replacing was asked for.
//! Creation is exclusive (`create_new`), so a file that appeared between
//! the check and the write is never overwritten either.

use crate::diag::Diagnostic;
use std::io::Write;
use std::path::Path;

/// What became of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Created,
    Replaced,
}

/// Writes `bytes` to a new file at `path` (creating its folder); an
/// existing file is an error naming it, unless `replace`, which writes it
/// atomically instead.
pub fn write_new(path: &Path, bytes: &[u8], replace: bool) -> Result<Written, Diagnostic> {
    if replace && std::fs::symlink_metadata(path).is_ok() {
        super::write_atomic(path, bytes)?;
        return Ok(Written::Replaced);
    }
    let folder = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)
        .map_err(|e| Diagnostic::error(format!("cannot create folder: {e}")).in_file(folder))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Diagnostic::error("already exists; nothing was overwritten").in_file(path)
            } else {
                Diagnostic::error(format!("cannot create: {e}")).in_file(path)
            }
        })?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(|e| Diagnostic::error(format!("cannot write: {e}")).in_file(path))?;
    Ok(Written::Created)
}
