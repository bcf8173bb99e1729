//! What site engines add to Markdown, turned into plain Markdown before it
//! is parsed, so no edition prints an engine's markup as text:
//! - Docusaurus admonitions (`:::tip Title` … `:::`) become GitHub alerts
//!   (`> [!TIP]`), which every edition renders as a callout, with the title
//!   as the callout's first line;
//! - MDX `import` / `export` lines are dropped;
//! - JSX components (`<Note>`, `<Tabs>`, `<TabItem label="npm">`) become
//!   their children: tab items keep their label as a bold lead-in, unknown
//!   components keep their text and are reported once per post and name;
//!   string-literal expressions (`{' '}`, `{"text"}`) become their text;
//! - Hugo shortcodes: `figure` / `imgproc` become an image with its
//!   caption, `ref` / `relref` the address they name, paired shortcodes
//!   their inner content; unknown single ones are dropped and reported.
//!
//! Code blocks and inline code are never touched: their places are found
//! by parsing the original text first. A line that is dropped becomes an
//! empty line, so diagnostics keep pointing at the right source line.

use pulldown_cmark::{Event, Parser, Tag};
use std::collections::BTreeSet;
use std::ops::Range;

/// The text as plain Markdown, and what was left out or changed in a way
/// a writer should know of (one message per cause).
pub struct Normalised {
    pub text: String,
    pub notes: Vec<String>,
}

/// `None` when the text has nothing of a site engine's (the common case,
/// decided without parsing).
pub fn normalise(text: &str) -> Option<Normalised> {
    let markers = [
        ":::", "{{<", "{{%", "import ", "export ", "{'", "{\"", "</", "/>",
    ];
    if !markers.iter().any(|m| text.contains(m)) {
        return None;
    }
    let code = code_ranges(text);
    let mut out = Normaliser {
        text,
        code: &code,
        out: String::with_capacity(text.len()),
        admonitions: Vec::new(),
        indent: String::new(),
        unknown_components: BTreeSet::new(),
        unknown_shortcodes: BTreeSet::new(),
        skipping_export: 0,
    };
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        out.line(line, offset);
        offset += line.len();
    }
    let mut notes = Vec::new();
    if !out.unknown_components.is_empty() {
        notes.push(format!(
            "MDX component{} {} shown as {} text (brief does not know {})",
            if out.unknown_components.len() == 1 {
                ""
            } else {
                "s"
            },
            join_names(&out.unknown_components, "<", ">"),
            if out.unknown_components.len() == 1 {
                "its"
            } else {
                "their"
            },
            if out.unknown_components.len() == 1 {
                "it"
            } else {
                "them"
            },
        ));
    }
    if !out.unknown_shortcodes.is_empty() {
        notes.push(format!(
            "Hugo shortcode{} {} left out (brief does not know {})",
            if out.unknown_shortcodes.len() == 1 {
                ""
            } else {
                "s"
            },
            join_names(&out.unknown_shortcodes, "{{< ", " >}}"),
            if out.unknown_shortcodes.len() == 1 {
                "it"
            } else {
                "them"
            },
        ));
    }
    Some(Normalised {
        text: out.out,
        notes,
    })
}

fn join_names(names: &BTreeSet<String>, before: &str, after: &str) -> String {
    names
        .iter()
        .map(|n| format!("{before}{n}{after}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Byte ranges of code blocks and inline code spans in `text`.
pub(super) fn code_ranges(text: &str) -> Vec<Range<usize>> {
    Parser::new_ext(text, super::markdown::options())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::CodeBlock(_)) | Event::Code(_) => Some(range),
            _ => None,
        })
        .collect()
}

struct Normaliser<'t> {
    text: &'t str,
    code: &'t [Range<usize>],
    out: String,
    /// Open admonitions: the number of colons that closes each.
    admonitions: Vec<usize>,
    /// The indentation of the outermost open admonition: one inside a list
    /// item stays inside it (its quote is indented like its fence).
    indent: String,
    unknown_components: BTreeSet<String>,
    unknown_shortcodes: BTreeSet<String>,
    /// Brace depth of an `export … {` still open.
    skipping_export: usize,
}

impl Normaliser<'_> {
    fn in_code(&self, at: usize) -> bool {
        self.code.iter().any(|r| r.contains(&at))
    }

    fn line(&mut self, line: &str, offset: usize) {
        let ending = if line.ends_with('\n') { "\n" } else { "" };
        let body = line.strip_suffix('\n').unwrap_or(line);
        let first = offset + (body.len() - body.trim_start().len());
        if self.in_code(first) && !body.trim().is_empty() {
            let prefix = self.quote_prefix();
            self.out.push_str(&prefix);
            self.out.push_str(self.dedent(line));
            return;
        }
        let trimmed = body.trim();
        if self.skipping_export > 0 {
            self.skipping_export = brace_depth(self.skipping_export, trimmed);
            self.out.push_str(ending);
            return;
        }
        if let Some((colons, kind, title)) = admonition_open(trimmed) {
            if self.admonitions.is_empty() {
                self.indent = body[..body.len() - body.trim_start().len()].to_string();
            }
            let prefix = if self.admonitions.is_empty() {
                self.indent.clone()
            } else {
                self.quote_prefix()
            };
            self.admonitions.push(colons);
            self.out.push_str(&format!("{prefix}> [!{kind}]\n"));
            if !title.is_empty() {
                self.out.push_str(&format!(
                    "{prefix}> **{}**\\{ending}",
                    escape_inline(&title)
                ));
                if ending.is_empty() {
                    self.out.push('\n');
                }
            }
            return;
        }
        if let Some(colons) = admonition_close(trimmed) {
            if let Some(pos) = self.admonitions.iter().rposition(|&c| c <= colons) {
                self.admonitions.truncate(pos);
                self.out.push_str(ending);
                return;
            }
        }
        if self.admonitions.is_empty() && is_mdx_module_line(trimmed) {
            if trimmed.starts_with("export ") {
                self.skipping_export = brace_depth(0, trimmed);
            }
            self.out.push_str(ending);
            return;
        }
        let skipped = body.len() - self.dedent(body).len();
        let rewritten = self.inline(&body[skipped..], offset + skipped);
        let prefix = self.quote_prefix();
        if rewritten.trim().is_empty() && !body.trim().is_empty() {
            // A line that held only markup (`<Tabs>`, `{{< /tab >}}`).
            self.out.push_str(&prefix);
            self.out.push_str(ending);
            return;
        }
        self.out.push_str(&prefix);
        self.out.push_str(&rewritten);
        self.out.push_str(ending);
    }

    fn quote_prefix(&self) -> String {
        if self.admonitions.is_empty() {
            return String::new();
        }
        format!("{}{}", self.indent, "> ".repeat(self.admonitions.len()))
    }

    /// `line` without the open admonition's indentation.
    fn dedent<'l>(&self, line: &'l str) -> &'l str {
        if self.admonitions.is_empty() {
            return line;
        }
        line.strip_prefix(self.indent.as_str()).unwrap_or(line)
    }

    /// Shortcodes, components and string expressions within one line,
    /// outside inline code.
    fn inline(&mut self, body: &str, offset: usize) -> String {
        let mut out = String::with_capacity(body.len());
        let mut i = 0;
        while i < body.len() {
            let rest = &body[i..];
            if self.in_code(offset + i) {
                let c = rest.chars().next().unwrap_or(' ');
                out.push(c);
                i += c.len_utf8();
                continue;
            }
            if let Some((len, replacement)) = self.shortcode(rest) {
                out.push_str(&replacement);
                i += len;
            } else if let Some((len, replacement)) = self.component(rest) {
                out.push_str(&replacement);
                i += len;
            } else if let Some((len, literal)) = string_expression(rest) {
                out.push_str(&literal);
                i += len;
            } else {
                let c = rest.chars().next().unwrap_or(' ');
                out.push(c);
                i += c.len_utf8();
            }
        }
        out
    }

    /// A Hugo shortcode at the start of `s`: its length and replacement.
    fn shortcode(&mut self, s: &str) -> Option<(usize, String)> {
        let (close, inner_start) = if s.starts_with("{{<") {
            (">}}", 3)
        } else if s.starts_with("{{%") {
            ("%}}", 3)
        } else {
            return None;
        };
        let end = s[inner_start..].find(close)? + inner_start;
        let inner = s[inner_start..end].trim();
        let len = end + close.len();
        if let Some(name) = inner.strip_prefix('/') {
            let _ = name; // the end of a paired shortcode: its content stays
            return Some((len, String::new()));
        }
        let name: String = inner.chars().take_while(|c| !c.is_whitespace()).collect();
        let params = Params(inner[name.len()..].trim());
        let replacement = match name.as_str() {
            "figure" | "imgproc" => {
                let src = params
                    .get("src")
                    .or_else(|| params.positional(0))
                    .unwrap_or_default();
                let caption = params.get("caption").or_else(|| params.get("title"));
                let alt = params
                    .get("alt")
                    .or_else(|| caption.clone())
                    .unwrap_or_default();
                let mut image =
                    format!("![{}](<{}>)", escape_inline(&alt), src.replace('>', "%3E"));
                if let Some(caption) = caption.filter(|c| !c.is_empty()) {
                    image.push_str(&format!(" *{}*", escape_inline(&caption)));
                }
                image
            }
            "ref" | "relref" => params
                .get("path")
                .or_else(|| params.positional(0))
                .unwrap_or_default(),
            _ if self.text.contains(&format!("{{{{< /{name}"))
                || self.text.contains(&format!("{{{{% /{name}")) =>
            {
                String::new() // paired: the content between stays
            }
            _ => {
                self.unknown_shortcodes.insert(name);
                String::new()
            }
        };
        Some((len, replacement))
    }

    /// A JSX component tag (capitalised name) at the start of `s`, when the
    /// text shows it is one (a closing tag exists, or it closes itself).
    fn component(&mut self, s: &str) -> Option<(usize, String)> {
        let rest = s.strip_prefix('<')?;
        let closing = rest.starts_with('/');
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        if !rest.starts_with(|c: char| c.is_ascii_uppercase()) {
            return None;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_')
            .collect();
        let len = tag_end(s)?;
        let tag = &s[..len];
        let self_closing = tag.ends_with("/>");
        if !closing && !self_closing && !self.text.contains(&format!("</{name}>")) {
            return None; // `Vec<T>` in prose is not a component
        }
        if closing {
            return Some((len, String::new()));
        }
        let params = Params(tag[1 + name.len()..len - 1].trim_end_matches('/').trim());
        let replacement = match name.as_str() {
            "TabItem" | "Tab" => params
                .get("label")
                .or_else(|| params.get("value"))
                .map(|label| format!("**{}** ", escape_inline(&label)))
                .unwrap_or_default(),
            "Tabs" | "Note" | "Intro" | "Details" | "Admonition" | "Callout" | "Aside"
            | "Steps" | "Step" | "Fragment" | "Wip" | "DeepDive" | "Pitfall" | "Recap"
            | "Diagram" | "YouWillLearn" | "Sandpack" => params
                .get("title")
                .map(|t| format!("**{}** ", escape_inline(&t)))
                .unwrap_or_default(),
            _ => {
                self.unknown_components.insert(name);
                String::new()
            }
        };
        Some((len, replacement))
    }
}

/// `:::tip Title`, `::::note[Title]` → (colons, alert kind, title).
fn admonition_open(line: &str) -> Option<(usize, &'static str, String)> {
    let colons = line.bytes().take_while(|&b| b == b':').count();
    if colons < 3 {
        return None;
    }
    let rest = &line[colons..];
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let kind = match word.to_ascii_lowercase().as_str() {
        "note" | "info" | "secondary" | "success" => "NOTE",
        "tip" => "TIP",
        "important" => "IMPORTANT",
        "warning" => "WARNING",
        "caution" | "danger" => "CAUTION",
        _ => return None,
    };
    let title = rest[word.len()..].trim();
    let title = title
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(title)
        .trim()
        .to_string();
    Some((colons, kind, title))
}

fn admonition_close(line: &str) -> Option<usize> {
    (line.len() >= 3 && line.bytes().all(|b| b == b':')).then_some(line.len())
}

/// `import X from 'y'`, `import 'y';`, `export const meta = {…}`.
fn is_mdx_module_line(line: &str) -> bool {
    (line.starts_with("import ")
        && (line.contains(" from ")
            || line.ends_with(';')
            || line.ends_with('\'')
            || line.ends_with('"')
            || line.ends_with('{')))
        || (line.starts_with("export ")
            && (line.starts_with("export const ")
                || line.starts_with("export default ")
                || line.starts_with("export function ")
                || line.starts_with("export {")))
}

/// The brace depth after `line`, starting from `depth`.
fn brace_depth(depth: usize, line: &str) -> usize {
    let mut d = depth as isize;
    for c in line.chars() {
        match c {
            '{' | '(' | '[' => d += 1,
            '}' | ')' | ']' => d -= 1,
            _ => {}
        }
    }
    d.max(0) as usize
}

/// The length of a tag starting at `s[0] == '<'`: up to its `>`, skipping
/// quoted strings and `{…}` expressions; `None` when it does not close on
/// this line.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut braces = 0usize;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if braces == 0 => quote = Some(c),
            (None, '{') => braces += 1,
            (None, '}') => braces = braces.saturating_sub(1),
            (None, '>') if braces == 0 => return Some(i + 1),
            (None, '<') if braces == 0 => return None,
            _ => {}
        }
    }
    None
}

/// `{' '}`, `{"text"}`, `{'text'}` at the start of `s`.
fn string_expression(s: &str) -> Option<(usize, String)> {
    let rest = s.strip_prefix('{')?;
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let inner = &rest[1..];
    let end = inner.find(quote)?;
    let after = &inner[end + 1..];
    if !after.starts_with('}') {
        return None;
    }
    Some((1 + 1 + end + 1 + 1, inner[..end].to_string()))
}

/// Characters that would start Markdown markup, escaped.
fn escape_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '_' | '[' | ']' | '\\' | '`' | '<' | '>' | '!') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `name="value"`, `name='value'`, `name={"value"}` and bare positional
/// values of a tag or shortcode.
struct Params<'s>(&'s str);

impl Params<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.pairs()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    fn positional(&self, n: usize) -> Option<String> {
        self.pairs()
            .into_iter()
            .filter(|(k, _)| k.is_empty())
            .nth(n)
            .map(|(_, v)| v)
    }

    fn pairs(&self) -> Vec<(String, String)> {
        let mut found = Vec::new();
        let mut rest = self.0.trim();
        while !rest.is_empty() {
            let key: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || *c == ':')
                .collect();
            let after_key = rest[key.len()..].trim_start();
            let (key, value_part) = match after_key.strip_prefix('=') {
                Some(v) if !key.is_empty() => (key, v.trim_start()),
                _ => (String::new(), rest),
            };
            let value_part = value_part.strip_prefix('{').unwrap_or(value_part);
            let (value, used) = match value_part.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let inner = &value_part[1..];
                    let end = inner.find(q).unwrap_or(inner.len());
                    (inner[..end].to_string(), 1 + end + 1)
                }
                _ => {
                    let end = value_part
                        .find(char::is_whitespace)
                        .unwrap_or(value_part.len());
                    (value_part[..end].to_string(), end)
                }
            };
            found.push((key, value));
            let consumed = value_part.get(used.min(value_part.len())..).unwrap_or("");
            let consumed = consumed.strip_prefix('}').unwrap_or(consumed);
            if consumed.len() >= rest.len() {
                break;
            }
            rest = consumed.trim_start();
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str) -> String {
        normalise(text).map_or(text.to_string(), |n| n.text)
    }

    #[test]
    fn admonitions_become_alerts() {
        assert_eq!(
            norm(":::tip Try it\nSome text.\n:::\nAfter.\n"),
            "> [!TIP]\n> **Try it**\\\n> Some text.\n\nAfter.\n"
        );
        assert_eq!(norm(":::info\nx\n:::\n"), "> [!NOTE]\n> x\n\n");
        // Inside a list item the callout stays in the item.
        assert_eq!(
            norm("1. Step:\n\n   :::tip\n   Do it.\n   :::\n\n5. Last.\n"),
            "1. Step:\n\n   > [!TIP]\n   > Do it.\n\n\n5. Last.\n"
        );
    }

    #[test]
    fn mdx_modules_and_components_leave_their_text() {
        let n = normalise(
            "import Tabs from '@theme/Tabs';\n\n<Tabs>\n<TabItem value=\"npm\" label=\"npm\">\nnpm i\n</TabItem>\n</Tabs>\n\n<ConsoleLogLine level=\"error\">Oops</ConsoleLogLine>{' '}done\n",
        )
        .unwrap();
        assert_eq!(n.text, "\n\n\n**npm** \nnpm i\n\n\n\nOops done\n");
        assert_eq!(n.notes.len(), 1);
        assert!(n.notes[0].contains("<ConsoleLogLine>"), "{:?}", n.notes);
    }

    #[test]
    fn shortcodes() {
        assert_eq!(
            norm("{{< figure src=\"a.png\" caption=\"A chart\" >}}\n"),
            "![A chart](<a.png>) *A chart*\n"
        );
        assert_eq!(norm("[x]({{< ref \"post.md\" >}})\n"), "[x](post.md)\n");
        assert_eq!(
            norm("{{% alert %}}\nInside.\n{{% /alert %}}\n"),
            "\nInside.\n\n"
        );
        let n = normalise("{{< youtube abc >}}\n").unwrap();
        assert_eq!(n.text, "\n");
        assert!(n.notes[0].contains("youtube"));
    }

    #[test]
    fn code_is_never_touched() {
        let text = "```\n:::tip\n{{< figure src=\"a\" >}}\n<Tabs></Tabs>\nimport x from 'y'\n```\n\nUse `{{< ref x >}}` and `<Tabs>`.\n";
        assert_eq!(norm(text), text);
    }

    #[test]
    fn generics_in_prose_are_not_components() {
        assert_eq!(
            norm("A Vec<T> of </b> things.\n"),
            "A Vec<T> of </b> things.\n"
        );
    }
}
