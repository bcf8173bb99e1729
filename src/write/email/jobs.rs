//! Which e-mail messages a build writes, where they go and what they
//! carry: a post's message (`email/<slug>.eml`), a packet's general
//! message (`packets/<name>.eml`) and one per packet recipient
//! (`packets/<name>/<recipient>.eml`, carrying that recipient's addressed
//! PDF). The bytes come from the pure builder in `write::email::message`; this
//! module only reads the attached editions back from the output folder.
//! `brief send` finds the same files through the same functions.

use crate::config::packet::recipient_slug;
use crate::diag::{Diagnostic, quote};
use crate::ir::Post;
use crate::packet::{Copy, Packet};
use crate::write::email::flowed;
use crate::write::email::message::{self, AttachmentFile, MessageSpec};
use crate::write::{Context, Edition, Rendered};
use std::path::{Path, PathBuf};

/// One message to write.
pub struct MessageJob<'p> {
    pub path: PathBuf,
    kind: Kind<'p>,
    /// Attached editions and the files they are read from.
    attachments: Vec<(Edition, PathBuf)>,
    /// Editions that failed in this build: a message attaching one is not
    /// written.
    failed: Vec<Edition>,
}

enum Kind<'p> {
    Post(&'p Post),
    Packet {
        packet: &'p Packet<'p>,
        /// The copy whose letter the message opens with.
        copy: Copy,
        to: Vec<String>,
        id: String,
    },
}

/// The editions `[email] attach` names, in order.
fn attached(ctx: &Context) -> Vec<Edition> {
    ctx.config
        .email
        .attach
        .iter()
        .filter_map(|a| Edition::from_name(a))
        .collect()
}

/// `packets/<name>.eml`, or `packets/<name>/<recipient>.eml`.
pub fn packet_message_path(out: &Path, packet: &str, recipient: Option<&str>) -> PathBuf {
    let folder = out.join("packets");
    match recipient {
        None => folder.join(format!("{packet}.eml")),
        Some(r) => folder
            .join(packet)
            .join(format!("{}.eml", recipient_slug(r))),
    }
}

impl<'p> MessageJob<'p> {
    pub fn post(post: &'p Post, out: &Path, failed: Vec<Edition>, ctx: &Context) -> MessageJob<'p> {
        MessageJob {
            path: Edition::message_path(out, &post.meta.slug),
            kind: Kind::Post(post),
            attachments: attached(ctx)
                .into_iter()
                .map(|e| (e, e.output_path(out, &post.meta.slug)))
                .collect(),
            failed,
        }
    }

    /// The packet copy whose letter and words the message carries (`None`
    /// for a post's message).
    pub fn copy(&self) -> Option<Copy> {
        match &self.kind {
            Kind::Post(_) => None,
            Kind::Packet { copy, .. } => Some(*copy),
        }
    }

    /// The files this message attaches (read back from the output folder).
    pub fn attachment_files(&self) -> impl Iterator<Item = &Path> {
        self.attachments.iter().map(|(_, p)| p.as_path())
    }

    /// Everything about the message besides its post or packet and the
    /// attached files' bytes, paths relative to `out`: the build cache keys
    /// the message by it.
    pub fn describe(&self, out: &Path) -> String {
        let rel = |p: &Path| p.strip_prefix(out).unwrap_or(p).display().to_string();
        let kind = match &self.kind {
            Kind::Post(post) => format!("post {}", post.meta.slug),
            Kind::Packet {
                packet,
                copy,
                to,
                id,
            } => format!("packet {} {copy:?} to {to:?} id {id}", packet.name),
        };
        let attachments: Vec<String> = self
            .attachments
            .iter()
            .map(|(e, p)| format!("{}={}", e.name(), rel(p)))
            .collect();
        format!(
            "{} {kind} attach {attachments:?} failed {:?}",
            rel(&self.path),
            self.failed
        )
    }

    /// The packet's general message and one per recipient with an address;
    /// a warning for each recipient without one.
    pub fn packet(
        packet: &'p Packet<'p>,
        out: &Path,
        failed: Vec<Edition>,
        ctx: &Context,
    ) -> (Vec<MessageJob<'p>>, Vec<Diagnostic>) {
        let settings = &ctx.config.email;
        let attachments_for = |copy: Copy| -> Vec<(Edition, PathBuf)> {
            attached(ctx)
                .into_iter()
                .map(|e| match e {
                    Edition::Pdf => (e, packet.pdf_path(out, copy)),
                    _ => (e, packet.epub_path(out)),
                })
                .collect()
        };
        // A twin (`packet::redaction`) writes only its redacting
        // recipients' messages; the general one is its original's.
        let mut jobs = Vec::new();
        if !packet.is_twin {
            jobs.push(MessageJob {
                path: packet_message_path(out, &packet.name, None),
                kind: Kind::Packet {
                    packet,
                    copy: Copy::General,
                    to: settings.to.clone(),
                    id: format!("packet.{}", packet.name),
                },
                attachments: attachments_for(Copy::General),
                failed: failed.clone(),
            });
        }
        let mut warnings = Vec::new();
        for (i, recipient) in packet.recipients.iter().enumerate() {
            if !packet.serves(recipient) {
                continue;
            }
            let copy = packet.first_copy(i);
            match recipient.mailbox(settings) {
                Some(mailbox) => jobs.push(MessageJob {
                    path: packet_message_path(out, &packet.name, Some(&recipient.name)),
                    kind: Kind::Packet {
                        packet,
                        copy,
                        to: vec![mailbox],
                        id: format!("packet.{}.{}", packet.name, recipient_slug(&recipient.name)),
                    },
                    attachments: attachments_for(copy),
                    failed: failed.clone(),
                }),
                None => warnings.push(
                    Diagnostic::warning(format!(
                        "packet {}: recipient {} has no e-mail address, so no message is written for it",
                        quote(&packet.name),
                        quote(&recipient.name)
                    ))
                    .in_file(ctx.config.origin.as_ref().map_or(PathBuf::from("brief.toml"), |o| o.file.clone()))
                    .with_hint(format!("give its [[packet.recipient]] an `email`, or add it under [email.contacts]: {:?} = \"name@example.org\"", recipient.name)),
                ),
            }
        }
        (jobs, warnings)
    }
}

/// Builds the message, with the attached editions read back through
/// `read_written` (the output folder's reader: writers never open files).
pub fn render_job(
    job: &MessageJob,
    ctx: &Context,
    read_written: &dyn Fn(&Path) -> std::io::Result<Vec<u8>>,
) -> Result<Rendered, Diagnostic> {
    let subject_file = match &job.kind {
        Kind::Post(post) => post.source.clone(),
        Kind::Packet { .. } => ctx
            .config
            .origin
            .as_ref()
            .map_or(PathBuf::from("brief.toml"), |o| o.file.clone()),
    };
    let not_written = |why: String| {
        Diagnostic::error(format!(
            "e-mail message {} not written: {why}",
            job.path.display()
        ))
        .in_file(&subject_file)
        .with_hint("a message must carry every edition named in [email] attach")
    };
    let mut attachments = Vec::new();
    for (edition, path) in &job.attachments {
        if job.failed.contains(edition) {
            return Err(not_written(format!(
                "its {} edition failed",
                edition.name()
            )));
        }
        let bytes = read_written(path)
            .map_err(|e| not_written(format!("cannot read {}: {e}", path.display())))?;
        let content_type = match edition {
            Edition::Pdf => "application/pdf",
            Edition::Epub => "application/epub+zip",
            Edition::Email | Edition::Summary => "text/plain; charset=utf-8",
        };
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        attachments.push(AttachmentFile {
            file_name,
            content_type,
            bytes,
        });
    }
    match &job.kind {
        Kind::Post(post) => message::post_message(post, ctx, attachments),
        Kind::Packet {
            packet,
            copy,
            to,
            id,
        } => {
            // The letter addressed to this copy's recipient first
            // (salutation, text, signature), then the digest.
            // Its fixed lines in the copy's language (the recipient's).
            let digest =
                crate::write::packet::digest::digest_text(packet, packet.lang_of(*copy), ctx);
            let mut lines = Vec::new();
            if let Some(letter) = crate::write::packet::letter(packet, *copy) {
                lines.extend(crate::write::email::text::letter_lines(
                    &letter,
                    ctx.config.text.width,
                ));
                lines.extend(signature_lines(ctx));
                lines.push((String::new(), false));
                lines.push((String::new(), false));
            }
            lines.extend(flowed::hard_lines(&digest));
            let subject = crate::write::shared::marking::subject(
                packet.marking.as_deref(),
                &packet.title,
                ctx.config.email.subject_marking,
            );
            let date = packet
                .day
                .and_hms_opt(12, 0, 0)
                .map_or(0, |t| t.and_utc().timestamp());
            let spec = MessageSpec {
                id: id.clone(),
                subject: &subject,
                date: std::time::SystemTime::UNIX_EPOCH
                    + std::time::Duration::from_secs(date.max(0) as u64),
                to,
                lines,
                attachments,
            };
            let bytes =
                message::build(&spec, &ctx.config.email).map_err(|d| d.in_file(&subject_file))?;
            Ok(Rendered {
                bytes,
                warnings: Vec::new(),
            })
        }
    }
}

/// The signature block under a letter in a message: the signatory's
/// name and title (`[project.signatory]`), then the organisation.
fn signature_lines(ctx: &Context) -> Vec<(String, bool)> {
    let project = &ctx.config.project;
    let mut lines = Vec::new();
    if let Some(s) = &project.signatory {
        lines.push((String::new(), false));
        lines.push((s.name.trim().to_string(), false));
        if let Some(title) = s.title.as_deref().filter(|t| !t.trim().is_empty()) {
            lines.push((title.trim().to_string(), false));
        }
        if let Some(org) = project
            .organisation
            .as_deref()
            .filter(|o| !o.trim().is_empty())
        {
            lines.push((org.trim().to_string(), false));
        }
    }
    lines
}
