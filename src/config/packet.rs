//! `[[packet]]` tables of `brief.toml`: what a briefing packet is made of,
//! as written. Deserialized strictly (unknown keys are errors with their
//! line) and checked without touching the file system; the checks that
//! need the posts or the disk (unknown slugs, the cover letter's file) run
//! when a build resolves the packet (`crate::packet`). Every value keeps
//! its span so those later errors can still name the line.

use crate::diag::{Diagnostic, quote};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Component, Path};
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PacketConfig {
    /// File name stem of the outputs (`output/packets/<name>.pdf`).
    pub name: Spanned<String>,
    pub title: Spanned<String>,
    #[serde(default)]
    pub subtitle: Option<String>,
    /// The packet's day, `YYYY-MM-DD`: printed on the cover and used as
    /// the documents' timestamp (never the clock).
    pub date: Spanned<String>,
    /// Slugs of the briefs, in this order.
    #[serde(default)]
    pub briefs: Option<Spanned<Vec<Spanned<String>>>>,
    /// Every post carrying any of these tags.
    #[serde(default)]
    pub tags: Option<Spanned<Vec<String>>>,
    /// Every post.
    #[serde(default)]
    pub all: Option<Spanned<bool>>,
    /// Markdown letter printed after the cover, relative to the project.
    #[serde(default)]
    pub cover_letter: Option<Spanned<String>>,
    /// A line printed on every page (e.g. "For official use").
    #[serde(default)]
    pub marking: Option<String>,
    /// The image the packet's EPUB shows as its cover (inside the
    /// project, relative to it); else a typeset cover.
    #[serde(default)]
    pub cover: Option<String>,
    /// One addressed copy per recipient.
    #[serde(default)]
    pub recipients: Option<Spanned<Vec<Spanned<String>>>>,
    /// `[[packet.recipient]]`: recipients as records (salutation,
    /// address, e-mail, copies), after the plain `recipients`.
    #[serde(default, rename = "recipient")]
    pub recipient_records: Vec<super::recipient::RecipientConfig>,
    /// The packet's reference number, printed on the cover and the letter.
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
    /// The language of the packet's own pages (cover, contents, Sources,
    /// Integrity, digest); default `project.lang`.
    #[serde(default)]
    pub lang: Option<Spanned<String>>,
    /// Each brief in these languages, in this order (its translations:
    /// same `translation_key:`, or `post.md` / `post.ko.md`).
    #[serde(default)]
    pub languages: Option<Spanned<Vec<String>>>,
    /// `sequential` (default: one translation after the other) or
    /// `parallel` (two languages side by side, paragraph by paragraph).
    #[serde(default)]
    pub layout: Option<Spanned<String>>,
    /// Every edition of the packet is built with the posts' `[[redact: …]]`
    /// text hidden (see `ir::redact`).
    #[serde(default)]
    pub redact: bool,
}

/// How a packet with two languages sets a brief and its translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Sequential,
    Parallel,
}

/// Which posts a packet gathers.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection<'a> {
    Briefs(&'a [Spanned<String>]),
    Tags(&'a [String]),
    All,
}

impl PacketConfig {
    pub fn name(&self) -> &str {
        self.name.get_ref()
    }

    /// The selection; `validate` has made sure there is exactly one.
    pub fn selection(&self) -> Selection<'_> {
        if let Some(b) = &self.briefs {
            Selection::Briefs(b.get_ref())
        } else if let Some(t) = &self.tags {
            Selection::Tags(t.get_ref())
        } else {
            Selection::All
        }
    }

    /// Every recipient, the plain names first, then the records.
    pub fn recipients(&self) -> Vec<super::recipient::Recipient> {
        super::recipient::recipients(self.recipients.as_ref(), &self.recipient_records)
    }

    /// The languages asked for (validated), none when not given.
    pub fn languages(&self) -> Vec<String> {
        self.languages
            .as_ref()
            .map(|l| l.get_ref().iter().map(|s| s.trim().to_string()).collect())
            .unwrap_or_default()
    }

    pub fn layout(&self) -> Layout {
        match self.layout.as_ref().map(|l| l.get_ref().trim()) {
            Some("parallel") => Layout::Parallel,
            _ => Layout::Sequential,
        }
    }

    /// The packet's day (validated).
    pub fn day(&self) -> chrono::NaiveDate {
        chrono::NaiveDate::parse_from_str(self.date.get_ref().trim(), "%Y-%m-%d")
            .unwrap_or_default()
    }
}

/// A recipient's file stem: lowercase, safe on every file system.
pub fn recipient_slug(name: &str) -> String {
    let lower: String = name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    crate::ir::safe_slug(&lower)
}

/// Checks every packet on its own and against the others. `at` turns a
/// byte span of `brief.toml` into a located error.
pub fn validate(
    packets: &[PacketConfig],
    at: &dyn Fn(std::ops::Range<usize>, String) -> Diagnostic,
) -> Result<(), Diagnostic> {
    let mut names: BTreeMap<String, ()> = BTreeMap::new();
    for p in packets {
        let name = p.name.get_ref();
        if !is_safe_stem(name) {
            return Err(at(p.name.span(), format!("packet name {} is not a safe file name", quote(name)))
                .with_hint("use letters, digits, '-', '_' and '.', starting with a letter or digit (at most 100)"));
        }
        if names.insert(name.to_ascii_lowercase(), ()).is_some() {
            return Err(at(
                p.name.span(),
                format!("two packets are named {}", quote(name)),
            ));
        }
        if p.title.get_ref().trim().is_empty() {
            return Err(at(
                p.title.span(),
                format!("packet {}: the title is empty", quote(name)),
            ));
        }
        if chrono::NaiveDate::parse_from_str(p.date.get_ref().trim(), "%Y-%m-%d").is_err() {
            return Err(at(
                p.date.span(),
                format!(
                    "packet {}: date {} is not YYYY-MM-DD",
                    quote(name),
                    quote(p.date.get_ref())
                ),
            )
            .with_hint("write the day as a string, e.g. date = \"2025-09-02\""));
        }
        validate_selection(p, at)?;
        if let Some(letter) = &p.cover_letter {
            if !is_inside_relative(letter.get_ref()) {
                return Err(at(
                    letter.span(),
                    format!(
                        "packet {}: cover letter {} is outside the project",
                        quote(name),
                        quote(letter.get_ref())
                    ),
                )
                .with_hint("give a path relative to the project folder, without '..'"));
            }
        }
        validate_recipients(p, at)?;
        validate_languages(p, at)?;
    }
    Ok(())
}

fn validate_languages(
    p: &PacketConfig,
    at: &dyn Fn(std::ops::Range<usize>, String) -> Diagnostic,
) -> Result<(), Diagnostic> {
    let name = p.name.get_ref();
    if let Some(lang) = &p.lang {
        if !crate::ir::is_language_tag(lang.get_ref().trim()) {
            return Err(at(
                lang.span(),
                format!(
                    "packet {}: lang {} is not a language tag",
                    quote(name),
                    quote(lang.get_ref())
                ),
            )
            .with_hint("e.g. lang = \"ko\""));
        }
    }
    let languages = p.languages();
    if let Some(list) = &p.languages {
        let mut seen = BTreeMap::new();
        for l in &languages {
            if !crate::ir::is_language_tag(l) || seen.insert(l.to_ascii_lowercase(), ()).is_some() {
                return Err(at(
                    list.span(),
                    format!(
                        "packet {}: languages must be distinct language tags, not {}",
                        quote(name),
                        quote(l)
                    ),
                )
                .with_hint("e.g. languages = [\"ko\", \"en\"]"));
            }
        }
        if languages.is_empty() {
            return Err(at(
                list.span(),
                format!("packet {}: languages is empty", quote(name)),
            ));
        }
    }
    if let Some(layout) = &p.layout {
        let ok = match layout.get_ref().trim() {
            "sequential" => true,
            "parallel" => languages.len() == 2,
            _ => false,
        };
        if !ok {
            return Err(at(
                layout.span(),
                format!("packet {}: layout {} is not possible here", quote(name), quote(layout.get_ref())),
            )
            .with_hint("layout = \"sequential\", or \"parallel\" with exactly two languages = [\"ko\", \"en\"]"));
        }
    }
    Ok(())
}

fn validate_selection(
    p: &PacketConfig,
    at: &dyn Fn(std::ops::Range<usize>, String) -> Diagnostic,
) -> Result<(), Diagnostic> {
    let name = p.name.get_ref();
    let all = p.all.as_ref().is_some_and(|a| *a.get_ref());
    let chosen = [p.briefs.is_some(), p.tags.is_some(), all]
        .iter()
        .filter(|b| **b)
        .count();
    if chosen != 1 {
        let what = if chosen == 0 {
            "names no briefs"
        } else {
            "has more than one selection"
        };
        return Err(at(
            p.name.span(),
            format!(
                "packet {}: {what}; give exactly one of briefs, tags or all = true",
                quote(name)
            ),
        )
        .with_hint("briefs = [\"slug-a\", \"slug-b\"] (in order), tags = [\"…\"], or all = true"));
    }
    if let Some(briefs) = &p.briefs {
        if briefs.get_ref().is_empty() {
            return Err(at(
                briefs.span(),
                format!("packet {}: briefs is empty", quote(name)),
            ));
        }
        let mut seen = BTreeMap::new();
        for slug in briefs.get_ref() {
            if seen.insert(slug.get_ref().clone(), ()).is_some() {
                return Err(at(
                    slug.span(),
                    format!(
                        "packet {}: brief {} is listed twice",
                        quote(name),
                        quote(slug.get_ref())
                    ),
                ));
            }
        }
    }
    if let Some(tags) = &p.tags {
        if tags.get_ref().iter().all(|t| t.trim().is_empty()) {
            return Err(at(
                tags.span(),
                format!("packet {}: tags is empty", quote(name)),
            ));
        }
    }
    Ok(())
}

fn validate_recipients(
    p: &PacketConfig,
    at: &dyn Fn(std::ops::Range<usize>, String) -> Diagnostic,
) -> Result<(), Diagnostic> {
    super::recipient::validate(
        p.name.get_ref(),
        p.recipients.as_ref(),
        &p.recipient_records,
        at,
    )
}

/// A file stem that is the same on every system: ASCII letters, digits,
/// `-`, `_`, `.`, starting with a letter or digit, no `..`.
pub fn is_safe_stem(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !s.contains("..")
}

/// A relative path that stays inside its folder, judged lexically.
pub fn is_inside_relative(s: &str) -> bool {
    let path = Path::new(s.trim());
    if s.trim().is_empty() || s.contains('\\') || s.contains('\0') {
        return false;
    }
    let mut depth = 0usize;
    for c in path.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                if depth == 0 {
                    return false;
                }
                depth -= 1;
            }
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    depth > 0
}
