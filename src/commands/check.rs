//! `brief check`: every check `brief build` runs, writing nothing: the
//! posts (read and parsed, slugs settled), `brief.toml` (already parsed
//! strictly, e-mail settings included, by `load_config`), every packet
//! resolved against the posts (slugs, drafts, tags, cover letters), and the
//! templates, rendered in memory against the first post (brief.typ and
//! epub.css) and the first packet (packet.typ). Exits as build would.

use super::{Status, context, load_config, plural};
use crate::cli::CheckArgs;
use crate::diag::Diagnostic;
use crate::write::{Edition, Job};

/// What a check found.
#[derive(Debug)]
pub struct CheckReport {
    pub diagnostics: Vec<Diagnostic>,
    pub checked: usize,
    pub readable: usize,
    pub failed: usize,
    pub packets: usize,
    pub packets_failed: usize,
    /// A packet `brief.toml` gets wrong in a way no content fixes: build
    /// would refuse to start (exit 2).
    pub config_error: bool,
}

pub fn run(args: CheckArgs) -> Result<CheckReport, Diagnostic> {
    let config = load_config()?;
    // The signing key as a build would load it: a missing key, variable
    // or wrong password is found before a build.
    let signer = super::signing::load(&config, std::path::Path::new("."), &|name| {
        std::env::var(name).ok()
    })?;
    let (content, paths) = super::build::posts_named(args.content, args.paths)?;
    let whole_folder = paths.is_empty();
    let paths = if whole_folder {
        crate::read::discover(&content)?
    } else {
        paths
    };
    let (posts, mut diagnostics, mut failed) = crate::read::read_all(&paths, &config.project.lang);
    let readable = posts.len();
    let (posts, drafts): (Vec<_>, Vec<_>) = posts.into_iter().partition(|p| !p.meta.draft);
    let (posts, collisions) = crate::read::slugs::settle(posts);
    // The writers' checks below run on posts as an unredacted build shows
    // them (a redacted build differs only by bars).
    let posts: Vec<crate::ir::Post> = posts
        .into_iter()
        .map(|p| crate::ir::redact::resolve(p, crate::ir::redact::Mode::Reveal))
        .collect();
    failed += collisions.iter().filter(|d| d.is_error()).count();
    diagnostics.extend(collisions);
    let mut ctx = context(config);
    ctx.signer = signer;
    let mut report = CheckReport {
        diagnostics: Vec::new(),
        checked: paths.len(),
        readable,
        failed,
        packets: 0,
        packets_failed: 0,
        config_error: false,
    };
    let resolved = if whole_folder {
        crate::packet::resolve(&posts, &drafts, failed > 0, &ctx.config, &ctx.project_root)
    } else {
        crate::packet::Resolved::default()
    };
    report.config_error = !resolved.config_errors.is_empty();
    report.packets = resolved.packets.len() + resolved.skipped.len();
    report.packets_failed = resolved.skipped.len();
    diagnostics.extend(resolved.config_errors);
    diagnostics.extend(resolved.skipped);
    diagnostics.extend(template_errors(&posts, &resolved.packets, &ctx));
    let mut diagnostics = crate::diag::merge_subjects(crate::diag::merge_editions(diagnostics));
    diagnostics.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
    report.diagnostics = diagnostics;
    Ok(report)
}

/// The templates compiled as a build would, in memory: the first post's
/// PDF and EPUB, the first packet's PDF. Only errors are kept (a post's
/// own warnings were reported by reading it, or come with `build`).
fn template_errors(
    posts: &[crate::ir::Post],
    packets: &[crate::packet::Packet],
    ctx: &crate::write::Context,
) -> Vec<Diagnostic> {
    let mut jobs: Vec<Job> = Vec::new();
    if let Some(first) = posts.iter().min_by(|a, b| a.source.cmp(&b.source)) {
        jobs.push(Job::Post(first, Edition::Pdf));
        jobs.push(Job::Post(first, Edition::Epub));
    }
    if let Some(packet) = packets.first() {
        jobs.push(Job::PacketPdf(packet, crate::packet::Copy::General));
    }
    jobs.iter()
        .filter_map(|job| job.render(ctx).err())
        .filter(Diagnostic::is_error)
        .collect()
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }

    /// As build: 2 when build would refuse to start, 1 when any error.
    pub fn status(&self) -> Status {
        if self.config_error {
            Status::NothingDone
        } else {
            Status::failed_if(self.errors())
        }
    }

    pub fn summary_line(&self) -> String {
        let packets = match self.packets {
            0 => String::new(),
            n => format!("; {n} packet{}: {} failed", plural(n), self.packets_failed),
        };
        format!(
            "{} post{} checked: {} readable, {} failed{packets}; {} warning{}, {} error{}",
            self.checked,
            plural(self.checked),
            self.readable,
            self.failed,
            self.warnings(),
            plural(self.warnings()),
            self.errors(),
            plural(self.errors()),
        )
    }
}
