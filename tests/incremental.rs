//! Incremental builds through the real binary: the cache reuses exactly
//! what an edit cannot change, a cached build writes the same bytes as a
//! fresh one, a damaged cache entry is rendered again (never copied), and
//! the output folder and its manifest are exactly the last build's result
//! after every kind of build. `brief watch` is in tests/watch.rs.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const SAMPLE: &str = "the-case-for-international-oversight-of-korean-child-trafficking-networks";

/// The shipped project (sample post, packet with two recipients, cover
/// letter) plus two more posts, with e-mail messages switched on.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_tree(&root.join("content"), &dir.path().join("content"));
    copy_tree(&root.join("letters"), &dir.path().join("letters"));
    // The English sample and its packet only: the sets below are written
    // for them (the shipped Korean translation and its bilingual packet
    // are left out).
    std::fs::remove_file(dir.path().join(format!("content/{SAMPLE}.ko.md"))).unwrap();
    let sample = std::fs::read_to_string(dir.path().join(format!("content/{SAMPLE}.md"))).unwrap();
    for slug in ["second", "third"] {
        let post = sample.replacen(
            &format!("slug: \"{SAMPLE}\""),
            &format!("slug: \"{slug}\""),
            1,
        );
        assert_ne!(post, sample, "the sample's slug line moved");
        std::fs::write(dir.path().join(format!("content/{slug}.md")), post).unwrap();
    }
    let shipped = std::fs::read_to_string(root.join("brief.toml")).unwrap();
    let second_packet = shipped
        .match_indices("[[packet]]")
        .nth(1)
        .map_or(shipped.len(), |(i, _)| i);
    let mut config = shipped[..second_packet].to_string();
    config.push_str(
        "\n[email]\nfrom = \"Briefing Desk <desk@example.org>\"\nto = [\"contact@mission.example\"]\n\n[email.contacts]\n\"Embassy of Example\" = \"consular@embassy.example\"\n",
    );
    std::fs::write(dir.path().join("brief.toml"), config).unwrap();
    dir
}

/// Runs `brief build -v ARGS` and returns the files it rendered (not
/// reused), relative to the output folder.
fn build(dir: &Path, args: &[&str]) -> BTreeSet<String> {
    let mut all = vec!["build", "-v"];
    all.extend(args);
    let out = run_in(dir, &all);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{stderr}"
    );
    rendered(&stderr)
}

fn rendered(stderr: &str) -> BTreeSet<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("rendered "))
        .filter_map(|l| l.rsplit_once(" in ").map(|(p, _)| p.to_string()))
        .map(|p| {
            p.split_once('/')
                .map_or(p.clone(), |(_, rest)| rest.to_string())
        })
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn post_outputs(slug: &str) -> Vec<String> {
    [
        "pdf/{}.pdf",
        "epub/{}.epub",
        "email/{}.txt",
        "summary/{}.txt",
        "email/{}.eml",
    ]
    .iter()
    .map(|p| p.replace("{}", slug))
    .collect()
}

// The shipped packet: the general copy, the embassy's copy and the
// delegation's two numbered copies (`copies = 2`).
const PACKET_PDFS: [&str; 4] = [
    "packets/oversight-briefing.pdf",
    "packets/oversight-briefing/embassy-of-example.pdf",
    "packets/oversight-briefing/delegation-to-the-example-council-copy-1.pdf",
    "packets/oversight-briefing/delegation-to-the-example-council-copy-2.pdf",
];
const PACKET_MESSAGES: [&str; 2] = [
    "packets/oversight-briefing.eml",
    "packets/oversight-briefing/embassy-of-example.eml",
];

/// Every output file and its bytes (the cache folder left out).
fn outputs(out: &Path) -> Vec<(String, Vec<u8>)> {
    files_under(out)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(out.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

fn append(path: &Path, text: &str) {
    let mut s = std::fs::read_to_string(path).unwrap();
    s.push_str(text);
    std::fs::write(path, s).unwrap();
}

#[test]
fn only_what_an_edit_can_change_is_rendered_again() {
    let dir = project();
    let p = dir.path();
    let first = build(p, &[]);
    assert_eq!(first.len(), 3 * 5 + 4 + 2 + 2, "{first:?}");
    assert_eq!(build(p, &[]), set(&[]), "a no-op rebuild renders nothing");

    // One post that no packet includes: its editions and message only.
    append(&p.join("content/third.md"), "\nOne more paragraph.\n");
    let third: BTreeSet<String> = post_outputs("third").into_iter().collect();
    assert_eq!(build(p, &[]), third);

    // The packet's brief: its editions, message, and every packet output.
    append(
        &p.join(format!("content/{SAMPLE}.md")),
        "\nOne more paragraph.\n",
    );
    let mut sample: BTreeSet<String> = post_outputs(SAMPLE).into_iter().collect();
    sample.extend(PACKET_PDFS.iter().map(|s| s.to_string()));
    sample.extend(PACKET_MESSAGES.iter().map(|s| s.to_string()));
    sample.insert("packets/oversight-briefing.epub".into());
    sample.insert("packets/oversight-briefing.txt".into());
    assert_eq!(build(p, &[]), sample);

    // The PDF template: every PDF and nothing else (no message attaches one).
    let mut pdfs: BTreeSet<String> = ["second", "third", SAMPLE]
        .iter()
        .map(|s| format!("pdf/{s}.pdf"))
        .collect();
    pdfs.extend(PACKET_PDFS.iter().map(|s| s.to_string()));
    std::fs::create_dir_all(p.join("templates")).unwrap();
    let template =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/brief.typ"))
            .unwrap();
    std::fs::write(p.join("templates/brief.typ"), template + "\n// edited\n").unwrap();
    assert_eq!(build(p, &[]), pdfs);

    // [text] width: the text and summary editions, the digest and the
    // messages.
    append(&p.join("brief.toml"), "\n[text]\nwidth = 66\n");
    let mut text: BTreeSet<String> = ["second", "third", SAMPLE]
        .iter()
        .flat_map(|s| {
            [
                format!("email/{s}.txt"),
                format!("summary/{s}.txt"),
                format!("email/{s}.eml"),
            ]
        })
        .collect();
    text.insert("packets/oversight-briefing.txt".into());
    text.extend(PACKET_MESSAGES.iter().map(|s| s.to_string()));
    assert_eq!(build(p, &[]), text);

    // A new font in fonts/: the PDFs and the EPUBs (their typeset covers).
    std::fs::create_dir_all(p.join("fonts")).unwrap();
    let font = typst_assets::fonts().next().unwrap();
    std::fs::write(p.join("fonts/extra.otf"), font).unwrap();
    let mut typeset = pdfs.clone();
    typeset.extend(
        ["second", "third", SAMPLE]
            .iter()
            .map(|s| format!("epub/{s}.epub")),
    );
    typeset.insert("packets/oversight-briefing.epub".into());
    assert_eq!(build(p, &[]), typeset);
    assert_eq!(build(p, &[]), set(&[]));
    // After all those edits the default cache holds one entry per output:
    // a full build prunes what it did not use.
    assert_eq!(
        entries(&p.join("output").join(brief::cache::DEFAULT_DIR)).len(),
        first.len()
    );
}

#[test]
fn a_cached_build_writes_the_same_bytes_as_a_fresh_one() {
    let dir = project();
    let p = dir.path();
    build(p, &["--no-cache", "--out", "fresh"]);
    assert!(
        !p.join("fresh").join(brief::cache::DEFAULT_DIR).exists(),
        "--no-cache keeps no cache"
    );
    let fresh = outputs(&p.join("fresh"));
    assert!(fresh.len() > 15);
    build(p, &["--cache-dir", "shared-cache", "--out", "first"]);
    // Another output folder sharing the cache: nothing is rendered, and
    // every file holds the fresh build's bytes.
    assert_eq!(
        build(p, &["--cache-dir", "shared-cache", "--out", "second"]),
        set(&[])
    );
    assert_eq!(outputs(&p.join("second")), fresh);
    // Outputs deleted or damaged: restored from the cache, not rendered.
    std::fs::remove_file(p.join(format!("second/pdf/{SAMPLE}.pdf"))).unwrap();
    std::fs::write(p.join("second/packets/oversight-briefing.epub"), b"damaged").unwrap();
    assert_eq!(
        build(p, &["--cache-dir", "shared-cache", "--out", "second"]),
        set(&[])
    );
    assert_eq!(outputs(&p.join("second")), fresh);
}

/// Every entry file of a cache folder.
fn entries(cache: &Path) -> Vec<PathBuf> {
    files_under(cache)
        .into_iter()
        .filter(|f| f.starts_with("objects/"))
        .map(|f| cache.join(f))
        .collect()
}

#[test]
fn a_damaged_cache_entry_is_rendered_again_and_never_copied() {
    let dir = project();
    let p = dir.path();
    let all = build(p, &["--out", "fresh", "--no-cache"]);
    let fresh = outputs(&p.join("fresh"));
    build(p, &["--cache-dir", "cache", "--out", "a"]);
    let entries = entries(&p.join("cache"));
    assert_eq!(entries.len(), all.len());
    for (i, entry) in entries.iter().enumerate() {
        let mut bytes = std::fs::read(entry).unwrap();
        match i % 3 {
            // One byte of the output's bytes changed, length kept.
            0 => {
                let last = bytes.len() - 1;
                bytes[last] ^= 0x20;
            }
            // Truncated.
            1 => bytes.truncate(bytes.len() * 2 / 3),
            // The header's recorded hash changed.
            _ => bytes[20] = if bytes[20] == b'0' { b'1' } else { b'0' },
        }
        std::fs::write(entry, bytes).unwrap();
    }
    // A new output folder: every output must come from the cache or be
    // rendered; none may be a damaged entry's bytes.
    assert_eq!(build(p, &["--cache-dir", "cache", "--out", "b"]), all);
    assert_eq!(outputs(&p.join("b")), fresh);
    // The entries were replaced: the next folder is restored whole.
    assert_eq!(build(p, &["--cache-dir", "cache", "--out", "c"]), set(&[]));
    assert_eq!(outputs(&p.join("c")), fresh);
}

/// The manifest's files, as sorted relative paths.
fn listed(out: &Path) -> Vec<String> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let mut files: Vec<String> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    files.sort();
    for f in manifest["files"].as_array().unwrap() {
        let bytes = std::fs::read(out.join(f["path"].as_str().unwrap())).unwrap();
        assert_eq!(f["bytes"].as_u64().unwrap(), bytes.len() as u64);
        assert_eq!(
            f["sha256"].as_str().unwrap(),
            brief::ir::hex(&<sha2::Sha256 as sha2::Digest>::digest(&bytes))
        );
    }
    files
}

/// The manifest lists exactly the output folder (besides the manifest and
/// the user's own file, which no build lists and none may remove).
fn assert_truthful(out: &Path, step: &str) {
    let mut on_disk = files_under(out);
    on_disk.retain(|f| f != "manifest.json" && f != "my-notes.txt");
    assert_eq!(listed(out), on_disk, "after {step}");
    assert_eq!(
        std::fs::read(out.join("my-notes.txt")).unwrap(),
        b"mine",
        "after {step}: a file no manifest listed was touched"
    );
}

#[test]
fn the_output_folder_is_the_last_builds_result_after_every_kind_of_build() {
    let dir = project();
    let p = dir.path();
    let out = p.join("output");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("my-notes.txt"), b"mine").unwrap();
    build(p, &[]);
    assert_truthful(&out, "the first build");
    let everything = listed(&out);

    // A build of one named post updates its entries and keeps the rest.
    append(&p.join("content/third.md"), "\nEdited.\n");
    let named = build(p, &["content/third.md"]);
    assert_eq!(named, post_outputs("third").into_iter().collect());
    assert_truthful(&out, "a build of one named post");
    assert_eq!(listed(&out), everything);

    // A build of one edition leaves the others alone.
    append(&p.join("content/second.md"), "\nEdited.\n");
    build(p, &["--format", "pdf"]);
    assert_truthful(&out, "a PDF-only build");
    assert_eq!(listed(&out), everything);

    // A deleted post: its outputs go.
    std::fs::remove_file(p.join("content/second.md")).unwrap();
    build(p, &[]);
    assert_truthful(&out, "deleting a post");
    for f in post_outputs("second") {
        assert!(!out.join(&f).exists(), "{f} outlived its post");
    }

    // A post that breaks keeps its last good outputs.
    let third = p.join("content/third.md");
    let good = std::fs::read(&third).unwrap();
    std::fs::write(&third, "---\ntitle: [never closed\n---\nText.\n").unwrap();
    let out_bytes = std::fs::read(out.join("pdf/third.pdf")).unwrap();
    build(p, &[]);
    assert_truthful(&out, "a post that fails to read");
    assert_eq!(std::fs::read(out.join("pdf/third.pdf")).unwrap(), out_bytes);
    std::fs::write(&third, &good).unwrap();

    // A post that becomes a draft no longer builds.
    let draft = String::from_utf8(good.clone())
        .unwrap()
        .replacen("---\n", "---\ndraft: true\n", 1);
    std::fs::write(&third, draft).unwrap();
    build(p, &[]);
    assert_truthful(&out, "a post becoming a draft");
    assert!(!out.join("pdf/third.pdf").exists());

    // A recipient, then e-mail messages, then the packet removed from
    // brief.toml: their outputs go.
    let config = std::fs::read_to_string(p.join("brief.toml")).unwrap();
    let delegation = "[[packet.recipient]]\nname = \"Delegation to the Example Council\"\nsalutation = \"Excellencies\"\ncopies = 2\n";
    assert!(
        config.contains(delegation),
        "the shipped packet's second recipient"
    );
    let config = config.replace(delegation, "");
    std::fs::write(p.join("brief.toml"), &config).unwrap();
    build(p, &[]);
    assert_truthful(&out, "removing a recipient");
    assert!(!out.join(PACKET_PDFS[2]).exists());
    assert!(!out.join(PACKET_PDFS[3]).exists());
    assert!(out.join(PACKET_PDFS[1]).exists());
    let no_mail = config
        .replace("from = \"Briefing Desk <desk@example.org>\"\n", "")
        .replace("to = [\"contact@mission.example\"]\n", "");
    std::fs::write(p.join("brief.toml"), &no_mail).unwrap();
    build(p, &[]);
    assert_truthful(&out, "switching messages off");
    assert!(files_under(&out).iter().all(|f| !f.ends_with(".eml")));
    let start = no_mail.find("[[packet]]").unwrap();
    let end = no_mail.find("[email]").unwrap();
    let no_packet = format!("{}{}", &no_mail[..start], &no_mail[end..]);
    std::fs::write(p.join("brief.toml"), no_packet).unwrap();
    build(p, &[]);
    assert_truthful(&out, "removing the packet");
    assert!(!out.join("packets").exists());
    let mut left = post_outputs(SAMPLE)[..4].to_vec();
    left.sort();
    assert_eq!(listed(&out), left);

    // brief clean: what builds wrote goes; the user's file stays.
    let clean = run_in(p, &["clean"]);
    assert_eq!(clean.status.code(), Some(0));
    assert_eq!(files_under(&out), ["my-notes.txt"]);
    assert!(!out.join(brief::cache::DEFAULT_DIR).exists());
}
