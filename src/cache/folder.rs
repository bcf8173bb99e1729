//! The output folder holds exactly the last build's result, and the
//! manifest lists exactly the output folder. After a build, each file the
//! previous manifest listed that this build did not produce is one of:
//!
//! - **out of scope**: the build was of named posts (only their outputs are
//!   its business) or of some editions (`--format`): kept, listed as before;
//! - **its owner failed**: the post could not be read or its edition failed,
//!   or the packet could not be built this time: the last good output is
//!   kept (the same promise as an atomic write), listed as before;
//! - **stale**: its post was deleted, became a draft, changed its slug, or
//!   no longer builds that output (a packet or recipient removed, e-mail
//!   messages switched off): removed.
//!
//! A kept file is hashed again, so its entry says what is on disk; a listed
//! file that is gone is no longer listed. Files the previous manifest did
//! not list are never touched (and so never listed).

use crate::diag::Diagnostic;
use crate::output::incremental::{listed_path, remove_listed};
use crate::output::manifest::{Listed, Previous};
use crate::write::Edition;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::Path;

/// What a build was asked to produce.
#[derive(Debug)]
pub struct Scope<'a> {
    pub editions: &'a [Edition],
    /// The named posts' sources (project-relative); `None`: every post and
    /// packet.
    pub sources: Option<BTreeSet<String>>,
}

/// Owners whose last good outputs stay because they failed this time.
#[derive(Debug, Default)]
pub struct Failed {
    pub sources: BTreeSet<String>,
    pub packets: BTreeSet<String>,
}

/// The settled folder: every file to list, and the files removed.
#[derive(Debug, Default)]
pub struct Settled {
    pub files: Vec<Listed>,
    pub removed: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// Sources and packets some kept file belongs to: their integrity
    /// records are carried over from the previous manifest.
    pub kept_sources: BTreeSet<String>,
    pub kept_packets: BTreeSet<String>,
}

impl Scope<'_> {
    fn covers(&self, file: &Listed) -> bool {
        let edition = match file.edition.as_deref().and_then(Edition::from_name) {
            Some(e) => self.editions.contains(&e),
            // A manifest from before editions were listed: only a build of
            // every edition may judge its files.
            None => Edition::ALL.iter().all(|e| self.editions.contains(e)),
        };
        let owner = match &self.sources {
            None => true,
            Some(named) => file.source.as_ref().is_some_and(|s| named.contains(s)),
        };
        edition && owner
    }
}

impl Failed {
    fn owns(&self, file: &Listed) -> bool {
        file.source
            .as_ref()
            .is_some_and(|s| self.sources.contains(s))
            || file
                .packet
                .as_ref()
                .is_some_and(|p| self.packets.contains(p))
    }
}

/// Settles the output folder `out` after a build that produced `produced`.
pub fn settle(
    out: &Path,
    previous: &Previous,
    mut produced: Vec<Listed>,
    scope: &Scope,
    failed: &Failed,
) -> Settled {
    let mut settled = Settled::default();
    let made: BTreeSet<String> = produced.iter().map(|f| f.path.clone()).collect();
    for old in previous.files.iter().filter(|f| !made.contains(&f.path)) {
        if scope.covers(old) && !failed.owns(old) {
            match remove_listed(out, &old.path) {
                Ok(true) => settled.removed.push(old.path.clone()),
                Ok(false) => {}
                Err(d) => settled.diagnostics.push(d),
            }
        } else if let Some(kept) = rehash(out, old) {
            settled.kept_sources.extend(kept.source.clone());
            settled.kept_packets.extend(kept.packet.clone());
            produced.push(kept);
        }
    }
    produced.sort();
    produced.dedup_by(|a, b| a.path == b.path);
    settled.files = produced;
    settled
}

/// The kept file's entry as it is on disk now, or none when it is gone.
fn rehash(out: &Path, old: &Listed) -> Option<Listed> {
    let path = listed_path(out, &old.path)?;
    let meta = std::fs::symlink_metadata(&path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let bytes = std::fs::read(&path).ok()?;
    Some(Listed {
        sha256: crate::ir::hex(&Sha256::digest(&bytes)),
        bytes: bytes.len() as u64,
        ..old.clone()
    })
}

/// The manifest records of the last build to carry over: those of posts
/// and packets whose files were kept and that this build did not record
/// itself.
pub fn carried(previous: Previous, settled: &Settled, recorded: &BTreeSet<String>) -> Previous {
    let field = |v: &serde_json::Value, k: &str| v[k].as_str().map(str::to_string);
    Previous {
        files: Vec::new(),
        briefs: previous
            .briefs
            .into_iter()
            .filter(|b| {
                field(b, "source")
                    .is_some_and(|s| settled.kept_sources.contains(&s) && !recorded.contains(&s))
            })
            .collect(),
        packets: previous
            .packets
            .into_iter()
            .filter(|p| {
                field(p, "name").is_some_and(|n| {
                    settled.kept_packets.contains(&n) && !recorded.contains(&format!("packet {n}"))
                })
            })
            .collect(),
    }
}
