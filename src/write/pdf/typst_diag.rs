//! Typst's diagnostics as brief's: the file and line a Typst error or
//! warning points at (the post's source or `brief.toml` when it lies in
//! the data or the template, which users never wrote), its hints, and
//! its severity.

use super::world::{self, BriefWorld};
use crate::diag::{Diagnostic, Severity};
use std::path::{Path, PathBuf};
use typst::World;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};

/// The first error of a failed compile of the document made from `subject`
/// (a post's source, or `brief.toml` for a packet).
pub fn first_error_in(
    errors: &[SourceDiagnostic],
    world: &BriefWorld,
    subject: &Path,
) -> Diagnostic {
    let mut d = errors
        .iter()
        .find(|e| e.severity == TypstSeverity::Error)
        .or(errors.first())
        .map(|e| to_diagnostic_in(e, world, subject))
        .unwrap_or_else(|| Diagnostic::error("the PDF could not be typeset").in_file(subject));
    d.severity = Severity::Error;
    // The other errors, located, in the hint (a broken template gives
    // several; the first alone hides what to fix next).
    let others: Vec<String> = errors
        .iter()
        .filter(|e| e.severity == TypstSeverity::Error)
        .map(|e| to_diagnostic_in(e, world, subject))
        .filter(|o| (&o.file, o.line, o.col, &o.message) != (&d.file, d.line, d.col, &d.message))
        .map(|o| {
            let at = match (&o.file, o.line, o.col) {
                (Some(f), Some(l), Some(c)) => format!("{}:{l}:{c}: ", f.display()),
                (Some(f), Some(l), None) => format!("{}:{l}: ", f.display()),
                _ => String::new(),
            };
            let message = o
                .message
                .rsplit_once(" (while typesetting ")
                .map_or(o.message.as_str(), |(m, _)| m);
            format!("{at}{message}")
        })
        .collect();
    if !others.is_empty() {
        const SHOWN: usize = 5;
        let mut also = others
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ");
        if others.len() > SHOWN {
            also.push_str(&format!("; and {} more", others.len() - SHOWN));
        }
        let also = format!(
            "{} more error{}: {also}",
            others.len(),
            if others.len() == 1 { "" } else { "s" }
        );
        d.hint = Some(match d.hint.take() {
            Some(h) => format!("{h}; {also}"),
            None => also,
        });
    }
    d
}

/// A Typst diagnostic as ours: an error located in a template names the
/// template file, line and column (and the post in the message); anything
/// else names the post.
pub fn to_diagnostic_in(diag: &SourceDiagnostic, world: &BriefWorld, subject: &Path) -> Diagnostic {
    let severity = match diag.severity {
        TypstSeverity::Error => Severity::Error,
        TypstSeverity::Warning => Severity::Warning,
    };
    let mut message = diag.message.to_string();
    let mut located = None;
    // Prefer the diagnostic's own span; else the innermost traced call in a
    // template file.
    let spans = std::iter::once(diag.span).chain(diag.trace.iter().rev().map(|t| t.span.into()));
    for span in spans {
        let Some(id) = span.id() else { continue };
        let vpath = id.vpath().get_with_slash();
        if !vpath.starts_with(world::TEMPLATES) {
            continue;
        }
        // The project's own template by its path in the project
        // (`templates/brief.typ`, as the user knows it), never the
        // absolute path of the build machine.
        let file = match world.real_path(id) {
            Some(_) => PathBuf::from(vpath.trim_start_matches('/')),
            None => PathBuf::from(format!("{} (built-in)", vpath.trim_start_matches('/'))),
        };
        let position = typst::WorldExt::range(world, span).and_then(|range| {
            let source = world.source(id).ok()?;
            source.lines().byte_to_line_column(range.start)
        });
        located = Some((file, position));
        break;
    }
    let hints: Vec<String> = diag.hints.iter().map(|h| h.v.to_string()).collect();
    let d = match located {
        Some((file, position)) => {
            message = format!("{message} (while typesetting {})", subject.display());
            let mut d = Diagnostic::error(message).in_file(file);
            if let Some((line, col)) = position {
                d = d.at(line + 1, Some(col + 1));
            }
            d
        }
        None => Diagnostic::error(format!("PDF: {message}")).in_file(subject),
    };
    let mut d = if hints.is_empty() {
        d
    } else {
        d.with_hint(hints.join("; "))
    };
    d.severity = severity;
    d
}
