//! `brief.toml`: the project's settings. Strict: an unknown key is an
//! error naming its line, so a typo never silently does nothing. Parsing is
//! kept apart from file I/O; validation runs after deserializing.

pub mod packet;

use crate::diag::Diagnostic;
pub use packet::PacketConfig;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub project: Project,
    pub text: TextSettings,
    pub pdf: PdfSettings,
    pub epub: EpubSettings,
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
}

impl Default for Project {
    fn default() -> Self {
        Project {
            organisation: None,
            lang: "en".to_string(),
            base_url: None,
            paper: None,
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

/// `[pdf]`: the PDF briefing edition.
#[derive(Debug, Clone, Default, Deserialize)]
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

impl Config {
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
        if !crate::source::is_language_tag(&self.project.lang) {
            return Err(Diagnostic::error(format!(
                "project.lang {} is not a language tag",
                crate::diag::quote(&self.project.lang)
            ))
            .in_file(file)
            .with_hint("use a BCP 47 tag such as \"en\", \"ko\" or \"pt-BR\""));
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}
