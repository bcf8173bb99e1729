//! The one `match` over pulldown-cmark's events: a stack of open
//! containers (frames) that each event adds to or closes, flattening
//! containers nested deeper than [`MAX_DEPTH`](super::MAX_DEPTH).

use super::*;

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

pub(super) struct Builder {
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
    pub(super) fn new(text: &str, first_line: usize) -> Self {
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

    pub(super) fn event(&mut self, event: Event<'_>, offset: usize) {
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

    pub(super) fn finish(mut self) -> Parsed {
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
