//! What front-matter keys mean: the fields we understand, the forms we
//! accept for each, and everything else kept as data in `extra`.

use crate::diag::{Diagnostic, quote};
use crate::ir::{Author, PostDate};
use crate::read::dates;
use crate::read::frontmatter::{Fields, FrontMatter};
use chrono::Datelike;
use serde_json::Value;

/// Front matter as read, before the fallbacks that need the body or the
/// file name (title, slug, date) are applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Declared {
    pub title: Option<String>,
    pub slug: Option<String>,
    pub date: Option<PostDate>,
    pub lang: Option<String>,
    pub authors: Vec<Author>,
    pub tags: Vec<String>,
    pub summary: Option<String>,
    pub subtitle: Option<String>,
    pub marking: Option<String>,
    pub draft: bool,
    pub extra: Vec<(String, Value)>,
    /// Keys that look like misspelt brief keys (`titel`), on their lines.
    pub warnings: Vec<Diagnostic>,
}

/// Interprets parsed fields. `front` is used to find the line of a key for
/// diagnostics.
pub fn interpret(fields: Fields, front: &FrontMatter) -> Result<Declared, Diagnostic> {
    let mut d = Declared::default();
    for (key, value) in fields.0 {
        let at = |e: Diagnostic| locate(e, front, &key);
        match key.as_str() {
            "title" => {
                d.title = non_empty(scalar_text(&value).ok_or_else(|| at(expected(&key, "text")))?)
            }
            "slug" => {
                d.slug = non_empty(scalar_text(&value).ok_or_else(|| at(expected(&key, "text")))?)
            }
            "date" => {
                if value.is_null() {
                    continue;
                }
                let text = scalar_text(&value).ok_or_else(|| at(expected(&key, "a date")))?;
                let date = match dates::parse(&text) {
                    Some(date) => date,
                    // A day the value states plainly, with a time after it
                    // we cannot read (an upstream Jekyll post has "2023-01-29
                    // 18:30:22 2023 -0800"): the day is certain, so the post
                    // builds, and the writer is told.
                    None => match dates::leading_day(&text) {
                        Some(date) => {
                            d.warnings.push(at(Diagnostic::warning(format!(
                                "field `date` has {}: the time after the day is not understood; \
                                 the post is dated {}",
                                quote(&text),
                                date.day
                            ))
                            .with_hint(dates::ACCEPTED_FORMS)));
                            date
                        }
                        None => {
                            return Err(at(Diagnostic::error(format!(
                                "field `date` has {} which is not a date",
                                quote(&text)
                            ))
                            .with_hint(dates::ACCEPTED_FORMS)));
                        }
                    },
                };
                if !dates::YEARS.contains(&date.day.year()) {
                    return Err(at(Diagnostic::error(format!(
                        "field `date` has {}: the year must be between 1 and 9999",
                        quote(&text)
                    ))));
                }
                d.date = Some(date);
            }
            "lang" | "language" => {
                let text =
                    scalar_text(&value).ok_or_else(|| at(expected(&key, "a language tag")))?;
                let text = text.trim().replace('_', "-");
                if !crate::ir::is_language_tag(&text) {
                    return Err(at(Diagnostic::error(format!(
                        "field `{key}` has {} which is not a language tag",
                        quote(&text)
                    ))
                    .with_hint("use a BCP 47 tag such as \"en\", \"ko\" or \"pt-BR\"")));
                }
                d.lang = Some(text);
            }
            // `by` is the Go blog's name for its authors.
            "author" | "authors" | "by" => d.authors.extend(authors(&value).ok_or_else(|| {
                at(expected(
                    &key,
                    "a name, a list of names, or a list of {name, email}",
                ))
            })?),
            "tags" | "categories" | "category" | "keywords" => {
                for tag in string_list(&value)
                    .ok_or_else(|| at(expected(&key, "a word or a list of words")))?
                {
                    if !d.tags.contains(&tag) {
                        d.tags.push(tag);
                    }
                }
            }
            "summary" | "description" | "excerpt" => {
                if d.summary.is_none() {
                    d.summary = non_empty_text(
                        scalar_text(&value).ok_or_else(|| at(expected(&key, "text")))?,
                    );
                }
            }
            "subtitle" => {
                d.subtitle =
                    non_empty(scalar_text(&value).ok_or_else(|| at(expected(&key, "text")))?)
            }
            "marking" | "classification" => {
                d.marking =
                    non_empty(scalar_text(&value).ok_or_else(|| at(expected(&key, "text")))?)
            }
            "draft" | "published" => {
                let flag = match &value {
                    Value::Bool(b) => *b,
                    Value::String(s) if s.eq_ignore_ascii_case("true") => true,
                    Value::String(s) if s.eq_ignore_ascii_case("false") => false,
                    _ => return Err(at(expected(&key, "true or false"))),
                };
                // Jekyll's `published: false` means the same as a draft.
                d.draft |= if key == "draft" { flag } else { !flag };
            }
            _ => {
                if let Some(w) = crate::read::known_keys::misspelt(&key) {
                    d.warnings.push(locate(w, front, &key));
                }
                d.extra.push((key, value))
            }
        }
    }
    Ok(d)
}

/// A one-line field (title, subtitle, slug, author, tag): line breaks and
/// other control characters become spaces. Regression: a title of
/// "Hello\nBcc: evil@example.com" printed a `Bcc:` line in the e-mail
/// text, and would have added a header to the e-mail.
fn non_empty(s: String) -> Option<String> {
    let line: String = s
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect();
    non_empty_text(line)
}

/// A text field that may span lines (the summary).
fn non_empty_text(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn expected(key: &str, what: &str) -> Diagnostic {
    Diagnostic::error(format!("field `{key}` must be {what}"))
}

/// Puts the diagnostic on the line where `key` is written.
fn locate(d: Diagnostic, front: &FrontMatter, key: &str) -> Diagnostic {
    let line = front.text.lines().position(|l| {
        let l = l.trim_start_matches('"').trim_start_matches('\'');
        l.strip_prefix(key).is_some_and(|rest| {
            rest.trim_start_matches(['"', '\''])
                .trim_start()
                .starts_with([':', '='])
        })
    });
    match line {
        Some(i) => d.at(front.first_line + i, Some(1)),
        None => d.at(front.first_line, None),
    }
}

/// Strings, numbers and booleans as text (YAML reads `title: 1984` as a
/// number; the author meant the text).
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

fn string_list(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::Null => Some(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(scalar_text)
            .collect::<Option<Vec<_>>>()
            .map(|v| v.into_iter().filter_map(non_empty).collect()),
        other => scalar_text(other).map(|s| non_empty(s).into_iter().collect()),
    }
}

fn authors(value: &Value) -> Option<Vec<Author>> {
    let one = |v: &Value| -> Option<Option<Author>> {
        match v {
            Value::Object(map) => {
                let name = map
                    .get("name")
                    .and_then(scalar_text)
                    .map(plain_author)
                    .and_then(non_empty)?;
                let email = map.get("email").and_then(scalar_text).and_then(non_empty);
                let role = map.get("role").and_then(scalar_text).and_then(non_empty);
                Some(Some(Author { name, email, role }))
            }
            other => Some(
                non_empty(plain_author(scalar_text(other)?)).map(|name| Author {
                    name,
                    email: None,
                    role: None,
                }),
            ),
        }
    };
    match value {
        Value::Array(items) => items
            .iter()
            .map(one)
            .collect::<Option<Vec<_>>>()
            .map(|v| v.into_iter().flatten().collect()),
        other => one(other).map(|a| a.into_iter().collect()),
    }
}

/// An author written as Markdown links, as Hugo sites such as
/// opentelemetry.io write them (`[Name](https://github.com/name) (Org),
/// [Other](…)`), as the text a reader sees: `Name (Org), Other`. Every
/// edition prints the name, and a byline or `dc:creator` is no place for
/// Markdown syntax or a profile's address. A name without a link is kept
/// as written (a `*` or `_` in a name is more likely a name than emphasis).
fn plain_author(name: String) -> String {
    if !name.contains("](") {
        return name;
    }
    use pulldown_cmark::{Event, Parser};
    let mut text = String::new();
    for event in Parser::new(&name) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() { name } else { text }
}

#[cfg(test)]
mod tests {
    use super::plain_author;

    #[test]
    fn an_author_written_as_markdown_links_reads_as_its_names() {
        let s = |v: &str| plain_author(v.to_string());
        assert_eq!(
            s("[Daniel Dyla](https://github.com/dyladan)"),
            "Daniel Dyla"
        );
        assert_eq!(
            s(
                "[Severin Neumann](https://github.com/svrnm) (Cisco), [Patrice Chalin](https://github.com/chalin/) (CNCF)"
            ),
            "Severin Neumann (Cisco), Patrice Chalin (CNCF)"
        );
        // Redaction markers stay for `read::redaction` to resolve.
        assert_eq!(
            s("[[redact: [Jane Roe](https://example.org/jr)]] (Desk)"),
            "[[redact: Jane Roe]] (Desk)"
        );
        // Names without a link are left as written.
        assert_eq!(s("snake_case *Ltd*"), "snake_case *Ltd*");
        assert_eq!(s("[Not a link]"), "[Not a link]");
    }
}
