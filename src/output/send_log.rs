//! The log of sent messages (`output/sent.jsonl`) and the lock a sending
//! run holds: the only files `brief send` writes, written here so that
//! all writing stays in `output/`.
//!
//! Each delivery writes up to two records, each appended and fsync'd before
//! anything else happens: `attempt` just before the message's content goes
//! to the server (after the server agreed to take it), and `sent` the
//! moment the server accepts it. A delivery with an `attempt` and no
//! `sent` (the process died or the connection broke between the two) is
//! *uncertain*: the server may or may not have it, so it is not sent again
//! unless asked (`--resend-uncertain`). Records without a state, written
//! before states existed, are `sent`.

use crate::diag::Diagnostic;
use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What a record says of one delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// The message's content is about to be sent.
    Attempt,
    /// The server accepted the message.
    #[default]
    Sent,
    /// The connection broke after the content was sent: the outcome is
    /// unknown.
    Uncertain,
    /// The server refused the content: not delivered (sent again next run).
    Refused,
}

/// A line of `output/sent.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SentRecord {
    #[serde(default)]
    pub state: State,
    pub message_id: String,
    pub recipient: String,
    /// When this was recorded (RFC 3339, UTC).
    pub time: String,
    /// The server's reply, e.g. `250 2.0.0 Ok: queued as 1234` (for
    /// `sent`), or what went wrong (for `uncertain`).
    pub reply: String,
    pub file: String,
    pub sha256: String,
}

/// What the log says: deliveries done, and deliveries whose outcome is
/// unknown (each as (Message-ID, address key)).
#[derive(Debug, Default)]
pub struct LogState {
    pub sent: BTreeSet<(String, String)>,
    pub uncertain: BTreeSet<(String, String)>,
}

pub fn log_path(out_dir: &Path) -> PathBuf {
    out_dir.join("sent.jsonl")
}

/// Reads the log. A torn last line (a crash mid-write) is ignored with a
/// warning: it was written before the step it records, so at worst that
/// step is taken again.
pub fn read_log(path: &Path) -> Result<(LogState, Vec<Diagnostic>), Diagnostic> {
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
    let mut state = LogState::default();
    // The last word on each delivery that was not sent.
    let mut last: BTreeMap<(String, String), State> = BTreeMap::new();
    let mut warnings = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<SentRecord>(line) {
            Ok(r) => {
                let key = (r.message_id, address_key(&r.recipient));
                if r.state == State::Sent {
                    state.sent.insert(key.clone());
                }
                last.insert(key, r.state);
            }
            Err(e) => warnings.push(
                Diagnostic::warning(format!("unreadable record ignored: {e}"))
                    .in_file(path)
                    .at(i + 1, None),
            ),
        }
    }
    state.uncertain = last
        .into_iter()
        .filter(|(key, s)| {
            matches!(s, State::Attempt | State::Uncertain) && !state.sent.contains(key)
        })
        .map(|(key, _)| key)
        .collect();
    Ok((state, warnings))
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
            "cannot record {} for {}: {e}; stopping so nothing is sent twice",
            record.message_id, record.recipient
        ))
        .in_file(log)
        .with_hint("check the disk, then run brief send --yes again")
    };
    let mut line = serde_json::to_string(record).map_err(|e| fail(std::io::Error::other(e)))?;
    line.push('\n');
    if let Some(folder) = log.parent() {
        std::fs::create_dir_all(folder).map_err(fail)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(log)
        .map_err(fail)?;
    // A run killed in the middle of a record leaves a torn last line;
    // appending straight after it would fuse this record into that line,
    // and both would be unreadable: the next run would not know this
    // delivery was started, and could send it twice. End the torn line
    // first, so only it is lost (and reported as unreadable).
    if !ends_with_newline(&mut file).map_err(fail)? {
        line.insert(0, '\n');
    }
    file.write_all(line.as_bytes()).map_err(fail)?;
    file.sync_all().map_err(fail)
}

/// Whether the file is empty or its last byte is a line end.
fn ends_with_newline(file: &mut std::fs::File) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// Held while a run sends, so two runs never send the same messages at
/// once: an OS lock on `OUT/.send.lock`, which the system releases when
/// the process ends however it ends (a killed run leaves nothing to clean
/// up).
pub struct SendLock {
    _file: std::fs::File,
}

impl SendLock {
    pub fn take(out_dir: &Path) -> Result<SendLock, Diagnostic> {
        let path = out_dir.join(".send.lock");
        let fail = |e: std::io::Error| {
            Diagnostic::error(format!("cannot create the lock: {e}")).in_file(&path)
        };
        std::fs::create_dir_all(out_dir).map_err(fail)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(fail)?;
        match file.try_lock() {
            Ok(()) => Ok(SendLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Diagnostic::error(
                "another brief send is running for this output folder",
            )
            .in_file(&path)
            .with_hint("wait for it to finish")),
            Err(std::fs::TryLockError::Error(e)) => Err(fail(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record appended after a torn last line (a killed run) is read back
    /// whole; only the torn line is lost.
    #[test]
    fn a_record_after_a_torn_line_stays_readable() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("sent.jsonl");
        std::fs::write(&log, b"{\"state\":\"sent\",\"message_id\":\"<a@x>\",\"reci").unwrap();
        let record = SentRecord {
            state: State::default(),
            message_id: "<b@x>".into(),
            recipient: "r@example.org".into(),
            time: "2026-12-01T00:00:00Z".into(),
            reply: String::new(),
            file: "email/b.eml".into(),
            sha256: String::new(),
        };
        append_record(&log, &record).unwrap();
        let text = std::fs::read_to_string(&log).unwrap();
        let last = text.lines().last().unwrap();
        let back: SentRecord = serde_json::from_str(last).unwrap();
        assert_eq!(back.message_id, "<b@x>");
        assert_eq!(text.lines().count(), 2);
    }
}
