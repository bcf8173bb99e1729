//! The same raw HTML gives the same text structure in every edition.
//!
//! A table of raw-HTML snippets (definition lists, tables, `<br>`,
//! `<details>`, comments, `<img alt>`, entities, scripts) is written into
//! one project, one post per snippet, built once by the real binary, and
//! read back from each edition: the PDF through `pdftotext`, the EPUB
//! through its chapter's XHTML, the e-mail edition as its text file. Each
//! snippet sits between two marker paragraphs, so only its own text is
//! compared; a snippet that does not start a line with a block tag is
//! inline HTML inside a Markdown paragraph.
//!
//! What is compared: the lines of words (whitespace collapsed). A block
//! break and a `<br>` are both a new line in every edition; the PDF draws
//! raw HTML as lines without paragraph gaps, so the grouping of lines into
//! paragraphs is compared between the EPUB (`<p>`) and the e-mail text
//! (blank lines) only. Each row also states the expected lines, so the
//! editions cannot agree on a wrong reading.

mod common;

use std::path::Path;
use std::process::Command;

const BEFORE: &str = "Zqbefore marker.";
const AFTER: &str = "Zqafter marker.";

/// (slug, raw HTML, expected paragraphs of lines).
type Case = (
    &'static str,
    &'static str,
    &'static [&'static [&'static str]],
);

const CASES: &[Case] = &[
    (
        "definition-list",
        "<dl><dt>Term</dt><dd>Definition text</dd></dl>",
        &[&["Term"], &["Definition text"]],
    ),
    (
        "table",
        "<table><tr><td>Cell one</td><td>Cell two</td></tr><tr><td>Row two</td></tr></table>",
        &[&["Cell one Cell two"], &["Row two"]],
    ),
    (
        "line-break",
        "<p>First line<br>second line</p>",
        &[&["First line", "second line"]],
    ),
    (
        "details",
        "<details><summary>Summary words</summary>Hidden body</details>",
        &[&["Summary words"], &["Hidden body"]],
    ),
    (
        "comment",
        "<p>Seen words<!-- hidden note --> more</p>",
        &[&["Seen words more"]],
    ),
    ("comment-only", "<!-- the author's hidden note -->", &[]),
    (
        "inline-break",
        "Words before<br>words after <b>bold</b>",
        &[&["Words before", "words after bold"]],
    ),
    (
        "inline-image-alt",
        "A <img src=\"c.png\" alt=\"tiny chart\"> here",
        &[&["A tiny chart here"]],
    ),
    (
        "image-alt",
        "<p><img src=\"chart.png\" alt=\"A chart of rates\"> caption</p>",
        &[&["A chart of rates caption"]],
    ),
    (
        "entities",
        "<p>Fish &amp; chips &eacute;t&eacute; &#x41;BC</p>",
        &[&["Fish & chips été ABC"]],
    ),
    (
        "script",
        "<p>Visible</p><script>var zqhidden = 1;</script><p>Also visible</p>",
        &[&["Visible"], &["Also visible"]],
    ),
    (
        "iframe",
        "<p>Kept words</p><iframe src=\"https://example.org/\">zqfallback</iframe>",
        &[&["Kept words"]],
    ),
];

type Paragraphs = Vec<Vec<String>>;

/// Whitespace collapsed; the joiners and soft hyphens an edition may put
/// inside words to control breaking removed.
fn normal(s: &str) -> String {
    s.replace(['\u{2060}', '\u{200B}', '\u{AD}'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lines strictly between the two marker lines.
fn between(text: &str) -> Vec<String> {
    let lines: Vec<String> = text.lines().map(normal).collect();
    let start = lines
        .iter()
        .position(|l| l == BEFORE)
        .expect("first marker");
    let end = lines
        .iter()
        .position(|l| l == AFTER)
        .expect("second marker");
    lines[start + 1..end].to_vec()
}

/// Paragraphs of the e-mail text: groups of lines between blank lines.
fn email_paragraphs(text: &str) -> Paragraphs {
    let mut out: Paragraphs = vec![Vec::new()];
    for line in between(text) {
        if line.is_empty() {
            out.push(Vec::new());
        } else if let Some(last) = out.last_mut() {
            last.push(line);
        }
    }
    out.retain(|p| !p.is_empty());
    out
}

/// Lines of the PDF's text; the label the PDF prints over raw HTML is not
/// the post's text.
fn pdf_lines(text: &str) -> Vec<String> {
    between(text)
        .into_iter()
        .filter(|l| !l.is_empty() && l != "HTML SHOWN AS TEXT")
        .collect()
}

/// Paragraphs of the EPUB chapter: each `<p>` between the markers, split
/// into lines at its `<br/>`s.
fn epub_paragraphs(xhtml: &str) -> Paragraphs {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(xhtml, opts).expect("chapter is well-formed");
    let paragraphs: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("p")).collect();
    let text_of = |n: &roxmltree::Node| -> String {
        n.descendants()
            .filter(|d| d.is_text())
            .filter_map(|d| d.text())
            .collect()
    };
    let start = paragraphs
        .iter()
        .position(|p| normal(&text_of(p)) == BEFORE)
        .expect("first marker");
    let end = paragraphs
        .iter()
        .position(|p| normal(&text_of(p)) == AFTER)
        .expect("second marker");
    paragraphs[start + 1..end]
        .iter()
        .map(|p| {
            let mut lines = vec![String::new()];
            for d in p.descendants().skip(1) {
                if d.has_tag_name("br") {
                    lines.push(String::new());
                } else if let (true, Some(t), Some(last)) =
                    (d.is_text(), d.text(), lines.last_mut())
                {
                    last.push_str(t);
                }
            }
            lines
                .iter()
                .map(|l| normal(l))
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

fn unzip(book: &Path, entry: &str) -> String {
    let file = std::fs::File::open(book).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut archive.by_name(entry).unwrap(), &mut text).unwrap();
    text
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn raw_html_reads_the_same_in_every_edition() {
    if !common::tool("pdftotext", &["-v"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::write(root.join("brief.toml"), "[project]\nlang = \"en\"\n").unwrap();
    for (slug, html, _) in CASES {
        let post = format!(
            "---\ntitle: Case {slug}\nslug: {slug}\n---\n\n{BEFORE}\n\n{html}\n\n{AFTER}\n"
        );
        std::fs::write(root.join(format!("content/{slug}.md")), post).unwrap();
    }
    let out = common::run_in(root, &["build"]);
    assert!(
        out.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let output = root.join("output");
    let mut failures = Vec::new();
    for (slug, html, expected) in CASES {
        let expected: Paragraphs = expected
            .iter()
            .map(|p| p.iter().map(|l| l.to_string()).collect())
            .collect();
        let expected_lines: Vec<String> = expected.concat();
        let email = email_paragraphs(
            &std::fs::read_to_string(output.join(format!("email/{slug}.txt"))).unwrap(),
        );
        let epub = epub_paragraphs(&unzip(
            &output.join(format!("epub/{slug}.epub")),
            "OEBPS/chapter-1.xhtml",
        ));
        let pdf = pdf_lines(&pdftotext(&output.join(format!("pdf/{slug}.pdf"))));
        for (edition, got) in [("e-mail", &email), ("EPUB", &epub)] {
            if *got != expected {
                failures.push(format!(
                    "{slug} {html:?}: {edition} has {got:?}, expected {expected:?}"
                ));
            }
        }
        if pdf != expected_lines {
            failures.push(format!(
                "{slug} {html:?}: PDF has lines {pdf:?}, expected {expected_lines:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "editions disagree:\n{}",
        failures.join("\n")
    );
}
