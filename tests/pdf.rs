//! The PDF edition, end to end: IR in, PDF out, checked with poppler's
//! `pdftotext`/`pdfinfo`/`pdfimages` and `qpdf --check`.
//!
//! Tools missing: the test is skipped with a message, or fails under
//! `CI=true` (CI installs qpdf, poppler-utils and fonts-noto-cjk).

use std::path::{Path, PathBuf};
use std::process::Command;

use brief::config::{Config, LinkStyle, Paper, PdfStandardSetting};
use brief::ir::{Align, Author, Block, Footnote, Inline, ListItem, Meta, Post, PostDate};
use brief::write::{Context, Rendered, pdf};

// ---------------------------------------------------------------- helpers

fn tool_missing(tool: &str) -> bool {
    let found = Command::new(tool).arg("-v").output().is_ok()
        || Command::new(tool).arg("--version").output().is_ok();
    if found {
        return false;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{tool} is required under CI=true (install poppler-utils / qpdf)");
    }
    eprintln!("skipping: {tool} is not installed");
    true
}

fn run_tool(tool: &str, args: &[&str], pdf: &[u8]) -> Option<String> {
    if tool_missing(tool) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.pdf");
    std::fs::write(&file, pdf).unwrap();
    let mut cmd = Command::new(tool);
    cmd.args(args).arg(&file);
    if tool == "pdftotext" {
        cmd.arg("-");
    }
    let out = cmd.output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if tool == "qpdf" {
        assert!(out.status.success(), "qpdf --check failed:\n{text}");
    }
    Some(text)
}

fn pdftotext(pdf: &[u8]) -> Option<String> {
    run_tool("pdftotext", &["-enc", "UTF-8"], pdf).map(|t| squash(&t))
}

/// Text in content-stream order: a table cell's lines stay together
/// instead of interleaving with the next column's (for word checks).
fn pdftotext_raw(pdf: &[u8]) -> Option<String> {
    run_tool("pdftotext", &["-enc", "UTF-8", "-raw"], pdf)
}

/// Words of the post missing from the PDF text, not counting words with
/// characters the render reported as having no font (they print as boxes).
fn missing_words(post: &Post, rendered: &Rendered, text: &str) -> Vec<String> {
    let no_font: Vec<char> = rendered
        .warnings
        .iter()
        .filter(|w| w.message.contains("no available font has glyphs"))
        .flat_map(|w| w.message.chars())
        .filter(|c| !c.is_ascii())
        .collect();
    brief::write::shared::survival::missing_words(
        &brief::write::shared::survival::reader_text(post),
        text,
    )
    .into_iter()
    .filter(|w| !w.chars().any(|c| no_font.contains(&c)))
    .collect()
}

/// The value of a `pdfinfo` field (`Title`, `Author`, ...).
fn info_field(info: &str, name: &str) -> String {
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn ctx(root: &Path) -> Context {
    Context::new(Config::default(), root, None, 0)
}

fn meta(title: &str) -> Meta {
    Meta {
        title: title.to_string(),
        slug: "test-post".to_string(),
        date: Some(PostDate {
            day: chrono::NaiveDate::from_ymd_opt(2025, 9, 2).unwrap(),
            datetime: None,
        }),
        lang: "en".to_string(),
        authors: vec![Author {
            name: "Ada Lovelace".into(),
            email: None,
            role: None,
        }],
        tags: vec!["policy".into(), "oversight".into()],
        summary: Some("A short summary of the brief.".into()),
        subtitle: None,
        marking: None,
        draft: false,
        extra: vec![],
    }
}

fn post_in(root: &Path, title: &str, body: Vec<Block>) -> Post {
    let content = root.join("content");
    std::fs::create_dir_all(&content).unwrap();
    Post {
        source: content.join("post.md"),
        source_sha256: String::new(),
        meta: meta(title),
        body,
        footnotes: vec![],
    }
}

fn t(s: &str) -> Inline {
    Inline::text(s)
}

fn p(inlines: Vec<Inline>) -> Block {
    Block::Paragraph { content: inlines }
}

fn render_ok(post: &Post, ctx: &Context) -> Rendered {
    match pdf::render(post, ctx) {
        Ok(r) => r,
        Err(d) => panic!("render failed: {d}"),
    }
}

/// Keeps a copy for looking at when BRIEF_PDF_OUT names a folder.
fn keep(name: &str, bytes: &[u8]) {
    if let Ok(dir) = std::env::var("BRIEF_PDF_OUT") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(PathBuf::from(dir).join(format!("{name}.pdf")), bytes).unwrap();
    }
}

const HOSTILE: &[&str] = &[
    "#read(\"/etc/passwd\")",
    "#panic(\"x\")",
    "$x$",
    "@ref",
    "<label>",
    "// not a comment",
    "/* x */",
    "\\",
    "]",
    "= not a heading",
    "name@example.org",
    "#set text(red)",
    "[#strong[x]]",
    "\\u{41}",
    "```raw```",
    "- not a list",
    "+ not an enum",
    "https://bare.example.org/path",
    "~nbsp~",
    "*not strong*",
    "_not emph_",
    "#{1+1}",
    "\"quoted\"",
];

// ---------------------------------------------------------------- tests

#[test]
fn sample_post_builds_with_all_its_words() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_dir(root.join("content"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "md"))
        .expect("a sample post in content/");
    let post = brief::read::read_post(&source, "en")
        .expect("sample post parses")
        .post;
    let started = std::time::Instant::now();
    let rendered = render_ok(&post, &ctx(root));
    eprintln!(
        "sample post rendered in {:?} (first in process: font scan included)",
        started.elapsed()
    );
    keep("sample", &rendered.bytes);
    assert!(rendered.warnings.iter().all(|w| !w.is_error()));
    run_tool("qpdf", &["--check"], &rendered.bytes);
    let Some(pdf_text) = pdftotext_raw(&rendered.bytes) else {
        return;
    };
    let missing = missing_words(&post, &rendered, &pdf_text);
    assert!(
        missing.is_empty(),
        "words missing from the PDF: {missing:?}"
    );
    // Steady state: the same process renders more posts much faster.
    let started = std::time::Instant::now();
    for _ in 0..5 {
        let mut other = post.clone();
        other.meta.title.push_str(" (again)");
        render_ok(&other, &ctx(root));
        typst::comemo::evict(10);
    }
    eprintln!(
        "sample post, warm process: {:?} per render",
        started.elapsed() / 5
    );
}

#[test]
fn every_block_and_inline_kind_renders() {
    let dir = tempfile::tempdir().unwrap();
    let body = vec![
        Block::Heading { level: 2, id: None, content: vec![t("Second level")] },
        p(vec![
            t("Plain, "),
            Inline::Emph { content: vec![t("emphasis")] },
            t(", "),
            Inline::Strong { content: vec![t("strong")] },
            t(", "),
            Inline::Strike { content: vec![t("struck")] },
            t(", "),
            Inline::Code { text: "inline_code()".into() },
            Inline::SoftBreak,
            t("a link "),
            Inline::Link { url: "https://example.org/page".into(), title: None, bare: false, content: vec![t("to example")] },
            t(" and a bare "),
            Inline::Link { url: "https://bare.example.org".into(), title: None, bare: true, content: vec![t("https://bare.example.org")] },
            Inline::HardBreak,
            t("a note"),
            Inline::FootnoteRef { label: "n".into(), number: 1 },
            t(" again"),
            Inline::FootnoteRef { label: "n".into(), number: 1 },
            t(" tab\there"),
        ]),
        Block::Heading { level: 5, id: None, content: vec![t("Deep heading clamped")] },
        Block::Heading { level: 3, id: None, content: vec![] },
        Block::List {
            start: None,
            tight: true,
            items: vec![
                ListItem { task: None, body: vec![p(vec![t("bullet one")])] },
                ListItem {
                    task: None,
                    body: vec![
                        p(vec![t("bullet two")]),
                        Block::List {
                            start: Some(3),
                            tight: true,
                            items: vec![ListItem { task: None, body: vec![p(vec![t("nested ordered")])] }],
                        },
                    ],
                },
                ListItem { task: Some(true), body: vec![p(vec![t("task done")])] },
                ListItem { task: Some(false), body: vec![p(vec![t("task open")])] },
            ],
        },
        Block::Quote { alert: None, body: vec![p(vec![t("quoted wisdom")])] },
        Block::Quote { alert: Some("warning".into()), body: vec![p(vec![t("alert body")])] },
        Block::Code { lang: Some("rust".into()), text: "fn main() {\n\tprintln!(\"tabbed\");\n}\n".into() },
        Block::Code { lang: None, text: format!("long {}\n", "x".repeat(300)) },
        Block::Table {
            align: vec![Align::Left, Align::Center, Align::Right],
            head: vec![vec![t("Name")], vec![t("Kind")], vec![t("Count")]],
            rows: vec![
                vec![vec![t("alpha")], vec![t("first")], vec![t("1")]],
                vec![vec![t("beta")], vec![Inline::Strong { content: vec![t("second")] }], vec![t("22")]],
            ],
        },
        Block::Rule,
        Block::Html { html: "<div class=\"chart\"><p>Survey &amp; results</p><table><tr><td>42%</td></tr></table></div>".into() },
        Block::Html { html: "<!-- hidden note -->".into() },
        p(vec![t("inline html "), Inline::Html { html: "<kbd>".into() }, t("Ctrl"), Inline::Html { html: "</kbd>".into() }]),
        p(vec![t(&format!("long word {} ends", "y".repeat(120)))]),
    ];
    let mut post = post_in(dir.path(), "All kinds", body);
    post.footnotes = vec![
        Footnote {
            label: "n".into(),
            number: 1,
            body: vec![p(vec![t("the footnote text")])],
        },
        Footnote {
            label: "u".into(),
            number: 2,
            body: vec![p(vec![t("never referenced note")])],
        },
    ];
    let rendered = render_ok(&post, &ctx(dir.path()));
    keep("kinds", &rendered.bytes);
    run_tool("qpdf", &["--check"], &rendered.bytes);
    let Some(text) = pdftotext(&rendered.bytes) else {
        return;
    };
    for needle in [
        "Second level",
        "emphasis",
        "strong",
        "struck",
        "inline_code()",
        "to example",
        "https://example.org/page",
        "https://bare.example.org",
        "a note",
        "the footnote text",
        "Deep heading clamped",
        "bullet one",
        "nested ordered",
        "task done",
        "task open",
        "quoted wisdom",
        "WARNING",
        "alert body",
        "println!(\"tabbed\");",
        "alpha",
        "second",
        "22",
        "Survey & results",
        "42%",
        "Ctrl",
        "never referenced note",
        "tab here",
        "ends",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
    assert_eq!(
        text.matches("https://bare.example.org").count(),
        1,
        "bare URL printed once"
    );
    assert!(!text.contains("hidden note"));
    let long_y = "y".repeat(120);
    assert!(text.replace(' ', "").contains(&long_y), "long word kept");
    let long_x = "x".repeat(300);
    assert!(
        text.replace(' ', "").contains(&long_x),
        "long code line kept"
    );
}

#[test]
fn hostile_text_comes_out_verbatim_in_body_and_title() {
    let dir = tempfile::tempdir().unwrap();
    let mut body: Vec<Block> = HOSTILE.iter().map(|s| p(vec![t(s)])).collect();
    body.push(p(vec![Inline::Strong {
        content: vec![t("1. April")],
    }]));
    body.push(p(vec![Inline::Link {
        url: "https://x.org/a\"b".into(),
        title: None,
        bare: false,
        content: vec![t("quoted target")],
    }]));
    body.push(Block::Heading {
        level: 2,
        id: None,
        content: vec![t("= heading #text")],
    });
    for chunk in HOSTILE.chunks(6) {
        let title = chunk.join(" ");
        let post = post_in(dir.path(), &title, body.clone());
        let rendered = render_ok(&post, &ctx(dir.path()));
        let Some(text) = pdftotext(&rendered.bytes) else {
            return;
        };
        for s in HOSTILE {
            assert!(text.contains(s), "{s:?} not verbatim in body:\n{text}");
        }
        assert!(
            text.contains(&squash(&title)),
            "title {title:?} not verbatim:\n{text}"
        );
        assert!(text.contains("1. April"));
        assert!(text.contains("https://x.org/a\"b"));
        assert!(text.contains("= heading #text"));
        if let Some(info) = run_tool("pdfinfo", &[], &rendered.bytes) {
            assert_eq!(info_field(&info, "Title"), title.trim(), "{info}");
        }
    }
}

#[test]
fn metadata_is_set_and_builds_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let post = post_in(dir.path(), "Metadata check", vec![p(vec![t("Body.")])]);
    let first = render_ok(&post, &ctx(dir.path()));
    let second = render_ok(&post, &ctx(dir.path()));
    assert!(first.bytes == second.bytes, "two builds differ");
    let Some(info) = run_tool("pdfinfo", &[], &first.bytes) else {
        return;
    };
    assert_eq!(info_field(&info, "Title"), "Metadata check", "{info}");
    assert_eq!(info_field(&info, "Author"), "Ada Lovelace", "{info}");
    assert_eq!(info_field(&info, "Keywords"), "policy, oversight", "{info}");
    assert!(
        info_field(&info, "CreationDate").contains("Sep  2 00:00:00 2025"),
        "{info}"
    );
    assert_eq!(info_field(&info, "Tagged"), "yes", "{info}");
    assert!(
        info_field(&info, "Page size").contains("(A4)"),
        "A4 by default: {info}"
    );
    run_tool("qpdf", &["--check"], &first.bytes);
    // SOURCE_DATE_EPOCH dates a post without a date of its own.
    let mut undated = post.clone();
    undated.meta.date = None;
    let mut c = ctx(dir.path());
    c.source_date_epoch = Some(1_700_000_000);
    let r = render_ok(&undated, &c);
    let info = run_tool("pdfinfo", &[], &r.bytes).unwrap();
    assert!(
        info_field(&info, "CreationDate").contains("Nov 14 22:13:20 2023"),
        "{info}"
    );
}

#[test]
fn config_paper_links_and_standards() {
    let dir = tempfile::tempdir().unwrap();
    let body = vec![p(vec![
        t("see "),
        Inline::Link {
            url: "https://example.org/x".into(),
            title: None,
            bare: false,
            content: vec![t("this page")],
        },
    ])];
    let post = post_in(dir.path(), "Config", body);
    for (links, expect_url) in [
        (LinkStyle::Footnote, true),
        (LinkStyle::Inline, true),
        (LinkStyle::None, false),
    ] {
        let mut c = ctx(dir.path());
        c.config.pdf.links = links;
        c.config.pdf.paper = Paper::UsLetter;
        let r = render_ok(&post, &c);
        let Some(text) = pdftotext(&r.bytes) else {
            return;
        };
        assert_eq!(
            text.contains("https://example.org/x"),
            expect_url,
            "{links:?}: {text}"
        );
        if links == LinkStyle::Inline {
            assert!(text.contains("this page (https://example.org/x)"), "{text}");
        }
        let info = run_tool("pdfinfo", &[], &r.bytes).unwrap();
        assert!(info.contains("612 x 792"), "us-letter: {info}");
    }
    for standard in [PdfStandardSetting::A2b, PdfStandardSetting::A2bUa1] {
        let mut c = ctx(dir.path());
        c.config.pdf.standard = standard;
        let r = render_ok(&post, &c);
        assert!(r.warnings.is_empty(), "{standard:?}: {:?}", r.warnings);
        run_tool("qpdf", &["--check"], &r.bytes);
    }
    let parsed = Config::parse(
        "[pdf]\npaper = \"us-letter\"\nstandard = \"a-2b+ua-1\"\nlinks = \"inline\"\n",
        Path::new("brief.toml"),
    )
    .unwrap();
    assert_eq!(parsed.pdf.paper, Paper::UsLetter);
    assert_eq!(parsed.pdf.standard, PdfStandardSetting::A2bUa1);
    assert_eq!(parsed.pdf.links, LinkStyle::Inline);
    assert!(Config::parse("[pdf]\npapr = \"a4\"\n", Path::new("brief.toml")).is_err());
    assert!(Config::parse("[pdf]\nstandard = \"a-3b\"\n", Path::new("brief.toml")).is_err());
}

#[test]
fn a_link_ending_inside_a_word_keeps_the_word_whole() {
    // `[Ca](https://x.org/a)se`: the note marker (or the parenthesised
    // address) goes after the whole word, not between "Ca" and "se".
    let dir = tempfile::tempdir().unwrap();
    let link = |url: &str, text: &str| Inline::Link {
        url: url.into(),
        title: None,
        bare: false,
        content: vec![t(text)],
    };
    let body = vec![p(vec![
        t("The "),
        link("https://x.org/a", "Ca"),
        t("se is "),
        link("https://y.org/", "open"),
        t("ed, "),
        link("https://z.org/", "done"),
        t("."),
    ])];
    let post = post_in(dir.path(), "Mid-word links", body);
    for links in [LinkStyle::Footnote, LinkStyle::Inline] {
        let mut c = ctx(dir.path());
        c.config.pdf.links = links;
        let r = render_ok(&post, &c);
        let Some(text) = pdftotext(&r.bytes) else {
            return;
        };
        assert_eq!(
            missing_words(&post, &r, &text),
            Vec::<String>::new(),
            "{links:?}: {text}"
        );
        if links == LinkStyle::Inline {
            assert!(
                text.contains(
                    "Case (https://x.org/a) is opened (https://y.org/), done (https://z.org/)."
                ),
                "{text}"
            );
        }
    }
}

/// Word boxes (`xMin, yMin, xMax, yMax`, page) from `pdftotext -bbox`.
fn word_boxes(pdf: &[u8]) -> Option<Vec<(usize, [f64; 4], String)>> {
    let html = run_tool("pdftotext", &["-bbox"], pdf)?;
    let mut page = 0;
    let mut boxes = Vec::new();
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page") {
            page += 1;
        }
        let Some(rest) = line.strip_prefix("<word ") else {
            continue;
        };
        let attr = |name: &str| -> f64 {
            let start = rest.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            rest[start..start + rest[start..].find('"').unwrap()]
                .parse()
                .unwrap()
        };
        let word = rest[rest.find('>').unwrap() + 1..rest.rfind("</word>").unwrap()].to_string();
        boxes.push((
            page,
            [attr("xMin"), attr("yMin"), attr("xMax"), attr("yMax")],
            word,
        ));
    }
    Some(boxes)
}

#[test]
fn wide_tables_stay_on_the_page_and_no_cell_runs_into_the_next() {
    // Regression: in 16 columns, long words (and inline code and
    // addresses) ran across their neighbours and off the page.
    let dir = tempfile::tempdir().unwrap();
    let word = "Internationalisierungsbestrebungen";
    for columns in [4usize, 8, 16] {
        let cell = |i: usize| -> Vec<Inline> {
            match i % 4 {
                0 => vec![Inline::Code {
                    text: format!("{word}{i}"),
                }],
                1 => vec![t(&format!("{word}{i}"))],
                2 => vec![Inline::Link {
                    url: format!("https://example.org/{word}/{i}"),
                    title: None,
                    bare: true,
                    content: vec![t(&format!("https://example.org/{word}/{i}"))],
                }],
                _ => vec![t(&format!("WWWWWWWWWWWWWWWWWWWW{i}"))],
            }
        };
        let body = vec![Block::Table {
            align: vec![Align::Left; columns],
            head: (0..columns)
                .map(|i| vec![t(&format!("Heading{i}"))])
                .collect(),
            rows: (0..3).map(|_| (0..columns).map(cell).collect()).collect(),
        }];
        let post = post_in(dir.path(), "Wide table", body);
        let r = render_ok(&post, &ctx(dir.path()));
        keep(&format!("wide-table-{columns}"), &r.bytes);
        let Some(boxes) = word_boxes(&r.bytes) else {
            return;
        };
        let Some(text) = pdftotext_raw(&r.bytes) else {
            return;
        };
        assert_eq!(
            missing_words(&post, &r, &text),
            Vec::<String>::new(),
            "{columns} columns"
        );
        // A4: 595.3 pt wide, 2.3 cm (65.2 pt) side margins.
        for (_, b, w) in &boxes {
            assert!(
                b[0] >= 64.0 && b[2] <= 595.3 - 64.0,
                "{columns} columns: {w:?} at {b:?} leaves the text area"
            );
        }
        for (i, (page, a, wa)) in boxes.iter().enumerate() {
            for (page_b, b, wb) in &boxes[i + 1..] {
                let overlap_x = a[2].min(b[2]) - a[0].max(b[0]);
                let overlap_y = a[3].min(b[3]) - a[1].max(b[1]);
                assert!(
                    page != page_b || overlap_x <= 0.5 || overlap_y <= 0.5,
                    "{columns} columns: {wa:?} {a:?} overlaps {wb:?} {b:?}"
                );
            }
        }
    }
}

#[test]
fn note_markers_and_broken_addresses_survive_text_extraction() {
    // `pdftotext` (and search, and copying) read a marker glued to its
    // word as part of it ("investigation8"), and took a hyphen where Typst
    // broke an address for a hyphenation, deleting it.
    let dir = tempfile::tempdir().unwrap();
    let long = "https://www.example.org/reports/2025/annual/international-oversight-of-trafficking-networks-and-judicial-accountability-in-east-asia-final-version.pdf?download=true&lang=en";
    let link = |url: &str, text: &str, bare: bool| Inline::Link {
        url: url.into(),
        title: None,
        bare,
        content: vec![t(text)],
    };
    let body = vec![
        p(vec![
            t("an "),
            link("https://x.org/", "investigation", false),
            t(" and a note"),
            Inline::FootnoteRef {
                number: 1,
                label: "n".into(),
            },
            t(" here."),
        ]),
        p(vec![
            t("See the "),
            link(long, "full report", false),
            t(" and also "),
            link(long, long, true),
            t(" in the text."),
        ]),
    ];
    let mut post = post_in(dir.path(), "Markers", body);
    post.footnotes = vec![Footnote {
        label: "n".into(),
        number: 1,
        body: vec![p(vec![t("details elsewhere")])],
    }];
    let r = render_ok(&post, &ctx(dir.path()));
    keep("markers", &r.bytes);
    let Some(text) = run_tool("pdftotext", &["-enc", "UTF-8"], &r.bytes) else {
        return;
    };
    let tokens: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).collect();
    for word in ["investigation", "note"] {
        assert!(
            tokens.contains(&word),
            "{word:?} is glued to its marker: {text}"
        );
    }
    // The address, printed twice (footnote and bare), each across lines.
    let joined: String = text.lines().map(str::trim).collect();
    assert!(joined.matches(long).count() >= 2, "{text}");
}

#[test]
fn text_around_a_long_word_flows_on_the_same_lines() {
    // Regression: the text before a word long enough to be cut was one
    // box that wrapped inside itself, so the long word sat alone on its
    // line and the paragraph restarted under it.
    let dir = tempfile::tempdir().unwrap();
    let filler = "lorem ipsum dolor sit amet ".repeat(20);
    let long = "Internationalisierungsbestrebungenundsoweiter";
    let body = vec![p(vec![t(&format!("{filler}{long} {filler}"))])];
    let post = post_in(dir.path(), "Long word", body);
    let r = render_ok(&post, &ctx(dir.path()));
    let Some(boxes) = word_boxes(&r.bytes) else {
        return;
    };
    let (page, at, _) = boxes
        .iter()
        .find(|(_, _, w)| w == long)
        .expect("the long word is in the text");
    let same_line = boxes
        .iter()
        .filter(|(p, b, w)| p == page && w != long && (b[1] - at[1]).abs() < 1.0)
        .count();
    assert!(
        same_line >= 3,
        "the long word is nearly alone on its line ({same_line} other words)"
    );
}

#[test]
fn hyphenated_compounds_are_not_broken_at_their_hyphen() {
    // Typst broke "theme-gem" after the hyphen at a line end, and
    // pdftotext (search, copying) read "themegem".
    let dir = tempfile::tempdir().unwrap();
    let words = [
        "well-known",
        "state-of-the-art",
        "K-pop",
        "12-13",
        "end-user",
        "co-operation",
    ];
    let text: String = (0..240)
        .map(|i| format!("{} a{} ", words[i % words.len()], "b".repeat(i % 7)))
        .collect();
    let post = post_in(dir.path(), "Compounds", vec![p(vec![t(&text)])]);
    let r = render_ok(&post, &ctx(dir.path()));
    let Some(out) = run_tool("pdftotext", &["-enc", "UTF-8"], &r.bytes) else {
        return;
    };
    for w in words {
        assert_eq!(
            out.matches(w).count(),
            40,
            "{w:?} broken at its hyphen:\n{out}"
        );
    }
}

#[test]
fn a_16_kb_url_still_builds() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("https://example.org/?q={}", "a".repeat(16 * 1024));
    let body = vec![
        p(vec![Inline::Link {
            url: url.clone(),
            title: None,
            bare: false,
            content: vec![t("huge link")],
        }]),
        p(vec![Inline::Link {
            url: url.clone(),
            title: None,
            bare: true,
            content: vec![t(&url)],
        }]),
    ];
    let post = post_in(dir.path(), "Long URL", body);
    let r = render_ok(&post, &ctx(dir.path()));
    let Some(text) = pdftotext(&r.bytes) else {
        return;
    };
    assert!(text.contains("huge link"));
}

const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

fn image(src: &str, alt: &str) -> Block {
    p(vec![Inline::Image {
        src: src.into(),
        title: None,
        alt: alt.into(),
        line: 7,
    }])
}

#[test]
fn images_inside_the_post_folder_are_embedded_and_nothing_else_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    std::fs::create_dir_all(root.join("content/img")).unwrap();
    std::fs::write(root.join("content/img/ok.png"), PNG_1X1).unwrap();
    std::fs::write(dir.path().join("secret.png"), PNG_1X1).unwrap();
    std::fs::write(root.join("content/broken.png"), b"\x89PNG not really").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("secret.png"), root.join("content/link.png"))
        .unwrap();

    let ok = post_in(
        &root,
        "Images",
        vec![image("img/ok.png", "a dot"), image("./img/ok.png", "")],
    );
    let r = render_ok(&ok, &ctx(&root));
    if let Some(list) = run_tool("pdfimages", &["-list"], &r.bytes) {
        assert!(list.lines().count() >= 3, "image embedded:\n{list}");
    }
    assert!(
        r.warnings
            .iter()
            .any(|w| w.message.contains("no alt text") && w.line == Some(7))
    );

    let refused = post_in(
        &root,
        "Refused images",
        vec![
            image("/etc/passwd", "passwd"),
            image("../../secret.png", "escape"),
            image("../../../../../../etc/passwd", "deep escape"),
            image("link.png", "symlink out"),
            image("https://example.org/remote.png", "remote"),
            image("missing.png", "missing"),
            image("broken.png", "broken"),
        ],
    );
    let r = render_ok(&refused, &ctx(&root));
    for src in [
        "/etc/passwd",
        "../../secret.png",
        "link.png",
        "https://example.org/remote.png",
        "missing.png",
    ] {
        assert!(
            r.warnings
                .iter()
                .any(|w| w.message.contains(src) && w.message.contains("not embedded")),
            "no warning for {src}: {:?}",
            r.warnings
        );
    }
    if let Some(list) = run_tool("pdfimages", &["-list"], &r.bytes) {
        assert_eq!(list.lines().count(), 2, "nothing embedded:\n{list}");
    }
    if let Some(text) = pdftotext(&r.bytes) {
        for s in [
            "passwd",
            "escape",
            "symlink out",
            "remote",
            "missing",
            "https://example.org/remote.png",
        ] {
            assert!(text.contains(s), "placeholder for {s}: {text}");
        }
        assert!(!text.contains("root:x:0"), "passwd content leaked");
    }
    assert!(!String::from_utf8_lossy(&r.bytes).contains("root:x:0"));
}

#[test]
fn the_projects_template_overrides_the_default_and_its_errors_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("templates/brief.typ"),
        "#let brief(data) = {\n  set document(title: data.title)\n  heading(level: 1, [LETTERHEAD ] + text(data.title))\n  for b in data.body { if b.k == \"p\" { b.body.map(x => x.at(\"s\", default: \"\")).join() } }\n}\n",
    )
    .unwrap();
    let post = post_in(root, "Custom #title", vec![p(vec![t("custom body $x$")])]);
    let r = render_ok(&post, &ctx(root));
    if let Some(text) = pdftotext(&r.bytes) {
        assert!(text.contains("LETTERHEAD Custom #title"), "{text}");
        assert!(text.contains("custom body $x$"), "{text}");
    }

    std::fs::write(
        root.join("templates/brief.typ"),
        "#let brief(data) = {\n  let x = 1\n  x.nope()\n}\n",
    )
    .unwrap();
    let err = pdf::render(&post, &ctx(root)).expect_err("broken template");
    let shown = err.to_string();
    assert!(shown.contains("templates/brief.typ:3:"), "{shown}");
    assert!(shown.contains("post.md"), "names the post: {shown}");

    std::fs::write(
        root.join("templates/brief.typ"),
        "#import \"@preview/foo:0.1.0\": *\n#let brief(data) = []\n",
    )
    .unwrap();
    let err = pdf::render(&post, &ctx(root)).expect_err("package import");
    assert!(
        err.to_string().contains("package imports are disabled"),
        "{err}"
    );

    std::fs::write(
        root.join("templates/brief.typ"),
        "#let brief(data) = read(\"/etc/passwd\")\n",
    )
    .unwrap();
    let err = pdf::render(&post, &ctx(root)).expect_err("read outside");
    assert!(!err.to_string().contains("root:x"), "{err}");
}

#[test]
fn korean_posts_use_cjk_fonts_or_warn_and_still_build() {
    let dir = tempfile::tempdir().unwrap();
    let mut post = post_in(
        dir.path(),
        "한국어 브리핑",
        vec![p(vec![t("대한민국 헌법 제1조")])],
    );
    post.meta.lang = "ko".into();
    let r = render_ok(&post, &ctx(dir.path()));
    keep("korean", &r.bytes);
    let has_cjk = Command::new("fc-list")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("Noto Serif CJK"))
        .unwrap_or(false);
    let warned = r
        .warnings
        .iter()
        .any(|w| w.message.contains("no available font has glyphs"));
    if has_cjk {
        assert!(!warned, "{:?}", r.warnings);
    } else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("fonts-noto-cjk is required under CI=true");
        }
        assert!(warned, "missing glyphs must be reported: {:?}", r.warnings);
        let w = r
            .warnings
            .iter()
            .find(|w| w.message.contains("no available font"))
            .unwrap();
        assert!(
            w.message.contains('대') && w.hint.as_deref().unwrap_or("").contains("fonts-noto-cjk")
        );
    }
    if let Some(text) = pdftotext(&r.bytes) {
        assert!(text.contains("대한민국 헌법 제1조"), "{text}");
        assert!(text.contains("2025년 9월 2일"), "{text}");
    }
}

#[test]
fn render_all_runs_on_threads_and_keeps_order() {
    let dir = tempfile::tempdir().unwrap();
    let posts: Vec<Post> = (0..5)
        .map(|i| {
            post_in(
                dir.path(),
                &format!("Post number {i}"),
                vec![p(vec![t(&format!("body {i}"))])],
            )
        })
        .collect();
    let refs: Vec<&Post> = posts.iter().collect();
    let started = std::time::Instant::now();
    let results = pdf::render_all(&refs, &ctx(dir.path()), 2);
    eprintln!("5 posts on 2 threads: {:?}", started.elapsed());
    assert_eq!(results.len(), 5);
    for (i, r) in results.iter().enumerate() {
        let r = r.as_ref().expect("rendered");
        if let Some(text) = pdftotext(&r.bytes) {
            assert!(text.contains(&format!("Post number {i}")));
        }
    }
}

/// `../shared` beside the checkout: skipped with a message when absent,
/// failing under CI=true.
fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if dir.join("corpus").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("../shared is missing, and CI=true");
    }
    eprintln!("skipping: ../shared not found beside the checkout");
    None
}

/// Renders every post the spine accepts on two PDF threads, and checks that
/// Typst raised no error and that every word survives into `pdftotext`.
fn corpus_survives(paths: &[PathBuf], root: &Path) -> usize {
    let posts: Vec<Post> = paths
        .iter()
        .filter_map(|p| brief::read::read_post(p, "en").ok().map(|r| r.post))
        .collect();
    let refs: Vec<&Post> = posts.iter().collect();
    let started = std::time::Instant::now();
    let results = pdf::render_all(&refs, &ctx(root), 2);
    eprintln!(
        "{} PDFs on 2 threads in {:?}",
        posts.len(),
        started.elapsed()
    );
    let mut failures = Vec::new();
    let check_text = !tool_missing("pdftotext");
    for (post, result) in posts.iter().zip(&results) {
        match result {
            Err(d) => failures.push(format!("{}: {d}", post.source.display())),
            Ok(r) if check_text => {
                let text = pdftotext_raw(&r.bytes).unwrap_or_default();
                let missing = missing_words(post, r, &text);
                if !missing.is_empty() {
                    failures.push(format!(
                        "{}: missing words {:?}",
                        post.source.display(),
                        &missing[..missing.len().min(10)]
                    ));
                }
            }
            Ok(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        posts.len(),
        failures.join("\n")
    );
    posts.len()
}

#[test]
fn real_corpus_compiles_with_every_word() {
    let Some(shared) = shared() else { return };
    let root = shared.join("corpus/real");
    let paths = brief::read::discover(&root).unwrap();
    let n = corpus_survives(&paths, &root);
    assert!(n >= 58, "only {n} real posts accepted by the spine");
}

#[test]
fn commonmark_examples_compile_with_every_word() {
    let Some(shared) = shared() else { return };
    let work = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for file in ["spec.json", "gfm.json"] {
        let path = shared.join("corpus/commonmark").join(file);
        let examples: Vec<serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for example in examples {
            let number = example["number"].as_u64().unwrap_or(0);
            let path = work
                .path()
                .join(format!("{}-{number:04}.md", file.trim_end_matches(".json")));
            std::fs::write(&path, example["markdown"].as_str().unwrap()).unwrap();
            paths.push(path);
        }
    }
    let n = corpus_survives(&paths, work.path());
    assert!(
        n + 3 >= paths.len(),
        "only {n} of {} examples accepted by the spine",
        paths.len()
    );
}
