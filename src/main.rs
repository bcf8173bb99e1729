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

/// mimalloc instead of glibc malloc: Typst's layout allocates and frees
/// small objects at a high rate; see the measurement beside the dependency
/// in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        cli::Command::Send(args) => send(args),
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
    let mut config = load_config()?;
    config.email.summary |= args.summary;
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

/// `brief send`: resolve what to send and check every setting first (exit
/// 2 on any problem, before a connection is made), then print the plan;
/// with `--yes`, send it. Exit 1 when any delivery failed.
fn send(args: cli::SendArgs) -> Result<ExitCode, Diagnostic> {
    use brief::send::{Outcome, Sender};
    let config = load_config()?;
    let settings = &config.email;
    if settings.from.is_none() {
        return Err(
            Diagnostic::error("nothing to send: e-mail messages are not configured")
                .with_hint("set [email] from and to in brief.toml, then run brief build"),
        );
    }
    let items = match &args.packet {
        Some(name) => packet_messages(&args.out, name, &config)?,
        None => post_messages(&args, &config)?,
    };
    let log = brief::send::log_path(&args.out);
    let (sent, warnings) = brief::send::read_log(&log)?;
    for w in &warnings {
        eprintln!("{w}");
    }
    let deliveries = brief::send::plan(&items, &sent)?;
    let pending: Vec<&brief::send::Delivery> =
        deliveries.iter().filter(|d| !d.already_sent).collect();
    let done = deliveries.len() - pending.len();

    let mut stdout = std::io::stdout().lock();
    if !args.yes {
        for d in &deliveries {
            let status = if d.already_sent {
                "already sent"
            } else {
                "would send"
            };
            let attachments = if d.attachments.is_empty() {
                "none".to_string()
            } else {
                d.attachments.join(", ")
            };
            let _ = writeln!(
                stdout,
                "{status}: to {} | {} | {} bytes | attachments: {attachments} | {}",
                d.recipient,
                d.subject,
                d.bytes.len(),
                d.file.display()
            );
        }
        let _ = stdout.flush();
        eprintln!(
            "dry run: nothing sent. {} message{} to send, {done} already sent (per {}). Run `brief send --yes` to send.",
            pending.len(),
            plural(pending.len()),
            log.display()
        );
        return Ok(ExitCode::SUCCESS);
    }

    let sender = Sender::new(settings, |name| std::env::var(name).ok())?;
    let _lock = brief::send::SendLock::take(&args.out)?;
    let (mut sent_now, mut failed) = (0, 0);
    let result = sender.deliver(&pending, &log, &mut |d, outcome| match outcome {
        Outcome::Sent(record) => {
            sent_now += 1;
            let _ = writeln!(
                stdout,
                "sent: to {} | {} | {} | {}",
                d.recipient, d.subject, record.message_id, record.reply
            );
        }
        Outcome::Failed(e) => {
            failed += 1;
            eprintln!("{e}");
        }
    });
    let _ = stdout.flush();
    if let Err(e) = result {
        eprintln!("{e}");
        failed += 1;
    }
    let left = pending.len().saturating_sub(sent_now + failed);
    let mut summary = format!("{sent_now} sent, {failed} failed, {done} already sent before");
    if left > 0 {
        summary.push_str(&format!(
            ", {left} left for the next run (limit {} per run)",
            sender.limit()
        ));
    }
    if failed > 0 {
        summary.push_str("; run brief send --yes again to retry the failed ones");
    }
    eprintln!("{summary}");
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A packet's messages: one per recipient when the packet has recipients
/// (each to that recipient's address), else the general message to
/// `[email] to`.
fn packet_messages(
    out: &Path,
    name: &str,
    config: &Config,
) -> Result<Vec<brief::send::Outgoing>, Diagnostic> {
    let packet = config
        .packets
        .iter()
        .find(|p| p.name() == name)
        .ok_or_else(|| {
            let names: Vec<&str> = config.packets.iter().map(|p| p.name()).collect();
            Diagnostic::error(format!("no packet named {}", brief::diag::quote(name))).with_hint(
                if names.is_empty() {
                    "brief.toml has no [[packet]]".to_string()
                } else {
                    format!("packets: {}", names.join(", "))
                },
            )
        })?;
    let subject = brief::write::message::header_text(packet.title.get_ref());
    let recipients = packet.recipients();
    if recipients.is_empty() {
        return Ok(vec![brief::send::Outgoing {
            file: brief::mail::packet_message_path(out, name, None),
            subject,
            recipients: config.email.to.clone(),
            attachments: config.email.attach.clone(),
        }]);
    }
    recipients
        .into_iter()
        .map(|r| {
            let mailbox = config.email.contact_mailbox(r).ok_or_else(|| {
                Diagnostic::error(format!(
                    "packet {}: recipient {} has no e-mail address",
                    brief::diag::quote(name),
                    brief::diag::quote(r)
                ))
                .with_hint(format!(
                    "add it under [email.contacts]: {r:?} = \"name@example.org\", then rebuild"
                ))
            })?;
            Ok(brief::send::Outgoing {
                file: brief::mail::packet_message_path(out, name, Some(r)),
                subject: subject.clone(),
                recipients: vec![mailbox],
                attachments: config.email.attach.clone(),
            })
        })
        .collect()
}

/// Each post's built message (by slug, or every post that is not a draft).
fn post_messages(
    args: &cli::SendArgs,
    config: &Config,
) -> Result<Vec<brief::send::Outgoing>, Diagnostic> {
    let paths = brief::source::discover(&args.content)?;
    let (posts, diagnostics, failed) = brief::read_posts(&paths, &config.project.lang);
    if failed > 0 {
        for d in diagnostics.iter().filter(|d| d.is_error()) {
            eprintln!("{d}");
        }
        return Err(Diagnostic::error(format!(
            "{failed} post{} cannot be read; nothing is sent",
            plural(failed)
        ))
        .with_hint("fix them (see brief check), rebuild, then send"));
    }
    let wanted: Vec<&brief::ir::Post> = if args.slugs.is_empty() {
        posts.iter().filter(|p| !p.meta.draft).collect()
    } else {
        let mut chosen = Vec::new();
        for slug in &args.slugs {
            let post = posts.iter().find(|p| p.meta.slug == *slug).ok_or_else(|| {
                Diagnostic::error(format!("no post with slug {}", brief::diag::quote(slug)))
                    .in_file(&args.content)
            })?;
            chosen.push(post);
        }
        chosen
    };
    Ok(wanted
        .into_iter()
        .map(|post| brief::send::Outgoing {
            file: Edition::message_path(&args.out, &post.meta.slug),
            subject: brief::write::message::header_text(&post.meta.title),
            recipients: config.email.to.clone(),
            attachments: config.email.attach.clone(),
        })
        .collect())
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
