//! Posts that are translations of one another in one packet, through the
//! real binary: `languages = ["ko", "en"]` sets each brief in Korean, then
//! in English; `layout = "parallel"` sets them side by side, paragraph by
//! paragraph, where their paragraphs match (else one after the other, with
//! a warning; never a paragraph dropped); the packet's own pages speak its
//! `lang`.

mod common;

use std::path::Path;

use common::pdf_pages as pages;
use common::{copy_tree, run_in, tool};

const SLUG: &str = "the-case-for-international-oversight-of-korean-child-trafficking-networks";

/// The shipped project (content/, letters/, brief.toml) with `packets`
/// in place of its brief.toml when given, built.
fn build(packets: Option<&str>) -> (tempfile::TempDir, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    copy_tree(&root.join("content"), &work.path().join("content"));
    copy_tree(&root.join("letters"), &work.path().join("letters"));
    let toml = match packets {
        Some(p) => p.to_string(),
        None => std::fs::read_to_string(root.join("brief.toml")).unwrap(),
    };
    std::fs::write(work.path().join("brief.toml"), toml).unwrap();
    let out = run_in(work.path(), &["build", "--format", "pdf,email"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    (work, stderr)
}

fn packet(layout: &str) -> String {
    format!(
        "[project]\nlang = \"en\"\n\n[[packet]]\nname = \"two\"\ntitle = \"Two languages\"\ndate = \"2025-09-02\"\nlang = \"ko\"\nbriefs = [\"{SLUG}\"]\nlanguages = [\"ko\", \"en\"]\nlayout = \"{layout}\"\n"
    )
}

const KO_TITLE: &str = "한국 아동 인신매매";
const EN_TITLE: &str = "The Case for";

#[test]
fn the_shipped_bilingual_packet_sets_korean_beside_english() {
    if !tool("pdftotext", &["-v"]) {
        return;
    }
    let (work, stderr) = build(None);
    assert!(!stderr.contains("warning:"), "{stderr}");
    let pages = pages(
        &work
            .path()
            .join("output/packets/oversight-briefing-ko-en.pdf"),
    );
    // The cover and the contents in Korean (the packet's `lang`).
    assert!(
        pages[0].contains("브리핑 자료집") && pages[0].contains("2025년 9월 2일"),
        "{}",
        pages[0]
    );
    assert!(pages.iter().any(|p| p.contains("차례")));
    // Side by side: the first brief page holds both titles and both
    // first headings.
    // (The contents page lists the sections too: skip it.)
    let first = pages
        .iter()
        .position(|p| p.contains("핵심 주장") && !p.contains("차례"))
        .unwrap();
    let page = &pages[first];
    assert!(
        page.contains(EN_TITLE) && page.contains(KO_TITLE) && page.contains("Main Argument"),
        "{page}"
    );
    // Every paragraph of both: the last words of each are in the packet.
    let all = pages.join("\n");
    assert!(
        all.contains("한국 명예훼손법의 문제점"),
        "the Korean brief is cut short"
    );
    assert!(
        all.contains("Problems with Korea’s defamation law"),
        "the English brief is cut short"
    );
}

#[test]
fn sequential_sets_each_brief_in_korean_then_in_english() {
    if !tool("pdftotext", &["-v"]) {
        return;
    }
    let (work, stderr) = build(Some(&packet("sequential")));
    assert!(!stderr.contains("warning:"), "{stderr}");
    let pages = pages(&work.path().join("output/packets/two.pdf"));
    // (The contents page lists the sections too: skip it.)
    let body = |p: &String| !p.contains("차례") && !p.contains("Contents");
    let ko = pages
        .iter()
        .position(|p| p.contains("핵심 주장") && body(p))
        .unwrap();
    let en = pages
        .iter()
        .position(|p| p.contains("Main Argument") && body(p))
        .unwrap();
    assert!(ko < en, "Korean first: {ko} {en}");
    assert!(!pages[ko].contains("Main Argument"), "not side by side");
    // The digest lists both, in the packet's language.
    let digest = std::fs::read_to_string(work.path().join("output/packets/two.txt")).unwrap();
    assert!(digest.contains("브리핑 2건:"), "{digest}");
    let (k, e) = (
        digest.find(KO_TITLE).unwrap(),
        digest.find(EN_TITLE).unwrap(),
    );
    assert!(k < e, "{digest}");
}

#[test]
fn a_translation_with_other_paragraphs_is_set_after_with_a_warning() {
    if !tool("pdftotext", &["-v"]) {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let content = work.path().join("content");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::copy(
        root.join(format!("content/{SLUG}.md")),
        content.join(format!("{SLUG}.md")),
    )
    .unwrap();
    // A shorter Korean version: its paragraphs do not match.
    std::fs::write(
        content.join(format!("{SLUG}.ko.md")),
        "---\ntitle: 한국 아동 인신매매 요약\nlang: ko\n---\n\n## 핵심 주장\n\n짧은 요약만 싣는다.\n",
    )
    .unwrap();
    // And a post with no translation at all.
    std::fs::write(
        content.join("alone.md"),
        "---\ntitle: Alone\n---\n\nOnly in English.\n",
    )
    .unwrap();
    let toml = packet("parallel").replace(
        &format!("briefs = [\"{SLUG}\"]"),
        &format!("briefs = [\"{SLUG}\", \"alone\"]"),
    );
    std::fs::write(work.path().join("brief.toml"), toml).unwrap();
    let out = run_in(work.path(), &["build", "--format", "pdf"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("differ in their paragraphs"), "{stderr}");
    assert!(
        stderr.contains("brief \"alone\" has no translation in \"ko\""),
        "{stderr}"
    );
    let all = pages(&work.path().join("output/packets/two.pdf")).join("\n");
    assert!(all.contains("짧은 요약만 싣는다."));
    assert!(all.contains("Problems with Korea’s defamation law"));
    assert!(all.contains("Only in English."));
}
