//! Issue 13, a new user's first five minutes, through the real binary:
//! `init` → `build`, `new`, `templates eject`, packets that fail alone,
//! finding the project from a subfolder, `-C`, `--config`, a folder as a
//! path, `--format` mistakes, `--version`, completions and the man page.

mod common;

use common::*;
use std::path::Path;
use std::process::Output;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn init(dir: &Path) {
    let out = run_in(dir, &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// Every file under `dir` with its bytes, for byte-for-byte comparisons.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files_under(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

fn build_at(dir: &Path, args: &[&str]) -> Output {
    brief()
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1735689600")
        .output()
        .unwrap()
}

#[test]
fn init_then_build_in_an_empty_folder_writes_every_edition_and_the_packet() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let toml = std::fs::read_to_string(dir.path().join("brief.toml")).unwrap();
    // Every key of brief.toml is present (commented where it is a default).
    for key in [
        "organisation",
        "lang",
        "base_url",
        "paper",
        "width",
        "standard",
        "links",
        "split_chars",
        "from",
        "to",
        "reply_to",
        "domain",
        "attach",
        "summary",
        "host",
        "port",
        "tls",
        "user",
        "password_env",
        "pause_ms",
        "limit",
        "timeout_seconds",
        "email.contacts",
        "name",
        "title",
        "subtitle",
        "date",
        "briefs",
        "tags",
        "all",
        "cover_letter",
        "marking",
        "recipients",
    ] {
        assert!(
            toml.contains(&format!("{key} =")) || toml.contains(&format!("[{key}]")),
            "{key} missing"
        );
    }
    let out = run_in(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = files_under(&dir.path().join("output"));
    for f in [
        "pdf/example-brief.pdf",
        "epub/example-brief.epub",
        "email/example-brief.txt",
        "packets/example-packet.pdf",
        "packets/example-packet.epub",
        "packets/example-packet.txt",
        "packets/example-packet/embassy-of-example.pdf",
    ] {
        assert!(written.iter().any(|w| w == f), "{f} missing: {written:?}");
    }
    // A second init never overwrites the project.
    std::fs::write(dir.path().join("brief.toml"), "# mine\n").unwrap();
    let again = run_in(dir.path(), &["init"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("brief.toml")).unwrap(),
        "# mine\n"
    );
    // `brief init DIR` makes the folder.
    let out = run_in(dir.path(), &["init", "other/project"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        dir.path()
            .join("other/project/content/example-brief.md")
            .is_file()
    );
}

#[test]
fn new_writes_a_dated_post_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let new = |title: &str| {
        brief()
            .args(["new", title])
            .current_dir(dir.path().join("content"))
            .env("SOURCE_DATE_EPOCH", "1735689600")
            .output()
            .unwrap()
    };
    let out = new("Oversight: The Case");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Run from content/: the project is found above, the post goes into
    // the project's content/.
    let path = dir.path().join("content/oversight-the-case.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with(
            "---\ntitle: \"Oversight: The Case\"\nslug: oversight-the-case\ndate: 2025-01-01\n"
        ),
        "{text}"
    );
    std::fs::write(&path, "mine").unwrap();
    let again = new("Oversight: The Case");
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("already exists; nothing was overwritten"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
}

#[test]
fn ejected_templates_build_byte_identical_outputs() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let out = build_at(dir.path(), &["build", "--out", "embedded"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = build_at(dir.path(), &["templates", "eject"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for t in ["brief.typ", "packet.typ", "cover.typ", "epub.css"] {
        assert!(dir.path().join("templates").join(t).is_file(), "{t}");
    }
    let out = build_at(dir.path(), &["build", "--out", "ejected"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (a, b) = (
        contents(&dir.path().join("embedded")),
        contents(&dir.path().join("ejected")),
    );
    assert_eq!(a.len(), b.len());
    for ((fa, ba), (fb, bb)) in a.iter().zip(&b) {
        assert_eq!(fa, fb);
        if fa == "manifest.json" {
            // The manifest names the output folder; the rest must match.
            let norm =
                |bytes: &[u8], from: &str| String::from_utf8_lossy(bytes).replace(from, "OUT");
            assert_eq!(norm(ba, "embedded"), norm(bb, "ejected"));
        } else {
            assert!(ba == bb, "{fa} differs after eject");
        }
    }
    // Ejecting again refuses without --force, and names the file.
    std::fs::write(dir.path().join("templates/epub.css"), "/* mine */").unwrap();
    let out = build_at(dir.path(), &["templates", "eject", "epub.css"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("templates/epub.css: already exists"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("templates/epub.css")).unwrap(),
        "/* mine */"
    );
    let out = build_at(dir.path(), &["templates", "eject", "epub.css", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_ne!(
        std::fs::read_to_string(dir.path().join("templates/epub.css")).unwrap(),
        "/* mine */"
    );
    let out = build_at(dir.path(), &["templates", "eject", "pakcet.typ"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean \"packet.typ\"?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_shipped_project_pointed_at_other_posts_fails_only_its_packet() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo.join("brief.toml"), dir.path().join("brief.toml")).unwrap();
    copy_tree(&repo.join("letters"), &dir.path().join("letters"));
    std::fs::create_dir_all(dir.path().join("mine")).unwrap();
    std::fs::write(
        dir.path().join("mine/a.md"),
        "---\ntitle: A\ndate: 2025-01-01\n---\n\nText.\n",
    )
    .unwrap();
    let out = run_in(
        dir.path(),
        &["build", "--content", "mine", "--format", "email"],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    // The line of the first packet's `briefs` in the shipped brief.toml.
    let line = std::fs::read_to_string(repo.join("brief.toml"))
        .unwrap()
        .lines()
        .position(|l| l.starts_with("briefs = ["))
        .unwrap()
        + 1;
    assert!(err.contains(&format!("error: brief.toml:{line}:")), "{err}");
    assert!(err.contains("no post has the slug"), "{err}");
    // Each packet of the shipped brief.toml (English, and Korean–English)
    // fails alone, named by its own line.
    let packets = std::fs::read_to_string(repo.join("brief.toml"))
        .unwrap()
        .lines()
        .filter(|l| l.trim() == "[[packet]]")
        .count();
    assert!(
        err.contains(&format!("packets: 0 built, {packets} failed")),
        "{err}"
    );
    assert!(dir.path().join("output/email/a.txt").is_file());
}

#[test]
fn the_project_is_found_from_a_subfolder_and_with_c_and_config() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let sub = dir.path().join("content");
    // From content/: brief.toml above is found, output goes beside it.
    let out = run_in(&sub, &["build", "--format", "email"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.path().join("output/email/example-brief.txt").is_file());
    assert!(!sub.join("output").exists());
    // A post named from the subfolder.
    let out = run_in(&sub, &["check", "example-brief.md"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // -C DIR from elsewhere.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = run_in(
        elsewhere.path(),
        &[
            "-C",
            dir.path().to_str().unwrap(),
            "build",
            "--format",
            "email",
            "--out",
            "via-c",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.path().join("via-c/email/example-brief.txt").is_file());
    // --config FILE: its folder is the project; a missing one is exit 2.
    std::fs::rename(
        dir.path().join("brief.toml"),
        dir.path().join("settings.toml"),
    )
    .unwrap();
    let config = dir.path().join("settings.toml");
    let out = run_in(
        elsewhere.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "build",
            "--format",
            "pdf",
            "--out",
            "via-config",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A path typed on the command line means what it says where it was
    // typed: --out via-config is beside the caller, not in the project.
    assert!(
        elsewhere
            .path()
            .join("via-config/packets/example-packet.pdf")
            .is_file()
    );
    let out = run_in(elsewhere.path(), &["--config", "nowhere.toml", "build"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("settings file not found"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_folder_given_as_a_path_builds_that_folder() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let out = run_in(dir.path(), &["build", "content", "--format", "email"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 post: 1 built"), "{}", stderr(&out));
    // The whole folder: packets too.
    assert!(
        dir.path()
            .join("output/packets/example-packet.txt")
            .is_file()
    );
}

#[test]
fn format_mistakes_are_refused_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let out = run_in(dir.path(), &["build", "--format", "pfd"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean \"pdf\"?"),
        "{}",
        stderr(&out)
    );
    let out = run_in(dir.path(), &["build", "--format", ""]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--format names no edition"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("output").exists());
}

#[test]
fn version_completions_and_man_page_come_from_the_same_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let version = run_in(dir.path(), &["--version"]);
    let text = String::from_utf8_lossy(&version.stdout);
    assert!(
        text.starts_with(&format!("brief {}", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert!(text.contains("Typst 0.15.1"), "{text}");
    let bash = run_in(dir.path(), &["completions", "bash"]);
    let script = String::from_utf8_lossy(&bash.stdout);
    assert_eq!(bash.status.code(), Some(0));
    for word in ["init", "templates", "--message-format", "--strict"] {
        assert!(script.contains(word), "{word} not completed");
    }
    let man = run_in(dir.path(), &["man"]);
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(page.contains(".TH brief"), "{page}");
    assert!(
        page.contains("init") && page.contains("templates"),
        "{page}"
    );
}
