//! Diagnostics: what went wrong or looks wrong, where, and how to fix it.
//!
//! Every error and warning the library produces is a [`Diagnostic`]; only
//! `main` prints them ([`render`]: the source line with a caret, colour,
//! JSON). `Display` is the plain form, one line per diagnostic,
//! `error: content/foo.md:3:8: message`, plus an optional `hint:` line.

pub mod render;

use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// What the build inferred or chose, for the author to confirm (never
    /// a problem: it does not count as a warning).
    Note,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: Option<PathBuf>,
    /// 1-based line and column, when known.
    pub line: Option<usize>,
    pub col: Option<usize>,
    pub message: String,
    pub hint: Option<String>,
    /// The editions the diagnostic is about, when it is about some of them
    /// (the build fills it in for what a writer reports), printed after
    /// the message. One cause reported by several editions is merged into
    /// one diagnostic naming them all ([`merge_editions`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub editions: Vec<&'static str>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message)
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message)
    }

    pub fn note(message: impl Into<String>) -> Self {
        Self::new(Severity::Note, message)
    }

    fn new(severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            file: None,
            line: None,
            col: None,
            message: message.into(),
            hint: None,
            editions: Vec::new(),
        }
    }

    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    pub fn at(mut self, line: usize, col: Option<usize>) -> Self {
        self.line = Some(line);
        self.col = col;
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        write!(f, "{label}: ")?;
        if let Some(file) = &self.file {
            write!(f, "{}", escaped(&file.to_string_lossy()))?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(col) = self.col {
                    write!(f, ":{col}")?;
                }
            }
            write!(f, ": ")?;
        }
        // A message must stay on one line: a hostile value quoted in it
        // cannot forge a second diagnostic.
        write!(f, "{}", escaped(&self.message))?;
        if !self.editions.is_empty() {
            write!(f, " ({})", self.editions.join(", "))?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {}", escaped(hint))?;
        }
        Ok(())
    }
}

/// One diagnostic per cause: diagnostics equal but for the edition that
/// reported them become one naming every edition (PDF, EPUB, e-mail text,
/// in that order); exact repeats go. Keeps the first one's place.
pub fn merge_editions(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut merged: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len());
    let mut index: std::collections::HashMap<
        (
            Severity,
            Option<PathBuf>,
            Option<usize>,
            Option<usize>,
            String,
            Option<String>,
        ),
        usize,
    > = std::collections::HashMap::new();
    for d in diagnostics {
        let key = (
            d.severity,
            d.file.clone(),
            d.line,
            d.col,
            d.message.clone(),
            d.hint.clone(),
        );
        match index.get(&key) {
            Some(&i) => {
                for e in d.editions {
                    if !merged[i].editions.contains(&e) {
                        merged[i].editions.push(e);
                    }
                }
            }
            None => {
                index.insert(key, merged.len());
                merged.push(d);
            }
        }
    }
    // Editions in reading order of the build's summary, whatever finished
    // first.
    const ORDER: [&str; 3] = ["PDF", "EPUB", "e-mail text"];
    for d in &mut merged {
        d.editions
            .sort_by_key(|e| ORDER.iter().position(|o| o == e).unwrap_or(ORDER.len()));
    }
    merged
}

/// One diagnostic per template error: the same error of a template
/// (same file, place and message) reported while typesetting many posts
/// becomes one naming the first few posts and how many others, instead
/// of one per output. Keeps the first one's place.
pub fn merge_subjects(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    const MARK: &str = " (while typesetting ";
    let mut merged: Vec<(Diagnostic, Vec<String>)> = Vec::with_capacity(diagnostics.len());
    let mut index: std::collections::HashMap<
        (
            Severity,
            Option<PathBuf>,
            Option<usize>,
            Option<usize>,
            String,
        ),
        usize,
    > = std::collections::HashMap::new();
    for d in diagnostics {
        let split = d
            .message
            .rsplit_once(MARK)
            .filter(|(_, rest)| rest.ends_with(')'))
            .map(|(m, rest)| (m.to_string(), rest.trim_end_matches(')').to_string()));
        let Some((message, subject)) = split else {
            merged.push((d, Vec::new()));
            continue;
        };
        let key = (d.severity, d.file.clone(), d.line, d.col, message);
        match index.get(&key) {
            Some(&i) => merged[i].1.push(subject),
            None => {
                index.insert(key, merged.len());
                merged.push((d, vec![subject]));
            }
        }
    }
    merged
        .into_iter()
        .map(|(mut d, subjects)| {
            if subjects.len() > 1 {
                const NAMED: usize = 3;
                let base = d
                    .message
                    .rsplit_once(MARK)
                    .map_or(String::new(), |(m, _)| m.to_string());
                let named = subjects
                    .iter()
                    .take(NAMED)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                let rest = match subjects.len().saturating_sub(NAMED) {
                    0 => String::new(),
                    n => format!(" and {n} more"),
                };
                d.message = format!("{base}{MARK}{named}{rest})");
            }
            d
        })
        .collect()
}

/// `s` with control characters and the invisible bidirectional controls
/// written as escapes (`\n`, `\u{202e}`): a file name or value with a line
/// break cannot forge a second diagnostic line, and one with a right-to-left
/// override cannot make a line read differently from what it says.
pub fn escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// The characters that reorder text without showing (Unicode bidi
/// embeddings, overrides, isolates and marks).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Replaces line breaks and other control characters so a diagnostic
/// always renders as the lines we intend.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Shortens a value quoted in a message (a 20,000-character URL must not
/// flood the terminal).
pub fn quote(s: &str) -> String {
    const MAX: usize = 80;
    let clean = one_line(s);
    if clean.chars().count() <= MAX {
        format!("\"{clean}\"")
    } else {
        let head: String = clean.chars().take(MAX).collect();
        format!("\"{head}…\"")
    }
}

/// "did you mean X?" for the known name nearest to `given`, when near
/// (edition names, front-matter keys, template names).
pub fn did_you_mean(given: &str, known: &[&str]) -> Option<String> {
    // Edits (a transposition counts as one) within a third of the word:
    // `pfd` → `pdf`, `titel` → `title`, `dat` → `date`, not `zzz` → `pdf`.
    let given = given.trim().to_lowercase();
    known
        .iter()
        .map(|k| (strsim::osa_distance(&given, k), *k))
        .filter(|(edits, k)| *edits > 0 && *edits <= (k.chars().count() / 3).max(1))
        .min_by_key(|(edits, _)| *edits)
        .map(|(_, k)| format!("did you mean {}?", quote(k)))
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_cause_in_several_editions_is_one_diagnostic() {
        let d = |e: &'static str| {
            let mut d =
                Diagnostic::warning("image \"x.png\" not embedded: the file does not exist")
                    .in_file("a.md")
                    .at(3, None);
            d.editions = vec![e];
            d
        };
        let merged = merge_editions(vec![
            d("PDF"),
            d("EPUB"),
            d("PDF"),
            Diagnostic::error("other"),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(
            merged[0].to_string(),
            "warning: a.md:3: image \"x.png\" not embedded: the file does not exist (PDF, EPUB)"
        );
    }

    #[test]
    fn a_file_name_cannot_forge_a_diagnostic_line() {
        let d = Diagnostic::error("bad")
            .in_file("evil\nerror: fake.md:1: forged\u{202e}.md")
            .with_hint("x\ny");
        let shown = d.to_string();
        assert_eq!(shown.lines().count(), 2, "{shown}");
        assert!(
            shown.starts_with("error: evil\\nerror: fake.md:1: forged\\u{202e}.md: bad"),
            "{shown}"
        );
        assert!(shown.ends_with("hint: x\\ny"), "{shown}");
    }
}
