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

/// One file of the output folder as the manifest lists it: where it is
/// (relative to the output folder, `/` separators), its bytes, and whose
/// output it is, so a later build knows which files are its to replace or
/// remove.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Listed {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    /// `pdf`, `epub` or `email` (messages and digests are e-mail).
    pub edition: Option<String>,
    /// The post's source, relative to the project, for a post's output.
    pub source: Option<String>,
    /// The packet's name, for a packet's output.
    pub packet: Option<String>,
    /// Who signed the file, when `[sign]` signed it: `brief verify` then
    /// fails it when its signature is missing or another key's.
    pub signed: Option<Signed>,
}

/// A signed file's signer as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Signed {
    /// The certificate's subject (`CN=…,O=…`).
    pub signer: String,
    /// The SHA-256 of the certificate (lower-case hex).
    pub certificate_sha256: String,
}

impl Signed {
    fn json(&self) -> Value {
        json!({"signer": self.signer, "certificate_sha256": self.certificate_sha256})
    }

    fn read(v: &Value) -> Option<Signed> {
        Some(Signed {
            signer: v.get("signer")?.as_str()?.to_string(),
            certificate_sha256: v.get("certificate_sha256")?.as_str()?.to_string(),
        })
    }
}

/// What the last build's manifest said: its files, and the integrity
/// records a build of fewer posts carries over.
#[derive(Debug, Default)]
pub struct Previous {
    pub files: Vec<Listed>,
    pub briefs: Vec<Value>,
    pub packets: Vec<Value>,
}

/// The manifest in `out`, or nothing when there is none or it cannot be
/// read (then no file counts as listed, and no file is ever removed).
pub fn read_previous(out: &Path) -> Previous {
    let Ok(bytes) = crate::files::read_regular(&out.join(FILE_NAME), 256 * 1024 * 1024) else {
        return Previous::default();
    };
    let Ok(manifest) = serde_json::from_slice::<Value>(&bytes) else {
        return Previous::default();
    };
    let text = |f: &Value, k: &str| f.get(k).and_then(Value::as_str).map(str::to_string);
    let files = manifest["files"]
        .as_array()
        .map(|files| {
            files
                .iter()
                .filter_map(|f| {
                    Some(Listed {
                        path: text(f, "path")?,
                        sha256: text(f, "sha256")?,
                        bytes: f.get("bytes").and_then(Value::as_u64)?,
                        edition: text(f, "edition"),
                        source: text(f, "source"),
                        packet: text(f, "packet"),
                        signed: f.get("signed").and_then(Signed::read),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let list = |k: &str| manifest[k].as_array().cloned().unwrap_or_default();
    Previous {
        files,
        briefs: list("briefs"),
        packets: list("packets"),
    }
}

/// The manifest's bytes (pretty JSON, one trailing newline): the posts and
/// packets of this build, the records `carried` over from the last one
/// (posts and packets whose outputs were kept), and every listed file.
pub fn render(
    posts: &[Post],
    packets: &[Packet],
    carried: &Previous,
    files: &[Listed],
    shard: Option<crate::shard::Shard>,
    ctx: &Context,
) -> Vec<u8> {
    let mut briefs: Vec<Value> = posts.iter().map(|p| json!(integrity(p, ctx))).collect();
    briefs.extend(carried.briefs.iter().cloned());
    briefs.sort_by(|a, b| a["slug"].as_str().cmp(&b["slug"].as_str()));
    let packets: Vec<Value> = packets
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "title": p.title,
                "date": p.day.format("%Y-%m-%d").to_string(),
                "briefs": p.briefs.iter().map(|b| b.meta.slug.as_str()).collect::<Vec<_>>(),
                "recipients": p.recipients.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
                "cover_letter": p.letter.as_ref().map(|l| json!({
                    "source": ctx.resources.project_relative(&l.source),
                    "sha256": l.source_sha256,
                })),
            })
        })
        .chain(carried.packets.iter().cloned())
        .collect();
    let mut files: Vec<Value> = files
        .iter()
        .map(|f| {
            let mut entry = json!({"path": f.path, "sha256": f.sha256, "bytes": f.bytes});
            for (k, v) in [
                ("edition", &f.edition),
                ("source", &f.source),
                ("packet", &f.packet),
            ] {
                if let Some(v) = v {
                    entry[k] = json!(v);
                }
            }
            if let Some(signed) = &f.signed {
                entry["signed"] = signed.json();
            }
            entry
        })
        .collect();
    files.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
    let mut manifest = json!({
        "tool": tool_version(),
        "briefs": briefs,
        "packets": packets,
        "files": files,
    });
    // A shard's manifest says which share it holds (`brief merge` checks
    // it); an unsharded one says nothing, so merged and unsharded agree.
    if let Some(shard) = shard {
        manifest["shard"] = json!({"index": shard.index, "count": shard.count});
    }
    let mut bytes = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}
