//! brief: Markdown briefs with front matter in; PDF, EPUB and e-mail text
//! editions out.
//!
//! The pipeline, in one screen (see [`build`]):
//! 1. find the posts (`read::discover`) or take the paths given;
//! 2. read and parse each post once, in parallel, into the IR (`ir::Post`);
//! 3. refuse posts whose slugs collide (never a silent overwrite);
//! 4. tie the `[[packet]]`s of `brief.toml` to those posts (`packet`); a
//!    packet the posts cannot satisfy (an unknown slug, a missing cover
//!    letter) fails alone; one no content could fix (a letter outside the
//!    project) stops the build before anything is written;
//! 5. plan every (post, edition) and (packet, form) [`write::Job`] and run
//!    them ([`jobs`]): pure writers render, `output` writes each result
//!    atomically; every PDF on plain threads, the rest on rayon; then the
//!    e-mail messages, which attach what was written;
//! 6. write `manifest.json` (`output::manifest`) last, then report every
//!    diagnostic, sorted, and a summary.
//!
//! A failing post or job becomes a diagnostic; it never stops the others.
//!
//! Where things live: `read/` (files → IR), `ir/` (the model), `config/`
//! (`brief.toml`), `packet` (packets resolved against the posts), `write/`
//! (one room per edition, `write/shared/` for the rules they share,
//! `write/resources.rs` for every file a writer reads), `output/` (the only
//! code that writes files), `send/` (SMTP), `commands/` (each subcommand,
//! returning a report), `diag` (diagnostics).

pub mod cli;
pub mod commands;
pub mod config;
pub mod diag;
pub mod files;
pub mod ir;
pub mod jobs;
pub mod output;
pub mod packet;
pub mod read;
pub mod progress;
pub mod send;
pub mod version;
pub mod write;

use diag::Diagnostic;
use ir::Post;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use write::{Context, Edition};

/// What `brief build` was asked to do, resolved and checked.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    pub content_dir: PathBuf,
    pub out_dir: PathBuf,
    pub editions: Vec<Edition>,
    /// Posts named on the command line; empty means every post found.
    pub paths: Vec<PathBuf>,
    pub include_drafts: bool,
    /// Told of each job as it ends (the terminal's progress bar).
    pub progress: progress::Hook,
}

/// What a build did.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub diagnostics: Vec<Diagnostic>,
    pub posts_found: usize,
    pub posts_built: usize,
    pub posts_failed: usize,
    pub drafts_skipped: usize,
    pub files_written: usize,
    pub packets_built: usize,
    pub packets_failed: usize,
    /// `brief.toml` is wrong in a way no content could fix (a cover letter
    /// leading outside the project): nothing was written. `brief` exits
    /// with status 2.
    pub config_error: bool,
    pub elapsed: Duration,
}

impl BuildReport {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Reads every post once and writes every requested edition. Runs on the
/// current rayon pool (the caller sizes it).
pub fn build(request: &BuildRequest, ctx: &Context) -> BuildReport {
    let started = Instant::now();
    let mut report = BuildReport::default();
    let paths = if request.paths.is_empty() {
        match read::discover(&request.content_dir) {
            Ok(paths) => paths,
            Err(d) => {
                report.diagnostics.push(d);
                report.posts_failed = 1;
                return report;
            }
        }
    } else {
        request.paths.clone()
    };
    report.posts_found = paths.len();

    let (posts, mut diagnostics, failed) = read::read_all(&paths, &ctx.config.project.lang);
    report.posts_failed = failed;
    let (posts, drafts): (Vec<Post>, Vec<Post>) = posts
        .into_iter()
        .partition(|p| request.include_drafts || !p.meta.draft);
    report.drafts_skipped = drafts.len();
    let (posts, collisions) = read::slugs::settle(posts);
    report.posts_failed += collisions.iter().filter(|d| d.is_error()).count();
    diagnostics.extend(collisions);

    // Packets are built with the whole content folder only: a build of a
    // few named posts has not read the briefs a packet needs.
    let resolved = if request.paths.is_empty() {
        packet::resolve(
            &posts,
            &drafts,
            report.posts_failed > 0,
            &ctx.config,
            &ctx.project_root,
        )
    } else {
        packet::Resolved::default()
    };
    if !resolved.config_errors.is_empty() {
        diagnostics.extend(resolved.config_errors);
        report.config_error = true;
        report.diagnostics = diagnostics;
        report.elapsed = started.elapsed();
        return report;
    }
    report.packets_failed = resolved.skipped.len();
    diagnostics.extend(resolved.skipped);
    let packets = resolved.packets;

    let jobs = jobs::plan(&posts, &packets, &request.editions);
    request.progress.planned(&jobs::owners(&jobs));
    let mut outcomes = jobs::run(&jobs, &request.out_dir, ctx, &request.progress);
    if request.editions.contains(&Edition::Email) && ctx.config.email.from.is_some() {
        let (messages, warnings) = jobs::write_messages(&outcomes, &request.out_dir, ctx);
        outcomes.extend(messages);
        diagnostics.extend(warnings);
    }

    let mut failed_posts = std::collections::BTreeSet::new();
    let mut failed_packets = std::collections::BTreeSet::new();
    let mut written = Vec::new();
    for outcome in outcomes {
        match outcome.result {
            Ok((file, warnings)) => {
                report.files_written += 1;
                written.push(file);
                diagnostics.extend(warnings);
            }
            Err(e) => {
                match outcome.owner {
                    jobs::Owner::Post(post) => failed_posts.insert(post.source.clone()),
                    jobs::Owner::Packet(packet) => failed_packets.insert(packet.name.clone()),
                };
                diagnostics.push(e);
            }
        }
    }
    report.posts_failed += failed_posts.len();
    report.posts_built = posts.len() - failed_posts.len();
    report.packets_failed += failed_packets.len();
    report.packets_built = packets.len() - failed_packets.len();

    let manifest_path = request.out_dir.join(output::manifest::FILE_NAME);
    let bytes = output::manifest::render(&posts, &packets, &written, &request.out_dir, ctx);
    match output::write_atomic(&manifest_path, &bytes) {
        Ok(()) => report.files_written += 1,
        Err(e) => diagnostics.push(e),
    }

    request.progress.finished();
    let mut diagnostics = diag::merge_subjects(diag::merge_editions(diagnostics));
    diagnostics.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
    report.diagnostics = diagnostics;
    report.elapsed = started.elapsed();
    report
}
