//! What makes a packet an official paper, as `[project]` writes it: the
//! order of protective markings (`markings = ["Public", "For official
//! use", "Confidential"]`), the colour markings are printed in, the
//! letterhead's logo and the letter's signatory (`[project.signatory]`).
//! Checked here without touching the disk; the files (logo, signature
//! image) are found inside the project when a packet is resolved.

use crate::diag::{Diagnostic, quote};
use serde::Deserialize;
use std::path::Path;

/// The default colour of markings: a dark red that prints as a dark grey.
pub const MARKING_COLOUR: &str = "#9b1c1c";

/// `[project.signatory]`: who signs the cover letters.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Signatory {
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    /// A PNG, JPEG or SVG of the signature, relative to the project.
    #[serde(default)]
    pub image: Option<String>,
}

/// Checks the `[project]` keys of this module.
pub fn validate(project: &super::Project, file: &Path) -> Result<(), Diagnostic> {
    let fail = |m: String| Diagnostic::error(m).in_file(file);
    let mut seen = std::collections::BTreeSet::new();
    for m in &project.markings {
        let key = m.trim().to_lowercase();
        if key.is_empty() || m.chars().any(char::is_control) {
            return Err(fail(format!(
                "project.markings: {} is not a marking",
                quote(m)
            )));
        }
        if !seen.insert(key) {
            return Err(fail(format!("project.markings lists {} twice", quote(m)))
                .with_hint("list each marking once, lowest first"));
        }
    }
    if let Some(colour) = &project.marking_colour {
        if !is_hex_colour(colour) {
            return Err(fail(format!(
                "project.marking_colour {} is not a colour",
                quote(colour)
            ))
            .with_hint("write it as \"#rrggbb\", e.g. \"#9b1c1c\""));
        }
    }
    let files = [
        ("project.logo", project.logo.as_deref()),
        (
            "project.signatory.image",
            project.signatory.as_ref().and_then(|s| s.image.as_deref()),
        ),
    ];
    for (key, path) in files {
        if let Some(path) = path {
            if !super::packet::is_inside_relative(path) {
                return Err(
                    fail(format!("{key} {} is outside the project", quote(path)))
                        .with_hint("name a file inside the project folder, relative to brief.toml"),
                );
            }
        }
    }
    if let Some(s) = &project.signatory {
        if s.name.trim().is_empty() {
            return Err(fail("project.signatory.name is empty".to_string()));
        }
    }
    Ok(())
}

fn is_hex_colour(s: &str) -> bool {
    let s = s.trim();
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// The rank of a marking in `order` (lowest first), compared without case.
pub fn rank(order: &[String], marking: &str) -> Option<usize> {
    let m = marking.trim().to_lowercase();
    order.iter().position(|o| o.trim().to_lowercase() == m)
}
