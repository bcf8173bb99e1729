//! Blocks of the PDF data: headings (shifted and clamped for PDF/UA),
//! paragraphs, lists, quotes, code, tables (with their cell word limits)
//! and raw HTML reduced to text.

use serde_json::{Value, json};

use super::Converter;
use crate::ir::{Align, Block, Inline, ListItem, plain_text};
use crate::write::shared::breaking::{
    BODY, MAX_PAGE_COLUMNS, WordLimit, code_line_parts, word_parts,
};
use crate::write::shared::clean::{clean, clean_keep_newlines, expand_tabs, is_bidi_control};

/// Code lines with a token longer than this are set without `raw` so they
/// can wrap anywhere.
const LONG_CODE_TOKEN: usize = 60;

impl Converter<'_> {
    pub(super) fn blocks(&mut self, blocks: &[Block], top: bool) -> Vec<Value> {
        let mut out = Vec::new();
        for b in blocks {
            self.push_block(b, top, &mut out);
        }
        out
    }

    /// Pushes a block's value, or, for a quote or list nested too deep, the
    /// values of the blocks inside it.
    pub(super) fn push_block(&mut self, block: &Block, top: bool, out: &mut Vec<Value>) {
        match block {
            Block::Quote { body, .. } if self.too_deep() => {
                for b in body {
                    self.push_block(b, false, out);
                }
            }
            Block::List { items, .. } if self.too_deep() => {
                for b in items.iter().flat_map(|i| &i.body) {
                    self.push_block(b, false, out);
                }
            }
            _ => out.extend(self.block(block, top)),
        }
    }

    pub(super) fn block(&mut self, block: &Block, top: bool) -> Option<Value> {
        Some(match block {
            Block::Heading { level, content, .. } => {
                if plain_text(content).trim().is_empty() {
                    // An empty heading breaks PDF/UA and says nothing.
                    return None;
                }
                let body = self.inlines(content);
                if !top || self.in_note {
                    return Some(json!({"k": "p", "body": [{"k": "strong", "body": body}]}));
                }
                // The title is level 1; the post's levels start at 2 and
                // never skip one.
                let shifted = (*level).clamp(1, 6) + 2 - self.min_level;
                let level = shifted.min(self.prev_level + 1).max(2);
                self.prev_level = level;
                json!({"k": "h", "level": level, "body": body})
            }
            Block::Paragraph { content } => self.paragraph(content),
            Block::List {
                start,
                tight,
                items,
            } => {
                let items: Vec<Value> =
                    self.nested(|cx| items.iter().map(|i| cx.list_item(i)).collect());
                json!({"k": "list", "start": start, "tight": tight, "items": items})
            }
            Block::Quote { alert, body } => {
                let body = self.nested(|cx| cx.blocks(body, false));
                json!({"k": "quote", "alert": alert.as_deref().map(clean), "body": body})
            }
            Block::Code { lang, text } => code_block(lang.as_deref(), text),
            Block::Table { align, head, rows } => {
                let align: Vec<&str> = align
                    .iter()
                    .map(|a| match a {
                        Align::None | Align::Left => "left",
                        Align::Center => "center",
                        Align::Right => "right",
                    })
                    .collect();
                let columns = rows
                    .iter()
                    .map(Vec::len)
                    .chain([align.len(), head.len(), 1])
                    .max()
                    .unwrap_or(1);
                if columns > MAX_PAGE_COLUMNS {
                    return Some(self.records(head, rows, columns));
                }
                let outer_limit =
                    std::mem::replace(&mut self.limit, WordLimit::table_cell(columns));
                let mut row_of = |cells: &Vec<Vec<Inline>>| -> Value {
                    let mut out: Vec<Value> = cells
                        .iter()
                        .map(|c| Value::Array(self.nested(|cx| cx.inlines(c))))
                        .collect();
                    out.resize(columns, Value::Array(Vec::new()));
                    Value::Array(out)
                };
                let head = if head.is_empty() {
                    Value::Array(Vec::new())
                } else {
                    row_of(head)
                };
                let rows: Vec<Value> = rows.iter().map(&mut row_of).collect();
                self.limit = outer_limit;
                json!({"k": "table", "columns": columns, "align": align, "head": head, "rows": rows})
            }
            Block::Rule => json!({"k": "rule"}),
            Block::Html { html } => {
                let text = crate::write::shared::html_text::to_text(html);
                if text.trim().is_empty() {
                    if is_only_comments(html) {
                        // HTML comments are the author's hidden notes.
                        return None;
                    }
                    // Markup without text (an <img>, an empty <div>): show
                    // the markup itself rather than lose it silently.
                    return Some(
                        json!({"k": "html", "lines": lines_of(&clean_keep_newlines(html))}),
                    );
                }
                json!({"k": "html", "lines": lines_of(&text)})
            }
        })
    }

    pub(super) fn paragraph(&mut self, content: &[Inline]) -> Value {
        // A paragraph that is only an image becomes a figure-like block.
        let meaningful: Vec<&Inline> = content
            .iter()
            .filter(|i| !matches!(i, Inline::SoftBreak | Inline::HardBreak))
            .filter(|i| !matches!(i, Inline::Text { text } if text.trim().is_empty()))
            .collect();
        if let [
            Inline::Image {
                src,
                title,
                alt,
                line,
            },
        ] = meaningful.as_slice()
        {
            let mut img = self.image(src, title.as_deref(), alt, *line);
            img["block"] = Value::Bool(true);
            return json!({"k": "image-block", "image": img});
        }
        json!({"k": "p", "body": self.inlines(content)})
    }

    pub(super) fn list_item(&mut self, item: &ListItem) -> Value {
        json!({"task": item.task, "body": self.blocks(&item.body, false)})
    }
}

fn code_block(lang: Option<&str>, text: &str) -> Value {
    let text = expand_tabs(text.trim_end_matches('\n'));
    let text: String = text
        .chars()
        .filter(|c| *c == '\n' || !(c.is_control() || is_bidi_control(*c)))
        .collect();
    let long = text
        .split_whitespace()
        .any(|w| w.chars().count() > LONG_CODE_TOKEN);
    let lang = lang.map(clean).filter(|l| !l.is_empty());
    if long {
        let lines: Vec<Vec<String>> = text.lines().map(code_line_parts).collect();
        json!({"k": "code", "lang": lang, "text": text, "lines": lines})
    } else {
        json!({"k": "code", "lang": lang, "text": text, "lines": null})
    }
}

fn lines_of(text: &str) -> Vec<Value> {
    // `clean` per line: raw HTML's text may hold direction overrides too.
    text.lines()
        .map(clean)
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.is_empty())
        .map(|l| {
            Value::Array(
                word_parts(&l, BODY)
                    .into_iter()
                    .map(Value::String)
                    .collect(),
            )
        })
        .collect()
}

fn is_only_comments(html: &str) -> bool {
    let mut rest = html.trim();
    while let Some(after) = rest.strip_prefix("<!--") {
        match after.find("-->") {
            Some(end) => rest = after[end + 3..].trim(),
            None => return true,
        }
    }
    rest.is_empty()
}

impl Converter<'_> {
    /// A table too wide for the page, as one record per row, the rule the
    /// e-mail edition follows (`write::email::table`): each cell as
    /// "Header: value", an empty first header making the first cell the
    /// record's title, an empty header leaving its value unlabelled (and
    /// skipped when empty too). Squeezed into columns, 300 of them printed
    /// as an overprinted smear.
    fn records(
        &mut self,
        head: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
        columns: usize,
    ) -> Value {
        self.warn(
            format!(
                "a table of {columns} columns is wider than a PDF page can carry \
                 (at most {MAX_PAGE_COLUMNS}): printed as one record per row"
            ),
            None,
        );
        let outer_limit = std::mem::replace(&mut self.limit, WordLimit::table_cell(2));
        let empty = |cells: &[Inline]| plain_text(cells).trim().is_empty();
        let titled = head.first().is_some_and(|h| empty(h));
        let labels: Vec<Option<Value>> = head
            .iter()
            .map(|h| (!empty(h)).then(|| Value::Array(self.nested(|cx| cx.inlines(h)))))
            .collect();
        let mut records = Vec::new();
        for row in rows {
            let title = row
                .first()
                .filter(|t| titled && !empty(t))
                .map(|t| Value::Array(self.nested(|cx| cx.inlines(t))));
            let from = usize::from(title.is_some());
            let mut fields = Vec::new();
            for (i, cell) in row.iter().enumerate().skip(from) {
                let label = labels.get(i).cloned().flatten();
                if label.is_none() && empty(cell) {
                    continue;
                }
                let value = Value::Array(self.nested(|cx| cx.inlines(cell)));
                fields.push(json!({"label": label, "value": value}));
            }
            records.push(json!({"title": title, "fields": fields}));
        }
        let names: Vec<Value> = labels.into_iter().flatten().collect();
        self.limit = outer_limit;
        json!({"k": "records", "records": records, "names": if rows.is_empty() { names } else { Vec::new() }})
    }
}
