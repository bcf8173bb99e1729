//! `brief merge DIR… --out OUT`: the output folders of a sharded build
//! (`brief build --shard K/N`, see `shard`) put together into one, with
//! one manifest — the same files and the same manifest, byte for byte, as
//! one unsharded build of the same project.
//!
//! Refused, before anything is written: a folder without a shard's
//! manifest; two folders holding the same shard (overlap); a shard
//! missing; shards that disagree on how many there are, on the tool that
//! built them or on the posts and packets they read (a different commit or
//! configuration); a path two shards wrote with different bytes; a listed
//! file that is missing or changed since its build.

use super::plural;
use crate::diag::{Diagnostic, quote};
use crate::output::manifest::FILE_NAME;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What `brief merge` did.
#[derive(Debug, Default)]
pub struct MergeReport {
    pub shards: usize,
    pub files: usize,
    pub removed: usize,
}

impl MergeReport {
    pub fn summary_line(&self, out: &Path) -> String {
        format!(
            "{} shard{} merged into {}: {} file{} and manifest.json written{}",
            self.shards,
            plural(self.shards),
            out.display(),
            self.files,
            plural(self.files),
            match self.removed {
                0 => String::new(),
                n => format!(", {n} stale removed"),
            }
        )
    }
}

/// One shard's folder and what its manifest says.
struct ShardFolder {
    dir: PathBuf,
    index: u64,
    count: u64,
    manifest: Value,
}

pub fn run(args: &crate::cli::MergeArgs) -> Result<MergeReport, Diagnostic> {
    let shards = args
        .shards
        .iter()
        .map(|dir| read_shard(dir))
        .collect::<Result<Vec<_>, _>>()?;
    let out_canonical = args.out.canonicalize().ok();
    if let Some(same) = shards
        .iter()
        .find(|s| s.dir.canonicalize().ok() == out_canonical && out_canonical.is_some())
    {
        return Err(
            Diagnostic::error("cannot merge a shard into its own folder")
                .in_file(&same.dir)
                .with_hint("give --out a folder of its own"),
        );
    }
    check_complete(&shards)?;
    let files = union_of_files(&shards)?;

    let mut merged = shards[0].manifest.clone();
    if let Some(object) = merged.as_object_mut() {
        object.remove("shard");
    }
    merged["files"] = Value::Array(files.values().map(|(_, entry)| entry.clone()).collect());
    let mut manifest = serde_json::to_vec_pretty(&merged).unwrap_or_default();
    manifest.push(b'\n');

    let _lock = crate::output::lock_output(&args.out)?;
    let copies: Vec<(PathBuf, String, String)> = files
        .iter()
        .map(|(path, (dir, entry))| {
            let sha = entry["sha256"].as_str().unwrap_or_default().to_string();
            (dir.join(path), path.clone(), sha)
        })
        .collect();
    let removed = crate::output::merge::write(&args.out, &copies, &manifest)?;
    Ok(MergeReport {
        shards: shards.len(),
        files: files.len(),
        removed,
    })
}

/// The shard in `dir`, from its manifest.
fn read_shard(dir: &Path) -> Result<ShardFolder, Diagnostic> {
    let path = dir.join(FILE_NAME);
    let bytes = crate::files::read_regular(&path, 256 * 1024 * 1024).map_err(|e| {
        Diagnostic::error(format!("cannot read the shard's manifest: {e}"))
            .in_file(&path)
            .with_hint("each folder must be the --out of a `brief build --shard K/N`")
    })?;
    let manifest: Value = serde_json::from_slice(&bytes)
        .map_err(|e| Diagnostic::error(format!("the manifest is not JSON: {e}")).in_file(&path))?;
    let number = |k: &str| manifest["shard"][k].as_u64();
    match (number("index"), number("count")) {
        (Some(index), Some(count)) if index >= 1 && index <= count => Ok(ShardFolder {
            dir: dir.to_path_buf(),
            index,
            count,
            manifest,
        }),
        _ => Err(Diagnostic::error("this folder is not a shard's output")
            .in_file(&path)
            .with_hint("its manifest names no shard: build it with --shard K/N")),
    }
}

/// Every shard of one count present once, all built by the same tool from
/// the same posts and packets.
fn check_complete(shards: &[ShardFolder]) -> Result<(), Diagnostic> {
    let first = &shards[0];
    let mut seen: BTreeMap<u64, &Path> = BTreeMap::new();
    for shard in shards {
        if shard.count != first.count {
            return Err(Diagnostic::error(format!(
                "shards of different builds: {} holds shard {}/{}, {} shard {}/{}",
                first.dir.display(),
                first.index,
                first.count,
                shard.dir.display(),
                shard.index,
                shard.count
            )));
        }
        if let Some(other) = seen.insert(shard.index, &shard.dir) {
            return Err(Diagnostic::error(format!(
                "overlapping shards: {} and {} both hold shard {}/{}",
                other.display(),
                shard.dir.display(),
                shard.index,
                shard.count
            )));
        }
        for key in ["tool", "briefs", "packets"] {
            if shard.manifest[key] != first.manifest[key] {
                return Err(Diagnostic::error(format!(
                    "inconsistent shards: {} and {} disagree on their {}",
                    first.dir.display(),
                    shard.dir.display(),
                    match key {
                        "tool" => "version of brief",
                        "briefs" => "posts (built from different content?)",
                        _ => "packets (built with a different brief.toml?)",
                    }
                ))
                .with_hint("build every shard from the same commit, content and brief.toml"));
            }
        }
    }
    let missing: Vec<String> = (1..=first.count)
        .filter(|k| !seen.contains_key(k))
        .map(|k| format!("{k}/{}", first.count))
        .collect();
    if !missing.is_empty() {
        return Err(Diagnostic::error(format!(
            "incomplete: shard{} {} missing",
            plural(missing.len()),
            missing.join(", ")
        ))
        .with_hint("merge the output folders of every shard"));
    }
    Ok(())
}

/// Every listed file of every shard by path, with the shard folder it is
/// taken from; a path two shards list must be the same file (a message's
/// attachment is rendered by every shard that sends it).
fn union_of_files(
    shards: &[ShardFolder],
) -> Result<BTreeMap<String, (PathBuf, Value)>, Diagnostic> {
    let mut files: BTreeMap<String, (PathBuf, Value)> = BTreeMap::new();
    for shard in shards {
        for entry in shard.manifest["files"].as_array().into_iter().flatten() {
            let Some(path) = entry["path"].as_str() else {
                continue;
            };
            match files.get(path) {
                Some((dir, kept)) if kept != entry => {
                    return Err(Diagnostic::error(format!(
                        "inconsistent shards: {} and {} wrote {} differently",
                        dir.display(),
                        shard.dir.display(),
                        quote(path)
                    ))
                    .with_hint("build every shard from the same commit, content and brief.toml"));
                }
                Some(_) => {}
                None => {
                    files.insert(path.to_string(), (shard.dir.clone(), entry.clone()));
                }
            }
        }
    }
    Ok(files)
}
