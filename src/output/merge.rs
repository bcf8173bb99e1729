//! The file side of `brief merge` (`commands::merge` decides what): every
//! shard's file checked against its manifest entry first, then copied into
//! the output folder atomically, the files the folder's last manifest
//! listed that the merge does not bring removed (by the narrow rules of
//! `incremental::remove_listed`), and the merged manifest written last.

use super::incremental::{listed_path, remove_listed};
use crate::diag::{Diagnostic, quote};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The largest output file a merge copies (a packet PDF with its images).
const MAX_FILE_BYTES: u64 = 4 << 30;

/// Copies each `(from, relative path, sha256)` into `out` and writes
/// `manifest`; returns how many stale files were removed. Nothing is
/// written when a file to copy is missing, changed since its build, or
/// has a path a manifest may not list.
pub fn write(
    out: &Path,
    copies: &[(PathBuf, String, String)],
    manifest: &[u8],
) -> Result<usize, Diagnostic> {
    for (from, rel, sha) in copies {
        if listed_path(out, rel).is_none() {
            return Err(Diagnostic::error(format!(
                "a shard lists {}, which is not a path inside an output folder",
                quote(rel)
            )));
        }
        let bytes = read(from)?;
        if crate::ir::hex(&Sha256::digest(&bytes)) != *sha {
            return Err(Diagnostic::error("changed since its shard was built")
                .in_file(from)
                .with_hint(
                    "its SHA-256 is not the one its manifest lists: build the shard again",
                ));
        }
    }
    let previous = super::manifest::read_previous(out);
    let mut removed = 0;
    for old in &previous.files {
        if !copies.iter().any(|(_, rel, _)| *rel == old.path) && remove_listed(out, &old.path)? {
            removed += 1;
        }
    }
    for (from, rel, _) in copies {
        let to = listed_path(out, rel).expect("checked above");
        super::write_atomic(&to, &read(from)?)?;
    }
    super::write_atomic(&out.join(super::manifest::FILE_NAME), manifest)?;
    Ok(removed)
}

fn read(path: &Path) -> Result<Vec<u8>, Diagnostic> {
    crate::files::read_regular(path, MAX_FILE_BYTES)
        .map_err(|e| Diagnostic::error(format!("cannot read: {e}")).in_file(path))
}
