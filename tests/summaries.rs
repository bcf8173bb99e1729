//! Summaries an official reads in one minute (`write::shared::summary`):
//! for the sample and every real post of `../shared/corpus/real`, made of
//! the post's own sentences only, within the word budget, no key point a
//! bare heading or taken from a sources or appendix section; the sample's
//! five asks kept; the packet digest and the summary e-mail print the same
//! summary.

mod common;

use brief::ir::{Block, Inline, Post};
use brief::write::shared::summary::{
    self, Summary, one_line, plain, sentences, skipped, summarize, word_count,
};
use common::*;
use std::path::Path;

/// Every text of the post as one line per block, the way the summary reads
/// it (plain words, no note markers).
fn source_text(post: &Post) -> String {
    fn blocks(list: &[Block], out: &mut Vec<String>) {
        for b in list {
            match b {
                Block::Heading { content, .. } | Block::Paragraph { content } => {
                    out.push(one_line(&plain(content)))
                }
                Block::List { items, .. } => items.iter().for_each(|i| {
                    let paragraphs: Vec<String> = i
                        .body
                        .iter()
                        .filter_map(|b| match b {
                            Block::Paragraph { content } => Some(plain(content)),
                            _ => None,
                        })
                        .collect();
                    out.push(one_line(&paragraphs.join(" ")));
                    blocks(&i.body, out)
                }),
                Block::Quote { body, .. } => blocks(body, out),
                Block::Table { head, rows, .. } => head
                    .iter()
                    .chain(rows.iter().flatten())
                    .for_each(|c: &Vec<Inline>| out.push(one_line(&plain(c)))),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    blocks(&post.body, &mut out);
    if let Some(s) = &post.meta.summary {
        out.push(one_line(s));
    }
    out.join("\n")
}

fn headings(post: &Post) -> Vec<String> {
    fn walk(list: &[Block], out: &mut Vec<String>) {
        for b in list {
            match b {
                Block::Heading { content, .. } => out.push(one_line(&plain(content))),
                Block::List { items, .. } => items.iter().for_each(|i| walk(&i.body, out)),
                Block::Quote { body, .. } => walk(body, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&post.body, &mut out);
    out
}

/// The text of the top-level sections whose heading names sources,
/// references, notes or appendices.
fn skipped_text(post: &Post) -> Vec<String> {
    let top = post
        .body
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, .. } => Some(*level),
            _ => None,
        })
        .min();
    let mut out = Vec::new();
    let mut inside = false;
    for b in &post.body {
        if let Block::Heading { level, content, .. } = b {
            if Some(*level) == top {
                inside = skipped(&one_line(&plain(content)), &post.meta.lang);
                continue;
            }
        }
        if inside {
            if let Block::Paragraph { content } = b {
                out.push(one_line(&plain(content)));
            }
        }
    }
    out
}

/// Every property a summary must have; `Err` says which broke.
fn check(post: &Post, s: &Summary, budget: usize) -> Result<(), String> {
    let source = source_text(post);
    let parts: Vec<&String> = s
        .lead
        .iter()
        .chain(&s.key_points)
        .chain(s.asks.iter().flat_map(|(_, a)| a))
        .collect();
    let words: usize = parts.iter().map(|p| word_count(p)).sum();
    if words > budget {
        return Err(format!("{words} words, over the budget of {budget}"));
    }
    for part in &parts {
        for sentence in sentences(part) {
            let sentence = sentence.trim_end_matches('…');
            if !source.contains(sentence) {
                return Err(format!("not a sentence of the post: {sentence:?}"));
            }
        }
    }
    let headings = headings(post);
    let skipped = skipped_text(post);
    for point in &s.key_points {
        if headings.contains(point) {
            return Err(format!("a bare heading as a key point: {point:?}"));
        }
        let in_skipped = skipped.iter().any(|t| t.contains(point.as_str()));
        let elsewhere = source
            .lines()
            .any(|l| l.contains(point.as_str()) && !skipped.contains(&l.to_string()));
        if in_skipped && !elsewhere {
            return Err(format!(
                "a key point from a sources/appendix section: {point:?}"
            ));
        }
    }
    Ok(())
}

fn sample() -> Post {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    // The English sample (content/ holds its Korean translation too).
    let file = brief::read::discover(&dir)
        .unwrap()
        .into_iter()
        .find(|f| !f.to_string_lossy().ends_with(".ko.md"))
        .unwrap();
    brief::read::read_post(&file, "en").unwrap().post
}

#[test]
fn the_sample_summary_holds_its_five_asks_in_its_own_sentences_within_250_words() {
    let post = sample();
    let s = summarize(&post, 250);
    check(&post, &s, 250).unwrap();
    let (line, asks) = s.asks.as_ref().expect("the sample's asks");
    assert_eq!(line, "Immediate asks to G7/Nordic missions");
    assert_eq!(asks.len(), 5, "{asks:#?}");
    assert!(asks[0].starts_with("Publicly denounce the Korean government"));
    assert!(asks[4].starts_with("Facilitate protected media access"));
    assert!(
        s.lead
            .as_deref()
            .unwrap()
            .starts_with("South Korea operates as both")
    );
    assert!(!s.key_points.is_empty());
    assert_eq!(s.sources.len(), 3);
    // Read at 72 columns: no line wider, but for an address.
    for (line, _) in summary::render(&s, 72, "", "en") {
        let width = unicode_width::UnicodeWidthStr::width(line.as_str());
        assert!(
            width <= 72 || line.trim_start().starts_with("https://"),
            "{line:?}"
        );
    }
}

#[test]
fn a_smaller_budget_is_kept_with_whole_sentences() {
    let post = sample();
    for budget in [40, 80, 120] {
        let s = summarize(&post, budget);
        check(&post, &s, budget).unwrap_or_else(|e| panic!("budget {budget}: {e}"));
    }
}

#[test]
fn every_real_post_gets_a_summary_of_its_own_sentences_within_the_budget() {
    let Some(shared) = shared() else { return };
    let dir = shared.join("corpus/real");
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in brief::read::discover(&dir).unwrap() {
        let Ok(read) = brief::read::read_post(&file, "en") else {
            continue;
        };
        let s = summarize(&read.post, 250);
        if let Err(e) = check(&read.post, &s, 250) {
            failures.push(format!("{}: {e}", file.display()));
        }
        checked += 1;
    }
    assert!(checked >= 55, "only {checked} posts read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn front_matter_summary_key_points_and_asks_win() {
    let text = "---\ntitle: T\nsummary: The short version. It has two sentences.\n\
                key_points: [First point., Second point.]\nasks: [Do this., Do that.]\n---\n\
                ## Body\n\nSomething else entirely happens here in the body.\n";
    let post = brief::read::parse_post(Path::new("t.md"), text.as_bytes(), "en")
        .unwrap()
        .post;
    let s = summarize(&post, 250);
    assert_eq!(
        s.lead.as_deref(),
        Some("The short version. It has two sentences.")
    );
    assert_eq!(s.key_points, ["First point.", "Second point."]);
    assert_eq!(s.asks.unwrap().1, ["Do this.", "Do that."]);
}

#[test]
fn japanese_words_are_counted_by_characters() {
    assert_eq!(word_count("これは日本語の文です。"), 6);
    assert_eq!(word_count("two words"), 2);
    assert_eq!(word_count("한국어 문장 세 단어"), 4);
    assert_eq!(sentences("最初の文。次の文。"), ["最初の文。", "次の文。"]);
    assert_eq!(
        sentences("The U.S. Department agreed. Then it released."),
        ["The U.S. Department agreed.", "Then it released."]
    );
}

/// The digest's entry for a brief and the brief's summary e-mail carry
/// the same summary, through the real binary.
#[test]
fn the_packet_digest_and_the_summary_message_print_the_same_summary() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &dir.path().join("content"),
    );
    for file in brief::read::discover(&dir.path().join("content")).unwrap() {
        if file.to_string_lossy().ends_with(".ko.md") {
            std::fs::remove_file(file).unwrap();
        }
    }
    let slug = sample().meta.slug;
    std::fs::write(
        dir.path().join("brief.toml"),
        format!(
            "[email]\nfrom = \"Desk <desk@example.org>\"\nto = [\"a@example.org\"]\nsummary = true\n\n\
             [[packet]]\nname = \"p\"\ntitle = \"P\"\ndate = \"2025-09-02\"\nbriefs = [\"{slug}\"]\n"
        ),
    )
    .unwrap();
    let out = run_in(dir.path(), &["build", "--format", "email"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let digest = std::fs::read_to_string(dir.path().join("output/packets/p.txt")).unwrap();
    let eml = std::fs::read_to_string(dir.path().join(format!("output/email/{slug}.eml"))).unwrap();
    let body = quoted_printable(eml.split_once("\r\n\r\n").unwrap().1);
    // Unflow the message (soft line ends are "space CRLF") and unstuff.
    let message: String = body.replace(" \r\n", " ").replace("\r\n", "\n");
    let unstuffed: Vec<&str> = message
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    let message_words: Vec<&str> = unstuffed
        .iter()
        .flat_map(|l| l.split_whitespace())
        .collect();
    let s = summarize(&sample(), 250);
    let expected: Vec<String> = summary::render(&s, 10_000, "", "en")
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    let expected_words: Vec<&str> = expected.iter().flat_map(|l| l.split_whitespace()).collect();
    let digest_words: Vec<&str> = digest.split_whitespace().collect();
    let contains = |hay: &[&str], needle: &[&str]| hay.windows(needle.len()).any(|w| w == needle);
    assert!(
        contains(&message_words, &expected_words),
        "message:\n{message}"
    );
    assert!(
        contains(&digest_words, &expected_words),
        "digest:\n{digest}"
    );
}

/// `brief summary SLUG` prints the summary a message would carry, writes
/// nothing, and names a slug no post has (exit 1).
#[test]
fn brief_summary_prints_the_summary_for_review_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &dir.path().join("content"),
    );
    let slug = sample().meta.slug;
    let out = run_in(dir.path(), &["summary", &slug]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    let expected: Vec<String> = summary::render(&summarize(&sample(), 250), 72, "", "en")
        .into_iter()
        .map(|(l, _)| l.trim_end().to_string())
        .collect();
    assert!(printed.contains(&expected.join("\n")), "{printed}");
    assert!(
        printed
            .lines()
            .all(|l| l.chars().count() <= 72 || l.starts_with("  https://")),
        "{printed}"
    );
    assert!(!dir.path().join("output").exists());
    let missing = run_in(dir.path(), &["summary", "no-such-post"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("no post has the slug \"no-such-post\"")
    );
}

/// The summary edition: `brief build` writes `summary/<slug>.txt` beside
/// the other editions, holding exactly what `brief summary SLUG` prints,
/// listed in the manifest; `--format summary` builds it alone; a summary
/// message carries the same text as its body.
#[test]
fn the_summary_edition_is_a_file_to_review_with_what_messages_carry() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &dir.path().join("content"),
    );
    let slug = sample().meta.slug;
    std::fs::write(
        dir.path().join("brief.toml"),
        "[project]\nbase_url = \"https://example.org/briefs\"\n\n\
         [email]\nfrom = \"Desk <desk@example.org>\"\nto = [\"a@example.org\"]\nsummary = true\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["build", "--format", "summary"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let output = dir.path().join("output");
    let file = output.join(format!("summary/{slug}.txt"));
    let written = std::fs::read_to_string(&file).unwrap();
    // Only the summary edition was asked for.
    assert!(!output.join("pdf").exists() && !output.join("email").exists());
    let printed = run_in(dir.path(), &["summary", &slug]);
    assert_eq!(String::from_utf8_lossy(&printed.stdout), written);
    assert!(written.contains("Immediate asks"), "{written}");
    assert!(written.ends_with(&format!("https://example.org/briefs/{slug}\n")));
    let manifest = std::fs::read_to_string(output.join("manifest.json")).unwrap();
    assert!(
        manifest.contains(&format!("\"summary/{slug}.txt\"")),
        "{manifest}"
    );

    // A full build writes it too, and the summary message's body is it.
    let out = run_in(dir.path(), &["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), written);
    let eml = std::fs::read_to_string(output.join(format!("email/{slug}.eml"))).unwrap();
    let body = quoted_printable(eml.split_once("\r\n\r\n").unwrap().1);
    let message: String = body.replace(" \r\n", " ").replace("\r\n", "\n");
    let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    let (message_words, file_words) = (words(&message), words(&written));
    assert!(
        message_words
            .windows(file_words.len())
            .any(|w| w == file_words.as_slice()),
        "message:\n{message}\nfile:\n{written}"
    );
}
