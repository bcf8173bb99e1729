//! Build script: records the git commit brief is built from (when built
//! from a git checkout, as `cargo install --path .` and `--git` are) in
//! `BRIEF_COMMIT`, for `brief --version` and the provenance printed in
//! packets. Reads the local repository only; nothing is downloaded.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn main() {
    // Rebuild when HEAD moves: `HEAD` changes on a checkout, its reflog
    // `logs/HEAD` on every commit too (the branch's ref file may be
    // packed). Not on every build.
    for path in ["HEAD", "logs/HEAD"] {
        if let Some(p) = git(&["rev-parse", "--path-format=absolute", "--git-path", path]) {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    println!("cargo:rerun-if-env-changed=BRIEF_COMMIT");
    let commit = std::env::var("BRIEF_COMMIT")
        .ok()
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_default();
    println!("cargo:rustc-env=BRIEF_COMMIT={commit}");
}
