//! Helpers shared by the integration tests: running the real binary,
//! locating `../shared`, and the rule for tests that need external tools.

#![allow(dead_code)]

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
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
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
