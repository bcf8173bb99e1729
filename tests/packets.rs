//! Briefing packets through the real binary: a generated project with 20
//! briefs (each in its own folder, one with an image beside it) and three
//! packets of 1, 3 and 20 briefs, one with a cover letter, a marking and
//! three recipients. The PDFs are read back page by page with `pdftotext`;
//! the EPUBs go through EPUBCheck; the digest, the manifest and the
//! configuration errors are checked as text.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use brief::ir::Post;
use brief::write::shared::survival::{missing_words, reader_text};
use sha2::{Digest, Sha256};

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

const TOOLS: &str = "[project]\norganisation = \"Test Mission Office\"\nbase_url = \"https://briefs.example.org/\"\n\n";

const PACKETS: &str = r#"[[packet]]
name = "one"
title = "Single Brief Packet"
date = "2025-09-01"
briefs = ["brief-01"]

[[packet]]
name = "three"
title = "Three Brief Packet"
subtitle = "Ordered by hand"
date = "2025-09-02"
briefs = ["brief-03", "brief-01", "brief-02"]
cover_letter = "letters/cover.md"
marking = "For official use"
recipients = ["Embassy of Atlantis", "Delegation of Ruritania", "Mission to Elbonia"]

[[packet]]
name = "twenty"
title = "All Briefs"
date = "2025-09-03"
all = true
"#;

fn title(k: usize) -> String {
    format!(
        "Brief {k}: Topic {}",
        ["amber", "basalt", "cobalt", "dune", "ember"][k % 5]
    )
}

fn links(k: usize) -> [String; 2] {
    [
        format!("https://example.org/evidence/{k}/report"),
        format!("https://archive.example.net/item-{k}.html"),
    ]
}

/// Brief `k`'s Markdown. Brief 1 opens with a paragraph longer than the
/// digest's summary; brief 2 has a front-matter summary and an image;
/// brief 3 runs over several pages.
fn post_text(k: usize) -> String {
    let [a, b] = links(k);
    let summary = if k == 2 {
        "summary: \"Front matter summary of brief two, zqsum2 words.\"\n"
    } else {
        ""
    };
    let opening = if k == 1 {
        (0..12)
            .map(|i| format!("Sentence number {i} of the opening of brief one says something about zqopen{i} matters."))
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        format!(
            "Opening paragraph of brief {k} with the marker word zqword{k} and more plain prose."
        )
    };
    let long = if k == 3 {
        (0..40)
            .map(|i| format!("Long section paragraph {i} of brief three, with words zqlong{i} that fill the page and keep going so that the brief spans more than one page of the packet.\n\n"))
            .collect::<String>()
    } else {
        String::new()
    };
    let image = if k == 2 {
        "![Chart of zqchart values](chart.png)\n\n"
    } else {
        ""
    };
    format!(
        "---\ntitle: \"{}\"\nslug: brief-{k:02}\ndate: 2025-08-{k:02}\ntags: [\"{}\"]\n{summary}---\n\n{opening}\n\n## Findings\n\nThe evidence is in [the report zqlink{k}]({a}) and at <{b}>, see the note[^1].\n\n{image}- first item zqitem{k}\n- second item\n\n{long}[^1]: Footnote of brief {k}, zqnote{k}.\n",
        title(k),
        if k % 2 == 0 { "even" } else { "odd" },
    )
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for k in 1..=20 {
        let folder = root.join(format!("content/b{k:02}"));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("index.md"), post_text(k)).unwrap();
        if k == 2 {
            std::fs::write(folder.join("chart.png"), PNG).unwrap();
        }
    }
    std::fs::create_dir_all(root.join("letters")).unwrap();
    std::fs::write(
        root.join("letters/cover.md"),
        "Excellencies,\n\nPlease find enclosed three briefs, zqletter words.\n\nYours sincerely,\n",
    )
    .unwrap();
    std::fs::write(root.join("brief.toml"), format!("{TOOLS}{PACKETS}")).unwrap();
    dir
}

fn build(root: &Path) -> Output {
    let out = common::run_in(root, &["build"]);
    assert!(
        out.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn pdf_tools() -> bool {
    common::tool("pdftotext", &["-v"]) && common::tool("pdfinfo", &["-v"])
}

fn pages(pdf: &Path) -> Vec<String> {
    let info = Command::new("pdfinfo").arg(pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    let n: usize = field(&info, "Pages").parse().unwrap();
    (1..=n)
        .map(|i| {
            let out = Command::new("pdftotext")
                .args(["-layout", "-f", &i.to_string(), "-l", &i.to_string()])
                .arg(pdf)
                .arg("-")
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).to_string()
        })
        .collect()
}

fn field(info: &str, name: &str) -> String {
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{2060}')
        .collect()
}

fn read_posts(root: &Path) -> BTreeMap<String, Post> {
    (1..=20)
        .map(|k| {
            let post =
                brief::read::read_post(&root.join(format!("content/b{k:02}/index.md")), "en")
                    .unwrap()
                    .post;
            (post.meta.slug.clone(), post)
        })
        .collect()
}

/// The page each TOC entry names, read from the contents page(s).
fn toc(pages: &[String]) -> BTreeMap<String, usize> {
    let start = pages
        .iter()
        .position(|p| p.contains("Contents"))
        .expect("a contents page");
    let mut entries = BTreeMap::new();
    for page in &pages[start..] {
        for line in page.lines() {
            let line = line.trim_end();
            let digits: String = line
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            let Some(text) = line.split(" . ").next() else {
                continue;
            };
            if digits.is_empty() || !line.contains(" . ") {
                continue;
            }
            let n: usize = digits.chars().rev().collect::<String>().parse().unwrap();
            // A brief's entry starts with its number ("2.  Title").
            let text = text.trim();
            let text = match text.split_once(". ") {
                Some((number, title)) if number.chars().all(|c| c.is_ascii_digit()) => {
                    entries.insert(format!("#{number}"), n);
                    title.trim()
                }
                _ => text,
            };
            entries.insert(text.to_string(), n);
        }
        if page.contains("Brief 1 of") || page.contains("BRIEF 1 OF") {
            break;
        }
    }
    entries
}

/// Checks one copy of a packet holding `slugs` in this order.
fn check_packet_pdf(
    pdf: &Path,
    slugs: &[&str],
    posts: &BTreeMap<String, Post>,
    root: &Path,
    marking: bool,
) -> Vec<String> {
    let pages = pages(pdf);
    let n = pages.len();
    let briefs = slugs.len();
    assert!(
        n >= briefs + 4 && n <= briefs * 6 + 6,
        "{}: {n} pages for {briefs} briefs",
        pdf.display()
    );
    for (i, page) in pages.iter().enumerate().skip(1) {
        assert!(
            page.contains(&format!("Page {} of {n}", i + 1)),
            "{}: page {} has no 'Page n of N'",
            pdf.display(),
            i + 1
        );
    }
    if marking {
        // The marking is the first and the last line of every page.
        for (i, page) in pages.iter().enumerate() {
            let lines: Vec<&str> = page
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            assert_eq!(
                (lines.first(), lines.last()),
                (Some(&"FOR OFFICIAL USE"), Some(&"FOR OFFICIAL USE")),
                "{}: page {} lacks the marking top or bottom:\n{page}",
                pdf.display(),
                i + 1
            );
        }
    }
    // The tool's version is on the Integrity page only, never the cover.
    assert!(
        !pages[0].contains(env!("CARGO_PKG_VERSION")),
        "the cover names the tool: {}",
        pages[0]
    );
    // The contents list every brief with the page it starts on.
    let entries = toc(&pages);
    for (i, slug) in slugs.iter().enumerate() {
        let post = &posts[*slug];
        let page = *entries.get(&post.meta.title).unwrap_or_else(|| {
            panic!(
                "{}: contents lack {:?}: {entries:?}",
                pdf.display(),
                post.meta.title
            )
        });
        let text = &pages[page - 1];
        assert_eq!(
            entries.get(&format!("#{}", i + 1)),
            Some(&page),
            "brief {} is numbered in the contents",
            i + 1
        );
        assert!(
            text.to_uppercase()
                .contains(&format!("BRIEF {} OF {briefs}", i + 1))
                && text.contains(&post.meta.title),
            "{}: contents say {:?} starts on page {page}, which reads:\n{text}",
            pdf.display(),
            post.meta.title
        );
    }
    // Every word of every brief.
    let all = pages.join("\n");
    for slug in slugs {
        // An embedded image's alt text is in the PDF's tags, not its text.
        let expected = reader_text(&posts[*slug]).replace("Chart of zqchart values", "");
        let missing = missing_words(&expected, &all);
        assert!(
            missing.is_empty(),
            "{}: words of {slug} missing: {missing:?}",
            pdf.display()
        );
    }
    // Sources appendix: every link, grouped by brief in packet order.
    // (Found by their opening words: the running header of the pages
    // after a section's first names the section too.)
    let sources_at = pages
        .iter()
        .position(|p| squash(p).contains("Everyexternallinkofeverybrief"))
        .expect("sources page");
    let integrity_at = pages
        .iter()
        .position(|p| squash(p).contains("Toconfirmwhichtextyouweregiven"))
        .expect("integrity page");
    let sources = squash(&pages[sources_at..integrity_at].join("\n"));
    let mut last = 0;
    for slug in slugs {
        let k: usize = slug.trim_start_matches("brief-").parse().unwrap();
        for url in links(k) {
            let at = sources
                .find(&url)
                .unwrap_or_else(|| panic!("{}: sources lack {url}", pdf.display()));
            assert!(
                at >= last,
                "sources out of packet order at {url}: {}",
                &sources[last.saturating_sub(200)..(at + 100).min(sources.len())]
            );
            last = at;
        }
    }
    assert!(
        sources.contains("thereportzqlink"),
        "link text missing from sources"
    );
    // Integrity page: source file, date and SHA-256 of each brief.
    let integrity = pages[integrity_at..].join("\n");
    let flat = squash(&integrity);
    for slug in slugs {
        let post = &posts[*slug];
        let bytes = std::fs::read(root.join(&post.source)).unwrap();
        let sha = brief::ir::hex(&Sha256::digest(&bytes));
        assert_eq!(sha, post.source_sha256);
        assert!(
            flat.contains(&sha),
            "{}: integrity page lacks {sha} of {slug}",
            pdf.display()
        );
        let rel = post
            .source
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        assert!(flat.contains(&squash(&rel)), "integrity page lacks {rel}");
        assert!(
            flat.contains(
                &post
                    .meta
                    .date
                    .as_ref()
                    .unwrap()
                    .day
                    .format("%Y-%m-%d")
                    .to_string()
            )
        );
    }
    assert!(integrity.contains(&format!("brief {}", env!("CARGO_PKG_VERSION"))));
    pages
}

#[test]
fn packets_of_1_3_and_20_briefs_with_recipients() {
    if !pdf_tools() {
        return;
    }
    let dir = project();
    let root = dir.path();
    let started = std::time::Instant::now();
    let out = build(root);
    eprintln!(
        "first build: {:.2} s; {}",
        started.elapsed().as_secs_f64(),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("not embedded"),
        "the image beside brief 2 must resolve in its own folder: {stderr}"
    );
    let posts = read_posts(root);
    let output = root.join("output");

    let one = check_packet_pdf(
        &output.join("packets/one.pdf"),
        &["brief-01"],
        &posts,
        root,
        false,
    );
    assert!(
        !one.iter().any(|p| p.contains("Cover letter")),
        "no cover letter was configured"
    );

    let three_slugs = ["brief-03", "brief-01", "brief-02"];
    let three = check_packet_pdf(
        &output.join("packets/three.pdf"),
        &three_slugs,
        &posts,
        root,
        true,
    );
    assert!(
        three[1].contains("Three Brief Packet") && three[1].contains("zqletter"),
        "the letter follows the cover"
    );
    // Brief 3 runs over several pages: the pages after its first name it
    // in the running header.
    let start = three
        .iter()
        .position(|p| p.contains("BRIEF 1 OF 3"))
        .unwrap();
    let head: String = three[start + 1]
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(2)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        head.contains(&title(3)),
        "running header of brief 3's second page: {head}"
    );
    // Brief 2's image was embedded from its own folder.
    if let Ok(list) = Command::new("pdfimages")
        .arg("-list")
        .arg(output.join("packets/three.pdf"))
        .output()
    {
        let images = String::from_utf8_lossy(&list.stdout)
            .lines()
            .count()
            .saturating_sub(2);
        assert!(images >= 1, "no image in the packet");
    }

    for (i, (name, slug)) in [
        ("Embassy of Atlantis", "embassy-of-atlantis"),
        ("Delegation of Ruritania", "delegation-of-ruritania"),
        ("Mission to Elbonia", "mission-to-elbonia"),
    ]
    .into_iter()
    .enumerate()
    {
        let pdf = output.join(format!("packets/three/{slug}.pdf"));
        let pages = check_packet_pdf(&pdf, &three_slugs, &posts, root, true);
        let copy = format!("Copy {} of 3 · Prepared for {name}", i + 1);
        for (n, page) in pages.iter().enumerate() {
            assert!(
                page.contains(&copy),
                "{slug}: page {} lacks {copy:?}",
                n + 1
            );
        }
        assert!(
            squash(&pages[0]).contains("PREPAREDFOR") && pages[0].contains(name),
            "cover of {slug}: {}",
            pages[0]
        );
        let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
        let info = String::from_utf8_lossy(&info.stdout).to_string();
        assert_eq!(field(&info, "Subject"), copy);
        assert!(field(&info, "Keywords").contains(name));
        assert_eq!(field(&info, "Title"), "Three Brief Packet");
    }
    assert!(
        !squash(&three[0]).contains("PREPAREDFOR"),
        "the general copy is addressed to no one"
    );

    let all_slugs: Vec<String> = (1..=20).map(|k| format!("brief-{k:02}")).collect();
    let all_refs: Vec<&str> = all_slugs.iter().map(String::as_str).collect();
    let twenty = check_packet_pdf(
        &output.join("packets/twenty.pdf"),
        &all_refs,
        &posts,
        root,
        false,
    );
    eprintln!(
        "pages: one {}, three {}, twenty {}",
        one.len(),
        three.len(),
        twenty.len()
    );

    // Rebuilding gives byte-identical files, every one of them.
    let before: BTreeMap<String, Vec<u8>> = common::files_under(&output)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(output.join(&f)).unwrap();
            (f, bytes)
        })
        .collect();
    let started = std::time::Instant::now();
    build(root);
    eprintln!("rebuild: {:.2} s", started.elapsed().as_secs_f64());
    for (file, bytes) in &before {
        assert!(
            std::fs::read(output.join(file)).unwrap() == *bytes,
            "{file} changed on rebuild"
        );
    }
    assert_eq!(common::files_under(&output).len(), before.len());

    manifest_lists_every_output(&output, &posts);
    digest_reads_well(&output.join("packets/three.txt"));
    epubs_are_clean_and_nested(&output);
    // BRIEF_KEEP=<folder> keeps the project and its output for a look.
    if let Ok(keep) = std::env::var("BRIEF_KEEP") {
        common::copy_tree(root, Path::new(&keep));
    }
}

fn manifest_lists_every_output(output: &Path, posts: &BTreeMap<String, Post>) {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(output.join("manifest.json")).unwrap()).unwrap();
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let mut on_disk = common::files_under(output);
    on_disk.retain(|f| f != "manifest.json");
    assert_eq!(
        listed, on_disk,
        "the manifest lists exactly the files written, sorted"
    );
    for f in manifest["files"].as_array().unwrap() {
        let bytes = std::fs::read(output.join(f["path"].as_str().unwrap())).unwrap();
        assert_eq!(
            f["sha256"].as_str().unwrap(),
            brief::ir::hex(&Sha256::digest(&bytes))
        );
    }
    let briefs = manifest["briefs"].as_array().unwrap();
    assert_eq!(briefs.len(), 20);
    for b in briefs {
        let post = &posts[b["slug"].as_str().unwrap()];
        assert_eq!(b["sha256"].as_str().unwrap(), post.source_sha256);
        assert!(
            b["source"].as_str().unwrap().starts_with("content/b"),
            "{b}"
        );
    }
    let three = &manifest["packets"].as_array().unwrap()[1];
    assert_eq!(
        three["briefs"],
        serde_json::json!(["brief-03", "brief-01", "brief-02"])
    );
    assert_eq!(three["cover_letter"]["source"], "letters/cover.md");
}

fn digest_reads_well(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    eprintln!("{text}");
    assert!(
        text.starts_with("FOR OFFICIAL USE\n\nThree Brief Packet\n==="),
        "{text}"
    );
    assert!(text.contains("Ordered by hand\n2 September 2025\nTest Mission Office\n"));
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("digest lacks {s:?}"));
    assert!(at(&format!("1. {}", title(3))) < at(&format!("2. {}", title(1))));
    assert!(at(&format!("2. {}", title(1))) < at(&format!("3. {}", title(2))));
    assert!(text.contains("Front matter summary of brief two, zqsum2 words."));
    assert!(
        !text.contains("zqword2"),
        "a front-matter summary replaces the first paragraph"
    );
    // The "read online" lines point at the packet's own files under
    // base_url, never at a web page brief does not build.
    assert!(
        text.contains("Read online:\nhttps://briefs.example.org/three.pdf\nhttps://briefs.example.org/three.epub\n"),
        "{text}"
    );
    assert!(!text.contains("https://briefs.example.org/brief-03"));
    assert!(
        text.trim_end().ends_with("FOR OFFICIAL USE"),
        "the marking is the last line too"
    );
    // Brief 1's long opening is cut at a sentence end near 600 characters.
    let start =
        at("zqopen0") - "Sentence number 0 of the opening of brief one says something about ".len();
    let summary: String = text[start..]
        .split("\n\n")
        .next()
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        summary.ends_with("matters.") && (300..=700).contains(&summary.chars().count()),
        "{summary}"
    );
    assert!(
        !text.contains("zqopen11"),
        "the cut summary is shorter than the paragraph"
    );
    for line in text.lines() {
        assert!(
            brief::write::shared::wrap::width(line) <= 72 || !line.trim().contains(' '),
            "line too long: {line}"
        );
    }
}

fn epubs_are_clean_and_nested(output: &Path) {
    let three = output.join("packets/three.epub");
    let bytes = std::fs::read(&three).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut nav = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("OEBPS/nav.xhtml").unwrap(), &mut nav).unwrap();
    let toc = &nav[..nav.find("</nav>").unwrap()];
    let at = |s: &str| {
        toc.find(s)
            .unwrap_or_else(|| panic!("nav lacks {s:?}:\n{toc}"))
    };
    assert!(at("Three Brief Packet") < at("Cover letter"));
    assert!(
        at("Cover letter") < at(&title(3))
            && at(&title(3)) < at(&title(1))
            && at(&title(1)) < at(&title(2))
    );
    // Nested: each brief's headings sit in a list inside its entry.
    let brief3 = &toc[at(&title(3))..at(&title(1))];
    assert!(
        brief3.contains("<ol>") && brief3.contains("Findings"),
        "brief 3's entry has no nested headings:\n{brief3}"
    );
    let books: Vec<PathBuf> = ["one", "three", "twenty"]
        .iter()
        .map(|n| output.join(format!("packets/{n}.epub")))
        .collect();
    if let Some(results) = common::epubcheck(&books) {
        let bad: Vec<_> = results.iter().filter(|(_, m)| !m.is_empty()).collect();
        assert!(bad.is_empty(), "EPUBCheck messages:\n{bad:#?}");
    }
}

/// A project whose `brief.toml` is `config`: `brief build` must refuse it
/// with exit status 2, an error naming `brief.toml:<line>` and each of
/// `words`, and write nothing at all.
fn refused(config: &str, line: usize, words: &[&str], setup: &dyn Fn(&Path)) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::write(root.join("content/a.md"), post_text(1)).unwrap();
    setup(root);
    std::fs::write(root.join("brief.toml"), config).unwrap();
    let out = common::run_in(root, &["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "config:\n{config}\nstderr: {stderr}"
    );
    assert!(
        stderr.contains(&format!("brief.toml:{line}:")),
        "expected line {line}: {stderr}"
    );
    for w in words {
        assert!(stderr.contains(w), "expected {w:?} in: {stderr}");
    }
    assert!(
        !root.join("output").exists(),
        "nothing may be written: {:?}",
        common::files_under(&root.join("output"))
    );
}

/// A project whose packet cannot be resolved with the posts at hand (an
/// unknown slug, a missing cover letter): that packet fails alone, with an
/// error naming `brief.toml:<line>` and each of `words`; every post's
/// editions are still written and `brief` exits 1.
fn fails_alone(config: &str, line: usize, words: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::write(root.join("content/a.md"), post_text(1)).unwrap();
    std::fs::write(root.join("brief.toml"), config).unwrap();
    let out = common::run_in(root, &["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "config:\n{config}\nstderr: {stderr}"
    );
    assert!(
        stderr.contains(&format!("brief.toml:{line}:")),
        "expected line {line}: {stderr}"
    );
    for w in words {
        assert!(stderr.contains(w), "expected {w:?} in: {stderr}");
    }
    assert!(stderr.contains("packets: 0 built, 1 failed"), "{stderr}");
    let written = common::files_under(&root.join("output"));
    for edition in [
        "pdf/brief-01.pdf",
        "epub/brief-01.epub",
        "email/brief-01.txt",
        "manifest.json",
    ] {
        assert!(
            written.iter().any(|f| f == edition),
            "{edition} missing: {written:?}"
        );
    }
    assert!(
        !written.iter().any(|f| f.starts_with("packets/")),
        "{written:?}"
    );
}

#[test]
fn configuration_errors_name_the_line_and_write_nothing() {
    let head = "[project]\norganisation = \"X\"\n\n[[packet]]\nname = \"p\"\ntitle = \"T\"\ndate = \"2025-09-02\"\n";
    // Line 8 is the first line after `head`.
    refused(
        &format!("{head}briefs = [\"brief-01\"]\ntitel = \"typo\"\n"),
        9,
        &["titel"],
        &|_| {},
    );
    fails_alone(
        &format!("{head}briefs = [\"brief-01\", \"no-such-brief\"]\n"),
        8,
        &["\"p\"", "no-such-brief"],
    );
    refused(
        &format!(
            "{head}briefs = [\"brief-01\"]\nrecipients = [\n  \"Embassy of A\",\n  \"Embassy of B\",\n  \"Embassy of A\",\n]\n"
        ),
        12,
        &["Embassy of A", "twice"],
        &|_| {},
    );
    refused(
        &format!("{head}briefs = [\"brief-01\"]\ncover_letter = \"../outside.md\"\n"),
        9,
        &["outside the project"],
        &|_| {},
    );
    refused(
        &format!("{head}briefs = [\"brief-01\"]\ncover_letter = \"/etc/passwd\"\n"),
        9,
        &["outside the project"],
        &|_| {},
    );
    #[cfg(unix)]
    refused(
        &format!("{head}briefs = [\"brief-01\"]\ncover_letter = \"letter.md\"\n"),
        9,
        &["outside the project"],
        &|root| {
            let outside = root
                .parent()
                .unwrap()
                .join(format!("outside-{}.md", std::process::id()));
            std::fs::write(&outside, "secret").unwrap();
            std::os::unix::fs::symlink(&outside, root.join("letter.md")).unwrap();
        },
    );
    fails_alone(
        &format!("{head}briefs = [\"brief-01\"]\ncover_letter = \"missing.md\"\n"),
        9,
        &["missing.md"],
    );
    refused(
        &format!("{head}briefs = [\"brief-01\"]\nall = true\n"),
        5,
        &["more than one selection"],
        &|_| {},
    );
    fails_alone(
        &format!("{head}tags = [\"nothing-has-this\"]\n"),
        8,
        &["nothing-has-this"],
    );
    refused(
        &format!(
            "{}all = true\n",
            head.replace("name = \"p\"", "name = \"../p\"")
        ),
        5,
        &["safe file name"],
        &|_| {},
    );
    refused(
        &format!("{}all = true\n", head.replace("2025-09-02", "September")),
        7,
        &["YYYY-MM-DD"],
        &|_| {},
    );
}

#[test]
fn the_shipped_project_builds_its_example_packet() {
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
    let config = brief::config::Config::parse(
        &std::fs::read_to_string(repo.join("brief.toml")).unwrap(),
        Path::new("brief.toml"),
    )
    .unwrap();
    let name = &config.packets[0].name();
    for ext in ["pdf", "epub", "txt"] {
        let path = dir.path().join(format!("output/packets/{name}.{ext}"));
        assert!(path.is_file(), "{} missing", path.display());
    }
    for r in config.packets[0].recipients() {
        let slug = brief::config::packet::recipient_slug(&r.name);
        let files: Vec<String> = if r.copies > 1 {
            (1..=r.copies)
                .map(|k| format!("{slug}-copy-{k}.pdf"))
                .collect()
        } else {
            vec![format!("{slug}.pdf")]
        };
        for file in files {
            assert!(
                dir.path()
                    .join(format!("output/packets/{name}/{file}"))
                    .is_file(),
                "{file} missing"
            );
        }
    }
    assert!(dir.path().join("output/manifest.json").is_file());
}
