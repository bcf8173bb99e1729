//! A packet's recipients, as written: the plain list
//! (`recipients = ["Embassy of Example"]`) and the records
//! (`[[packet.recipient]]` with `name`, `salutation`, `address` lines,
//! `email`, `lang`, `copies`, `redact`). Both become one [`Recipient`] list, in the
//! order written (the plain names first), and are checked together here:
//! every recipient's copies need distinct file names.

use crate::diag::{Diagnostic, quote};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// At most this many numbered copies for one recipient.
pub const MAX_COPIES: u32 = 500;

/// One `[[packet.recipient]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipientConfig {
    pub name: Spanned<String>,
    /// How the letter addresses it ("Your Excellency").
    #[serde(default)]
    pub salutation: Option<String>,
    /// Postal address lines, printed above the letter.
    #[serde(default)]
    pub address: Vec<String>,
    /// Its mailbox ("Desk <desk@mission.example>"); else `[email.contacts]`.
    #[serde(default)]
    pub email: Option<Spanned<String>>,
    /// The language its letter and message are written in.
    #[serde(default)]
    pub lang: Option<Spanned<String>>,
    /// How many numbered copies it receives (default 1).
    #[serde(default)]
    pub copies: Option<Spanned<u32>>,
    /// Its copies, message and EPUB hide the posts' `[[redact: …]]` text,
    /// while the packet's other copies show it (`packet::redaction`).
    #[serde(default)]
    pub redact: bool,
}

/// A recipient, from either form.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Recipient {
    pub name: String,
    pub salutation: Option<String>,
    pub address: Vec<String>,
    pub email: Option<String>,
    pub lang: Option<String>,
    pub copies: usize,
    /// `redact = true`: what it receives hides the redacted text.
    pub redact: bool,
}

/// Both lists as one, the plain names first.
pub fn recipients(
    plain: Option<&Spanned<Vec<Spanned<String>>>>,
    records: &[RecipientConfig],
) -> Vec<Recipient> {
    let mut all: Vec<Recipient> = plain
        .map(|l| l.get_ref().as_slice())
        .unwrap_or_default()
        .iter()
        .map(|name| Recipient {
            name: name.get_ref().trim().to_string(),
            salutation: None,
            address: Vec::new(),
            email: None,
            lang: None,
            copies: 1,
            redact: false,
        })
        .collect();
    all.extend(records.iter().map(|r| Recipient {
        name: r.name.get_ref().trim().to_string(),
        salutation: one_line(r.salutation.as_deref()),
        address: r.address.iter().filter_map(|l| one_line(Some(l))).collect(),
        email: r.email.as_ref().map(|e| e.get_ref().trim().to_string()),
        lang: r.lang.as_ref().map(|l| l.get_ref().trim().to_string()),
        copies: r.copies.as_ref().map_or(1, |c| *c.get_ref() as usize),
        redact: r.redact,
    }));
    all
}

fn one_line(s: Option<&str>) -> Option<String> {
    let s = s?.trim();
    (!s.is_empty()).then(|| s.chars().filter(|c| !c.is_control()).collect())
}

/// Checks names (not empty, one line, distinct file names), addresses,
/// languages and copy counts of both lists.
pub fn validate(
    packet: &str,
    plain: Option<&Spanned<Vec<Spanned<String>>>>,
    records: &[RecipientConfig],
    at: &dyn Fn(std::ops::Range<usize>, String) -> Diagnostic,
) -> Result<(), Diagnostic> {
    let names = plain
        .map(|l| l.get_ref().as_slice())
        .unwrap_or_default()
        .iter()
        .chain(records.iter().map(|r| &r.name));
    let mut by_slug: BTreeMap<String, &str> = BTreeMap::new();
    for r in names {
        let text = r.get_ref().trim();
        if text.is_empty() {
            return Err(at(
                r.span(),
                format!("packet {}: a recipient is empty", quote(packet)),
            ));
        }
        if text.chars().any(char::is_control) {
            return Err(at(
                r.span(),
                format!(
                    "packet {}: recipient {} contains control characters",
                    quote(packet),
                    quote(text)
                ),
            ));
        }
        let slug = super::packet::recipient_slug(text);
        if let Some(first) = by_slug.insert(slug.clone(), text) {
            let message = if first.eq_ignore_ascii_case(text) {
                format!(
                    "packet {}: recipient {} is listed twice",
                    quote(packet),
                    quote(text)
                )
            } else {
                format!(
                    "packet {}: recipients {} and {} would share the file name {}.pdf",
                    quote(packet),
                    quote(first),
                    quote(text),
                    slug
                )
            };
            return Err(
                at(r.span(), message).with_hint("each recipient gets its own copy: list each once")
            );
        }
    }
    for r in records {
        let who = quote(r.name.get_ref().trim());
        if let Some(email) = &r.email {
            if email.get_ref().parse::<lettre::message::Mailbox>().is_err() {
                return Err(at(
                    email.span(),
                    format!(
                        "packet {}: recipient {who}: email {} is not an address",
                        quote(packet),
                        quote(email.get_ref())
                    ),
                )
                .with_hint("write \"name@example.org\" or \"Name <name@example.org>\""));
            }
        }
        if let Some(lang) = &r.lang {
            if !crate::ir::is_language_tag(lang.get_ref().trim()) {
                return Err(at(
                    lang.span(),
                    format!(
                        "packet {}: recipient {who}: lang {} is not a language tag",
                        quote(packet),
                        quote(lang.get_ref())
                    ),
                ));
            }
        }
        if let Some(copies) = &r.copies {
            if !(1..=MAX_COPIES).contains(copies.get_ref()) {
                return Err(at(
                    copies.span(),
                    format!(
                        "packet {}: recipient {who}: copies must be 1 to {MAX_COPIES}, not {}",
                        quote(packet),
                        copies.get_ref()
                    ),
                ));
            }
        }
    }
    Ok(())
}

impl Recipient {
    /// The mailbox its message goes to: its own `email` (named after it
    /// when the address carries no name), else `[email.contacts]` under
    /// its name, else its name when that is an address. `None`: it has no
    /// address, and gets no message.
    pub fn mailbox(&self, settings: &super::EmailSettings) -> Option<String> {
        use lettre::message::Mailbox;
        let Some(email) = &self.email else {
            return settings.contact_mailbox(&self.name);
        };
        let mailbox: Mailbox = email.parse().ok()?;
        if mailbox.name.is_some() {
            return Some(mailbox.to_string());
        }
        Some(Mailbox::new(Some(self.name.clone()), mailbox.email).to_string())
    }
}
