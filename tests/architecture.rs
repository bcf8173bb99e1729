//! The rules of the code's layout (README "How the code is laid out"),
//! checked on the source itself so they cannot drift:
//! - no cycle between the top-level modules of `src/`;
//! - no code under `src/write/` other than `resources.rs` touches the file
//!   system, the environment or the system clock;
//! - only `src/output/` creates, writes, renames or removes files;
//! - no file under `src/` is longer than 600 lines.
//!
//! Unit-test modules (`#[cfg(test)] mod tests { … }` at the end of a file)
//! and comments are not code the program runs, so they are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 600;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/`-relative path with `/`.
fn rel(path: &Path) -> String {
    path.strip_prefix(src())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// The code of a file: without the trailing unit-test module and without
/// comment lines or trailing `//` comments.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    text.lines()
        .map(|line| {
            let t = line.trim_start();
            if t.starts_with("//") {
                ""
            } else {
                // A `//` inside a string literal (a URL) is kept: only a
                // comment after code, preceded by a space, is cut.
                match line.find(" // ") {
                    Some(i) if !line[..i].contains('"') => &line[..i],
                    _ => line,
                }
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level module a file belongs to (`write/pdf/mod.rs` → `write`),
/// or `None` for the crate roots.
fn top_module(rel: &str) -> Option<String> {
    match rel {
        "lib.rs" | "main.rs" => None,
        _ => Some(
            rel.split('/')
                .next()
                .unwrap()
                .trim_end_matches(".rs")
                .to_string(),
        ),
    }
}

/// Top-level modules named by `crate::…` paths in `code`, including
/// grouped imports (`use crate::{a, b::c}`).
fn crate_references(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // e.g. `mycrate::`
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

#[test]
fn no_cycle_between_top_level_modules() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut modules: BTreeSet<String> = BTreeSet::new();
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for file in &files {
        if let Some(m) = top_module(&rel(file)) {
            modules.insert(m);
        }
    }
    for file in &files {
        let Some(from) = top_module(&rel(file)) else {
            continue;
        };
        for to in crate_references(&code(file)) {
            if to != from && modules.contains(&to) {
                edges
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_insert_with(|| rel(file));
            }
        }
    }
    // Depth-first search for a back edge; report the whole cycle with the
    // file that makes each step.
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeMap<String, String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == m) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(m.to_string());
            return Some(cycle);
        }
        if done.contains(m) {
            return None;
        }
        stack.push(m.to_string());
        for next in edges.get(m).into_iter().flat_map(|e| e.keys()) {
            if let Some(cycle) = visit(next, edges, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in &modules {
        if let Some(cycle) = visit(m, &edges, &mut Vec::new(), &mut done) {
            let steps: Vec<String> = cycle
                .windows(2)
                .map(|w| format!("{} -> {} (in src/{})", w[0], w[1], edges[&w[0]][&w[1]]))
                .collect();
            panic!("module cycle:\n  {}", steps.join("\n  "));
        }
    }
}

/// Tokens that reach the file system, the environment or the clock.
const OUTSIDE_WORLD: &[&str] = &[
    "std::fs",
    "fs::",
    "File::",
    "OpenOptions",
    "read_dir",
    ".canonicalize(",
    ".metadata()",
    ".symlink_metadata(",
    ".exists()",
    ".is_file()",
    ".is_dir()",
    "std::env",
    "env::var",
    "SystemTime::now",
    "Instant::now",
    "Utc::now",
    "Local::now",
];

/// Tokens that create, change or remove files.
const FILE_WRITES: &[&str] = &[
    "File::create",
    "fs::write",
    // `OpenOptions` that may write (a read-only open is fine).
    ".write(true)",
    ".append(true)",
    ".create(true)",
    ".create_new(true)",
    ".truncate(true)",
    "create_dir",
    "fs::rename",
    "remove_file",
    "remove_dir",
    "fs::copy",
    "hard_link",
    "symlink(",
    "set_permissions",
    "set_len(",
];

fn offences(files: &[PathBuf], tokens: &[&str], applies: impl Fn(&str) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    for file in files {
        let rel = rel(file);
        if !applies(&rel) {
            continue;
        }
        for (n, line) in code(file).lines().enumerate() {
            for token in tokens {
                if line.contains(token) {
                    found.push(format!("src/{rel}:{}: {token}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn writers_read_files_only_through_resources() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let found = offences(&files, OUTSIDE_WORLD, |rel| {
        rel.starts_with("write/") && rel != "write/resources.rs"
    });
    assert!(
        found.is_empty(),
        "writers must ask write::resources (files) or their Context (time):\n{}",
        found.join("\n")
    );
}

#[test]
fn only_output_writes_files() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let found = offences(&files, FILE_WRITES, |rel| !rel.starts_with("output/"));
    assert!(
        found.is_empty(),
        "only src/output/ may write files:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_source_file_is_longer_than_600_lines() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).unwrap().lines().count();
            (lines > MAX_LINES).then(|| format!("src/{}: {lines} lines", rel(f)))
        })
        .collect();
    assert!(
        long.is_empty(),
        "split these files (at most {MAX_LINES} lines each):\n{}",
        long.join("\n")
    );
}

/// The checks themselves must be able to fail.
#[test]
fn the_checks_see_what_they_look_for() {
    assert_eq!(
        crate_references("use crate::{diag::Diagnostic, ir};\nlet x = crate::write::Context;"),
        ["diag", "ir", "write"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    assert_eq!(top_module("write/pdf/mod.rs").as_deref(), Some("write"));
    assert_eq!(top_module("diag.rs").as_deref(), Some("diag"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.rs");
    std::fs::write(&file, "// std::fs in a comment\nlet t = std::fs::read(p);\n#[cfg(test)]\nmod tests { std::fs::write(); }\n").unwrap();
    let text = code(&file);
    assert!(!text.contains("comment"));
    assert!(text.contains("std::fs::read"));
    assert!(!text.contains("std::fs::write"));
}
