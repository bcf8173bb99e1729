//! brief: Markdown briefs with front matter in; PDF, EPUB and e-mail text
//! editions out.
//!
//! The pipeline, in one screen (see [`build`]):
//! 1. find the posts (`read::discover`) or take the paths given;
//! 2. read and parse each post once, in parallel, into the IR (`ir::Post`);
//! 3. refuse posts whose slugs collide (never a silent overwrite);
//! 4. tie the `[[packet]]`s of `brief.toml` to those posts (`packet`); a
//!    packet the configuration gets wrong stops the build before anything
//!    is written;
//! 5. render every (post, edition) and (packet, form) job in parallel with
//!    pure writers (`write::*`), writing each result atomically (`output`):
//!    every PDF (briefs and packets) on plain threads, the rest on rayon;
//! 6. write `manifest.json` (`manifest`) last, then report every
//!    diagnostic, sorted, and a summary.
//!
//! A failing post or job becomes a diagnostic; it never stops the others.

pub mod cli;
pub mod commands;
pub mod config;
pub mod diag;
pub mod ir;
pub mod output;
pub mod packet;
pub mod read;
pub mod send;
pub mod write;

use diag::Diagnostic;
use ir::Post;
use output::manifest::WrittenFile;
use packet::{Copy, Packet};
use rayon::prelude::*;
use std::collections::BTreeMap;
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
    /// `brief.toml` is wrong in a way only the posts could show (a packet
    /// naming a slug no post has, a missing cover letter): nothing was
    /// written. `brief` exits with status 2.
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

    let (posts, mut diagnostics, failed) = read_posts(&paths, &ctx.config.project.lang);
    report.posts_failed = failed;
    let (posts, drafts): (Vec<Post>, Vec<Post>) = posts
        .into_iter()
        .partition(|p| request.include_drafts || !p.meta.draft);
    report.drafts_skipped = drafts.len();
    let (posts, collisions) = refuse_duplicate_slugs(posts);
    report.posts_failed += collisions.len();
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

    let mut outcomes = render_and_write(&posts, &packets, request, ctx);
    if request.editions.contains(&Edition::Email) && ctx.config.email.from.is_some() {
        let (messages, warnings) = write_messages(&outcomes, request, ctx);
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
                    Owner::Post(post) => failed_posts.insert(post.source.clone()),
                    Owner::Packet(packet) => failed_packets.insert(packet.name.clone()),
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

    diagnostics.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
    report.diagnostics = diagnostics;
    report.elapsed = started.elapsed();
    report
}

/// Reads posts in parallel. Returns the posts that parsed (in path order),
/// their warnings and the errors, and how many failed.
pub fn read_posts(paths: &[PathBuf], default_lang: &str) -> (Vec<Post>, Vec<Diagnostic>, usize) {
    let results: Vec<Result<read::Read, Diagnostic>> = paths
        .par_iter()
        .map(|p| read::read_post(p, default_lang))
        .collect();
    let mut posts = Vec::new();
    let mut diagnostics = Vec::new();
    let mut failed = 0;
    for result in results {
        match result {
            Ok(read) => {
                diagnostics.extend(read.warnings);
                posts.push(read.post);
            }
            Err(e) => {
                failed += 1;
                diagnostics.push(e);
            }
        }
    }
    (posts, diagnostics, failed)
}

/// Posts that share a slug would overwrite each other's outputs: all of
/// them are refused, each error naming the other files.
fn refuse_duplicate_slugs(posts: Vec<Post>) -> (Vec<Post>, Vec<Diagnostic>) {
    let mut by_slug: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for post in &posts {
        by_slug
            .entry(post.meta.slug.clone())
            .or_default()
            .push(post.source.clone());
    }
    let mut errors = Vec::new();
    let kept = posts
        .into_iter()
        .filter(|post| {
            let sharing = &by_slug[&post.meta.slug];
            if sharing.len() < 2 {
                return true;
            }
            let others: Vec<String> = sharing
                .iter()
                .filter(|p| **p != post.source)
                .map(|p| p.display().to_string())
                .collect();
            errors.push(
                Diagnostic::error(format!(
                    "slug {} is also the slug of {}; neither is built",
                    diag::quote(&post.meta.slug),
                    others.join(", ")
                ))
                .in_file(&post.source)
                .with_hint("give each post its own `slug:` in the front matter"),
            );
            false
        })
        .collect();
    (kept, errors)
}

/// Whose job it was: a failure counts against this post or packet.
#[derive(Clone, Copy)]
enum Owner<'p> {
    Post(&'p Post),
    Packet(&'p Packet<'p>),
}

struct Outcome<'p> {
    owner: Owner<'p>,
    /// For packets, `Email` is the digest.
    edition: Edition,
    result: Result<(WrittenFile, Vec<Diagnostic>), Diagnostic>,
}

/// A PDF to typeset: a brief, or one copy of a packet.
#[derive(Clone, Copy)]
enum PdfJob<'p> {
    Post(&'p Post),
    Packet(&'p Packet<'p>, Copy),
}

/// Every other job; these run on rayon.
#[derive(Clone, Copy)]
enum OtherJob<'p> {
    Post(&'p Post, Edition),
    PacketEpub(&'p Packet<'p>),
    PacketDigest(&'p Packet<'p>),
}

/// Runs every job and writes each output as soon as it is rendered. PDF
/// jobs run on plain OS threads (Typst uses rayon inside and must not be
/// called from a rayon task, see DESIGN.md), packets first since they take
/// longest; the other jobs run on the current rayon pool at the same time.
fn render_and_write<'p>(
    posts: &'p [Post],
    packets: &'p [Packet<'p>],
    request: &BuildRequest,
    ctx: &Context,
) -> Vec<Outcome<'p>> {
    let wants = |e: Edition| request.editions.contains(&e);
    let mut pdf_jobs: Vec<PdfJob> = Vec::new();
    let mut others: Vec<OtherJob> = Vec::new();
    for packet in packets {
        if wants(Edition::Pdf) {
            pdf_jobs.extend(
                packet
                    .copies()
                    .into_iter()
                    .map(|c| PdfJob::Packet(packet, c)),
            );
        }
        if wants(Edition::Epub) {
            others.push(OtherJob::PacketEpub(packet));
        }
        if wants(Edition::Email) {
            others.push(OtherJob::PacketDigest(packet));
        }
    }
    if wants(Edition::Pdf) {
        pdf_jobs.extend(posts.iter().map(PdfJob::Post));
    }
    others.extend(posts.iter().flat_map(|p| {
        request
            .editions
            .iter()
            .filter(|e| **e != Edition::Pdf)
            .map(move |&e| OtherJob::Post(p, e))
    }));
    let pdf_results = std::sync::Mutex::new(Vec::with_capacity(pdf_jobs.len()));
    let threads = rayon::current_num_threads();
    let mut results: Vec<Outcome<'p>> = std::thread::scope(|scope| {
        scope.spawn(|| {
            write::pdf::on_plain_threads(&pdf_jobs, threads, &|_, job| {
                let outcome = match *job {
                    PdfJob::Post(post) => Outcome {
                        owner: Owner::Post(post),
                        edition: Edition::Pdf,
                        result: finish_job(
                            &post.source,
                            write::pdf::render(post, ctx),
                            &Edition::Pdf.output_path(&request.out_dir, &post.meta.slug),
                        ),
                    },
                    PdfJob::Packet(packet, copy) => Outcome {
                        owner: Owner::Packet(packet),
                        edition: Edition::Pdf,
                        result: finish_job(
                            &packet_file(ctx),
                            write::packet::pdf::render(packet, copy, ctx),
                            &packet.pdf_path(&request.out_dir, copy),
                        ),
                    },
                };
                pdf_results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(outcome);
            });
        });
        others
            .par_iter()
            .map(|job| match *job {
                OtherJob::Post(post, edition) => Outcome {
                    owner: Owner::Post(post),
                    edition,
                    result: finish_job(
                        &post.source,
                        edition.render(post, ctx),
                        &edition.output_path(&request.out_dir, &post.meta.slug),
                    ),
                },
                OtherJob::PacketEpub(packet) => Outcome {
                    owner: Owner::Packet(packet),
                    edition: Edition::Epub,
                    result: finish_job(
                        &packet_file(ctx),
                        write::packet::epub::render(packet, ctx),
                        &packet.epub_path(&request.out_dir),
                    ),
                },
                OtherJob::PacketDigest(packet) => Outcome {
                    owner: Owner::Packet(packet),
                    edition: Edition::Email,
                    result: finish_job(
                        &packet_file(ctx),
                        write::packet::digest::render(packet, ctx),
                        &packet.digest_path(&request.out_dir),
                    ),
                },
            })
            .collect()
    });
    results.extend(pdf_results.into_inner().unwrap_or_else(|e| e.into_inner()));
    results
}

impl Owner<'_> {
    fn is(&self, other: &Owner) -> bool {
        match (self, other) {
            (Owner::Post(a), Owner::Post(b)) => std::ptr::eq(*a, *b),
            (Owner::Packet(a), Owner::Packet(b)) => std::ptr::eq(*a, *b),
            _ => false,
        }
    }
}

/// Second step, once every edition is written: the standard e-mail
/// messages — `email/<slug>.eml` for each post whose text edition was
/// written, `packets/<name>.eml` and one per recipient for each packet
/// whose digest was — with the attached editions read back from the output
/// folder. A message whose attachment failed or is missing is not written:
/// an incomplete message must never be sent. Also returns warnings (a
/// packet recipient without an address gets no message).
fn write_messages<'p>(
    outcomes: &[Outcome<'p>],
    request: &BuildRequest,
    ctx: &Context,
) -> (Vec<Outcome<'p>>, Vec<Diagnostic>) {
    use write::email::jobs::MessageJob;
    let failed = |owner: &Owner, edition: Edition| {
        outcomes
            .iter()
            .any(|o| o.owner.is(owner) && o.edition == edition && o.result.is_err())
    };
    let mut jobs: Vec<(Owner<'p>, MessageJob)> = Vec::new();
    let mut warnings = Vec::new();
    for o in outcomes
        .iter()
        .filter(|o| o.edition == Edition::Email && o.result.is_ok())
    {
        let failed_editions: Vec<Edition> = [Edition::Pdf, Edition::Epub]
            .into_iter()
            .filter(|&e| failed(&o.owner, e))
            .collect();
        match o.owner {
            Owner::Post(post) => jobs.push((
                o.owner,
                MessageJob::post(post, &request.out_dir, failed_editions, ctx),
            )),
            Owner::Packet(packet) => {
                let (packet_jobs, w) =
                    MessageJob::packet(packet, &request.out_dir, failed_editions, ctx);
                warnings.extend(w);
                jobs.extend(packet_jobs.into_iter().map(|j| (o.owner, j)));
            }
        }
    }
    let written = jobs
        .par_iter()
        .map(|(owner, job)| Outcome {
            owner: *owner,
            edition: Edition::Email,
            result: write::email::jobs::render_job(job, ctx, &output::read_written).and_then(
                |rendered| {
                    output::write_atomic(&job.path, &rendered.bytes)?;
                    Ok((
                        WrittenFile::of(&job.path, &rendered.bytes),
                        rendered.warnings,
                    ))
                },
            ),
        })
        .collect();
    (written, warnings)
}

/// What a packet's errors name when the writer named nothing.
fn packet_file(ctx: &Context) -> PathBuf {
    ctx.config
        .origin
        .as_ref()
        .map(|o| o.file.clone())
        .unwrap_or_else(|| PathBuf::from("brief.toml"))
}

/// Writes a rendered output; a failure without a file names `subject`.
fn finish_job(
    subject: &std::path::Path,
    rendered: Result<write::Rendered, Diagnostic>,
    path: &std::path::Path,
) -> Result<(WrittenFile, Vec<Diagnostic>), Diagnostic> {
    let rendered = rendered.map_err(|d| {
        if d.file.is_none() {
            d.in_file(subject)
        } else {
            d
        }
    })?;
    output::write_atomic(path, &rendered.bytes)?;
    Ok((WrittenFile::of(path, &rendered.bytes), rendered.warnings))
}
