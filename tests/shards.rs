//! A build split across machines (`--shard K/N`, `brief merge`): three
//! shards built into three folders and merged give the same files, byte
//! for byte, and the same manifest as one unsharded build; each shard
//! renders only its share; merge refuses overlapping, missing and
//! inconsistent shards. Through the real binary.

mod common;

use common::*;
use std::path::Path;

/// A project of eight posts (the sample and six renamed copies, plus its
/// Korean translation) and a packet to two recipients with addresses, so
/// the recipients' messages attach the packet's EPUB from another unit,
/// and a third with `redact = true`, whose copy, EPUB and digest come from
/// the packet's hidden twin.
fn project(dir: &Path) {
    let content = dir.join("content");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &content,
    );
    let sample = brief::read::discover(&content)
        .unwrap()
        .into_iter()
        .find(|p| !p.to_string_lossy().ends_with(".ko.md"))
        .unwrap();
    let text = std::fs::read_to_string(&sample).unwrap();
    for i in 1..=6 {
        let copy: String = text
            .lines()
            .filter(|l| !l.starts_with("slug:"))
            .map(|l| match l.starts_with("title:") {
                true => format!("title: Copy {i} of the brief\n"),
                false => format!("{l}\n"),
            })
            .collect();
        std::fs::write(content.join(format!("copy-{i}.md")), copy).unwrap();
    }
    std::fs::write(
        dir.join("brief.toml"),
        "[project]\norganisation = \"Desk\"\n\n\
         [email]\nfrom = \"Desk <desk@example.org>\"\nto = [\"all@example.org\"]\n\
         attach = [\"pdf\", \"epub\"]\n\
         contacts = { \"Embassy of A\" = \"a@example.org\", \"Embassy of B\" = \"b@example.org\" }\n\n\
         [[packet]]\nname = \"p\"\ntitle = \"P\"\ndate = \"2025-09-02\"\n\
         briefs = [\"copy-1\", \"copy-2\"]\nrecipients = [\"Embassy of A\", \"Embassy of B\"]\n\
         [[packet.recipient]]\nname = \"Embassy of C\"\nemail = \"c@example.org\"\nredact = true\n",
    )
    .unwrap();
}

fn build(dir: &Path, args: &[&str]) -> String {
    let out = brief()
        .args(["build", "--no-cache"])
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1756800000")
        .env_remove("BRIEF_SHARD")
        .env_remove("JOB_COMPLETION_INDEX")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{args:?}: {stderr}");
    stderr
}

#[test]
fn three_shards_merged_are_one_unsharded_build_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    project(root);
    build(root, &["--out", "whole"]);
    let mut rendered_by_shards = 0;
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let said = build(root, &["--shard", &shard, "--out", &format!("s{k}")]);
        assert!(said.contains(&format!("shard {shard}:")), "{said}");
        let files = files_under(&root.join(format!("s{k}")));
        rendered_by_shards += files.iter().filter(|f| f.ends_with(".pdf")).count();
    }
    let whole = files_under(&root.join("whole"));
    let pdfs = whole.iter().filter(|f| f.ends_with(".pdf")).count();
    // Each PDF is typeset by exactly one shard (only EPUBs attached to
    // other units' messages are made twice).
    assert_eq!(rendered_by_shards, pdfs);
    assert!(
        whole.iter().any(|f| f == "packets/p/embassy-of-a.eml"),
        "{whole:?}"
    );

    let out = run_in(root, &["merge", "s1", "s2", "s3", "--out", "merged"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(files_under(&root.join("merged")), whole);
    for file in &whole {
        assert!(
            std::fs::read(root.join("whole").join(file)).unwrap()
                == std::fs::read(root.join("merged").join(file)).unwrap(),
            "{file} differs"
        );
    }

    // BRIEF_SHARD and Kubernetes' index name the same shards.
    let by_env = brief()
        .args(["build", "--no-cache", "--out", "e2"])
        .current_dir(root)
        .env("SOURCE_DATE_EPOCH", "1756800000")
        .env("BRIEF_SHARD", "2/3")
        .output()
        .unwrap();
    assert!(by_env.status.success());
    let by_index = brief()
        .args(["build", "--no-cache", "--shards", "3", "--out", "k2"])
        .current_dir(root)
        .env("SOURCE_DATE_EPOCH", "1756800000")
        .env("JOB_COMPLETION_INDEX", "1")
        .output()
        .unwrap();
    assert!(by_index.status.success());
    assert_eq!(files_under(&root.join("e2")), files_under(&root.join("s2")));
    assert_eq!(files_under(&root.join("k2")), files_under(&root.join("s2")));

    // Refused: a shard twice, a shard missing, a shard of another build,
    // a file changed since its shard was built. Nothing is written.
    let refused = |args: &[&str], says: &str| {
        let out = run_in(root, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(!root.join("refused").exists());
    };
    refused(
        &["merge", "s1", "s2", "e2", "--out", "refused"],
        "overlapping shards",
    );
    refused(
        &["merge", "s1", "s2", "--out", "refused"],
        "incomplete: shard 3/3 missing",
    );
    refused(
        &["merge", "s1", "whole", "--out", "refused"],
        "not a shard's output",
    );
    std::fs::write(
        root.join("content/copy-9.md"),
        "---\ntitle: Late\ndate: 2025-09-03\n---\n\nText.\n",
    )
    .unwrap();
    build(root, &["--shard", "3/3", "--out", "late3"]);
    refused(
        &["merge", "s1", "s2", "late3", "--out", "refused"],
        "inconsistent shards",
    );
    let some_file = files_under(&root.join("s1"))
        .into_iter()
        .find(|f| f.ends_with(".txt"))
        .unwrap();
    std::fs::write(root.join("s1").join(&some_file), "tampered\n").unwrap();
    refused(
        &["merge", "s1", "s2", "s3", "--out", "refused"],
        "changed since its shard was built",
    );
}
