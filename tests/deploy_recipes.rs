//! The deployment recipes of `docs/deploy/` (docs/scale.md), checked as
//! far as this machine can: the Kubernetes Indexed Job against the Job
//! schema (`kubernetes-validate --strict`), the GitHub Actions workflow
//! against GitHub's workflow schema (`check-jsonschema`), and the
//! `xargs -P` script run for real on a project, its merged output compared
//! with an unsharded build.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn recipe(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/deploy")
        .join(name)
}

fn passes(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_kubernetes_indexed_job_is_a_valid_job() {
    if !tool("kubernetes-validate", &["--version"]) {
        return;
    }
    let job = recipe("kubernetes-indexed-job.yaml");
    let text = std::fs::read_to_string(&job).unwrap();
    // The recipe's point: an Indexed Job whose index picks the shard.
    assert!(text.contains("completionMode: Indexed") && text.contains("--shards 4"));
    passes("kubernetes-validate", &["--strict", job.to_str().unwrap()]);
}

#[test]
fn the_github_actions_matrix_is_a_valid_workflow() {
    if !tool("check-jsonschema", &["--version"]) {
        return;
    }
    let workflow = recipe("github-actions.yml");
    passes(
        "check-jsonschema",
        &[
            "--builtin-schema",
            "vendor.github-workflows",
            workflow.to_str().unwrap(),
        ],
    );
}

#[test]
fn the_xargs_recipe_merges_into_what_one_build_writes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &root.join("content"),
    );
    std::fs::write(
        root.join("brief.toml"),
        "[project]\norganisation = \"Desk\"\n",
    )
    .unwrap();
    let run = |cmd: &mut Command| {
        let out = cmd
            .current_dir(root)
            .env("SOURCE_DATE_EPOCH", "1756800000")
            .env_remove("BRIEF_SHARD")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(Command::new("sh")
        .arg(recipe("parallel.sh"))
        .env("BRIEF", env!("CARGO_BIN_EXE_brief"))
        .env("N", "3")
        .env("OUT", "merged"));
    run(brief().args(["build", "--quiet", "--out", "whole"]));
    let whole = files_under(&root.join("whole"));
    assert_eq!(files_under(&root.join("merged")), whole);
    for file in &whole {
        assert_eq!(
            std::fs::read(root.join("whole").join(file)).unwrap(),
            std::fs::read(root.join("merged").join(file)).unwrap(),
            "{file}"
        );
    }
}
