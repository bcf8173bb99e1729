//! `brief send`: delivers built messages over SMTP, safely.
//!
//! - Dry run unless asked: [`plan`] says who would get what; only
//!   [`Sender::deliver`] talks to a server, and `brief send` calls it only
//!   with `--yes` (`commands::send`).
//! - Exactly once, or reported: for each delivery the log of sent messages
//!   (`output::send_log`) gets an `attempt` record, synced, just before the
//!   message's content goes out, and a `sent` record, synced, the moment
//!   the server's `250` arrives — before anything else is waited for (the
//!   reply to QUIT is not). A later run skips what was sent, resends what
//!   failed, and reports as *uncertain* (never resending it unless
//!   `--resend-uncertain`) what has an attempt and no acceptance: the
//!   process died or the connection broke between the two.
//! - One SMTP transaction (and connection) per recipient: a rejected
//!   address never holds up the others, and the log knows exactly who has
//!   what.
//! - Bounded: a pause between messages, a limit per run, a timeout per
//!   server reply (reported once, as a timeout).
//! - The password comes only from the environment variable named in
//!   `[email] password_env`; it is never read from or written to a file.

use crate::config::{EmailSettings, TlsMode};
use crate::diag::{Diagnostic, quote};
use crate::output::send_log::{self, LogState, SentRecord, State, address_key};
use crate::write::email::message::read_headers;
use lettre::address::Envelope;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
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
    /// An earlier run may or may not have delivered it (see the module
    /// doc); not sent again unless asked.
    pub uncertain: bool,
}

/// Reads every message and pairs it with each recipient, marking what the
/// log says was accepted already. Errors (a message not built, without a
/// Message-ID) stop everything before anything is sent.
pub fn plan(items: &[Outgoing], log: &LogState) -> Result<Vec<Delivery>, Diagnostic> {
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
            let key = (message_id.clone(), address_key(recipient));
            let already_sent = log.sent.contains(&key);
            let uncertain = !already_sent && log.uncertain.contains(&key);
            deliveries.push(Delivery {
                file: item.file.clone(),
                subject: item.subject.clone(),
                message_id: message_id.clone(),
                recipient: recipient.clone(),
                bytes: bytes.clone(),
                attachments: item.attachments.clone(),
                already_sent,
                uncertain,
            });
        }
    }
    Ok(deliveries)
}

/// What happened to one delivery during [`Sender::deliver`].
#[derive(Debug)]
pub enum Outcome {
    Sent(SentRecord),
    /// Not delivered (refused, or the connection failed before the
    /// message's content was sent): safe to send again.
    Failed(Diagnostic),
    /// The content was sent but no acceptance arrived: the server may have
    /// it. Recorded as uncertain; not sent again unless asked.
    Uncertain(Diagnostic),
}

/// Everything `deliver` needs besides the deliveries, resolved and checked
/// before the first connection.
pub struct Sender {
    host: String,
    port: u16,
    tls: Option<(TlsMode, TlsParameters)>,
    hello: ClientId,
    credentials: Option<Credentials>,
    timeout: Duration,
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
        let tls = match settings.tls {
            TlsMode::None if crate::config::is_local_host(host) => None,
            TlsMode::None => {
                return Err(Diagnostic::error(
                    "tls = \"none\" is only allowed for this machine (localhost)",
                ));
            }
            mode => Some((
                mode,
                TlsParameters::new(host.to_string()).map_err(|e| {
                    Diagnostic::error(format!("cannot set up TLS for {}: {e}", quote(host)))
                })?,
            )),
        };
        let credentials = match &settings.user {
            Some(user) => {
                let password = env(&settings.password_env).filter(|p| !p.is_empty()).ok_or_else(|| {
                    Diagnostic::error(format!("no SMTP password: the environment variable {} is not set", settings.password_env))
                        .with_hint(format!("export {}=… in the shell that runs brief send; it is never read from a file", settings.password_env))
                })?;
                Some(Credentials::new(user.clone(), password))
            }
            None => None,
        };
        Ok(Sender {
            host: host.to_string(),
            port: settings.port(),
            tls,
            hello: settings
                .message_domain()
                .map_or_else(ClientId::default, ClientId::Domain),
            credentials,
            timeout: Duration::from_secs(settings.timeout_seconds),
            from,
            pause: Duration::from_millis(settings.pause_ms),
            limit: settings.limit,
        })
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Sends the pending deliveries (at most `limit`), one SMTP transaction
    /// each, recording each step in the log as it happens. `report` hears
    /// about each outcome. A step that cannot be recorded stops the run:
    /// sending more would risk duplicates.
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
            let outcome = self.send_one(d, log)?;
            report(d, &outcome);
        }
        Ok(())
    }

    fn record(&self, d: &Delivery, state: State, reply: String) -> SentRecord {
        SentRecord {
            state,
            message_id: d.message_id.clone(),
            recipient: d.recipient.clone(),
            time: chrono::DateTime::<chrono::Utc>::from(SystemTime::now())
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            reply,
            file: d.file.display().to_string(),
            sha256: sha256_hex(&d.bytes),
        }
    }

    /// One delivery. `Err` only when the log cannot be written.
    fn send_one(&self, d: &Delivery, log: &Path) -> Result<Outcome, Diagnostic> {
        let fail = |what: String| {
            Diagnostic::error(format!("not sent to {}: {what}", d.recipient)).in_file(&d.file)
        };
        let to: Mailbox = match d.recipient.parse() {
            Ok(to) => to,
            Err(e) => return Ok(Outcome::Failed(fail(format!("not an address: {e}")))),
        };
        let envelope = match Envelope::new(Some(self.from.email.clone()), vec![to.email]) {
            Ok(envelope) => envelope,
            Err(e) => return Ok(Outcome::Failed(fail(e.to_string()))),
        };
        // lettre ends the data with CRLF "." CRLF itself; without this the
        // server would get one more (empty) line than the file holds.
        let bytes = d.bytes.strip_suffix(b"\r\n").unwrap_or(&d.bytes);
        // Everything up to the server's "go ahead" (354): a failure here
        // means the server has nothing, so the delivery can be retried.
        let mut conn = match self.open(&envelope, bytes) {
            Ok(conn) => conn,
            Err(e) => return Ok(Outcome::Failed(fail(self.explain(&e)))),
        };
        send_log::append_record(log, &self.record(d, State::Attempt, String::new()))?;
        match conn.message(bytes) {
            Ok(response) => {
                let text: Vec<&str> = response.message().collect();
                let reply = format!("{} {}", response.code(), text.join(" "))
                    .trim_end()
                    .to_string();
                let record = self.record(d, State::Sent, reply);
                // Recorded before anything else is waited for.
                send_log::append_record(log, &record)?;
                let _ = conn.quit();
                Ok(Outcome::Sent(record))
            }
            // The server answered, and said no: it does not have it.
            Err(e) if e.is_permanent() || e.is_transient() => {
                let _ = conn.quit();
                let why = self.explain(&e);
                // Clears the attempt: the next run sends it again.
                send_log::append_record(log, &self.record(d, State::Refused, why.clone()))?;
                Ok(Outcome::Failed(fail(why)))
            }
            Err(e) => {
                let why = self.explain(&e);
                let _ =
                    send_log::append_record(log, &self.record(d, State::Uncertain, why.clone()));
                Ok(Outcome::Uncertain(
                    Diagnostic::error(format!(
                        "outcome unknown for {}: {why} after the message was sent; it is not sent again",
                        d.recipient
                    ))
                    .in_file(&d.file)
                    .with_hint("check with the recipient; `brief send --yes --resend-uncertain` sends it again"),
                ))
            }
        }
    }

    /// Connects, greets, secures, logs in, and starts the transaction up
    /// to the server's invitation to send the content.
    fn open(
        &self,
        envelope: &Envelope,
        bytes: &[u8],
    ) -> Result<SmtpConnection, lettre::transport::smtp::Error> {
        let wrapper = match &self.tls {
            Some((TlsMode::Tls, params)) => Some(params),
            _ => None,
        };
        let mut conn = SmtpConnection::connect(
            (self.host.as_str(), self.port),
            Some(self.timeout),
            &self.hello,
            wrapper,
            None,
        )?;
        if let Some((TlsMode::Starttls, params)) = &self.tls {
            conn.starttls(params, &self.hello)?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)?;
        }
        let mut options = Vec::new();
        if !bytes.is_ascii() && conn.server_info().supports_feature(Extension::EightBitMime) {
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        conn.command(Mail::new(envelope.from().cloned(), options))?;
        for to in envelope.to() {
            conn.command(Rcpt::new(to.clone(), vec![]))?;
        }
        conn.command(Data)?;
        Ok(conn)
    }

    /// An SMTP error in words, with a timeout named as one (the socket's
    /// read timeout surfaces as "Resource temporarily unavailable").
    fn explain(&self, e: &lettre::transport::smtp::Error) -> String {
        let mut source = std::error::Error::source(e);
        while let Some(inner) = source {
            if let Some(io) = inner.downcast_ref::<std::io::Error>() {
                if matches!(
                    io.kind(),
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                ) {
                    return format!(
                        "the server did not answer within {} s (timeout_seconds)",
                        self.timeout.as_secs()
                    );
                }
            }
            source = inner.source();
        }
        smtp_error(e)
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
    crate::ir::hex(&<sha2::Sha256 as sha2::Digest>::digest(bytes))
}
