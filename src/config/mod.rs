//! `brief.toml`: the project's settings. Strict: an unknown key is an
//! error naming its line, so a typo never silently does nothing. Parsing is
//! kept apart from file I/O; validation runs after deserializing.

pub mod official;
pub mod packet;
pub mod recipient;
pub mod sign;

use crate::diag::{Diagnostic, line_col};
pub use packet::PacketConfig;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub project: Project,
    pub text: TextSettings,
    pub pdf: PdfSettings,
    pub epub: EpubSettings,
    pub email: EmailSettings,
    pub summary: SummarySettings,
    /// `[sign]`: PAdES signatures of packet PDFs; none when absent.
    pub sign: Option<sign::SignSettings>,
    /// `[[packet]]` tables: briefing packets, in the order written.
    #[serde(rename = "packet")]
    pub packets: Vec<PacketConfig>,
    /// Where this configuration was read from, to name lines in errors
    /// found after parsing (e.g. a packet naming a slug no post has).
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// The file a [`Config`] was parsed from, and its text.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub file: std::path::PathBuf,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Project {
    /// Organisation name, printed on covers and title pages.
    pub organisation: Option<String>,
    /// Language of posts that do not name one (BCP 47).
    pub lang: String,
    /// Where the briefs can be read online, for "read online" links.
    pub base_url: Option<String>,
    /// Paper of the packets (`a4` or `us-letter`); `[pdf] paper` when unset.
    pub paper: Option<Paper>,
    /// Protective markings, lowest first: a packet is marked at least as
    /// high as its highest brief (`config::official`).
    pub markings: Vec<String>,
    /// Colour of printed markings, `#rrggbb`.
    pub marking_colour: Option<String>,
    /// The letterhead's logo (PNG, JPEG or SVG), relative to the project.
    pub logo: Option<String>,
    /// Who signs the cover letters.
    pub signatory: Option<official::Signatory>,
}

impl Default for Project {
    fn default() -> Self {
        Project {
            organisation: None,
            lang: "en".to_string(),
            base_url: None,
            paper: None,
            markings: Vec::new(),
            marking_colour: None,
            logo: None,
            signatory: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TextSettings {
    /// Wrap width of the e-mail text edition, in display columns.
    pub width: usize,
}

impl Default for TextSettings {
    fn default() -> Self {
        TextSettings { width: 72 }
    }
}

/// The default budget of a summary, in words: about a minute's reading.
pub const SUMMARY_WORDS: usize = 250;

/// `[summary]`: the summaries of summary e-mails and packet digests.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SummarySettings {
    /// The most words a summary holds (whole sentences only).
    pub words: usize,
}

impl Default for SummarySettings {
    fn default() -> Self {
        SummarySettings {
            words: SUMMARY_WORDS,
        }
    }
}

/// `[pdf]`: the PDF briefing edition.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PdfSettings {
    /// Page size: `a4` (default) or `us-letter`.
    pub paper: Paper,
    /// Conformance Typst checks while exporting: `ua-1` (default, tagged
    /// and accessible), `a-2b` (archival) or `a-2b+ua-1`.
    pub standard: PdfStandardSetting,
    /// How an external link's address is printed: `footnote` (default),
    /// `inline` (in parentheses after the text) or `none` (clickable only).
    pub links: LinkStyle,
    /// How long one PDF (a brief, or one copy of a packet) may take to
    /// typeset before it fails and the build goes on without it.
    pub time_limit_seconds: u64,
}

/// The default time limit of one PDF. The dearest briefs the data cap and
/// the footnote budget let through took 11 s (a 140-item list of footnoted
/// links, at the budget) and 5 s (700 KB of Markdown) on this project's
/// 2-core machine while other builds ran; ten times that leaves room for a
/// slow machine, and a post that still exhausts Typst is stopped.
pub const PDF_TIME_LIMIT_SECONDS: u64 = 120;

impl Default for PdfSettings {
    fn default() -> Self {
        PdfSettings {
            paper: Paper::default(),
            standard: PdfStandardSetting::default(),
            links: LinkStyle::default(),
            time_limit_seconds: PDF_TIME_LIMIT_SECONDS,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Paper {
    #[default]
    A4,
    UsLetter,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum PdfStandardSetting {
    #[default]
    #[serde(rename = "ua-1")]
    Ua1,
    #[serde(rename = "a-2b")]
    A2b,
    #[serde(rename = "a-2b+ua-1")]
    A2bUa1,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkStyle {
    #[default]
    Footnote,
    Inline,
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EpubSettings {
    /// A post whose text is longer than this many characters is split
    /// into chapters at its level-1/2 headings; 0 never splits.
    pub split_chars: usize,
}

impl Default for EpubSettings {
    fn default() -> Self {
        EpubSettings {
            split_chars: 20_000,
        }
    }
}

/// `[email]`: standard messages (`output/email/<slug>.eml`) and
/// `brief send`. Messages are built only when `from` is set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailSettings {
    /// `From:`, e.g. `"Briefing desk <desk@example.org>"`.
    pub from: Option<String>,
    /// Recipients of every post's message; `brief send` delivers to each
    /// one separately, so one rejection never holds up the others.
    pub to: Vec<String>,
    pub reply_to: Option<String>,
    /// Right-hand side of the `Message-ID`; default: the domain of `from`.
    pub domain: Option<String>,
    /// Editions attached to each message: `pdf`, `epub`.
    pub attach: Vec<String>,
    /// The body is the summary edition (title, date, summary, key points,
    /// link) instead of the full text.
    pub summary: bool,
    /// Messages of a marked post or packet carry the marking in their
    /// Subject (`[FOR OFFICIAL USE] title`).
    pub subject_marking: bool,
    /// SMTP server for `brief send`.
    pub host: Option<String>,
    /// Default: 587 (starttls), 465 (tls), 25 (none).
    pub port: Option<u16>,
    pub tls: TlsMode,
    /// SMTP user; when unset, no authentication is attempted.
    pub user: Option<String>,
    /// Name of the environment variable holding the SMTP password. The
    /// password is never read from or written to a file.
    pub password_env: String,
    /// Pause between two messages, in milliseconds.
    pub pause_ms: u64,
    /// At most this many messages per run of `brief send`.
    pub limit: usize,
    /// Give up on an unresponsive server after this many seconds.
    pub timeout_seconds: u64,
    /// `[email.contacts]`: e-mail address of each packet recipient, by the
    /// name written in the packet's `recipients`
    /// (`"Embassy of Example" = "consular@embassy.example"`).
    pub contacts: std::collections::BTreeMap<String, String>,
}

impl Default for EmailSettings {
    fn default() -> Self {
        EmailSettings {
            from: None,
            to: Vec::new(),
            reply_to: None,
            domain: None,
            attach: Vec::new(),
            summary: false,
            subject_marking: false,
            host: None,
            port: None,
            tls: TlsMode::default(),
            user: None,
            password_env: "BRIEF_SMTP_PASSWORD".to_string(),
            pause_ms: 1000,
            limit: 100,
            timeout_seconds: 30,
            contacts: Default::default(),
        }
    }
}

/// How `brief send` protects the connection. Explicit, never guessed:
/// `none` is refused for any host but this machine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    #[default]
    Starttls,
    Tls,
    None,
}

impl EmailSettings {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::Starttls => 587,
            TlsMode::Tls => 465,
            TlsMode::None => 25,
        })
    }

    /// The `Message-ID` domain: `domain`, else the domain of `from`.
    pub fn message_domain(&self) -> Option<String> {
        if let Some(d) = &self.domain {
            return Some(d.clone());
        }
        let from = self.from.as_deref()?;
        let address = from
            .rsplit_once('<')
            .map_or(from, |(_, a)| a.trim_end_matches('>'));
        address.rsplit_once('@').map(|(_, d)| d.trim().to_string())
    }

    /// The mailbox a packet recipient's message goes to: the contact's
    /// address under the recipient's name, or the recipient itself when it
    /// is written as an address. `None` when there is no address.
    pub fn contact_mailbox(&self, recipient: &str) -> Option<String> {
        use lettre::message::Mailbox;
        let written = self
            .contacts
            .get(recipient)
            .map(String::as_str)
            .unwrap_or(recipient);
        let mailbox: Mailbox = written.parse().ok()?;
        if mailbox.name.is_some() {
            return Some(mailbox.to_string());
        }
        let name = if self.contacts.contains_key(recipient) {
            Some(recipient.trim().to_string())
        } else {
            None
        };
        Some(Mailbox::new(name, mailbox.email).to_string())
    }

    fn validate(&self, file: &Path) -> Result<(), Diagnostic> {
        let fail = |m: String| Diagnostic::error(m).in_file(file);
        let mailbox = |key: &str, value: &str| -> Result<(), Diagnostic> {
            value
                .parse::<lettre::message::Mailbox>()
                .map(|_| ())
                .map_err(|e| {
                    fail(format!(
                        "email.{key} {} is not an address: {e}",
                        crate::diag::quote(value)
                    ))
                    .with_hint("write \"name@example.org\" or \"Name <name@example.org>\"")
                })
        };
        if let Some(from) = &self.from {
            mailbox("from", from)?;
        } else if !self.to.is_empty() || self.reply_to.is_some() {
            return Err(fail("email.to and email.reply_to need email.from".into())
                .with_hint("set `from = \"Desk <desk@example.org>\"` in [email]"));
        }
        for to in &self.to {
            mailbox("to", to)?;
        }
        if let Some(reply_to) = &self.reply_to {
            mailbox("reply_to", reply_to)?;
        }
        for contact in self.contacts.values() {
            mailbox("contacts", contact)?;
        }
        if self.from.is_some() {
            match self.message_domain() {
                Some(d) if is_domain(&d) => {}
                Some(d) => {
                    return Err(fail(format!(
                        "email.domain {} is not a domain name",
                        crate::diag::quote(&d)
                    )));
                }
                None => {
                    return Err(fail("cannot tell the Message-ID domain".into())
                        .with_hint("set email.domain"));
                }
            }
        }
        for a in &self.attach {
            if a != "pdf" && a != "epub" {
                return Err(fail(format!(
                    "email.attach: unknown edition {}",
                    crate::diag::quote(a)
                ))
                .with_hint("attach = [\"pdf\", \"epub\"], or either one"));
            }
        }
        if self.tls == TlsMode::None {
            if let Some(host) = &self.host {
                if !is_local_host(host) {
                    return Err(fail(format!("email.tls = \"none\" is refused for {}: passwords and briefs would cross the network in clear text", crate::diag::quote(host)))
                        .with_hint("use tls = \"starttls\" (port 587) or tls = \"tls\" (port 465)"));
                }
            }
        }
        if self.password_env.is_empty()
            || !self
                .password_env
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(fail(format!(
                "email.password_env {} is not an environment variable name",
                crate::diag::quote(&self.password_env)
            )));
        }
        if self.limit == 0 {
            return Err(fail("email.limit must be at least 1".into()));
        }
        if self.pause_ms > 3_600_000 {
            return Err(fail(
                "email.pause_ms must be at most an hour (3600000)".into(),
            ));
        }
        if !(1..=3600).contains(&self.timeout_seconds) {
            return Err(fail(
                "email.timeout_seconds must be between 1 and 3600".into(),
            ));
        }
        Ok(())
    }
}

/// Hosts that name this machine: the only ones `tls = "none"` may use.
pub fn is_local_host(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "::1" | "[::1]")
}

fn is_domain(d: &str) -> bool {
    !d.is_empty()
        && d.len() <= 253
        && d.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

impl Config {
    /// `[project] organisation` as printed: trimmed, none when blank.
    pub fn organisation(&self) -> Option<&str> {
        self.project
            .organisation
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty())
    }

    /// The colour markings are printed in (`[project] marking_colour`).
    pub fn marking_colour(&self) -> &str {
        self.project
            .marking_colour
            .as_deref()
            .unwrap_or(official::MARKING_COLOUR)
    }

    /// The configuration file, for diagnostics about what it configures
    /// (`brief.toml` when it did not come from a file).
    pub fn file(&self) -> PathBuf {
        self.origin
            .as_ref()
            .map_or_else(|| PathBuf::from("brief.toml"), |o| o.file.clone())
    }

    /// An error located at a byte span of `brief.toml` (just the message
    /// when the configuration did not come from a file).
    pub fn error_at(&self, span: std::ops::Range<usize>, message: String) -> Diagnostic {
        match &self.origin {
            Some(origin) => {
                let (line, col) = line_col(&origin.text, span.start);
                Diagnostic::error(message)
                    .in_file(&origin.file)
                    .at(line, Some(col))
            }
            None => Diagnostic::error(message),
        }
    }

    /// Paper of the packets: `[project] paper`, else `[pdf] paper`.
    pub fn packet_paper(&self) -> Paper {
        self.project.paper.unwrap_or(self.pdf.paper)
    }

    /// Parses and validates the text of a `brief.toml`. `file` is used only
    /// to name the file in diagnostics.
    pub fn parse(text: &str, file: &Path) -> Result<Config, Diagnostic> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let mut d = Diagnostic::error(e.message().to_string()).in_file(file);
            if let Some(span) = e.span() {
                let (line, col) = line_col(text, span.start);
                d = d.at(line, Some(col));
            }
            d
        })?;
        config.validate(file)?;
        let at = |span: std::ops::Range<usize>, message: String| {
            let (line, col) = line_col(text, span.start);
            Diagnostic::error(message).in_file(file).at(line, Some(col))
        };
        packet::validate(&config.packets, &at)?;
        let mut config = config;
        config.origin = Some(Origin {
            file: file.to_path_buf(),
            text: text.to_string(),
        });
        Ok(config)
    }

    fn validate(&self, file: &Path) -> Result<(), Diagnostic> {
        if !(20..=1000).contains(&self.text.width) {
            return Err(Diagnostic::error(format!(
                "text.width must be between 20 and 1000 columns, not {}",
                self.text.width
            ))
            .in_file(file));
        }
        if !crate::ir::is_language_tag(&self.project.lang) {
            return Err(Diagnostic::error(format!(
                "project.lang {} is not a language tag",
                crate::diag::quote(&self.project.lang)
            ))
            .in_file(file)
            .with_hint("use a BCP 47 tag such as \"en\", \"ko\" or \"pt-BR\""));
        }
        if !(20..=5000).contains(&self.summary.words) {
            return Err(Diagnostic::error(format!(
                "summary.words must be between 20 and 5000, not {}",
                self.summary.words
            ))
            .in_file(file));
        }
        if !(1..=86_400).contains(&self.pdf.time_limit_seconds) {
            return Err(Diagnostic::error(format!(
                "pdf.time_limit_seconds must be between 1 and 86400 (a day), not {}",
                self.pdf.time_limit_seconds
            ))
            .in_file(file));
        }
        self.email.validate(file)?;
        official::validate(&self.project, file)?;
        if let Some(sign) = &self.sign {
            sign.validate(file)?;
        }
        Ok(())
    }
}
