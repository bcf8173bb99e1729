//! `brief init`, `brief new` and `brief templates eject`: the files a new
//! user starts from. Their text is embedded (`starter/` and `templates/`
//! in the source tree); `output::scaffold` writes them and never
//! overwrites a file unless `--force` says so.

use crate::diag::{Diagnostic, did_you_mean, quote};
use crate::output::scaffold::{Written, write_new};
use std::path::{Path, PathBuf};

/// The project `brief init` writes: every key of brief.toml explained, an
/// example post, a cover letter, and a packet over the example.
const STARTER: &[(&str, &str)] = &[
    ("brief.toml", include_str!("../../starter/brief.toml")),
    (
        "content/example-brief.md",
        include_str!("../../starter/content/example-brief.md"),
    ),
    (
        "letters/cover.md",
        include_str!("../../starter/letters/cover.md"),
    ),
];

/// The templates `brief templates eject` can write, by name.
pub const TEMPLATES: [&str; 4] = ["brief.typ", "packet.typ", "cover.typ", "epub.css"];

/// What a scaffolding command wrote.
#[derive(Debug, Default)]
pub struct Report {
    pub written: Vec<(PathBuf, Written)>,
}

/// `brief init [DIR]`: refuses before writing anything when any of the
/// project's files is already there.
pub fn init(dir: &Path) -> Result<Report, Diagnostic> {
    if let Some((existing, _)) = STARTER
        .iter()
        .find(|(rel, _)| std::fs::symlink_metadata(dir.join(rel)).is_ok())
    {
        return Err(
            Diagnostic::error("already exists; brief init writes nothing over a project")
                .in_file(dir.join(existing))
                .with_hint("run brief init in an empty folder, or `brief init NEW-FOLDER`"),
        );
    }
    let mut report = Report::default();
    for (rel, text) in STARTER {
        let path = dir.join(rel);
        let how = write_new(&path, text.as_bytes(), false)?;
        report.written.push((path, how));
    }
    Ok(report)
}

/// `brief new "Title"`: `content/<slug>.md` dated `today` (YYYY-MM-DD).
pub fn new_post(content: &Path, title: &str, today: &str) -> Result<Report, Diagnostic> {
    let title = crate::diag::one_line(title).trim().to_string();
    if title.is_empty() {
        return Err(Diagnostic::error(
            "a post needs a title: brief new \"The Title\"",
        ));
    }
    let slug = slug_of(&title);
    let path = content.join(format!("{slug}.md"));
    let text = format!(
        "---\ntitle: {}\nslug: {slug}\ndate: {today}\n# lang: en\n# authors: [\"Your Name\"]\n# tags: []\n# summary: \"One or two sentences for the e-mail and the packet's contents.\"\n# draft: true\n---\n\n## Main argument\n\nWrite here.\n",
        serde_json::Value::String(title.clone())
    );
    let how = write_new(&path, text.as_bytes(), false)?;
    Ok(Report {
        written: vec![(path, how)],
    })
}

/// `brief templates eject [NAME…]` into `templates/`.
pub fn eject(templates: &Path, names: &[String], force: bool) -> Result<Report, Diagnostic> {
    let chosen: Vec<&str> = if names.is_empty() {
        TEMPLATES.to_vec()
    } else {
        let mut chosen = Vec::new();
        for name in names {
            let known = TEMPLATES
                .iter()
                .find(|t| **t == name.as_str())
                .ok_or_else(|| {
                    Diagnostic::error(format!("unknown template {}", quote(name))).with_hint(
                        did_you_mean(name, &TEMPLATES).unwrap_or_else(|| {
                            format!("the templates are {}", TEMPLATES.join(", "))
                        }),
                    )
                })?;
            chosen.push(*known);
        }
        chosen
    };
    if !force {
        if let Some(existing) = chosen
            .iter()
            .find(|t| std::fs::symlink_metadata(templates.join(t)).is_ok())
        {
            return Err(Diagnostic::error("already exists; nothing was overwritten")
                .in_file(templates.join(existing))
                .with_hint("pass --force to replace it with the embedded template"));
        }
    }
    let mut report = Report::default();
    for name in chosen {
        let text = crate::write::resources::default_template(name).unwrap_or_default();
        let path = templates.join(name);
        let how = write_new(&path, text.as_bytes(), force)?;
        report.written.push((path, how));
    }
    Ok(report)
}

/// A file-name slug from a title: lower case, letters and digits kept,
/// everything else one `-`.
pub fn slug_of(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    crate::ir::names::safe_slug(slug.trim_matches('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_suggestions() {
        assert_eq!(
            slug_of("The Case: Oversight, 2025!"),
            "the-case-oversight-2025"
        );
        assert_eq!(
            did_you_mean("pfd", &["pdf", "epub", "email"]).as_deref(),
            Some("did you mean \"pdf\"?")
        );
        assert_eq!(did_you_mean("zzz", &["pdf", "epub", "email"]), None);
    }
}
