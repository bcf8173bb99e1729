//! `brief verify FILE…`: whether each file is, byte for byte, one a build
//! wrote, by its SHA-256 and the build's `manifest.json` (`--manifest`).
//! Needs no project: a recipient who was sent a packet and its manifest
//! can run it. A file inside the manifest's folder is compared with the
//! entry at its own path; any other file is looked up by its digest, so a
//! copy renamed on the way is still recognised, and a changed or swapped
//! file fails with a reason. Reads only; returns a report, prints nothing.
//!
//! Signatures: this build of brief does not sign (issue 14's PAdES part is
//! not built yet), so the report says so rather than claim one was checked.

use super::Status;
use crate::diag::Diagnostic;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Manifests larger than this are refused (a manifest lists file names and
/// digests; 64 MB is hundreds of thousands of files).
const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;
/// Files larger than this are refused (a packet is megabytes).
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// What `brief verify` found for each file.
#[derive(Debug)]
pub struct VerifyReport {
    pub files: Vec<Verdict>,
    pub status: Status,
}

/// One file's result: `ok` when it is a file the manifest lists, unchanged.
#[derive(Debug)]
pub struct Verdict {
    pub file: PathBuf,
    pub ok: bool,
    /// What was found, in a sentence ("is packets/x.pdf of the manifest").
    pub reason: String,
    pub sha256: Option<String>,
}

/// One file of the manifest.
struct Entry {
    path: String,
    sha256: String,
    bytes: Option<u64>,
}

/// Checks `files` against the manifest at `manifest`.
pub fn run(files: &[PathBuf], manifest: &Path) -> Result<VerifyReport, Diagnostic> {
    if files.is_empty() {
        return Err(Diagnostic::error("name the files to verify")
            .with_hint("brief verify output/packets/NAME.pdf [--manifest output/manifest.json]"));
    }
    let entries = read_manifest(manifest)?;
    let folder = manifest
        .parent()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .and_then(|p| p.canonicalize().ok());
    let verdicts: Vec<Verdict> = files
        .iter()
        .map(|f| verdict(f, &entries, folder.as_deref()))
        .collect();
    let failed = verdicts.iter().filter(|v| !v.ok).count();
    Ok(VerifyReport {
        files: verdicts,
        status: Status::failed_if(failed),
    })
}

fn read_manifest(manifest: &Path) -> Result<Vec<Entry>, Diagnostic> {
    let bytes = crate::files::read_regular(manifest, MAX_MANIFEST_BYTES).map_err(|e| {
        Diagnostic::error(format!("cannot read the manifest: {e}"))
            .in_file(manifest)
            .with_hint("give the manifest of the build that wrote the files: --manifest PATH")
    })?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        Diagnostic::error(format!("the manifest is not JSON: {e}")).in_file(manifest)
    })?;
    let files = value["files"].as_array().ok_or_else(|| {
        Diagnostic::error("the manifest lists no files (no \"files\" array)").in_file(manifest)
    })?;
    Ok(files
        .iter()
        .filter_map(|f| {
            Some(Entry {
                path: f["path"].as_str()?.to_string(),
                sha256: f["sha256"].as_str()?.to_ascii_lowercase(),
                bytes: f["bytes"].as_u64(),
            })
        })
        .collect())
}

fn verdict(file: &Path, entries: &[Entry], folder: Option<&Path>) -> Verdict {
    let fail = |reason: String, sha256: Option<String>| Verdict {
        file: file.to_path_buf(),
        ok: false,
        reason,
        sha256,
    };
    let bytes = match crate::files::read_regular(file, MAX_FILE_BYTES) {
        Ok(b) => b,
        Err(e) => return fail(format!("cannot read it: {e}"), None),
    };
    let sha = crate::ir::hex(&Sha256::digest(&bytes));
    let ok = |reason: String| Verdict {
        file: file.to_path_buf(),
        ok: true,
        reason,
        sha256: Some(sha.clone()),
    };
    // Inside the manifest's folder: the entry at its own path decides.
    let own = folder
        .zip(file.canonicalize().ok())
        .and_then(|(folder, real)| {
            let rel = real.strip_prefix(folder).ok()?;
            Some(rel.to_string_lossy().replace('\\', "/"))
        })
        .and_then(|rel| entries.iter().find(|e| e.path == rel));
    if let Some(entry) = own {
        return if entry.sha256 == sha {
            ok(format!("is {} of the manifest, unchanged", entry.path))
        } else {
            fail(changed(entry, bytes.len()), Some(sha))
        };
    }
    if let Some(entry) = entries.iter().find(|e| e.sha256 == sha) {
        return ok(format!("is {} of the manifest, unchanged", entry.path));
    }
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    let same_name = entries
        .iter()
        .find(|e| Some(e.path.rsplit('/').next().unwrap_or(&e.path)) == name.as_deref());
    match same_name {
        Some(entry) => fail(changed(entry, bytes.len()), Some(sha)),
        None => fail(
            "the manifest lists no file with its SHA-256: it is not a file of that build".into(),
            Some(sha),
        ),
    }
}

/// Why a file that should be `entry` is not.
fn changed(entry: &Entry, len: usize) -> String {
    let size = match entry.bytes {
        Some(b) if b < len as u64 => format!(
            " ({} bytes more than were written: something was appended, such as an incremental update)",
            len as u64 - b
        ),
        Some(b) if b > len as u64 => format!(" ({} bytes fewer than were written)", b - len as u64),
        _ => String::new(),
    };
    format!(
        "its SHA-256 differs from that of {} in the manifest: it was changed after the build, or is another build's file{size}",
        entry.path
    )
}
