//! Issue 13: how diagnostics read, through the real binary. The source
//! line with a caret and the hint, without colour in a pipe, with it under
//! CLICOLOR_FORCE (and never with NO_COLOR); one line number per YAML
//! error; JSON messages that parse; `--strict`; `brief check` running
//! what build runs (packets, cover letters, templates, front-matter keys);
//! and the progress bar on a terminal, never in a pipe.

mod common;

use common::*;
use std::path::Path;
use std::process::Output;

fn project(posts: &[(&str, &str)], config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    for (name, text) in posts {
        std::fs::write(dir.path().join("content").join(name), text).unwrap();
    }
    std::fs::write(dir.path().join("brief.toml"), config).unwrap();
    dir
}

fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = brief();
    cmd.args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

const COLON: &str = "---\ntitle: Oversight: the case\ndate: 2025-01-01\n---\n\nText.\n";

/// The diagnostic lines of stderr (the summary line, with its timing, left out).
fn diagnostics(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr);
    text.lines()
        .filter(|l| !l.contains(" checked: ") && !l.contains(" written, "))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn a_yaml_mistake_shows_one_line_number_the_source_line_a_caret_and_a_hint() {
    let dir = project(&[("colon.md", COLON)], "");
    let out = run_env(dir.path(), &["check"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        diagnostics(&out),
        "error: content/colon.md:2:17: front matter is not valid YAML: mapping values are not allowed in this context\n  |\n2 | title: Oversight: the case\n  |                 ^\n  hint: a value holding \": \" must be quoted: title: \"Oversight: the case\"\n"
    );
    // Colour when forced, as ANSI sequences around the same text.
    let coloured = run_env(dir.path(), &["check"], &[("CLICOLOR_FORCE", "1")]);
    let text = diagnostics(&coloured);
    assert!(
        text.contains("\u{1b}[1m\u{1b}[91merror\u{1b}[0m"),
        "{text:?}"
    );
    assert!(text.contains("\u{1b}[1;36mhint\u{1b}[0m"), "{text:?}");
    let stripped = strip_ansi(&text);
    assert_eq!(stripped, diagnostics(&out));
    // NO_COLOR wins over CLICOLOR_FORCE.
    let plain = run_env(
        dir.path(),
        &["check"],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
    );
    assert_eq!(diagnostics(&plain), diagnostics(&out));
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn a_tab_indent_is_pointed_at_on_its_own_line() {
    let dir = project(
        &[(
            "tab.md",
            "---\ntitle: ok\n\tdate: 2025-01-01\n---\n\nText.\n",
        )],
        "",
    );
    let out = run_env(dir.path(), &["check"], &[]);
    assert_eq!(
        diagnostics(&out),
        "error: content/tab.md:3:1: front matter is not valid YAML: while scanning a plain scalar, found a tab\n  |\n3 | \\tdate: 2025-01-01\n  | ^^\n  hint: this line is indented with a tab; YAML indents with spaces only\n"
    );
}

#[test]
fn json_messages_parse_one_object_per_line() {
    let dir = project(
        &[
            ("colon.md", COLON),
            ("ok.md", "---\ntitel: Hi\n---\n\nText.\n"),
        ],
        "",
    );
    let out = run_env(
        dir.path(),
        &["--message-format", "json", "build", "--format", "email"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let messages: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let error = messages
        .iter()
        .find(|m| m["severity"] == "error")
        .expect("an error");
    assert_eq!(error["reason"], "diagnostic");
    assert_eq!(error["file"], "content/colon.md");
    assert_eq!(error["line"], 2);
    assert_eq!(error["col"], 17);
    assert!(error["rendered"].as_str().unwrap().contains("^"));
    let warning = messages
        .iter()
        .find(|m| m["severity"] == "warning")
        .expect("a warning");
    assert_eq!(warning["hint"], "did you mean \"title\"?");
    let last = messages.last().unwrap();
    assert_eq!(last["reason"], "build-finished");
    assert_eq!(last["success"], false);
    assert_eq!(last["posts_failed"], 1);
}

#[test]
fn strict_makes_warnings_fail() {
    let dir = project(
        &[("ok.md", "---\ntitle: Hi\nsumary: typo\n---\n\nText.\n")],
        "",
    );
    let lenient = run_env(dir.path(), &["build", "--format", "email"], &[]);
    assert_eq!(lenient.status.code(), Some(0));
    assert!(diagnostics(&lenient).contains("did you mean \"summary\"?"));
    let strict = run_env(dir.path(), &["build", "--format", "email", "--strict"], &[]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&strict.stderr).contains("--strict: warnings fail the build"));
    let check = run_env(dir.path(), &["check", "--strict"], &[]);
    assert_eq!(check.status.code(), Some(1));
}

#[test]
fn check_refuses_what_build_refuses() {
    let post =
        "---\ntitle: A\nslug: a\ndate: 2025-01-01\nlayout: post\npermalink: /a/\n---\n\nText.\n";
    let packet = |briefs: &str, letter: &str| {
        format!(
            "[[packet]]\nname = \"p\"\ntitle = \"P\"\ndate = \"2025-01-01\"\nbriefs = [{briefs}]\n{letter}"
        )
    };
    // A packet naming an unknown slug: build exits 1, and so does check.
    let dir = project(&[("a.md", post)], &packet("\"a\", \"nope\"", ""));
    let check = run_env(dir.path(), &["check"], &[]);
    let build = run_env(dir.path(), &["build", "--format", "email"], &[]);
    assert_eq!(check.status.code(), Some(1), "{}", diagnostics(&check));
    assert_eq!(build.status.code(), Some(1));
    assert!(
        diagnostics(&check).contains("error: brief.toml:5:"),
        "{}",
        diagnostics(&check)
    );
    // A missing cover letter.
    let dir = project(
        &[("a.md", post)],
        &packet("\"a\"", "cover_letter = \"letters/gone.md\"\n"),
    );
    let check = run_env(dir.path(), &["check"], &[]);
    assert_eq!(check.status.code(), Some(1));
    assert!(
        diagnostics(&check).contains("gone.md"),
        "{}",
        diagnostics(&check)
    );
    // A broken template: check compiles it against the first post.
    let dir = project(&[("a.md", post)], "");
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(dir.path().join("templates/brief.typ"), "#let broken(\n").unwrap();
    let check = run_env(dir.path(), &["check"], &[]);
    let build = run_env(dir.path(), &["build", "--format", "pdf"], &[]);
    assert_eq!(check.status.code(), build.status.code());
    assert_eq!(check.status.code(), Some(1), "{}", diagnostics(&check));
    // Bad e-mail settings: both stop before any work.
    let dir = project(&[("a.md", post)], "[email]\nfrom = \"not an address\"\n");
    assert_eq!(run_env(dir.path(), &["check"], &[]).status.code(), Some(2));
    // Site-engine keys are known and quiet; nothing is written by check.
    let dir = project(&[("a.md", post)], "");
    let check = run_env(dir.path(), &["check"], &[]);
    assert_eq!(check.status.code(), Some(0));
    assert!(
        !diagnostics(&check).contains("warning"),
        "{}",
        diagnostics(&check)
    );
    assert!(!dir.path().join("output").exists());
}

/// 200 posts, built on a pseudo-terminal (`script` from util-linux): the
/// bar is drawn; in a pipe, nothing of it.
#[test]
fn a_200_post_build_shows_progress_on_a_terminal_and_none_in_a_pipe() {
    if !tool("script", &["--version"]) {
        return;
    }
    let posts: Vec<(String, String)> = (0..200)
        .map(|i| {
            (
                format!("p{i:03}.md"),
                format!(
                    "---\ntitle: Post {i}\ndate: 2025-01-01\n---\n\n## Heading\n\n{}\n",
                    "Words of text. ".repeat(200)
                ),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = posts
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = project(&refs, "");
    let command = format!("{} build --format epub,email", env!("CARGO_BIN_EXE_brief"));
    let out = std::process::Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .current_dir(dir.path())
        .env_remove("CI")
        .env("TERM", "xterm")
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{screen}");
    assert!(
        screen.contains("outputs"),
        "no bar on the terminal:\n{screen}"
    );
    assert!(
        screen.contains("posts 200/200") || screen.contains("/400 outputs"),
        "{screen}"
    );
    assert!(screen.contains("200 posts: 200 built"), "{screen}");
    // The same build in a pipe: the summary only.
    let piped = run_env(
        dir.path(),
        &["build", "--format", "epub,email", "--out", "piped"],
        &[("CI", "")],
    );
    let err = String::from_utf8_lossy(&piped.stderr);
    assert!(!err.contains("outputs ·") && !err.contains('\r'), "{err}");
    // The summary per edition, then the summary.
    assert_eq!(
        err.lines().next(),
        Some("EPUB: 200 written · e-mail text: 200 written"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2, "{err}");
    // --verbose: each file written, named, before the summaries.
    let verbose = run_env(
        dir.path(),
        &[
            "build",
            "--format",
            "email",
            "--out",
            "verbose",
            "--verbose",
        ],
        &[("CI", "")],
    );
    let err = String::from_utf8_lossy(&verbose.stderr);
    assert_eq!(
        err.lines()
            .filter(|l| l.starts_with("wrote verbose/email/p"))
            .count(),
        200,
        "{err}"
    );
    // On a terminal but under CI: no bar either; --quiet: nothing.
    let quiet = std::process::Command::new("script")
        .args([
            "-qfec",
            &format!("{command} --quiet --out quiet"),
            "/dev/null",
        ])
        .current_dir(dir.path())
        .env_remove("CI")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&quiet.stdout).trim().is_empty(),
        "{:?}",
        String::from_utf8_lossy(&quiet.stdout)
    );
}
