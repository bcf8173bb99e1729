//! Printing diagnostics for people and for scripts.
//!
//! Human form: the one-line header every tool and test greps for,
//! `error: content/foo.md:3:8: message`, then (when the file and line are
//! known) the source line with a caret under the column, rendered by
//! `annotate-snippets` (the renderer rustc uses), then `  hint: …`. Colour
//! only on a terminal; `NO_COLOR` turns it off, `CLICOLOR_FORCE=1` on.
//! JSON form (`--message-format json`): one object per line, like cargo's
//! `compiler-message`, with the human rendering in `rendered`.
//!
//! Everything quoted from a file or a value is escaped (`escaped`), so a
//! hostile source line or file name cannot forge a second diagnostic.

use super::{Diagnostic, Severity, escaped};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use std::io::{IsTerminal, Read};
use std::path::Path;

/// Source files larger than this are not quoted (a diagnostic is still
/// printed, without its line).
const MAX_QUOTED_FILE: u64 = 8 * 1024 * 1024;
/// Characters of a long source line shown either side of the caret.
const LINE_WINDOW: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

/// How `main` prints diagnostics.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pub format: Format,
    pub colour: bool,
}

impl Printer {
    /// Colour when stderr is a terminal; `NO_COLOR` (any value) turns it
    /// off, `CLICOLOR_FORCE` (other than `0`) turns it on in a pipe.
    pub fn new(format: Format) -> Printer {
        Printer {
            format,
            colour: colour_wanted(
                std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
                std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0"),
                std::io::stderr().is_terminal()
                    && std::env::var_os("TERM").is_none_or(|t| t != "dumb"),
            ),
        }
    }

    /// Prints one diagnostic: human form on stderr, JSON on stdout.
    pub fn print(&self, d: &Diagnostic) {
        match self.format {
            Format::Human => eprintln!("{}", self.human(d)),
            Format::Json => println!("{}", json(d, &human(d, false))),
        }
    }

    /// A line that is not a diagnostic (a summary): stderr for people, a
    /// `{"reason": …}` object on stdout for scripts.
    pub fn summary(&self, reason: &str, line: &str, fields: serde_json::Value) {
        match self.format {
            Format::Human => eprintln!("{line}"),
            Format::Json => {
                let mut object = serde_json::json!({ "reason": reason, "message": line });
                if let (Some(o), serde_json::Value::Object(extra)) =
                    (object.as_object_mut(), fields)
                {
                    o.extend(extra);
                }
                println!("{object}");
            }
        }
    }

    pub fn human(&self, d: &Diagnostic) -> String {
        human(d, self.colour)
    }
}

/// `NO_COLOR` wins over `CLICOLOR_FORCE`, which wins over the terminal test.
pub fn colour_wanted(no_colour: bool, force: bool, terminal: bool) -> bool {
    !no_colour && (force || terminal)
}

/// The human rendering of `d`, with ANSI colour or without.
pub fn human(d: &Diagnostic, colour: bool) -> String {
    let title = header(d);
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    };
    let quoted = d.file.as_deref().zip(d.line).and_then(|(file, line)| {
        let text = source_line(file, line)?;
        Some((line, quote_line(&text, d.col)))
    });
    let mut group = Group::with_title(level.primary_title(title.as_str()));
    if let Some((line, (text, span))) = &quoted {
        group = group.element(
            Snippet::source(text.as_str())
                .line_start(*line)
                .annotation(AnnotationKind::Primary.span(span.clone())),
        );
    }
    let renderer = if colour {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = renderer.render(&[group]);
    if let Some(hint) = &d.hint {
        let label = if colour {
            "\x1b[1;36mhint\x1b[0m"
        } else {
            "hint"
        };
        out.push_str(&format!("\n  {label}: {}", escaped(hint)));
    }
    out
}

/// `file:line:col: message (editions)`, escaped: the part after `error: `.
fn header(d: &Diagnostic) -> String {
    let mut s = String::new();
    if let Some(file) = &d.file {
        s.push_str(&escaped(&file.to_string_lossy()));
        if let Some(line) = d.line {
            s.push_str(&format!(":{line}"));
            if let Some(col) = d.col {
                s.push_str(&format!(":{col}"));
            }
        }
        s.push_str(": ");
    }
    s.push_str(&escaped(&d.message));
    if !d.editions.is_empty() {
        s.push_str(&format!(" ({})", d.editions.join(", ")));
    }
    s
}

/// Line `line` (1-based) of `file`, when it is a regular file (never
/// through a symlink), small enough, and that line is UTF-8.
fn source_line(file: &Path, line: usize) -> Option<String> {
    let meta = std::fs::symlink_metadata(file).ok()?;
    if !meta.is_file() || meta.len() > MAX_QUOTED_FILE {
        return None;
    }
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .ok()?
        .take(MAX_QUOTED_FILE)
        .read_to_end(&mut bytes)
        .ok()?;
    let raw = bytes.split(|&b| b == b'\n').nth(line.checked_sub(1)?)?;
    let text = std::str::from_utf8(raw).ok()?;
    Some(text.strip_suffix('\r').unwrap_or(text).to_string())
}

/// The source line as shown (escaped, cut to a window around the column
/// when long) and the byte span of the caret in it.
fn quote_line(text: &str, col: Option<usize>) -> (String, std::ops::Range<usize>) {
    let chars: Vec<char> = text.chars().collect();
    let at = col.map_or(0, |c| c.saturating_sub(1)).min(chars.len());
    let (from, to) = if chars.len() > 2 * LINE_WINDOW {
        (
            at.saturating_sub(LINE_WINDOW),
            (at + LINE_WINDOW).min(chars.len()),
        )
    } else {
        (0, chars.len())
    };
    let mut shown = String::new();
    if from > 0 {
        shown.push('…');
    }
    let mut span = None;
    for (i, c) in chars.iter().enumerate().take(to).skip(from) {
        let start = shown.len();
        shown.push_str(&escaped(&c.to_string()));
        if i == at {
            span = Some(start..shown.len());
        }
    }
    if to < chars.len() {
        shown.push('…');
    }
    // A caret past the end (a missing value at the end of the line) sits
    // just after the last character; no column: the whole line.
    let span = match (col, span) {
        (None, _) => 0..shown.len(),
        (Some(_), Some(s)) => s,
        (Some(_), None) => shown.len()..shown.len(),
    };
    (shown, span)
}

/// One diagnostic as a JSON object (`reason: "diagnostic"`).
pub fn json(d: &Diagnostic, rendered: &str) -> String {
    let mut value = serde_json::to_value(d).unwrap_or_default();
    if let Some(o) = value.as_object_mut() {
        o.insert("reason".into(), "diagnostic".into());
        o.insert("rendered".into(), rendered.into());
    }
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_no_color_then_clicolor_force_then_the_terminal() {
        assert!(!colour_wanted(true, true, true));
        assert!(colour_wanted(false, true, false));
        assert!(colour_wanted(false, false, true));
        assert!(!colour_wanted(false, false, false));
    }

    #[test]
    fn a_long_line_is_cut_around_the_caret_and_control_characters_escaped() {
        let line = format!("{}\u{202e}x: y{}", "a".repeat(500), "b".repeat(500));
        let (shown, span) = quote_line(&line, Some(502));
        assert!(shown.chars().count() < 140, "{shown}");
        assert!(shown.contains("\\u{202e}x"));
        assert_eq!(&shown[span], "x");
    }
}
