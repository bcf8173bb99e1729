//! Splitting a post into front matter and body, and parsing the front
//! matter (YAML between `---`, TOML between `+++`) into an ordered map of
//! plain data. What the keys mean is `meta`'s business.
//!
//! Tolerated: a UTF-8 BOM, CRLF line endings, a missing final newline,
//! blank lines before the opening fence, and (with a warning) a YAML block
//! whose opening `---` is missing.

use crate::diag::Diagnostic;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// Front matter larger than this is refused: real front matter is a few
/// hundred bytes, and parsers are the easiest thing to make slow.
pub const MAX_FRONT_MATTER_BYTES: usize = 64 * 1024;

/// A post's text split in two. Line numbers are 1-based in the source file.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub front: Option<FrontMatter>,
    pub body: String,
    /// Source line on which `body` starts.
    pub body_line: usize,
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FrontMatter {
    pub format: Format,
    pub text: String,
    /// Source line of the first line of `text`.
    pub first_line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
}

/// Top-level keys in the order written, values as plain data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields(pub Vec<(String, Value)>);

/// Normalises line endings and removes a BOM. Every later line number
/// refers to lines of this text, which are the lines of the file.
pub fn normalise(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Splits normalised text (see [`normalise`]) into front matter and body.
pub fn split(text: &str) -> Result<Split, Diagnostic> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let first = lines.iter().position(|l| !l.trim().is_empty());
    let Some(first) = first else {
        return Ok(plain(text));
    };
    let fence = lines[first].trim_end();
    // Hugo accepts an opening fence of more than three dashes (`------`).
    let format = match fence {
        "+++" => Format::Toml,
        f if is_dash_fence(f) => Format::Yaml,
        _ => return Ok(missing_opening_fence(&lines).unwrap_or_else(|| plain(text))),
    };
    let close = lines[first + 1..].iter().position(|l| {
        let l = l.trim_end();
        match format {
            Format::Yaml => is_dash_fence(l) || l == "...",
            Format::Toml => l == fence,
        }
    });
    // A line of four or more dashes with nothing closing it is a
    // thematic break, not front matter.
    if close.is_none() && fence != "---" && format == Format::Yaml {
        return Ok(plain(text));
    }
    let Some(close) = close.map(|c| c + first + 1) else {
        return Err(Diagnostic::error(format!(
            "front matter opened with `{fence}` on line {} never closes",
            first + 1
        ))
        .at(first + 1, Some(1))
        .with_hint(format!(
            "end the front matter with a line holding only `{fence}`"
        )));
    };
    let front_text: String = lines[first + 1..close].concat();
    let body: String = lines[close + 1..].concat();
    Ok(Split {
        front: Some(FrontMatter {
            format,
            text: front_text,
            first_line: first + 2,
        }),
        body,
        body_line: close + 2,
        warnings: Vec::new(),
    })
}

/// `---`, `------`: a YAML front-matter fence.
fn is_dash_fence(line: &str) -> bool {
    line.len() >= 3 && line.bytes().all(|b| b == b'-')
}

fn plain(text: &str) -> Split {
    Split {
        front: None,
        body: text.to_string(),
        body_line: 1,
        warnings: Vec::new(),
    }
}

/// A file that starts with `key: value` lines and then a `---` line most
/// likely lost its opening fence (seen upstream in the Rust blog). We read
/// it as front matter, but only when every line before the `---` looks like
/// YAML and it parses as a mapping; otherwise it is Markdown.
fn missing_opening_fence(lines: &[&str]) -> Option<Split> {
    const MAX_LINES: usize = 40;
    let first = lines.first()?;
    if !looks_like_yaml_key(first) {
        return None;
    }
    let close = lines
        .iter()
        .take(MAX_LINES)
        .position(|l| l.trim_end() == "---")?;
    let head = &lines[..close];
    let plausible = head.iter().all(|l| {
        looks_like_yaml_key(l) || l.starts_with([' ', '\t', '-', '#']) || l.trim().is_empty()
    });
    if !plausible {
        return None;
    }
    let text: String = head.concat();
    let fields = parse_yaml(&text, 1).ok()?;
    if fields.0.is_empty() {
        return None;
    }
    Some(Split {
        front: Some(FrontMatter {
            format: Format::Yaml,
            text,
            first_line: 1,
        }),
        body: lines[close + 1..].concat(),
        body_line: close + 2,
        warnings: vec![
            Diagnostic::warning(format!(
                "front matter has no opening `---`; lines 1–{close} were read as front matter"
            ))
            .at(1, Some(1))
            .with_hint("add a line holding only `---` at the top of the file"),
        ],
    })
}

fn looks_like_yaml_key(line: &str) -> bool {
    let Some((key, rest)) = line.split_once(':') else {
        return false;
    };
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && (rest.starts_with(' ') || rest.trim().is_empty())
}

/// Parses front matter into fields. Errors carry the source line.
pub fn parse(front: &FrontMatter) -> Result<Fields, Diagnostic> {
    if front.text.len() > MAX_FRONT_MATTER_BYTES {
        return Err(Diagnostic::error(format!(
            "front matter is {} KB; the limit is {} KB",
            front.text.len() / 1024,
            MAX_FRONT_MATTER_BYTES / 1024
        ))
        .at(front.first_line, None));
    }
    match front.format {
        Format::Yaml => parse_yaml(&front.text, front.first_line),
        Format::Toml => parse_toml(&front.text, front.first_line),
    }
}

fn parse_yaml(text: &str, first_line: usize) -> Result<Fields, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(Fields::default());
    }
    // Budgets far above any real front matter and far below what an alias
    // bomb needs: refusal takes milliseconds and little memory.
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = 100_000;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_recorded_anchor_events = 100_000;
    budget.max_recorded_anchor_bytes = 1024 * 1024;
    budget.flow_nesting_limit = 64;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    // `.nan` or `1e999` in a key brief does not know is data like any
    // other value: kept as its canonical string, never a refused post.
    options.non_finite_float_policy = serde_saphyr::NonFiniteFloatPolicy::AsString;
    let mut text = std::borrow::Cow::Borrowed(text);
    let mut parsed =
        serde_saphyr::from_str_with_options::<Option<FieldsOrScalar>>(&text, options.clone());
    // A recursive alias (`x: &a [1, *a]`) is valid YAML but no tree can
    // hold it: it is read as null, so an unknown key with such a value
    // never refuses the post (a known key then gets its usual type error).
    for _ in 0..16 {
        let Err(e) = &parsed else { break };
        let Some(at) = recursive_alias_at(&text, e) else {
            break;
        };
        let end = text[at + 1..]
            .find(|c: char| c.is_whitespace() || matches!(c, ',' | ']' | '}'))
            .map_or(text.len(), |n| at + 1 + n);
        text = std::borrow::Cow::Owned(format!("{}null{}", &text[..at], &text[end..]));
        parsed = serde_saphyr::from_str_with_options(&text, options.clone());
    }
    let value: Option<FieldsOrScalar> = parsed.map_err(|e| {
        let message = e.to_string();
        let mut d = Diagnostic::error(format!(
            "front matter is not valid YAML: {}",
            super::yaml_help::message_without_position(first_line_of(&message))
        ));
        if let Some(loc) = e.location() {
            d = d.at(
                first_line + loc.line() as usize - 1,
                Some(loc.column() as usize),
            );
            if let Some((line, hint)) = super::yaml_help::hint(&text, loc.line() as usize) {
                // On the line the mistake is on (a tab is often
                // reported on the line before it).
                if line != loc.line() as usize {
                    d = d.at(first_line + line - 1, Some(1));
                }
                d = d.with_hint(hint);
            }
        } else {
            d = d.at(first_line, None);
        }
        d
    })?;
    match value {
        None => Ok(Fields::default()),
        Some(FieldsOrScalar::Fields(f)) => Ok(f),
        Some(FieldsOrScalar::Other) => Err(Diagnostic::error(
            "front matter must be a mapping of `key: value` lines",
        )
        .at(first_line, Some(1))),
    }
}

/// The byte offset of the alias a "recursive references" error points at.
fn recursive_alias_at(text: &str, e: &serde_saphyr::Error) -> Option<usize> {
    if !e.to_string().contains("recursive references") {
        return None;
    }
    let loc = e.location()?;
    let line = text
        .split_inclusive('\n')
        .nth((loc.line() as usize).checked_sub(1)?)?;
    let line_start = line.as_ptr() as usize - text.as_ptr() as usize;
    let (column, _) = line
        .char_indices()
        .nth((loc.column() as usize).checked_sub(1)?)?;
    let at = line_start + column;
    text[at..].starts_with('*').then_some(at)
}

fn first_line_of(s: &str) -> &str {
    s.lines().next().unwrap_or(s).trim()
}

fn parse_toml(text: &str, first_line: usize) -> Result<Fields, Diagnostic> {
    let fields: Fields = toml::from_str(text).map_err(|e| {
        let mut d = Diagnostic::error(format!(
            "front matter is not valid TOML: {}",
            first_line_of(e.message())
        ));
        if let Some(span) = e.span() {
            let (line, col) = crate::diag::line_col(text, span.start);
            d = d.at(first_line + line - 1, Some(col));
        } else {
            d = d.at(first_line, None);
        }
        d
    })?;
    Ok(Fields(
        fields
            .0
            .into_iter()
            .map(|(k, v)| (k, toml_datetimes_as_strings(v)))
            .collect(),
    ))
}

/// TOML datetimes arrive through serde as a one-key map; make them strings.
fn toml_datetimes_as_strings(value: Value) -> Value {
    const DATETIME_KEY: &str = "$__toml_private_datetime";
    match value {
        Value::Object(map) if map.len() == 1 && map.contains_key(DATETIME_KEY) => map
            .into_iter()
            .next()
            .map(|(_, v)| v)
            .unwrap_or(Value::Null),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, toml_datetimes_as_strings(v)))
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(toml_datetimes_as_strings).collect())
        }
        other => other,
    }
}

/// The top level of a YAML document: a mapping we keep in order, or
/// something else we refuse.
enum FieldsOrScalar {
    Fields(Fields),
    Other,
}

impl<'de> Deserialize<'de> for FieldsOrScalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FieldsOrScalarVisitor)
    }
}

struct FieldsOrScalarVisitor;

impl<'de> Visitor<'de> for FieldsOrScalarVisitor {
    type Value = FieldsOrScalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping of keys to values")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<FieldsOrScalar, A::Error> {
        FieldsVisitor.visit_map(map).map(FieldsOrScalar::Fields)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> Result<FieldsOrScalar, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(FieldsOrScalar::Other)
    }

    fn visit_str<E>(self, _: &str) -> Result<FieldsOrScalar, E> {
        Ok(FieldsOrScalar::Other)
    }

    fn visit_bool<E>(self, _: bool) -> Result<FieldsOrScalar, E> {
        Ok(FieldsOrScalar::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<FieldsOrScalar, E> {
        Ok(FieldsOrScalar::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<FieldsOrScalar, E> {
        Ok(FieldsOrScalar::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<FieldsOrScalar, E> {
        Ok(FieldsOrScalar::Other)
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(FieldsVisitor)
    }
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Fields;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping of keys to values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
        let mut fields = Vec::new();
        while let Some((key, value)) = map.next_entry::<KeyString, Value>()? {
            fields.push((key.0, value));
        }
        Ok(Fields(fields))
    }
}

/// A mapping key as text, whatever scalar type YAML gave it (`2024: x`).
struct KeyString(String);

impl<'de> Deserialize<'de> for KeyString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(KeyString(match Value::deserialize(d)? {
            Value::String(s) => s,
            other => other.to_string(),
        }))
    }
}
