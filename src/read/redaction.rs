//! Reading `[[redact: …]]` markers: the parsed body's markers become
//! [`Inline::Redacted`] nodes (a marker may enclose emphasis, links, notes
//! and line breaks, in any paragraph, heading, table cell, list item or
//! footnote), and every marker anywhere else in the post is checked. A
//! marker that is not closed, is nested in another, is empty, crosses the
//! edge of emphasis or a link, or sits where nothing can be redacted (code,
//! raw HTML, a link address, an image path) is an error that names its
//! line: a marker the build cannot honour must never pass through as text.
//! What a marker becomes in a build is `ir::redact`'s business.

use crate::diag::Diagnostic;
use crate::ir::redact::{self, CLOSE, OPEN};
use crate::ir::{Block, Inline, Post};

/// Groups the markers of a parsed body and its notes into nodes. `text` is
/// the Markdown the body was parsed from and `first_line` its first line
/// in the file, so errors point at the marker's line.
pub fn group(
    body: Vec<Block>,
    footnotes: Vec<crate::ir::Footnote>,
    text: &str,
    first_line: usize,
) -> Result<(Vec<Block>, Vec<crate::ir::Footnote>), Diagnostic> {
    check_source(text, first_line)?;
    let mut grouper = Grouper::default();
    let located = |g: &Grouper, e: String| {
        Diagnostic::error(e)
            .at(marker_line(text, first_line, g.seen), None)
            .with_hint(HINT)
    };
    let body = match grouper.blocks(body) {
        Ok(b) => b,
        Err(e) => return Err(located(&grouper, e)),
    };
    let mut notes = Vec::with_capacity(footnotes.len());
    for mut note in footnotes {
        note.body = match grouper.blocks(note.body) {
            Ok(b) => b,
            Err(e) => return Err(located(&grouper, e)),
        };
        notes.push(note);
    }
    Ok((body, notes))
}

const HINT: &str = "write `[[redact: the words]]` around whole words, emphasis or links, within one paragraph, heading or cell";

/// Checks every marker left in the post's strings once it is read: front
/// matter, titles, alt text; and that no marker is left where none can be
/// honoured (code, raw HTML, addresses).
pub fn check_post(post: &Post) -> Result<(), Diagnostic> {
    let m = &post.meta;
    let mut strings: Vec<(&str, &str)> = vec![("title", &m.title)];
    strings.extend(m.summary.as_deref().map(|s| ("summary", s)));
    strings.extend(m.subtitle.as_deref().map(|s| ("subtitle", s)));
    strings.extend(m.marking.as_deref().map(|s| ("marking", s)));
    strings.extend(m.tags.iter().map(|t| ("tags", t.as_str())));
    for a in &m.authors {
        strings.push(("author", &a.name));
        strings.extend(a.email.as_deref().map(|e| ("author", e)));
    }
    let mut extra = Vec::new();
    for (key, v) in &m.extra {
        strings.push(("a front-matter key", key));
        json_strings(v, key, &mut extra);
    }
    for (key, s) in strings
        .into_iter()
        .chain(extra.iter().map(|(k, s)| (k.as_str(), s.as_str())))
    {
        check_str(s).map_err(|e| Diagnostic::error(format!("{e} in `{key}`")).with_hint(HINT))?;
    }
    let mut problem = None;
    let mut check = |b: &Block| {
        if problem.is_none() {
            problem = block_problem(b);
        }
    };
    post.body.iter().for_each(&mut check);
    post.footnotes
        .iter()
        .flat_map(|f| &f.body)
        .for_each(&mut check);
    match problem {
        Some(p) => Err(Diagnostic::error(p).with_hint(HINT)),
        None => Ok(()),
    }
}

/// The 1-based line of `text` that holds the first malformed marker, or
/// else the first marker.
pub fn first_marked_line(text: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    lines
        .iter()
        .position(|l| check_str(l).is_err() && redact::looks_marked(l))
        .or_else(|| lines.iter().position(|l| redact::looks_marked(l)))
        .map(|i| i + 1)
}

/// A marker in a string is well formed: closed, not nested, not empty.
pub fn check_str(s: &str) -> Result<(), String> {
    let mut rest = s;
    loop {
        match redact::find(rest) {
            None => break,
            Some(Err(_)) => return Err("a `[[redact:` marker is not closed with `]]`".into()),
            Some(Ok(m)) => {
                let content = &rest[m.content.clone()];
                if content.trim().is_empty() {
                    return Err("a `[[redact:` marker encloses nothing".into());
                }
                if redact::looks_marked(content) {
                    return Err("a `[[redact:` marker is nested in another".into());
                }
                rest = &rest[m.end..];
            }
        }
    }
    if redact::looks_marked(rest) {
        return Err("a redaction marker must be written `[[redact: …]]`, in lower case".into());
    }
    Ok(())
}

fn json_strings(v: &serde_json::Value, key: &str, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::String(s) => out.push((key.to_string(), s.clone())),
        serde_json::Value::Array(items) => items.iter().for_each(|i| json_strings(i, key, out)),
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.push((key.to_string(), k.clone()));
                json_strings(v, key, out);
            }
        }
        _ => {}
    }
}

/// Lexical checks on the Markdown itself, with exact lines: every marker
/// closes before its paragraph ends, and none is nested or empty.
fn check_source(text: &str, first_line: usize) -> Result<(), Diagnostic> {
    let mut offset = 0;
    for paragraph in text.split("\n\n") {
        if let Err(e) = check_str(paragraph) {
            let lead = redact::marked_at(paragraph).unwrap_or(0);
            let line = first_line + text[..offset + lead].matches('\n').count();
            return Err(Diagnostic::error(e).at(line, None).with_hint(HINT));
        }
        offset += paragraph.len() + 2;
    }
    Ok(())
}

/// The line of the `n`-th marker (1-based) in `text`, or of the last one.
fn marker_line(text: &str, first_line: usize, n: usize) -> usize {
    let at = text
        .match_indices(OPEN)
        .take(n.max(1))
        .last()
        .map_or(0, |(i, _)| i);
    first_line + text[..at].matches('\n').count()
}

fn block_problem(b: &Block) -> Option<String> {
    match b {
        Block::Code { text, .. } if redact::looks_marked(text) => Some(
            "a redaction marker inside code cannot be honoured (code is printed as written)".into(),
        ),
        Block::Html { html } if redact::looks_marked(html) => {
            Some("a redaction marker inside raw HTML cannot be honoured".into())
        }
        Block::Heading { content, .. } | Block::Paragraph { content } => inlines_problem(content),
        Block::List { items, .. } => items.iter().flat_map(|i| &i.body).find_map(block_problem),
        Block::Quote { body, .. } => body.iter().find_map(block_problem),
        Block::Table { head, rows, .. } => head
            .iter()
            .chain(rows.iter().flatten())
            .find_map(|c| inlines_problem(c)),
        _ => None,
    }
}

fn inlines_problem(is: &[Inline]) -> Option<String> {
    is.iter().find_map(|i| match i {
        Inline::Text { text } if redact::looks_marked(text) => {
            Some("a redaction marker could not be read here".into())
        }
        Inline::Code { text } if redact::looks_marked(text) => {
            Some("a redaction marker inside code cannot be honoured (code is printed as written)".into())
        }
        Inline::Html { html } if redact::looks_marked(html) => {
            Some("a redaction marker inside raw HTML cannot be honoured".into())
        }
        Inline::Link { url, .. } if redact::looks_marked(url) => Some(
            "a redaction marker inside a link's address cannot be honoured; enclose the whole link instead".into(),
        ),
        Inline::Image { src, .. } if redact::looks_marked(src) => {
            Some("a redaction marker inside an image's path cannot be honoured".into())
        }
        Inline::Image { alt, title, .. } => check_str(alt)
            .err()
            .or_else(|| title.as_deref().and_then(|t| check_str(t).err())),
        Inline::Link { title, content, .. } => title
            .as_deref()
            .and_then(|t| check_str(t).err())
            .or_else(|| inlines_problem(content)),
        Inline::Emph { content }
        | Inline::Strong { content }
        | Inline::Strike { content }
        | Inline::Redacted { content, .. } => inlines_problem(content),
        _ => None,
    })
}

/// Walks blocks and turns markers into nodes; `seen` counts the markers
/// opened so far (for the error's line).
#[derive(Default)]
struct Grouper {
    seen: usize,
}

impl Grouper {
    fn blocks(&mut self, bs: Vec<Block>) -> Result<Vec<Block>, String> {
        bs.into_iter().map(|b| self.block(b)).collect()
    }

    fn block(&mut self, b: Block) -> Result<Block, String> {
        Ok(match b {
            Block::Heading { level, id, content } => Block::Heading {
                level,
                id,
                content: self.inlines(content)?,
            },
            Block::Paragraph { content } => Block::Paragraph {
                content: self.inlines(content)?,
            },
            Block::List {
                start,
                tight,
                items,
            } => Block::List {
                start,
                tight,
                items: items
                    .into_iter()
                    .map(|mut i| {
                        i.body = self.blocks(i.body)?;
                        Ok(i)
                    })
                    .collect::<Result<_, String>>()?,
            },
            Block::Quote { alert, body } => Block::Quote {
                alert,
                body: self.blocks(body)?,
            },
            Block::Table { align, head, rows } => Block::Table {
                align,
                head: head
                    .into_iter()
                    .map(|c| self.inlines(c))
                    .collect::<Result<_, _>>()?,
                rows: rows
                    .into_iter()
                    .map(|r| r.into_iter().map(|c| self.inlines(c)).collect())
                    .collect::<Result<_, _>>()?,
            },
            other => other,
        })
    }

    /// One run of inlines at one level: a marker opens and closes in the
    /// same run, so it never splits emphasis or a link in two.
    fn inlines(&mut self, is: Vec<Inline>) -> Result<Vec<Inline>, String> {
        let mut out: Vec<Inline> = Vec::with_capacity(is.len());
        // The content of the marker open at this level, if one is.
        let mut open: Option<Vec<Inline>> = None;
        for i in is {
            let i = self.children(i)?;
            let Inline::Text { text } = i else {
                match &mut open {
                    Some(content) => content.push(i),
                    None => out.push(i),
                }
                continue;
            };
            let mut rest = text.as_str();
            while !rest.is_empty() {
                match open.take() {
                    None => match rest.find(OPEN) {
                        Some(at) => {
                            push_text(&mut out, &rest[..at]);
                            self.seen += 1;
                            rest = &rest[at + OPEN.len()..];
                            rest = rest.strip_prefix(' ').unwrap_or(rest);
                            open = Some(Vec::new());
                        }
                        None => {
                            push_text(&mut out, rest);
                            rest = "";
                        }
                    },
                    Some(mut content) => match rest.find(CLOSE) {
                        Some(at) => {
                            push_text(&mut content, &rest[..at]);
                            out.push(node(content)?);
                            rest = &rest[at + CLOSE.len()..];
                        }
                        None => {
                            push_text(&mut content, rest);
                            rest = "";
                            open = Some(content);
                        }
                    },
                }
            }
        }
        match open {
            Some(_) => Err(
                "a `[[redact:` marker is not closed with `]]` in the same paragraph, heading, cell, emphasis or link"
                    .into(),
            ),
            None => Ok(out),
        }
    }

    fn children(&mut self, i: Inline) -> Result<Inline, String> {
        Ok(match i {
            Inline::Emph { content } => Inline::Emph {
                content: self.inlines(content)?,
            },
            Inline::Strong { content } => Inline::Strong {
                content: self.inlines(content)?,
            },
            Inline::Strike { content } => Inline::Strike {
                content: self.inlines(content)?,
            },
            Inline::Link {
                url,
                title,
                bare,
                content,
            } => Inline::Link {
                url,
                title,
                bare,
                content: self.inlines(content)?,
            },
            other => other,
        })
    }
}

fn push_text(out: &mut Vec<Inline>, s: &str) {
    if s.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(Inline::Text { text }) => text.push_str(s),
        _ => out.push(Inline::text(s)),
    }
}

fn node(content: Vec<Inline>) -> Result<Inline, String> {
    let text = crate::ir::plain_text(&content);
    if text.trim().is_empty() {
        return Err("a `[[redact:` marker encloses nothing".into());
    }
    let width = unicode_width::UnicodeWidthStr::width(text.trim());
    Ok(Inline::Redacted {
        width: width.max(1),
        content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::markdown::parse;

    fn grouped(md: &str) -> Result<Vec<Block>, Diagnostic> {
        let parsed = parse(md, 1);
        group(parsed.body, parsed.footnotes, md, 1).map(|(b, _)| b)
    }

    #[test]
    fn a_marker_may_enclose_emphasis_links_and_line_breaks() {
        let body = grouped("Met [[redact: *Jane*\n[Doe](mailto:j@x.org)]] today.\n").unwrap();
        let Block::Paragraph { content } = &body[0] else {
            panic!()
        };
        assert_eq!(content[0], Inline::text("Met "));
        let Inline::Redacted {
            width,
            content: inner,
        } = &content[1]
        else {
            panic!("{content:?}")
        };
        assert_eq!(*width, "Jane Doe".len());
        assert!(matches!(inner[0], Inline::Emph { .. }));
        assert_eq!(content[2], Inline::text(" today."));
    }

    #[test]
    fn malformed_markers_are_errors_with_their_line() {
        for (md, line) in [
            ("Fine.\n\nOpen [[redact: Jane\n", 3),
            ("*[[redact: Jane* Doe]]\n", 1),
            ("[[redact: ]]\n", 1),
            ("a\n\n[[redact: a [[redact: b]] ]]\n", 3),
        ] {
            let e = grouped(md).expect_err(md);
            assert_eq!(e.line, Some(line), "{md}: {e:?}");
        }
    }
}
