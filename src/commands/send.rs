//! `brief send`: resolve what to send and check every setting first (an
//! `Err` before a connection is made: exit 2), then either describe the
//! plan (a dry run) or, when asked, deliver it.

use super::{Status, load_config, plural};
use crate::cli::SendArgs;
use crate::config::Config;
use crate::diag::{Diagnostic, quote};
use crate::output::send_log::{self, SendLock};
use crate::send::{Delivery, Outcome, Outgoing, Sender};
use crate::write::Edition;
use crate::write::email::message::header_text;
use std::path::{Path, PathBuf};

/// Who would get what, checked against the log of what was sent.
pub struct SendPlan {
    pub deliveries: Vec<Delivery>,
    /// The log of sent messages the plan was checked against.
    pub log: PathBuf,
    /// Problems with the log that did not stop the plan, and each packet
    /// recipient left out for want of an address.
    pub warnings: Vec<Diagnostic>,
    /// Packet recipients without an address: reported, skipped, exit 1.
    pub skipped: usize,
    config: Config,
    out: PathBuf,
    resend_uncertain: bool,
}

/// What a sending run did.
#[derive(Debug, Default)]
pub struct SendReport {
    pub sent: usize,
    pub failed: usize,
    pub sent_before: usize,
    /// Sent in this run but with no answer from the server (see
    /// `send`): recorded as uncertain.
    pub uncertain: usize,
    /// Left out because an earlier run's outcome is unknown.
    pub uncertain_before: Vec<String>,
    /// Pending deliveries the per-run limit left for the next run.
    pub left: usize,
    pub limit: usize,
    /// What stopped the run early (an acceptance that could not be logged).
    pub stopped: Option<Diagnostic>,
    /// Packet recipients skipped for want of an address.
    pub skipped: usize,
}

/// Builds the plan. Errors stop everything before anything is sent; the
/// list holds every reason (e.g. each post that cannot be read).
pub fn plan(args: &SendArgs) -> Result<SendPlan, Vec<Diagnostic>> {
    let config = load_config().map_err(|d| vec![d])?;
    if config.email.from.is_none() {
        return Err(vec![
            Diagnostic::error("nothing to send: e-mail messages are not configured")
                .with_hint("set [email] from and to in brief.toml, then run brief build"),
        ]);
    }
    let (items, skipped) = match &args.packet {
        Some(name) => packet_messages(&args.out, name, &config).map_err(|d| vec![d])?,
        None => (post_messages(args, &config)?, Vec::new()),
    };
    let log = send_log::log_path(&args.out);
    let (state, mut warnings) = send_log::read_log(&log).map_err(|d| vec![d])?;
    let skipped_count = skipped.len();
    warnings.extend(skipped);
    let deliveries = crate::send::plan(&items, &state).map_err(|d| vec![d])?;
    Ok(SendPlan {
        deliveries,
        log,
        warnings,
        skipped: skipped_count,
        config,
        out: args.out.clone(),
        resend_uncertain: args.resend_uncertain,
    })
}

impl SendPlan {
    pub fn pending(&self) -> Vec<&Delivery> {
        self.deliveries
            .iter()
            .filter(|d| !d.already_sent && (!d.uncertain || self.resend_uncertain))
            .collect()
    }

    /// Deliveries left out because an earlier run may have made them.
    pub fn held_uncertain(&self) -> Vec<&Delivery> {
        self.deliveries
            .iter()
            .filter(|d| d.uncertain && !self.resend_uncertain)
            .collect()
    }

    pub fn sent_before(&self) -> usize {
        self.deliveries.iter().filter(|d| d.already_sent).count()
    }

    /// One line of the dry run, per delivery.
    pub fn dry_run_line(&self, d: &Delivery) -> String {
        let status = if d.already_sent {
            "already sent"
        } else if d.uncertain && !self.resend_uncertain {
            "uncertain, not resent"
        } else {
            "would send"
        };
        let attachments = if d.attachments.is_empty() {
            "none".to_string()
        } else {
            d.attachments.join(", ")
        };
        format!(
            "{status}: to {} | {} | {} bytes | attachments: {attachments} | {}",
            d.recipient,
            d.subject,
            d.bytes.len(),
            d.file.display()
        )
    }

    pub fn dry_run_summary(&self) -> String {
        let pending = self.pending().len();
        let uncertain = match self.held_uncertain().len() {
            0 => String::new(),
            n => format!(
                ", {n} uncertain from an interrupted run (not resent without --resend-uncertain)"
            ),
        };
        format!(
            "dry run: nothing sent. {pending} message{} to send, {} already sent{uncertain} (per {}). Run `brief send --yes` to send.",
            plural(pending),
            self.sent_before(),
            self.log.display()
        )
    }

    /// Sends what is pending, telling `progress` about each outcome as it
    /// happens. The password comes from the environment only.
    pub fn deliver(
        &self,
        progress: &mut dyn FnMut(&Delivery, &Outcome),
    ) -> Result<SendReport, Diagnostic> {
        let sender = Sender::new(&self.config.email, |name| std::env::var(name).ok())?;
        let _lock = SendLock::take(&self.out)?;
        let pending = self.pending();
        let mut report = SendReport {
            sent_before: self.sent_before(),
            limit: sender.limit(),
            skipped: self.skipped,
            ..SendReport::default()
        };
        report.uncertain_before = self
            .held_uncertain()
            .iter()
            .map(|d| format!("{} to {}", d.message_id, d.recipient))
            .collect();
        let result = sender.deliver(&pending, &self.log, &mut |d, outcome| {
            match outcome {
                Outcome::Sent(_) => report.sent += 1,
                Outcome::Failed(_) => report.failed += 1,
                Outcome::Uncertain(_) => report.uncertain += 1,
            }
            progress(d, outcome);
        });
        if let Err(e) = result {
            report.stopped = Some(e);
            report.failed += 1;
        }
        report.left = pending
            .len()
            .saturating_sub(report.sent + report.failed + report.uncertain);
        Ok(report)
    }
}

impl SendReport {
    pub fn status(&self) -> Status {
        Status::failed_if(self.failed + self.uncertain + self.uncertain_before.len() + self.skipped)
    }

    pub fn summary_line(&self) -> String {
        let mut summary = format!(
            "{} sent, {} failed, {} already sent before",
            self.sent, self.failed, self.sent_before
        );
        if self.uncertain > 0 {
            summary.push_str(&format!(
                ", {} uncertain (sent, but the server's answer never came)",
                self.uncertain
            ));
        }
        if !self.uncertain_before.is_empty() {
            summary.push_str(&format!(
                "; {} uncertain from an earlier run, not resent: {} (brief send --yes --resend-uncertain sends them again)",
                self.uncertain_before.len(),
                self.uncertain_before.join(", ")
            ));
        }
        if self.skipped > 0 {
            summary.push_str(&format!(
                ", {} recipient{} skipped (no e-mail address)",
                self.skipped,
                plural(self.skipped)
            ));
        }
        if self.left > 0 {
            summary.push_str(&format!(
                ", {} left for the next run (limit {} per run)",
                self.left, self.limit
            ));
        }
        if self.failed > 0 {
            summary.push_str("; run brief send --yes again to retry the failed ones");
        }
        summary
    }
}

/// A packet's messages: one per recipient with an address (each to that
/// address), else the general message to `[email] to`. A recipient with
/// no address is left out with a warning (second list): the others are
/// still sent, and the run exits 1.
fn packet_messages(
    out: &Path,
    name: &str,
    config: &Config,
) -> Result<(Vec<Outgoing>, Vec<Diagnostic>), Diagnostic> {
    let packet = config
        .packets
        .iter()
        .find(|p| p.name() == name)
        .ok_or_else(|| {
            let names: Vec<&str> = config.packets.iter().map(|p| p.name()).collect();
            Diagnostic::error(format!("no packet named {}", quote(name))).with_hint(
                if names.is_empty() {
                    "brief.toml has no [[packet]]".to_string()
                } else {
                    format!("packets: {}", names.join(", "))
                },
            )
        })?;
    let subject = header_text(&crate::ir::redact::apply_str(
        packet.title.get_ref(),
        crate::ir::redact::Mode::Reveal,
    ));
    let recipients = packet.recipients();
    if recipients.is_empty() {
        return Ok((
            vec![Outgoing {
                file: crate::write::email::jobs::packet_message_path(out, name, None),
                subject,
                recipients: config.email.to.clone(),
                attachments: config.email.attach.clone(),
            }],
            Vec::new(),
        ));
    }
    let mut items = Vec::new();
    let mut skipped = Vec::new();
    for r in recipients {
        match r.mailbox(&config.email) {
            Some(mailbox) => items.push(Outgoing {
                file: crate::write::email::jobs::packet_message_path(out, name, Some(&r.name)),
                subject: subject.clone(),
                recipients: vec![mailbox],
                attachments: config.email.attach.clone(),
            }),
            None => skipped.push(
                Diagnostic::warning(format!(
                    "packet {}: recipient {} has no e-mail address; skipped, the others are sent",
                    quote(name),
                    quote(&r.name)
                ))
                .in_file(config.file())
                .with_hint(format!(
                    "give its [[packet.recipient]] an `email`, or add it under [email.contacts]: {:?} = \"name@example.org\", then rebuild",
                    r.name
                )),
            ),
        }
    }
    Ok((items, skipped))
}

/// Each post's built message (by slug, or every post that is not a draft).
fn post_messages(args: &SendArgs, config: &Config) -> Result<Vec<Outgoing>, Vec<Diagnostic>> {
    let paths = crate::read::discover(&args.content).map_err(|d| vec![d])?;
    let (posts, diagnostics, failed) = crate::read::read_all(&paths, &config.project.lang);
    if failed > 0 {
        let mut errors: Vec<Diagnostic> =
            diagnostics.into_iter().filter(|d| d.is_error()).collect();
        errors.push(
            Diagnostic::error(format!(
                "{failed} post{} cannot be read; nothing is sent",
                plural(failed)
            ))
            .with_hint("fix them (see brief check), rebuild, then send"),
        );
        return Err(errors);
    }
    let wanted: Vec<&crate::ir::Post> = if args.slugs.is_empty() {
        posts.iter().filter(|p| !p.meta.draft).collect()
    } else {
        let mut chosen = Vec::new();
        for slug in &args.slugs {
            let post = posts.iter().find(|p| p.meta.slug == *slug).ok_or_else(|| {
                vec![
                    Diagnostic::error(format!("no post with slug {}", quote(slug)))
                        .in_file(&args.content),
                ]
            })?;
            chosen.push(post);
        }
        chosen
    };
    Ok(wanted
        .into_iter()
        .map(|post| Outgoing {
            file: Edition::message_path(&args.out, &post.meta.slug),
            // For the operator's screen only: the marker goes, its text stays.
            subject: header_text(&crate::ir::redact::apply_str(
                &post.meta.title,
                crate::ir::redact::Mode::Reveal,
            )),
            recipients: config.email.to.clone(),
            attachments: config.email.attach.clone(),
        })
        .collect())
}
