//! Progress of a build: what the pipeline tells an observer ([`Hook`]) as
//! jobs finish, and the terminal bar that shows it ([`Bar`], indicatif).
//! The pipeline knows nothing of terminals: `lib::build` and `jobs::run`
//! call the hook; `main` decides whether there is a bar at all (only when
//! stderr is a terminal and not under CI, never with `--quiet`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a build reports as it goes.
pub trait Observer: Send + Sync {
    /// The jobs are planned: each owner (a post's slug or a packet's name,
    /// with its kind) and how many jobs it has.
    fn planned(&self, owners: &[(Kind, String, usize)]);
    /// One job of `owner` for `edition` (its label: "PDF", "EPUB",
    /// "e-mail text") finished; `output` is the file written, `None` when
    /// the job failed.
    fn done(
        &self,
        kind: Kind,
        owner: &str,
        edition: &'static str,
        output: Option<&std::path::Path>,
    );
    /// Everything is done (before the summary is printed).
    fn finished(&self);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Post,
    Packet,
}

/// The observer a build was given; none by default (tests, library use).
#[derive(Clone, Default)]
pub struct Hook(pub Option<Arc<dyn Observer>>);

impl std::fmt::Debug for Hook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Hook(observer)"
        } else {
            "Hook(none)"
        })
    }
}

impl Hook {
    pub fn planned(&self, owners: &[(Kind, String, usize)]) {
        if let Some(o) = &self.0 {
            o.planned(owners);
        }
    }

    pub fn done(
        &self,
        kind: Kind,
        owner: &str,
        edition: &'static str,
        output: Option<&std::path::Path>,
    ) {
        if let Some(o) = &self.0 {
            o.done(kind, owner, edition, output);
        }
    }

    pub fn finished(&self) {
        if let Some(o) = &self.0 {
            o.finished();
        }
    }
}

/// The terminal bar: jobs done of all, posts and packets done, the item
/// that just finished, elapsed time and ETA. With `verbose`, each file
/// written is also printed above the bar (or alone when there is no bar).
pub struct Bar {
    bar: indicatif::ProgressBar,
    verbose: bool,
    state: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    remaining: HashMap<(Kind, String), usize>,
    posts: (usize, usize),
    packets: (usize, usize),
    /// Outputs written and failed, per edition, in the order first seen.
    editions: Vec<(&'static str, usize, usize)>,
}

impl Bar {
    /// `visible`: draw the bar (a terminal, not CI, not quiet).
    pub fn new(visible: bool, verbose: bool) -> Bar {
        let bar = if visible {
            indicatif::ProgressBar::with_draw_target(
                Some(0),
                indicatif::ProgressDrawTarget::stderr_with_hz(10),
            )
        } else {
            indicatif::ProgressBar::hidden()
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{bar:24}] {pos}/{len} outputs · {elapsed} (ETA {eta}) · {wide_msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        Bar {
            bar,
            verbose,
            state: Mutex::new(Counts::default()),
        }
    }

    fn message(counts: &Counts, current: &str) -> String {
        let packets = match counts.packets.1 {
            0 => String::new(),
            n => format!(", packets {}/{n}", counts.packets.0),
        };
        format!(
            "posts {}/{}{packets} · {current}",
            counts.posts.0, counts.posts.1
        )
    }
}

impl Observer for Bar {
    fn planned(&self, owners: &[(Kind, String, usize)]) {
        let mut counts = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut jobs = 0;
        for (kind, name, n) in owners {
            counts.remaining.insert((*kind, name.clone()), *n);
            jobs += n;
            match kind {
                Kind::Post => counts.posts.1 += 1,
                Kind::Packet => counts.packets.1 += 1,
            }
        }
        self.bar.set_length(jobs as u64);
        self.bar.set_message(Bar::message(&counts, "starting"));
        self.bar.enable_steady_tick(Duration::from_millis(100));
    }

    fn done(
        &self,
        kind: Kind,
        owner: &str,
        edition: &'static str,
        output: Option<&std::path::Path>,
    ) {
        let mut counts = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let at = match counts.editions.iter().position(|e| e.0 == edition) {
            Some(i) => i,
            None => {
                counts.editions.push((edition, 0, 0));
                counts.editions.len() - 1
            }
        };
        if output.is_some() {
            counts.editions[at].1 += 1;
        } else {
            counts.editions[at].2 += 1;
        }
        if let Some(left) = counts.remaining.get_mut(&(kind, owner.to_string())) {
            *left = left.saturating_sub(1);
            if *left == 0 {
                match kind {
                    Kind::Post => counts.posts.0 += 1,
                    Kind::Packet => counts.packets.0 += 1,
                }
            }
        }
        self.bar.inc(1);
        self.bar
            .set_message(Bar::message(&counts, &crate::diag::one_line(owner)));
        if self.verbose {
            if let Some(path) = output {
                let line = format!("wrote {}", crate::diag::escaped(&path.to_string_lossy()));
                if self.bar.is_hidden() {
                    eprintln!("{line}");
                } else {
                    self.bar.println(line);
                }
            }
        }
    }

    fn finished(&self) {
        self.bar.finish_and_clear();
    }
}

impl Bar {
    /// `PDF: 3 written · EPUB: 3 written · e-mail text: 2 written, 1
    /// failed`, in the editions' reading order; `None` before any job.
    pub fn per_edition(&self) -> Option<String> {
        const ORDER: [&str; 3] = ["PDF", "EPUB", "e-mail text"];
        let counts = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut editions = counts.editions.clone();
        editions.sort_by_key(|e| ORDER.iter().position(|o| *o == e.0).unwrap_or(ORDER.len()));
        let parts: Vec<String> = editions
            .iter()
            .map(|(label, written, failed)| match failed {
                0 => format!("{label}: {written} written"),
                f => format!("{label}: {written} written, {f} failed"),
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join(" · "))
    }
}
