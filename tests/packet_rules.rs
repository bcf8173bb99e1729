//! A packet follows the rules of the single-post editions it gathers:
//! right-to-left direction in its EPUB, and the same summary in its digest
//! as in each brief's summary e-mail. Both through the real binary.

mod common;

use std::io::Read;
use std::path::Path;

fn build(root: &Path) {
    let out = common::run_in(root, &["build"]);
    assert!(
        out.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Every entry of a zip, by name.
fn entries(book: &Path) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(book).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap_or_default();
            (entry.name().to_string(), text)
        })
        .collect()
}

fn root_attribute(xml: &str, name: &str) -> Option<String> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(xml, opts).expect("well-formed");
    doc.root_element().attribute(name).map(str::to_string)
}

fn spine_direction(opf: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(opf).expect("package is well-formed");
    doc.descendants()
        .find(|n| n.has_tag_name("spine"))
        .and_then(|n| n.attribute("page-progression-direction"))
        .map(str::to_string)
}

#[test]
fn a_packet_of_arabic_briefs_reads_right_to_left() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "brief.toml",
        "[project]\nlang = \"ar\"\n\n[[packet]]\nname = \"p\"\ntitle = \"حزمة\"\ndate = \"2025-09-01\"\nbriefs = [\"ar-one\", \"ar-two\"]\n",
    );
    write(
        root,
        "content/ar-one.md",
        "---\ntitle: تقرير أول\nslug: ar-one\nlang: ar\ndate: 2025-08-01\n---\n\nهذا نص عربي قصير[^1].\n\n## قسم\n\nنص آخر.\n\n[^1]: حاشية.\n",
    );
    // No `lang`: the project's language, Arabic too.
    write(
        root,
        "content/ar-two.md",
        "---\ntitle: تقرير ثان\nslug: ar-two\ndate: 2025-08-02\n---\n\nنص عربي.\n",
    );
    build(root);
    let packet = root.join("output/packets/p.epub");
    let single = root.join("output/epub/ar-one.epub");
    for book in [&packet, &single] {
        let mut documents = 0;
        for (name, text) in entries(book) {
            if name.ends_with(".xhtml") {
                documents += 1;
                assert_eq!(
                    root_attribute(&text, "dir").as_deref(),
                    Some("rtl"),
                    "{}: {name} is not right to left",
                    book.display()
                );
            }
            if name.ends_with(".opf") {
                assert_eq!(
                    spine_direction(&text).as_deref(),
                    Some("rtl"),
                    "{}: the spine turns pages left to right",
                    book.display()
                );
            }
        }
        assert!(
            documents >= 3,
            "{}: only {documents} documents",
            book.display()
        );
    }
    if let Some(results) = common::epubcheck(&[packet.clone(), single.clone()]) {
        for (book, messages) in results {
            assert!(messages.is_empty(), "{}: {messages:#?}", book.display());
        }
    }
}

/// The decoded body of a quoted-printable message, white space collapsed.
fn message_body(eml: &str) -> String {
    let body = eml.split_once("\r\n\r\n").map_or(eml, |(_, b)| b);
    let bytes = body.replace("=\r\n", "").into_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    collapse(&String::from_utf8(out).unwrap())
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_digest_and_the_summary_email_print_the_same_summary() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "brief.toml",
        "[project]\nbase_url = \"https://example.org/briefs\"\n\n[email]\nfrom = \"Desk <desk@example.org>\"\nto = [\"ana@example.org\"]\nsummary = true\n\n[[packet]]\nname = \"p\"\ntitle = \"Packet\"\ndate = \"2025-09-01\"\nbriefs = [\"long\", \"noted\"]\n",
    );
    // One sentence end early and the next past the length: the two old
    // cuts chose different ends.
    let long = format!(
        "Early end zqearly. {} Late end zqlate. {}",
        "word ".repeat(130),
        "tail ".repeat(100)
    );
    write(
        root,
        "content/long.md",
        &format!("---\ntitle: Long\nslug: long\ndate: 2025-08-01\n---\n\n{long}\n"),
    );
    // A note marker and inline HTML: the digest printed `[1]` and `<b>`.
    write(
        root,
        "content/noted.md",
        "---\ntitle: Noted\nslug: noted\ndate: 2025-08-02\n---\n\nOpening with a note[^1] and <b>bold</b> words zqnoted.\n\n## Later\n\nMore.\n\n[^1]: The note.\n",
    );
    build(root);
    let digest = collapse(&std::fs::read_to_string(root.join("output/packets/p.txt")).unwrap());
    for (slug, expected_end) in [
        ("long", "Late end zqlate."),
        ("noted", "bold words zqnoted."),
    ] {
        let post = brief::read::read_post(&root.join(format!("content/{slug}.md")), "en")
            .unwrap()
            .post;
        let summary = brief::write::shared::summary::summary(&post).expect("a summary");
        assert!(summary.ends_with(expected_end), "{slug}: {summary:?}");
        assert!(
            !summary.contains("[1]") && !summary.contains('<'),
            "{summary:?}"
        );
        let eml = std::fs::read_to_string(root.join(format!("output/email/{slug}.eml"))).unwrap();
        let body = message_body(&eml);
        assert!(
            body.contains(&summary),
            "{slug}: the summary e-mail lacks {summary:?}:\n{body}"
        );
        assert!(
            digest.contains(&summary),
            "{slug}: the digest lacks {summary:?}:\n{digest}"
        );
    }
}
