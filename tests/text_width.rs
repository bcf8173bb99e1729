//! The e-mail text edition keeps to its width on real posts: every post of
//! `../shared/corpus/real` is built by the real binary, and every line of
//! every `.txt` must fit in 72 display columns (East Asian wide characters
//! count two) unless it cannot be broken.
//!
//! A line that cannot be broken is a single token once its structure is
//! set aside (indent, quote markers, list markers, `[n]` and `[^n]`
//! references): a URL, a word longer than the line, a Korean word. Code
//! blocks are kept as the author wrote them, since a wrapped command no
//! longer runs; their lines are found through `brief dump-ir`.

mod common;

use common::*;
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

const WIDTH: usize = 72;

#[test]
fn every_text_line_of_the_real_corpus_fits_in_72_columns() {
    let Some(shared) = shared() else { return };
    let content = shared.join("corpus/real");
    let work = tempfile::tempdir().unwrap();
    // An empty working folder: the checkout's brief.toml is not this
    // corpus's configuration.
    let out = brief()
        .current_dir(work.path())
        .args(["build", "--format", "email", "--content"])
        .arg(&content)
        .arg("--out")
        .arg(work.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");

    let code = code_lines(&content);
    let mut texts: Vec<_> = std::fs::read_dir(work.path().join("email"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    texts.sort();
    assert!(texts.len() >= 60, "only {} texts: {stderr}", texts.len());

    let mut too_long = Vec::new();
    let mut longest = 0;
    for path in &texts {
        let text = std::fs::read_to_string(path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let columns = line.width();
            if columns <= WIDTH || code.contains(&squeeze(line)) || unbreakable(line) {
                continue;
            }
            longest = longest.max(columns);
            too_long.push(format!(
                "{}:{}: {columns} columns: {line}",
                path.file_name().unwrap().to_string_lossy(),
                n + 1
            ));
        }
    }
    assert!(
        too_long.is_empty(),
        "{} lines longer than {WIDTH} columns (longest {longest}):\n{}",
        too_long.len(),
        too_long.join("\n")
    );
}

/// Every line of every code block in the corpus, whitespace squeezed (the
/// text edition expands tabs and indents code).
fn code_lines(content: &Path) -> HashSet<String> {
    let mut lines = HashSet::new();
    for path in brief::read::discover(content).unwrap() {
        let out = brief().arg("dump-ir").arg(&path).output().unwrap();
        let Ok(ir) = serde_json::from_slice::<Value>(&out.stdout) else {
            continue; // a post the binary refuses has no text edition either
        };
        collect_code(&ir, &mut lines);
    }
    lines
}

fn collect_code(value: &Value, lines: &mut HashSet<String>) {
    match value {
        Value::Object(map) => {
            if map.get("kind").and_then(Value::as_str) == Some("code") {
                if let Some(text) = map.get("text").and_then(Value::as_str) {
                    lines.extend(text.lines().map(squeeze));
                }
            }
            map.values().for_each(|v| collect_code(v, lines));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_code(v, lines)),
        _ => {}
    }
}

fn squeeze(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One token after the line's structure: nothing the wrapping could break
/// at (no space, no Chinese or Japanese character).
fn unbreakable(line: &str) -> bool {
    let mut rest = line.trim_start();
    loop {
        let before = rest;
        rest = rest.trim_start_matches(['>', ' ']);
        for marker in ["- ", "[x] ", "[ ] "] {
            rest = rest.strip_prefix(marker).unwrap_or(rest);
        }
        if let Some(end) = rest.find(". ").filter(|&i| i > 0) {
            if rest[..end].bytes().all(|b| b.is_ascii_digit()) {
                rest = &rest[end + 2..];
            }
        }
        if rest.starts_with('[') {
            if let Some(end) = rest.find("] ") {
                let inside = rest[1..end].trim_start_matches('^');
                if !inside.is_empty() && inside.bytes().all(|b| b.is_ascii_digit()) {
                    rest = &rest[end + 2..];
                }
            }
        }
        if rest == before {
            break;
        }
    }
    !rest.contains(' ') && !rest.chars().any(breaks_between)
}

/// A wide character that is not Hangul: the wrapping may break beside it.
fn breaks_between(c: char) -> bool {
    let hangul = matches!(c as u32, 0x1100..=0x11FF | 0x3130..=0x318F | 0xA960..=0xA97F | 0xAC00..=0xD7AF | 0xD7B0..=0xD7FF);
    !hangul && c.width() == Some(2)
}

#[test]
fn the_unbreakable_rule_sets_only_structure_aside() {
    assert!(unbreakable("[12] https://example.org/a/very/long/path"));
    assert!(unbreakable("  - [3]  https://example.org/x"));
    assert!(unbreakable("> > 10. averyveryverylongword"));
    assert!(unbreakable("대한민국은"));
    assert!(!unbreakable("two words"));
    assert!(!unbreakable("オブザーバビリティ"));
}
