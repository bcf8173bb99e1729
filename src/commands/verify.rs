//! `brief verify FILE…`: whether each file is, byte for byte, one a build
//! wrote, by its SHA-256 and the build's `manifest.json` (`--manifest`).
//! Needs no project: a recipient who was sent a packet and its manifest
//! can run it. A file inside the manifest's folder is compared with the
//! entry at its own path; any other file is looked up by its digest, so a
//! copy renamed on the way is still recognised, and a changed or swapped
//! file fails with a reason. Reads only; returns a report, prints nothing.
//!
//! A PDF's signature is checked too (`sign::check`): valid over its
//! `/ByteRange`, the range covering the whole file (nothing appended after
//! signing), and who signed; a signature timestamp (RFC 3161), when there
//! is one, must hold, and its time and authority are reported. A file the
//! manifest records as signed fails
//! when it is not, or when another certificate signed it. Without a
//! manifest file at all (a recipient given only the PDF), only the
//! signature is checked, and a file passes only when validly signed.

use super::Status;
use crate::diag::Diagnostic;
use crate::sign::check::{Signature, Signed};
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
    /// The certificate's SHA-256, when the build signed the file.
    signed_by: Option<String>,
}

/// Where a build writes its manifest, relative to the project.
const DEFAULT_MANIFEST: &str = "output/manifest.json";

/// Checks `files` against the manifest at `manifest` (named: it must be
/// there), or at `output/manifest.json` when none is named (when that is
/// absent too, only the PDFs' signatures are checked).
pub fn run(files: &[PathBuf], manifest: Option<&Path>) -> Result<VerifyReport, Diagnostic> {
    let named = manifest.is_some();
    let manifest = manifest.unwrap_or(Path::new(DEFAULT_MANIFEST));
    if files.is_empty() {
        return Err(Diagnostic::error("name the files to verify")
            .with_hint("brief verify output/packets/NAME.pdf [--manifest output/manifest.json]"));
    }
    // No manifest at all: the signature alone decides (an unreadable or
    // broken manifest is still an error).
    let entries = match std::fs::symlink_metadata(manifest) {
        Err(e) if !named && e.kind() == std::io::ErrorKind::NotFound => None,
        _ => Some(read_manifest(manifest)?),
    };
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
        .map(|f| match &entries {
            Some(entries) => verdict(f, entries, folder.as_deref()),
            None => signature_only(f),
        })
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
                signed_by: f["signed"]["certificate_sha256"]
                    .as_str()
                    .map(str::to_ascii_lowercase),
            })
        })
        .collect())
}

fn verdict(file: &Path, entries: &[Entry], folder: Option<&Path>) -> Verdict {
    let bytes = match crate::files::read_regular(file, MAX_FILE_BYTES) {
        Ok(b) => b,
        Err(e) => return failed(file, format!("cannot read it: {e}"), None),
    };
    let sha = crate::ir::hex(&Sha256::digest(&bytes));
    let (hash_ok, reason, entry) = by_digest(file, &bytes, &sha, entries, folder);
    let (sig_ok, sig_reason) = match signature(&bytes, file) {
        None => (true, None),
        Some(found) => judged(found, entry.and_then(|e| e.signed_by.as_deref())),
    };
    Verdict {
        file: file.to_path_buf(),
        ok: hash_ok && sig_ok,
        reason: match sig_reason {
            Some(s) => format!("{reason}; {s}"),
            None => reason,
        },
        sha256: Some(sha),
    }
}

/// A file checked by its signature alone (there is no manifest).
fn signature_only(file: &Path) -> Verdict {
    let bytes = match crate::files::read_regular(file, MAX_FILE_BYTES) {
        Ok(b) => b,
        Err(e) => return failed(file, format!("cannot read it: {e}"), None),
    };
    let sha = crate::ir::hex(&Sha256::digest(&bytes));
    let (ok, reason) = match signature(&bytes, file) {
        Some(found @ Signature::Valid(_)) => judged(found, None),
        Some(found) => (false, judged(found, None).1),
        None => (false, None),
    };
    Verdict {
        file: file.to_path_buf(),
        ok,
        reason: format!(
            "no manifest, so only its signature was checked: {}",
            reason.unwrap_or_else(|| "it is not a PDF, and has no signature to check".into())
        ),
        sha256: Some(sha),
    }
}

fn failed(file: &Path, reason: String, sha256: Option<String>) -> Verdict {
    Verdict {
        file: file.to_path_buf(),
        ok: false,
        reason,
        sha256,
    }
}

/// The signature of a PDF (judged by its first bytes, or its name when
/// those are damaged); `None` for any other file.
fn signature(bytes: &[u8], file: &Path) -> Option<Signature> {
    let named_pdf = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    (bytes.starts_with(b"%PDF") || named_pdf).then(|| crate::sign::check::check(bytes))
}

/// Whether a PDF's signature holds, given the certificate the manifest
/// says signed it (if it says), and the finding in words.
fn judged(found: Signature, expected: Option<&str>) -> (bool, Option<String>) {
    let who = |s: &Signed| {
        format!(
            "{} (certificate SHA-256 {})",
            s.subject, s.certificate_sha256
        )
    };
    match found {
        Signature::Valid(s) => match expected {
            Some(cert) if cert != s.certificate_sha256 => (
                false,
                Some(format!(
                    "signed by {}, but the manifest says the build signed it with certificate {cert}: it is another signer's file",
                    who(&s)
                )),
            ),
            _ => (
                true,
                Some(format!(
                    "signature valid, signed by {}, covering the whole file; {}",
                    who(&s),
                    timestamp(&s)
                )),
            ),
        },
        Signature::NotSigned => match expected {
            Some(_) => (
                false,
                Some("not signed, but the manifest says the build signed it: the signature was removed or this is another file".into()),
            ),
            None => (true, Some("not signed".into())),
        },
        Signature::Invalid { reason, signer } => (
            false,
            Some(match signer {
                Some(s) => format!("signature INVALID ({reason}); it names {}", who(&s)),
                None => format!("signature INVALID ({reason})"),
            }),
        ),
    }
}

/// What a valid signature's timestamp says: the time and the authority
/// that vouches for it, or that the time is only the one claimed.
fn timestamp(s: &Signed) -> String {
    match &s.timestamp {
        Some(t) => format!(
            "timestamp {} by {} (TSA certificate SHA-256 {}): the signature existed then",
            t.time, t.tsa, t.tsa_certificate_sha256
        ),
        None => {
            "timestamp: none (signing time is the packet's date, as the signer claims it)".into()
        }
    }
}

/// The manifest check: whether the file is one of the build's, unchanged,
/// why, and the entry it was compared with.
fn by_digest<'e>(
    file: &Path,
    bytes: &[u8],
    sha: &str,
    entries: &'e [Entry],
    folder: Option<&Path>,
) -> (bool, String, Option<&'e Entry>) {
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
            (
                true,
                format!("is {} of the manifest, unchanged", entry.path),
                Some(entry),
            )
        } else {
            (false, changed(entry, bytes.len()), Some(entry))
        };
    }
    if let Some(entry) = entries.iter().find(|e| e.sha256 == sha) {
        return (
            true,
            format!("is {} of the manifest, unchanged", entry.path),
            Some(entry),
        );
    }
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    let same_name = entries
        .iter()
        .find(|e| Some(e.path.rsplit('/').next().unwrap_or(&e.path)) == name.as_deref());
    match same_name {
        Some(entry) => (false, changed(entry, bytes.len()), Some(entry)),
        None => (
            false,
            "the manifest lists no file with its SHA-256: it is not a file of that build".into(),
            None,
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
