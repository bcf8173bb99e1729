//! Packets as official papers (issue 19), through the real binary: the
//! shipped sample packet read page by page (`pdftotext -f N -l N`), the
//! marking of a marked post in every edition, recipients as records with
//! numbered copies and their own letters, and `brief send --packet`
//! against a real SMTP server, skipping a recipient with no address.
//!
//! Needs `pdftotext`/`pdfinfo` and python3 with aiosmtpd (`.ci/run`
//! installs them): under `CI=true` a missing one fails, else skips.

mod common;

use common::pdf_pages as pages;
use common::smtp::{Smtp, needs_aiosmtpd};
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MARKING: &str = "FOR OFFICIAL USE";

fn pdf_tools() -> bool {
    tool("pdftotext", &["-v"]) && tool("pdfinfo", &["-v"])
}

fn info_field(pdf: &Path, name: &str) -> String {
    let info = Command::new("pdfinfo").arg(pdf).output().unwrap();
    String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

/// Page `n` (1-based) as `pdftotext -f n -l n` reads it.
fn page(pdf: &Path, n: usize) -> String {
    let out = Command::new("pdftotext")
        .args(["-f", &n.to_string(), "-l", &n.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn lines(page: &str) -> Vec<&str> {
    page.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The shipped sample project, copied so the build writes elsewhere.
fn sample() -> tempfile::TempDir {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo.join("brief.toml"), dir.path().join("brief.toml")).unwrap();
    copy_tree(&repo.join("content"), &dir.path().join("content"));
    copy_tree(&repo.join("letters"), &dir.path().join("letters"));
    dir
}

/// The contents page's entries: (title, page) from lines ending in a
/// page number after dot leaders.
fn contents_entries(page: &str) -> Vec<(String, usize)> {
    page.lines()
        .filter(|l| l.contains(" . "))
        .filter_map(|l| {
            let title = l.split(" . ").next()?.trim().to_string();
            let n = l.rsplit(' ').next()?.trim().parse().ok()?;
            Some((title, n))
        })
        .collect()
}

#[test]
fn the_sample_packet_reads_as_an_official_paper_page_by_page() {
    if !pdf_tools() {
        return;
    }
    let dir = sample();
    ok(&run_in(dir.path(), &["build"]));
    let folder = dir.path().join("output/packets/oversight-briefing");
    let copies = [
        (
            "embassy-of-example.pdf",
            1,
            "Embassy of Example",
            "Your Excellency,",
        ),
        (
            "delegation-to-the-example-council-copy-1.pdf",
            2,
            "Delegation to the Example Council",
            "Excellencies,",
        ),
        (
            "delegation-to-the-example-council-copy-2.pdf",
            3,
            "Delegation to the Example Council",
            "Excellencies,",
        ),
    ];
    let general = dir.path().join("output/packets/oversight-briefing.pdf");
    for pdf in std::iter::once(general.clone()).chain(copies.iter().map(|c| folder.join(c.0))) {
        let all = pages(&pdf);
        let n = all.len();
        assert!(n >= 7, "{}: {n} pages", pdf.display());
        // The marking is the first and the last line of every page.
        for (i, text) in all.iter().enumerate() {
            let l = lines(text);
            assert_eq!(
                (l.first().copied(), l.last().copied()),
                (Some(MARKING), Some(MARKING)),
                "{} page {}:\n{text}",
                pdf.display(),
                i + 1
            );
        }
        // Cover: title, date, reference; the tool's version only on the
        // Integrity page.
        let cover = &all[0];
        assert!(
            cover.contains("International Oversight of Child"),
            "{cover}"
        );
        assert!(cover.contains("2 September 2025") && cover.contains("BO/2025/014"));
        let version = format!("brief {}", env!("CARGO_PKG_VERSION"));
        assert!(
            !cover.contains(&version) && !cover.contains("1 brief"),
            "{cover}"
        );
        assert!(all[n - 1].contains("Integrity") && all[n - 1].contains(&version));
        // Letter: dated, signed, not headed "Cover letter".
        let letter = &all[1];
        assert!(letter.contains("2 September 2025") && letter.contains("Jane Doe"));
        assert!(letter.contains("Director, Briefing Office"));
        assert!(!letter.contains("Cover letter"), "{letter}");
        // Contents: each entry names the page it is on.
        let contents = &all[2];
        assert!(contents.contains("Contents") && contents.contains("APPENDICES"));
        let entries = contents_entries(contents);
        assert!(entries.len() >= 4, "{entries:?}");
        for (title, at) in &entries {
            let target = all[*at - 1]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            assert!(
                target.contains(title.as_str()),
                "{}: contents say {title:?} is on page {at}:\n{target}",
                pdf.display()
            );
        }
        assert!(contents.contains("1."), "briefs are numbered: {contents}");
    }
    // The general copy is addressed to no one and numbered nowhere.
    let all = pages(&general);
    assert!(
        all.iter()
            .all(|p| !p.contains("Copy ") && !p.contains("Prepared for"))
    );
    assert!(lines(&all[1]).iter().any(|l| *l == "Excellencies,"));
    // Each addressed copy: "Copy n of 3 · Prepared for X" on every page,
    // in its metadata, and its own salutation.
    for (file, n, name, salutation) in copies {
        let pdf = folder.join(file);
        let line = format!("Copy {n} of 3 · Prepared for {name}");
        for (i, text) in pages(&pdf).iter().enumerate() {
            assert!(
                text.contains(&line),
                "{file} page {}: no {line:?}:\n{text}",
                i + 1
            );
        }
        assert_eq!(info_field(&pdf, "Subject"), line);
        assert!(info_field(&pdf, "Keywords").contains(&line));
        let letter = page(&pdf, 2);
        assert!(lines(&letter).contains(&salutation), "{file}: {letter}");
        assert!(
            letter.contains(name),
            "{file}: the letter names its addressee"
        );
    }
    assert!(page(&folder.join(copies[0].0), 2).contains("1 Example Road"));
}

/// A project with one marked post.
fn marked_project(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    let mut body = String::from(
        "---\ntitle: A marked brief\ndate: 2025-03-04\nslug: marked\nmarking: For official use\n---\n\n",
    );
    for i in 0..40 {
        body.push_str(&format!(
            "## Section {i}\n\nParagraph {i} of the marked brief, long enough to fill the page with text so that the brief runs over several pages of the PDF.\n\n"
        ));
    }
    std::fs::write(dir.path().join("content/marked.md"), body).unwrap();
    std::fs::write(
        dir.path().join("brief.toml"),
        format!("[project]\norganisation = \"Office\"\n{extra}"),
    )
    .unwrap();
    dir
}

#[test]
fn a_marked_post_prints_its_marking_top_and_bottom_of_every_pdf_page() {
    if !pdf_tools() {
        return;
    }
    let dir = marked_project("");
    ok(&run_in(dir.path(), &["build", "--format", "pdf"]));
    let pdf = dir.path().join("output/pdf/marked.pdf");
    let all = pages(&pdf);
    assert!(all.len() >= 2, "the test needs several pages");
    for (i, text) in all.iter().enumerate() {
        let l = lines(text);
        assert_eq!(
            (l.first().copied(), l.last().copied()),
            (Some(MARKING), Some(MARKING)),
            "page {}:\n{text}",
            i + 1
        );
    }
}

#[test]
fn a_marked_post_carries_its_marking_on_the_epub_title_page_and_chapter_heads() {
    let dir = marked_project("[epub]\nsplit_chars = 2000\n");
    ok(&run_in(dir.path(), &["build", "--format", "epub"]));
    let bytes = std::fs::read(dir.path().join("output/epub/marked.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    let mut chapters = 0;
    for name in names.iter().filter(|n| n.ends_with(".xhtml")) {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
        let is_title = name.ends_with("title.xhtml");
        let is_chapter = name.contains("chapter-");
        if is_title || is_chapter {
            chapters += usize::from(is_chapter);
            assert!(
                text.contains(&format!("<p class=\"marking\">{MARKING}</p>")),
                "{name} lacks the marking"
            );
        }
    }
    assert!(chapters >= 2, "the test needs several chapters: {names:?}");
}

#[test]
fn a_marked_post_has_its_marking_as_the_first_and_last_line_of_the_text_edition() {
    let dir = marked_project("");
    ok(&run_in(dir.path(), &["build", "--format", "email"]));
    let text = std::fs::read_to_string(dir.path().join("output/email/marked.txt")).unwrap();
    let l: Vec<&str> = text.lines().collect();
    assert_eq!(l.first(), Some(&MARKING), "{text}");
    assert_eq!(l.last(), Some(&MARKING), "{text}");
}

/// Subject and plain-text body of each message, by Python's `email`.
fn read_messages(dir: &Path, files: &[PathBuf]) -> Vec<(String, String)> {
    let script = "import email, json, sys\nfrom email import policy\nout = []\nfor p in sys.argv[1:]:\n    m = email.message_from_bytes(open(p, 'rb').read(), policy=policy.default)\n    b = m.get_body(preferencelist=('plain',))\n    out.append([str(m['subject']), b.get_content().replace('\\r\\n', '\\n') if b is not None else ''])\nprint(json.dumps(out))\n";
    let path = dir.join("read_messages.py");
    std::fs::write(&path, script).unwrap();
    let out = Command::new("python3")
        .arg(&path)
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_marked_post_carries_its_marking_in_the_message_subject_when_configured() {
    if !needs_aiosmtpd() {
        return;
    }
    let dir = marked_project(
        "\n[email]\nfrom = \"desk@example.org\"\nto = [\"ana@example.org\"]\nsubject_marking = true\n",
    );
    ok(&run_in(dir.path(), &["build", "--format", "email"]));
    let eml = dir.path().join("output/email/marked.eml");
    let messages = read_messages(dir.path(), &[eml]);
    assert_eq!(messages[0].0, "[FOR OFFICIAL USE] A marked brief");
    // Off by default: the Subject is the title.
    let plain =
        marked_project("\n[email]\nfrom = \"desk@example.org\"\nto = [\"ana@example.org\"]\n");
    ok(&run_in(plain.path(), &["build", "--format", "email"]));
    let eml = plain.path().join("output/email/marked.eml");
    assert_eq!(read_messages(plain.path(), &[eml])[0].0, "A marked brief");
}

const POST: &str = "---\ntitle: Water points\ndate: 2025-03-04\nslug: water\n---\n\nThe district teams report that most water points work again.\n";

const LETTER: &str = "{{ recipient.salutation or \"Excellencies\" }},\n\nWe enclose our briefing for {{ recipient.name }}, dated {{ date }}.\n\nWith our highest consideration,\n";

fn records_project(smtp_port: u16) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::create_dir_all(root.join("letters")).unwrap();
    std::fs::write(root.join("content/water.md"), POST).unwrap();
    std::fs::write(root.join("letters/cover.md"), LETTER).unwrap();
    let config = format!(
        r#"[project]
organisation = "Briefing Office"

[project.signatory]
name = "Jane Doe"
title = "Director"

[email]
from = "Briefing desk <desk@example.org>"
to = ["office@example.org"]
domain = "example.org"
attach = ["pdf"]
host = "127.0.0.1"
port = {smtp_port}
tls = "none"
pause_ms = 0

[[packet]]
name = "march"
title = "March briefing"
date = "2025-03-06"
briefs = ["water"]
cover_letter = "letters/cover.md"

[[packet.recipient]]
name = "Embassy of Atlantis"
salutation = "Your Excellency"
email = "consular@atlantis.example"
copies = 2

[[packet.recipient]]
name = "Delegation of Ruritania"
salutation = "Dear Ambassador"
email = "Desk <desk@ruritania.example>"

[[packet.recipient]]
name = "Mission to Elbonia"
salutation = "Dear Colleagues"
email = "mission@elbonia.example"

[[packet]]
name = "april"
title = "April briefing"
date = "2025-04-06"
briefs = ["water"]
cover_letter = "letters/cover.md"

[[packet.recipient]]
name = "Embassy of Atlantis"
salutation = "Your Excellency"
email = "consular@atlantis.example"

[[packet.recipient]]
name = "Office Without Mail"
salutation = "Dear Friends"
"#
    );
    std::fs::write(root.join("brief.toml"), config).unwrap();
    dir
}

#[test]
fn three_recipient_records_get_four_numbered_copies_their_letters_and_messages() {
    if !pdf_tools() || !needs_aiosmtpd() {
        return;
    }
    let staging = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(staging.path());
    let dir = records_project(smtp.port);
    let root = dir.path();
    let stderr = ok(&run_in(root, &["build"]));
    assert!(
        stderr.contains("Office Without Mail"),
        "the build warns about the recipient without an address: {stderr}"
    );
    let folder = root.join("output/packets/march");
    let copies = [
        (
            "embassy-of-atlantis-copy-1.pdf",
            1,
            "Embassy of Atlantis",
            "Your Excellency,",
        ),
        (
            "embassy-of-atlantis-copy-2.pdf",
            2,
            "Embassy of Atlantis",
            "Your Excellency,",
        ),
        (
            "delegation-of-ruritania.pdf",
            3,
            "Delegation of Ruritania",
            "Dear Ambassador,",
        ),
        (
            "mission-to-elbonia.pdf",
            4,
            "Mission to Elbonia",
            "Dear Colleagues,",
        ),
    ];
    let pdfs: Vec<String> = files_under(&folder)
        .into_iter()
        .filter(|f| f.ends_with(".pdf"))
        .collect();
    assert_eq!(pdfs.len(), 4, "{pdfs:?}");
    assert!(
        root.join("output/packets/march.pdf").is_file(),
        "the general copy"
    );
    for (file, n, name, salutation) in copies {
        let pdf = folder.join(file);
        let line = format!("Copy {n} of 4 · Prepared for {name}");
        for (i, text) in pages(&pdf).iter().enumerate() {
            assert!(text.contains(&line), "{file} page {}: {text}", i + 1);
        }
        let letter = page(&pdf, 2);
        assert!(lines(&letter).contains(&salutation), "{file}: {letter}");
        assert!(
            letter.contains(&format!("for {name}, dated 6 March 2025")),
            "{letter}"
        );
        assert!(letter.contains("Jane Doe"), "signed: {letter}");
    }

    ok(&run_in(root, &["send", "--packet", "march", "--yes"]));
    let received = smtp.received();
    assert_eq!(received.len(), 3, "one message per recipient");
    let rcpts: Vec<&str> = received
        .iter()
        .map(|(e, _)| e["rcpt_tos"][0].as_str().unwrap())
        .collect();
    assert_eq!(
        rcpts,
        [
            "consular@atlantis.example",
            "desk@ruritania.example",
            "mission@elbonia.example"
        ]
    );
    let files: Vec<PathBuf> = received.iter().map(|(_, p)| p.clone()).collect();
    let messages = read_messages(root, &files);
    for ((subject, body), salutation) in
        messages
            .iter()
            .zip(["Your Excellency,", "Dear Ambassador,", "Dear Colleagues,"])
    {
        assert_eq!(subject, "March briefing");
        assert!(
            body.starts_with(salutation),
            "the body opens with {salutation:?}:\n{body}"
        );
        let letter_at = body.find("With our highest consideration").unwrap();
        let signed_at = body.find("Jane Doe").unwrap();
        let digest_at = body.find("March briefing\n===").unwrap();
        assert!(
            letter_at < signed_at && signed_at < digest_at,
            "letter, signature, digest:\n{body}"
        );
        assert!(
            !body.contains("Read online"),
            "no base_url, no link:\n{body}"
        );
    }

    // A recipient with no address is reported and skipped; the other
    // message is sent, and the run exits 1.
    let out = run_in(root, &["send", "--packet", "april", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Office Without Mail") && stderr.contains("no e-mail address"),
        "{stderr}"
    );
    let received = smtp.received();
    assert_eq!(received.len(), 4, "the April message to Atlantis was sent");
    let last = read_messages(root, &[received[3].1.clone()]);
    assert!(last[0].1.starts_with("Your Excellency,"));
}

#[test]
fn a_letter_template_error_names_the_file_and_line_and_fails_that_packet_alone() {
    let dir = records_project(25);
    std::fs::write(
        dir.path().join("letters/cover.md"),
        "Dear friends,\n\n{{ recipient.nmae }} is misspelt.\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["build", "--format", "email"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cover letter template"), "{stderr}");
    assert!(stderr.contains("cover.md:3"), "file and line: {stderr}");
    assert!(
        dir.path().join("output/email/water.txt").is_file(),
        "the post is still built"
    );
}

/// A tiny PNG of one colour, written here (no image library).
fn png(w: u32, h: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend(kind);
        out.extend(data);
        out.extend(crc32(&out[start..]).to_be_bytes());
    }
    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = 0xffff_ffffu32;
        for b in bytes {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    // Stored (uncompressed) deflate blocks: a valid zlib stream.
    let mut raw = Vec::new();
    for _ in 0..h {
        raw.push(0u8);
        for _ in 0..w {
            raw.extend([40u8, 60, 90]);
        }
    }
    let mut z = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, c) in chunks.iter().enumerate() {
        z.push(u8::from(i + 1 == chunks.len()));
        z.extend((c.len() as u16).to_le_bytes());
        z.extend((!(c.len() as u16)).to_le_bytes());
        z.extend(*c);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for x in &raw {
        a = (a + u32::from(*x)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend(((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[test]
fn the_letterhead_logo_and_the_signature_image_are_printed_from_the_project() {
    if !pdf_tools() || !tool("pdfimages", &["-v"]) {
        return;
    }
    let dir = records_project(25);
    let root = dir.path();
    std::fs::create_dir_all(root.join("images")).unwrap();
    std::fs::write(root.join("images/logo.png"), png(120, 40)).unwrap();
    std::fs::write(root.join("images/signature.png"), png(160, 40)).unwrap();
    let config = std::fs::read_to_string(root.join("brief.toml"))
        .unwrap()
        .replacen(
            "organisation = \"Briefing Office\"\n",
            "organisation = \"Briefing Office\"\nlogo = \"images/logo.png\"\n",
            1,
        )
        .replacen(
            "title = \"Director\"\n",
            "title = \"Director\"\nimage = \"images/signature.png\"\n",
            1,
        );
    std::fs::write(root.join("brief.toml"), config).unwrap();
    let stderr = ok(&run_in(root, &["build", "--format", "pdf"]));
    assert!(!stderr.contains("not embedded"), "{stderr}");
    let list = Command::new("pdfimages")
        .arg("-list")
        .arg(root.join("output/packets/march/mission-to-elbonia.pdf"))
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&list.stdout);
    let pages: Vec<&str> = list
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        pages,
        ["1", "2"],
        "logo on the cover, signature on the letter:\n{list}"
    );
}

/// With hyphenation on, `bench/word_survival.py` still finds every word of
/// the sample in its PDF and in the packet (`pdftotext` joins a word
/// hyphenated at a line end): the score stays at least 0.999.
#[test]
fn hyphenation_keeps_every_word_of_the_sample_for_pdftotext() {
    let Some(shared) = shared() else { return };
    if !pdf_tools() {
        return;
    }
    let dir = sample();
    ok(&run_in(dir.path(), &["build", "--format", "pdf"]));
    let slug = "the-case-for-international-oversight-of-korean-child-trafficking-networks";
    let out = dir.path().join("output");
    let run = Command::new("python3")
        .arg(shared.join("bench/word_survival.py"))
        .arg(dir.path().join(format!("content/{slug}.md")))
        .arg(out.join(format!("pdf/{slug}.pdf")))
        .arg(out.join("packets/oversight-briefing.pdf"))
        .arg(out.join("packets/oversight-briefing/embassy-of-example.pdf"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let scores: Vec<serde_json::Value> = String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(scores.len(), 3);
    for s in &scores {
        let score = s["score"].as_f64().unwrap();
        assert!(
            score >= 0.999,
            "{}: {score} ({:?})",
            s["output"],
            s["missing_sample"]
        );
    }
}
