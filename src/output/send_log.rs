//! The log of sent messages (`output/sent.jsonl`) and the lock a sending
//! run holds: the only files `brief send` writes, written here so that
//! all writing stays in `output/`.

use crate::diag::Diagnostic;
use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A line of `output/sent.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SentRecord {
    pub message_id: String,
    pub recipient: String,
    /// When the server accepted the message (RFC 3339, UTC).
    pub time: String,
    /// The server's reply, e.g. `250 2.0.0 Ok: queued as 1234`.
    pub reply: String,
    pub file: String,
    pub sha256: String,
}

pub fn log_path(out_dir: &Path) -> PathBuf {
    out_dir.join("sent.jsonl")
}

/// The (Message-ID, address) pairs already accepted. A torn last line (a
/// crash mid-write) is ignored with a warning; the message it named was
/// not recorded, so at worst it is sent once more.
pub fn read_log(path: &Path) -> Result<(BTreeSet<(String, String)>, Vec<Diagnostic>), Diagnostic> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Default::default()),
        Err(e) => {
            return Err(
                Diagnostic::error(format!("cannot read the log of sent messages: {e}"))
                    .in_file(path),
            );
        }
    };
    let mut done = BTreeSet::new();
    let mut warnings = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<SentRecord>(line) {
            Ok(r) => {
                done.insert((r.message_id, address_key(&r.recipient)));
            }
            Err(e) => warnings.push(
                Diagnostic::warning(format!("unreadable record ignored: {e}"))
                    .in_file(path)
                    .at(i + 1, None),
            ),
        }
    }
    Ok((done, warnings))
}

/// The address alone, lower-cased: `Jane <J@x.org>` and `j@x.org` are
/// the same recipient.
pub fn address_key(recipient: &str) -> String {
    match recipient.parse::<Mailbox>() {
        Ok(m) => m.email.to_string().to_lowercase(),
        Err(_) => recipient.trim().to_lowercase(),
    }
}

/// Appends one record and flushes it to disk before returning.
pub fn append_record(log: &Path, record: &SentRecord) -> Result<(), Diagnostic> {
    let fail = |e: std::io::Error| {
        Diagnostic::error(format!(
            "{} was accepted for {} but cannot be recorded: {e}; stopping so nothing is sent twice",
            record.message_id, record.recipient
        ))
        .in_file(log)
        .with_hint("add this line to the log by hand before the next run")
    };
    let mut line = serde_json::to_string(record).map_err(|e| fail(std::io::Error::other(e)))?;
    line.push('\n');
    if let Some(folder) = log.parent() {
        std::fs::create_dir_all(folder).map_err(fail)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(fail)?;
    file.write_all(line.as_bytes()).map_err(fail)?;
    file.sync_all().map_err(fail)
}

/// Held while a run sends, so two runs never send the same messages at
/// once. Removed when dropped.
pub struct SendLock(PathBuf);

impl SendLock {
    pub fn take(out_dir: &Path) -> Result<SendLock, Diagnostic> {
        let path = out_dir.join(".send.lock");
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                let _ = writeln!(f, "{}", std::process::id());
                Ok(SendLock(path))
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(Diagnostic::error("another brief send is running")
                    .in_file(&path)
                    .with_hint("wait for it; if none is running (a crash), delete this file"))
            }
            Err(e) => Err(Diagnostic::error(format!("cannot create the lock: {e}")).in_file(&path)),
        }
    }
}

impl Drop for SendLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
