//! A recipient's `lang` chooses the language of its own copy, through the
//! real binary: a packet in English to a Korean and a French recipient.
//! Each addressed PDF prints its fixed words (cover, "Prepared for",
//! "Copy n of N", contents, Sources and Integrity, page footers) in its
//! recipient's language, each recipient's message its fixed lines; the
//! general copy and the digest keep the packet's; the briefs keep their
//! own text. A change of one recipient's `lang` makes again only its copy
//! and its message.

mod common;

use std::path::Path;

use common::pdf_text as text_of;
use common::{copy_tree, quoted_printable, run_in, tool};

const SLUG: &str = "the-case-for-international-oversight-of-korean-child-trafficking-networks";

fn toml(ko_lang: &str) -> String {
    format!(
        "[project]\norganisation = \"Briefing Office\"\nlang = \"en\"\nbase_url = \"https://example.org/briefs\"\n\n\
         [project.signatory]\nname = \"Jane Doe\"\n\n\
         [email]\nfrom = \"Desk <desk@example.org>\"\n\n\
         [[packet]]\nname = \"p\"\ntitle = \"Oversight\"\ndate = \"2025-09-02\"\nbriefs = [\"{SLUG}\"]\ncover_letter = \"letters/cover.md\"\nref = \"BO/1\"\n\n\
         [[packet.recipient]]\nname = \"Ministry of Foreign Affairs\"\nemail = \"mofa@example.kr\"\nlang = \"{ko_lang}\"\n\n\
         [[packet.recipient]]\nname = \"Ambassade de France\"\nemail = \"amb@example.fr\"\nlang = \"fr\"\ncopies = 2\n"
    )
}

fn project(toml: &str) -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    copy_tree(&root.join("content"), &work.path().join("content"));
    copy_tree(&root.join("letters"), &work.path().join("letters"));
    std::fs::write(work.path().join("brief.toml"), toml).unwrap();
    work
}

fn build(dir: &Path) -> String {
    let out = run_in(dir, &["build", "--format", "pdf,email"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    stderr
}

/// A single-part message's body, quoted-printable decoded.
fn body_of(eml: &Path) -> String {
    let eml = std::fs::read_to_string(eml).unwrap();
    let (head, body) = eml.split_once("\r\n\r\n").unwrap();
    assert!(head.contains("text/plain"), "{head}");
    quoted_printable(body).replace("\r\n", "\n")
}

/// The words not found in `text`, compared without spaces and case: the
/// cover's letter-spaced capitals ("P R É PA R É  P O U R") read back
/// spaced out.
fn missing(text: &str, words: &[&str]) -> Vec<String> {
    let squeezed = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect()
    };
    let text = squeezed(text);
    words
        .iter()
        .filter(|w| !text.contains(&squeezed(w)))
        .map(|w| w.to_string())
        .collect()
}

#[test]
fn each_recipient_gets_its_copy_and_message_in_its_language() {
    if !tool("pdftotext", &["-v"]) {
        return;
    }
    let work = project(&toml("ko"));
    build(work.path());
    let out = work.path().join("output/packets");

    let ko = text_of(&out.join("p/ministry-of-foreign-affairs.pdf"));
    let m = missing(
        &ko,
        &[
            "브리핑 자료집",  // the cover's kicker
            "수신",           // "Prepared for"
            "3부 중 제1부",   // "Copy 1 of 3"
            "2025년 9월 2일", // the cover's date
            "차례",           // the contents
            "부록",           // "Appendices"
            "출처",           // Sources
            "무결성",         // Integrity
            "원본 파일",      // its rows
            "쪽 중 2쪽",      // "Page 2 of N"
            "브리핑 1/1",     // each brief's kicker
        ],
    );
    assert!(m.is_empty(), "Korean copy lacks {m:?}:\n{ko}");
    // The brief itself stays English, with its own notes heading.
    assert!(ko.contains("The Case for International Oversight"), "{ko}");
    for english in [
        "Briefing packet",
        "Prepared for",
        "Copy 1 of",
        "Contents",
        "Page 2 of",
    ] {
        assert!(!ko.contains(english), "{english:?} in the Korean copy");
    }

    for (k, file) in [
        "ambassade-de-france-copy-1.pdf",
        "ambassade-de-france-copy-2.pdf",
    ]
    .iter()
    .enumerate()
    {
        let fr = text_of(&out.join("p").join(file));
        let copy = format!("Exemplaire {} sur 3", k + 2);
        let m = missing(
            &fr,
            &[
                "Dossier d’information",
                "Préparé pour",
                &copy,
                "2 septembre 2025",
                "Sommaire",
                "Annexes",
                "Intégrité",
                "Fichier source",
                "Page 2 sur",
                "Note 1 sur 1",
            ],
        );
        assert!(m.is_empty(), "French copy {file} lacks {m:?}:\n{fr}");
        assert!(
            !fr.contains("Contents") && !fr.contains("Prepared for"),
            "{fr}"
        );
    }

    // The general copy keeps the packet's language (the project's, "en").
    let general = text_of(&out.join("p.pdf"));
    let m = missing(
        &general,
        &[
            "Briefing packet",
            "2 September 2025",
            "Contents",
            "Sources",
            "Integrity",
            "Page 2 of",
        ],
    );
    assert!(m.is_empty(), "general copy lacks {m:?}");
    assert!(!general.contains("차례") && !general.contains("Sommaire"));

    // The messages: the letter (its date in the recipient's language),
    // then the digest's fixed lines in it; the brief's summary is its own
    // English text.
    let ko_mail = body_of(&out.join("p/ministry-of-foreign-affairs.eml"));
    let m = missing(
        &ko_mail,
        &[
            "2025년 9월 2일",
            "브리핑 1건:",
            "요점",
            "출처",
            "온라인으로 읽기:",
        ],
    );
    assert!(m.is_empty(), "Korean message lacks {m:?}:\n{ko_mail}");
    for english in ["1 brief:", "Key points", "Read online:"] {
        assert!(
            !ko_mail.contains(english),
            "{english:?} in the Korean message"
        );
    }
    let fr_mail = body_of(&out.join("p/ambassade-de-france.eml"));
    let m = missing(
        &fr_mail,
        &[
            "2 septembre 2025",
            "1 note:",
            "Points clés",
            "Lire en ligne :",
        ],
    );
    assert!(m.is_empty(), "French message lacks {m:?}:\n{fr_mail}");
    let general_mail = body_of(&out.join("p.eml"));
    let m = missing(&general_mail, &["1 brief:", "Key points", "Read online:"]);
    assert!(m.is_empty(), "general message lacks {m:?}:\n{general_mail}");
    let digest = std::fs::read_to_string(out.join("p.txt")).unwrap();
    assert!(
        digest.contains("Key points") && !digest.contains("요점"),
        "{digest}"
    );
}

/// The outputs a build made again (`-v` names each one it rendered;
/// one whose key matched is reused).
fn rendered(dir: &Path) -> Vec<String> {
    let out = run_in(dir, &["build", "--format", "pdf,email", "-v"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let mut made: Vec<String> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("rendered "))
        .map(|l| l.split(" in ").next().unwrap_or(l).to_string())
        .collect();
    made.sort();
    made
}

#[test]
fn a_recipients_lang_change_makes_again_its_copy_and_message_only() {
    let work = project(&toml("ko"));
    build(work.path());
    let pdf = work
        .path()
        .join("output/packets/p/ministry-of-foreign-affairs.pdf");
    let korean = std::fs::read(&pdf).unwrap();
    assert_eq!(
        rendered(work.path()),
        Vec::<String>::new(),
        "a second build reuses all"
    );
    std::fs::write(work.path().join("brief.toml"), toml("ja")).unwrap();
    assert_eq!(
        rendered(work.path()),
        [
            "output/packets/p/ministry-of-foreign-affairs.eml",
            "output/packets/p/ministry-of-foreign-affairs.pdf"
        ],
        "only the recipient's copy and message are made again"
    );
    assert_ne!(std::fs::read(&pdf).unwrap(), korean);
}
