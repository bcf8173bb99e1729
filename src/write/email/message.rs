//! Standard e-mail messages (RFC 5322 + MIME), built with lettre's message
//! builder from lines of text (the text or summary edition) and optional
//! attachments. Pure: nothing is read or written here, and the same input
//! gives the same bytes (fixed Date from the post, Message-ID from the
//! name and the configured domain, boundary derived from the Message-ID).
//!
//! The body is `text/plain; charset=utf-8; format=flowed` (see `flowed`),
//! in 7bit when it is short-lined ASCII without soft breaks, otherwise
//! quoted-printable, which keeps the trailing spaces of soft breaks intact.
//!
//! Posts and packets both go through [`MessageSpec`]: packets name their
//! own recipients, ids and attachments and reuse everything else.

use super::{flowed, summary, text};
use crate::config::EmailSettings;
use crate::diag::Diagnostic;
use crate::ir::Post;
use crate::write::{Context, Rendered};
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message, message::Mailboxes};
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime};

/// A file attached to a message.
#[derive(Debug, Clone)]
pub struct AttachmentFile {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Everything one message says. `id` is the left part of the Message-ID
/// (made safe here), unique per message within the project.
#[derive(Debug, Clone)]
pub struct MessageSpec<'a> {
    pub id: String,
    pub subject: &'a str,
    pub date: SystemTime,
    /// Recipients written in `To:`; may be empty (then no `To:` header).
    pub to: &'a [String],
    pub lines: Vec<(String, bool)>,
    pub attachments: Vec<AttachmentFile>,
}

/// `<id@domain>`, the id reduced to characters a Message-ID allows
/// (letters, digits, `-`, `_`, `.` between them; every other byte as `=XX`).
pub fn message_id(id: &str, domain: &str) -> String {
    let mut left = String::new();
    for b in id.bytes() {
        if b.is_ascii_alphanumeric()
            || b == b'-'
            || b == b'_'
            || (b == b'.' && !left.is_empty() && !left.ends_with('.'))
        {
            left.push(b as char);
        } else {
            left.push_str(&format!("={b:02X}"));
        }
    }
    if left.is_empty() || left.ends_with('.') {
        left.push('_');
    }
    format!("<{left}@{domain}>")
}

/// The message of a post: its text (or summary) edition, to the recipients
/// in `[email] to`, with the attachments the caller read.
pub fn post_message(
    post: &Post,
    ctx: &Context,
    attachments: Vec<AttachmentFile>,
) -> Result<Rendered, Diagnostic> {
    let settings = &ctx.config.email;
    let mut warnings = Vec::new();
    let lines = if settings.summary {
        let names: Vec<String> = attachments.iter().map(|a| a.file_name.clone()).collect();
        let (lines, w) = summary::render_lines(
            post,
            ctx.config.text.width,
            ctx.config.summary.words,
            ctx.config.project.base_url.as_deref(),
            &names,
        );
        warnings.extend(w);
        lines
    } else {
        text::render_lines(post, ctx.config.text.width)
    };
    let date = match (&post.meta.date, ctx.source_date_epoch) {
        (Some(d), _) => post_time(d),
        (None, Some(epoch)) => epoch_time(epoch),
        (None, None) => {
            warnings.push(
                Diagnostic::warning(
                    "post has no date: its e-mail is dated now, so rebuilds differ",
                )
                .in_file(&post.source)
                .with_hint("give the post a `date:`, or set SOURCE_DATE_EPOCH"),
            );
            epoch_time(ctx.build_time)
        }
    };
    let subject = crate::write::shared::marking::subject(
        post.meta.marking.as_deref(),
        &post.meta.title,
        settings.subject_marking,
    );
    let spec = MessageSpec {
        id: format!("brief.{}", post.meta.slug),
        subject: &subject,
        date,
        to: &settings.to,
        lines,
        attachments,
    };
    let bytes = build(&spec, settings).map_err(|d| d.in_file(&post.source))?;
    Ok(Rendered { bytes, warnings })
}

/// A dated post's instant; a day without a time is taken at 12:00 UTC, so
/// that readers from UTC−11 to UTC+11 all see the post's own day.
pub fn post_time(date: &crate::ir::PostDate) -> SystemTime {
    let seconds = match date.datetime {
        Some(dt) => dt.timestamp(),
        None => date
            .day
            .and_hms_opt(12, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp()),
    };
    epoch_time(seconds)
}

fn epoch_time(seconds: i64) -> SystemTime {
    if seconds >= 0 {
        SystemTime::UNIX_EPOCH + Duration::from_secs(seconds as u64)
    } else {
        SystemTime::UNIX_EPOCH - Duration::from_secs(seconds.unsigned_abs())
    }
}

/// The `To:` of a message with several recipients (an empty group).
pub const UNDISCLOSED: &str = "undisclosed-recipients:;";

/// Builds the message bytes (CRLF line ends).
pub fn build(spec: &MessageSpec, settings: &EmailSettings) -> Result<Vec<u8>, Diagnostic> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        Diagnostic::error(format!("cannot build the e-mail message: {what}: {e}"))
    };
    let from: Mailbox = settings
        .from
        .as_deref()
        .ok_or_else(|| Diagnostic::error("e-mail messages need [email] from in brief.toml"))?
        .parse()
        .map_err(|e| fail("from", &e))?;
    let domain = settings
        .message_domain()
        .ok_or_else(|| Diagnostic::error("e-mail messages need [email] domain"))?;
    let id = message_id(&spec.id, &domain);

    let mut builder = Message::builder()
        .from(from.clone())
        // A header is a 7-bit context: redacted text shows as `[redacted]`.
        .subject(header_text(&crate::ir::redact::seven_bit(spec.subject)))
        .date(spec.date)
        .message_id(Some(id.clone()));
    if let Some(reply_to) = &settings.reply_to {
        builder = builder.reply_to(reply_to.parse().map_err(|e| fail("reply_to", &e))?);
    }
    let mut to = Mailboxes::new();
    for r in spec.to {
        to.push(r.parse::<Mailbox>().map_err(|e| fail("to", &e))?);
    }
    let several = spec.to.len() > 1;
    builder = match to.into_single() {
        // (`into_single` is the first of several, not "exactly one".)
        Some(mailbox) if !several => builder.to(mailbox),
        // Several recipients never see each other: `brief send` delivers
        // one copy per address (its own SMTP envelope), and the header is
        // RFC 5322's empty group. Listing them all would show a mission
        // the rest of the distribution list, and a hundred addresses on
        // one unfolded line is refused by servers ("500 Line too long").
        _ if several => builder.raw_header(HeaderValue::dangerous_new_pre_encoded(
            HeaderName::new_from_ascii_str("To"),
            UNDISCLOSED.into(),
            UNDISCLOSED.into(),
        )),
        _ => builder,
    };
    // The envelope is the sender's business (`brief send` makes one per
    // recipient); this one only satisfies the builder when `To:` is empty.
    let sender: Address = from.email.clone();
    builder = builder.envelope(
        lettre::address::Envelope::new(Some(sender.clone()), vec![sender])
            .map_err(|e| fail("envelope", &e))?,
    );

    let text_part = text_part(&flowed::encode(&spec.lines))?;
    let message = if spec.attachments.is_empty() {
        builder.singlepart(text_part)
    } else {
        let mut mixed = MultiPart::mixed()
            .boundary(boundary(&id))
            .singlepart(text_part);
        for a in &spec.attachments {
            let content_type =
                ContentType::parse(a.content_type).map_err(|e| fail("content type", &e))?;
            mixed = mixed.singlepart(
                Attachment::new(a.file_name.clone()).body(a.bytes.clone(), content_type),
            );
        }
        builder.multipart(mixed)
    };
    let mut bytes = message.map_err(|e| fail("headers", &e))?.formatted();
    // lettre ends every part with CRLF; in a multipart message that CRLF
    // belongs to the next boundary, but a single-part message would end in
    // one empty line more than the text has.
    if spec.attachments.is_empty() && bytes.ends_with(b"\r\n\r\n") {
        bytes.truncate(bytes.len() - 2);
    }
    Ok(bytes)
}

fn text_part(body: &str) -> Result<SinglePart, Diagnostic> {
    let plain_enough = body.is_ascii() && body.lines().all(|l| l.len() <= 78 && !l.ends_with(' '));
    let encoding = if plain_enough {
        ContentTransferEncoding::SevenBit
    } else {
        ContentTransferEncoding::QuotedPrintable
    };
    let body = Body::new_with_encoding(body.to_string(), encoding)
        .map_err(|_| Diagnostic::error("cannot encode the e-mail body"))?;
    let content_type = ContentType::parse("text/plain; charset=utf-8; format=flowed")
        .map_err(|e| Diagnostic::error(format!("content type: {e}")))?;
    Ok(SinglePart::builder().header(content_type).body(body))
}

/// A header value from post text: one line, whatever the text held, so a
/// title can never add a header.
pub fn header_text(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A multipart boundary that depends only on the Message-ID. `=_` cannot
/// occur in quoted-printable or base64 text, so no part can contain it.
fn boundary(message_id: &str) -> String {
    let hash = Sha256::digest(message_id.as_bytes());
    let hex: String = hash.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("=_brief_{hex}")
}

/// What `brief send` shows and records about a built message, read back
/// from its headers (unfolded; encoded words left as they are).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderSummary {
    pub message_id: Option<String>,
    pub subject: Option<String>,
}

pub fn read_headers(bytes: &[u8]) -> HeaderSummary {
    let text = String::from_utf8_lossy(bytes);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let mut summary = HeaderSummary::default();
    for line in unfolded.split("\r\n") {
        if let Some((name, value)) = line.split_once(':') {
            match name.to_ascii_lowercase().as_str() {
                "message-id" => summary.message_id = Some(value.trim().to_string()),
                "subject" => summary.subject = Some(value.trim().to_string()),
                _ => {}
            }
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> EmailSettings {
        EmailSettings {
            from: Some("Desk <desk@example.org>".into()),
            ..Default::default()
        }
    }

    fn spec<'a>(subject: &'a str, to: &'a [String]) -> MessageSpec<'a> {
        MessageSpec {
            id: "brief.x".into(),
            subject,
            date: SystemTime::UNIX_EPOCH + Duration::from_secs(1_756_814_400),
            to,
            lines: vec![("Hello".into(), false)],
            attachments: Vec::new(),
        }
    }

    #[test]
    fn a_title_with_a_newline_never_adds_a_header() {
        let bytes = build(
            &spec("Hi\r\nBcc: victim@example.org\nX-Evil: 1", &[]),
            &settings(),
        )
        .unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let head = text.split("\r\n\r\n").next().unwrap();
        assert!(
            !head
                .lines()
                .any(|l| l.starts_with("Bcc:") || l.starts_with("X-Evil:")),
            "{head}"
        );
    }

    #[test]
    fn several_recipients_never_see_each_other() {
        let to: Vec<String> = (0..100)
            .map(|i| format!("mission{i}@example.org"))
            .collect();
        let bytes = build(&spec("Title", &to), &settings()).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let head = text.split("\r\n\r\n").next().unwrap();
        assert!(
            head.contains("\r\nTo: undisclosed-recipients:;\r\n"),
            "{head}"
        );
        assert!(!head.contains("mission"), "{head}");
        assert!(head.split("\r\n").all(|l| l.len() <= 78), "{head}");
        let one = build(&spec("Title", &to[..1]), &settings()).unwrap();
        assert!(
            String::from_utf8(one)
                .unwrap()
                .contains("\r\nTo: mission0@example.org\r\n")
        );
    }

    #[test]
    fn message_ids_are_safe_and_stable() {
        assert_eq!(message_id("brief.a-b_c", "x.org"), "<brief.a-b_c@x.org>");
        assert_eq!(message_id("brief.한", "x.org"), "<brief.=ED=95=9C@x.org>");
        assert_eq!(message_id("brief..<>", "x.org"), "<brief.=2E=3C=3E@x.org>");
    }

    #[test]
    fn same_input_same_bytes_with_attachments() {
        let to = vec!["a@example.org".to_string()];
        let mut s = spec("Title", &to);
        s.attachments.push(AttachmentFile {
            file_name: "x.pdf".into(),
            content_type: "application/pdf",
            bytes: vec![1, 2, 3],
        });
        assert_eq!(
            build(&s, &settings()).unwrap(),
            build(&s, &settings()).unwrap()
        );
        let summary = read_headers(&build(&s, &settings()).unwrap());
        assert_eq!(summary.message_id.as_deref(), Some("<brief.x@example.org>"));
    }
}
