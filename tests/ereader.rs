//! The e-reader editions look finished (issue 21): every book, single
//! brief or packet, declares a cover image — a PNG typeset from
//! `templates/cover.typ`, at least 1400 px on its long side, byte for byte
//! the same in every build — or the image its `cover:` names; and its
//! package credits the authors with their roles, the organisation as
//! publisher, the tags as subjects, the summary as description, and the
//! packets a brief belongs to. All through the real binary.

mod common;

use common::{copy_tree, run_in};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The files of an EPUB, by name.
fn open_book(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut files = BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        files.insert(entry.name().to_string(), bytes);
    }
    files
}

/// What a book's package says about it.
#[derive(Debug, Default)]
struct Package {
    cover_href: Option<String>,
    cover_type: Option<String>,
    /// (name, role) of each `dc:creator`.
    creators: Vec<(String, String)>,
    publisher: Option<String>,
    subjects: Vec<String>,
    description: Option<String>,
    languages: Vec<String>,
    /// (title, group-position) of each `belongs-to-collection`.
    collections: Vec<(String, Option<String>)>,
}

fn package(files: &BTreeMap<String, Vec<u8>>) -> Package {
    let opf = String::from_utf8(files["OEBPS/content.opf"].clone()).unwrap();
    let doc = roxmltree::Document::parse(&opf).unwrap();
    let mut p = Package::default();
    let refines = |id: &str, property: &str| {
        doc.descendants()
            .find(|n| {
                n.has_tag_name("meta")
                    && n.attribute("refines") == Some(&format!("#{id}"))
                    && n.attribute("property") == Some(property)
            })
            .and_then(|n| n.text())
            .map(str::to_string)
    };
    for n in doc.descendants().filter(|n| n.is_element()) {
        let text = n.text().unwrap_or("").to_string();
        match n.tag_name().name() {
            "item" if n.attribute("properties") == Some("cover-image") => {
                p.cover_href = n.attribute("href").map(String::from);
                p.cover_type = n.attribute("media-type").map(String::from);
            }
            "creator" => {
                let role = refines(n.attribute("id").unwrap_or(""), "role").unwrap_or_default();
                p.creators.push((text, role));
            }
            "publisher" => p.publisher = Some(text),
            "subject" => p.subjects.push(text),
            "description" => p.description = Some(text),
            "language" => p.languages.push(text),
            "meta" if n.attribute("property") == Some("belongs-to-collection") => {
                let position = refines(n.attribute("id").unwrap_or(""), "group-position");
                p.collections.push((text, position));
            }
            _ => {}
        }
    }
    p
}

/// The decoded size of a PNG (decoding all of it: a damaged file fails).
fn png_size(bytes: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut pixels).expect("the PNG decodes");
    (info.width, info.height)
}

fn build(project: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["build", "--format", "epub", "--no-cache"];
    args.extend_from_slice(extra);
    let out = run_in(project, &args);
    assert!(
        out.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A copy of the shipped sample project.
fn sample(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = dir.join("sample");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::copy(root.join("brief.toml"), project.join("brief.toml")).unwrap();
    copy_tree(&root.join("content"), &project.join("content"));
    copy_tree(&root.join("letters"), &project.join("letters"));
    project
}

fn books(out: &Path) -> Vec<PathBuf> {
    let mut books: Vec<PathBuf> = ["epub", "packets"]
        .iter()
        .flat_map(|d| std::fs::read_dir(out.join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "epub"))
        .collect();
    books.sort();
    books
}

const PACKET_TITLE: &str = "International Oversight of Child Trafficking Networks";

#[test]
fn every_sample_book_has_a_large_png_cover_and_its_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let project = sample(dir.path());
    build(&project, &[]);
    let books = books(&project.join("output"));
    assert_eq!(books.len(), 4, "two briefs and two packets: {books:?}");
    for book in &books {
        let files = open_book(book);
        let p = package(&files);
        let href = p
            .cover_href
            .clone()
            .unwrap_or_else(|| panic!("{book:?}: no cover-image"));
        assert_eq!(p.cover_type.as_deref(), Some("image/png"), "{book:?}");
        let (w, h) = png_size(&files[&format!("OEBPS/{href}")]);
        assert!(w.max(h) >= 1400, "{book:?}: cover {w}×{h}");
        assert_eq!(p.publisher.as_deref(), Some("Briefing Office"), "{book:?}");
        assert!(!p.creators.is_empty(), "{book:?}: no dc:creator");
        assert!(p.description.is_some(), "{book:?}: no description");
    }
    let name = |b: &PathBuf| b.file_name().unwrap().to_string_lossy().to_string();
    let english = books
        .iter()
        .find(|b| name(b).starts_with("the-case") && !name(b).contains(".ko."))
        .unwrap();
    let p = package(&open_book(english));
    // The brief is the first of both shipped packets.
    assert!(
        p.collections
            .contains(&(PACKET_TITLE.to_string(), Some("1".to_string()))),
        "{:?}",
        p.collections
    );
    // Its description is the lead a summary e-mail prints (the post has
    // no summary: the first paragraph, cut at a sentence).
    assert!(
        p.description
            .as_deref()
            .unwrap()
            .starts_with("South Korea operates"),
        "{:?}",
        p.description
    );
    // The packet's own book: its title as collection, the organisation
    // (the briefs have no authors) as compiler.
    let packet = books
        .iter()
        .find(|b| name(b) == "oversight-briefing.epub")
        .unwrap();
    let p = package(&open_book(packet));
    assert_eq!(
        p.creators,
        [("Briefing Office".to_string(), "com".to_string())]
    );
    assert_eq!(p.collections, [(PACKET_TITLE.to_string(), None)]);
    // The Korean–English packet names both languages.
    let bilingual = books
        .iter()
        .find(|b| name(b) == "oversight-briefing-ko-en.epub")
        .unwrap();
    let p = package(&open_book(bilingual));
    assert_eq!(p.languages, ["ko", "en"]);
    if let Some(results) = common::epubcheck(&books) {
        for (book, messages) in results {
            assert!(messages.is_empty(), "{book:?}: {messages:#?}");
        }
    }
}

#[test]
fn two_builds_give_the_same_covers_and_books_byte_for_byte() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    let (a, b) = (sample(one.path()), sample(two.path()));
    build(&a, &[]);
    build(&b, &[]);
    let (books_a, books_b) = (books(&a.join("output")), books(&b.join("output")));
    assert_eq!(books_a.len(), 4);
    for (x, y) in books_a.iter().zip(&books_b) {
        assert_eq!(x.file_name(), y.file_name());
        let (fx, fy) = (open_book(x), open_book(y));
        assert_eq!(
            fx["OEBPS/cover.png"], fy["OEBPS/cover.png"],
            "{x:?}: cover differs"
        );
        assert_eq!(
            std::fs::read(x).unwrap(),
            std::fs::read(y).unwrap(),
            "{x:?}"
        );
    }
}

/// A project of two briefs with authors, roles, tags and a summary, in
/// one packet.
fn project(dir: &Path, packet_extra: &str, post_extra: &str) -> PathBuf {
    let project = dir.join("p");
    std::fs::create_dir_all(project.join("content/art")).unwrap();
    std::fs::write(
        project.join("brief.toml"),
        format!(
            "[project]\norganisation = \"Office of Example\"\n\n[[packet]]\nname = \"pack\"\ntitle = \"The Pack\"\ndate = \"2025-09-02\"\nbriefs = [\"one\", \"two\"]\n{packet_extra}"
        ),
    )
    .unwrap();
    std::fs::write(
        project.join("content/one.md"),
        format!(
            "---\ntitle: One\nslug: one\ndate: 2025-09-01\nauthors:\n  - name: Ann Author\n  - name: Ed Editor\n    role: editor\n  - name: Tam Translator\n    role: trl\ntags: [oversight, courts]\nsummary: The short of it.\n{post_extra}---\n\nBody of one.\n"
        ),
    )
    .unwrap();
    std::fs::write(
        project.join("content/two.md"),
        "---\ntitle: Two\nslug: two\ndate: 2025-09-01\nauthor: Bo Writer\n---\n\nBody of two.\n",
    )
    .unwrap();
    project
}

#[test]
fn authors_with_roles_tags_summary_and_packets_reach_the_package() {
    let dir = tempfile::tempdir().unwrap();
    let project = project(dir.path(), "", "");
    build(&project, &[]);
    let one = package(&open_book(&project.join("output/epub/one.epub")));
    let owned = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(
        one.creators,
        owned(&[
            ("Ann Author", "aut"),
            ("Ed Editor", "edt"),
            ("Tam Translator", "trl")
        ])
    );
    assert_eq!(one.publisher.as_deref(), Some("Office of Example"));
    assert_eq!(one.subjects, ["oversight", "courts"]);
    assert_eq!(one.description.as_deref(), Some("The short of it."));
    assert_eq!(one.languages, ["en"]);
    assert_eq!(
        one.collections,
        [("The Pack".to_string(), Some("1".to_string()))]
    );
    let two = package(&open_book(&project.join("output/epub/two.epub")));
    assert_eq!(
        two.collections,
        [("The Pack".to_string(), Some("2".to_string()))]
    );
    let pack = package(&open_book(&project.join("output/packets/pack.epub")));
    assert_eq!(
        pack.creators,
        owned(&[
            ("Ann Author", "aut"),
            ("Ed Editor", "edt"),
            ("Tam Translator", "trl"),
            ("Bo Writer", "aut")
        ])
    );
    assert_eq!(pack.subjects, ["oversight", "courts"]);
    let books = books(&project.join("output"));
    if let Some(results) = common::epubcheck(&books) {
        for (book, messages) in results {
            assert!(messages.is_empty(), "{book:?}: {messages:#?}");
        }
    }
}

/// A real 1×1 PNG.
const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

#[test]
fn a_chosen_cover_replaces_the_typeset_one_and_files_outside_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // The post's cover beside it; the packet's inside the project.
    let project = project(
        dir.path(),
        "cover = \"covers/pack.png\"\n",
        "cover: art/cover.png\n",
    );
    std::fs::write(project.join("content/art/cover.png"), PNG_1X1).unwrap();
    std::fs::create_dir_all(project.join("covers")).unwrap();
    std::fs::write(project.join("covers/pack.png"), PNG_1X1).unwrap();
    build(&project, &[]);
    let one = open_book(&project.join("output/epub/one.epub"));
    let p = package(&one);
    assert_eq!(p.cover_href.as_deref(), Some("cover.png"));
    assert_eq!(one["OEBPS/cover.png"], PNG_1X1, "the post's own image");
    let pack = open_book(&project.join("output/packets/pack.epub"));
    assert_eq!(pack["OEBPS/cover.png"], PNG_1X1, "the packet's own image");

    // A cover outside the post's folder (and a secret outside the
    // project) is refused with a warning, and the book still gets a
    // typeset cover.
    let secret = dir.path().join("secret.png");
    std::fs::write(&secret, PNG_1X1).unwrap();
    let text = std::fs::read_to_string(project.join("content/one.md")).unwrap();
    std::fs::write(
        project.join("content/one.md"),
        text.replace("cover: art/cover.png", "cover: ../../secret.png"),
    )
    .unwrap();
    let toml = std::fs::read_to_string(project.join("brief.toml")).unwrap();
    std::fs::write(
        project.join("brief.toml"),
        toml.replace("covers/pack.png", "/etc/passwd"),
    )
    .unwrap();
    let out = build(&project, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cover image \"../../secret.png\" not used"),
        "{stderr}"
    );
    assert!(
        stderr.contains("cover image \"/etc/passwd\" not used"),
        "{stderr}"
    );
    for book in ["output/epub/one.epub", "output/packets/pack.epub"] {
        let files = open_book(&project.join(book));
        let cover = &files["OEBPS/cover.png"];
        assert_ne!(cover, PNG_1X1, "{book}");
        let (w, h) = png_size(cover);
        assert!(w.max(h) >= 1400, "{book}: {w}×{h}");
    }
}

#[test]
fn the_cover_template_is_ejected_and_the_projects_own_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let project = project(dir.path(), "", "");
    build(&project, &[]);
    let default_cover = open_book(&project.join("output/epub/one.epub"))["OEBPS/cover.png"].clone();
    let out = run_in(&project, &["templates", "eject", "cover.typ"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let template = project.join("templates/cover.typ");
    let text = std::fs::read_to_string(&template).unwrap();
    assert!(text.contains("#let cover(data)"));
    // The ejected template gives the same cover; an edited one another.
    build(&project, &[]);
    let same = open_book(&project.join("output/epub/one.epub"))["OEBPS/cover.png"].clone();
    assert_eq!(same, default_cover);
    std::fs::write(
        &template,
        text.replace("rgb(\"#1d3557\")", "rgb(\"#2a6f4e\")"),
    )
    .unwrap();
    build(&project, &[]);
    let edited = open_book(&project.join("output/epub/one.epub"))["OEBPS/cover.png"].clone();
    assert_ne!(edited, default_cover);
    // A broken template fails the books and names itself.
    std::fs::write(&template, "#let cover(data) = { undefined-thing }\n").unwrap();
    let out = run_in(&project, &["build", "--format", "epub", "--no-cache"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("templates/cover.typ"), "{stderr}");
}
