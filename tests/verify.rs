//! `brief verify` through the real binary: a file a build wrote is
//! accepted by its SHA-256 and the manifest; a byte flipped anywhere,
//! bytes appended (as an incremental update would be), or another build's
//! PDF in its place fail with a reason, and the exit status says so.

mod common;

use common::run_in;
use std::path::Path;

fn built_project(dir: &Path, title: &str) {
    let out = run_in(dir, &["init", "p"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let project = dir.join("p");
    let toml = std::fs::read_to_string(project.join("brief.toml")).unwrap();
    let toml = toml.replacen("title = \"", &format!("title = \"{title} "), 1);
    std::fs::write(project.join("brief.toml"), toml).unwrap();
    let out = run_in(&project, &["build", "--quiet"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn verify(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut all = vec!["verify"];
    all.extend_from_slice(args);
    let out = run_in(dir, &all);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn verify_accepts_what_the_build_wrote_and_names_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    built_project(dir.path(), "First");
    let p = dir.path().join("p");
    let packet = "output/packets/example-packet.pdf";
    let (code, said) = verify(
        &p,
        &[
            packet,
            "output/epub/example-brief.epub",
            "output/email/example-brief.txt",
        ],
    );
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("ok: output/packets/example-packet.pdf: is packets/example-packet.pdf of the manifest, unchanged"), "{said}");
    assert_eq!(said.matches("ok: ").count(), 3, "{said}");

    // A copy elsewhere, under another name, is still recognised.
    let original = std::fs::read(p.join(packet)).unwrap();
    let copy = dir.path().join("received.pdf");
    std::fs::write(&copy, &original).unwrap();
    let manifest = p.join("output/manifest.json");
    let (code, said) = verify(
        dir.path(),
        &["--manifest", manifest.to_str().unwrap(), "received.pdf"],
    );
    assert_eq!(code, Some(0), "{said}");

    // One byte flipped, at the start, the middle and the end.
    for at in [10, original.len() / 2, original.len() - 2] {
        let mut bytes = original.clone();
        bytes[at] ^= 0x01;
        std::fs::write(p.join(packet), &bytes).unwrap();
        let (code, said) = verify(&p, &[packet]);
        assert_eq!(code, Some(1), "byte {at}: {said}");
        assert!(said.contains("FAILED: output/packets/example-packet.pdf: its SHA-256 differs from that of packets/example-packet.pdf"), "{said}");
    }

    // An incremental update appended.
    let mut bytes = original.clone();
    bytes.extend_from_slice(b"\n1 0 obj\n<< /Title (changed) >>\nendobj\nxref\n0 0\ntrailer\n<< >>\nstartxref\n0\n%%EOF\n");
    std::fs::write(p.join(packet), &bytes).unwrap();
    let (code, said) = verify(&p, &[packet]);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("bytes more than were written: something was appended"),
        "{said}"
    );

    // Another build's packet in its place.
    let other = tempfile::tempdir().unwrap();
    built_project(other.path(), "Second");
    let theirs = std::fs::read(other.path().join("p").join(packet)).unwrap();
    assert_ne!(theirs, original, "the two builds differ");
    std::fs::write(p.join(packet), &theirs).unwrap();
    let (code, said) = verify(&p, &[packet]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("FAILED"), "{said}");
    // Mixed: one good file and one bad one still fail the run.
    let (code, _) = verify(&p, &["output/epub/example-brief.epub", packet]);
    assert_eq!(code, Some(1));

    // No manifest: a usage error, nothing verified.
    let (code, said) = verify(dir.path(), &["--manifest", "missing.json", "received.pdf"]);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("cannot read the manifest"), "{said}");
}
