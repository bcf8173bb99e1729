//! DAISY Ace, the EPUB accessibility checker, over the books brief builds:
//! the sample's briefs, its packets and every post of the real corpus
//! (`../shared/corpus/real`), built by the real binary. No book may have a
//! critical or serious violation. Ace (`tests/ace/`, installed by `.ci/run`
//! with `npm ci`) drives Debian's Chromium through Puppeteer; nothing is
//! downloaded. Under `CI=true` a missing Ace, Node or Chromium fails.

mod common;

use common::{copy_tree, in_ci, run_in};
use std::path::{Path, PathBuf};
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

fn ace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ace")
}

/// Whether Ace can run here (Node, Chromium and `tests/ace/node_modules`).
fn ace_available() -> bool {
    let missing = if !common::tool("node", &["--version"]) {
        Some("node")
    } else if !Path::new(CHROMIUM).exists() {
        Some(CHROMIUM)
    } else if !ace_dir().join("node_modules/@daisy/ace-core").is_dir() {
        Some("tests/ace/node_modules (npm ci in tests/ace)")
    } else {
        None
    };
    match missing {
        None => true,
        Some(what) if in_ci() => panic!("{what} is missing, and CI=true: .ci/run installs Ace"),
        Some(what) => {
            eprintln!("skipped: {what} not installed");
            false
        }
    }
}

/// One book's result, as `tests/ace/check-books.js` prints it.
struct Verdict {
    book: String,
    error: Option<String>,
    /// (impact, rule, file, where)
    violations: Vec<(String, String, String, String)>,
}

/// Runs Ace over `books`, in two Node processes side by side.
fn ace(books: &[PathBuf]) -> Vec<Verdict> {
    let halves: Vec<&[PathBuf]> = books.chunks(books.len().div_ceil(2).max(1)).collect();
    let outputs: Vec<String> = std::thread::scope(|s| {
        let running: Vec<_> = halves
            .iter()
            .map(|half| {
                s.spawn(move || {
                    let out = Command::new("node")
                        .arg(ace_dir().join("check-books.js"))
                        .args(*half)
                        .env("PUPPETEER_EXECUTABLE_PATH", CHROMIUM)
                        .env("PUPPETEER_SKIP_DOWNLOAD", "true")
                        .output()
                        .expect("node runs");
                    String::from_utf8_lossy(&out.stdout).into_owned()
                })
            })
            .collect();
        running.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut verdicts = Vec::new();
    for line in outputs.iter().flat_map(|o| o.lines()) {
        let Some(json) = line.strip_prefix("ACE-RESULT ") else {
            continue;
        };
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
        verdicts.push(Verdict {
            book: s(&v["book"]),
            error: v["error"].as_str().map(String::from),
            violations: v["violations"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|x| {
                            (
                                s(&x["impact"]),
                                s(&x["rule"]),
                                s(&x["file"]),
                                s(&x["where"]),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    verdicts
}

fn epubs_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            epubs_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "epub") {
            out.push(path);
        }
    }
}

#[test]
fn ace_finds_no_critical_or_serious_issue_in_the_sample_its_packets_and_the_corpus() {
    let Some(shared) = common::shared() else {
        return;
    };
    if !ace_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The sample project: its briefs and both packets.
    let sample = dir.path().join("sample");
    std::fs::create_dir_all(&sample).unwrap();
    std::fs::copy(root.join("brief.toml"), sample.join("brief.toml")).unwrap();
    copy_tree(&root.join("content"), &sample.join("content"));
    copy_tree(&root.join("letters"), &sample.join("letters"));
    let out = run_in(&sample, &["build", "--format", "epub", "--no-cache"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The real corpus, as a project of its own.
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(
        corpus.join("brief.toml"),
        "[project]\norganisation = \"Corpus\"\n",
    )
    .unwrap();
    copy_tree(&shared.join("corpus/real"), &corpus.join("content"));
    let out = run_in(
        &corpus,
        &["build", "--format", "epub", "--no-cache", "--quiet"],
    );
    // Some corpus posts fail to read on purpose (exit 1); the books of the
    // others are written.
    assert!(
        out.status.code() != Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut books = Vec::new();
    epubs_under(&sample.join("output"), &mut books);
    let sample_books = books.len();
    epubs_under(&corpus.join("output"), &mut books);
    assert_eq!(sample_books, 4, "two briefs and two packets");
    assert!(books.len() >= 40 + 4, "only {} books", books.len());

    let verdicts = ace(&books);
    assert_eq!(verdicts.len(), books.len(), "Ace reported on every book");
    let mut failures = Vec::new();
    let mut lesser: std::collections::BTreeMap<(String, String), usize> = Default::default();
    for v in &verdicts {
        if let Some(e) = &v.error {
            failures.push(format!("{}: Ace failed: {e}", v.book));
        }
        for (impact, rule, file, at) in &v.violations {
            if impact == "critical" || impact == "serious" {
                failures.push(format!("{}: {impact} {rule} in {file} at {at}", v.book));
            } else {
                *lesser.entry((impact.clone(), rule.clone())).or_default() += 1;
            }
        }
    }
    eprintln!(
        "Ace checked {} books; moderate/minor findings: {lesser:?}",
        verdicts.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
