//! Korean, Japanese and Chinese through the real binary: lines break where
//! each language allows (Korean between words only; Japanese between
//! characters, tight, never boxed), a post without `lang:` is taken for the
//! language of its script, the matching Noto Serif CJK face is used, and
//! every CJK character of the source survives in every edition.
//!
//! Measured from the PDF's text layer (`pdftotext`, `pdftotext -bbox`),
//! as a reader's copy and search see it.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{run_in, shared, tool};

const KOREAN_SAMPLE: &str =
    "content/the-case-for-international-oversight-of-korean-child-trafficking-networks.ko.md";
const JAPANESE: &str = "tests/cjk/ja.md";

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A project holding the given posts (as `content/<name>`), built.
fn build(posts: &[(&str, String)], args: &[&str]) -> (tempfile::TempDir, String) {
    let work = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(work.path().join("content")).unwrap();
    for (name, text) in posts {
        std::fs::write(work.path().join("content").join(name), text).unwrap();
    }
    let mut all = vec!["build"];
    all.extend(args);
    let out = run_in(work.path(), &all);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    (work, stderr)
}

fn pdftotext(pdf: &Path, extra: &[&str]) -> String {
    let out = Command::new("pdftotext")
        .args(extra)
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7AF}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// Full-width CJK characters and punctuation (1 em wide when set solid).
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{FF01}'..='\u{FF5E}')
        || is_hangul(c)
}

/// A token without the punctuation around it.
fn bare(token: &str) -> &str {
    token.trim_matches(|c: char| !c.is_alphanumeric())
}

/// Every line of the Korean sample's PDF whose last token is Korean ends
/// with a whole word of the source: Typst alone breaks Hangul between any
/// two syllables (typst/typst#1164), which reads as a typesetting error.
#[test]
fn korean_lines_end_only_at_the_end_of_a_word() {
    if !tool("pdftotext", &["-v"]) {
        return;
    }
    let source = std::fs::read_to_string(repo(KOREAN_SAMPLE)).unwrap();
    let (work, _) = build(&[("ko.md", source.clone())], &["--format", "pdf"]);
    // Whole words of the source, and the pieces between their punctuation
    // (`(CEDAW)는` is also `CEDAW` and `는`).
    let mut words: BTreeSet<String> = BTreeSet::new();
    for w in source.split_whitespace() {
        words.insert(bare(w).to_string());
        for p in w.split(|c: char| !c.is_alphanumeric()) {
            words.insert(p.to_string());
        }
    }
    let text = pdftotext(&work.path().join("output/pdf/ko.pdf"), &[]);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut korean_ends = 0;
    let mut broken = Vec::new();
    for pair in lines.windows(2) {
        let Some(last) = pair[0].split_whitespace().last().map(bare) else {
            continue;
        };
        if !last.chars().any(is_hangul) {
            continue;
        }
        korean_ends += 1;
        // Broken: not a word of the source, and either the start of a
        // longer one or completed by the next line's first token. (The
        // template's own words, "브리핑" or "5쪽 중 1쪽", are neither.)
        let next = pair[1].split_whitespace().next().map(bare).unwrap_or("");
        let known = words.contains(last);
        let completed = words.contains(&format!("{last}{next}"));
        let prefix = words
            .iter()
            .any(|w| w.len() > last.len() && w.starts_with(last) && w.chars().any(is_hangul));
        if !known && (completed || prefix) {
            broken.push(format!("{} ⏎ {}", pair[0], pair[1]));
        }
    }
    assert!(
        korean_ends > 100,
        "only {korean_ends} lines end in Korean:\n{text}"
    );
    assert!(
        broken.is_empty(),
        "lines broken inside a word:\n{}",
        broken.join("\n")
    );
}

/// A `pdftotext -bbox` word: its text, box and line (rounded baseline).
struct Word {
    text: String,
    x_min: f64,
    x_max: f64,
    y_min: f64,
    y_max: f64,
}

fn bbox_words(pdf: &Path) -> Vec<Vec<Word>> {
    let xml = pdftotext(pdf, &["-bbox"]);
    // pdftotext writes XHTML with a DOCTYPE: parse it as such.
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(&xml, opts).unwrap();
    let num = |n: roxmltree::Node, a: &str| n.attribute(a).unwrap().parse::<f64>().unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("page"))
        .map(|page| {
            page.children()
                .filter(|n| n.has_tag_name("word"))
                .map(|n| Word {
                    text: n.text().unwrap_or("").to_string(),
                    x_min: num(n, "xMin"),
                    x_max: num(n, "xMax"),
                    y_min: num(n, "yMin"),
                    y_max: num(n, "yMax"),
                })
                .collect()
        })
        .collect()
}

/// The Japanese post's PDF sets its lines tight: between two CJK
/// characters of a line there is never more than a quarter em, inside a
/// word of the text layer or between two of them (pdftotext starts a new
/// word where glyphs stand apart: "サ ー バ" was a letter-spaced line).
/// And the data handed to Typst boxes no CJK text: a box cannot break or
/// justify between its characters.
#[test]
fn japanese_lines_are_tight_and_no_cjk_run_is_boxed() {
    if !tool("pdftotext", &["-v"]) {
        return;
    }
    let source = std::fs::read_to_string(repo(JAPANESE)).unwrap();
    let (work, _) = build(&[("ja.md", source)], &["--format", "pdf"]);
    let pages = bbox_words(&work.path().join("output/pdf/ja.pdf"));
    let mut checked = 0;
    let mut wide = Vec::new();
    for words in &pages {
        for (i, w) in words.iter().enumerate() {
            let em = w.y_max - w.y_min;
            let chars: Vec<char> = w.text.chars().collect();
            // Inside a word made only of full-width CJK characters: the
            // advance per character beyond 1 em is the added spacing.
            if chars.len() > 1 && chars.iter().all(|&c| is_cjk(c)) {
                let extra = (w.x_max - w.x_min) / chars.len() as f64 - em;
                checked += 1;
                if extra > 0.25 * em {
                    wide.push(format!("{} (+{:.2} em per character)", w.text, extra / em));
                }
            }
            // Between two words of one line, CJK on both sides.
            if let Some(next) = words.get(i + 1) {
                let same_line = (next.y_min - w.y_min).abs() < 0.5;
                let ends = w.text.chars().last().is_some_and(is_cjk);
                let starts = next.text.chars().next().is_some_and(is_cjk);
                if same_line && ends && starts {
                    let gap = next.x_min - w.x_max;
                    if gap > 0.25 * em {
                        wide.push(format!(
                            "{} | {} (gap {:.2} em)",
                            w.text,
                            next.text,
                            gap / em
                        ));
                    }
                }
            }
        }
    }
    assert!(checked > 20, "too few CJK words measured: {checked}");
    assert!(
        wide.is_empty(),
        "loose Japanese lines:\n{}",
        wide.join("\n")
    );

    // The Typst data: no boxed part (`w`) holds a CJK character.
    let dir = work.path().join("typst");
    let out = run_in(
        work.path(),
        &["dump-typst", "content/ja.md", dir.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let data: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("post.json")).unwrap()).unwrap();
    let mut boxed = Vec::new();
    let mut text_nodes = 0;
    walk(
        &data,
        &mut |node| match node.get("k").and_then(|k| k.as_str()) {
            Some("w") => {
                for part in node["parts"].as_array().into_iter().flatten() {
                    let part = part.as_str().unwrap_or("");
                    if part.chars().any(is_cjk) {
                        boxed.push(part.to_string());
                    }
                }
            }
            Some("t") => text_nodes += 1,
            _ => {}
        },
    );
    assert!(text_nodes > 10);
    assert!(boxed.is_empty(), "boxed CJK runs: {boxed:?}");
}

fn walk(v: &serde_json::Value, f: &mut dyn FnMut(&serde_json::Value)) {
    match v {
        serde_json::Value::Object(map) => {
            f(v);
            map.values().for_each(|x| walk(x, f));
        }
        serde_json::Value::Array(xs) => xs.iter().for_each(|x| walk(x, f)),
        _ => {}
    }
}

/// Without `lang:` a Japanese post is `ja` (a note says so), its PDF uses
/// the Japanese face and its EPUB says `ja`; `lang:` always wins.
#[test]
fn a_post_without_lang_takes_the_language_of_its_script() {
    let source = std::fs::read_to_string(repo(JAPANESE)).unwrap();
    let undeclared = source.replace("lang: ja\n", "");
    let declared_en = source.replace("lang: ja\n", "lang: en\n");
    let (work, stderr) = build(
        &[("a.md", undeclared), ("b.md", declared_en)],
        &["--format", "epub,pdf"],
    );
    assert!(
        stderr.contains("note: content/a.md: no `lang:`; the text is taken for ja"),
        "{stderr}"
    );
    assert!(!stderr.contains("content/b.md: no `lang:`"), "{stderr}");
    assert!(
        stderr.contains("0 warnings"),
        "a note is not a warning: {stderr}"
    );
    let opf = |name: &str| {
        let file =
            std::fs::File::open(work.path().join(format!("output/epub/{name}.epub"))).unwrap();
        let mut zip = zip::ZipArchive::new(file).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("OEBPS/content.opf").unwrap(), &mut text)
            .unwrap();
        text
    };
    assert!(
        opf("a").contains("<dc:language>ja</dc:language>"),
        "{}",
        opf("a")
    );
    assert!(opf("b").contains("<dc:language>en</dc:language>"));
    if tool("pdffonts", &["-v"]) {
        let fonts = Command::new("pdffonts")
            .arg(work.path().join("output/pdf/a.pdf"))
            .output()
            .unwrap();
        let fonts = String::from_utf8_lossy(&fonts.stdout);
        assert!(fonts.contains("NotoSerifCJKjp"), "{fonts}");
    }
}

/// The Korean sample is set in Noto Serif CJK KR (fallback alone picks
/// the Japanese face), Simplified and Traditional Chinese in SC and TC.
#[test]
fn each_cjk_language_gets_its_own_noto_serif_face() {
    if !tool("pdffonts", &["-v"]) {
        return;
    }
    let zh = "---\ntitle: 说明\nlang: LANG\n---\n我们很高兴地宣布，文档现已提供中文版本，欢迎大家阅读并提出建议。\n";
    let (work, _) = build(
        &[
            (
                "ko.md",
                std::fs::read_to_string(repo(KOREAN_SAMPLE)).unwrap(),
            ),
            ("hans.md", zh.replace("LANG", "zh-Hans")),
            ("hant.md", zh.replace("LANG", "zh-Hant")),
        ],
        &["--format", "pdf"],
    );
    for (name, face) in [
        ("ko", "NotoSerifCJKkr"),
        ("hans", "NotoSerifCJKsc"),
        ("hant", "NotoSerifCJKtc"),
    ] {
        let out = Command::new("pdffonts")
            .arg(work.path().join(format!("output/pdf/{name}.pdf")))
            .output()
            .unwrap();
        let fonts = String::from_utf8_lossy(&out.stdout);
        assert!(fonts.contains(face), "{name}: {fonts}");
    }
}

/// Every Han, Kana and Hangul character of the Korean sample and the
/// Japanese post is in every edition, as `word_survival.py` (cjk_chars)
/// counts it.
#[test]
fn every_cjk_character_survives_in_every_edition() {
    let Some(shared) = shared() else { return };
    if !tool("pdftotext", &["-v"]) {
        return;
    }
    let posts = [
        (
            "ko.md",
            std::fs::read_to_string(repo(KOREAN_SAMPLE)).unwrap(),
        ),
        ("ja.md", std::fs::read_to_string(repo(JAPANESE)).unwrap()),
    ];
    let (work, _) = build(&posts, &[]);
    let out = work.path().join("output");
    for (name, _) in &posts {
        let stem = name.trim_end_matches(".md");
        let outputs = [
            out.join(format!("pdf/{stem}.pdf")),
            out.join(format!("epub/{stem}.epub")),
            out.join(format!("email/{stem}.txt")),
        ];
        let run = Command::new("python3")
            .arg(shared.join("bench/word_survival.py"))
            .arg(work.path().join("content").join(name))
            .args(&outputs)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let mut scores = BTreeMap::new();
        for line in String::from_utf8(run.stdout).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            scores.insert(
                v["output"].as_str().unwrap().to_string(),
                v["cjk_chars"].clone(),
            );
        }
        assert_eq!(scores.len(), 3);
        for (output, score) in &scores {
            assert_eq!(score.as_f64(), Some(1.0), "{output}: {scores:?}");
        }
    }
}

/// An Arabic post sets right to left: in the PDF a heading (shorter than
/// the line) stands at the right margin; the EPUB's documents and package
/// say `dir="rtl"` / `rtl`; the text edition keeps the source's order.
#[test]
fn arabic_sets_right_to_left() {
    let source = std::fs::read_to_string(repo("tests/cjk/ar.md")).unwrap();
    let (work, _) = build(&[("ar.md", source.clone())], &[]);
    let out = work.path().join("output");
    let file = std::fs::File::open(out.join("epub/ar.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    let mut documents = 0;
    for name in names.iter().filter(|n| n.ends_with(".xhtml")) {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
        assert!(text.contains("dir=\"rtl\""), "{name}: {text}");
        documents += 1;
    }
    assert!(documents >= 2);
    let mut opf = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("OEBPS/content.opf").unwrap(), &mut opf)
        .unwrap();
    assert!(opf.contains("page-progression-direction=\"rtl\""), "{opf}");
    let text = std::fs::read_to_string(out.join("email/ar.txt")).unwrap();
    assert!(text.contains("تعمل كوريا الجنوبية بلدَ مقصدٍ"), "{text}");
    if !tool("pdftotext", &["-v"]) {
        return;
    }
    let pages = bbox_words(&out.join("pdf/ar.pdf"));
    let words = &pages[0];
    // pdftotext -bbox writes right-to-left words in visual order.
    let visual = |s: &str| s.chars().rev().collect::<String>();
    let heading: Vec<&Word> = words
        .iter()
        .filter(|w| w.text == visual("الحجة") || w.text == visual("الرئيسية"))
        .collect();
    assert_eq!(heading.len(), 2, "heading words not found");
    let right_margin = words.iter().map(|w| w.x_max).fold(0.0, f64::max);
    let heading_right = heading.iter().map(|w| w.x_max).fold(0.0, f64::max);
    let heading_left = heading.iter().map(|w| w.x_min).fold(f64::MAX, f64::min);
    assert!(
        (right_margin - heading_right).abs() < 2.0 && heading_left > 300.0,
        "the heading is not set from the right: {heading_left:.0}–{heading_right:.0}, margin {right_margin:.0}"
    );
    // The note's address, set in boxed parts, still reads left to right
    // and in order. Regression: "en.https://www" / "ohchr.org/en.".
    let text: String = pdftotext(&out.join("pdf/ar.pdf"), &[])
        .chars()
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect();
    assert!(
        text.contains("https://www.ohchr.org/en/press-releases/2023/11/korea-failed-protect-three-filipino-women-trafficking-victims-and-ensure"),
        "{text}"
    );
}

/// EPUBCheck accepts the Korean, Japanese and Arabic books.
#[test]
fn cjk_and_arabic_books_pass_epubcheck() {
    let posts = [
        (
            "ko.md",
            std::fs::read_to_string(repo(KOREAN_SAMPLE)).unwrap(),
        ),
        ("ja.md", std::fs::read_to_string(repo(JAPANESE)).unwrap()),
        (
            "ar.md",
            std::fs::read_to_string(repo("tests/cjk/ar.md")).unwrap(),
        ),
    ];
    let (work, _) = build(&posts, &["--format", "epub"]);
    let books: Vec<PathBuf> = ["ko", "ja", "ar"]
        .iter()
        .map(|s| work.path().join(format!("output/epub/{s}.epub")))
        .collect();
    let Some(report) = common::epubcheck(&books) else {
        return;
    };
    for (book, messages) in &report {
        assert!(messages.is_empty(), "{}: {messages:?}", book.display());
    }
    assert_eq!(report.len(), 3);
}

/// A line break in the Japanese source between two CJK characters joins
/// the lines in the text edition and the EPUB, as in the PDF: no space
/// appears that the author did not write (the source has none between
/// CJK characters). Korean keeps its spaces.
#[test]
fn source_line_breaks_inside_japanese_add_no_space() {
    let source = std::fs::read_to_string(repo(JAPANESE)).unwrap();
    assert!(source.contains("生まれている。\n韓国国内"));
    let (work, _) = build(&[("ja.md", source)], &["--format", "email,epub"]);
    let text = std::fs::read_to_string(work.path().join("output/email/ja.txt")).unwrap();
    let joined: String = text.split('\n').collect::<Vec<_>>().join("");
    assert!(joined.contains("生まれている。韓国国内"), "{text}");
    let cjk_space_cjk = text.split('\n').any(|l| {
        l.chars()
            .collect::<Vec<_>>()
            .windows(3)
            .any(|w| is_cjk(w[0]) && w[1] == ' ' && is_cjk(w[2]))
    });
    assert!(!cjk_space_cjk, "{text}");
    let file = std::fs::File::open(work.path().join("output/epub/ja.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    let mut found = false;
    for name in names.iter().filter(|n| n.ends_with(".xhtml")) {
        let mut xhtml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut xhtml).unwrap();
        found |= xhtml.contains("生まれている。韓国国内");
    }
    assert!(
        found,
        "the EPUB keeps the source's line break between CJK characters"
    );
}

/// A long Latin word after Japanese text at the end of a justified line
/// is hyphenated (English rules) instead of going whole to the next line
/// and leaving the line before letter-spaced: pdftotext reads such a line
/// as "こ の 取 り 組 み …", a space between every two characters.
/// Regression: ja/2024/year-in-review of ../shared/corpus/real, the line
/// before "OpenTelemetry" (36 such gaps, `bench/cjk_gaps.py` 14.7 per
/// 1,000 characters; 0 since).
#[test]
fn a_latin_word_after_japanese_leaves_no_letter_spaced_line() {
    let Some(shared) = shared() else { return };
    if !tool("pdftotext", &["-v"]) {
        return;
    }
    let post = shared.join("corpus/real/opentelemetry-io/ja/2024/year-in-review.md");
    let source = std::fs::read_to_string(&post).unwrap();
    let (work, _) = build(&[("year-in-review.md", source)], &["--format", "pdf"]);
    let text = pdftotext(&work.path().join("output/pdf/year-in-review.pdf"), &[]);
    let chars: Vec<char> = text.chars().collect();
    let mut gaps = Vec::new();
    for (i, w) in chars.windows(3).enumerate() {
        if is_cjk(w[0]) && w[1] == ' ' && is_cjk(w[2]) && !is_hangul(w[0]) {
            let line: String = chars[i.saturating_sub(12)..(i + 12).min(chars.len())]
                .iter()
                .collect();
            gaps.push(line);
        }
    }
    assert!(
        text.contains("OpenTelemetry"),
        "the post did not build as expected"
    );
    assert!(gaps.is_empty(), "spaced-out Japanese: {gaps:#?}");
}
