//! `brief build`: check the request, take the output folder's lock, run
//! the pipeline ([`crate::build`]) and report.

use super::{Status, context, load_config, plural};
use crate::cli::BuildArgs;
use crate::diag::{Diagnostic, quote};
use crate::write::Edition;
use crate::{BuildReport, BuildRequest};
use std::path::PathBuf;

/// Everything resolved and checked before any work starts; then the build.
pub fn run(args: BuildArgs) -> Result<BuildReport, Diagnostic> {
    run_observed(args, Default::default())
}

/// [`run`], telling `progress` of each job as it ends.
pub fn run_observed(
    args: BuildArgs,
    progress: crate::progress::Hook,
) -> Result<BuildReport, Diagnostic> {
    let mut config = load_config()?;
    config.email.summary |= args.summary;
    let editions = resolve_editions(&args.format)?;
    let shard = crate::shard::Shard::from_settings(args.shard.as_deref(), args.shards, &|name| {
        std::env::var(name).ok()
    })?;
    let (content, paths) = posts_named(args.content, args.paths)?;
    let args = BuildArgs {
        content,
        paths,
        ..args
    };
    if args.paths.is_empty() && !args.content.is_dir() {
        return Err(Diagnostic::error("folder of posts not found")
            .in_file(&args.content)
            .with_hint("run brief in the project folder, or pass --content DIR"));
    }
    for path in &args.paths {
        if !path.is_file() {
            return Err(Diagnostic::error("post not found").in_file(path));
        }
    }
    // The signing key, before any work: a packet that should be signed
    // is never written unsigned.
    let signer = super::signing::load(&config, std::path::Path::new("."), &|name| {
        std::env::var(name).ok()
    })?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .map_err(|e| Diagnostic::error(format!("cannot start worker threads: {e}")))?;
    // One build per output folder; a second one stops here with exit 2
    // (nothing was built) and names the first one's pid.
    let _lock = crate::output::lock_output(&args.out)?;
    let cache = args.cache();
    let request = BuildRequest {
        content_dir: args.content,
        out_dir: args.out,
        editions,
        paths: args.paths,
        include_drafts: args.drafts,
        redact: args.redact,
        cache,
        progress,
        shard,
    };
    let mut ctx = context(config);
    ctx.signer = signer;
    Ok(pool.install(|| crate::build(&request, &ctx)))
}

/// The posts a build or check was given: a single folder given as a path
/// is the folder of posts (`brief build content` builds everything in it,
/// packets too); folders among several paths stand for the posts in them.
pub fn posts_named(
    content: PathBuf,
    paths: Vec<PathBuf>,
) -> Result<(PathBuf, Vec<PathBuf>), Diagnostic> {
    match paths.as_slice() {
        [only] if only.is_dir() => return Ok((only.clone(), Vec::new())),
        _ => {}
    }
    let mut posts = Vec::new();
    for path in paths {
        if path.is_dir() {
            posts.extend(crate::read::discover(&path)?);
        } else {
            posts.push(path);
        }
    }
    Ok((content, posts))
}

/// The editions named by `--format` (all when none is named); an unknown
/// name gets the nearest known one as a hint, an empty list is an error.
pub fn resolve_editions(names: &[String]) -> Result<Vec<Edition>, Diagnostic> {
    if names.is_empty() {
        return Ok(Edition::ALL.to_vec());
    }
    let known: Vec<&str> = Edition::ALL.iter().map(|e| e.name()).collect();
    let list = known.join(", ");
    let mut editions = Vec::new();
    for name in names.iter().filter(|n| !n.trim().is_empty()) {
        let edition = Edition::from_name(name).ok_or_else(|| {
            let hint = match crate::diag::did_you_mean(name, &known) {
                Some(near) => format!("{near} (the editions are {list})"),
                None => format!("use a comma-separated list of: {list}"),
            };
            Diagnostic::error(format!("unknown edition {}", quote(name))).with_hint(hint)
        })?;
        if !editions.contains(&edition) {
            editions.push(edition);
        }
    }
    if editions.is_empty() {
        return Err(
            Diagnostic::error("--format names no edition").with_hint(format!(
                "use a comma-separated list of: {list}, or leave --format out for all"
            )),
        );
    }
    Ok(editions)
}

/// The exit status a build report calls for.
pub fn status(report: &BuildReport) -> Status {
    if report.config_error {
        Status::NothingDone
    } else if report.errors() > 0 {
        Status::SomeFailed
    } else {
        Status::Done
    }
}

/// The one-line summary printed after a build.
pub fn summary_line(report: &BuildReport) -> String {
    let drafts = match report.drafts_skipped {
        0 => String::new(),
        n => format!(", {n} draft{} skipped", plural(n)),
    };
    let packets = match (report.packets_built, report.packets_failed) {
        (0, 0) => String::new(),
        (built, failed) => format!("; packets: {built} built, {failed} failed"),
    };
    let removed = match report.removed.len() {
        0 => String::new(),
        n => format!(", {n} stale removed"),
    };
    // A shard read and checked every post but rendered only its share.
    let shard = match report.shard {
        Some(shard) => format!("shard {shard}: "),
        None => String::new(),
    };
    format!(
        "{shard}{} post{}: {} built, {} failed{drafts}{packets}; {} file{} written ({} rendered, {} unchanged{removed}), {} warning{}, {} error{} in {:.2} s",
        report.posts_found,
        plural(report.posts_found),
        report.posts_built,
        report.posts_failed,
        report.files_written,
        plural(report.files_written),
        report.rendered.len(),
        report.reused,
        report.warnings(),
        plural(report.warnings()),
        report.errors(),
        plural(report.errors()),
        report.elapsed.as_secs_f64()
    )
}

/// One line per file a build rendered (with its time) and per stale file
/// it removed, for `--verbose` and `brief watch`.
pub fn file_lines(report: &BuildReport) -> Vec<String> {
    let mut lines: Vec<String> = report
        .rendered
        .iter()
        .map(|(path, took)| format!("rendered {} in {:.2} s", path.display(), took.as_secs_f64()))
        .collect();
    lines.extend(
        report
            .removed
            .iter()
            .map(|path| format!("removed {}", path.display())),
    );
    lines
}
