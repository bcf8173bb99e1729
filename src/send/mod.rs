//! `brief send`: delivers built messages over SMTP, safely.
//!
//! - Dry run unless asked: [`plan`] says who would get what; only
//!   [`deliver`] talks to a server, and `brief send` calls it only with `--yes` (`commands::send`).
//! - Nothing duplicated, nothing lost: every message the server accepts is
//!   appended to `output/sent.jsonl` (and fsync'd, by `output::send_log`)
//!   before the next one is sent; a later run skips every (Message-ID, recipient) found there. A
//!   failure is reported and the run goes on, so a rerun sends exactly the
//!   ones that failed.
//! - One SMTP transaction per recipient: a rejected address never holds up
//!   the others, and the log knows exactly who has what.
//! - Bounded: a pause between messages and a limit per run.
//! - The password comes only from the environment variable named in
//!   `[email] password_env`; it is never read from or written to a file.

use crate::config::{EmailSettings, TlsMode};
use crate::diag::{Diagnostic, quote};
use crate::output::send_log::{self, SentRecord, address_key};
use crate::write::email::message::read_headers;
use lettre::address::Envelope;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{SmtpTransport, Transport};
use std::collections::BTreeSet;
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
                    send_log::append_record(log, &record)?;
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

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
