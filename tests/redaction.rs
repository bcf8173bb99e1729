//! Redaction through the real binary (issue 14): a build that hides the
//! posts' `[[redact: …]]` text leaves none of it in any byte it writes —
//! PDF streams decompressed by `qpdf --qdf --object-streams=disable` and
//! the PDF text layer, every entry of each EPUB, each e-mail message
//! decoded part by part (attachments decoded in turn), the text and digest
//! editions, the manifest and the build cache. The fixture
//! (`tests/redaction/`) marks words in the title, summary, tags, author,
//! a heading, emphasis split across two source lines, a whole link, link
//! text, a table cell, alt text, a footnote, a list item, a quote, a
//! packet's title and subtitle and its cover letter.

mod common;

use common::{copy_tree, run_in, tool};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Every word the fixture redacts (the names are made up to occur nowhere
/// else, so a hit is a leak).
const SECRETS: &[&str] = &[
    "Zebulon",
    "Quixotica",
    "Letterwitness",
    "Harrowgate",
    "Marguerite",
    "Wolfenstein",
    "Taggedsecret",
    "Authorsecret",
    "Hieronymus",
    "Bartholomew",
    "Oyelaran",
    "Smythe",
    "Kalvenhaven",
    "Cordelia",
    "Thaddeus",
    "Quimby",
    "Evangelinefoto",
    "Footnotesecret",
    "Pemberton",
    "Headingsecret",
    "Listitemsecret",
    "Quotesecret",
];

/// The words only the packet `closed` marks in its own title and subtitle.
const PACKET_ONLY: &[&str] = &["Zebulon", "Quixotica"];
/// The words only the cover letter marks (it is in packets only).
const LETTER_ONLY: &[&str] = &["Letterwitness", "Harrowgate"];

fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/redaction"),
        dir.path(),
    );
    dir
}

fn tools() -> bool {
    tool("qpdf", &["--version"]) && tool("pdftotext", &["-v"]) && tool("python3", &["--version"])
}

/// What a file says, every way a reader or a program could read it: its
/// bytes, and for a PDF its decompressed objects and its text layer, for
/// an EPUB (a zip) each entry, for an e-mail message each decoded part
/// and header; recursively for attachments.
fn views(path: &Path, bytes: &[u8], scratch: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let name = path.display().to_string();
    out.push((name.clone(), bytes.to_vec()));
    if bytes.starts_with(b"%PDF-") {
        let file = scratch.join(format!("v{}.pdf", out.len()));
        std::fs::write(&file, bytes).unwrap();
        let qdf = Command::new("qpdf")
            .args(["--qdf", "--object-streams=disable"])
            .arg(&file)
            .arg("-")
            .output()
            .unwrap();
        assert!(
            qdf.status.code().is_some_and(|c| c == 0 || c == 3),
            "qpdf {name}"
        );
        out.push((format!("{name} (qpdf --qdf)"), qdf.stdout));
        let text = Command::new("pdftotext")
            .arg(&file)
            .arg("-")
            .output()
            .unwrap();
        assert!(text.status.success(), "pdftotext {name}");
        out.push((format!("{name} (pdftotext)"), text.stdout));
    } else if bytes.starts_with(b"PK") {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
            out.push((format!("{name}!{}", entry.name()), data));
        }
    } else if path.extension().is_some_and(|e| e == "eml") {
        for (i, part) in mime_parts(path, scratch).into_iter().enumerate() {
            views(
                &PathBuf::from(format!("{name}#part{i}")),
                &part,
                scratch,
                out,
            );
        }
    }
}

/// The decoded headers (one part) and each decoded part of a message, by
/// Python's e-mail parser (a decoder we did not write).
fn mime_parts(path: &Path, scratch: &Path) -> Vec<Vec<u8>> {
    let dir = scratch.join(format!(
        "mime-{}",
        path.file_name().unwrap().to_string_lossy()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let script = r#"
import sys, email, email.policy, os
m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
out = sys.argv[2]
headers = ''.join(f'{k}: {v}\n' for k, v in m.items())
open(os.path.join(out, 'headers'), 'w', encoding='utf-8').write(headers)
for i, part in enumerate(m.walk()):
    payload = part.get_payload(decode=True)
    if payload is not None:
        open(os.path.join(out, f'part{i}'), 'wb').write(payload)
"#;
    let status = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .arg(&dir)
        .status()
        .unwrap();
    assert!(status.success(), "decoding {}", path.display());
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// The forms a word can take in those views: UTF-8, UTF-16BE (PDF text
/// strings), and UTF-16BE as hex (how qpdf prints such strings), compared
/// without regard to case.
fn forms(word: &str) -> Vec<Vec<u8>> {
    let lower = word.to_lowercase();
    let utf16: Vec<u8> = lower.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    let hex: String = utf16.iter().map(|b| format!("{b:02x}")).collect();
    vec![lower.into_bytes(), utf16, hex.into_bytes()]
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every (view, word) where a word of `words` occurs under `root`.
fn leaks(root: &Path, words: &[&str], only: &dyn Fn(&str) -> bool) -> Vec<String> {
    let scratch = tempfile::tempdir().unwrap();
    let mut found = Vec::new();
    let mut checked = 0;
    for file in common::files_under(root) {
        if !only(&file) {
            continue;
        }
        let path = root.join(&file);
        let bytes = std::fs::read(&path).unwrap();
        let mut all = Vec::new();
        views(&path, &bytes, scratch.path(), &mut all);
        for (view, data) in all {
            checked += 1;
            let lower = data.to_ascii_lowercase();
            let lower_utf8 = String::from_utf8_lossy(&data).to_lowercase().into_bytes();
            for word in words {
                if forms(word)
                    .iter()
                    .any(|f| contains(&lower, f) || contains(&lower_utf8, f))
                {
                    found.push(format!("{word} in {view}"));
                }
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} views under {}",
        root.display()
    );
    found
}

fn built(dir: &Path, args: &[&str]) {
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    let out = run_in(dir, &all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_redacted_build_leaves_no_byte_of_the_redacted_text_in_any_output_or_cache() {
    if !tools() {
        return;
    }
    let dir = fixture();
    built(dir.path(), &["--redact"]);
    let out = dir.path().join("output");
    assert!(
        out.join(".brief-cache").is_dir(),
        "the cache is scanned too"
    );
    let found = leaks(&out, SECRETS, &|_| true);
    assert!(found.is_empty(), "leaked:\n{}", found.join("\n"));

    // What shows instead: bars in the text editions, `[redacted]` in the
    // 7-bit Subject header, a bar span in the EPUB.
    let text = std::fs::read_to_string(out.join("email/testimony.txt")).unwrap();
    assert!(text.starts_with("Testimony of █████\n"), "{text}");
    assert!(
        text.contains("The redacted email from █████ said the shipment left █████"),
        "{text}"
    );
    let eml = std::fs::read_to_string(out.join("email/testimony.eml")).unwrap();
    assert!(
        eml.contains("\r\nSubject: Testimony of [redacted]\r\n"),
        "{eml}"
    );
    let pdf_text = Command::new("pdftotext")
        .arg(out.join("packets/closed.pdf"))
        .arg("-")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&pdf_text.stdout).contains("Closed packet on █████"));

    // Still valid files: the bars are drawn, not broken markup.
    for pdf in ["packets/closed.pdf", "pdf/testimony.pdf"] {
        let check = Command::new("qpdf")
            .arg("--check")
            .arg(out.join(pdf))
            .output()
            .unwrap();
        assert!(check.status.success(), "qpdf --check {pdf}");
    }
    let books = vec![
        out.join("epub/testimony.epub"),
        out.join("packets/closed.epub"),
    ];
    if let Some(messages) = common::epubcheck(&books) {
        for (book, said) in messages {
            assert!(said.is_empty(), "EPUBCheck {}: {said:?}", book.display());
        }
    }
}

#[test]
fn a_redacting_packet_hides_its_own_outputs_and_leaves_the_others_whole() {
    if !tools() {
        return;
    }
    let dir = fixture();
    built(dir.path(), &[]);
    let out = dir.path().join("output");
    let closed = |f: &str| f.starts_with("packets/closed");
    let found = leaks(&out, SECRETS, &closed);
    assert!(found.is_empty(), "leaked:\n{}", found.join("\n"));
    // Each copy of the closed packet (general and addressed), its EPUB,
    // digest and messages were scanned.
    for f in [
        "packets/closed.pdf",
        "packets/closed/delegation-of-example.pdf",
        "packets/closed.epub",
        "packets/closed.txt",
        "packets/closed.eml",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    // Every other output shows the text, without the marker.
    let open = |f: &str| !closed(f) && !f.starts_with(".brief-cache") && f != "manifest.json";
    let shown = leaks(&out, SECRETS, &open);
    for word in SECRETS.iter().filter(|w| !PACKET_ONLY.contains(w)) {
        // Tags and the letter are not in the text edition.
        let files: &[&str] = if LETTER_ONLY.contains(word) || *word == "Taggedsecret" {
            &["output/packets/open.pdf"]
        } else {
            &["output/packets/open.pdf", "output/email/testimony.txt"]
        };
        for f in files {
            assert!(
                shown
                    .iter()
                    .any(|l| l.starts_with(&format!("{word} in ")) && l.contains(f)),
                "{word} is missing from {f}"
            );
        }
    }
    let marker = leaks(&out, &["[[redact"], &|_| true);
    assert!(
        marker.is_empty(),
        "a marker reached an output:\n{}",
        marker.join("\n")
    );
    let text = std::fs::read_to_string(out.join("email/testimony.txt")).unwrap();
    assert!(
        text.contains("The redacted email from _Bartholomew_ Oyelaran-Smythe said"),
        "{text}"
    );
}

#[test]
fn a_redacted_build_after_an_unredacted_one_is_never_served_from_its_cache() {
    if !tools() {
        return;
    }
    let dir = fixture();
    built(dir.path(), &[]);
    built(dir.path(), &["--redact"]);
    let out = dir.path().join("output");
    let found = leaks(&out, SECRETS, &|_| true);
    assert!(found.is_empty(), "leaked:\n{}", found.join("\n"));
    // And back: the unredacted outputs are whole again.
    built(dir.path(), &[]);
    let text = std::fs::read_to_string(out.join("email/testimony.txt")).unwrap();
    assert!(
        text.starts_with("Testimony of Marguerite Wolfenstein\n"),
        "{text}"
    );
}

#[test]
fn a_malformed_marker_is_an_error_that_names_its_line() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "Fine.\n\nOpen [[redact: Jane\n",
            "testimony.md:7:",
            "not closed",
        ),
        ("*[[redact: Jane* Doe]]\n", "testimony.md:5:", "not closed"),
        (
            "Empty [[redact: ]] here.\n",
            "testimony.md:5:",
            "encloses nothing",
        ),
        ("`[[redact: in code]]`\n", "testimony.md:5:", "inside code"),
        ("[[Redact: Jane]]\n", "testimony.md:5:", "lower case"),
        (
            "[x](https://e.org/[[redact:a]])\n",
            "testimony.md:5:",
            "address",
        ),
    ];
    for (body, at, says) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        std::fs::write(dir.path().join("brief.toml"), "").unwrap();
        std::fs::write(
            dir.path().join("content/testimony.md"),
            format!("---\ntitle: T\n---\n\n{body}"),
        )
        .unwrap();
        let out = run_in(dir.path(), &["build", "--format", "email"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{body}: {stderr}");
        assert!(
            stderr.contains(at) && stderr.contains(says),
            "{body}: {stderr}"
        );
        assert!(
            !dir.path().join("output/email/testimony.txt").exists(),
            "{body}"
        );
    }
    // In front matter too, with the line of the value.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(dir.path().join("brief.toml"), "").unwrap();
    std::fs::write(
        dir.path().join("content/testimony.md"),
        "---\ntitle: T\nsummary: \"About [[redact: Jane\"\n---\n\nText.\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["build", "--format", "email"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("testimony.md:3:") && stderr.contains("`summary`"),
        "{stderr}"
    );
}

/// A packet that shows the text, with one recipient whose `redact = true`:
/// everything that recipient receives (its numbered copies, its message
/// and what the message attaches) hides every redacted word, and points
/// at nothing online; the other recipient and the general copy show them.
#[test]
fn a_redacting_recipient_receives_nothing_of_the_text_its_packet_shows_others() {
    if !tools() {
        return;
    }
    let dir = fixture();
    let config = dir.path().join("brief.toml");
    let mut toml = std::fs::read_to_string(&config).unwrap();
    toml = toml.replace(
        "[project]\n",
        "[project]\nbase_url = \"https://briefs.example.org/p\"\n",
    );
    toml = toml.replace("[email]\n", "[email]\nattach = [\"pdf\", \"epub\"]\n");
    toml.push_str(
        r#"
[[packet]]
name = "mixed"
title = "Mixed packet"
date = "2025-09-02"
briefs = ["testimony"]
cover_letter = "letters/cover.md"

[[packet.recipient]]
name = "Ministry of Caution"
email = "caution@example.org"
copies = 2
redact = true

[[packet.recipient]]
name = "Friendly Office"
email = "friendly@example.org"
"#,
    );
    std::fs::write(&config, toml).unwrap();
    built(dir.path(), &[]);
    let out = dir.path().join("output");

    let received = [
        "packets/mixed/ministry-of-caution-copy-1.pdf",
        "packets/mixed/ministry-of-caution-copy-2.pdf",
        "packets/mixed/ministry-of-caution.eml",
        "packets/mixed.redacted.epub",
        "packets/mixed.redacted.txt",
    ];
    for f in received {
        assert!(out.join(f).is_file(), "{f} was not written");
    }
    let secret_words: Vec<&str> = SECRETS
        .iter()
        .copied()
        .filter(|w| !PACKET_ONLY.contains(w))
        .collect();
    let found = leaks(&out, &secret_words, &|f| received.contains(&f));
    assert!(found.is_empty(), "leaked:\n{}", found.join("\n"));

    // Its message attaches its own copy and the hidden EPUB, and links
    // to nothing online (what is online is the general copy).
    let eml = std::fs::read_to_string(out.join("packets/mixed/ministry-of-caution.eml")).unwrap();
    assert!(eml.contains("ministry-of-caution-copy-1.pdf"), "{eml}");
    assert!(eml.contains("mixed.redacted.epub"), "{eml}");
    assert!(!eml.contains("briefs.example.org"), "{eml}");

    // The other recipient, the general copy and the general EPUB show the
    // text; the other recipient's message still links online.
    let shown_in = [
        "packets/mixed.pdf",
        "packets/mixed/friendly-office.pdf",
        "packets/mixed/friendly-office.eml",
        "packets/mixed.epub",
    ];
    let shown = leaks(&out, &secret_words, &|f| shown_in.contains(&f));
    for f in shown_in {
        for word in ["Bartholomew", "Footnotesecret", "Headingsecret"] {
            assert!(
                shown
                    .iter()
                    .any(|l| l.starts_with(&format!("{word} in ")) && l.contains(f)),
                "{word} is missing from {f}:\n{}",
                shown.join("\n")
            );
        }
    }
    let friendly = std::fs::read_to_string(out.join("packets/mixed/friendly-office.eml")).unwrap();
    assert!(friendly.contains("briefs.example.org"), "{friendly}");
    assert!(!friendly.contains("mixed.redacted"), "{friendly}");
    // Copies keep one numbering across both recipients.
    let copy = Command::new("pdftotext")
        .arg(out.join("packets/mixed/friendly-office.pdf"))
        .arg("-")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&copy.stdout).contains("Copy 3 of 3"),
        "{}",
        String::from_utf8_lossy(&copy.stdout)
    );
}
