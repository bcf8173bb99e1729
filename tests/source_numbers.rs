//! One number per source within a brief, through the real binary: the PDF
//! note marker n (read back with `pdftotext`), the e-mail text's `[n]` and
//! the packet Sources entry `[n]` name the same address. Regression: the
//! sample's footnote 1 (AP News) was Sources [4].

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn pdftotext(pdf: &Path, layout: bool) -> String {
    let mut cmd = Command::new("pdftotext");
    if layout {
        cmd.arg("-layout");
    }
    let out = cmd.arg(pdf).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The text edition's numbered addresses (`[n] url` after "Links").
fn text_links(text: &str) -> BTreeMap<usize, String> {
    let tail = &text[text.rfind("\nLinks\n").expect("a Links list")..];
    tail.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix('[')?;
            let (n, url) = rest.split_once(']')?;
            Some((n.parse().ok()?, url.trim().to_string()))
        })
        .collect()
}

/// The PDF's source notes as `pdftotext -layout` prints them at the foot
/// of a page: the marker in its column, then the address (a long one may
/// continue on the next line, so this is a prefix).
fn pdf_notes(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim();
            let digits = l.len() - l.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let rest = l[digits..].trim_start();
            let scheme = rest.starts_with("https://") || rest.starts_with("mailto:");
            (digits > 0 && scheme).then(|| (l[..digits].parse().unwrap(), rest.to_string()))
        })
        .collect()
}

/// Checks the three editions agree for one brief; returns the PDF's note
/// numbers.
fn agree(pdf: &Path, text: &Path, packet: &Path) -> Vec<usize> {
    let links = text_links(&std::fs::read_to_string(text).unwrap());
    let layout = pdftotext(pdf, true);
    let notes = pdf_notes(&layout);
    assert!(!notes.is_empty(), "no notes found in {}", pdf.display());
    for (n, prefix) in &notes {
        let url = links
            .get(n)
            .unwrap_or_else(|| panic!("PDF note {n} ({prefix}) has no [{n}] in the text"));
        assert!(
            url.starts_with(prefix.as_str()),
            "note {n}: PDF {prefix}, text {url}"
        );
        let whole = squash(&pdftotext(pdf, false));
        assert!(
            whole.contains(&format!("{n}{url}")),
            "note {n} {url} not in the PDF"
        );
    }
    let packet_text = squash(&pdftotext(packet, false));
    let sources = &packet_text[packet_text.rfind("Sources").expect("Sources")..];
    let sources = &sources[..sources.find("Integrity").unwrap_or(sources.len())];
    for (n, url) in &links {
        let at = sources
            .find(&format!("[{n}]"))
            .unwrap_or_else(|| panic!("no Sources entry [{n}]"));
        let entry = &sources[at..];
        let end = entry.find(&format!("[{}]", n + 1)).unwrap_or(entry.len());
        assert!(
            entry[..end].contains(url.as_str()),
            "Sources [{n}] is not {url}: {}",
            &entry[..end]
        );
    }
    notes.iter().map(|(n, _)| *n).collect()
}

fn build(root: &Path) {
    let out = common::run_in(root, &["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_samples_notes_text_references_and_packet_sources_share_numbers() {
    if !common::tool("pdftotext", &["-v"]) {
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for item in ["brief.toml", "letters", "content"] {
        let from = repo.join(item);
        if from.is_dir() {
            common::copy_tree(&from, &dir.path().join(item));
        } else {
            std::fs::copy(&from, dir.path().join(item)).unwrap();
        }
    }
    build(dir.path());
    let out = dir.path().join("output");
    let slug = "the-case-for-international-oversight-of-korean-child-trafficking-networks";
    let notes = agree(
        &out.join(format!("pdf/{slug}.pdf")),
        &out.join(format!("email/{slug}.txt")),
        &out.join("packets/oversight-briefing.pdf"),
    );
    assert_eq!(notes, (1..=10).collect::<Vec<_>>());
}

#[test]
fn markdown_footnotes_between_links_do_not_shift_source_numbers() {
    if !common::tool("pdftotext", &["-v"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::write(
        root.join("content/notes.md"),
        "---\ntitle: Notes and links\nslug: notes\ndate: 2025-08-01\n---\n\n\
         First [one](https://one.example/a) then a remark[^a] and \
         [two](https://two.example/b), another remark[^b], then \
         [one again](https://one.example/a) and <https://bare.example/c>.\n\n\
         [^a]: Remark A cites [three](https://three.example/c).\n\n\
         [^b]: Remark B.\n",
    )
    .unwrap();
    std::fs::write(
        root.join("brief.toml"),
        "[[packet]]\nname = \"p\"\ntitle = \"P\"\ndate = \"2025-09-01\"\nbriefs = [\"notes\"]\n",
    )
    .unwrap();
    build(root);
    let out = root.join("output");
    let notes = agree(
        &out.join("pdf/notes.pdf"),
        &out.join("email/notes.txt"),
        &out.join("packets/p.pdf"),
    );
    // The repeated address refers to note 1 instead of printing a third.
    assert_eq!(notes, vec![1, 2]);
    let pdf = pdftotext(&out.join("pdf/notes.pdf"), false);
    for marker in ["†1", "†2"] {
        assert!(
            pdf.contains(marker),
            "Markdown footnote {marker} missing:\n{pdf}"
        );
    }
    let text = std::fs::read_to_string(out.join("email/notes.txt")).unwrap();
    assert!(text.contains("[^1]") && text.contains("[^2]"), "{text}");
    let sources = squash(&pdftotext(&out.join("packets/p.pdf"), false));
    assert!(sources.contains("[4]https://bare.example/c"), "{sources}");
}
