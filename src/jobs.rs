//! Running a build's jobs: every (post, edition) and (packet, form)
//! [`Job`] is rendered by its pure writer and written atomically by
//! `output` as soon as it is ready, so a build never holds all its outputs
//! in memory. PDF and EPUB jobs (an EPUB typesets its cover) run on plain
//! OS threads (Typst uses rayon inside and must not be called from a rayon
//! task, see DESIGN.md), packets first since they take longest; the other
//! jobs run on the current rayon pool at the same time. E-mail messages
//! come last: they attach editions read back from the output folder.

use crate::cache::{Cache, Keys, Produced, key::MessageOwner};
use crate::diag::Diagnostic;
use crate::ir::Post;
use crate::output::{self, manifest::WrittenFile};
use crate::packet::Packet;
use crate::write::email::jobs::MessageJob;
use crate::write::{Context, Edition, Job};
use rayon::prelude::*;
use std::path::Path;

/// Whose job it was: a failure counts against this post or packet.
#[derive(Debug, Clone, Copy)]
pub enum Owner<'p> {
    Post(&'p Post),
    Packet(&'p Packet<'p>),
}

impl Owner<'_> {
    fn of<'p>(job: &Job<'p>) -> Owner<'p> {
        match *job {
            Job::Post(post, _) => Owner::Post(post),
            Job::PacketPdf(packet, _) | Job::PacketEpub(packet) | Job::PacketDigest(packet) => {
                Owner::Packet(packet)
            }
        }
    }

    fn is(&self, other: &Owner) -> bool {
        match (self, other) {
            (Owner::Post(a), Owner::Post(b)) => std::ptr::eq(*a, *b),
            (Owner::Packet(a), Owner::Packet(b)) => std::ptr::eq(*a, *b),
            _ => false,
        }
    }
}

/// What became of one output.
pub struct Outcome<'p> {
    pub owner: Owner<'p>,
    /// For packets, `Email` is the digest (and its messages).
    pub edition: Edition,
    pub result: Result<(WrittenFile, Vec<Diagnostic>), Diagnostic>,
    /// Rendered in this build, or reused (its cache key was unchanged).
    pub produced: Produced,
}

/// Every job of a build, packets first: one per copy of each packet's PDF,
/// its EPUB and digest, then every edition of every post.
pub fn plan<'p>(
    posts: &'p [Post],
    packets: &'p [Packet<'p>],
    editions: &[Edition],
) -> Vec<Job<'p>> {
    let wants = |e: Edition| editions.contains(&e);
    let mut jobs = Vec::new();
    for packet in packets {
        // A recipient with `redact = true` gets its copies from the
        // packet's hidden twin, and the EPUB and digest its message
        // attaches or is written after (`packet::redaction`).
        if wants(Edition::Pdf) {
            jobs.extend(
                packet
                    .copies()
                    .into_iter()
                    .map(|c| Job::PacketPdf(packet.for_copy(c), c)),
            );
        }
        for packet in std::iter::once(packet).chain(packet.twin.as_deref()) {
            if wants(Edition::Epub) {
                jobs.push(Job::PacketEpub(packet));
            }
            if wants(Edition::Email) {
                jobs.push(Job::PacketDigest(packet));
            }
        }
    }
    for post in posts {
        jobs.extend(editions.iter().map(|&e| Job::Post(post, e)));
    }
    jobs
}

/// The jobs of `shard`'s share of a build (see `shard`): those of the
/// units it owns, and those whose output one of its messages needs (an
/// attached file, or the text edition or digest a message is written
/// after), which another shard renders too, to the same bytes.
pub fn shard_share<'p>(
    jobs: Vec<Job<'p>>,
    shard: crate::shard::Shard,
    messages: bool,
    out: &Path,
    ctx: &Context,
) -> Vec<Job<'p>> {
    let relative = |p: &Path| p.strip_prefix(out).unwrap_or(p).to_path_buf();
    let mut needed = std::collections::HashSet::new();
    if messages {
        for job in &jobs {
            let owned: Vec<MessageJob> = match *job {
                Job::Post(post, Edition::Email) => {
                    vec![MessageJob::post(post, out, Vec::new(), ctx)]
                }
                Job::PacketDigest(packet) => MessageJob::packet(packet, out, Vec::new(), ctx).0,
                _ => Vec::new(),
            };
            for message in owned.iter().filter(|m| shard.owns(&relative(&m.path))) {
                needed.insert(job.target(out));
                needed.extend(message.attachment_files().map(Path::to_path_buf));
            }
        }
    }
    jobs.into_iter()
        .filter(|job| {
            let target = job.target(out);
            shard.owns(&relative(&target)) || needed.contains(&target)
        })
        .collect()
}

/// Renders and writes every job, or reuses its output when its cache key
/// is unchanged; PDF jobs on plain threads beside the rayon pool that runs
/// the rest. `progress` hears of each job as it ends.
pub fn run<'p>(
    jobs: &[Job<'p>],
    out: &Path,
    ctx: &Context,
    cache: &Cache,
    keys: &Keys,
    progress: &crate::progress::Hook,
) -> Vec<Outcome<'p>> {
    // EPUB jobs typeset their cover with Typst, so they join the PDFs.
    // Each job keeps its place in the plan, for a fixed order of outcomes.
    let (typeset_jobs, others): (Vec<(usize, Job)>, Vec<(usize, Job)>) = jobs
        .iter()
        .copied()
        .enumerate()
        .partition(|(_, j)| j.typesets());
    let run_one = |job: &Job<'p>| {
        let key = keys.job(job, out, ctx);
        let produced = cache.produce(key.as_ref(), &job.target(out), || job.render(ctx));
        observed(
            progress,
            job,
            out,
            outcome(Owner::of(job), Some(job.edition()), produced),
        )
    };
    let typeset = std::sync::Mutex::new(Vec::with_capacity(typeset_jobs.len()));
    let threads = rayon::current_num_threads();
    let mut results: Vec<(usize, Outcome<'p>)> = std::thread::scope(|scope| {
        scope.spawn(|| {
            crate::write::pdf::on_plain_threads(&typeset_jobs, threads, &|_, (i, job)| {
                let outcome = run_one(job);
                typeset
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((*i, outcome));
            });
        });
        others
            .par_iter()
            .map(|(i, job)| (*i, run_one(job)))
            .collect()
    });
    results.extend(typeset.into_inner().unwrap_or_else(|e| e.into_inner()));
    // Every edition but the PDF in plan order, then the PDFs in plan
    // order: warnings print in the same order in every build.
    results.sort_by_key(|(i, o)| (o.edition == Edition::Pdf, *i));
    results.into_iter().map(|(_, o)| o).collect()
}

/// The outcome of a job of `edition` (`None`: an e-mail message, whose
/// warnings are not tagged with an edition).
fn outcome<'p>(
    owner: Owner<'p>,
    edition: Option<Edition>,
    produced: Result<(WrittenFile, Vec<Diagnostic>, Produced), (Diagnostic, Produced)>,
) -> Outcome<'p> {
    let (result, produced) = match produced {
        Ok((file, warnings, how)) => {
            let warnings = match edition {
                Some(e) => tagged(warnings, e),
                None => warnings,
            };
            (Ok((file, warnings)), how)
        }
        Err((e, how)) => (Err(e), how),
    };
    Outcome {
        owner,
        edition: edition.unwrap_or(Edition::Email),
        result,
        produced,
    }
}

/// Tells `progress` that `job` ended (and where it wrote, when it did).
fn observed<'p>(
    progress: &crate::progress::Hook,
    job: &Job<'p>,
    out: &Path,
    outcome: Outcome<'p>,
) -> Outcome<'p> {
    let (kind, name) = Owner::of(job).progress_name();
    let path = outcome.result.is_ok().then(|| job.target(out));
    progress.done(kind, name, job.edition().label(), path.as_deref());
    outcome
}

/// Each owner of `jobs` and its number of jobs, in plan order, for
/// `progress::Observer::planned`.
pub fn owners(jobs: &[Job]) -> Vec<(crate::progress::Kind, String, usize)> {
    let mut owners: Vec<(crate::progress::Kind, String, usize)> = Vec::new();
    for job in jobs {
        let (kind, name) = Owner::of(job).progress_name();
        match owners.iter_mut().find(|(k, n, _)| *k == kind && n == name) {
            Some(entry) => entry.2 += 1,
            None => owners.push((kind, name.to_string(), 1)),
        }
    }
    owners
}

impl<'p> Owner<'p> {
    fn progress_name(self) -> (crate::progress::Kind, &'p str) {
        match self {
            Owner::Post(p) => (crate::progress::Kind::Post, p.meta.slug.as_str()),
            Owner::Packet(p) => (crate::progress::Kind::Packet, p.name.as_str()),
        }
    }
}

/// A writer's warnings, each naming the edition it is about (unless the
/// writer named the editions itself), so that one cause reported by
/// several editions can be printed once (`diag::merge_editions`).
fn tagged(mut warnings: Vec<Diagnostic>, edition: Edition) -> Vec<Diagnostic> {
    for w in &mut warnings {
        if w.editions.is_empty() {
            w.editions.push(edition.label());
        }
    }
    warnings
}

/// Second step, once every edition is written: the standard e-mail
/// messages — `email/<slug>.eml` for each post whose text edition was
/// written, `packets/<name>.eml` and one per recipient for each packet
/// whose digest was — with the attached editions read back from the output
/// folder. A message whose attachment failed or is missing is not written:
/// an incomplete message must never be sent. Also returns warnings (a
/// packet recipient without an address gets no message).
pub fn write_messages<'p>(
    outcomes: &[Outcome<'p>],
    out: &Path,
    ctx: &Context,
    cache: &Cache,
    keys: &Keys,
    shard: Option<crate::shard::Shard>,
) -> (Vec<Outcome<'p>>, Vec<Diagnostic>) {
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
            Owner::Post(post) => {
                jobs.push((o.owner, MessageJob::post(post, out, failed_editions, ctx)))
            }
            Owner::Packet(packet) => {
                let (packet_jobs, w) = MessageJob::packet(packet, out, failed_editions, ctx);
                warnings.extend(w);
                jobs.extend(packet_jobs.into_iter().map(|j| (o.owner, j)));
            }
        }
    }
    // A shard writes only its own messages (it may have rendered a digest
    // for them that other shards' messages also need).
    if let Some(shard) = shard {
        jobs.retain(|(_, job)| shard.owns(job.path.strip_prefix(out).unwrap_or(&job.path)));
    }
    // What each attachment holds, as this build wrote it: part of the
    // message's cache key.
    let attached: std::collections::HashMap<&Path, &str> = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok())
        .map(|(file, _)| (file.path.as_path(), file.sha256.as_str()))
        .collect();
    let attached = |p: &Path| attached.get(p).map(|s| s.to_string());
    let written = jobs
        .par_iter()
        .map(|(owner, job)| {
            let key = match owner {
                Owner::Post(post) => MessageOwner::Post(post),
                Owner::Packet(packet) => MessageOwner::Packet(packet),
            };
            let key = keys.message(job, key, &attached, out, ctx);
            let produced = cache.produce(key.as_ref(), &job.path, || {
                crate::write::email::jobs::render_job(job, ctx, &output::read_written)
            });
            // Messages name their editions themselves: not tagged.
            outcome(*owner, None, produced)
        })
        .collect();
    (written, warnings)
}
