//! `output/manifest.json`: what a build wrote and from what. For every
//! post built, its integrity record (source file relative to the project,
//! date, SHA-256 of the source); for every packet, its briefs in order;
//! and the SHA-256 and size of every file the build wrote. Sorted and free
//! of timestamps, so the same inputs give the same bytes. Written last,
//! atomically, by the build.

use crate::ir::Post;
use crate::packet::Packet;
use crate::write::Context;
use crate::write::packet::{integrity, tool_version};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// One file the build wrote.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WrittenFile {
    pub path: PathBuf,
    pub sha256: String,
    pub bytes: usize,
}

impl WrittenFile {
    pub fn of(path: &Path, bytes: &[u8]) -> WrittenFile {
        use sha2::Digest;
        WrittenFile {
            path: path.to_path_buf(),
            sha256: crate::ir::hex(&sha2::Sha256::digest(bytes)),
            bytes: bytes.len(),
        }
    }
}

pub const FILE_NAME: &str = "manifest.json";

/// The manifest's bytes (pretty JSON, one trailing newline).
pub fn render(
    posts: &[Post],
    packets: &[Packet],
    files: &[WrittenFile],
    out: &Path,
    ctx: &Context,
) -> Vec<u8> {
    let mut briefs: Vec<Value> = posts.iter().map(|p| json!(integrity(p, ctx))).collect();
    briefs.sort_by(|a, b| a["slug"].as_str().cmp(&b["slug"].as_str()));
    let packets: Vec<Value> = packets
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "title": p.title,
                "date": p.day.format("%Y-%m-%d").to_string(),
                "briefs": p.briefs.iter().map(|b| b.meta.slug.as_str()).collect::<Vec<_>>(),
                "recipients": p.recipients,
                "cover_letter": p.letter.as_ref().map(|l| json!({
                    "source": ctx.resources.project_relative(&l.source),
                    "sha256": l.source_sha256,
                })),
            })
        })
        .collect();
    let mut files: Vec<Value> = files
        .iter()
        .map(|f| {
            let rel = f.path.strip_prefix(out).unwrap_or(&f.path);
            json!({"path": rel.to_string_lossy().replace('\\', "/"), "sha256": f.sha256, "bytes": f.bytes})
        })
        .collect();
    files.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
    let manifest = json!({
        "tool": tool_version(),
        "briefs": briefs,
        "packets": packets,
        "files": files,
    });
    let mut bytes = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}
