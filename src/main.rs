//! `brief`: parse the command line, call the library, print diagnostics,
//! exit. Exit status: 0 everything built; 1 some post failed (the others
//! were written); 2 a usage or configuration error, or another build is
//! writing to the same output folder (nothing was built: `brief build`
//! never waits for the lock, it says who holds it).
//! A closed stdout (`brief dump-ir x | head`) is not an error.

use brief::config::Config;
use brief::diag::Diagnostic;
use brief::write::{Context, Edition};
use brief::{BuildRequest, cli};
use clap::Parser;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const CONFIG_FILE: &str = "brief.toml";

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        cli::Command::Build(args) => build(args),
        cli::Command::Check(args) => check(args),
        cli::Command::DumpIr { file } => dump_ir(&file),
        cli::Command::DumpTypst { file, dir } => dump_typst(&file, &dir),
    };
    match result {
        Ok(code) => code,
        Err(d) => {
            eprintln!("{d}");
            ExitCode::from(2)
        }
    }
}

/// Reads `brief.toml` from the current folder when it exists.
fn load_config() -> Result<Config, Diagnostic> {
    let path = Path::new(CONFIG_FILE);
    match std::fs::read_to_string(path) {
        Ok(text) => Config::parse(&text, path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(e) => Err(Diagnostic::error(format!("cannot read: {e}")).in_file(path)),
    }
}

fn context(config: Config) -> Context {
    Context {
        config,
        project_root: PathBuf::from("."),
        source_date_epoch: std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|v| v.trim().parse().ok()),
    }
}

fn resolve_editions(names: &[String]) -> Result<Vec<Edition>, Diagnostic> {
    if names.is_empty() {
        return Ok(Edition::ALL.to_vec());
    }
    let mut editions = Vec::new();
    for name in names.iter().filter(|n| !n.trim().is_empty()) {
        let edition = Edition::from_name(name).ok_or_else(|| {
            Diagnostic::error(format!("unknown edition {}", brief::diag::quote(name)))
                .with_hint("use a comma-separated list of: pdf, epub, email")
        })?;
        if !editions.contains(&edition) {
            editions.push(edition);
        }
    }
    Ok(editions)
}

fn build(args: cli::BuildArgs) -> Result<ExitCode, Diagnostic> {
    // Everything is resolved and checked before any work starts.
    let config = load_config()?;
    let editions = resolve_editions(&args.format)?;
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
    let jobs = args.jobs.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| Diagnostic::error(format!("cannot start worker threads: {e}")))?;
    // One build per output folder; a second one stops here with exit 2
    // (nothing was built) and names the first one's pid.
    let _lock = brief::output::lock_output(&args.out)?;
    let request = BuildRequest {
        content_dir: args.content,
        out_dir: args.out,
        editions,
        paths: args.paths,
        include_drafts: args.drafts,
    };
    let ctx = context(config);
    let report = pool.install(|| brief::build(&request, &ctx));
    for d in &report.diagnostics {
        if !args.quiet || d.is_error() {
            eprintln!("{d}");
        }
    }
    if !args.quiet {
        let drafts = match report.drafts_skipped {
            0 => String::new(),
            n => format!(", {n} draft{} skipped", plural(n)),
        };
        let packets = match (report.packets_built, report.packets_failed) {
            (0, 0) => String::new(),
            (built, failed) => format!("; packets: {built} built, {failed} failed"),
        };
        eprintln!(
            "{} post{}: {} built, {} failed{drafts}{packets}; {} file{} written, {} warning{}, {} error{} in {:.2} s",
            report.posts_found,
            plural(report.posts_found),
            report.posts_built,
            report.posts_failed,
            report.files_written,
            plural(report.files_written),
            report.warnings(),
            plural(report.warnings()),
            report.errors(),
            plural(report.errors()),
            report.elapsed.as_secs_f64()
        );
    }
    Ok(if report.config_error {
        ExitCode::from(2)
    } else if report.errors() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn check(args: cli::CheckArgs) -> Result<ExitCode, Diagnostic> {
    let config = load_config()?;
    let paths = if args.paths.is_empty() {
        brief::source::discover(&args.content)?
    } else {
        args.paths
    };
    let (posts, diagnostics, failed) = brief::read_posts(&paths, &config.project.lang);
    for d in &diagnostics {
        eprintln!("{d}");
    }
    eprintln!(
        "{} post{} checked: {} readable, {failed} failed",
        paths.len(),
        plural(paths.len()),
        posts.len()
    );
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads one post for the dump commands; `Err(code)` when it fails.
fn read_one(file: &Path, config: &Config) -> Result<brief::source::Read, ExitCode> {
    brief::source::read_post(file, &config.project.lang).map_err(|d| {
        eprintln!("{d}");
        ExitCode::from(1)
    })
}

fn dump_ir(file: &Path) -> Result<ExitCode, Diagnostic> {
    let config = load_config()?;
    let read = match read_one(file, &config) {
        Ok(read) => read,
        Err(code) => return Ok(code),
    };
    for d in &read.warnings {
        eprintln!("{d}");
    }
    let json = serde_json::to_string_pretty(&read.post)
        .map_err(|e| Diagnostic::error(format!("cannot print the IR: {e}")))?;
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{json}").and_then(|_| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Diagnostic::error(format!("cannot write: {e}")))
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn dump_typst(file: &Path, dir: &Path) -> Result<ExitCode, Diagnostic> {
    let config = load_config()?;
    let read = match read_one(file, &config) {
        Ok(read) => read,
        Err(code) => return Ok(code),
    };
    let ctx = context(config);
    let sources = brief::write::pdf::typst_sources(&read.post, &ctx)?;
    for (name, bytes) in sources {
        brief::output::write_atomic(&dir.join(name), &bytes)?;
    }
    Ok(ExitCode::SUCCESS)
}
