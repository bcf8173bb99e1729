//! The EPUB edition: structure, escaping, determinism, images, footnotes,
//! navigation, word survival — and EPUBCheck 5 on every book we build.
//!
//! EPUBCheck runs once per test for many books (one JVM, see `BATCH_JAVA`).
//! Tests that need EPUBCheck or `../shared` skip with a message when those
//! are missing, and fail instead when `CI=true`.

use brief::config::Config;
use brief::ir::*;
use brief::write::{Context, epub};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

mod common;

// ---------------------------------------------------------------------------
// Building IR by hand

fn t(s: &str) -> Inline {
    Inline::text(s)
}
fn p(content: Vec<Inline>) -> Block {
    Block::Paragraph { content }
}
fn h(level: u8, text: &str) -> Block {
    Block::Heading {
        level,
        id: None,
        content: vec![t(text)],
    }
}

fn meta(title: &str, slug: &str, lang: &str) -> Meta {
    Meta {
        title: title.into(),
        slug: slug.into(),
        date: Some(PostDate {
            day: chrono::NaiveDate::from_ymd_opt(2025, 9, 2).unwrap(),
            datetime: None,
        }),
        lang: lang.into(),
        authors: vec![Author {
            name: "Ann O'Nymous & Co".into(),
            email: None,
            role: None,
        }],
        tags: vec!["policy".into(), "<tags>".into()],
        summary: Some("A summary with \"quotes\" & <angles>.".into()),
        subtitle: None,
        marking: None,
        draft: false,
        extra: vec![],
    }
}

fn post(source: &Path, meta: Meta, body: Vec<Block>, footnotes: Vec<Footnote>) -> Post {
    Post {
        source: source.to_path_buf(),
        source_sha256: String::new(),
        meta,
        body,
        footnotes,
    }
}

fn ctx(root: &Path) -> Context {
    Context::new(Config::default(), root, None, 0)
}

const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// A project folder with one post's images: one inside, one outside (via
/// `..`), one behind a symlink that leaves the project.
struct Project {
    _dir: tempfile::TempDir,
    root: PathBuf,
    outside: PathBuf,
}

fn project() -> Project {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    std::fs::create_dir_all(root.join("content/img")).unwrap();
    std::fs::write(root.join("content/img/dot.png"), PNG_1X1).unwrap();
    std::fs::write(root.join("content/img/not-an-image.png"), b"hello").unwrap();
    let outside = dir.path().join("secret.png");
    std::fs::write(&outside, PNG_1X1).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, root.join("content/img/link.png")).unwrap();
    Project {
        root,
        outside,
        _dir: dir,
    }
}

fn img(src: &str, alt: &str, line: usize) -> Inline {
    Inline::Image {
        src: src.into(),
        title: None,
        alt: alt.into(),
        line,
    }
}

/// A post that uses every block and inline kind, hostile strings included.
fn rich_post(proj: &Project) -> Post {
    let source = proj.root.join("content/rich.md");
    let body = vec![
        p(vec![
            t("Intro with & < > \" ' and a control\u{1}char and "),
            Inline::Emph { content: vec![t("emphasis")] },
            t(", "),
            Inline::Strong { content: vec![t("strong")] },
            t(", "),
            Inline::Strike { content: vec![t("struck")] },
            t(", "),
            Inline::Code { text: "code <b>&amp;</b>".into() },
            t(" and a note"),
            Inline::FootnoteRef { label: "a".into(), number: 1 },
            t("."),
        ]),
        h(2, "First & <Second>"),
        p(vec![
            Inline::Link { url: "https://example.org/a b?q=1&r=2".into(), title: Some("T \"q\"".into()), bare: false, content: vec![t("external")] },
            t(" "),
            Inline::Link { url: "#later-section".into(), title: None, bare: false, content: vec![t("fragment")] },
            t(" "),
            Inline::Link { url: "../other/".into(), title: None, bare: false, content: vec![t("relative")] },
            t(" "),
            Inline::Link { url: "javascript:alert(1)".into(), title: None, bare: false, content: vec![t("evil")] },
            t(" "),
            Inline::Link { url: "#nowhere".into(), title: None, bare: false, content: vec![t("broken")] },
            Inline::SoftBreak,
            t("again"),
            Inline::FootnoteRef { label: "a".into(), number: 1 },
            Inline::HardBreak,
            t("line"),
            Inline::Html { html: "<br>".into() },
            t("after br"),
            Inline::Html { html: "<span onclick=\"x()\">".into() },
            t("spanned"),
            Inline::Html { html: "</span>".into() },
        ]),
        h(3, "Sub section"),
        Block::List {
            start: None,
            tight: true,
            items: vec![
                ListItem { task: Some(true), body: vec![p(vec![t("done task")])] },
                ListItem { task: Some(false), body: vec![p(vec![t("open task")])] },
            ],
        },
        Block::List {
            start: Some(3),
            tight: false,
            items: vec![ListItem { task: None, body: vec![p(vec![t("third item")]), p(vec![t("more")])] }],
        },
        Block::Quote { alert: None, body: vec![p(vec![t("quoted words")])] },
        Block::Quote { alert: Some("warning".into()), body: vec![p(vec![t("alert words")])] },
        Block::Code { lang: Some("rust\"><script>".into()), text: "fn main() { println!(\"</body>\"); }\n".into() },
        Block::Table {
            align: vec![Align::Left, Align::Right],
            head: vec![vec![t("Name")], vec![t("Value")]],
            rows: vec![vec![vec![t("alpha")], vec![t("1")]], vec![vec![t("beta")], vec![]]],
        },
        Block::Rule,
        Block::Html { html: "<div class=\"x\">raw&nbsp;block words<script>alert('pwned')</script></body></html><p>second para</p><style>p{}</style><!-- hidden --></div>".into() },
        Block::Heading { level: 2, id: Some("later-section".into()), content: vec![t("Later section")] },
        p(vec![
            t("Images: "),
            img("img/dot.png", "a dot", 40),
            t(" "),
            img("img/dot.png", "same dot", 41),
            t(" "),
            img("../../secret.png", "escaping dot", 42),
            t(" "),
            img("img/link.png", "symlinked dot", 43),
            t(" "),
            img("/etc/passwd", "absolute", 44),
            t(" "),
            img("https://example.org/x.png", "remote dot", 45),
            t(" "),
            img("img/missing.png", "missing dot", 46),
            t(" "),
            img("img/not-an-image.png", "fake dot", 47),
        ]),
        h(3, "Deep"),
        h(5, "Deeper skipped level"),
        h(2, "Last & final"),
        p(vec![t("The end."), Inline::FootnoteRef { label: "b".into(), number: 2 }, Inline::FootnoteRef { label: "zz".into(), number: 9 }]),
    ];
    let footnotes = vec![
        Footnote {
            label: "a".into(),
            number: 1,
            body: vec![p(vec![
                t("First note with "),
                Inline::Link {
                    url: "https://example.org/n".into(),
                    title: None,
                    bare: true,
                    content: vec![t("https://example.org/n")],
                },
            ])],
        },
        Footnote {
            label: "b".into(),
            number: 2,
            body: vec![p(vec![
                t("Second note refers"),
                Inline::FootnoteRef {
                    label: "a".into(),
                    number: 1,
                },
            ])],
        },
        Footnote {
            label: "unused".into(),
            number: 3,
            body: vec![p(vec![t("Never referenced note")])],
        },
    ];
    post(
        &source,
        meta("Title & <b>Bold</b> \"q\" 'a'", "rich-post", "en"),
        body,
        footnotes,
    )
}

// ---------------------------------------------------------------------------
// Reading a book back

struct Book {
    files: BTreeMap<String, Vec<u8>>,
    order: Vec<String>,
}

impl Book {
    fn open(bytes: &[u8]) -> Book {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut files = BTreeMap::new();
        let mut order = Vec::new();
        for i in 0..archive.len() {
            let mut f = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            order.push(f.name().to_string());
            files.insert(f.name().to_string(), data);
        }
        Book { files, order }
    }

    fn text(&self, name: &str) -> String {
        String::from_utf8(self.files[name].clone()).unwrap()
    }

    fn xhtml_names(&self) -> Vec<String> {
        self.files
            .keys()
            .filter(|n| n.ends_with(".xhtml"))
            .cloned()
            .collect()
    }

    /// The reader-visible text of the content documents, in spine order
    /// (well-formedness checked on the way).
    fn visible_text(&self) -> String {
        let mut all = String::new();
        for name in self.xhtml_names() {
            if name.ends_with("nav.xhtml") {
                continue;
            }
            let src = self.text(&name);
            let doc = parse(&src, &name);
            for node in doc.descendants() {
                if let Some(text) = node.text().filter(|_| node.is_text()) {
                    all.push_str(text);
                    all.push(' ');
                } else if let Some(alt) = node.attribute("alt") {
                    all.push_str(alt);
                    all.push(' ');
                }
            }
        }
        all
    }
}

fn parse<'a>(src: &'a str, name: &str) -> roxmltree::Document<'a> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(src, opts)
        .unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}\n{src}"))
}

fn render(post: &Post, ctx: &Context) -> brief::write::Rendered {
    epub::render(post, ctx).unwrap_or_else(|d| panic!("render failed: {d}"))
}

// ---------------------------------------------------------------------------
// Structure tests

#[test]
fn two_builds_are_byte_identical() {
    let proj = project();
    let post = rich_post(&proj);
    let a = render(&post, &ctx(&proj.root)).bytes;
    let b = render(&post, &ctx(&proj.root)).bytes;
    assert!(a == b, "two builds differ");
    let book = Book::open(&a);
    assert_eq!(book.order[0], "mimetype");
    assert_eq!(book.text("mimetype"), "application/epub+zip");
    let opf = book.text("OEBPS/content.opf");
    let uuid = epub::book_uuid("rich-post");
    assert!(opf.contains(&format!("urn:uuid:{uuid}")), "{opf}");
    assert!(
        opf.contains("<meta property=\"dcterms:modified\">2025-09-02T00:00:00Z</meta>"),
        "{opf}"
    );
}

#[test]
fn modified_date_falls_back_to_source_date_epoch() {
    let proj = project();
    let mut post = rich_post(&proj);
    post.meta.date = None;
    let mut c = ctx(&proj.root);
    c.source_date_epoch = Some(1_700_000_000);
    let opf = Book::open(&render(&post, &c).bytes).text("OEBPS/content.opf");
    assert!(
        opf.contains("<meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>"),
        "{opf}"
    );
}

#[test]
fn hostile_text_is_escaped_and_raw_html_never_passes_through() {
    let proj = project();
    let post = rich_post(&proj);
    let rendered = render(&post, &ctx(&proj.root));
    let book = Book::open(&rendered.bytes);
    for name in book
        .files
        .keys()
        .filter(|n| n.ends_with(".xhtml") || n.ends_with(".opf") || n.ends_with(".ncx"))
    {
        let src = book.text(name);
        parse(&src, name);
        assert!(!src.contains("<script"), "{name} has a script element");
        assert!(!src.contains("onclick"), "{name} has an event handler");
        assert!(!src.contains("<span onclick"), "{name}");
        assert!(!src.contains("&nbsp;"), "{name} has an undeclared entity");
        assert!(!src.contains('\u{1}'), "{name} has a control character");
        assert!(src.contains("xml:lang=\"en\""), "{name} has no xml:lang");
    }
    let text = book.visible_text();
    for words in [
        "Title & <b>Bold</b> \"q\" 'a'",
        "First & <Second>",
        "Intro with & < > \" ' and a controlchar",
        "raw\u{a0}block words",
        "second para",
        "fn main() { println!(\"</body>\"); }",
    ] {
        assert!(text.contains(words), "missing {words:?} in {text}");
    }
    assert!(!text.contains("pwned"), "script content shown");
    let opf = book.text("OEBPS/content.opf");
    assert!(
        opf.contains("<dc:subject>&lt;tags&gt;</dc:subject>"),
        "{opf}"
    );
    assert!(
        opf.contains("<dc:creator id=\"creator-1\">Ann O'Nymous &amp; Co</dc:creator>"),
        "{opf}"
    );
    assert!(opf.contains("<dc:language>en</dc:language>"));
    let messages: Vec<String> = rendered.warnings.iter().map(|d| d.to_string()).collect();
    assert!(
        messages.iter().any(|m| m.contains("XML 1.0 forbids")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("<script>") && m.contains("<style>")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("unsafe or unknown scheme")),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("#nowhere")),
        "{messages:#?}"
    );
}

#[test]
fn accessibility_metadata_is_present() {
    let proj = project();
    let book = Book::open(&render(&rich_post(&proj), &ctx(&proj.root)).bytes);
    let opf = book.text("OEBPS/content.opf");
    for needle in [
        "<meta property=\"schema:accessMode\">textual</meta>",
        "<meta property=\"schema:accessMode\">visual</meta>",
        "<meta property=\"schema:accessModeSufficient\">textual</meta>",
        "<meta property=\"schema:accessibilityFeature\">tableOfContents</meta>",
        "<meta property=\"schema:accessibilityFeature\">alternativeText</meta>",
        "<meta property=\"schema:accessibilityHazard\">none</meta>",
        "<meta property=\"schema:accessibilitySummary\">",
        "<meta property=\"dcterms:conformsTo\">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>",
        "<dc:description>A summary with \"quotes\" &amp; &lt;angles&gt;.</dc:description>",
        "xml:lang=\"en\"",
    ] {
        assert!(opf.contains(needle), "missing {needle} in {opf}");
    }
}

#[test]
fn footnotes_are_epub3_notes_with_back_links() {
    let proj = project();
    let book = Book::open(&render(&rich_post(&proj), &ctx(&proj.root)).bytes);
    let chapter = book.text("OEBPS/chapter-1.xhtml");
    assert!(chapter.contains("<sup><a epub:type=\"noteref\" role=\"doc-noteref\" id=\"fnref-1\" href=\"notes.xhtml#fn-1\">1</a></sup>"), "{chapter}");
    assert!(
        chapter.contains("id=\"fnref-1-2\""),
        "second reference gets its own id"
    );
    assert!(
        chapter.contains("[9]"),
        "a reference to a missing note stays visible"
    );
    let notes = book.text("OEBPS/notes.xhtml");
    assert!(
        notes.contains("<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"fn-1\">"),
        "{notes}"
    );
    assert!(
        notes.contains("href=\"chapter-1.xhtml#fnref-1\""),
        "{notes}"
    );
    assert!(
        notes.contains("href=\"chapter-1.xhtml#fnref-1-2\""),
        "{notes}"
    );
    assert!(
        notes.contains("href=\"#fnref-1-3\""),
        "reference from inside a note links back within notes"
    );
    assert!(notes.contains("Never referenced note"));
    let opf = book.text("OEBPS/content.opf");
    assert!(opf.contains("href=\"notes.xhtml\""));
}

#[test]
fn navigation_nests_headings_under_the_title() {
    let proj = project();
    let book = Book::open(&render(&rich_post(&proj), &ctx(&proj.root)).bytes);
    let nav = book.text("OEBPS/nav.xhtml");
    let doc = parse(&nav, "nav");
    assert_eq!(
        doc.root_element()
            .attribute(("http://www.w3.org/XML/1998/namespace", "lang")),
        Some("en")
    );
    let toc = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("toc"))
        .unwrap();
    // Collect (depth, label, href) for every link in the toc.
    let mut entries = Vec::new();
    for a in toc.descendants().filter(|n| n.has_tag_name("a")) {
        let depth = a.ancestors().filter(|n| n.has_tag_name("ol")).count();
        entries.push((
            depth,
            a.text().unwrap_or("").trim().to_string(),
            a.attribute("href").unwrap().to_string(),
        ));
    }
    let labels: Vec<(usize, &str)> = entries.iter().map(|(d, l, _)| (*d, l.as_str())).collect();
    assert_eq!(
        labels,
        vec![
            (1, "Title & <b>Bold</b> \"q\" 'a'"),
            (2, "First & <Second>"),
            (3, "Sub section"),
            (2, "Later section"),
            (3, "Deep"),
            (4, "Deeper skipped level"),
            (2, "Last & final"),
            (1, "Notes"),
        ],
        "{nav}"
    );
    assert_eq!(entries[3].2, "chapter-1.xhtml#later-section");
    let chapter = book.text("OEBPS/chapter-1.xhtml");
    assert!(
        chapter.contains("<a href=\"#later-section\">fragment</a>"),
        "{chapter}"
    );
    assert!(
        chapter.contains("relative <span class=\"link-target\">(../other/)</span>"),
        "{chapter}"
    );
    assert!(
        chapter
            .contains("href=\"https://example.org/a%20b?q=1&amp;r=2\" title=\"T &quot;q&quot;\""),
        "{chapter}"
    );
}

#[test]
fn long_posts_are_split_into_chapters_and_links_follow() {
    let proj = project();
    let mut post = rich_post(&proj);
    let mut c = ctx(&proj.root);
    c.config.epub.split_chars = 100;
    post.body.insert(
        0,
        Block::Paragraph {
            content: vec![Inline::Link {
                url: "#last--final".into(),
                title: None,
                bare: false,
                content: vec![t("to the end")],
            }],
        },
    );
    let book = Book::open(&render(&post, &c).bytes);
    assert!(
        book.files.contains_key("OEBPS/chapter-4.xhtml"),
        "{:?}",
        book.files.keys()
    );
    assert!(
        book.text("OEBPS/chapter-1.xhtml")
            .contains("href=\"chapter-4.xhtml#last--final\"")
    );
    assert!(book.text("OEBPS/chapter-4.xhtml").starts_with("<?xml"));
    let nav = book.text("OEBPS/nav.xhtml");
    assert!(nav.contains("href=\"chapter-2.xhtml\""), "{nav}");
}

#[test]
fn images_inside_are_embedded_and_others_never_read() {
    let proj = project();
    let rendered = render(&rich_post(&proj), &ctx(&proj.root));
    let book = Book::open(&rendered.bytes);
    let images: Vec<_> = book
        .files
        .keys()
        .filter(|n| n.starts_with("OEBPS/images/"))
        .collect();
    assert_eq!(
        images,
        vec!["OEBPS/images/image-1.png"],
        "one file, embedded once"
    );
    assert_eq!(book.files["OEBPS/images/image-1.png"], PNG_1X1);
    let opf = book.text("OEBPS/content.opf");
    assert!(opf.contains("media-type=\"image/png\""), "{opf}");
    let chapter = book.text("OEBPS/chapter-1.xhtml");
    assert!(chapter.contains("<img src=\"images/image-1.png\" alt=\"a dot\"/>"));
    assert!(
        chapter.contains(
            "<a class=\"image-link\" href=\"https://example.org/x.png\">[remote dot]</a>"
        ),
        "{chapter}"
    );
    for alt in [
        "escaping dot",
        "symlinked dot",
        "absolute",
        "missing dot",
        "fake dot",
    ] {
        assert!(
            chapter.contains(&format!("<span class=\"image-missing\">[{alt}]</span>")),
            "{alt}: {chapter}"
        );
    }
    let warned: Vec<(usize, String)> = rendered
        .warnings
        .iter()
        .filter(|d| d.message.starts_with("image "))
        .map(|d| (d.line.unwrap(), d.message.clone()))
        .collect();
    let lines: Vec<usize> = warned.iter().map(|w| w.0).collect();
    assert_eq!(lines, vec![42, 43, 44, 45, 46, 47], "{warned:#?}");
    assert!(
        warned[0].1.contains("outside the post's folder"),
        "{warned:#?}"
    );
    assert!(
        warned[1].1.contains("outside the post's folder"),
        "{warned:#?}"
    );
    assert!(warned[2].1.contains("absolute"), "{warned:#?}");
    assert!(warned[3].1.contains("never fetched"), "{warned:#?}");
    assert!(
        rendered
            .warnings
            .iter()
            .all(|d| d.file.as_deref() == Some(proj.root.join("content/rich.md").as_path()))
    );
    assert!(proj.outside.exists());
}

#[test]
fn every_word_of_the_post_is_in_the_book() {
    let proj = project();
    let post = rich_post(&proj);
    let book = Book::open(&render(&post, &ctx(&proj.root)).bytes);
    assert_words_survive(&post, &book);
}

fn assert_words_survive(post: &Post, book: &Book) {
    let text = book.visible_text();
    let have: std::collections::HashSet<&str> =
        text.split(|c: char| !c.is_alphanumeric()).collect();
    let mut missing = Vec::new();
    for word in post_words(post) {
        if !have.contains(word.as_str()) && !text.contains(&word) {
            missing.push(word);
        }
    }
    assert!(
        missing.is_empty(),
        "{}: words missing from the book: {missing:?}",
        post.source.display()
    );
}

/// Words of the post as a reader should see them: text, code, alt text,
/// raw HTML by the raw-HTML rule, footnotes, title.
fn post_words(post: &Post) -> Vec<String> {
    let mut s = String::new();
    s.push_str(&post.meta.title);
    s.push(' ');
    for b in post
        .body
        .iter()
        .chain(post.footnotes.iter().flat_map(|f| &f.body))
    {
        block_text(b, &mut s);
    }
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn block_text(b: &Block, s: &mut String) {
    match b {
        Block::Heading { content, .. } | Block::Paragraph { content } => inline_text(content, s),
        Block::List { items, .. } => items
            .iter()
            .flat_map(|i| &i.body)
            .for_each(|b| block_text(b, s)),
        Block::Quote { body, .. } => body.iter().for_each(|b| block_text(b, s)),
        Block::Code { text, .. } => s.push_str(text),
        Block::Table { head, rows, .. } => head
            .iter()
            .chain(rows.iter().flatten())
            .for_each(|c| inline_text(c, s)),
        Block::Rule => {}
        Block::Html { html } => s.push_str(&brief::write::shared::html_text::one_line(html)),
    }
    s.push(' ');
}

fn inline_text(inlines: &[Inline], s: &mut String) {
    for i in inlines {
        match i {
            Inline::Text { text } | Inline::Code { text } => s.push_str(text),
            Inline::Html { html } => s.push_str(&brief::write::shared::html_text::one_line(html)),
            Inline::Emph { content }
            | Inline::Strong { content }
            | Inline::Strike { content }
            | Inline::Link { content, .. } => inline_text(content, s),
            Inline::Image { alt, .. } => s.push_str(alt),
            Inline::FootnoteRef { .. } => {}
            Inline::SoftBreak | Inline::HardBreak => s.push(' '),
            Inline::Redacted { .. } => s.push_str(brief::ir::redact::BAR),
        }
        s.push(' ');
    }
}

#[test]
fn language_is_set_everywhere_and_falls_back_to_the_project() {
    let proj = project();
    let mut post = rich_post(&proj);
    post.meta.lang = "not a tag!".into();
    let mut c = ctx(&proj.root);
    c.config.project.lang = "ko".into();
    let book = Book::open(&render(&post, &c).bytes);
    assert!(
        book.text("OEBPS/content.opf")
            .contains("<dc:language>ko</dc:language>")
    );
    for name in book.xhtml_names() {
        let src = book.text(&name);
        assert!(src.contains("xml:lang=\"ko\" lang=\"ko\""), "{name}");
    }
    assert!(book.text("OEBPS/title.xhtml").contains("2025년 9월 2일"));
}

#[test]
fn project_stylesheet_overrides_the_default() {
    let proj = project();
    let post = rich_post(&proj);
    let book = Book::open(&render(&post, &ctx(&proj.root)).bytes);
    assert_eq!(
        book.text("OEBPS/stylesheet.css"),
        brief::write::resources::DEFAULT_STYLESHEET
    );
    std::fs::create_dir_all(proj.root.join("templates")).unwrap();
    std::fs::write(
        proj.root.join("templates/epub.css"),
        "body { color: black; }",
    )
    .unwrap();
    let book = Book::open(&render(&post, &ctx(&proj.root)).bytes);
    assert_eq!(book.text("OEBPS/stylesheet.css"), "body { color: black; }");
}

// ---------------------------------------------------------------------------
// EPUBCheck

// The batch runner (one JVM for all books) is shared: `common::epubcheck`.
use common::epubcheck;

fn assert_clean(results: &BTreeMap<PathBuf, Vec<String>>) {
    let bad: Vec<_> = results.iter().filter(|(_, m)| !m.is_empty()).collect();
    let messages: usize = bad.iter().map(|(_, m)| m.len()).sum();
    eprintln!(
        "EPUBCheck: {} book(s), {} with messages, {messages} message(s)",
        results.len(),
        bad.len()
    );
    assert!(bad.is_empty(), "EPUBCheck messages:\n{bad:#?}");
}

fn write_book(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(format!("{name}.epub"));
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn epubcheck_accepts_hand_built_books() {
    let proj = project();
    let out = tempfile::tempdir().unwrap();
    let mut books = Vec::new();
    let post = rich_post(&proj);
    books.push(write_book(
        out.path(),
        "rich",
        &render(&post, &ctx(&proj.root)).bytes,
    ));
    let mut c = ctx(&proj.root);
    c.config.epub.split_chars = 100;
    books.push(write_book(out.path(), "split", &render(&post, &c).bytes));
    let mut bare = post.clone();
    bare.body = vec![p(vec![t("Only a paragraph.")])];
    bare.footnotes.clear();
    bare.meta.authors.clear();
    bare.meta.date = None;
    bare.meta.summary = None;
    bare.meta.tags.clear();
    books.push(write_book(
        out.path(),
        "bare",
        &render(&bare, &ctx(&proj.root)).bytes,
    ));
    let mut empty = bare.clone();
    empty.body.clear();
    empty.meta.title = "\u{1}".into();
    let warnings = render(&empty, &ctx(&proj.root)).warnings;
    assert!(
        warnings
            .iter()
            .any(|w| w.message.starts_with("1 character(s)")),
        "{warnings:?}"
    );
    books.push(write_book(
        out.path(),
        "empty",
        &render(&empty, &ctx(&proj.root)).bytes,
    ));
    let mut rtl = bare.clone();
    rtl.meta.lang = "ar".into();
    rtl.body = vec![h(1, "مرحبا"), p(vec![t("نص عربي")])];
    books.push(write_book(
        out.path(),
        "rtl",
        &render(&rtl, &ctx(&proj.root)).bytes,
    ));
    // The harness itself must see problems: a broken book is reported.
    let broken = write_book(out.path(), "broken", b"PK not a zip");
    books.push(broken.clone());
    if let Some(mut results) = epubcheck(&books) {
        let seen = results.remove(&broken).unwrap();
        assert!(
            seen.iter()
                .any(|m| m.starts_with("FATAL") || m.starts_with("ERROR")),
            "{seen:?}"
        );
        books.pop();
        assert_clean(&results);
    }
    keep_books(&books);
}

/// `BRIEF_EPUB_KEEP=dir` keeps the books a test built, for reading them.
fn keep_books(books: &[PathBuf]) {
    if let Ok(dir) = std::env::var("BRIEF_EPUB_KEEP") {
        for b in books {
            std::fs::copy(b, Path::new(&dir).join(b.file_name().unwrap())).unwrap();
        }
    }
}

/// Renders every post under `dir` the spine accepts, checks its words
/// survived, and writes the books into `out`.
fn build_folder(dir: &Path, root: &Path, out: &Path) -> (Vec<PathBuf>, usize) {
    let mut books = Vec::new();
    let mut refused = 0;
    for path in brief::read::discover(dir).unwrap() {
        let Ok(read) = brief::read::read_post(&path, "en") else {
            refused += 1;
            continue;
        };
        let rendered = render(&read.post, &ctx(root));
        if std::env::var_os("BRIEF_EPUB_WARNINGS").is_some() {
            for w in &rendered.warnings {
                eprintln!("{w}");
            }
        }
        assert_words_survive(&read.post, &Book::open(&rendered.bytes));
        let name = path
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace(['/', '\\', '.'], "_");
        books.push(write_book(out, &name, &rendered.bytes));
    }
    (books, refused)
}

#[test]
fn sample_post_reads_well_and_passes_epubcheck() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let (books, refused) = build_folder(&root.join("content"), root, out.path());
    keep_books(&books);
    assert_eq!(refused, 0);
    assert_eq!(books.len(), 2, "the sample and its Korean translation");
    // The English sample (its Korean translation is `<slug>.ko.md`).
    let english = books
        .iter()
        .find(|b| !b.to_string_lossy().contains("_ko_md"))
        .unwrap();
    let book = Book::open(&std::fs::read(english).unwrap());
    assert!(book.text("OEBPS/title.xhtml").contains("2 September 2025"));
    assert!(book.text("OEBPS/nav.xhtml").contains("Main Argument"));
    if let Some(results) = epubcheck(&books) {
        assert_clean(&results);
    }
}

#[test]
fn epubcheck_accepts_every_real_corpus_post() {
    let Some(shared) = common::shared() else {
        return;
    };
    let real = shared.join("corpus/real");
    let out = tempfile::tempdir().unwrap();
    let (books, refused) = build_folder(&real, &real, out.path());
    keep_books(&books);
    eprintln!(
        "corpus/real: {} book(s) built, {refused} post(s) refused by the spine",
        books.len()
    );
    assert!(books.len() >= 40, "only {} books", books.len());
    if let Some(results) = epubcheck(&books) {
        assert_clean(&results);
    }
}

/// Every CommonMark spec example, 40 to a book (and the GFM extension
/// examples in one more): each example is a
/// level-2 heading followed by its parsed body.
#[test]
fn epubcheck_accepts_all_commonmark_examples() {
    let Some(shared) = common::shared() else {
        return;
    };
    let read = |name: &str| -> Vec<serde_json::Value> {
        serde_json::from_str(
            &std::fs::read_to_string(shared.join("corpus/commonmark").join(name)).unwrap(),
        )
        .unwrap()
    };
    let spec = read("spec.json");
    let gfm = read("gfm.json");
    let proj = project();
    let out = tempfile::tempdir().unwrap();
    let mut books = Vec::new();
    // The GFM extension examples (tables, task lists, strikethrough,
    // autolinks, disallowed raw HTML) go in one more book.
    for (n, chunk) in spec
        .chunks(40)
        .chain(std::iter::once(gfm.as_slice()))
        .enumerate()
    {
        let mut body = Vec::new();
        let mut footnotes = Vec::new();
        for example in chunk {
            let number = example["number"].as_u64().unwrap();
            let parsed = brief::read::markdown::parse(example["markdown"].as_str().unwrap(), 1);
            body.push(h(2, &format!("Example {number}")));
            body.extend(parsed.body);
            footnotes.extend(parsed.footnotes);
        }
        let source = proj.root.join(format!("content/spec-{n}.md"));
        let post = post(
            &source,
            meta(
                &format!("CommonMark examples, part {}", n + 1),
                &format!("spec-{n}"),
                "en",
            ),
            body,
            footnotes,
        );
        let rendered = render(&post, &ctx(&proj.root));
        assert_words_survive(&post, &Book::open(&rendered.bytes));
        books.push(write_book(
            out.path(),
            &format!("spec-{n}"),
            &rendered.bytes,
        ));
    }
    assert_eq!(books.len(), spec.len().div_ceil(40) + 1);
    if let Some(results) = epubcheck(&books) {
        assert_clean(&results);
    }
}

/// The XHTML of the rich post, reviewed like code (house habit 8).
#[test]
fn rich_post_xhtml_snapshot() {
    let proj = project();
    let book = Book::open(&render(&rich_post(&proj), &ctx(&proj.root)).bytes);
    for name in ["title", "chapter-1", "notes", "nav"] {
        insta::assert_snapshot!(
            format!("rich_{name}"),
            book.text(&format!("OEBPS/{name}.xhtml"))
        );
    }
}
