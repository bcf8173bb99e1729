//! The cache's entries on disk. One file per key, `DIR/objects/ab/<key>`:
//!
//! ```text
//! brief-cache-1 <SHA-256 of the next line>\n
//! {"sha256": "<SHA-256 of the payload>", "bytes": N, "warnings": [...]}\n
//! <payload: the output's bytes>
//! ```
//!
//! The header is read alone (an intact output needs nothing more); the
//! payload only when the output must be restored, and then only after its
//! length and SHA-256 match the header. Anything that does not check out
//! is a miss.
//!
//! Whether an output is intact is decided by its SHA-256, read once: the
//! entry's *stamp* (`DIR/stamps/ab/<key>`) then records the file's
//! device, inode, length, mtime and ctime as they were when its bytes were
//! known to be the entry's, and a later build that finds the file with the
//! very same stamp trusts it without reading it (any write to the file
//! moves its ctime, which no tool can set back). A file whose ctime is
//! less than [`SETTLE`] old gets no stamp: timestamps tick coarsely, and a
//! write in the same tick as ours would leave the stamp unchanged ("racy
//! git"); it is hashed again next time.

use super::{Key, Produced};
use crate::diag::Diagnostic;
use crate::output::{self, manifest::WrittenFile};
use crate::write::Rendered;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

const MAGIC: &str = "brief-cache-1";

/// How old a file's ctime must be before its stamp is trusted.
const SETTLE: std::time::Duration = std::time::Duration::from_secs(2);

/// The build cache, or none (`--no-cache`).
#[derive(Debug)]
pub struct Cache {
    dir: Option<PathBuf>,
    /// The entries this build used or stored (their file names).
    used: Mutex<BTreeSet<String>>,
}

/// What an entry's header says.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    sha256: String,
    bytes: u64,
    warnings: Vec<StoredDiagnostic>,
}

/// A writer's warning as the cache keeps it ([`Diagnostic`] holds
/// `&'static str` edition labels, which cannot be read back as such).
#[derive(Debug, Serialize, Deserialize)]
struct StoredDiagnostic {
    error: bool,
    file: Option<PathBuf>,
    line: Option<usize>,
    col: Option<usize>,
    message: String,
    hint: Option<String>,
    editions: Vec<String>,
}

impl StoredDiagnostic {
    fn of(d: &Diagnostic) -> StoredDiagnostic {
        StoredDiagnostic {
            error: d.is_error(),
            file: d.file.clone(),
            line: d.line,
            col: d.col,
            message: d.message.clone(),
            hint: d.hint.clone(),
            editions: d.editions.iter().map(|e| e.to_string()).collect(),
        }
    }

    fn diagnostic(&self) -> Diagnostic {
        let mut d = if self.error {
            Diagnostic::error(self.message.clone())
        } else {
            Diagnostic::warning(self.message.clone())
        };
        d.file = self.file.clone();
        d.line = self.line;
        d.col = self.col;
        d.hint = self.hint.clone();
        d.editions = self
            .editions
            .iter()
            .filter_map(|e| edition_label(e))
            .collect();
        d
    }
}

/// The static label a stored edition name stands for.
fn edition_label(name: &str) -> Option<&'static str> {
    crate::write::Edition::ALL
        .iter()
        .map(|e| e.label())
        .find(|label| *label == name)
}

impl Cache {
    /// A cache in `dir`, or none.
    pub fn new(dir: Option<PathBuf>) -> Cache {
        Cache {
            dir,
            used: Mutex::new(BTreeSet::new()),
        }
    }

    /// Removes every entry this build did not use: after a build of every
    /// post and edition into the default cache (one build at a time holds
    /// its output folder), so the cache stays the size of the outputs
    /// instead of growing with every edit. A shared `--cache-dir` is never
    /// pruned (other builds use it). Returns how many entries went.
    pub fn prune_unused(&self) -> Result<usize, Diagnostic> {
        let Some(dir) = &self.dir else {
            return Ok(0);
        };
        let used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        output::incremental::remove_cache(dir, &used)
    }

    fn mark_used(&self, key: &Key) {
        self.used
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.hex());
    }

    /// The folder a setting puts the cache in, for the output folder `out`.
    pub fn for_setting(setting: &super::Setting, out: &Path) -> Cache {
        Cache::new(match setting {
            super::Setting::InOutput => Some(out.join(super::DEFAULT_DIR)),
            super::Setting::Dir(dir) => Some(dir.clone()),
            super::Setting::Off => None,
        })
    }

    pub fn is_enabled(&self) -> bool {
        self.dir.is_some()
    }

    /// The SHA-256 (hex) of the running executable, taken from its stamp
    /// while the file is unchanged since it was stamped, else read and
    /// stamped again. Hashing ~70 MB cost a no-op rebuild of 1,000 posts
    /// about 5% of its time, on its critical path. The stamp is kept like
    /// an output's (under a fixed key, used by every build; `brief clean`
    /// removes it). `None` without a cache or an executable to read.
    pub fn tool_digest(&self) -> Option<String> {
        let key = Key::from_bytes(Sha256::digest(b"brief: the running executable").into());
        let stamp = self.stamp_path(&key)?;
        self.mark_used(&key);
        let exe = std::env::current_exe().ok()?;
        let meta = std::fs::symlink_metadata(&exe).ok()?;
        if let Ok(kept) = std::fs::read_to_string(&stamp) {
            let sha = kept.trim_end().rsplit(' ').next().unwrap_or("");
            if sha.len() == 64 && stamp_of(&meta, sha).is_some_and(|now| now == kept) {
                return Some(sha.to_string());
            }
        }
        let mut hasher = Sha256::new();
        std::io::copy(&mut std::fs::File::open(&exe).ok()?, &mut hasher).ok()?;
        let sha = crate::ir::hex(&hasher.finalize());
        write_stamp(&stamp, &exe, &sha);
        Some(sha)
    }

    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    fn entry_path(&self, key: &Key) -> Option<PathBuf> {
        let hex = key.hex();
        Some(self.dir.as_ref()?.join("objects").join(&hex[..2]).join(hex))
    }

    fn stamp_path(&self, key: &Key) -> Option<PathBuf> {
        let hex = key.hex();
        Some(self.dir.as_ref()?.join("stamps").join(&hex[..2]).join(hex))
    }

    /// Makes `target` hold `key`'s output: left alone when it already does,
    /// restored from an intact entry, else rendered (and the entry stored).
    /// Returns the file, the writer's warnings and how it was produced.
    pub fn produce(
        &self,
        key: Option<&Key>,
        target: &Path,
        render: impl FnOnce() -> Result<Rendered, Diagnostic>,
    ) -> Result<(WrittenFile, Vec<Diagnostic>, Produced), (Diagnostic, Produced)> {
        let entry = key.and_then(|k| self.entry_path(k));
        if let Some(key) = key.filter(|_| entry.is_some()) {
            self.mark_used(key);
        }
        let stamp = key.and_then(|k| self.stamp_path(k));
        if let (Some(entry), Some(stamp)) = (&entry, &stamp) {
            if let Some(reused) = reuse(entry, target, stamp) {
                return Ok(reused);
            }
        }
        let started = Instant::now();
        let rendered = render().map_err(|d| (d, Produced::Rendered(started.elapsed())))?;
        output::write_atomic(target, &rendered.bytes)
            .map_err(|d| (d, Produced::Rendered(started.elapsed())))?;
        let took = Produced::Rendered(started.elapsed());
        if let Some(entry) = &entry {
            // A cache that cannot be written costs the next build time,
            // never this build's result.
            let _ = output::incremental::write_cache_entry(
                entry,
                &entry_bytes(&rendered.bytes, &rendered.warnings),
            );
        }
        let file = WrittenFile::of(target, &rendered.bytes);
        if let Some(stamp) = &stamp {
            write_stamp(stamp, target, &file.sha256);
        }
        Ok((file, rendered.warnings, took))
    }
}

/// The entry's header, when it is intact.
fn read_header(entry: &Path) -> Option<(Header, u64)> {
    let file = std::fs::File::open(entry).ok()?;
    let size = file.metadata().ok()?.len();
    let mut reader = std::io::BufReader::new(file);
    let mut first = String::new();
    reader.by_ref().take(256).read_line(&mut first).ok()?;
    let (magic, check) = first.trim_end_matches('\n').split_once(' ')?;
    if magic != MAGIC {
        return None;
    }
    let mut second = Vec::new();
    reader
        .by_ref()
        .take(64 * 1024 * 1024)
        .read_until(b'\n', &mut second)
        .ok()?;
    if crate::ir::hex(&Sha256::digest(&second)) != check {
        return None;
    }
    let header: Header = serde_json::from_slice(&second).ok()?;
    let header_len = (first.len() + second.len()) as u64;
    (size == header_len + header.bytes).then_some((header, header_len))
}

/// `key`'s output without rendering it, when its entry is intact.
fn reuse(
    entry: &Path,
    target: &Path,
    stamp: &Path,
) -> Option<(WrittenFile, Vec<Diagnostic>, Produced)> {
    let (header, header_len) = read_header(entry)?;
    let warnings = header.warnings.iter().map(|w| w.diagnostic()).collect();
    let file = WrittenFile {
        path: target.to_path_buf(),
        sha256: header.sha256.clone(),
        bytes: header.bytes as usize,
    };
    if is_intact(target, &header, stamp) {
        return Some((file, warnings, Produced::Reused));
    }
    let mut payload = Vec::with_capacity(header.bytes as usize);
    let mut reader = std::fs::File::open(entry).ok()?;
    std::io::copy(&mut (&mut reader).take(header_len), &mut std::io::sink()).ok()?;
    reader.read_to_end(&mut payload).ok()?;
    if payload.len() as u64 != header.bytes
        || crate::ir::hex(&Sha256::digest(&payload)) != header.sha256
    {
        return None;
    }
    output::write_atomic(target, &payload).ok()?;
    write_stamp(stamp, target, &header.sha256);
    Some((file, warnings, Produced::Reused))
}

/// Whether the output file already holds exactly the entry's bytes: its
/// stamp says so, or its SHA-256 does (and then it is stamped).
fn is_intact(target: &Path, header: &Header, stamp: &Path) -> bool {
    let meta = match std::fs::symlink_metadata(target) {
        Ok(meta) if meta.is_file() && meta.len() == header.bytes => meta,
        _ => return false,
    };
    if let Some(now) = stamp_of(&meta, &header.sha256) {
        if std::fs::read_to_string(stamp).is_ok_and(|kept| kept == now) {
            return true;
        }
    }
    match std::fs::read(target) {
        Ok(bytes) if crate::ir::hex(&Sha256::digest(&bytes)) == header.sha256 => {
            write_stamp(stamp, target, &header.sha256);
            true
        }
        _ => false,
    }
}

/// The stamp of a file with the metadata `meta` and the SHA-256 `sha`, or
/// none where stamps cannot be trusted (no inode numbers, or a ctime too
/// recent to tell a later write in the same tick apart).
#[cfg(unix)]
fn stamp_of(meta: &std::fs::Metadata, sha: &str) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let changed = std::time::UNIX_EPOCH
        + std::time::Duration::new(meta.ctime().max(0) as u64, meta.ctime_nsec() as u32);
    let settled = std::time::SystemTime::now()
        .duration_since(changed)
        .is_ok_and(|age| age >= SETTLE);
    settled.then(|| {
        format!(
            "{} {} {} {}.{} {}.{} {sha}\n",
            meta.dev(),
            meta.ino(),
            meta.len(),
            meta.mtime(),
            meta.mtime_nsec(),
            meta.ctime(),
            meta.ctime_nsec()
        )
    })
}

#[cfg(not(unix))]
fn stamp_of(_meta: &std::fs::Metadata, _sha: &str) -> Option<String> {
    None
}

/// Records that `target` holds the bytes with SHA-256 `sha`, when its
/// stamp can be trusted. A stamp that cannot be written costs the next
/// build a read, nothing else.
fn write_stamp(stamp: &Path, target: &Path, sha: &str) {
    if let Some(line) = std::fs::symlink_metadata(target)
        .ok()
        .and_then(|meta| stamp_of(&meta, sha))
    {
        let _ = output::incremental::write_cache_entry(stamp, line.as_bytes());
    }
}

fn entry_bytes(payload: &[u8], warnings: &[Diagnostic]) -> Vec<u8> {
    let header = Header {
        sha256: crate::ir::hex(&Sha256::digest(payload)),
        bytes: payload.len() as u64,
        warnings: warnings.iter().map(StoredDiagnostic::of).collect(),
    };
    let mut second = serde_json::to_vec(&header).unwrap_or_default();
    second.push(b'\n');
    let mut bytes = format!("{MAGIC} {}\n", crate::ir::hex(&Sha256::digest(&second))).into_bytes();
    bytes.extend_from_slice(&second);
    bytes.extend_from_slice(payload);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> Key {
        Key::from_bytes([n; 32])
    }

    fn rendered(bytes: &[u8]) -> Rendered {
        Rendered {
            bytes: bytes.to_vec(),
            warnings: vec![
                Diagnostic::warning("image not embedded")
                    .in_file("content/a.md")
                    .at(3, Some(2)),
            ],
        }
    }

    #[test]
    fn a_stored_output_is_reused_and_a_damaged_entry_is_rendered_again() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(Some(dir.path().join("cache")));
        let target = dir.path().join("out/pdf/a.pdf");
        let (_, _, how) = cache
            .produce(Some(&key(1)), &target, || Ok(rendered(b"first")))
            .unwrap();
        assert!(matches!(how, Produced::Rendered(_)));
        // Intact output: nothing rendered, the warnings come back.
        let (file, warnings, how) = cache
            .produce(Some(&key(1)), &target, || panic!("rendered again"))
            .unwrap();
        assert_eq!(how, Produced::Reused);
        assert_eq!(file.bytes, 5);
        assert_eq!(warnings, rendered(b"").warnings);
        // Output gone: restored from the entry.
        std::fs::remove_file(&target).unwrap();
        cache
            .produce(Some(&key(1)), &target, || panic!("rendered again"))
            .unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"first");
        // Damaged entry (same length, one byte changed): rendered again.
        let entry = cache.entry_path(&key(1)).unwrap();
        let mut bytes = std::fs::read(&entry).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&entry, &bytes).unwrap();
        std::fs::remove_file(&target).unwrap();
        let (_, _, how) = cache
            .produce(Some(&key(1)), &target, || Ok(rendered(b"first")))
            .unwrap();
        assert!(matches!(how, Produced::Rendered(_)));
        assert_eq!(std::fs::read(&target).unwrap(), b"first");
        // Truncated entry: a miss too.
        let bytes = std::fs::read(&entry).unwrap();
        std::fs::write(&entry, &bytes[..bytes.len() / 2]).unwrap();
        let (_, _, how) = cache
            .produce(Some(&key(1)), &target, || Ok(rendered(b"first")))
            .unwrap();
        assert!(matches!(how, Produced::Rendered(_)));
    }

    /// An output hashed once is stamped and later trusted by its stamp;
    /// a write to it, even of the same length with its mtime put back,
    /// moves its ctime, so it is read, found changed and restored.
    #[cfg(unix)]
    #[test]
    fn a_stamped_output_is_trusted_until_anything_writes_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(Some(dir.path().join("cache")));
        let target = dir.path().join("out/a.txt");
        let produce = || {
            cache
                .produce(Some(&key(2)), &target, || Ok(rendered(b"first")))
                .unwrap()
                .2
        };
        assert!(matches!(produce(), Produced::Rendered(_)));
        let stamp = cache.stamp_path(&key(2)).unwrap();
        // Too fresh to stamp: timestamps tick coarsely.
        assert_eq!(produce(), Produced::Reused);
        assert!(!stamp.exists());
        std::thread::sleep(SETTLE + std::time::Duration::from_millis(100));
        assert_eq!(produce(), Produced::Reused);
        let kept = std::fs::read_to_string(&stamp).unwrap();
        assert!(kept.ends_with(&format!("{}\n", crate::ir::hex(&Sha256::digest(b"first")))));
        assert_eq!(produce(), Produced::Reused);
        // Same length, mtime restored: the ctime still moves.
        let mtime = std::fs::metadata(&target).unwrap().modified().unwrap();
        std::fs::write(&target, b"fir5t").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&target)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        assert_eq!(produce(), Produced::Reused);
        assert_eq!(std::fs::read(&target).unwrap(), b"first");
    }
}
