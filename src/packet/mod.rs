//! Briefing packets, resolved: a `[[packet]]` table of `brief.toml` tied
//! to the posts this build parsed (no post is read twice) and to its cover
//! letter. Owns the checks that need the posts or the disk — unknown or
//! draft slugs, empty tag selections, a cover letter that is missing or
//! leads outside the project — and where each packet's files go.
//!
//! The writers (`write::packet`) get a [`Packet`] and never look at the
//! configuration again.

pub mod letter;
pub mod marking;
mod redaction;
mod shared;

pub use redaction::redact;
pub use shared::{Body, BriefModels, Shared};

use crate::config::Config;
use crate::config::packet::{PacketConfig, Selection, recipient_slug};
pub use crate::config::recipient::Recipient;
use crate::diag::{Diagnostic, quote};
use crate::ir::Post;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Cover letters larger than this are refused (they are letters).
const MAX_LETTER_BYTES: u64 = 1024 * 1024;

/// One packet, ready to render.
#[derive(Debug, Clone)]
pub struct Packet<'p> {
    pub name: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub day: NaiveDate,
    /// The packet's marking, rolled up over its briefs' (`marking`).
    pub marking: Option<String>,
    /// `cover = "…"`: the image its EPUB shows as its cover, relative to
    /// the project folder; `None`: a typeset cover.
    pub cover: Option<String>,
    /// The reference number (`ref`).
    pub reference: Option<String>,
    /// Addressees, in the order written; each gets its own numbered PDFs.
    pub recipients: Vec<Recipient>,
    pub briefs: Vec<&'p Post>,
    /// The cover letter of the general copy as a post (its template
    /// rendered with no recipient; titled by the writers, no date).
    pub letter: Option<Post>,
    /// Each recipient's letter, in the order of `recipients`.
    pub letters: Vec<Post>,
    /// The language of the packet's own pages: its `lang`, else the
    /// project's.
    pub lang: String,
    /// Briefs set side by side (`layout = "parallel"`): indices into
    /// `briefs` of a brief (left) and its translation (right). The PDF
    /// sets a pair side by side only where their paragraphs match.
    pub parallel: Vec<(usize, usize)>,
    /// Built with the `[[redact: …]]` text hidden (`redact = true`, or
    /// `brief build --redact`); set by [`redact`].
    pub redacted: bool,
    /// When some recipients have `redact = true` and the packet does not:
    /// the same packet with that text hidden, from which those
    /// recipients' copies, messages, EPUB and digest are made
    /// ([`Packet::for_copy`]); set by [`redact`].
    pub twin: Option<Box<Packet<'p>>>,
    /// This packet is such a twin: it makes only the redacting
    /// recipients' outputs, never the general copy.
    pub is_twin: bool,
    /// Work every copy shares, done once by the first copy that needs it.
    pub shared: Shared,
}

/// A copy of a packet's PDF: the general one or a recipient's numbered
/// copy (`copy` counts from 0 within that recipient's `copies`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copy {
    General,
    Recipient { index: usize, copy: usize },
}

impl<'p> Packet<'p> {
    /// The packet a copy is made from: the hidden twin for a recipient
    /// with `redact = true` (when the packet itself shows the text), else
    /// this one.
    pub fn for_copy(&self, copy: Copy) -> &Packet<'p> {
        match (&self.twin, self.recipient(copy)) {
            (Some(twin), Some(r)) if r.redact => twin,
            _ => self,
        }
    }

    /// Whether this packet makes `recipient`'s outputs (its copies and
    /// message): a twin makes the redacting recipients', its original
    /// every other one's.
    pub fn serves(&self, recipient: &Recipient) -> bool {
        if self.is_twin {
            recipient.redact
        } else {
            self.twin.is_none() || !recipient.redact
        }
    }

    /// The general copy, then every recipient's numbered copies in order.
    pub fn copies(&self) -> Vec<Copy> {
        let mut copies = vec![Copy::General];
        for (index, r) in self.recipients.iter().enumerate() {
            copies.extend((0..r.copies).map(|copy| Copy::Recipient { index, copy }));
        }
        copies
    }

    /// Each recipient's first copy: the one its message carries.
    pub fn first_copy(&self, index: usize) -> Copy {
        Copy::Recipient { index, copy: 0 }
    }

    pub fn recipient(&self, copy: Copy) -> Option<&Recipient> {
        match copy {
            Copy::General => None,
            Copy::Recipient { index, .. } => self.recipients.get(index),
        }
    }

    /// "Copy n of N": the copy's number among every numbered copy of the
    /// packet, and how many there are. None for the general copy.
    pub fn copy_number(&self, copy: Copy) -> Option<(usize, usize)> {
        let Copy::Recipient { index, copy } = copy else {
            return None;
        };
        let total = self.recipients.iter().map(|r| r.copies).sum();
        let before: usize = self.recipients.iter().take(index).map(|r| r.copies).sum();
        Some((before + copy + 1, total))
    }

    /// The language a copy's own words are printed in (its cover, letter
    /// heading, contents, footers, copy line, Sources and Integrity pages,
    /// and its message's fixed lines): its recipient's `lang`, else the
    /// packet's (its `lang`, else the project's). The briefs keep theirs.
    pub fn lang_of(&self, copy: Copy) -> &str {
        self.recipient(copy)
            .and_then(|r| r.lang.as_deref())
            .filter(|l| !l.is_empty())
            .unwrap_or(&self.lang)
    }

    /// The letter a copy prints: the recipient's own, else the general one.
    pub fn letter_for(&self, copy: Copy) -> Option<&Post> {
        match copy {
            Copy::General => self.letter.as_ref(),
            Copy::Recipient { index, .. } => self.letters.get(index).or(self.letter.as_ref()),
        }
    }

    /// `output/packets/<name>.pdf`, or `output/packets/<name>/<recipient>.pdf`
    /// (`<recipient>-copy-<k>.pdf` when the recipient has several copies).
    pub fn pdf_path(&self, out: &Path, copy: Copy) -> PathBuf {
        let folder = out.join("packets");
        match (self.recipient(copy), copy) {
            (Some(r), Copy::Recipient { copy: k, .. }) => {
                let slug = recipient_slug(&r.name);
                let file = if r.copies > 1 {
                    format!("{slug}-copy-{}.pdf", k + 1)
                } else {
                    format!("{slug}.pdf")
                };
                folder.join(&self.name).join(file)
            }
            _ => folder.join(format!("{}.pdf", self.name)),
        }
    }

    pub fn epub_path(&self, out: &Path) -> PathBuf {
        out.join("packets")
            .join(format!("{}{}.epub", self.name, self.twin_suffix()))
    }

    /// A twin's EPUB and digest are `<name>.redacted.epub` and `.txt`,
    /// beside the general ones they must never be mistaken for.
    fn twin_suffix(&self) -> &'static str {
        if self.is_twin { ".redacted" } else { "" }
    }

    pub fn digest_path(&self, out: &Path) -> PathBuf {
        out.join("packets")
            .join(format!("{}{}.txt", self.name, self.twin_suffix()))
    }
}

/// What resolving the packets gave: the packets that can be built; errors
/// that no content could fix (`config_errors`: a cover letter outside the
/// project; nothing may be built) and packets that cannot be built with
/// the posts and files there are (`skipped`: an unknown slug, a draft, a
/// tag no post has, a missing cover letter). A skipped packet fails alone:
/// the rest of the build is written and `brief` exits 1, so pointing
/// `--content` at another folder never stops every other output.
#[derive(Debug, Default)]
pub struct Resolved<'p> {
    pub packets: Vec<Packet<'p>>,
    pub config_errors: Vec<Diagnostic>,
    pub skipped: Vec<Diagnostic>,
    /// Packets built with something missing (a translation).
    pub warnings: Vec<Diagnostic>,
}

/// Ties every `[[packet]]` to the posts. `drafts` are the posts left out of
/// this build as drafts (named in errors); `posts_failed` says whether some
/// post could not be read (then an unknown slug may be that post's, and the
/// hint says so).
pub fn resolve<'p>(
    posts: &'p [Post],
    drafts: &[Post],
    posts_failed: bool,
    config: &Config,
    project_root: &Path,
) -> Resolved<'p> {
    let mut resolved = Resolved::default();
    let by_slug: HashMap<&str, &Post> = posts.iter().map(|p| (p.meta.slug.as_str(), p)).collect();
    for packet in &config.packets {
        match resolve_one(packet, posts, &by_slug, drafts, config, project_root) {
            Ok(mut packet) => {
                let languages = packet_languages(packet_config(config, &packet.name));
                if let Some((languages, layout)) = languages {
                    let (briefs, parallel, warnings) =
                        in_languages(&packet, &languages, layout, posts);
                    packet.briefs = briefs;
                    packet.parallel = parallel;
                    resolved.warnings.extend(warnings);
                }
                let briefs: Vec<(&str, Option<&str>)> = packet
                    .briefs
                    .iter()
                    .map(|b| (b.meta.slug.as_str(), b.meta.marking.as_deref()))
                    .collect();
                let (rolled, warnings) = marking::roll_up(
                    &packet.name,
                    &config.project.markings,
                    packet.marking.as_deref(),
                    &briefs,
                );
                packet.marking = rolled;
                resolved.warnings.extend(warnings);
                resolved.packets.push(packet)
            }
            Err(Problem::Config(d)) => resolved.config_errors.push(d),
            Err(Problem::Unknown(d)) if posts_failed => resolved.skipped.push(
                d.with_hint("a post failed to read above; the packet is built once it reads"),
            ),
            Err(Problem::Unknown(d)) => resolved.skipped.push(d),
        }
    }
    resolved
}

enum Problem {
    Config(Diagnostic),
    /// What the posts and files at hand cannot satisfy: a slug or tag no
    /// parsed post has, a draft, a missing cover letter.
    Unknown(Diagnostic),
}

fn resolve_one<'p>(
    config: &PacketConfig,
    posts: &'p [Post],
    by_slug: &HashMap<&str, &'p Post>,
    drafts: &[Post],
    project: &Config,
    project_root: &Path,
) -> Result<Packet<'p>, Problem> {
    let name = config.name();
    let at = |span, message| project.error_at(span, message);
    let briefs: Vec<&Post> = match config.selection() {
        Selection::Briefs(slugs) => {
            let mut briefs = Vec::new();
            for slug in slugs {
                let wanted = slug.get_ref().trim();
                match by_slug.get(wanted) {
                    Some(post) => briefs.push(*post),
                    None if drafts.iter().any(|d| d.meta.slug == wanted) => {
                        return Err(Problem::Unknown(
                            at(
                                slug.span(),
                                format!(
                                    "packet {}: brief {} is a draft",
                                    quote(name),
                                    quote(wanted)
                                ),
                            )
                            .with_hint(
                                "pass --drafts to build drafts, or take it out of the packet",
                            ),
                        ));
                    }
                    None => {
                        return Err(Problem::Unknown(
                            at(
                                slug.span(),
                                format!(
                                    "packet {}: no post has the slug {}",
                                    quote(name),
                                    quote(wanted)
                                ),
                            )
                            .with_hint(near_slugs(wanted, posts)),
                        ));
                    }
                }
            }
            briefs
        }
        Selection::Tags(tags) => {
            let wanted: Vec<String> = tags.iter().map(|t| t.trim().to_lowercase()).collect();
            let chosen = in_date_order(posts.iter().filter(|p| {
                p.meta
                    .tags
                    .iter()
                    .any(|t| wanted.contains(&t.trim().to_lowercase()))
            }));
            if chosen.is_empty() {
                let span = config.tags.as_ref().map(|t| t.span()).unwrap_or_default();
                return Err(Problem::Unknown(at(
                    span,
                    format!(
                        "packet {}: no post has any of the tags {}",
                        quote(name),
                        tags.join(", ")
                    ),
                )));
            }
            chosen
        }
        Selection::All => {
            if posts.is_empty() {
                return Err(Problem::Unknown(at(
                    config.name.span(),
                    format!("packet {}: there are no posts", quote(name)),
                )));
            }
            in_date_order(posts.iter())
        }
    };
    let own_text = [
        Some(config.title.get_ref().as_str()),
        config.subtitle.as_deref(),
        config.marking.as_deref(),
    ];
    for text in own_text.into_iter().flatten() {
        if let Err(e) = crate::read::redaction::check_str(text) {
            return Err(Problem::Config(at(
                config.title.span(),
                format!("packet {}: {e}", quote(name)),
            )));
        }
    }
    let letter_file = match &config.cover_letter {
        Some(path) => Some(
            read_letter(path.get_ref(), project_root).map_err(|(m, missing)| {
                let d = at(
                    path.span(),
                    format!(
                        "packet {}: cover letter {}: {m}",
                        quote(name),
                        quote(path.get_ref())
                    ),
                );
                if missing {
                    Problem::Unknown(d)
                } else {
                    Problem::Config(d)
                }
            })?,
        ),
        None => None,
    };
    let marking = config
        .marking
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let reference = config
        .reference
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let recipients = config.recipients();
    let (letter, letters) = match letter_file {
        Some(file) => {
            let data = letter::LetterData {
                organisation: project.project.organisation.as_deref(),
                signatory: project.project.signatory.as_ref(),
                title: config.title.get_ref().trim(),
                reference: reference.as_deref(),
                marking: marking.as_deref(),
            };
            let rendered = letter::render_all(&file, &recipients, &data, |lang| {
                crate::read::dates::written(config.day(), lang.unwrap_or(&project.project.lang))
            })
            .map_err(Problem::Unknown)?;
            let (general, each) = rendered;
            (Some(general), each)
        }
        None => (None, Vec::new()),
    };
    Ok(Packet {
        name: name.to_string(),
        title: config.title.get_ref().trim().to_string(),
        subtitle: config
            .subtitle
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        day: config.day(),
        marking,
        reference,
        recipients,
        cover: config
            .cover
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        briefs,
        letter,
        letters,
        lang: config
            .lang
            .as_ref()
            .map(|l| l.get_ref().trim().to_string())
            .unwrap_or_else(|| project.project.lang.clone()),
        parallel: Vec::new(),
        redacted: config.redact,
        twin: None,
        is_twin: false,
        shared: Shared::default(),
    })
}

fn packet_config<'c>(config: &'c Config, name: &str) -> Option<&'c PacketConfig> {
    config.packets.iter().find(|p| p.name() == name)
}

fn packet_languages(
    config: Option<&PacketConfig>,
) -> Option<(Vec<String>, crate::config::packet::Layout)> {
    let config = config?;
    let languages = config.languages();
    (!languages.is_empty()).then(|| (languages, config.layout()))
}

/// Each brief of the packet in each of `languages`, in that order (a
/// brief named in two languages counts once). A missing translation is
/// left out with a warning: the packet says what it lacks.
fn in_languages<'p>(
    packet: &Packet<'p>,
    languages: &[String],
    layout: crate::config::packet::Layout,
    posts: &'p [Post],
) -> (Vec<&'p Post>, Vec<(usize, usize)>, Vec<Diagnostic>) {
    use crate::read::translations::{in_language, key};
    let mut briefs: Vec<&Post> = Vec::new();
    let mut parallel = Vec::new();
    let mut warnings = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for post in &packet.briefs {
        if !seen.insert(key(post)) {
            continue;
        }
        let mut indices = Vec::new();
        for lang in languages {
            match in_language(post, lang, posts) {
                Some(version) => {
                    indices.push(briefs.len());
                    briefs.push(version);
                }
                None => warnings.push(
                    Diagnostic::warning(format!(
                        "packet {}: brief {} has no translation in {}; the packet goes without it",
                        quote(&packet.name),
                        quote(&post.meta.slug),
                        quote(lang)
                    ))
                    .with_hint(
                        "name the translation `<file>.<lang>.md` beside it, or give both the same `translation_key:`",
                    ),
                ),
            }
        }
        if layout == crate::config::packet::Layout::Parallel && indices.len() == 2 {
            parallel.push((indices[0], indices[1]));
        }
    }
    (briefs, parallel, warnings)
}

/// Oldest first, then by slug: a stable order for tag and `all` packets.
fn in_date_order<'p>(posts: impl Iterator<Item = &'p Post>) -> Vec<&'p Post> {
    let mut list: Vec<&Post> = posts.collect();
    list.sort_by(|a, b| {
        let day = |p: &Post| p.meta.date.as_ref().map(|d| d.day);
        (day(a), &a.meta.slug).cmp(&(day(b), &b.meta.slug))
    });
    list
}

fn near_slugs(wanted: &str, posts: &[Post]) -> String {
    let stem: String = wanted.chars().take(6).collect();
    let mut near: Vec<&str> = posts
        .iter()
        .map(|p| p.meta.slug.as_str())
        .filter(|s| !stem.is_empty() && s.starts_with(&stem))
        .take(3)
        .collect();
    near.sort();
    if near.is_empty() {
        "a post's slug is its `slug:` front matter, else its file name; `brief check` lists problems".to_string()
    } else {
        format!("did you mean {}?", near.join(", "))
    }
}

/// Reads the cover letter's file. It must be a file inside the project
/// (checked again after resolving symlinks). An error says whether the
/// letter is just missing (`true`: that packet fails alone) or wrong in a
/// way no content fixes (`false`: a symlink out of the project).
fn read_letter(rel: &str, project_root: &Path) -> Result<letter::LetterFile, (String, bool)> {
    let root = project_root
        .canonicalize()
        .map_err(|e| (format!("cannot read the project folder: {e}"), false))?;
    let path = root.join(rel.trim());
    let real = path
        .canonicalize()
        .map_err(|e| (format!("cannot read: {e}"), true))?;
    if !real.starts_with(&root) {
        return Err(("leads outside the project (symlink)".into(), false));
    }
    let bytes = crate::files::read_regular(&real, MAX_LETTER_BYTES)
        .map_err(|e| match e {
            crate::files::ReadError::TooLarge { .. } => "is larger than 1 MB".to_string(),
            crate::files::ReadError::NotRegular(_) => "is not a file".to_string(),
            e => format!("cannot read: {e}"),
        })
        .map_err(|m| (m, true))?;
    let text = String::from_utf8(bytes.clone()).map_err(|_| ("is not UTF-8".to_string(), true))?;
    Ok(letter::LetterFile {
        source: PathBuf::from(rel.trim()),
        shown: real,
        sha256: crate::ir::hex(&<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
        text: crate::read::frontmatter::normalise(&text),
    })
}
