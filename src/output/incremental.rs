//! The file operations of incremental builds (`cache` decides, this
//! writes): cache entries, removing outputs the last manifest listed that
//! no longer build, and `brief clean`.
//!
//! Removal is narrow by construction: only a path the previous manifest
//! listed, only if it is relative with plain components (no `..`, no root,
//! nothing hidden), only a regular file (never a folder or a symlink), and
//! only inside the output folder. Folders are removed only when that left
//! them empty.

use crate::diag::Diagnostic;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// Writes a cache entry to a temporary name beside it and renames it into
/// place. Not synced: an entry is checked against its own hashes before
/// every use, so one torn by a crash is a miss, not a wrong output.
pub fn write_cache_entry(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let fail = |e: std::io::Error| Diagnostic::error(format!("cannot write: {e}")).in_file(path);
    std::fs::create_dir_all(folder).map_err(fail)?;
    let temp = super::temp_path(path);
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(fail(e));
    }
    Ok(())
}

/// `out/rel` when `rel` is a path a manifest may list: relative, plain
/// components only, none hidden.
pub fn listed_path(out: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    let plain = rel.components().all(|c| match c {
        Component::Normal(name) => !name.to_string_lossy().starts_with('.'),
        _ => false,
    });
    (plain && rel.components().next().is_some()).then(|| out.join(rel))
}

/// Removes the listed file `rel` of the output folder `out` (see the
/// module's rules), then the folders that left empty, up to `out`.
/// Returns whether a file was removed.
pub fn remove_listed(out: &Path, rel: &str) -> Result<bool, Diagnostic> {
    let Some(path) = listed_path(out, rel) else {
        return Ok(false);
    };
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_file() => {}
        _ => return Ok(false),
    }
    // A symlinked folder on the way must not lead the removal outside.
    let inside = match (path.parent().map(Path::canonicalize), out.canonicalize()) {
        (Some(Ok(folder)), Ok(root)) => folder.starts_with(root),
        _ => false,
    };
    if !inside {
        return Ok(false);
    }
    std::fs::remove_file(&path)
        .map_err(|e| Diagnostic::error(format!("cannot remove: {e}")).in_file(&path))?;
    let mut folder = path.parent();
    while let Some(f) = folder {
        if f == out || std::fs::remove_dir(f).is_err() {
            break;
        }
        folder = f.parent();
    }
    Ok(true)
}

/// Removes a cache folder's entries (`objects/ab/<64 hex>` and their
/// temporaries) except those named in `keep`, then the folders that leaves
/// empty: nothing else in it is touched, so a `--cache-dir` pointed at the
/// wrong folder loses nothing. Returns how many entries were removed.
pub fn remove_cache(
    dir: &Path,
    keep: &std::collections::BTreeSet<String>,
) -> Result<usize, Diagnostic> {
    // Entries, and the stamps of their outputs (`cache::store`); a stamp
    // is not an entry, so only entries are counted.
    let removed = remove_keyed(&dir.join("objects"), keep)?;
    remove_keyed(&dir.join("stamps"), keep)?;
    let _ = std::fs::remove_dir(dir);
    Ok(removed)
}

/// Removes the files of `folder/ab/<key>` whose key is not in `keep`.
fn remove_keyed(
    folder: &Path,
    keep: &std::collections::BTreeSet<String>,
) -> Result<usize, Diagnostic> {
    let mut removed = 0;
    let Ok(shards) = std::fs::read_dir(folder) else {
        return Ok(0);
    };
    for shard in shards.flatten() {
        let name = shard.file_name().to_string_lossy().into_owned();
        if name.len() != 2 || !name.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(shard.path()) else {
            continue;
        };
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            let is_entry = file.len() == 64 && file.bytes().all(|b| b.is_ascii_hexdigit());
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            let kept = keep.contains(&file);
            if is_file && !kept && (is_entry || super::is_temp_name(&file)) {
                std::fs::remove_file(entry.path()).map_err(|e| {
                    Diagnostic::error(format!("cannot remove: {e}")).in_file(entry.path())
                })?;
                removed += 1;
            }
        }
        let _ = std::fs::remove_dir(shard.path());
    }
    let _ = std::fs::remove_dir(folder);
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_listed_paths_can_be_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        std::fs::create_dir_all(out.join("pdf")).unwrap();
        std::fs::write(out.join("pdf/a.pdf"), b"x").unwrap();
        std::fs::write(dir.path().join("outside.txt"), b"x").unwrap();
        for bad in [
            "../outside.txt",
            "/etc/passwd",
            "",
            ".brief-cache/x",
            "pdf/../../outside.txt",
            "pdf",
        ] {
            assert!(!remove_listed(&out, bad).unwrap(), "{bad}");
        }
        assert!(dir.path().join("outside.txt").exists());
        #[cfg(unix)]
        {
            std::fs::create_dir_all(dir.path().join("elsewhere")).unwrap();
            std::fs::write(dir.path().join("elsewhere/b.pdf"), b"x").unwrap();
            std::os::unix::fs::symlink(dir.path().join("elsewhere"), out.join("epub")).unwrap();
            assert!(!remove_listed(&out, "epub/b.pdf").unwrap());
            assert!(dir.path().join("elsewhere/b.pdf").exists());
        }
        assert!(remove_listed(&out, "pdf/a.pdf").unwrap());
        assert!(!out.join("pdf").exists(), "an emptied folder is removed");
        assert!(out.exists(), "the output folder itself stays");
    }
}
