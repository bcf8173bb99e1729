//! Addressed copies put together from a front typeset for each copy and a
//! body typeset once (`write::packet::pdf::assemble`), through the real
//! binary: every page of every copy is numbered "Page n of N" for its own
//! place and count, carries its own copy line and no other copy's, the
//! contents and the PDF outline point at the pages the briefs start on,
//! the tags hold the body's text, and `qpdf --check` passes, when the
//! copies' letters run to different lengths (so their bodies are numbered
//! after fronts of different lengths) and when a copy is in another
//! language (another body).
//!
//! Needs `pdftotext`, `pdfinfo` and `qpdf` (`.ci/run` installs them):
//! under `CI=true` a missing one fails, else skips.

mod common;

use common::pdf_pages as pages;
use common::*;
use std::path::Path;
use std::process::Command;

fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// (title, page) of each top-level outline entry, from qpdf's JSON.
fn outline(pdf: &Path) -> Vec<(String, u64)> {
    let out = Command::new("qpdf")
        .args(["--json", "--json-key=outlines"])
        .arg(pdf)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("qpdf json");
    json["outlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["title"].as_str().unwrap().to_string(),
                o["destpageposfrom1"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

const POST: &str = "---\ntitle: Harbour Access Review\nslug: harbour\ndate: 2025-03-01\n---\n\nThe quayside inspection found zqwharf gates unlocked.\n\n## Findings\n\nEach berth was logged by the zqberth register, see [the port report](https://example.org/port).\n\n## Next steps\n\nThe authority will publish zqtimeline dates.\n";

#[test]
fn copies_with_letters_of_different_lengths_are_numbered_stamped_and_tagged_as_their_own() {
    if !(tool("pdftotext", &["-v"]) && tool("pdfinfo", &["-v"]) && tool("qpdf", &["--version"])) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::create_dir_all(root.join("letters")).unwrap();
    std::fs::write(root.join("content/harbour.md"), POST).unwrap();
    // The second recipient's letter runs over a page: its front is a page
    // longer, so its body is numbered after three pages, not two.
    std::fs::write(
        root.join("letters/cover.md"),
        "{{ recipient.salutation or \"Excellencies\" }},\n\nPlease find the review enclosed.\n\n\
         {% if recipient.name == \"Long Mission\" %}{% for i in range(60) %}Annexed paragraph {{ i }} explains the berth logs in more detail than anyone needs.\n\n{% endfor %}{% endif %}\
         With our highest consideration,\n",
    )
    .unwrap();
    std::fs::write(
        root.join("brief.toml"),
        r#"[project]
organisation = "Harbour Desk"

[[packet]]
name = "port"
title = "Port Packet"
date = "2025-03-02"
briefs = ["harbour"]
cover_letter = "letters/cover.md"
marking = "Restricted"

[[packet.recipient]]
name = "Short Mission"
salutation = "Dear colleagues"

[[packet.recipient]]
name = "Long Mission"
copies = 2

[[packet.recipient]]
name = "Mission de France"
lang = "fr"
"#,
    )
    .unwrap();
    let out = run_in(root, &["build", "--format", "pdf", "--quiet"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let folder = root.join("output/packets/port");
    let copies = [
        (
            "short-mission.pdf",
            "Copy 1 of 4 · Prepared for Short Mission",
        ),
        (
            "long-mission-copy-1.pdf",
            "Copy 2 of 4 · Prepared for Long Mission",
        ),
        (
            "long-mission-copy-2.pdf",
            "Copy 3 of 4 · Prepared for Long Mission",
        ),
        (
            "mission-de-france.pdf",
            "Exemplaire 4 sur 4 · Préparé pour Mission de France",
        ),
    ];
    let general = pages(&root.join("output/packets/port.pdf"));
    let mut lengths = Vec::new();
    for (file, line) in copies {
        let pdf = folder.join(file);
        let check = Command::new("qpdf")
            .arg("--check")
            .arg(&pdf)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&check.stdout)
        );
        let all = pages(&pdf);
        let n = all.len();
        lengths.push(n);
        let english = !file.contains("france");
        for (i, text) in all.iter().enumerate() {
            let text = flat(text);
            // Its own copy line on every page, another copy's on none.
            assert!(
                text.contains(line),
                "{file} page {}: no {line:?}: {text}",
                i + 1
            );
            for (other, other_line) in copies {
                if other != file {
                    assert!(
                        !text.contains(other_line),
                        "{file} page {}: {other_line:?}",
                        i + 1
                    );
                }
            }
            // "Page n of N" for its place among the copy's own pages.
            if i > 0 {
                let of = if english { "of" } else { "sur" };
                let own = format!("Page {} {of} {n}", i + 1);
                assert!(
                    text.contains(&own),
                    "{file} page {}: no {own:?}: {text}",
                    i + 1
                );
            }
        }
        // The body's text reached the page, the tags and the outline.
        let start = all
            .iter()
            .position(|p| flat(p).contains("The quayside inspection found zqwharf"))
            .unwrap_or_else(|| panic!("{file}: the brief's text is missing"))
            + 1;
        let tags = Command::new("pdfinfo")
            .arg("-struct-text")
            .arg(&pdf)
            .output()
            .unwrap();
        let tags = String::from_utf8_lossy(&tags.stdout);
        for word in [
            "zqwharf",
            "zqberth",
            "zqtimeline",
            "Port Packet",
            "Annexed paragraph 1",
        ] {
            if word.starts_with("Annexed") && !file.starts_with("long") {
                continue;
            }
            assert!(tags.contains(word), "{file}: the tags lack {word:?}");
        }
        let entries = outline(&pdf);
        assert!(
            entries.contains(&("Harbour Access Review".to_string(), start as u64)),
            "{file}: the outline does not point at page {start}: {entries:?}"
        );
        if english {
            let contents = all.iter().find(|p| p.contains("Contents")).unwrap();
            let entry = contents
                .lines()
                .find(|l| l.contains("Harbour Access Review"))
                .unwrap_or_else(|| panic!("{file}: no contents entry:\n{contents}"));
            assert!(
                entry.trim_end().ends_with(&start.to_string()),
                "{file}: contents say {entry:?}, the brief starts on page {start}"
            );
        }
    }
    // The long letter made that copy a page longer than the short one's.
    assert!(lengths[1] > lengths[0], "{lengths:?}");
    assert_eq!(lengths[1], lengths[2]);
    // The general copy names no recipient and no copy.
    assert!(
        general
            .iter()
            .all(|p| !p.contains("Copy ") && !p.contains("Prepared for"))
    );

    // The same build again gives the same bytes.
    let first: Vec<Vec<u8>> = copies
        .iter()
        .map(|(f, _)| std::fs::read(folder.join(f)).unwrap())
        .collect();
    let again = run_in(root, &["build", "--format", "pdf", "--quiet", "--no-cache"]);
    assert!(again.status.success());
    for ((file, _), bytes) in copies.iter().zip(first) {
        assert!(
            std::fs::read(folder.join(file)).unwrap() == bytes,
            "{file} differs between builds"
        );
    }
}

#[test]
fn a_packet_template_from_before_the_two_parts_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(root.join("content/harbour.md"), POST).unwrap();
    std::fs::write(
        root.join("templates/packet.typ"),
        "#let packet(data) = [#data.title #data.briefs.len()]\n",
    )
    .unwrap();
    std::fs::write(
        root.join("brief.toml"),
        "[[packet]]\nname = \"port\"\ntitle = \"Port\"\ndate = \"2025-03-02\"\nbriefs = [\"harbour\"]\nrecipients = [\"A\"]\n",
    )
    .unwrap();
    let out = run_in(root, &["build", "--format", "pdf"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("written for an older brief"), "{stderr}");
    assert!(
        stderr.contains("brief templates eject packet.typ --force"),
        "{stderr}"
    );
    assert!(!root.join("output/packets/port.pdf").exists());
}
