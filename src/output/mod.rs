//! The only module that writes files. Every output is written to a
//! temporary file in its final folder and renamed into place, so a reader
//! (or a crash, or a failing post) never sees a half-written file and a
//! failure never destroys the previous good output.
//!
//! One build at a time writes to an output folder: [`lock_output`] takes
//! `OUT/.brief.lock` (an OS file lock, released by the kernel even after
//! `kill -9`) and a second build refuses to start. Temporary files left by
//! an interrupted build (`.NAME.PID.N.tmp`) are never under a final name;
//! the next build removes them once it holds the lock.

pub mod incremental;
pub mod manifest;
pub mod merge;
pub mod scaffold;
pub mod send_log;

use crate::diag::Diagnostic;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `path` atomically, creating the folder if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let fail = |what: &str, p: &Path, e: std::io::Error| {
        Diagnostic::error(format!("cannot {what}: {e}")).in_file(p)
    };
    std::fs::create_dir_all(folder).map_err(|e| fail("create folder", folder, e))?;
    let temp = temp_path(path);
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(fail("write", path, e));
    }
    Ok(())
}

/// A hidden name beside the target, unique within this process and across
/// processes, so two writers never share a temporary file.
fn temp_path(path: &Path) -> PathBuf {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

/// Name of the lock file inside the output folder.
pub const LOCK_FILE: &str = ".brief.lock";

/// Held for the whole build; dropping it removes the lock file and
/// releases the lock.
#[derive(Debug)]
pub struct OutputLock {
    path: PathBuf,
    _file: std::fs::File,
    /// The output folder when taking the lock created it.
    created: Option<PathBuf>,
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still locked; a build that opened the old file in
        // the meantime notices (see `lock_output`) and tries again.
        let _ = std::fs::remove_file(&self.path);
        // A build that wrote nothing (a configuration error found late)
        // leaves no empty output folder behind; `remove_dir` refuses a
        // folder that has anything in it.
        if let Some(folder) = &self.created {
            let _ = std::fs::remove_dir(folder);
        }
    }
}

/// Takes the output folder's lock, or says which process holds it. Never
/// waits: a second build started by mistake should say so at once rather
/// than hang.
pub fn lock_output(out: &Path) -> Result<OutputLock, Diagnostic> {
    let path = out.join(LOCK_FILE);
    let fail = |e: std::io::Error| {
        Diagnostic::error(format!("cannot lock the output folder: {e}")).in_file(&path)
    };
    let created = (!out.exists()).then(|| out.to_path_buf());
    std::fs::create_dir_all(out).map_err(fail)?;
    loop {
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(fail)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let pid = std::fs::read_to_string(&path).unwrap_or_default();
                let pid = pid.trim();
                let pid = if pid.is_empty() {
                    "unknown".to_string()
                } else {
                    crate::diag::one_line(pid)
                };
                return Err(Diagnostic::error(format!(
                    "another brief build is writing to {}/ (pid {pid})",
                    out.display().to_string().trim_end_matches('/')
                ))
                .with_hint("wait for it to finish, or build into another folder with --out"));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(fail(e)),
        }
        // The previous holder removes the file before releasing it: if we
        // locked a file that is no longer at `path`, try again.
        if !still_at(&file, &path) {
            continue;
        }
        let _ = file.set_len(0);
        let _ = write!(file, "{}", std::process::id());
        remove_stale_temporaries(out);
        return Ok(OutputLock {
            path,
            _file: file,
            created,
        });
    }
}

#[cfg(unix)]
fn still_at(file: &std::fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_at(_: &std::fs::File, path: &Path) -> bool {
    path.exists()
}

/// Removes temporary files an interrupted build left anywhere in the
/// output folder (edition folders, packet folders of addressed copies, and
/// any folder a later edition adds). Only names this module makes are
/// touched (`.NAME.PID.N.tmp`); symlinked folders are not followed; called
/// with the lock held, so no live build owns them.
fn remove_stale_temporaries(out: &Path) {
    // Deeper than anything a build writes; a bound against odd trees.
    const MAX_DEPTH: usize = 16;
    let mut folders = vec![(out.to_path_buf(), 0)];
    while let Some((folder, depth)) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() && depth < MAX_DEPTH {
                folders.push((entry.path(), depth + 1));
            } else if kind.is_file() && is_temp_name(&entry.file_name().to_string_lossy()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Whether `name` is one of our temporary names (see [`temp_path`]).
pub fn is_temp_name(name: &str) -> bool {
    let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    let mut parts = inner.rsplitn(3, '.');
    let counter = parts.next().unwrap_or("");
    let pid = parts.next().unwrap_or("");
    let stem = parts.next().unwrap_or("");
    !stem.is_empty()
        && !counter.is_empty()
        && !pid.is_empty()
        && counter
            .bytes()
            .chain(pid.bytes())
            .all(|b| b.is_ascii_digit())
}

/// Reads back a file this build wrote (e-mail messages attach the
/// editions written before them).
pub fn read_written(path: &Path) -> std::io::Result<Vec<u8>> {
    std::fs::read(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.txt");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("a"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["b.txt"]);
    }

    #[test]
    fn temporary_names_are_recognised() {
        let t = temp_path(Path::new("out/pdf/a.b.pdf"));
        assert!(is_temp_name(&t.file_name().unwrap().to_string_lossy()));
        assert!(!is_temp_name("a.pdf"));
        assert!(!is_temp_name(".brief.lock"));
        assert!(!is_temp_name(".x.tmp"));
    }

    #[test]
    fn a_second_lock_is_refused_with_the_pid_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        let stale = out.join("pdf/.a.pdf.1.2.tmp");
        // Addressed packet copies live one folder deeper (regression: the
        // cleanup looked one level deep and these survived forever).
        let deep = out.join("packets/briefing/.embassy.pdf.7.3.tmp");
        let kept = out.join("packets/briefing/embassy.pdf");
        for file in [&stale, &deep, &kept] {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, b"half").unwrap();
        }
        let first = lock_output(&out).unwrap();
        assert!(!stale.exists(), "stale temporary file left behind");
        assert!(
            !deep.exists(),
            "stale temporary file in a packet folder left behind"
        );
        assert!(kept.exists(), "a real output was removed");
        let err = lock_output(&out).unwrap_err().to_string();
        assert!(err.contains("another brief build is writing to"), "{err}");
        assert!(
            err.contains(&format!("(pid {})", std::process::id())),
            "{err}"
        );
        drop(first);
        assert!(!out.join(LOCK_FILE).exists());
        assert!(
            out.join("pdf").exists(),
            "a folder with files in it is kept"
        );
        drop(lock_output(&out).unwrap());
        let fresh = dir.path().join("fresh");
        drop(lock_output(&fresh).unwrap());
        assert!(
            !fresh.exists(),
            "an output folder the lock created and nothing used is removed"
        );
    }
}
