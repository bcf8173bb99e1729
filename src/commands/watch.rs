//! `brief watch`: a build, then another whenever something it reads
//! changes — posts, images, cover letters, `templates/`, `fonts/`,
//! `brief.toml` — debounced so that one save (or a burst of them) is one
//! rebuild. Each rebuild is an ordinary `brief build` with the same
//! options, so it costs what changed (the cache) and replaces outputs
//! atomically (viewers that reload on change see the new version whole).
//! A failing post or a broken `brief.toml` is reported and watching goes
//! on; Ctrl-C ends it with status 0.
//!
//! Fonts are loaded once per process (Typst's font book), so a change in
//! `fonts/` restarts the process in place (same arguments) instead.

use super::Status;
use crate::BuildReport;
use crate::cli::BuildArgs;
use crate::diag::Diagnostic;
use notify::{EventKind, RecursiveMode, Watcher};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long the files must be quiet before a rebuild starts.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// What the caller hears about.
pub enum Event<'a> {
    /// A build finished (or could not start: a configuration error).
    Built(&'a Result<BuildReport, Diagnostic>),
    /// Files changed; a build starts.
    Changed(&'a [PathBuf]),
    /// Fonts changed: the process restarts.
    Restarting,
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Builds, then rebuilds on every change until Ctrl-C.
pub fn run(args: BuildArgs, on: &mut dyn FnMut(Event)) -> Result<Status, Diagnostic> {
    catch_interrupt();
    let ignored = Ignored::new(&args);
    let (tx, rx) = std::sync::mpsc::channel::<notify::Result<notify::Event>>();
    let cannot = |e: notify::Error| Diagnostic::error(format!("cannot watch for changes: {e}"));
    let mut watcher = notify::recommended_watcher(tx).map_err(cannot)?;
    let root = ignored.here.clone().unwrap_or_else(|| PathBuf::from("."));
    watcher
        .watch(&root, RecursiveMode::Recursive)
        .map_err(cannot)?;
    on(Event::Built(&super::build::run(args.clone())));
    loop {
        let changed = match next_changes(&rx, &ignored) {
            Some(changed) => changed,
            None => return Ok(Status::Done),
        };
        if changed.iter().any(|p| ignored.is_font(p)) {
            on(Event::Restarting);
            restart()?;
        }
        on(Event::Changed(&changed));
        on(Event::Built(&super::build::run(args.clone())));
    }
}

/// Waits for the next burst of changes and returns the paths once the
/// files have been quiet for [`DEBOUNCE`]; `None` on Ctrl-C. Reads and
/// opens are not changes (every build opens the posts it reads), nor is
/// anything [`Ignored`].
fn next_changes(
    rx: &Receiver<notify::Result<notify::Event>>,
    ignored: &Ignored,
) -> Option<Vec<PathBuf>> {
    let mut changed: Vec<PathBuf> = Vec::new();
    let mut quiet_since = Instant::now();
    loop {
        if INTERRUPTED.load(Ordering::SeqCst) {
            return None;
        }
        if !changed.is_empty() && quiet_since.elapsed() >= DEBOUNCE {
            changed.sort();
            changed.dedup();
            return Some(changed);
        }
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(Ok(event)) => {
                let counts = matches!(
                    event.kind,
                    EventKind::Create(_)
                        | EventKind::Modify(_)
                        | EventKind::Remove(_)
                        | EventKind::Any
                );
                let paths: Vec<PathBuf> = event
                    .paths
                    .into_iter()
                    .filter(|p| !ignored.contains(p))
                    .collect();
                if counts && !paths.is_empty() {
                    changed.extend(paths);
                    quiet_since = Instant::now();
                }
            }
            // A lost event (queue overflow): rebuild to be safe; the cache
            // makes an unneeded rebuild cheap.
            Ok(Err(_)) => {
                changed.push(PathBuf::from("."));
                quiet_since = Instant::now();
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
}

/// Paths whose changes are the build's own or nobody's: the output folder,
/// the cache, hidden files and folders (`.git`, editors' swap files),
/// backup files (`name~`).
struct Ignored {
    here: Option<PathBuf>,
    own: Vec<PathBuf>,
}

impl Ignored {
    fn new(args: &BuildArgs) -> Ignored {
        let mut own = vec![args.out.clone()];
        own.extend(args.cache_dir.clone());
        Ignored {
            here: std::env::current_dir()
                .ok()
                .and_then(|d| d.canonicalize().ok()),
            own: own
                .iter()
                .filter_map(|p| p.canonicalize().ok().or_else(|| absolute(p)))
                .collect(),
        }
    }

    fn relative<'p>(&self, path: &'p Path) -> &'p Path {
        match &self.here {
            Some(here) => path.strip_prefix(here).unwrap_or(path),
            None => path,
        }
    }

    fn contains(&self, path: &Path) -> bool {
        if self.own.iter().any(|own| path.starts_with(own)) {
            return true;
        }
        let rel = self.relative(path);
        rel.components().any(|c| match c {
            Component::Normal(name) => {
                let name = name.to_string_lossy();
                name.starts_with('.') || name.ends_with('~')
            }
            _ => false,
        })
    }

    fn is_font(&self, path: &Path) -> bool {
        self.relative(path).starts_with("fonts")
    }
}

fn absolute(path: &Path) -> Option<PathBuf> {
    std::path::absolute(path).ok()
}

/// Ctrl-C sets a flag the loop checks between builds; a second Ctrl-C
/// stops at once (every output is written atomically, so nothing is left
/// half-written either way).
#[cfg(unix)]
fn catch_interrupt() {
    extern "C" fn on_interrupt(_: libc::c_int) {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            unsafe { libc::_exit(0) };
        }
    }
    let handler = on_interrupt as extern "C" fn(libc::c_int);
    unsafe {
        libc::signal(libc::SIGINT, handler as libc::sighandler_t);
        libc::signal(libc::SIGTERM, handler as libc::sighandler_t);
    }
}

#[cfg(not(unix))]
fn catch_interrupt() {}

/// Runs this program again in this process, with the same arguments.
#[cfg(unix)]
fn restart() -> Result<(), Diagnostic> {
    use std::os::unix::process::CommandExt;
    let exe =
        std::env::current_exe().map_err(|e| Diagnostic::error(format!("cannot restart: {e}")))?;
    let e = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .exec();
    Err(Diagnostic::error(format!("cannot restart: {e}")))
}

#[cfg(not(unix))]
fn restart() -> Result<(), Diagnostic> {
    Err(Diagnostic::error(
        "fonts changed: start brief watch again to use them",
    ))
}
