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
//!    An output whose cache key is unchanged is reused, not rendered
//!    (`cache`);
//! 6. remove the outputs of the last build that no longer build
//!    (`cache::folder`), then write `manifest.json` (`output::manifest`),
//!    listing every file of the output folder, last; then report every
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

pub mod cache;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diag;
pub mod files;
pub mod ir;
pub mod jobs;
pub mod output;
pub mod packet;
pub mod progress;
pub mod read;
pub mod send;
pub mod shard;
pub mod sign;
pub mod version;
pub mod write;

use diag::Diagnostic;
use ir::Post;
use ir::redact::Mode;
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
    /// `--redact`: every output hides the posts' `[[redact: …]]` text.
    pub redact: bool,
    /// Where the build cache is kept, or none (`--no-cache`).
    pub cache: cache::Setting,
    /// Told of each job as it ends (the terminal's progress bar).
    pub progress: progress::Hook,
    /// Render only this share of the outputs (`--shard K/N`).
    pub shard: Option<shard::Shard>,
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
    /// The files rendered in this build (not reused from the cache), with
    /// how long each took; sorted.
    pub rendered: Vec<(PathBuf, Duration)>,
    /// Outputs whose cache key was unchanged: not rendered again.
    pub reused: usize,
    /// Outputs of the last build removed as stale (see `cache::folder`).
    pub removed: Vec<PathBuf>,
    pub elapsed: Duration,
    /// The share this build rendered, when it was one shard of several.
    pub shard: Option<shard::Shard>,
}

impl BuildReport {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == diag::Severity::Warning)
            .count()
    }
}

/// Reads every post once and writes every requested edition. Runs on the
/// current rayon pool (the caller sizes it).
pub fn build(request: &BuildRequest, ctx: &Context) -> BuildReport {
    let started = Instant::now();
    let mut report = BuildReport {
        shard: request.shard,
        ..BuildReport::default()
    };
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
    // Redaction is resolved here, before anything renders or keys an
    // output: writers and the cache see the posts shown or hidden, never
    // their markers (`ir::redact`).
    let (posts, hidden) = redaction(posts, request.redact, ctx);

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
    diagnostics.extend(resolved.warnings);
    let mut packets = resolved.packets;
    let run = if request.redact {
        Mode::Hide
    } else {
        Mode::Reveal
    };
    for name in packet::redact(&mut packets, &posts, &hidden, run) {
        report.packets_failed += 1;
        diagnostics.push(diag::Diagnostic::error(format!(
            "packet {}: its briefs could not be redacted; it is not built",
            diag::quote(&name)
        )));
    }
    // A brief's own book names the packets it is in (its collections).
    let ctx = &ctx.with_collections(&packets);

    let store = cache::Cache::for_setting(&request.cache, &request.out_dir);
    let messages = request.editions.contains(&Edition::Email) && ctx.config.email.from.is_some();
    let mut jobs = jobs::plan(&posts, &packets, &request.editions);
    if let Some(shard) = request.shard {
        jobs = jobs::shard_share(jobs, shard, messages, &request.out_dir, ctx);
    }
    cache::key::remember_tool(&store);
    let keys = cache::Keys::new(&jobs, ctx, store.is_enabled());
    request.progress.planned(&jobs::owners(&jobs));
    let mut outcomes = jobs::run(
        &jobs,
        &request.out_dir,
        ctx,
        &store,
        &keys,
        &request.progress,
    );
    if messages {
        let (messages, warnings) = jobs::write_messages(
            &outcomes,
            &request.out_dir,
            ctx,
            &store,
            &keys,
            request.shard,
        );
        outcomes.extend(messages);
        diagnostics.extend(warnings);
    }

    let mut failed_posts = std::collections::BTreeSet::new();
    let mut failed_packets = std::collections::BTreeSet::new();
    let mut written = Vec::new();
    for outcome in outcomes {
        match outcome.produced {
            cache::Produced::Rendered(took) => {
                if let Ok((file, _)) = &outcome.result {
                    report.rendered.push((file.path.clone(), took));
                }
            }
            cache::Produced::Reused => report.reused += 1,
        }
        match outcome.result {
            Ok((file, warnings)) => {
                report.files_written += 1;
                written.push(listed(
                    file,
                    outcome.owner,
                    outcome.edition,
                    &request.out_dir,
                    ctx,
                ));
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

    report.rendered.sort();

    // The output folder becomes exactly this build's result.
    let failed = Failed {
        discovered: &paths,
        read: posts.iter().chain(&drafts),
        posts: &failed_posts,
        packets: &failed_packets,
    };
    let (settled, carried) = settle_output(request, ctx, &posts, &packets, failed, written);
    diagnostics.extend(settled.diagnostics.iter().cloned());
    report.removed = settled
        .removed
        .iter()
        .map(|r| request.out_dir.join(r))
        .collect();
    // The default cache keeps only what the last full build used.
    let everything =
        request.paths.is_empty() && Edition::ALL.iter().all(|e| request.editions.contains(e));
    if everything && request.cache == cache::Setting::InOutput {
        if let Err(e) = store.prune_unused() {
            diagnostics.push(e);
        }
    }

    let manifest_path = request.out_dir.join(output::manifest::FILE_NAME);
    let bytes = output::manifest::render(
        &posts,
        &packets,
        &carried,
        &settled.files,
        request.shard,
        ctx,
    );
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

/// The posts as this build shows them, and (when some packet or recipient
/// redacts in a build that does not) the same posts hidden, in the same
/// order.
fn redaction(posts: Vec<Post>, hide_all: bool, ctx: &Context) -> (Vec<Post>, Vec<Post>) {
    use rayon::prelude::*;
    let run = if hide_all { Mode::Hide } else { Mode::Reveal };
    let some_packet_hides = !hide_all
        && ctx
            .config
            .packets
            .iter()
            .any(|p| p.redact || p.recipient_records.iter().any(|r| r.redact));
    let hidden = if some_packet_hides {
        posts
            .par_iter()
            .map(|p| ir::redact::apply(p, Mode::Hide))
            .collect()
    } else {
        Vec::new()
    };
    let shown = posts
        .into_par_iter()
        .map(|p| ir::redact::resolve(p, run))
        .collect();
    (shown, hidden)
}

/// A written output as the manifest lists it: where, what, and whose.
fn listed(
    file: output::manifest::WrittenFile,
    owner: jobs::Owner,
    edition: Edition,
    out: &std::path::Path,
    ctx: &Context,
) -> output::manifest::Listed {
    let rel = file.path.strip_prefix(out).unwrap_or(&file.path);
    let (source, packet) = match owner {
        jobs::Owner::Post(post) => (Some(ctx.resources.project_relative(&post.source)), None),
        jobs::Owner::Packet(packet) => (None, Some(packet.name.clone())),
    };
    let signed = ctx
        .signer_for(edition, packet.is_some())
        .map(|s| output::manifest::Signed {
            signer: s.subject.clone(),
            certificate_sha256: s.fingerprint.clone(),
        });
    output::manifest::Listed {
        path: rel.to_string_lossy().replace('\\', "/"),
        sha256: file.sha256,
        bytes: file.bytes as u64,
        edition: Some(edition.name().to_string()),
        source,
        packet,
        signed,
    }
}

/// What failed in a build, for [`settle_output`]: the posts found, those
/// read, and the posts and packets with a failed output.
struct Failed<'a, I> {
    discovered: &'a [PathBuf],
    read: I,
    posts: &'a std::collections::BTreeSet<PathBuf>,
    packets: &'a std::collections::BTreeSet<String>,
}

/// Removes the last build's stale outputs (`cache::folder`) and returns the
/// settled folder with the manifest records carried over from the last
/// build (posts and packets whose outputs were kept).
fn settle_output<'p>(
    request: &BuildRequest,
    ctx: &Context,
    posts: &[Post],
    packets: &[packet::Packet],
    failed: Failed<'_, impl Iterator<Item = &'p Post>>,
    written: Vec<output::manifest::Listed>,
) -> (cache::folder::Settled, output::manifest::Previous) {
    let relative = |p: &std::path::Path| ctx.resources.project_relative(p);
    let read: std::collections::BTreeSet<String> =
        failed.read.map(|p| relative(&p.source)).collect();
    // A post that could not be read, or whose output failed, keeps its last
    // good outputs; so does a packet that could not be built this time.
    let mut owners = cache::folder::Failed::default();
    owners.sources = failed
        .discovered
        .iter()
        .map(|p| relative(p))
        .filter(|p| !read.contains(p))
        .chain(failed.posts.iter().map(|p| relative(p)))
        .collect();
    owners.packets = ctx
        .config
        .packets
        .iter()
        .map(|p| p.name().to_string())
        .filter(|n| {
            !packets
                .iter()
                .any(|p| &p.name == n && !failed.packets.contains(n))
        })
        .collect();
    let scope = cache::folder::Scope {
        editions: &request.editions,
        sources: (!request.paths.is_empty())
            .then(|| request.paths.iter().map(|p| relative(p)).collect()),
    };
    let previous = output::manifest::read_previous(&request.out_dir);
    let settled = cache::folder::settle(&request.out_dir, &previous, written, &scope, &owners);
    let recorded = posts
        .iter()
        .map(|p| relative(&p.source))
        .chain(packets.iter().map(|p| format!("packet {}", p.name)))
        .collect();
    let carried = cache::folder::carried(previous, &settled, &recorded);
    (settled, carried)
}
