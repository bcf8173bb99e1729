//! `brief`: parse the command line, call the library's command, print its
//! report, exit. Exit status ([`brief::commands::Status`]): 0 everything
//! built; 1 some post failed (the others were written); 2 a usage or
//! configuration error, or another build is writing to the same output
//! folder (nothing was built: `brief build` never waits for the lock, it
//! says who holds it). A closed stdout (`brief dump-ir x | head`) is not an
//! error.

use brief::cli::{self, Command};
use brief::commands::{self, Status};
use brief::diag::Diagnostic;
use brief::send::Outcome;
use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

/// mimalloc instead of glibc malloc: Typst's layout allocates and frees
/// small objects at a high rate; see the measurement beside the dependency
/// in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    let status = match cli.command {
        Command::Build(args) => build(args),
        Command::Watch(args) => watch(args),
        Command::Clean(args) => clean(&args),
        Command::Check(args) => check(args),
        Command::Send(args) => send(args),
        Command::DumpIr { file } => dump_ir(&file),
        Command::DumpTypst { file, dir } => dump_typst(&file, &dir),
    };
    ExitCode::from(
        status
            .unwrap_or_else(|d| {
                eprintln!("{d}");
                Status::NothingDone
            })
            .code(),
    )
}

fn build(args: cli::BuildArgs) -> Result<Status, Diagnostic> {
    let quiet = args.quiet;
    let verbose = args.verbose && !quiet;
    let report = commands::build::run(args)?;
    if verbose {
        for line in commands::build::file_lines(&report) {
            eprintln!("{line}");
        }
    }
    for d in report.diagnostics.iter().filter(|d| !quiet || d.is_error()) {
        eprintln!("{d}");
    }
    if !quiet {
        eprintln!("{}", commands::build::summary_line(&report));
    }
    Ok(commands::build::status(&report))
}

/// Every rebuild: a line per file rendered or removed, stamped with the
/// time of day (UTC), then the diagnostics and the summary, as `build`.
fn watch(args: cli::BuildArgs) -> Result<Status, Diagnostic> {
    use commands::watch::Event;
    let quiet = args.quiet;
    let now = || {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        chrono::DateTime::from_timestamp(secs, 0)
            .map(|t| t.format("%H:%M:%S").to_string())
            .unwrap_or_default()
    };
    commands::watch::run(args, &mut |event| match event {
        Event::Changed(paths) if !quiet => {
            eprintln!(
                "[{}] changed: {}",
                now(),
                paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        Event::Changed(_) => {}
        Event::Restarting => eprintln!("[{}] fonts changed: restarting", now()),
        Event::Built(Err(d)) => eprintln!("{d}"),
        Event::Built(Ok(report)) => {
            let stamp = now();
            if !quiet {
                for line in commands::build::file_lines(report) {
                    eprintln!("[{stamp}] {line}");
                }
            }
            for d in report.diagnostics.iter().filter(|d| !quiet || d.is_error()) {
                eprintln!("{d}");
            }
            if !quiet {
                eprintln!("[{stamp}] {}", commands::build::summary_line(report));
            }
            if !quiet {
                eprintln!("[{stamp}] watching for changes (Ctrl-C stops)");
            }
        }
    })
}

fn clean(args: &cli::CleanArgs) -> Result<Status, Diagnostic> {
    let report = commands::clean::run(args)?;
    eprintln!("{}", report.summary_line());
    Ok(Status::Done)
}

fn check(args: cli::CheckArgs) -> Result<Status, Diagnostic> {
    let report = commands::check::run(args)?;
    for d in &report.diagnostics {
        eprintln!("{d}");
    }
    eprintln!("{}", report.summary_line());
    Ok(report.status())
}

/// Dry run unless `--yes`; exit 1 when any delivery failed.
fn send(args: cli::SendArgs) -> Result<Status, Diagnostic> {
    let plan = match commands::send::plan(&args) {
        Ok(plan) => plan,
        Err(errors) => {
            for d in &errors {
                eprintln!("{d}");
            }
            return Ok(Status::NothingDone);
        }
    };
    for w in &plan.warnings {
        eprintln!("{w}");
    }
    let mut stdout = std::io::stdout().lock();
    if !args.yes {
        for d in &plan.deliveries {
            let _ = writeln!(stdout, "{}", plan.dry_run_line(d));
        }
        let _ = stdout.flush();
        eprintln!("{}", plan.dry_run_summary());
        return Ok(Status::Done);
    }
    let report = plan.deliver(&mut |d, outcome| match outcome {
        Outcome::Sent(record) => {
            let _ = writeln!(
                stdout,
                "sent: to {} | {} | {} | {}",
                d.recipient, d.subject, record.message_id, record.reply
            );
        }
        Outcome::Failed(e) | Outcome::Uncertain(e) => eprintln!("{e}"),
    })?;
    let _ = stdout.flush();
    if let Some(e) = &report.stopped {
        eprintln!("{e}");
    }
    eprintln!("{}", report.summary_line());
    Ok(report.status())
}

fn dump_ir(file: &std::path::Path) -> Result<Status, Diagnostic> {
    let (json, warnings) = match commands::dump::ir(file)? {
        Ok(found) => found,
        Err(d) => {
            eprintln!("{d}");
            return Ok(Status::SomeFailed);
        }
    };
    for d in &warnings {
        eprintln!("{d}");
    }
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{json}").and_then(|_| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Diagnostic::error(format!("cannot write: {e}")))
        }
        _ => Ok(Status::Done),
    }
}

fn dump_typst(file: &std::path::Path, dir: &std::path::Path) -> Result<Status, Diagnostic> {
    match commands::dump::typst(file, dir)? {
        Ok(()) => Ok(Status::Done),
        Err(d) => {
            eprintln!("{d}");
            Ok(Status::SomeFailed)
        }
    }
}
