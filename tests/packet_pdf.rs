//! The packet PDF obeys the rules of the single-brief PDF, through the real
//! binary: addresses and file names break where `pdftotext` keeps them
//! whole, direction overrides never reach the page, and the 4 MiB data cap
//! holds for a packet as a whole.

mod common;

use std::path::Path;
use std::process::Command;

fn pdf_tools() -> bool {
    common::tool("pdftotext", &["-v"])
}

/// The text of a PDF as `pdftotext` reads it (which joins a line that ends
/// in a hyphen to the next and deletes the hyphen).
fn text_of(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn post(title: &str, slug: &str, body: &str) -> String {
    format!("---\ntitle: \"{title}\"\nslug: {slug}\ndate: 2025-08-01\n---\n\n{body}\n")
}

/// Long addresses made of hyphenated words: almost every part of them ends
/// in a hyphen, so a line of the Sources appendix ends after one unless the
/// breaking rule forbids it.
fn hyphenated_urls() -> Vec<String> {
    (0..4)
        .map(|k| {
            let words: Vec<String> = (0..24).map(|i| format!("w{k}{i}x")).collect();
            format!("https://example.org/r{k}/{}.html", words.join("-"))
        })
        .collect()
}

#[test]
fn packet_sources_and_integrity_keep_hyphenated_addresses_and_file_names_whole() {
    if !pdf_tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let urls = hyphenated_urls();
    let body: String = urls
        .iter()
        .enumerate()
        .map(|(i, u)| format!("Evidence item {i} is [the report]({u}).\n\n"))
        .collect();
    let stem = "the-case-for-international-oversight-of-korean-child-trafficking-networks";
    write(
        root,
        &format!("content/{stem}.md"),
        &post("Long names", "long", &body),
    );
    write(
        root,
        "brief.toml",
        "[[packet]]\nname = \"p\"\ntitle = \"Packet\"\ndate = \"2025-09-01\"\nbriefs = [\"long\"]\n",
    );
    let out = common::run_in(root, &["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = squash(&text_of(&root.join("output/packets/p.pdf")));
    let sources = &text[text.rfind("Sources").expect("a Sources appendix")..];
    for url in &urls {
        // Once in Sources (the notes of the brief come before it).
        assert!(
            sources.contains(url.as_str()),
            "{url} not whole in Sources:\n{sources}"
        );
    }
    let file = format!("content/{stem}.md");
    assert!(
        text.contains(&file),
        "{file} not whole on the Integrity page"
    );
}

#[test]
fn packet_pdf_drops_direction_overrides_from_titles_and_recipients() {
    if !pdf_tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "content/a.md",
        &post(
            "Report on \\u202Ereversed\\u202C relations",
            "a",
            "See [the source](https://example.org/src) for details.",
        ),
    );
    write(
        root,
        "brief.toml",
        "[[packet]]\nname = \"p\"\ntitle = \"Packet \\u202Eoverridden\\u202C title\"\nsubtitle = \"Sub \\u202Eflipped\"\ndate = \"2025-09-01\"\nbriefs = [\"a\"]\nrecipients = [\"Embassy of \\u202EAtlantis\"]\n",
    );
    let out = common::run_in(root, &["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let copy = root.join("output/packets/p");
    let pdf = std::fs::read_dir(&copy)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .expect("an addressed copy");
    let text = text_of(&pdf);
    assert!(!text.contains('\u{202e}'), "U+202E printed:\n{text}");
    for words in [
        "Report on reversed relations",
        "Embassy of Atlantis",
        "Packet overridden title",
        "Sub flipped",
    ] {
        let count = text.matches(words).count();
        assert!(count > 0, "{words:?} not in order:\n{text}");
    }
    for reversed in ["desrever", "sitnaltA", "neddirrevo", "deppilf"] {
        assert!(!text.contains(reversed), "{reversed:?} printed:\n{text}");
    }
}

/// Plain paragraphs of about `bytes` bytes: cheap to typeset for their
/// size (about 5 s and 450 MB for 1.5 MB here).
fn long_body(k: usize, bytes: usize) -> String {
    let words = [
        "evidence",
        "report",
        "mission",
        "council",
        "oversight",
        "partner",
    ];
    let mut out = String::new();
    let mut i = 0;
    while out.len() < bytes {
        for _ in 0..100 {
            out.push_str(words[(i * 7 + k) % words.len()]);
            out.push(' ');
            i += 1;
        }
        out.push_str("\n\n");
    }
    out
}

#[test]
fn a_packet_over_the_pdf_data_cap_is_refused_and_everything_else_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Each brief is under the 4 MiB cap (about 1.45 MB of data); the three
    // together are over it.
    for k in 1..=3 {
        write(
            root,
            &format!("content/b{k}.md"),
            &post(
                &format!("Brief {k}"),
                &format!("b{k}"),
                &long_body(k, 1_450_000),
            ),
        );
    }
    write(
        root,
        "brief.toml",
        "[[packet]]\nname = \"heavy\"\ntitle = \"Heavy\"\ndate = \"2025-09-01\"\nbriefs = [\"b1\", \"b2\", \"b3\"]\n",
    );
    let out = common::run_in(root, &["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("packet heavy is too long for the PDF edition")
            && stderr.contains("the limit is 4 MB"),
        "{stderr}"
    );
    let output = root.join("output");
    assert!(!output.join("packets/heavy.pdf").exists());
    for file in ["packets/heavy.epub", "packets/heavy.txt"] {
        assert!(output.join(file).is_file(), "{file} missing\n{stderr}");
    }
    for k in 1..=3 {
        for file in [format!("pdf/b{k}.pdf"), format!("epub/b{k}.epub")] {
            assert!(output.join(&file).is_file(), "{file} missing\n{stderr}");
        }
    }
}
