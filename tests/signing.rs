//! PAdES signatures of packet PDFs (`[sign]`), through the real binary,
//! with a key made at test time by the openssl CLI (never committed; the
//! default `openssl pkcs12 -export` of OpenSSL 3, AES-256/PBES2):
//! `brief verify` accepts a signed packet and fails it, with a reason, for
//! a byte flipped in the signed range or in `/Contents`, an incremental
//! update appended, another build's PDF swapped in, or the signature
//! removed; `pdfsig` finds the signature valid and `qpdf --check` passes;
//! every addressed copy is signed; two builds are byte-equal; a missing
//! key, variable or wrong password stops the build with nothing written;
//! the cache key follows the certificate, and neither the password nor
//! the private key reaches any output or cache file. ECDSA P-256/P-384
//! keys sign validly and reproducibly; other key types are refused by
//! name. With `tsa_url` naming a real TSA on 127.0.0.1 (`common::tsa`),
//! signatures carry RFC 3161 timestamps that `brief verify` reports and
//! checks, and a TSA that fails fails the packet, naming its URL.

mod common;

use common::tsa::{self, Mode};
use common::{brief, tool};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PASSWORD: &str = "correct horse 7f3a";

/// A key and self-signed certificate for `org`, as `keys/desk.p12` of
/// `project`, made the way docs/configuration.md tells a user to.
fn make_key(project: &Path, org: &str) {
    make_key_of(project, org, &["-newkey", "rsa:2048"]);
}

/// As [`make_key`], the key made by `newkey` (openssl req's arguments,
/// e.g. `-newkey ec -pkeyopt ec_paramgen_curve:P-256`).
fn make_key_of(project: &Path, org: &str, newkey: &[&str]) {
    let keys = project.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(&keys)
            .output()
            .expect("run openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let mut req = vec!["req", "-x509"];
    req.extend_from_slice(newkey);
    run(&[
        req.as_slice(),
        &[
            "-nodes",
            "-keyout",
            "desk.key",
            "-out",
            "desk.crt",
            "-days",
            "3650",
            "-subj",
            &format!("/CN={org} signing desk/O={org}"),
        ],
    ]
    .concat());
    run(&[
        "pkcs12",
        "-export",
        "-inkey",
        "desk.key",
        "-in",
        "desk.crt",
        "-out",
        "desk.p12",
        "-passout",
        &format!("pass:{PASSWORD}"),
    ]);
}

/// A started project at `dir/p` signing its packets.
fn signed_project(dir: &Path, title: &str) -> PathBuf {
    let out = brief()
        .args(["init", "p"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let project = dir.join("p");
    let toml = std::fs::read_to_string(project.join("brief.toml")).unwrap();
    let toml = toml.replacen("title = \"", &format!("title = \"{title} "), 1);
    let toml = format!("{toml}\n[sign]\nkey = \"keys/desk.p12\"\nreason = \"Briefing packet\"\n");
    std::fs::write(project.join("brief.toml"), toml).unwrap();
    make_key(&project, "Briefing Office");
    project
}

fn run(project: &Path, args: &[&str], password: Option<&str>) -> Output {
    let mut cmd = brief();
    cmd.args(args)
        .current_dir(project)
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("BRIEF_SIGN_PASSWORD");
    if let Some(p) = password {
        cmd.env("BRIEF_SIGN_PASSWORD", p);
    }
    cmd.output().expect("run brief")
}

fn build(project: &Path, extra: &[&str]) {
    let mut args = vec!["build", "--quiet"];
    args.extend_from_slice(extra);
    let out = run(project, &args, Some(PASSWORD));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn verify(project: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut all = vec!["verify"];
    all.extend_from_slice(args);
    let out = run(project, &all, None);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// Every PDF under `output/packets`, general and addressed copies.
fn packet_pdfs(project: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![project.join("output/packets")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "pdf") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

const PACKET: &str = "output/packets/example-packet.pdf";

#[test]
fn a_signed_packet_verifies_and_any_change_after_signing_fails() {
    if !tool("openssl", &["version"]) || !tool("pdfsig", &["-v"]) || !tool("qpdf", &["--version"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = signed_project(dir.path(), "First");
    build(&p, &[]);

    let (code, said) = verify(&p, &[PACKET]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("is packets/example-packet.pdf of the manifest, unchanged; signature valid, signed by O=Briefing Office,CN=Briefing Office signing desk"), "{said}");
    assert!(said.contains("covering the whole file"), "{said}");
    assert!(
        said.contains("timestamp: none (signing time is the packet's date"),
        "{said}"
    );

    // The manifest records who signed it.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.join("output/manifest.json")).unwrap()).unwrap();
    let entry = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "packets/example-packet.pdf")
        .unwrap();
    assert_eq!(
        entry["signed"]["signer"],
        "O=Briefing Office,CN=Briefing Office signing desk"
    );
    let fingerprint = entry["signed"]["certificate_sha256"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(fingerprint.len(), 64);

    // pdfsig (poppler) and qpdf agree.
    let pdfsig = Command::new("pdfsig").arg(p.join(PACKET)).output().unwrap();
    let text = String::from_utf8_lossy(&pdfsig.stdout);
    assert!(text.contains("Signature is Valid"), "{text}");
    assert!(text.contains("ETSI.CAdES.detached"), "{text}");
    assert!(text.contains("Total document signed"), "{text}");
    let check = Command::new("qpdf")
        .arg("--check")
        .arg(p.join(PACKET))
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    // The Integrity page says how to check it, with the fingerprint.
    let text = Command::new("pdftotext")
        .args(["-layout"])
        .arg(p.join(PACKET))
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("This PDF is digitally signed (PAdES)"),
        "{text}"
    );
    assert!(text.contains(&fingerprint), "the fingerprint is printed");
    assert!(text.contains("brief verify example-packet.pdf"), "{text}");

    let original = std::fs::read(p.join(PACKET)).unwrap();
    let contents = find(&original, b"/Contents <").expect("a /Contents hex string") + 11;
    // Flips: in the first signed range (early, middle), in the CMS part of
    // /Contents (kept a hex digit, so only the signature can tell), in its
    // zero padding, and in the second signed range (the update's trailer).
    let hex_flip = |b: u8| {
        if b == b'0' {
            b'1'
        } else if b == b'F' {
            b'E'
        } else {
            b'0'
        }
    };
    let last_zero = contents + find(&original[contents..], b">").unwrap() - 3;
    for (at, replace) in [
        (200, None),
        (original.len() / 3, None),
        (contents + 40, Some(hex_flip(original[contents + 40]))),
        (contents + 900, Some(hex_flip(original[contents + 900]))),
        (last_zero, Some(b'7')),
        (original.len() - 30, None),
    ] {
        let mut bytes = original.clone();
        bytes[at] = replace.unwrap_or(bytes[at] ^ 0x01);
        std::fs::write(p.join(PACKET), &bytes).unwrap();
        let (code, said) = verify(&p, &[PACKET]);
        assert_eq!(code, Some(1), "byte {at}: {said}");
        assert!(
            said.contains("FAILED: output/packets/example-packet.pdf"),
            "byte {at}: {said}"
        );
        assert!(said.contains("signature INVALID"), "byte {at}: {said}");
        // Without the manifest, the signature alone still fails it.
        let alone = dir.path().join("alone.pdf");
        std::fs::write(&alone, &bytes).unwrap();
        let (code, said) = verify(dir.path(), &["alone.pdf"]);
        assert_eq!(code, Some(1), "byte {at}, no manifest: {said}");
        assert!(
            said.contains("only its signature was checked: signature INVALID"),
            "{said}"
        );
    }

    // A valid incremental update appended (a new Info dictionary): qpdf
    // accepts the file, the signature no longer covers it.
    let updated = incremental_update(&original);
    std::fs::write(p.join(PACKET), &updated).unwrap();
    let qpdf = Command::new("qpdf")
        .arg("--check")
        .arg(p.join(PACKET))
        .output()
        .unwrap();
    assert!(
        qpdf.status.success(),
        "the update is well formed: {}",
        String::from_utf8_lossy(&qpdf.stdout)
    );
    let (code, said) = verify(&p, &[PACKET]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("changed after signing"), "{said}");
    assert!(said.contains("appended after the signed range"), "{said}");

    // Another build's packet (signed by the same key) in its place.
    let other = tempfile::tempdir().unwrap();
    let q = signed_project(other.path(), "Second");
    std::fs::copy(p.join("keys/desk.p12"), q.join("keys/desk.p12")).unwrap();
    build(&q, &[]);
    let theirs = std::fs::read(q.join(PACKET)).unwrap();
    assert_ne!(theirs, original);
    std::fs::write(p.join(PACKET), &theirs).unwrap();
    let (code, said) = verify(&p, &[PACKET]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("its SHA-256 differs"), "{said}");
    assert!(
        said.contains("signature valid"),
        "its own signature holds: {said}"
    );

    // An unsigned build's packet where the manifest says signed.
    let unsigned = tempfile::tempdir().unwrap();
    let out = brief()
        .args(["init", "u"])
        .current_dir(unsigned.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let u = unsigned.path().join("u");
    build(&u, &[]);
    std::fs::copy(u.join(PACKET), p.join(PACKET)).unwrap();
    let (code, said) = verify(&p, &[PACKET]);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("not signed, but the manifest says the build signed it"),
        "{said}"
    );
    // Its own manifest knows it is not signed: accepted, and said so.
    let (code, said) = verify(&u, &[PACKET]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("; not signed"), "{said}");
    let text = Command::new("pdftotext")
        .arg(u.join(PACKET))
        .arg("-")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("This PDF is not signed"));

    // A signature made by another key, where the manifest names ours.
    let stranger = tempfile::tempdir().unwrap();
    let s = signed_project(stranger.path(), "First");
    build(&s, &[]);
    std::fs::copy(s.join(PACKET), p.join(PACKET)).unwrap();
    let (code, said) = verify(&p, &[PACKET]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("it is another signer's file"), "{said}");
}

/// `pdf` with one more revision: a new Info dictionary, its own xref
/// section and a trailer whose /Prev is the last one.
fn incremental_update(pdf: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(pdf);
    let startxref: usize = text
        .rsplit("startxref")
        .next()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let trailer = &text[text.rfind("trailer").unwrap()..];
    let size: usize = trailer[trailer.find("/Size").unwrap() + 5..]
        .split(|c: char| !c.is_ascii_digit() && c != ' ')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let root = &trailer[trailer.find("/Root").unwrap() + 5..];
    let root: String = root.trim_start().split(" R").next().unwrap().to_string() + " R";
    let mut out = pdf.to_vec();
    out.extend_from_slice(b"\n");
    let offset = out.len();
    out.extend_from_slice(
        format!("{size} 0 obj\n<< /Title (Changed after signing) >>\nendobj\n").as_bytes(),
    );
    let xref = out.len();
    out.extend_from_slice(
        format!(
            "xref\n{size} 1\n{offset:010} 00000 n \ntrailer\n<< /Size {} /Root {root} /Info {size} 0 R /Prev {startxref} >>\nstartxref\n{xref}\n%%EOF\n",
            size + 1
        )
        .as_bytes(),
    );
    out
}

#[test]
fn every_copy_is_signed_and_two_builds_are_byte_equal() {
    if !tool("openssl", &["version"]) || !tool("pdfsig", &["-v"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = signed_project(dir.path(), "Same");
    build(&p, &["--no-cache"]);
    let copies = packet_pdfs(&p);
    assert!(
        copies.len() >= 2,
        "the general copy and an addressed one: {copies:?}"
    );
    let first: Vec<Vec<u8>> = copies.iter().map(|c| std::fs::read(c).unwrap()).collect();
    for copy in &copies {
        let rel = copy.strip_prefix(&p).unwrap().to_str().unwrap().to_string();
        let (code, said) = verify(&p, &[&rel]);
        assert_eq!(code, Some(0), "{rel}: {said}");
        assert!(said.contains("signature valid"), "{rel}: {said}");
        let pdfsig = Command::new("pdfsig").arg(copy).output().unwrap();
        assert!(
            String::from_utf8_lossy(&pdfsig.stdout).contains("Signature is Valid"),
            "{rel}"
        );
    }
    // The same inputs signed again, with no cache: the same bytes.
    std::fs::remove_dir_all(p.join("output")).unwrap();
    build(&p, &["--no-cache"]);
    let second: Vec<Vec<u8>> = copies.iter().map(|c| std::fs::read(c).unwrap()).collect();
    for ((a, b), path) in first.iter().zip(&second).zip(&copies) {
        assert!(a == b, "{} differs between two builds", path.display());
    }
    // The signature claims the packet's date, never the clock.
    assert!(find(&first[0], b"/M (D:").is_some());
}

#[test]
fn a_missing_key_variable_or_wrong_password_stops_the_build() {
    if !tool("openssl", &["version"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = signed_project(dir.path(), "Stop");
    let cases: [(&str, Option<&str>, &str); 2] = [
        ("no variable", None, "BRIEF_SIGN_PASSWORD, which is not set"),
        ("wrong password", Some("not it"), "the password is wrong"),
    ];
    for (what, password, expected) in cases {
        let out = run(&p, &["build"], password);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains(expected), "{what}: {err}");
        assert!(err.contains("brief.toml"), "{what} names the file: {err}");
        assert!(!p.join(PACKET).exists(), "{what}: nothing written");
        let out = run(&p, &["check"], password);
        assert_eq!(out.status.code(), Some(2), "check, {what}");
    }
    std::fs::remove_file(p.join("keys/desk.p12")).unwrap();
    let out = run(&p, &["build"], Some(PASSWORD));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("sign.key \"keys/desk.p12\": no such file"),
        "{err}"
    );
    assert!(!p.join(PACKET).exists());
    // A key outside the project is refused by the configuration itself.
    let toml = std::fs::read_to_string(p.join("brief.toml")).unwrap();
    std::fs::write(
        p.join("brief.toml"),
        toml.replace("keys/desk.p12", "../desk.p12"),
    )
    .unwrap();
    let out = run(&p, &["build"], Some(PASSWORD));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("is outside the project"), "{err}");
}

#[test]
fn a_new_key_re_signs_and_no_secret_reaches_an_output_or_the_cache() {
    if !tool("openssl", &["version"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = signed_project(dir.path(), "Cache");
    build(&p, &[]);
    let fingerprint = |p: &Path| {
        let m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(p.join("output/manifest.json")).unwrap())
                .unwrap();
        m["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == "packets/example-packet.pdf")
            .unwrap()["signed"]["certificate_sha256"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let before = fingerprint(&p);
    let first = std::fs::read(p.join(PACKET)).unwrap();

    // Unchanged: reused from the cache, the same bytes.
    let out = run(&p, &["build", "--verbose"], Some(PASSWORD));
    assert!(out.status.success());
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        !said.contains("rendered output/packets/example-packet.pdf"),
        "{said}"
    );
    assert_eq!(std::fs::read(p.join(PACKET)).unwrap(), first);

    // The secrets: the password and the private key's bytes.
    let key_der = Command::new("openssl")
        .args(["pkey", "-in", "keys/desk.key", "-outform", "DER"])
        .current_dir(&p)
        .output()
        .unwrap()
        .stdout;
    assert!(key_der.len() > 1000);
    let secrets: Vec<Vec<u8>> = vec![
        PASSWORD.as_bytes().to_vec(),
        // The modulus is public; the private exponent and primes follow it.
        key_der[key_der.len() - 400..key_der.len() - 300].to_vec(),
        key_der[key_der.len() - 100..].to_vec(),
    ];
    let mut files = Vec::new();
    let mut stack = vec![p.join("output")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(
        files
            .iter()
            .any(|f| f.to_string_lossy().contains(".brief-cache")),
        "the cache is under output/"
    );
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for s in &secrets {
            assert!(find(&bytes, s).is_none(), "a secret in {}", f.display());
        }
    }

    // Another key: the packet is signed again, by it.
    std::fs::remove_dir_all(p.join("keys")).unwrap();
    make_key(&p, "Briefing Office");
    let out = run(&p, &["build", "--verbose"], Some(PASSWORD));
    assert!(out.status.success());
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("rendered output/packets/example-packet.pdf"),
        "{said}"
    );
    let after = fingerprint(&p);
    assert_ne!(before, after);
    let (code, said) = verify(&p, &[PACKET]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains(&after), "{said}");
}

/// ECDSA keys (P-256 with SHA-256, P-384 with SHA-384), made by openssl at
/// test time: the packet is signed, `pdfsig` finds the signature valid,
/// `qpdf --check` passes, `brief verify` accepts it and fails it once a
/// signed byte changes, and two builds without the cache are byte-equal
/// (ECDSA as RustCrypto signs is deterministic, RFC 6979).
#[test]
fn an_ec_key_signs_validly_and_reproducibly() {
    if !tool("openssl", &["version"]) || !tool("pdfsig", &["-v"]) || !tool("qpdf", &["--version"]) {
        return;
    }
    for (curve, hash) in [("P-256", "SHA-256"), ("P-384", "SHA-384")] {
        let dir = tempfile::tempdir().unwrap();
        let p = signed_project(dir.path(), "Curve");
        std::fs::remove_dir_all(p.join("keys")).unwrap();
        let param = format!("ec_paramgen_curve:{curve}");
        make_key_of(
            &p,
            "Briefing Office",
            &["-newkey", "ec", "-pkeyopt", &param],
        );
        build(&p, &["--no-cache"]);
        let pdfsig = Command::new("pdfsig").arg(p.join(PACKET)).output().unwrap();
        let text = String::from_utf8_lossy(&pdfsig.stdout);
        assert!(text.contains("Signature is Valid"), "{curve}: {text}");
        assert!(
            text.contains(&format!("Signing Hash Algorithm: {hash}")),
            "{curve}: {text}"
        );
        let check = Command::new("qpdf")
            .arg("--check")
            .arg(p.join(PACKET))
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{curve}: {}",
            String::from_utf8_lossy(&check.stdout)
        );
        let (code, said) = verify(&p, &[PACKET]);
        assert_eq!(code, Some(0), "{curve}: {said}");
        assert!(
            said.contains(
                "signature valid, signed by O=Briefing Office,CN=Briefing Office signing desk"
            ),
            "{curve}: {said}"
        );
        let first = std::fs::read(p.join(PACKET)).unwrap();
        std::fs::remove_dir_all(p.join("output")).unwrap();
        build(&p, &["--no-cache"]);
        let second = std::fs::read(p.join(PACKET)).unwrap();
        assert!(first == second, "{curve}: two builds differ");
        // Without the manifest, a flipped signed byte fails on the
        // signature alone.
        let mut bytes = first.clone();
        bytes[300] ^= 0x01;
        std::fs::write(dir.path().join("flipped.pdf"), &bytes).unwrap();
        let (code, said) = verify(dir.path(), &["flipped.pdf"]);
        assert_eq!(code, Some(1), "{curve}: {said}");
        assert!(said.contains("signature INVALID"), "{curve}: {said}");
    }
}

/// A key brief does not sign with (Ed25519, P-521) stops the build with a
/// message naming its type and the supported ones; nothing is written.
#[test]
fn an_unsupported_key_type_is_refused_by_name() {
    if !tool("openssl", &["version"]) {
        return;
    }
    let cases: [(&[&str], &str); 2] = [
        (&["-newkey", "ed25519"], "an Ed25519 key"),
        (
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"],
            "an ECDSA P-521 key",
        ),
    ];
    for (newkey, named) in cases {
        let dir = tempfile::tempdir().unwrap();
        let p = signed_project(dir.path(), "Odd");
        std::fs::remove_dir_all(p.join("keys")).unwrap();
        make_key_of(&p, "Briefing Office", newkey);
        let out = run(&p, &["build"], Some(PASSWORD));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{named}: {err}");
        assert!(
            err.contains(&format!("its private key is {named}, which brief does not sign with; it signs with RSA, ECDSA P-256 or ECDSA P-384")),
            "{err}"
        );
        assert!(!p.join(PACKET).exists(), "{named}: nothing written");
    }
}

/// `project`'s `[sign]` with `tsa_url = url` (or without it, `None`).
fn set_tsa(project: &Path, url: Option<&str>) {
    let toml = std::fs::read_to_string(project.join("brief.toml")).unwrap();
    let toml: String = toml
        .lines()
        .filter(|l| !l.starts_with("tsa_url"))
        .map(|l| format!("{l}\n"))
        .collect();
    // After the `[sign]` table signed_project appended (the starter's
    // comments mention `[sign]` too).
    let toml = match url {
        Some(url) => {
            let at = toml.rfind("\n[sign]\n").unwrap() + "\n[sign]\n".len();
            format!("{}tsa_url = \"{url}\"\n{}", &toml[..at], &toml[at..])
        }
        None => toml,
    };
    std::fs::write(project.join("brief.toml"), toml).unwrap();
}

/// The CMS structure in a signed PDF's `/Contents`, and where its hex
/// string starts and ends.
fn contents(pdf: &[u8]) -> (Vec<u8>, usize, usize) {
    let start = find(pdf, b"/Contents <").unwrap() + 11;
    let end = start + find(&pdf[start..], b">").unwrap();
    let hex = std::str::from_utf8(&pdf[start..end]).unwrap();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let len = der_len(&bytes, 0);
    (bytes[..len.0 + len.1].to_vec(), start, end)
}

/// `pdf` with `cms` written into its `/Contents` (zero-padded).
fn with_contents(pdf: &[u8], cms: &[u8]) -> Vec<u8> {
    let (_, start, end) = contents(pdf);
    let mut hex: String = cms.iter().map(|b| format!("{b:02X}")).collect();
    assert!(hex.len() <= end - start, "the CMS fits");
    hex.push_str(&"0".repeat(end - start - hex.len()));
    let mut out = pdf.to_vec();
    out[start..end].copy_from_slice(hex.as_bytes());
    out
}

/// The header and content lengths of the DER element at `at`.
fn der_len(b: &[u8], at: usize) -> (usize, usize) {
    let first = b[at + 1] as usize;
    if first < 0x80 {
        return (2, first);
    }
    let n = first & 0x7f;
    let len = b[at + 2..at + 2 + n]
        .iter()
        .fold(0, |acc, &x| (acc << 8) | x as usize);
    (2 + n, len)
}

/// The element at `at` of `b`, re-encoded with the element spanning
/// `span` (somewhere inside it, through constructed elements) replaced by
/// `new`: every enclosing length is written again.
fn splice(b: &[u8], at: usize, span: (usize, usize), new: &[u8]) -> Vec<u8> {
    let (h, len) = der_len(b, at);
    let (start, end) = (at + h, at + h + len);
    if (at, end) == span {
        return new.to_vec();
    }
    if span.0 < start || span.1 > end {
        return b[at..end].to_vec();
    }
    let mut inner = Vec::new();
    let mut pos = start;
    while pos < end {
        let (ch, cl) = der_len(b, pos);
        inner.extend(splice(b, pos, span, new));
        pos += ch + cl;
    }
    let mut out = vec![b[at]];
    match inner.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n < 0x100 => out.extend([0x81, n as u8]),
        n => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend(inner);
    out
}

/// Where the timestamp token sits in a CMS structure: the element after
/// the id-aa-signatureTimeStampToken OID and its SET header.
fn token_span(cms: &[u8]) -> (usize, usize) {
    const OID: &[u8] = &[
        0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x0e,
    ];
    let set = find(cms, OID).expect("a timestamp token") + OID.len();
    let token = set + der_len(cms, set).0;
    let (h, len) = der_len(cms, token);
    (token, token + h + len)
}

/// With `[sign] tsa_url` naming a real RFC 3161 TSA (openssl ts behind
/// Python on 127.0.0.1): every copy gets a timestamp; `pdfsig` finds the
/// signature valid and `qpdf --check` passes; `brief verify` accepts it
/// and prints the timestamp's time (today, by the clock) and the TSA's
/// subject; a changed signed byte still fails; a token whose own
/// signature no longer verifies (its time changed) fails, and so does a
/// valid token taken from another PDF's signature.
#[test]
fn a_timestamped_packet_verifies_and_reports_its_time_and_authority() {
    if !tool("openssl", &["version"])
        || !tool("pdfsig", &["-v"])
        || !tool("qpdf", &["--version"])
        || !tool("python3", &["--version"])
    {
        return;
    }
    let server = tsa::start(Mode::Good);
    let dir = tempfile::tempdir().unwrap();
    let p = signed_project(dir.path(), "Stamped");
    set_tsa(&p, Some(&server.url));
    build(&p, &[]);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    for copy in packet_pdfs(&p) {
        let rel = copy.strip_prefix(&p).unwrap().to_str().unwrap().to_string();
        let (code, said) = verify(&p, &[&rel]);
        assert_eq!(code, Some(0), "{rel}: {said}");
        assert!(
            said.contains("signature valid, signed by O=Briefing Office"),
            "{said}"
        );
        assert!(
            said.contains(&format!("; timestamp {today} ")),
            "the TSA's time, today: {said}"
        );
        assert!(
            said.contains(&format!(
                " UTC by {} (TSA certificate SHA-256 ",
                tsa::SUBJECT
            )),
            "{said}"
        );
        let pdfsig = Command::new("pdfsig").arg(&copy).output().unwrap();
        let text = String::from_utf8_lossy(&pdfsig.stdout);
        assert!(text.contains("Signature is Valid"), "{rel}: {text}");
        assert!(text.contains("Total document signed"), "{rel}: {text}");
        let check = Command::new("qpdf")
            .arg("--check")
            .arg(&copy)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
    }

    let original = std::fs::read(p.join(PACKET)).unwrap();
    let fails = |bytes: &[u8], expected: &str| {
        std::fs::write(dir.path().join("x.pdf"), bytes).unwrap();
        let (code, said) = verify(dir.path(), &["x.pdf"]);
        assert_eq!(code, Some(1), "{said}");
        assert!(said.contains("signature INVALID"), "{said}");
        assert!(said.contains(expected), "{said}");
    };
    // A signed byte changed.
    let mut bytes = original.clone();
    bytes[400] ^= 0x01;
    fails(&bytes, "changed after signing");

    // The token's genTime (GeneralizedTime, 15 bytes) a second later: the
    // TSA's signature over its TSTInfo no longer holds.
    let (cms, _, _) = contents(&original);
    let at = (0..cms.len() - 17)
        .find(|&i| cms[i] == 0x18 && cms[i + 1] == 0x0f && cms[i + 16] == b'Z')
        .expect("the token's genTime")
        + 15;
    let mut changed = cms.clone();
    changed[at] = if changed[at] == b'9' {
        b'8'
    } else {
        changed[at] + 1
    };
    fails(
        &with_contents(&original, &changed),
        "its timestamp's own signature does not verify",
    );

    // A valid token, but the one of another copy's signature.
    let other = packet_pdfs(&p)
        .into_iter()
        .find(|c| !c.ends_with(PACKET))
        .expect("an addressed copy");
    let (theirs, _, _) = contents(&std::fs::read(other).unwrap());
    let (a, b) = token_span(&theirs);
    let moved = splice(&cms, 0, token_span(&cms), &theirs[a..b]);
    assert_ne!(moved, cms);
    fails(
        &with_contents(&original, &moved),
        "its timestamp is for other data",
    );
    // The splice itself is sound: the same token put back verifies.
    let (a, b) = token_span(&cms);
    let same = splice(&cms, 0, (a, b), &cms[a..b]);
    assert_eq!(same, cms);
}

/// A TSA that cannot be reached, refuses, or answers with a token for
/// other data fails that packet's build, naming the URL; its PDF is not
/// written (never an unstamped PDF), the other outputs are.
#[test]
fn a_tsa_that_fails_fails_the_packet_naming_its_url() {
    if !tool("openssl", &["version"]) || !tool("python3", &["--version"]) {
        return;
    }
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!(
            "http://127.0.0.1:{}/",
            listener.local_addr().unwrap().port()
        )
    };
    let reject = tsa::start(Mode::Reject);
    let wrong = tsa::start(Mode::WrongImprint);
    let cases = [
        (closed.as_str(), "it could not be reached"),
        (reject.url.as_str(), "it refused to stamp"),
        (wrong.url.as_str(), "messageImprint hash does not match"),
    ];
    for (url, why) in cases {
        let dir = tempfile::tempdir().unwrap();
        let p = signed_project(dir.path(), "Unstamped");
        set_tsa(&p, Some(url));
        let out = run(&p, &["build"], Some(PASSWORD));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{url}: {err}");
        assert!(
            err.contains(&format!(
                "the time-stamping service sign.tsa_url \"{url}\" gave no timestamp"
            )),
            "{err}"
        );
        assert!(err.contains(why), "{url}: {err}");
        assert!(packet_pdfs(&p).is_empty(), "{url}: no packet PDF written");
        assert!(
            p.join("output/pdf/example-brief.pdf").exists(),
            "the unsigned brief is still built"
        );
    }
}

/// Adding a TSA signs again (the cache key holds its URL); removing it
/// signs again too, back to the very bytes of the build that never had
/// one. A `tsa_url` that is not http(s) is refused by `brief check`.
#[test]
fn the_tsa_is_part_of_the_cache_key_and_its_url_is_checked() {
    if !tool("openssl", &["version"]) || !tool("python3", &["--version"]) {
        return;
    }
    let server = tsa::start(Mode::Good);
    let dir = tempfile::tempdir().unwrap();
    let p = signed_project(dir.path(), "Keyed");
    build(&p, &[]);
    let unstamped = std::fs::read(p.join(PACKET)).unwrap();
    let rendered = |p: &Path| {
        let out = run(p, &["build", "--verbose"], Some(PASSWORD));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let said = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        said.contains("rendered output/packets/example-packet.pdf")
    };
    set_tsa(&p, Some(&server.url));
    assert!(rendered(&p), "adding the TSA signs again");
    let (code, said) = verify(&p, &[PACKET]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains(tsa::SUBJECT), "{said}");
    assert!(!rendered(&p), "the same TSA reuses the stamped PDF");
    set_tsa(&p, None);
    assert!(rendered(&p), "removing the TSA signs again");
    assert_eq!(std::fs::read(p.join(PACKET)).unwrap(), unstamped);

    for bad in ["file:///etc/passwd", "tsa.example.org/tsr"] {
        set_tsa(&p, Some(bad));
        let out = run(&p, &["check"], Some(PASSWORD));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {err}");
        assert!(
            err.contains("a time-stamping service is reached by http:// or https:// only"),
            "{err}"
        );
    }
}
