//! Splitting one build across machines: `--shard K/N` (or `BRIEF_SHARD`,
//! or Kubernetes' `JOB_COMPLETION_INDEX` with `--shards N`) makes a build
//! render only its share of the outputs; `brief merge` puts the shards'
//! folders back together (`output::merge`).
//!
//! The share is decided per *unit*, by a stable hash of the unit's name:
//! a post (all its editions and its message), a packet's general copy
//! (its PDF, EPUB, digest and general message), or one addressed copy of a
//! packet (its PDF and its recipient's message). The name comes from where
//! an output goes, so every shard, on any machine and any version of this
//! tool that writes the same paths, draws the same lines. Every shard
//! still reads and checks every post (cheap next to typesetting), so each
//! shard's manifest records every post and packet, and the manifests of
//! all shards agree on everything but their files.
//!
//! A message attaches files of other units (a recipient's message attaches
//! the packet's EPUB); a shard renders those too, so the merge sees the
//! same bytes twice and keeps one (`output::merge` refuses a path two
//! shards wrote differently).

use crate::diag::Diagnostic;
use sha2::{Digest, Sha256};
use std::path::Path;

/// This build's share: shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

/// The most shards a build may be split into: past it a shard holds too
/// little to be worth a machine, and a typo (`--shard 1/1000000`) is more
/// likely than a farm that size.
pub const MAX_SHARDS: usize = 10_000;

impl Shard {
    /// `K/N` as typed (`2/3`), with 1 ≤ K ≤ N.
    pub fn parse(text: &str) -> Result<Shard, Diagnostic> {
        let bad = || {
            Diagnostic::error(format!("{:?} is not a shard", text.trim()))
                .with_hint("write K/N, the K-th of N shards counted from 1: --shard 2/3")
        };
        let (k, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let (k, n): (usize, usize) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        Shard::new(k, n)
    }

    /// Shard `index` (1-based) of `count`, checked.
    pub fn new(index: usize, count: usize) -> Result<Shard, Diagnostic> {
        if count == 0 || count > MAX_SHARDS {
            return Err(Diagnostic::error(format!(
                "a build splits into 1 to {MAX_SHARDS} shards, not {count}"
            )));
        }
        if index == 0 || index > count {
            return Err(
                Diagnostic::error(format!("shard {index} of {count} does not exist"))
                    .with_hint(format!("shards are counted from 1 to {count}")),
            );
        }
        Ok(Shard { index, count })
    }

    /// The shard from `--shard`, else `BRIEF_SHARD`, else, with
    /// `--shards N`, Kubernetes' `JOB_COMPLETION_INDEX` (counted from 0).
    /// `env` is how the caller reads the environment.
    pub fn from_settings(
        shard: Option<&str>,
        shards: Option<usize>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<Shard>, Diagnostic> {
        if let Some(text) = shard {
            return Shard::parse(text).map(Some);
        }
        if let Some(count) = shards {
            let index = env("JOB_COMPLETION_INDEX").ok_or_else(|| {
                Diagnostic::error("--shards N needs JOB_COMPLETION_INDEX")
                    .with_hint("Kubernetes sets it in an Indexed Job; elsewhere use --shard K/N")
            })?;
            let index: usize = index.trim().parse().map_err(|_| {
                Diagnostic::error(format!(
                    "JOB_COMPLETION_INDEX is {:?}, not a number",
                    index.trim()
                ))
            })?;
            return Shard::new(index + 1, count).map(Some);
        }
        match env("BRIEF_SHARD") {
            Some(text) if !text.trim().is_empty() => Shard::parse(&text).map(Some).map_err(|d| {
                let hint = d.hint.clone().unwrap_or_default();
                d.with_hint(format!("{hint} (read from BRIEF_SHARD)"))
            }),
            _ => Ok(None),
        }
    }

    /// Whether the unit an output at `relative` (to the output folder)
    /// belongs to is this shard's.
    pub fn owns(&self, relative: &Path) -> bool {
        shard_of(&unit_of(relative), self.count) == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The unit an output belongs to, from its path relative to the output
/// folder: `packets/<name>[/<copy>]` for a packet's outputs (the general
/// copy's PDF, EPUB, digest and message share the stem `packets/<name>`),
/// `post/<slug>` for a post's (`pdf/<slug>.pdf`, `email/<slug>.eml`, …).
pub fn unit_of(relative: &Path) -> String {
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let stem = |name: &str| match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => name.to_string(),
    };
    let (first, rest) = match parts.split_first() {
        None => return String::new(),
        Some((only, [])) => return stem(only),
        Some(split) => split,
    };
    // The edition folder of a post's output does not split the post.
    let head = if first == "packets" {
        "packets"
    } else {
        "post"
    };
    let (last, folders) = rest.split_last().expect("rest is not empty");
    let mut unit = vec![head.to_string()];
    unit.extend(folders.iter().cloned());
    unit.push(stem(last));
    unit.join("/")
}

/// The shard (1-based) of `count` a unit falls in: the first eight bytes
/// of the SHA-256 of its name, modulo `count`. SHA-256, not Rust's
/// hasher: the split must not change between machines or versions.
fn shard_of(unit: &str, count: usize) -> usize {
    let digest = Sha256::digest(unit.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % count as u64) as usize + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_and_a_packet_copy_are_units_of_their_own() {
        let unit = |p: &str| unit_of(Path::new(p));
        assert_eq!(unit("pdf/a.pdf"), "post/a");
        assert_eq!(unit("email/a.eml"), "post/a");
        assert_eq!(unit("summary/a.txt"), "post/a");
        assert_eq!(unit("epub/a.b.epub"), "post/a.b");
        assert_eq!(unit("packets/p.pdf"), "packets/p");
        assert_eq!(unit("packets/p.eml"), "packets/p");
        assert_eq!(unit("packets/p/embassy-x.pdf"), "packets/p/embassy-x");
        assert_eq!(unit("packets/p/embassy-x.eml"), "packets/p/embassy-x");
    }

    #[test]
    fn every_unit_falls_in_exactly_one_shard() {
        for n in 1..6 {
            for u in [
                "pdf/a.pdf",
                "packets/p.pdf",
                "packets/p/x.pdf",
                "epub/z.epub",
            ] {
                let owners = (1..=n)
                    .filter(|&k| Shard::new(k, n).unwrap().owns(Path::new(u)))
                    .count();
                assert_eq!(owners, 1, "{u} in {n} shards");
            }
        }
    }

    #[test]
    fn shards_are_parsed_and_checked() {
        assert_eq!(Shard::parse("2/3").unwrap(), Shard { index: 2, count: 3 });
        for bad in ["0/3", "4/3", "1/0", "x/3", "3", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        let env = |k: &str| (k == "JOB_COMPLETION_INDEX").then(|| "2".to_string());
        assert_eq!(
            Shard::from_settings(None, Some(3), &env).unwrap(),
            Some(Shard { index: 3, count: 3 })
        );
        let brief_shard = |k: &str| (k == "BRIEF_SHARD").then(|| "1/2".to_string());
        assert_eq!(
            Shard::from_settings(None, None, &brief_shard).unwrap(),
            Some(Shard { index: 1, count: 2 })
        );
        assert_eq!(Shard::from_settings(None, None, &|_| None).unwrap(), None);
    }
}
