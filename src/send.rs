//! `brief send`: delivers built messages over SMTP, safely.
//!
//! - Dry run unless asked: [`plan`] says who would get what; only
//!   [`deliver`] talks to a server, and `main` calls it only with `--yes`.
//! - Nothing duplicated, nothing lost: every message the server accepts is
//!   appended to `output/sent.jsonl` (and fsync'd) before the next one is
//!   sent; a later run skips every (Message-ID, recipient) found there. A
//!   failure is reported and the run goes on, so a rerun sends exactly the
//!   ones that failed.
//! - One SMTP transaction per recipient: a rejected address never holds up
//!   the others, and the log knows exactly who has what.
//! - Bounded: a pause between messages and a limit per run.
//! - The password comes only from the environment variable named in
//!   `[email] password_env`; it is never read from or written to a file.

use crate::config::{EmailSettings, TlsMode};
use crate::diag::{Diagnostic, quote};
use crate::write::message::read_headers;
use lettre::address::Envelope;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{SmtpTransport, Transport};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A built message file and who should receive it.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub file: PathBuf,
    /// For people: the title (or packet name) the message is about.
    pub subject: String,
    pub recipients: Vec<String>,
    /// Names of the attached editions, for the dry run.
    pub attachments: Vec<String>,
}

/// One (message, recipient) delivery and whether it is still to do.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub file: PathBuf,
    pub subject: String,
    pub message_id: String,
    pub recipient: String,
    pub bytes: Vec<u8>,
    pub attachments: Vec<String>,
    pub already_sent: bool,
}

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

/// Reads every message and pairs it with each recipient, marking what the
/// log says was accepted already. Errors (a message not built, without a
/// Message-ID) stop everything before anything is sent.
pub fn plan(
    items: &[Outgoing],
    sent: &BTreeSet<(String, String)>,
) -> Result<Vec<Delivery>, Diagnostic> {
    let mut deliveries = Vec::new();
    for item in items {
        let bytes = std::fs::read(&item.file).map_err(|e| {
            Diagnostic::error(format!("cannot read the message: {e}"))
                .in_file(&item.file)
                .with_hint("run `brief build` first (with [email] from set in brief.toml)")
        })?;
        let message_id = read_headers(&bytes).message_id.ok_or_else(|| {
            Diagnostic::error("the message has no Message-ID")
                .in_file(&item.file)
                .with_hint("rebuild it with `brief build`")
        })?;
        if item.recipients.is_empty() {
            return Err(
                Diagnostic::error(format!("no recipients for {}", quote(&item.subject)))
                    .in_file(&item.file)
                    .with_hint("list them in [email] to = [\"name@example.org\"]"),
            );
        }
        for recipient in &item.recipients {
            let already_sent = sent.contains(&(message_id.clone(), address_key(recipient)));
            deliveries.push(Delivery {
                file: item.file.clone(),
                subject: item.subject.clone(),
                message_id: message_id.clone(),
                recipient: recipient.clone(),
                bytes: bytes.clone(),
                attachments: item.attachments.clone(),
                already_sent,
            });
        }
    }
    Ok(deliveries)
}

/// What happened to one delivery during [`deliver`].
#[derive(Debug)]
pub enum Outcome {
    Sent(SentRecord),
    Failed(Diagnostic),
}

/// Everything `deliver` needs besides the deliveries, resolved and checked
/// before the first connection.
pub struct Sender {
    transport: SmtpTransport,
    from: Mailbox,
    pause: Duration,
    limit: usize,
}

impl Sender {
    /// Checks the sending settings and reads the password from the
    /// environment (`env` is `std::env::var` outside tests).
    pub fn new(
        settings: &EmailSettings,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Sender, Diagnostic> {
        let host = settings.host.as_deref().ok_or_else(|| {
            Diagnostic::error("no SMTP server")
                .with_hint("set [email] host (and port, tls, user) in brief.toml")
        })?;
        let from: Mailbox = settings
            .from
            .as_deref()
            .ok_or_else(|| {
                Diagnostic::error("no sender").with_hint("set [email] from in brief.toml")
            })?
            .parse()
            .map_err(|e| Diagnostic::error(format!("email.from: {e}")))?;
        let tls_error = |e: lettre::transport::smtp::Error| {
            Diagnostic::error(format!("cannot set up TLS for {}: {e}", quote(host)))
        };
        let mut builder = match settings.tls {
            TlsMode::Starttls => SmtpTransport::starttls_relay(host).map_err(tls_error)?,
            TlsMode::Tls => SmtpTransport::relay(host).map_err(tls_error)?,
            TlsMode::None if crate::config::is_local_host(host) => {
                SmtpTransport::builder_dangerous(host)
            }
            TlsMode::None => {
                return Err(Diagnostic::error(
                    "tls = \"none\" is only allowed for this machine (localhost)",
                ));
            }
        };
        builder = builder
            .port(settings.port())
            .timeout(Some(Duration::from_secs(settings.timeout_seconds)));
        if let Some(domain) = settings.message_domain() {
            builder = builder.hello_name(ClientId::Domain(domain));
        }
        if let Some(user) = &settings.user {
            let password = env(&settings.password_env).filter(|p| !p.is_empty()).ok_or_else(|| {
                Diagnostic::error(format!("no SMTP password: the environment variable {} is not set", settings.password_env))
                    .with_hint(format!("export {}=… in the shell that runs brief send; it is never read from a file", settings.password_env))
            })?;
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Sender {
            transport: builder.build(),
            from,
            pause: Duration::from_millis(settings.pause_ms),
            limit: settings.limit,
        })
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Sends the pending deliveries (at most `limit`), one SMTP transaction
    /// each, appending each acceptance to the log before the next send.
    /// `report` hears about each outcome as it happens. An acceptance that
    /// cannot be logged stops the run: sending more would risk duplicates.
    pub fn deliver(
        &self,
        pending: &[&Delivery],
        log: &Path,
        report: &mut dyn FnMut(&Delivery, &Outcome),
    ) -> Result<(), Diagnostic> {
        for (i, d) in pending.iter().take(self.limit).enumerate() {
            if i > 0 && !self.pause.is_zero() {
                std::thread::sleep(self.pause);
            }
            let outcome = match self.send_one(d) {
                Ok(reply) => {
                    let record = SentRecord {
                        message_id: d.message_id.clone(),
                        recipient: d.recipient.clone(),
                        time: chrono::DateTime::<chrono::Utc>::from(SystemTime::now())
                            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        reply,
                        file: d.file.display().to_string(),
                        sha256: sha256_hex(&d.bytes),
                    };
                    append_record(log, &record)?;
                    Outcome::Sent(record)
                }
                Err(e) => Outcome::Failed(e),
            };
            report(d, &outcome);
        }
        Ok(())
    }

    fn send_one(&self, d: &Delivery) -> Result<String, Diagnostic> {
        let fail = |what: String| {
            Diagnostic::error(format!("not sent to {}: {what}", d.recipient)).in_file(&d.file)
        };
        let to: Mailbox = d
            .recipient
            .parse()
            .map_err(|e| fail(format!("not an address: {e}")))?;
        let envelope = Envelope::new(Some(self.from.email.clone()), vec![to.email])
            .map_err(|e| fail(e.to_string()))?;
        // lettre ends the data with CRLF "." CRLF itself; without this the
        // server would get one more (empty) line than the file holds.
        let bytes = d.bytes.strip_suffix(b"\r\n").unwrap_or(&d.bytes);
        let response = self
            .transport
            .send_raw(&envelope, bytes)
            .map_err(|e| fail(smtp_error(&e)))?;
        let text: Vec<&str> = response.message().collect();
        Ok(format!("{} {}", response.code(), text.join(" "))
            .trim_end()
            .to_string())
    }
}

fn smtp_error(e: &lettre::transport::smtp::Error) -> String {
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        let more = inner.to_string();
        if !s.contains(&more) {
            s.push_str(": ");
            s.push_str(&more);
        }
        source = inner.source();
    }
    s
}

/// Appends one record and flushes it to disk before returning.
fn append_record(log: &Path, record: &SentRecord) -> Result<(), Diagnostic> {
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

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
