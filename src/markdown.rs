//! Markdown to IR. The one place pulldown-cmark's options are set, and the
//! one `match` over its events.
//!
//! Besides translating events this module: numbers footnotes in order of
//! first reference, turns bare `https://…` and `www.…` in text into links,
//! reads `{#id}` and MDX `{/*id*/}` heading ids, and flattens containers
//! nested deeper than [`MAX_DEPTH`] (keeping their text) so no writer ever
//! recurses without bound.

use crate::diag::Diagnostic;
use crate::ir::{Align, Block, Footnote, Inline, ListItem};
use pulldown_cmark::{
    Alignment, BlockQuoteKind, CodeBlockKind, Event, LinkType, Options, Parser, Tag, TagEnd,
};
use std::collections::HashMap;

/// Containers (quotes, lists, emphasis, links) nested deeper than this are
/// flattened into their parent: their text stays, their nesting goes.
pub const MAX_DEPTH: usize = 32;

/// The parser options every edition is built with.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
    // Smart punctuation stays off: the author's characters are kept.
}

/// A parsed body.
#[derive(Debug, Default)]
pub struct Parsed {
    pub body: Vec<Block>,
    pub footnotes: Vec<Footnote>,
    pub warnings: Vec<Diagnostic>,
}

/// Parses a Markdown body. `first_line` is the source line where `text`
/// starts, so image lines and warnings point into the file.
pub fn parse(text: &str, first_line: usize) -> Parsed {
    let without_mdx = strip_mdx_comments(text);
    let text = without_mdx.as_deref().unwrap_or(text);
    let mut builder = Builder::new(text, first_line);
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        builder.event(event, range.start);
    }
    builder.finish()
}

#[derive(Debug)]
enum Kind {
    Root,
    Paragraph,
    Heading {
        level: u8,
        id: Option<String>,
    },
    Quote {
        alert: Option<String>,
    },
    List {
        start: Option<u64>,
    },
    Item,
    FootnoteDef {
        label: String,
    },
    Code {
        lang: Option<String>,
    },
    HtmlBlock,
    Table {
        align: Vec<Align>,
    },
    TableHead,
    TableRow,
    TableCell,
    Emph,
    Strong,
    Strike,
    Link {
        url: String,
        title: Option<String>,
        bare: bool,
    },
    Image {
        src: String,
        title: Option<String>,
        line: usize,
    },
}

/// An open container and what has been collected inside it.
#[derive(Debug)]
struct Frame {
    kind: Kind,
    blocks: Vec<Block>,
    inlines: Vec<Inline>,
    items: Vec<ListItem>,
    /// For list items: whether the item held a paragraph (loose list).
    loose: bool,
    task: Option<bool>,
    /// Raw text of code and HTML blocks.
    text: String,
    rows: Vec<Vec<Vec<Inline>>>,
    head: Vec<Vec<Inline>>,
}

impl Frame {
    fn new(kind: Kind) -> Frame {
        Frame {
            kind,
            blocks: Vec::new(),
            inlines: Vec::new(),
            items: Vec::new(),
            loose: false,
            task: None,
            text: String::new(),
            rows: Vec::new(),
            head: Vec::new(),
        }
    }

    /// Inlines collected directly in a block container (a tight list item)
    /// become a paragraph before the next block.
    fn flush_inlines(&mut self) {
        if !self.inlines.is_empty() {
            let content = finish_inlines(std::mem::take(&mut self.inlines), true);
            self.blocks.push(Block::Paragraph { content });
        }
    }

    /// Content that reaches a list outside any item (its items were
    /// flattened) joins the last item, or a new one.
    fn push_to_last_item(&mut self, block: Block) {
        match self.items.last_mut() {
            Some(item) => item.body.push(block),
            None => self.items.push(ListItem {
                task: None,
                body: vec![block],
            }),
        }
    }

    fn is_inline_container(&self) -> bool {
        matches!(
            self.kind,
            Kind::Paragraph
                | Kind::Heading { .. }
                | Kind::TableCell
                | Kind::Emph
                | Kind::Strong
                | Kind::Strike
                | Kind::Link { .. }
                | Kind::Image { .. }
        )
    }
}

/// What an `End` event closes: a frame we pushed, or a container that was
/// flattened into its parent.
enum Open {
    Frame,
    Flat,
}

struct Builder {
    first_line: usize,
    line_starts: Vec<usize>,
    stack: Vec<Frame>,
    open: Vec<Open>,
    /// Depth of nesting containers (quotes, lists, items, inline spans).
    depth: usize,
    link_depth: usize,
    footnote_numbers: HashMap<String, usize>,
    footnote_defs: Vec<(String, Vec<Block>)>,
    flattened: bool,
    warnings: Vec<Diagnostic>,
}

impl Builder {
    fn new(text: &str, first_line: usize) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Builder {
            first_line,
            line_starts,
            stack: vec![Frame::new(Kind::Root)],
            open: Vec::new(),
            depth: 0,
            link_depth: 0,
            footnote_numbers: HashMap::new(),
            footnote_defs: Vec::new(),
            flattened: false,
            warnings: Vec::new(),
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        let index = self.line_starts.partition_point(|&s| s <= offset);
        self.first_line + index.saturating_sub(1)
    }

    fn top(&mut self) -> &mut Frame {
        // The root frame is never popped.
        self.stack.last_mut().expect("root frame")
    }

    fn event(&mut self, event: Event<'_>, offset: usize) {
        match event {
            Event::Start(tag) => self.start(tag, offset),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.text_event(&text),
            Event::Code(code) => self.push_inline(Inline::Code {
                text: code.into_string(),
            }),
            Event::InlineMath(text) | Event::DisplayMath(text) => self.text_event(&text),
            Event::Html(html) => match self.top().kind {
                Kind::HtmlBlock | Kind::Code { .. } => self.top().text.push_str(&html),
                _ => self.push_inline(Inline::Html {
                    html: html.into_string(),
                }),
            },
            Event::InlineHtml(html) => self.push_inline(Inline::Html {
                html: html.into_string(),
            }),
            Event::FootnoteReference(label) => {
                let number = self.footnote_number(&label);
                self.push_inline(Inline::FootnoteRef {
                    label: label.into_string(),
                    number,
                });
            }
            Event::SoftBreak => self.push_inline(Inline::SoftBreak),
            Event::HardBreak => self.push_inline(Inline::HardBreak),
            Event::Rule => self.push_block(Block::Rule),
            Event::TaskListMarker(checked) => {
                if matches!(self.top().kind, Kind::Item) && self.top().task.is_none() {
                    self.top().task = Some(checked);
                } else {
                    self.text_event(if checked { "[x] " } else { "[ ] " });
                }
            }
        }
    }

    /// A flattened quote, list or item starts or ends: keep a space between
    /// its text and its neighbour's. Regression: 600 nested list items
    /// came out as one word, "level15level16level17…".
    fn separate_flattened(&mut self) {
        let top = self.top();
        let accepts_inlines = top.is_inline_container()
            || matches!(
                top.kind,
                Kind::Root | Kind::Item | Kind::Quote { .. } | Kind::FootnoteDef { .. }
            );
        let ends_in_text = top
            .inlines
            .last()
            .is_some_and(|i| !matches!(i, Inline::SoftBreak | Inline::HardBreak));
        if accepts_inlines && ends_in_text {
            top.inlines.push(Inline::SoftBreak);
        }
    }

    fn footnote_number(&mut self, label: &str) -> usize {
        let next = self.footnote_numbers.len() + 1;
        *self
            .footnote_numbers
            .entry(label.to_string())
            .or_insert(next)
    }

    fn start(&mut self, tag: Tag<'_>, offset: usize) {
        let nests = matches!(
            tag,
            Tag::BlockQuote(_)
                | Tag::List(_)
                | Tag::Item
                | Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Link { .. }
                | Tag::Superscript
                | Tag::Subscript
        );
        if nests {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                if !self.flattened {
                    self.flattened = true;
                    self.warnings.push(
                        Diagnostic::warning(format!(
                            "quotes, lists or emphasis nested deeper than {MAX_DEPTH} levels are flattened (their text is kept)"
                        ))
                        .at(self.line_of(offset), None),
                    );
                }
                if matches!(tag, Tag::BlockQuote(_) | Tag::List(_) | Tag::Item) {
                    self.separate_flattened();
                }
                self.open.push(Open::Flat);
                return;
            }
        }
        let kind = match tag {
            Tag::Paragraph => Kind::Paragraph,
            Tag::Heading { level, id, .. } => Kind::Heading {
                level: level as u8,
                id: id.map(|s| s.into_string()),
            },
            Tag::BlockQuote(kind) => Kind::Quote {
                alert: kind.map(alert_name),
            },
            Tag::CodeBlock(CodeBlockKind::Fenced(info)) => Kind::Code {
                lang: info.split_whitespace().next().map(str::to_string),
            },
            Tag::CodeBlock(CodeBlockKind::Indented) => Kind::Code { lang: None },
            Tag::HtmlBlock => Kind::HtmlBlock,
            Tag::List(start) => Kind::List { start },
            Tag::Item => Kind::Item,
            Tag::FootnoteDefinition(label) => Kind::FootnoteDef {
                label: label.into_string(),
            },
            Tag::Table(align) => Kind::Table {
                align: align.into_iter().map(convert_align).collect(),
            },
            Tag::TableHead => Kind::TableHead,
            Tag::TableRow => Kind::TableRow,
            Tag::TableCell => Kind::TableCell,
            Tag::Emphasis => Kind::Emph,
            Tag::Strong => Kind::Strong,
            Tag::Strikethrough => Kind::Strike,
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => {
                self.link_depth += 1;
                let bare = matches!(link_type, LinkType::Autolink | LinkType::Email);
                let url = if link_type == LinkType::Email && !dest_url.starts_with("mailto:") {
                    format!("mailto:{dest_url}")
                } else {
                    dest_url.into_string()
                };
                Kind::Link {
                    url,
                    title: non_empty(&title),
                    bare,
                }
            }
            Tag::Image {
                dest_url, title, ..
            } => Kind::Image {
                src: dest_url.into_string(),
                title: non_empty(&title),
                line: self.line_of(offset),
            },
            // Not enabled; should they appear, their content is kept inline.
            Tag::Superscript
            | Tag::Subscript
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => {
                self.open.push(Open::Flat);
                return;
            }
        };
        if matches!(kind, Kind::Paragraph) {
            if let Kind::Item = self.top().kind {
                self.top().loose = true;
            }
        }
        self.stack.push(Frame::new(kind));
        self.open.push(Open::Frame);
    }

    fn end(&mut self, tag: TagEnd) {
        let nests = matches!(
            tag,
            TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::Item
                | TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Superscript
                | TagEnd::Subscript
        );
        let open = self.open.pop();
        if nests {
            self.depth = self.depth.saturating_sub(1);
        }
        if matches!(open, Some(Open::Flat))
            && matches!(tag, TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item)
        {
            self.separate_flattened();
        }
        if !matches!(open, Some(Open::Frame)) || self.stack.len() < 2 {
            return;
        }
        let Some(mut frame) = self.stack.pop() else {
            return;
        };
        let autolink = self.link_depth == 0;
        if matches!(
            frame.kind,
            Kind::Quote { .. } | Kind::Item | Kind::FootnoteDef { .. }
        ) {
            frame.flush_inlines();
        }
        let kind = std::mem::replace(&mut frame.kind, Kind::Root);
        match kind {
            Kind::Root => {}
            Kind::Paragraph => {
                let content = finish_inlines(frame.inlines, autolink);
                if !content.is_empty() {
                    self.push_block(Block::Paragraph { content });
                }
            }
            Kind::Heading { level, id } => {
                let content = finish_inlines(frame.inlines, autolink);
                self.push_block(Block::Heading { level, id, content });
            }
            Kind::Quote { alert } => {
                self.push_block(Block::Quote {
                    alert,
                    body: frame.blocks,
                });
            }
            Kind::List { start } => {
                let tight = !frame.loose;
                self.push_block(Block::List {
                    start,
                    tight,
                    items: frame.items,
                });
            }
            Kind::Item => {
                let loose = frame.loose;
                let item = ListItem {
                    task: frame.task,
                    body: frame.blocks,
                };
                if matches!(self.top().kind, Kind::List { .. }) {
                    let list = self.top();
                    list.loose |= loose;
                    list.items.push(item);
                } else {
                    // An item whose list was flattened: keep its content.
                    {
                        if let Some(checked) = item.task {
                            self.text_event(if checked { "[x] " } else { "[ ] " });
                        }
                        for block in item.body {
                            self.push_block(block);
                        }
                    }
                }
            }
            Kind::FootnoteDef { label } => {
                self.footnote_defs.push((label, frame.blocks));
            }
            Kind::Code { lang } => self.push_block(Block::Code {
                lang,
                text: frame.text,
            }),
            Kind::HtmlBlock => self.push_block(Block::Html { html: frame.text }),
            Kind::Table { align } => {
                let width = align.len();
                let pad = |mut row: Vec<Vec<Inline>>| {
                    row.resize_with(width.max(row.len()), Vec::new);
                    row
                };
                let head = pad(frame.head);
                let rows = frame.rows.into_iter().map(pad).collect();
                self.push_block(Block::Table { align, head, rows });
            }
            Kind::TableHead => {
                let cells = std::mem::take(&mut frame.rows)
                    .into_iter()
                    .flatten()
                    .collect();
                self.top().head = cells;
            }
            Kind::TableRow => {
                let cells = frame.rows.into_iter().flatten().collect();
                self.top().rows.push(cells);
            }
            Kind::TableCell => {
                let content = finish_inlines(frame.inlines, autolink);
                // Cells are collected as one-cell rows in the row frame and
                // joined when the row ends.
                self.top().rows.push(vec![content]);
            }
            Kind::Emph => self.push_inline(Inline::Emph {
                content: finish_inlines(frame.inlines, false),
            }),
            Kind::Strong => self.push_inline(Inline::Strong {
                content: finish_inlines(frame.inlines, false),
            }),
            Kind::Strike => self.push_inline(Inline::Strike {
                content: finish_inlines(frame.inlines, false),
            }),
            Kind::Link { url, title, bare } => {
                self.link_depth = self.link_depth.saturating_sub(1);
                let content = finish_inlines(frame.inlines, false);
                self.push_inline(Inline::Link {
                    url,
                    title,
                    bare,
                    content,
                });
            }
            Kind::Image { src, title, line } => {
                let alt = crate::ir::plain_text(&frame.inlines);
                self.push_inline(Inline::Image {
                    src,
                    title,
                    alt,
                    line,
                });
            }
        }
    }

    fn text_event(&mut self, text: &str) {
        match self.top().kind {
            Kind::Code { .. } | Kind::HtmlBlock => self.top().text.push_str(text),
            _ => self.push_inline(Inline::text(text)),
        }
    }

    fn push_inline(&mut self, inline: Inline) {
        let top = self.top();
        if let (Some(Inline::Text { text: last }), Inline::Text { text }) =
            (top.inlines.last_mut(), &inline)
        {
            last.push_str(text);
            return;
        }
        match top.kind {
            Kind::Code { .. } | Kind::HtmlBlock => top
                .text
                .push_str(&crate::ir::plain_text(std::slice::from_ref(&inline))),
            // Inlines outside any paragraph (flattened structure, tight
            // items, table rows) are kept in the nearest container.
            Kind::TableRow | Kind::TableHead | Kind::Table { .. } => {
                top.rows.push(vec![vec![inline]]);
            }
            Kind::List { .. } => top.push_to_last_item(Block::Paragraph {
                content: vec![inline],
            }),
            _ => top.inlines.push(inline),
        }
    }

    fn push_block(&mut self, block: Block) {
        // A block can only land in a block container; a flattened inline
        // container above us is closed over by keeping its text.
        let top = self.top();
        if top.is_inline_container() {
            top.inlines.push(Inline::text(block_text(&block)));
            return;
        }
        match top.kind {
            Kind::List { .. } => top.push_to_last_item(block),
            Kind::Table { .. } | Kind::TableHead | Kind::TableRow => {
                top.rows.push(vec![vec![Inline::text(block_text(&block))]]);
            }
            Kind::Code { .. } | Kind::HtmlBlock => top.text.push_str(&block_text(&block)),
            _ => {
                top.flush_inlines();
                top.blocks.push(block);
            }
        }
    }

    fn finish(mut self) -> Parsed {
        // Close anything left open (pulldown-cmark closes everything, but
        // never trust a stack to be balanced).
        while self.stack.len() > 1 {
            self.open.push(Open::Frame);
            self.end(TagEnd::Paragraph);
        }
        let mut root = self.stack.pop().unwrap_or_else(|| Frame::new(Kind::Root));
        root.flush_inlines();
        let footnotes = number_footnotes(self.footnote_defs, &mut self.footnote_numbers);
        Parsed {
            body: root.blocks,
            footnotes,
            warnings: self.warnings,
        }
    }
}

/// Orders definitions by the number of their first reference; definitions
/// never referenced are numbered after, so their text is not lost.
fn number_footnotes(
    defs: Vec<(String, Vec<Block>)>,
    numbers: &mut HashMap<String, usize>,
) -> Vec<Footnote> {
    let mut notes: Vec<Footnote> = Vec::new();
    let mut unreferenced = Vec::new();
    for (label, body) in defs {
        if notes.iter().any(|n| n.label == label) {
            continue; // pulldown-cmark uses the first definition; so do we.
        }
        match numbers.get(&label) {
            Some(&number) => notes.push(Footnote {
                label,
                number,
                body,
            }),
            None => unreferenced.push((label, body)),
        }
    }
    notes.sort_by_key(|n| n.number);
    let mut next = numbers.len() + 1;
    for (label, body) in unreferenced {
        numbers.insert(label.clone(), next);
        notes.push(Footnote {
            label,
            number: next,
            body,
        });
        next += 1;
    }
    notes
}

fn block_text(block: &Block) -> String {
    match block {
        Block::Paragraph { content } | Block::Heading { content, .. } => {
            crate::ir::plain_text(content)
        }
        Block::Code { text, .. } => text.clone(),
        Block::Html { html } => html.clone(),
        Block::Quote { body, .. } => body.iter().map(block_text).collect::<Vec<_>>().join(" "),
        Block::List { items, .. } => items
            .iter()
            .flat_map(|i| i.body.iter().map(block_text))
            .collect::<Vec<_>>()
            .join(" "),
        Block::Table { head, rows, .. } => std::iter::once(head)
            .chain(rows)
            .flat_map(|r| r.iter().map(|c| crate::ir::plain_text(c)))
            .collect::<Vec<_>>()
            .join(" "),
        Block::Rule => String::new(),
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn alert_name(kind: BlockQuoteKind) -> String {
    match kind {
        BlockQuoteKind::Note => "note",
        BlockQuoteKind::Tip => "tip",
        BlockQuoteKind::Important => "important",
        BlockQuoteKind::Warning => "warning",
        BlockQuoteKind::Caution => "caution",
    }
    .to_string()
}

fn convert_align(a: Alignment) -> Align {
    match a {
        Alignment::None => Align::None,
        Alignment::Left => Align::Left,
        Alignment::Center => Align::Center,
        Alignment::Right => Align::Right,
    }
}

/// Final touches on a run of inlines: adjacent text merged (done on push),
/// bare URLs turned into links unless we are inside a link already.
fn finish_inlines(inlines: Vec<Inline>, autolink: bool) -> Vec<Inline> {
    if !autolink {
        return inlines;
    }
    let mut out = Vec::with_capacity(inlines.len());
    for inline in inlines {
        match inline {
            Inline::Text { text } => crate::autolink::split_urls(&text, &mut out),
            other => out.push(other),
        }
    }
    out
}

/// MDX comments (`{/* … */}`) are not text anyone reads: they are removed
/// before parsing, outside code, keeping their line breaks so line numbers
/// stay right. A comment ending a heading line is MDX's heading id
/// (`## Title {/*title*/}`) and becomes `{#title}`. Returns `None` when the
/// text has none.
fn strip_mdx_comments(text: &str) -> Option<String> {
    if !text.contains("{/*") {
        return None;
    }
    let code: Vec<std::ops::Range<usize>> = Parser::new_ext(text, options())
        .into_offset_iter()
        .filter(|(event, _)| matches!(event, Event::Start(Tag::CodeBlock(_)) | Event::Code(_)))
        .map(|(_, range)| range)
        .collect();
    let in_code = |at: usize| code.iter().any(|r| r.contains(&at));
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    let mut from = 0;
    while let Some(found) = text[from..].find("{/*") {
        let start = from + found;
        let Some(length) = text[start..].find("*/}") else {
            break;
        };
        let end = start + length + 3;
        if in_code(start) {
            from = start + 3;
            continue;
        }
        out.push_str(&text[done..start]);
        let inner = text[start + 3..end - 3].trim();
        let line_start = text[..start].rfind('\n').map_or(0, |p| p + 1);
        let line_end = text[end..].find('\n').map_or(text.len(), |p| end + p);
        let heading_id = text[line_start..start].trim_start().starts_with('#')
            && text[end..line_end].trim().is_empty()
            && !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if heading_id {
            out.push_str(&format!("{{#{inner}}}"));
        } else {
            out.extend(text[start..end].chars().filter(|&c| c == '\n'));
        }
        done = end;
        from = end;
    }
    out.push_str(&text[done..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::plain_text;

    #[test]
    fn mdx_comments_are_removed_outside_code_and_ids_kept() {
        let text = "{/*<!-- eslint-disable -->*/}\nText {/* note */} here.\n\n## Title {/*title-id*/}\n\n```jsx\n{/* kept */}\n```\n";
        let parsed = parse(text, 1);
        let Block::Paragraph { content } = &parsed.body[0] else {
            panic!("{:?}", parsed.body)
        };
        assert_eq!(
            plain_text(content).split_whitespace().collect::<Vec<_>>(),
            ["Text", "here."]
        );
        let Block::Heading { id, content, .. } = &parsed.body[1] else {
            panic!()
        };
        assert_eq!(
            (id.as_deref(), plain_text(content).as_str()),
            (Some("title-id"), "Title")
        );
        let Block::Code { text, .. } = &parsed.body[2] else {
            panic!()
        };
        assert_eq!(text, "{/* kept */}\n");
    }

    #[test]
    fn deep_nesting_is_flattened_without_losing_text() {
        let text = format!("{}deep\n", "> ".repeat(600));
        let parsed = parse(&text, 1);
        assert!(!parsed.warnings.is_empty());
        let mut depth = 0;
        let mut blocks = &parsed.body;
        while let Some(Block::Quote { body, .. }) = blocks.first() {
            depth += 1;
            blocks = body;
        }
        assert!(depth <= MAX_DEPTH, "{depth}");
        assert!(
            crate::survival::reader_text(&crate::ir::Post {
                source: Default::default(),
                source_sha256: String::new(),
                meta: crate::ir::Meta {
                    title: String::new(),
                    slug: String::new(),
                    date: None,
                    lang: "en".into(),
                    authors: vec![],
                    tags: vec![],
                    summary: None,
                    subtitle: None,
                    draft: false,
                    extra: vec![],
                },
                body: parsed.body.clone(),
                footnotes: vec![],
            })
            .contains("deep")
        );
    }

    #[test]
    fn footnotes_are_numbered_by_first_reference_and_unreferenced_kept() {
        let parsed = parse(
            "b[^b] a[^a] b again[^b]\n\n[^a]: A.\n[^b]: B.\n[^c]: C.\n",
            1,
        );
        let labels: Vec<(&str, usize)> = parsed
            .footnotes
            .iter()
            .map(|n| (n.label.as_str(), n.number))
            .collect();
        assert_eq!(labels, [("b", 1), ("a", 2), ("c", 3)]);
    }
}
