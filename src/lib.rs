//! brief: Markdown briefs with front matter in; PDF, EPUB and e-mail text
//! editions out.
//!
//! The pipeline, in one screen (see [`build`]):
//! 1. find the posts (`source::discover`) or take the paths given;
//! 2. read and parse each post once, in parallel, into the IR (`ir::Post`);
//! 3. refuse posts whose slugs collide (never a silent overwrite);
//! 4. render every (post, edition) job in parallel with pure writers
//!    (`write::*`), writing each result atomically (`output`);
//! 5. report every diagnostic, sorted, and a summary.
//!
//! A failing post or job becomes a diagnostic; it never stops the others.

pub mod autolink;
pub mod cli;
pub mod config;
pub mod dates;
pub mod diag;
pub mod frontmatter;
pub mod html_text;
pub mod ir;
pub mod markdown;
pub mod meta;
pub mod output;
pub mod send;
pub mod source;
pub mod survival;
pub mod wrap;
pub mod write;

use diag::Diagnostic;
use ir::Post;
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
        match source::discover(&request.content_dir) {
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

    let mut results = render_and_write(&posts, request, ctx);
    if request.editions.contains(&Edition::Email) && ctx.config.email.from.is_some() {
        let messages = write_messages(&results, request, ctx);
        results.extend(messages);
    }

    let mut failed_posts = std::collections::BTreeSet::new();
    for (post, _, result) in results {
        match result {
            Ok(warnings) => {
                report.files_written += 1;
                diagnostics.extend(warnings);
            }
            Err(e) => {
                failed_posts.insert(post.source.clone());
                diagnostics.push(e);
            }
        }
    }
    report.posts_failed += failed_posts.len();
    report.posts_built = posts.len() - failed_posts.len();
    diagnostics.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
    report.diagnostics = diagnostics;
    report.elapsed = started.elapsed();
    report
}

/// Reads posts in parallel. Returns the posts that parsed (in path order),
/// their warnings and the errors, and how many failed.
pub fn read_posts(paths: &[PathBuf], default_lang: &str) -> (Vec<Post>, Vec<Diagnostic>, usize) {
    let results: Vec<Result<source::Read, Diagnostic>> = paths
        .par_iter()
        .map(|p| source::read_post(p, default_lang))
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
        by_slug.entry(post.meta.slug.clone()).or_default().push(post.source.clone());
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

type JobResult<'p> = (&'p Post, Edition, Result<Vec<Diagnostic>, Diagnostic>);

/// Runs every (post, edition) job and writes each output as soon as it is
/// rendered. PDF jobs run on plain OS threads (Typst uses rayon inside and
/// must not be called from a rayon task, see DESIGN.md); the other
/// editions run on the current rayon pool at the same time.
fn render_and_write<'p>(posts: &'p [Post], request: &BuildRequest, ctx: &Context) -> Vec<JobResult<'p>> {
    let others: Vec<(&Post, Edition)> = posts
        .iter()
        .flat_map(|p| request.editions.iter().filter(|e| **e != Edition::Pdf).map(move |&e| (p, e)))
        .collect();
    let pdf_posts: Vec<&Post> = if request.editions.contains(&Edition::Pdf) { posts.iter().collect() } else { Vec::new() };
    let pdf_results = std::sync::Mutex::new(Vec::with_capacity(pdf_posts.len()));
    let threads = rayon::current_num_threads();
    let mut results: Vec<JobResult<'p>> = std::thread::scope(|scope| {
        scope.spawn(|| {
            write::pdf::render_each(&pdf_posts, ctx, threads, &|i, rendered| {
                let post = pdf_posts[i];
                let result = finish_job(post, Edition::Pdf, rendered, request);
                pdf_results.lock().unwrap_or_else(|e| e.into_inner()).push((post, Edition::Pdf, result));
            });
        });
        others
            .par_iter()
            .map(|&(post, edition)| (post, edition, finish_job(post, edition, edition.render(post, ctx), request)))
            .collect()
    });
    results.extend(pdf_results.into_inner().unwrap_or_else(|e| e.into_inner()));
    results
}

/// Second step, once every edition is written: the standard e-mail
/// message (`email/<slug>.eml`) of each post whose text edition was
/// written, with the attached editions read back from the output folder.
/// A message whose attachment failed or is missing is not written: an
/// incomplete message must never be sent.
fn write_messages<'p>(results: &[JobResult<'p>], request: &BuildRequest, ctx: &Context) -> Vec<JobResult<'p>> {
    let failed = |post: &Post, edition: Edition| {
        results.iter().any(|(p, e, r)| std::ptr::eq(*p, post) && *e == edition && r.is_err())
    };
    let texts: Vec<&'p Post> = results
        .iter()
        .filter(|(_, e, r)| *e == Edition::Email && r.is_ok())
        .map(|(p, _, _)| *p)
        .collect();
    texts
        .par_iter()
        .map(|&post| {
            let result = (|| {
                let mut attachments = Vec::new();
                for name in &ctx.config.email.attach {
                    let edition = Edition::from_name(name).unwrap_or(Edition::Email);
                    attachments.push(read_attachment(post, edition, failed(post, edition), request)?);
                }
                let rendered = write::message::post_message(post, ctx, attachments)?;
                output::write_atomic(&Edition::message_path(&request.out_dir, &post.meta.slug), &rendered.bytes)?;
                Ok(rendered.warnings)
            })();
            (post, Edition::Email, result)
        })
        .collect()
}

fn read_attachment(
    post: &Post,
    edition: Edition,
    failed_now: bool,
    request: &BuildRequest,
) -> Result<write::message::AttachmentFile, Diagnostic> {
    let path = edition.output_path(&request.out_dir, &post.meta.slug);
    let not_sent = |why: String| {
        Diagnostic::error(format!("e-mail message not written: {why}"))
            .in_file(&post.source)
            .with_hint("the message must carry every edition named in [email] attach")
    };
    if failed_now {
        return Err(not_sent(format!("its {} edition failed", edition.name())));
    }
    let bytes = std::fs::read(&path).map_err(|e| not_sent(format!("cannot read {}: {e}", path.display())))?;
    let content_type = match edition {
        Edition::Pdf => "application/pdf",
        Edition::Epub => "application/epub+zip",
        Edition::Email => "text/plain; charset=utf-8",
    };
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(write::message::AttachmentFile { file_name, content_type, bytes })
}

/// Writes a rendered edition; any failure names the post.
fn finish_job(
    post: &Post,
    edition: Edition,
    rendered: Result<write::Rendered, Diagnostic>,
    request: &BuildRequest,
) -> Result<Vec<Diagnostic>, Diagnostic> {
    let rendered = rendered.map_err(|d| if d.file.is_none() { d.in_file(&post.source) } else { d })?;
    let path = edition.output_path(&request.out_dir, &post.meta.slug);
    output::write_atomic(&path, &rendered.bytes)?;
    Ok(rendered.warnings)
}
