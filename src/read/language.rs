//! A post's language: `lang:` when the front matter names one, else the
//! language its script says (a Japanese post is `ja`, not the project's
//! `en`), else the project's default. The inference is reported as a note,
//! so the author sees what was chosen and how to override it.

use std::path::Path;

use crate::diag::Diagnostic;
use crate::ir::script::guess_language;
use crate::ir::{Block, Inline, plain_text};

/// The language of a post and, when it was inferred, a note saying so.
pub fn resolve(
    declared: Option<String>,
    title: &str,
    body: &[Block],
    default_lang: &str,
    path: &Path,
) -> (String, Option<Diagnostic>) {
    if let Some(lang) = declared {
        return (lang, None);
    }
    let mut text = title.to_string();
    prose(body, &mut text);
    let Some(guess) = guess_language(&text) else {
        return (default_lang.to_string(), None);
    };
    // The project's own language already names this one (`ko-KR` for a
    // Korean post): keep its region.
    let default_primary = default_lang.split(['-', '_']).next().unwrap_or("");
    if default_primary.eq_ignore_ascii_case(guess.lang) {
        return (default_lang.to_string(), None);
    }
    let note = Diagnostic::note(format!(
        "no `lang:`; the text is taken for {} ({:.0}% of its letters are {})",
        guess.lang,
        guess.share * 100.0,
        guess.script
    ))
    .in_file(path)
    .with_hint(format!(
        "add `lang: {}` (or the right tag) to the front matter to say so",
        guess.lang
    ));
    (guess.lang.to_string(), Some(note))
}

/// The text a reader reads (headings, paragraphs, lists, quotes, tables),
/// without code, whose keywords are Latin whatever the post's language.
fn prose(blocks: &[Block], out: &mut String) {
    for block in blocks {
        match block {
            Block::Heading { content, .. } | Block::Paragraph { content } => {
                push_inlines(content, out)
            }
            Block::List { items, .. } => items.iter().for_each(|i| prose(&i.body, out)),
            Block::Quote { body, .. } => prose(body, out),
            Block::Table { head, rows, .. } => head
                .iter()
                .chain(rows.iter().flatten())
                .for_each(|cell| push_inlines(cell, out)),
            _ => {}
        }
    }
}

fn push_inlines(inlines: &[Inline], out: &mut String) {
    let without_code: Vec<Inline> = inlines
        .iter()
        .filter(|i| !matches!(i, Inline::Code { .. }))
        .cloned()
        .collect();
    out.push(' ');
    out.push_str(&plain_text(&without_code));
}
