//! The spine through the real binary: fixture folders with their expected
//! diagnostics, the sample post's IR and e-mail text as snapshots, and the
//! real-world and CommonMark corpora (no panic, nothing lost).
//!
//! Fixture folders live in `tests/cases/NAME/`: a project (`content/`,
//! optional `brief.toml`), optional `args` (extra arguments to `brief
//! build`), and the expectations: `expected.status` (exit code),
//! `expected.stderr` (the diagnostic lines, exactly; the summary line is
//! not compared), `expected.files` (every file written under `output/`),
//! and optionally `expected/` (output files compared byte for byte).
//! `BLESS=1 cargo test` rewrites the expectations from what happens; review
//! the diff like code.

mod common;

use brief::write::shared::survival::{missing_words, reader_text};
use common::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

fn diagnostic_lines(stderr: &[u8]) -> String {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| l.starts_with("error") || l.starts_with("warning") || l.starts_with("  hint:"))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn fixture_folders_give_their_expected_diagnostics_and_outputs() {
    let bless = std::env::var("BLESS").is_ok();
    let mut failures = Vec::new();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 5, "fixture folders missing");
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let work = tempfile::tempdir().unwrap();
        copy_tree(&case, work.path());
        let extra = std::fs::read_to_string(case.join("args")).unwrap_or_default();
        let mut args = vec!["build"];
        args.extend(extra.split_whitespace());
        let started = Instant::now();
        let out = run_in(work.path(), &args);
        let took = started.elapsed();
        let status = out.status.code().unwrap_or(-1).to_string();
        let stderr = diagnostic_lines(&out.stderr);
        let files = files_under(&work.path().join("output"))
            .into_iter()
            .map(|f| format!("{f}\n"))
            .collect::<String>();
        if took > Duration::from_secs(20) {
            failures.push(format!("{name}: took {took:?}"));
        }
        let expectations = [
            ("expected.status", format!("{status}\n")),
            ("expected.stderr", stderr),
            ("expected.files", files),
        ];
        for (file, actual) in expectations {
            let path = case.join(file);
            if bless {
                std::fs::write(&path, &actual).unwrap();
                continue;
            }
            let expected = std::fs::read_to_string(&path).unwrap_or_default();
            if expected.trim_end() != actual.trim_end() {
                failures.push(format!(
                    "{name}/{file}:\n--- expected\n{expected}--- actual\n{actual}\n(full stderr:\n{})",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
        let expected_outputs = case.join("expected");
        if expected_outputs.is_dir() {
            for rel in files_under(&expected_outputs) {
                let actual =
                    std::fs::read(work.path().join("output").join(&rel)).unwrap_or_default();
                if bless {
                    std::fs::write(expected_outputs.join(&rel), &actual).unwrap();
                } else if std::fs::read(expected_outputs.join(&rel)).unwrap() != actual {
                    failures.push(format!(
                        "{name}: output/{rel} differs from expected/{rel}:\n{}",
                        String::from_utf8_lossy(&actual)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The English sample (content/ also holds its Korean translation).
fn sample_post() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "content/the-case-for-international-oversight-of-korean-child-trafficking-networks.md",
    )
}

#[test]
fn sample_post_ir_snapshot() {
    let read = brief::read::read_post(&sample_post(), "en").unwrap();
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
    let mut post = read.post;
    post.source = PathBuf::from("content/sample.md");
    insta::assert_json_snapshot!("sample_post_ir", post);
}

#[test]
fn sample_post_email_text_snapshot() {
    let post = brief::read::read_post(&sample_post(), "en").unwrap().post;
    let text = brief::write::email::text::render_text(&post, 72);
    insta::assert_snapshot!("sample_post_email", text);
}

#[test]
fn a_links_reference_number_follows_the_word_the_link_ends_in() {
    let md = b"---\ntitle: T\n---\nThe [Ca](https://x.org/a)se is [open](https://y.org/)ed, [done](https://z.org/).\n";
    let post = brief::read::parse_post(Path::new("p.md"), md, "en")
        .unwrap()
        .post;
    let text = brief::write::email::text::render_text(&post, 72);
    assert!(
        text.contains("The Case [1] is opened [2], done [3]."),
        "{text}"
    );
}

// Regression: a site-relative image printed a `[4] /assets/img/…`
// reference, an address no reader of the e-mail can open.
#[test]
fn only_web_images_get_a_link_reference_in_the_text() {
    let md = b"---\ntitle: T\n---\n![Logo](/assets/img/logo.png) ![Chart](img/chart.png) ![Photo](https://x.org/p.jpg)\n";
    let post = brief::read::parse_post(Path::new("p.md"), md, "en")
        .unwrap()
        .post;
    let text = brief::write::email::text::render_text(&post, 72);
    assert!(
        text.contains("[image: Logo] [image: Chart] [image: Photo] [1]\n"),
        "{text}"
    );
    assert!(text.contains("\n[1] https://x.org/p.jpg\n"), "{text}");
    assert!(
        !text.contains("assets/img") && !text.contains("chart.png"),
        "{text}"
    );
}

#[test]
fn fresh_project_builds_the_sample_post() {
    let work = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &work.path().join("content"),
    );
    let out = run_in(work.path(), &["build"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(
        work.path().join("output/email/the-case-for-international-oversight-of-korean-child-trafficking-networks.txt"),
    )
    .unwrap();
    let post = brief::read::read_post(&sample_post(), "en").unwrap().post;
    assert_eq!(
        missing_words(&reader_text(&post), &text),
        Vec::<String>::new()
    );
    // Both bare URLs of the sample post are kept, whole, on their own.
    for url in [
        "https://www.koreaherald.com/article/3480155",
        "https://archive.md/OwhbY",
    ] {
        assert!(
            text.lines().any(|l| l
                .trim_start()
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
                .trim()
                == url),
            "{url}"
        );
    }
    // Only addresses, never wrapped, may run past the margin.
    for line in text.lines().filter(|l| !l.contains("://")) {
        assert!(
            brief::write::shared::wrap::width(line) <= 72,
            "too wide: {line}"
        );
    }
}

#[test]
fn text_edition_is_byte_identical_across_builds_and_jobs() {
    let work = tempfile::tempdir().unwrap();
    copy_tree(
        &cases_dir().join("front-matter-forms/content"),
        &work.path().join("content"),
    );
    let mut outputs = Vec::new();
    for jobs in ["1", "2"] {
        let out = run_in(work.path(), &["build", "--jobs", jobs]);
        assert_eq!(out.status.code(), Some(0));
        let files = files_under(&work.path().join("output"));
        outputs.push(
            files
                .iter()
                .map(|f| std::fs::read(work.path().join("output").join(f)).unwrap())
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn dump_ir_prints_json_and_fails_cleanly() {
    let out = run_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["dump-ir", sample_post().to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["meta"]["lang"], "en");
    assert_eq!(json["meta"]["date"]["day"], "2025-09-02");
    let missing = run_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["dump-ir", "no/such/post.md"],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no/such/post.md"));
}

#[test]
fn billion_laughs_is_refused_quickly() {
    let mut yaml = String::from(
        "---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names: Vec<char> = ('b'..='j').collect();
    let mut prev = 'a';
    for n in names {
        yaml.push_str(&format!(
            "{n}: &{n} [{}]\n",
            vec![format!("*{prev}"); 9].join(",")
        ));
        prev = n;
    }
    yaml.push_str("title: *j\n---\nBody.\n");
    let started = Instant::now();
    let result = brief::read::parse_post(Path::new("bomb.md"), yaml.as_bytes(), "en");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
    let err = result.unwrap_err();
    assert!(err.to_string().contains("bomb.md"), "{err}");
}

/// Runs a folder of posts through the library and checks, for every post
/// that builds, that every word of its text is in its e-mail edition.
/// Returns (posts that built, posts refused with a diagnostic).
fn check_text_survival(paths: &[PathBuf]) -> (usize, usize) {
    let mut built = 0;
    let mut refused = 0;
    let mut failures = Vec::new();
    for path in paths {
        let bytes = std::fs::read(path).unwrap();
        let post = match brief::read::parse_post(path, &bytes, "en") {
            Ok(read) => read.post,
            Err(_) => {
                refused += 1;
                continue;
            }
        };
        let text = brief::write::email::text::render_text(&post, 72);
        let missing = missing_words(&reader_text(&post), &text);
        if !missing.is_empty() {
            failures.push(format!(
                "{}: missing {:?}",
                path.display(),
                &missing[..missing.len().min(20)]
            ));
        }
        built += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    (built, refused)
}

#[test]
fn real_corpus_builds_and_keeps_every_word() {
    let Some(shared) = shared() else { return };
    let paths = brief::read::discover(&shared.join("corpus/real")).unwrap();
    assert!(
        paths.len() >= 60,
        "expected the 60 real posts, found {}",
        paths.len()
    );
    let (built, refused) = check_text_survival(&paths);
    eprintln!("real corpus: {built} built, {refused} refused");
    assert!(
        built >= 58,
        "only {built} of {} real posts built",
        paths.len()
    );
}

#[test]
fn commonmark_examples_build_and_keep_every_word() {
    let Some(shared) = shared() else { return };
    let work = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for file in ["spec.json", "gfm.json"] {
        let examples: Vec<serde_json::Value> = serde_json::from_str(
            &std::fs::read_to_string(shared.join("corpus/commonmark").join(file)).unwrap(),
        )
        .unwrap();
        for example in examples {
            let number = example["number"].as_u64().unwrap_or(0);
            let path = work
                .path()
                .join(format!("{}-{number:04}.md", file.trim_end_matches(".json")));
            std::fs::write(&path, example["markdown"].as_str().unwrap()).unwrap();
            paths.push(path);
        }
    }
    assert!(paths.len() >= 652 + 24);
    let (built, refused) = check_text_survival(&paths);
    // A CommonMark example can start with `---` and never close it: that
    // is refused as unclosed front matter, with a diagnostic.
    assert!(refused <= 3, "{refused} examples refused");
    assert!(built + refused == paths.len());
}

#[test]
fn real_corpus_through_the_binary_exits_cleanly() {
    let Some(shared) = shared() else { return };
    let work = tempfile::tempdir().unwrap();
    let content = shared.join("corpus/real");
    // Run in an empty folder: the checkout's own brief.toml (its example
    // packet) is not this corpus's configuration.
    let out = brief()
        .current_dir(work.path())
        .args(["build", "--content", content.to_str().unwrap(), "--out"])
        .arg(work.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Upstream, two Jekyll posts are both `Rust-1.0` (the date kept them
    // apart), and two posts exist in both the YAML and TOML copies of the
    // Rust blog: three slug collisions of derived slugs. Each of the six
    // posts builds under a longer slug, with a warning; no post is lost.
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert!(errors.is_empty(), "{stderr}");
    // One warning per cause per post: a cause several editions report is
    // printed once, naming them (regression: every missing image twice).
    let mut seen = std::collections::BTreeSet::new();
    for line in stderr.lines().filter(|l| l.starts_with("warning")) {
        let cause = line.rsplit_once(" (").map_or(line, |(c, _)| c);
        assert!(
            seen.insert(cause.to_string()),
            "printed twice: {line}\n{stderr}"
        );
    }
    let renamed = stderr
        .lines()
        .filter(|l| l.contains("is also the slug of") && l.contains("this post is built as"))
        .count();
    assert_eq!(renamed, 6, "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let texts = files_under(&work.path().join("email"));
    assert_eq!(texts.len(), 61, "{stderr}");
    for slug in ["2014-09-15-Rust-1.0", "2015-05-15-Rust-1.0"] {
        assert!(texts.iter().any(|t| t.contains(slug)), "{slug}: {texts:?}");
    }
}
