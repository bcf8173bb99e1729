//! `brief summary SLUG…`: the summaries of the named posts, as a summary
//! e-mail and a packet digest would print them (`write::shared::summary`),
//! for review before anything is sent. Nothing is written.

use super::{Status, load_config};
use crate::diag::{Diagnostic, did_you_mean, quote};
use std::path::Path;

/// What `brief summary` prints, and the diagnostics met on the way.
pub struct SummaryReport {
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    pub status: Status,
}

/// The summaries of the posts in `content` whose slugs are `slugs`, in
/// that order, at the configured width and word budget.
pub fn run(content: &Path, slugs: &[String]) -> Result<SummaryReport, Diagnostic> {
    let config = load_config()?;
    if slugs.is_empty() {
        return Err(Diagnostic::error("name the posts to summarise")
            .with_hint("brief summary SLUG… (a post's slug is its output file name)"));
    }
    let files = crate::read::discover(content)?;
    // The summary edition's own rule, so what is reviewed here is what
    // `summary/<slug>.txt` and summary messages hold.
    let ctx = super::context(config);
    let (posts, mut diagnostics, _) = crate::read::read_all(&files, &ctx.config.project.lang);
    let posts: Vec<crate::ir::Post> = posts
        .into_iter()
        .map(|p| crate::ir::redact::resolve(p, crate::ir::redact::Mode::Reveal))
        .collect();
    let known: Vec<&str> = posts.iter().map(|p| p.meta.slug.as_str()).collect();
    let mut text = String::new();
    let mut missing = 0;
    for slug in slugs {
        let Some(post) = posts.iter().find(|p| &p.meta.slug == slug) else {
            missing += 1;
            let mut d =
                Diagnostic::error(format!("no post has the slug {}", quote(slug))).in_file(content);
            if let Some(hint) = did_you_mean(slug, &known) {
                d = d.with_hint(hint);
            }
            diagnostics.push(d);
            continue;
        };
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&crate::write::email::summary::text(post, &ctx));
    }
    Ok(SummaryReport {
        text,
        diagnostics,
        status: Status::failed_if(missing),
    })
}
