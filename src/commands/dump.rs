//! `brief dump-ir` and `brief dump-typst`: a post's IR as JSON, and the
//! Typst sources of its PDF, for debugging, tests and template authors.

use super::{context, load_config};
use crate::diag::Diagnostic;
use std::path::Path;

/// A post's IR as pretty JSON, with the warnings reading it gave; `Ok(Err)`
/// when the post cannot be read (exit 1, the diagnostic says why).
pub fn ir(file: &Path) -> Result<Result<(String, Vec<Diagnostic>), Diagnostic>, Diagnostic> {
    let config = load_config()?;
    let read = match crate::read::read_post(file, &config.project.lang) {
        Ok(read) => read,
        Err(d) => return Ok(Err(d)),
    };
    let json = serde_json::to_string_pretty(&read.post)
        .map_err(|e| Diagnostic::error(format!("cannot print the IR: {e}")))?;
    Ok(Ok((json, read.warnings)))
}

/// Writes `main.typ`, `post.json` and `templates/brief.typ` into `dir`;
/// `Ok(Err)` when the post cannot be read.
pub fn typst(file: &Path, dir: &Path) -> Result<Result<(), Diagnostic>, Diagnostic> {
    let config = load_config()?;
    let read = match crate::read::read_post(file, &config.project.lang) {
        Ok(read) => read,
        Err(d) => return Ok(Err(d)),
    };
    let ctx = context(config);
    let post = crate::ir::redact::apply(&read.post, crate::ir::redact::Mode::Reveal);
    let sources = crate::write::pdf::typst_sources(&post, &ctx)?;
    for (name, bytes) in sources {
        crate::output::write_atomic(&dir.join(name), &bytes)?;
    }
    Ok(Ok(()))
}
