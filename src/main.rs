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
use brief::diag::render::{Format, Printer};
use brief::send::Outcome;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// mimalloc instead of glibc malloc: Typst's layout allocates and frees
/// small objects at a high rate; see the measurement beside the dependency
/// in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // bench/korean_keep_all.py only: the U+2060 way of keeping Korean
    // words whole, measured against the shipped boxes.
    if std::env::var_os("BRIEF_BENCH_KOREAN_JOINER").is_some_and(|v| v == "1") {
        brief::write::pdf::model::KOREAN_WORD_JOINER
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let parsed = cli::Cli::command()
        .try_get_matches()
        .and_then(|m| cli::Cli::from_arg_matches(&m).map(|c| (c, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let printer = Printer::new(match cli.message_format {
        cli::MessageFormat::Human => Format::Human,
        cli::MessageFormat::Json => Format::Json,
    });
    let status = run(cli, &matches, &printer).unwrap_or_else(|d| {
        printer.print(&d);
        Status::NothingDone
    });
    ExitCode::from(status.code())
}

/// Enters the project (for the commands that work in one), carries the
/// paths typed on the command line over to it, and runs the command.
fn run(cli: cli::Cli, matches: &ArgMatches, printer: &Printer) -> Result<Status, Diagnostic> {
    let typed = |sub: &str, id: &str| {
        matches
            .subcommand_matches(sub)
            .and_then(|m| m.value_source(id))
            == Some(ValueSource::CommandLine)
    };
    let enter = || commands::project::enter(cli.directory.as_deref(), cli.config.as_deref());
    match cli.command {
        Command::Build(mut args) => {
            let project = enter()?;
            if typed("build", "content") {
                args.content = project.typed(&args.content);
            }
            if typed("build", "out") {
                args.out = project.typed(&args.out);
            }
            args.paths = args.paths.iter().map(|p| project.typed(p)).collect();
            if !args.quiet {
                note_project(&project, printer);
            }
            build(args, printer)
        }
        Command::Watch(mut args) => {
            let project = enter()?;
            if typed("watch", "content") {
                args.content = project.typed(&args.content);
            }
            if typed("watch", "out") {
                args.out = project.typed(&args.out);
            }
            args.paths = args.paths.iter().map(|p| project.typed(p)).collect();
            note_project(&project, printer);
            watch(args, printer)
        }
        Command::Clean(mut args) => {
            let project = enter()?;
            if typed("clean", "out") {
                args.out = project.typed(&args.out);
            }
            clean(&args)
        }
        Command::Merge(mut args) => {
            let project = enter()?;
            if typed("merge", "out") {
                args.out = project.typed(&args.out);
            }
            args.shards = args.shards.iter().map(|p| project.typed(p)).collect();
            let report = commands::merge::run(&args)?;
            eprintln!("{}", report.summary_line(&args.out));
            Ok(Status::Done)
        }
        Command::Check(mut args) => {
            let project = enter()?;
            if typed("check", "content") {
                args.content = project.typed(&args.content);
            }
            args.paths = args.paths.iter().map(|p| project.typed(p)).collect();
            note_project(&project, printer);
            check(args, printer)
        }
        Command::Send(mut args) => {
            let project = enter()?;
            if typed("send", "content") {
                args.content = project.typed(&args.content);
            }
            if typed("send", "out") {
                args.out = project.typed(&args.out);
            }
            send(args, printer)
        }
        Command::Summary { content, slugs } => {
            let project = enter()?;
            let content = if typed("summary", "content") {
                project.typed(&content)
            } else {
                content
            };
            let report = commands::summary::run(&content, &slugs)?;
            for d in &report.diagnostics {
                printer.print(d);
            }
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(report.text.as_bytes())
                .and_then(|_| stdout.flush())
            {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(Diagnostic::error(format!("cannot write: {e}")))
                }
                _ => Ok(report.status),
            }
        }
        Command::Verify { manifest, files } => {
            commands::project::change_dir(cli.directory.as_deref())?;
            let report = commands::verify::run(&files, manifest.as_deref())?;
            for v in &report.files {
                let file = brief::diag::escaped(&v.file.to_string_lossy());
                let sha = v.sha256.as_deref().unwrap_or("-");
                match v.ok {
                    true => println!("ok: {file}: {} (SHA-256 {sha})", v.reason),
                    false => println!("FAILED: {file}: {} (SHA-256 {sha})", v.reason),
                }
            }
            println!(
                "note: a signature shows the file is, byte for byte, what the certificate's holder signed; compare the certificate's SHA-256 with the one the sender gave you by another channel. A timestamp shows, on the time-stamping service's word, that the signature existed at the time it names. The SHA-256 check needs the sender's manifest, obtained separately from the files"
            );
            Ok(report.status)
        }
        Command::DumpIr { file } => {
            let project = enter()?;
            dump_ir(&project.typed(&file), printer)
        }
        Command::DumpTypst { file, dir } => {
            let project = enter()?;
            dump_typst(&project.typed(&file), &project.typed(&dir), printer)
        }
        Command::Init { dir } => {
            let here = commands::project::change_dir(cli.directory.as_deref())?;
            let dir = dir.map_or(here, |d| d);
            let report = commands::scaffold::init(&dir)?;
            print_written(&report);
            eprintln!(
                "a new project in {}: run `brief build` there (see README.md, \"A first project\")",
                brief::diag::escaped(&dir.to_string_lossy())
            );
            Ok(Status::Done)
        }
        Command::New { title } => {
            enter()?;
            let content = std::path::Path::new("content");
            let report = commands::scaffold::new_post(content, &title, &today())?;
            print_written(&report);
            Ok(Status::Done)
        }
        Command::Templates {
            action: cli::TemplatesAction::Eject { names, force },
        } => {
            enter()?;
            let report =
                commands::scaffold::eject(std::path::Path::new("templates"), &names, force)?;
            print_written(&report);
            Ok(Status::Done)
        }
        Command::Completions { shell } => {
            let mut command = cli::Cli::command();
            clap_complete::generate(shell, &mut command, "brief", &mut std::io::stdout());
            Ok(Status::Done)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(cli::Cli::command())
                .render(&mut page)
                .map_err(|e| Diagnostic::error(format!("cannot render the man page: {e}")))?;
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(&page).and_then(|_| stdout.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(Diagnostic::error(format!("cannot write: {e}")))
                }
                _ => Ok(Status::Done),
            }
        }
    }
}

/// Says which project is used when it was found above the current
/// folder: building a folder that has no `brief.toml` of its own inside a
/// project builds the enclosing project, which should never be a surprise.
fn note_project(project: &commands::project::Entered, printer: &Printer) {
    if project.root != project.started_in && printer.format == Format::Human {
        eprintln!(
            "note: the project is {} ({} found there)",
            brief::diag::escaped(&project.root.to_string_lossy()),
            brief::diag::escaped(&commands::project::config_name().to_string_lossy())
        );
    }
}

/// Today (UTC), or the day of `SOURCE_DATE_EPOCH` when set.
fn today() -> String {
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

fn print_written(report: &commands::scaffold::Report) {
    for (path, how) in &report.written {
        let verb = match how {
            brief::output::scaffold::Written::Created => "created",
            brief::output::scaffold::Written::Replaced => "replaced",
        };
        eprintln!("{verb} {}", brief::diag::escaped(&path.to_string_lossy()));
    }
}

/// Whether this looks like CI (no progress bar there, even on a pty).
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

fn build(args: cli::BuildArgs, printer: &Printer) -> Result<Status, Diagnostic> {
    let quiet = args.quiet;
    let strict = args.strict;
    let verbose = args.verbose && !quiet;
    let visible =
        std::io::stderr().is_terminal() && !in_ci() && !quiet && printer.format == Format::Human;
    let bar = std::sync::Arc::new(brief::progress::Bar::new(visible, args.verbose));
    let hook = brief::progress::Hook(Some(bar.clone()));
    let report = commands::build::run_observed(args, hook)?;
    brief::progress::Observer::finished(&*bar);
    if verbose {
        // What the cache could not reuse, and what the folder lost.
        for line in commands::build::file_lines(&report) {
            eprintln!("{line}");
        }
    }
    for d in report.diagnostics.iter().filter(|d| !quiet || d.is_error()) {
        printer.print(d);
    }
    let mut status = commands::build::status(&report);
    if strict && status == Status::Done && report.warnings() > 0 {
        status = Status::SomeFailed;
    }
    if !quiet && printer.format == Format::Human {
        if let Some(line) = bar.per_edition() {
            eprintln!("{line}");
        }
    }
    if !quiet || printer.format == Format::Json {
        let mut line = commands::build::summary_line(&report);
        if strict && report.warnings() > 0 && status == Status::SomeFailed && report.errors() == 0 {
            line.push_str(" (--strict: warnings fail the build)");
        }
        printer.summary(
            "build-finished",
            &line,
            serde_json::json!({
                "success": status == Status::Done,
                "posts": report.posts_found,
                "posts_built": report.posts_built,
                "posts_failed": report.posts_failed,
                "packets_built": report.packets_built,
                "packets_failed": report.packets_failed,
                "files_written": report.files_written,
                "warnings": report.warnings(),
                "errors": report.errors(),
            }),
        );
    }
    Ok(status)
}

/// Every rebuild: a line per file rendered or removed, stamped with the
/// time of day (UTC), then the diagnostics and the summary, as `build`.
fn watch(args: cli::BuildArgs, printer: &Printer) -> Result<Status, Diagnostic> {
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
        Event::Built(Err(d)) => printer.print(d),
        Event::Built(Ok(report)) => {
            let stamp = now();
            if !quiet {
                for line in commands::build::file_lines(report) {
                    eprintln!("[{stamp}] {line}");
                }
            }
            for d in report.diagnostics.iter().filter(|d| !quiet || d.is_error()) {
                printer.print(d);
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

fn check(args: cli::CheckArgs, printer: &Printer) -> Result<Status, Diagnostic> {
    let strict = args.strict;
    let report = commands::check::run(args)?;
    for d in &report.diagnostics {
        printer.print(d);
    }
    let mut status = report.status();
    if strict && status == Status::Done && report.warnings() > 0 {
        status = Status::SomeFailed;
    }
    printer.summary(
        "check-finished",
        &report.summary_line(),
        serde_json::json!({
            "success": status == Status::Done,
            "warnings": report.warnings(),
            "errors": report.errors(),
        }),
    );
    Ok(status)
}

/// Dry run unless `--yes`; exit 1 when any delivery failed.
fn send(args: cli::SendArgs, printer: &Printer) -> Result<Status, Diagnostic> {
    let plan = match commands::send::plan(&args) {
        Ok(plan) => plan,
        Err(errors) => {
            for d in &errors {
                printer.print(d);
            }
            return Ok(Status::NothingDone);
        }
    };
    for w in &plan.warnings {
        printer.print(w);
    }
    let mut stdout = std::io::stdout().lock();
    if !args.yes {
        for d in &plan.deliveries {
            let _ = writeln!(stdout, "{}", plan.dry_run_line(d));
        }
        let _ = stdout.flush();
        eprintln!("{}", plan.dry_run_summary());
        return Ok(Status::failed_if(plan.skipped));
    }
    let report = plan.deliver(&mut |d, outcome| match outcome {
        Outcome::Sent(record) => {
            let _ = writeln!(
                stdout,
                "sent: to {} | {} | {} | {}",
                d.recipient, d.subject, record.message_id, record.reply
            );
        }
        Outcome::Failed(e) | Outcome::Uncertain(e) => printer.print(e),
    })?;
    let _ = stdout.flush();
    if let Some(e) = &report.stopped {
        printer.print(e);
    }
    eprintln!("{}", report.summary_line());
    Ok(report.status())
}

fn dump_ir(file: &std::path::Path, printer: &Printer) -> Result<Status, Diagnostic> {
    let (json, warnings) = match commands::dump::ir(file)? {
        Ok(found) => found,
        Err(d) => {
            printer.print(&d);
            return Ok(Status::SomeFailed);
        }
    };
    for d in &warnings {
        printer.print(d);
    }
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{json}").and_then(|_| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Diagnostic::error(format!("cannot write: {e}")))
        }
        _ => Ok(Status::Done),
    }
}

fn dump_typst(
    file: &std::path::Path,
    dir: &std::path::Path,
    printer: &Printer,
) -> Result<Status, Diagnostic> {
    match commands::dump::typst(file, dir)? {
        Ok(()) => Ok(Status::Done),
        Err(d) => {
            printer.print(&d);
            Ok(Status::SomeFailed)
        }
    }
}
