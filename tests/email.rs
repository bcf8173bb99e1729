//! E-mail messages and `brief send` through the real binary, against a real
//! SMTP server (Python's aiosmtpd) on 127.0.0.1, with every message checked
//! by a standard parser (Python's `email` package, `policy.default`).
//!
//! Needs `python3` with `aiosmtpd` (installed by `.ci/run`): under
//! `CI=true` a missing one fails the tests, elsewhere they are skipped.

mod common;

use common::smtp::{Smtp, free_port, needs_aiosmtpd};
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const RECIPIENTS: [&str; 3] = [
    "ana@example.org",
    "Bo Park <bo@example.net>",
    "cy@example.com",
];

const ENGLISH: &str = r#"---
title: "Water points: what changed in March"
date: 2025-03-04
slug: water-points
---

From the field: the district teams report that most water points are working again after the floods, and that the remaining repairs need parts that are still held at the border crossing for inspection.

> Quoted words from a partner, long enough that they wrap onto a second line of the quote in the text edition.

## Repairs

1. Pumps in the north, with a long description that wraps onto the next line of the list item.
2. Pipes in the south.

    indented code line
    >not a quote

## Supplies

See the [dashboard](https://example.org/dash) and the note below. From now on, the line that starts with From must be stuffed.
"#;

const KOREAN: &str = r#"---
title: "대한민국 아동 보호 브리핑: 3월 현황"
date: 2025-03-05T09:30:00+09:00
slug: korea-brief
lang: ko
summary: "3월 현황 요약입니다."
---

대한민국은 아동 인신매매의 목적지이자 출발지 국가로 기능하고 있으며, 이 브리핑은 현장 팀이 보고한 주요 변화와 다음 달의 우선순위를 정리합니다. 자세한 내용은 아래를 참고하십시오.

## 주요 변화

현장 팀은 보호 시설의 수용 능력이 늘어났다고 보고했습니다.

## 다음 단계

관계 기관과의 협력을 강화합니다.
"#;

/// Parses messages with Python's `email` package and reports, per file:
/// defects, decoded headers, the text part (decoded) and its parameters,
/// and each attachment's name, type and SHA-256.
const INSPECT: &str = r#"
import email, hashlib, json, sys
from email import policy

out = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        msg = email.message_from_bytes(f.read(), policy=policy.default)
    defects = [type(d).__name__ for part in msg.walk() for d in part.defects]
    for name in ("subject", "from", "to", "reply-to", "date", "message-id"):
        for value in msg.get_all(name, []):
            defects += [type(d).__name__ for d in getattr(value, "defects", ())]
    body = msg.get_body(preferencelist=("plain",))
    atts = []
    for part in msg.iter_attachments():
        data = part.get_content()
        atts.append({"filename": part.get_filename(), "type": part.get_content_type(),
                     "sha256": hashlib.sha256(data).hexdigest()})
    out.append({
        "file": path,
        "defects": defects,
        "headers": {k.lower(): str(v) for k, v in msg.items()},
        "header_names": [k for k in msg.keys()],
        "text": body.get_content() if body is not None else None,
        "format": body.get_param("format") if body is not None else None,
        "charset": body.get_content_charset() if body is not None else None,
        "cte": body.get("content-transfer-encoding") if body is not None else None,
        "attachments": atts,
    })
print(json.dumps(out))
"#;

fn inspect(dir: &Path, files: &[PathBuf]) -> Vec<Value> {
    let script = dir.join("inspect.py");
    std::fs::write(&script, INSPECT).unwrap();
    let out = Command::new("python3")
        .arg(&script)
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "inspect.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
}

/// A project with the two posts; `email` is the body of `[email]`.
fn project(email: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(dir.path().join("content/water.md"), ENGLISH).unwrap();
    std::fs::write(dir.path().join("content/korea.md"), KOREAN).unwrap();
    let to: Vec<String> = RECIPIENTS.iter().map(|r| format!("{r:?}")).collect();
    let config = format!(
        "[project]\nbase_url = \"https://briefs.example.org/b/\"\n\n[email]\n\
         from = \"Briefing desk <desk@example.org>\"\nreply_to = \"replies@example.org\"\n\
         to = [{}]\ndomain = \"briefs.example.org\"\n{email}\n",
        to.join(", ")
    );
    std::fs::write(dir.path().join("brief.toml"), config).unwrap();
    dir
}

fn smtp_settings(port: u16) -> String {
    format!("host = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\npause_ms = 0\n")
}

fn run(dir: &Path, args: &[&str]) -> Output {
    brief()
        .args(args)
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("BRIEF_SMTP_PASSWORD")
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn set_port(dir: &Path, port: u16) {
    let path = dir.join("brief.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text: String = text
        .lines()
        .map(|l| {
            if l.starts_with("port = ") {
                format!("port = {port}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(path, text).unwrap();
}

/// Undoes format=flowed without rejoining: drop the stuffing space and the
/// soft-break space. Written here, apart from brief's own code.
fn unflow_lines(body: &str) -> String {
    body.replace("\r\n", "\n")
        .lines()
        .map(|l| {
            let l = l.strip_prefix(' ').unwrap_or(l);
            format!("{}\n", l.strip_suffix(' ').unwrap_or(l))
        })
        .collect()
}

/// RFC 3676 reading: soft-broken lines joined (DelSp=no).
fn unflow_joined(body: &str) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    for line in body.replace("\r\n", "\n").lines() {
        let line = line.strip_prefix(' ').unwrap_or(line);
        current.push_str(line);
        if !line.ends_with(' ') || line == "-- " {
            paragraphs.push(std::mem::take(&mut current));
        }
    }
    paragraphs
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The acceptances recorded in `output/sent.jsonl` (each delivery also
/// has an `attempt` record, written just before its content was sent).
fn sent_log(dir: &Path) -> Vec<Value> {
    log_records(dir)
        .into_iter()
        .filter(|r| r["state"] == "sent")
        .collect()
}

fn log_records(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("output/sent.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn messages_are_standard_and_carry_the_text_edition_and_attachments() {
    if !needs_aiosmtpd() {
        return;
    }
    let dir = project("attach = [\"pdf\", \"epub\"]");
    let root = dir.path();
    ok(&run(root, &["build"]));
    let emls = [
        root.join("output/email/water-points.eml"),
        root.join("output/email/korea-brief.eml"),
    ];
    let first: Vec<Vec<u8>> = emls.iter().map(|p| std::fs::read(p).unwrap()).collect();
    ok(&run(root, &["build"]));
    for (path, bytes) in emls.iter().zip(&first) {
        assert_eq!(
            &std::fs::read(path).unwrap(),
            bytes,
            "{} differs between builds",
            path.display()
        );
        let raw = String::from_utf8(bytes.clone()).expect("messages are 7-bit text");
        assert!(raw.is_ascii());
        assert!(
            raw.split("\r\n").all(|l| l.len() <= 998),
            "line too long in {}",
            path.display()
        );
        assert!(
            !raw.replace("\r\n", "").contains('\n'),
            "bare LF in {}",
            path.display()
        );
    }

    for (report, slug) in inspect(root, &emls)
        .iter()
        .zip(["water-points", "korea-brief"])
    {
        assert_eq!(report["defects"], Value::Array(vec![]), "{report:#}");
        let h = &report["headers"];
        assert_eq!(h["from"], "Briefing desk <desk@example.org>");
        assert_eq!(h["reply-to"], "replies@example.org");
        // Three recipients: each gets its own copy (`brief send`), none
        // sees the others.
        assert_eq!(h["to"], "undisclosed-recipients:;");
        assert_eq!(
            h["message-id"],
            format!("<brief.{slug}@briefs.example.org>")
        );
        assert_eq!(report["format"], "flowed");
        assert_eq!(report["charset"], "utf-8");
        let txt = std::fs::read_to_string(root.join(format!("output/email/{slug}.txt"))).unwrap();
        let body = report["text"].as_str().unwrap();
        assert_eq!(
            unflow_lines(body),
            txt,
            "flowed body of {slug} is not the text edition"
        );
        // Read as RFC 3676 says, the words are the text edition's words.
        let joined = unflow_joined(body).join(" ");
        assert_eq!(
            joined.split_whitespace().collect::<Vec<_>>(),
            txt.split_whitespace().collect::<Vec<_>>()
        );
        let atts = report["attachments"].as_array().unwrap();
        assert_eq!(atts.len(), 2, "{report:#}");
        for (att, (folder, ext, mime)) in atts.iter().zip([
            ("pdf", "pdf", "application/pdf"),
            ("epub", "epub", "application/epub+zip"),
        ]) {
            let file = std::fs::read(root.join(format!("output/{folder}/{slug}.{ext}"))).unwrap();
            assert_eq!(att["sha256"], sha256(&file));
            assert_eq!(att["filename"], format!("{slug}.{ext}"));
            assert_eq!(att["type"], mime);
        }
    }
    let [en, ko] = &inspect(root, &emls)[..] else {
        panic!()
    };
    assert_eq!(
        en["headers"]["subject"],
        "Water points: what changed in March"
    );
    assert_eq!(en["headers"]["date"], "Tue, 04 Mar 2025 12:00:00 +0000");
    assert_eq!(
        ko["headers"]["subject"],
        "대한민국 아동 보호 브리핑: 3월 현황"
    );
    assert_eq!(ko["headers"]["date"], "Wed, 05 Mar 2025 00:30:00 +0000");
    assert_eq!(ko["cte"], "quoted-printable");
    let raw_ko = String::from_utf8(first[1].clone()).unwrap();
    assert!(
        raw_ko.contains("Subject: =?utf-8?"),
        "Korean subject not RFC 2047 encoded"
    );

    // Space-stuffing and soft breaks, seen in the decoded English body.
    let body = en["text"].as_str().unwrap();
    assert!(
        body.lines().any(|l| l.starts_with(" From the field")),
        "{body}"
    );
    assert!(body.lines().any(|l| l.starts_with(" > Quoted")), "{body}");
    assert!(
        body.lines()
            .any(|l| l.starts_with("  ") && l.trim() == "indented code line"),
        "{body}"
    );
    assert!(
        body.lines().filter(|l| l.ends_with(' ')).count() >= 2,
        "no soft breaks:\n{body}"
    );
    assert!(
        !body
            .lines()
            .any(|l| l.starts_with('>') || l.starts_with("From ")),
        "{body}"
    );
}

#[test]
fn sends_to_three_recipients_once_dry_run_first_and_reruns_send_nothing_new() {
    if !needs_aiosmtpd() {
        return;
    }
    let dir = project("attach = [\"pdf\"]\n");
    let root = dir.path();
    let smtp = Smtp::start(root);
    let config =
        std::fs::read_to_string(root.join("brief.toml")).unwrap() + &smtp_settings(smtp.port);
    std::fs::write(root.join("brief.toml"), config).unwrap();
    ok(&run(root, &["build"]));

    // Dry run: says who would get what, sends nothing, records nothing.
    let dry = ok(&run(root, &["send", "korea-brief"]));
    assert_eq!(
        dry.lines()
            .filter(|l| l.starts_with("would send: to "))
            .count(),
        3,
        "{dry}"
    );
    assert!(
        dry.contains("대한민국 아동 보호 브리핑: 3월 현황") && dry.contains("attachments: pdf"),
        "{dry}"
    );
    assert!(dry.contains("Bo Park <bo@example.net>"), "{dry}");
    assert!(smtp.received().is_empty());
    assert!(!root.join("output/sent.jsonl").exists());

    // --yes: three messages, one per recipient, as built.
    let out = ok(&run(root, &["send", "korea-brief", "--yes"]));
    assert_eq!(
        out.lines().filter(|l| l.starts_with("sent: ")).count(),
        3,
        "{out}"
    );
    let received = smtp.received();
    assert_eq!(received.len(), 3);
    let eml = root.join("output/email/korea-brief.eml");
    let built = std::fs::read(&eml).unwrap();
    let mut rcpts: Vec<String> = Vec::new();
    for (envelope, path) in &received {
        assert_eq!(envelope["mail_from"], "desk@example.org");
        rcpts.extend(
            envelope["rcpt_tos"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string()),
        );
        let got = std::fs::read(path).unwrap();
        let at = got
            .iter()
            .zip(&built)
            .position(|(a, b)| a != b)
            .unwrap_or(got.len().min(built.len()));
        assert!(
            got == built,
            "the server got other bytes than the built message: {} vs {} bytes, first difference at {at}: {:?} vs {:?}",
            got.len(),
            built.len(),
            String::from_utf8_lossy(&got[at.saturating_sub(40)..(at + 40).min(got.len())]),
            String::from_utf8_lossy(&built[at.saturating_sub(40)..(at + 40).min(built.len())])
        );
    }
    assert_eq!(
        rcpts,
        ["ana@example.org", "bo@example.net", "cy@example.com"]
    );
    let server_side: Vec<PathBuf> = received.iter().map(|(_, p)| p.clone()).collect();
    let txt = std::fs::read_to_string(root.join("output/email/korea-brief.txt")).unwrap();
    let pdf = std::fs::read(root.join("output/pdf/korea-brief.pdf")).unwrap();
    for report in inspect(root, &server_side) {
        assert_eq!(report["defects"], Value::Array(vec![]), "{report:#}");
        assert_eq!(
            report["headers"]["subject"],
            "대한민국 아동 보호 브리핑: 3월 현황"
        );
        assert_eq!(
            report["headers"]["message-id"],
            "<brief.korea-brief@briefs.example.org>"
        );
        assert_eq!(unflow_lines(report["text"].as_str().unwrap()), txt);
        assert_eq!(report["attachments"][0]["sha256"], sha256(&pdf));
    }
    let log = sent_log(root);
    assert_eq!(log.len(), 3);
    for record in &log {
        assert_eq!(
            record["message_id"],
            "<brief.korea-brief@briefs.example.org>"
        );
        assert!(
            record["reply"].as_str().unwrap().starts_with("250 "),
            "{record}"
        );
        assert!(record["time"].as_str().unwrap().ends_with('Z'));
        assert_eq!(record["sha256"], sha256(&built));
    }

    // A rerun sends nothing new; sending everything adds only the other post.
    let again = ok(&run(root, &["send", "korea-brief", "--yes"]));
    assert!(!again.contains("sent: "), "{again}");
    assert_eq!(smtp.received().len(), 3);
    let dry = ok(&run(root, &["send"]));
    assert_eq!(
        dry.lines()
            .filter(|l| l.starts_with("already sent: "))
            .count(),
        3,
        "{dry}"
    );
    assert_eq!(
        dry.lines()
            .filter(|l| l.starts_with("would send: "))
            .count(),
        3,
        "{dry}"
    );
    ok(&run(root, &["send", "--yes"]));
    assert_eq!(smtp.received().len(), 6);
    ok(&run(root, &["send", "--yes"]));
    assert_eq!(smtp.received().len(), 6);
    assert_eq!(sent_log(root).len(), 6);
}

#[test]
fn a_rejected_recipient_fails_alone_and_is_resent_exactly_once() {
    if !needs_aiosmtpd() {
        return;
    }
    let dir = project("");
    let root = dir.path();
    let smtp = Smtp::start(root);
    let config =
        std::fs::read_to_string(root.join("brief.toml")).unwrap() + &smtp_settings(smtp.port);
    std::fs::write(root.join("brief.toml"), config).unwrap();
    ok(&run(root, &["build", "--format", "email"]));

    smtp.reject("bo@example.net");
    let out = run(root, &["send", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr
            .matches("not sent to Bo Park <bo@example.net>")
            .count(),
        2,
        "{stderr}"
    );
    assert!(stderr.contains("550"), "{stderr}");
    assert_eq!(smtp.received().len(), 4);
    assert_eq!(sent_log(root).len(), 4);

    // Single-part messages arrive exactly as built, their text intact.
    let (_, first) = &smtp.received()[0];
    let slug = if std::fs::read(first).unwrap()
        == std::fs::read(root.join("output/email/korea-brief.eml")).unwrap()
    {
        "korea-brief"
    } else {
        "water-points"
    };
    assert_eq!(
        std::fs::read(first).unwrap(),
        std::fs::read(root.join(format!("output/email/{slug}.eml"))).unwrap()
    );
    let report = &inspect(root, &[first.clone()])[0];
    assert_eq!(report["defects"], Value::Array(vec![]), "{report:#}");
    let txt = std::fs::read_to_string(root.join(format!("output/email/{slug}.txt"))).unwrap();
    assert_eq!(unflow_lines(report["text"].as_str().unwrap()), txt);

    smtp.accept_all();
    let out = ok(&run(root, &["send", "--yes"]));
    assert_eq!(
        out.lines().filter(|l| l.starts_with("sent: ")).count(),
        2,
        "{out}"
    );
    let received = smtp.received();
    assert_eq!(received.len(), 6);
    for (envelope, _) in &received[4..] {
        assert_eq!(envelope["rcpt_tos"], serde_json::json!(["bo@example.net"]));
    }
    ok(&run(root, &["send", "--yes"]));
    assert_eq!(smtp.received().len(), 6);
}

#[test]
fn a_server_that_is_down_fails_every_delivery_records_nothing_and_a_rerun_sends_all() {
    if !needs_aiosmtpd() {
        return;
    }
    let dir = project("");
    let root = dir.path();
    let closed = free_port();
    let config = std::fs::read_to_string(root.join("brief.toml")).unwrap() + &smtp_settings(closed);
    std::fs::write(root.join("brief.toml"), config).unwrap();
    ok(&run(root, &["build", "--format", "email"]));
    let out = run(root, &["send", "korea-brief", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("not sent to ").count(), 3, "{stderr}");
    assert!(stderr.contains("0 sent, 3 failed"), "{stderr}");
    assert!(sent_log(root).is_empty());

    let smtp = Smtp::start(root);
    set_port(root, smtp.port);
    ok(&run(root, &["send", "korea-brief", "--yes"]));
    assert_eq!(smtp.received().len(), 3);
}

#[test]
fn the_limit_per_run_bounds_each_run() {
    if !needs_aiosmtpd() {
        return;
    }
    let dir = project("limit = 2\n");
    let root = dir.path();
    let smtp = Smtp::start(root);
    let config =
        std::fs::read_to_string(root.join("brief.toml")).unwrap() + &smtp_settings(smtp.port);
    std::fs::write(root.join("brief.toml"), config).unwrap();
    ok(&run(root, &["build", "--format", "email"]));
    let out = run(root, &["send", "--yes"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("4 left for the next run"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(smtp.received().len(), 2);
    for expected in [4, 6, 6] {
        ok(&run(root, &["send", "--yes"]));
        assert_eq!(smtp.received().len(), expected);
    }
}

#[test]
fn unsafe_or_incomplete_send_settings_stop_before_any_connection() {
    // No server needed: each case must fail with exit 2 before connecting.
    let cases = [
        (
            "host = \"smtp.example.org\"\ntls = \"none\"\n",
            "is refused",
            "build",
        ),
        (
            "host = \"127.0.0.1\"\nport = 9\ntls = \"none\"\nuser = \"desk\"\n",
            "BRIEF_SMTP_PASSWORD",
            "send",
        ),
        ("password_file = \"secret.txt\"\n", "unknown field", "build"),
        ("attach = [\"docx\"]\n", "unknown edition", "build"),
    ];
    for (settings, expected, command) in cases {
        let dir = project(settings);
        if command == "send" {
            ok(&run(dir.path(), &["build", "--format", "email"]));
        }
        let out = run(
            dir.path(),
            &[command, "--yes"][..if command == "send" { 2 } else { 1 }],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{settings}: {stderr}");
        assert!(stderr.contains(expected), "{settings}: {stderr}");
        assert!(!dir.path().join("output/sent.jsonl").exists());
    }
}

#[test]
fn a_title_with_a_newline_never_adds_a_header() {
    let dir = project("");
    let post = "---\ntitle: \"Brief\\r\\nBcc: victim@example.org\\nX-Injected: yes\"\ndate: 2025-03-01\nslug: hostile\n---\n\nBody.\n";
    std::fs::write(dir.path().join("content/hostile.md"), post).unwrap();
    ok(&run(dir.path(), &["build", "--format", "email"]));
    let eml = std::fs::read_to_string(dir.path().join("output/email/hostile.eml")).unwrap();
    let head = eml.split("\r\n\r\n").next().unwrap();
    for line in head.split("\r\n") {
        assert!(
            !line.starts_with("Bcc") && !line.starts_with("X-Injected"),
            "header added: {line}\n{head}"
        );
    }
    assert!(
        head.contains("Subject: Brief Bcc: victim@example.org X-Injected: yes"),
        "{head}"
    );
}

#[test]
fn summary_mode_sends_title_date_summary_key_points_and_link() {
    let dir = project("");
    let root = dir.path();
    ok(&run(root, &["build", "--format", "email", "--summary"]));
    let eml = root.join("output/email/water-points.eml");
    let raw = std::fs::read_to_string(&eml).unwrap();
    let body = raw.split_once("\r\n\r\n").unwrap().1;
    let text = unflow_lines(&decode_qp(body));
    assert!(
        text.starts_with("Water points: what changed in March\n===="),
        "{text}"
    );
    assert!(text.contains("4 March 2025"), "{text}");
    // Key points are the sections' first sentences (the first item of a
    // section that is a list), never bare headings.
    assert!(
        text.contains("Key points\n\n- Pumps in the north, with a long description")
            && text.contains("- See the dashboard and the note below.\n"),
        "{text}"
    );
    assert!(!text.contains("- Repairs\n"), "{text}");
    assert!(
        text.contains("Read the full brief:\nhttps://briefs.example.org/b/water-points\n"),
        "{text}"
    );
    assert!(text.contains("From the field"), "{text}");
    assert!(!text.contains("indented code line"), "{text}");
    let ko = std::fs::read_to_string(root.join("output/email/korea-brief.eml")).unwrap();
    let ko = unflow_lines(&decode_qp(ko.split_once("\r\n\r\n").unwrap().1));
    assert!(
        ko.contains("3월 현황 요약입니다.")
            && ko.contains("- 현장 팀은 보호 시설의 수용 능력이 늘어났다고 보고했습니다.")
            && !ko.contains("- 주요 변화\n"),
        "{ko}"
    );
    // Without --summary the full text comes back.
    ok(&run(root, &["build", "--format", "email"]));
    let full = std::fs::read_to_string(&eml).unwrap();
    assert!(full.contains("indented code line"));
    if needs_aiosmtpd() {
        ok(&run(root, &["build", "--format", "email", "--summary"]));
        for report in inspect(root, &[eml]) {
            assert_eq!(report["defects"], Value::Array(vec![]), "{report:#}");
        }
    }
}

/// Minimal quoted-printable decoding for the tests that do not need Python.
fn decode_qp(body: &str) -> String {
    quoted_printable(body).replace("\r\n", "\n")
}

#[test]
fn a_packet_goes_to_three_recipients_each_with_their_own_copy() {
    if !needs_aiosmtpd() {
        return;
    }
    let dir = project("attach = [\"pdf\"]\n");
    let root = dir.path();
    let smtp = Smtp::start(root);
    let config = std::fs::read_to_string(root.join("brief.toml")).unwrap()
        + &smtp_settings(smtp.port)
        + "\n[email.contacts]\n\"Embassy of Example\" = \"consular@embassy.example\"\n\
           \"Delegation to the Council\" = \"Council Desk <desk@council.example>\"\n\
           \"Mission Office\" = \"mission@office.example\"\n\n\
           [[packet]]\nname = \"march\"\ntitle = \"3월 브리핑 묶음\"\ndate = \"2025-03-06\"\n\
           briefs = [\"water-points\", \"korea-brief\"]\n\
           recipients = [\"Embassy of Example\", \"Delegation to the Council\", \"Mission Office\"]\n";
    std::fs::write(root.join("brief.toml"), config).unwrap();
    ok(&run(root, &["build"]));
    let files = files_under(&root.join("output/packets"));
    for f in [
        "march.eml",
        "march/embassy-of-example.eml",
        "march/delegation-to-the-council.eml",
        "march/mission-office.eml",
    ] {
        assert!(files.contains(&f.to_string()), "{f} missing: {files:?}");
    }

    let dry = ok(&run(root, &["send", "--packet", "march"]));
    assert_eq!(
        dry.lines()
            .filter(|l| l.starts_with("would send: "))
            .count(),
        3,
        "{dry}"
    );
    assert!(smtp.received().is_empty());
    ok(&run(root, &["send", "--packet", "march", "--yes"]));
    let received = smtp.received();
    assert_eq!(received.len(), 3);
    let rcpts: Vec<&str> = received
        .iter()
        .map(|(e, _)| e["rcpt_tos"][0].as_str().unwrap())
        .collect();
    assert_eq!(
        rcpts,
        [
            "consular@embassy.example",
            "desk@council.example",
            "mission@office.example"
        ]
    );

    let digest = std::fs::read_to_string(root.join("output/packets/march.txt")).unwrap();
    let paths: Vec<PathBuf> = received.iter().map(|(_, p)| p.clone()).collect();
    let reports = inspect(root, &paths);
    let to = [
        "Embassy of Example <consular@embassy.example>",
        "Council Desk <desk@council.example>",
        "Mission Office <mission@office.example>",
    ];
    for (i, report) in reports.iter().enumerate() {
        assert_eq!(report["defects"], Value::Array(vec![]), "{report:#}");
        assert_eq!(report["headers"]["subject"], "3월 브리핑 묶음");
        assert_eq!(unflow_lines(report["text"].as_str().unwrap()), digest);
        let slug = [
            "embassy-of-example",
            "delegation-to-the-council",
            "mission-office",
        ][i];
        let pdf = std::fs::read(root.join(format!("output/packets/march/{slug}.pdf"))).unwrap();
        assert_eq!(
            report["attachments"][0]["sha256"],
            sha256(&pdf),
            "{slug} got another copy"
        );
        assert_eq!(
            report["headers"]["message-id"],
            format!("<packet.march.{slug}@briefs.example.org>")
        );
        assert_eq!(report["headers"]["to"], to[i]);
        let built = std::fs::read(root.join(format!("output/packets/march/{slug}.eml"))).unwrap();
        assert_eq!(std::fs::read(&paths[i]).unwrap(), built);
    }
    ok(&run(root, &["send", "--packet", "march", "--yes"]));
    assert_eq!(smtp.received().len(), 3, "a rerun sent again");
    // Every built message parses cleanly, the general one included.
    let all: Vec<PathBuf> = files_under(&root.join("output"))
        .into_iter()
        .filter(|f| f.ends_with(".eml"))
        .map(|f| root.join("output").join(f))
        .collect();
    assert_eq!(all.len(), 6, "{all:?}");
    for report in inspect(root, &all) {
        assert_eq!(report["defects"], Value::Array(vec![]), "{report:#}");
    }
}
