//! Site-engine markup (Docusaurus admonitions, MDX imports and JSX
//! components, Hugo shortcodes) never reaches a reader as text: the
//! fixture posts in `tests/site-engines/` and every post of
//! `../shared/corpus/real` are built in all three editions, and each
//! edition's text — the PDF text layer, the EPUB XHTML, the e-mail text —
//! is checked outside code for what an engine would have consumed.

mod common;

use common::*;
use std::io::Read;
use std::path::Path;

/// Engine markup in `text` (code already removed), with the line.
fn markup_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        let jsx = t.match_indices('<').any(|(i, _)| {
            let rest = &t[i + 1..];
            let rest = rest.strip_prefix('/').unwrap_or(rest);
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            name.starts_with(|c: char| c.is_ascii_uppercase())
                && rest[name.len()..].starts_with(['>', ' ', '/'])
        });
        if t.starts_with(":::")
            || t.contains("{{<")
            || t.contains("{{%")
            || (t.starts_with("import ") && t.contains(" from "))
            || t.starts_with("export const")
            || jsx
            || t.contains("{' '}")
        {
            found.push(line.to_string());
        }
    }
    found
}

/// The e-mail text without its code blocks (indented by four spaces).
fn email_prose(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("    "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The visible text of every XHTML document of an EPUB, without `<pre>`
/// and `<code>` elements.
fn epub_prose(epub: &Path) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(epub).unwrap()).unwrap();
    let mut out = String::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        if !entry.name().ends_with(".xhtml") {
            continue;
        }
        let mut xml = String::new();
        entry.read_to_string(&mut xml).unwrap();
        let opts = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(&xml, opts).unwrap();
        for node in doc.descendants().filter(|n| n.is_text()) {
            let in_code = node
                .ancestors()
                .any(|a| matches!(a.tag_name().name(), "pre" | "code"));
            if !in_code {
                out.push_str(node.text().unwrap_or(""));
            }
        }
        out.push('\n');
    }
    out
}

/// The PDF's text layer. Code is set in a monospaced font pdftotext does
/// not tell apart, so lines that come from the post's code are removed by
/// the caller's list of code lines.
fn pdf_text(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Lines inside code blocks and inline code spans of the sources, which
/// may legitimately hold engine markup.
fn code_fragments(content: &Path) -> Vec<String> {
    let mut fragments = Vec::new();
    for entry in walk(content) {
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        let mut in_fence = false;
        for line in text.lines() {
            if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
                in_fence = !in_fence;
                continue;
            }
            if in_fence || line.starts_with("    ") || line.starts_with('\t') {
                fragments.push(line.trim().to_string());
            }
            for (i, part) in line.split('`').enumerate() {
                if i % 2 == 1 {
                    fragments.push(part.trim().to_string());
                }
            }
        }
    }
    fragments.retain(|f| !f.is_empty());
    fragments
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path
            .extension()
            .is_some_and(|e| e == "md" || e == "mdx" || e == "markdown")
        {
            out.push(path);
        }
    }
    out
}

fn check_folder(content: &Path) {
    let work = tempfile::tempdir().unwrap();
    let out = brief()
        .current_dir(work.path())
        .args(["build", "--content", content.to_str().unwrap(), "--out"])
        .arg(work.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let code = code_fragments(content);
    let in_code = |line: &str| {
        let t = line.trim();
        code.iter().any(|c| c.contains(t) || t.contains(c.as_str()))
    };
    let mut problems = Vec::new();
    for file in files_under(&work.path().join("out")) {
        let path = work.path().join("out").join(&file);
        let text = match path.extension().and_then(|e| e.to_str()) {
            Some("txt") => email_prose(&std::fs::read_to_string(&path).unwrap()),
            Some("epub") => epub_prose(&path),
            Some("pdf") => pdf_text(&path),
            _ => continue,
        };
        for line in markup_in(&text) {
            if !in_code(&line) {
                problems.push(format!("{file}: {line}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "engine markup printed as text:\n{}",
        problems.join("\n")
    );
}

#[test]
fn fixture_posts_leave_no_engine_markup_in_any_edition() {
    if !tool("pdftotext", &["-v"]) {
        return;
    }
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/site-engines/content");
    check_folder(&content);
    // And what the engines meant is there: the admonition's title, the tab
    // label, the components' text, the figure's caption, the paired
    // shortcode's content.
    let work = tempfile::tempdir().unwrap();
    let out = brief()
        .current_dir(work.path())
        .args([
            "build",
            "--format",
            "email",
            "--content",
            content.to_str().unwrap(),
            "--out",
        ])
        .arg(work.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let docusaurus = std::fs::read_to_string(work.path().join("out/email/docusaurus.txt")).unwrap();
    for words in [
        "Read this first",
        "Admonitions become callouts",
        "Never share the raw interview notes",
        "npm",
        "Install it with yarn",
        "Components keep their children",
        "Unknown components keep their text and the sentence goes on",
    ] {
        assert!(docusaurus.contains(words), "{words}: {docusaurus}");
    }
    let hugo = std::fs::read_to_string(work.path().join("out/email/hugo.txt")).unwrap();
    for words in [
        "Cases by month, 2024",
        "Paired shortcodes keep their content",
        "method note",
    ] {
        assert!(hugo.contains(words), "{words}: {hugo}");
    }
    assert!(hugo.starts_with("Hugo markup in a brief"), "{hugo}");
    // An author written as Markdown links reads as names, in every
    // edition's byline (they all print the name the reader model holds).
    assert!(hugo.contains("Jane Roe (Example Org), Ann Other"), "{hugo}");
    assert!(!hugo.contains("github.com/jroe"), "{hugo}");
    // Reported once per post and name.
    assert_eq!(stderr.matches("<ConsoleLogLine>").count(), 1, "{stderr}");
    assert_eq!(stderr.matches("{{< youtube >}}").count(), 1, "{stderr}");
}

#[test]
fn real_posts_leave_no_engine_markup_in_any_edition() {
    let Some(shared) = shared() else { return };
    if !tool("pdftotext", &["-v"]) {
        return;
    }
    check_folder(&shared.join("corpus/real"));
}
