//! The e-mail text edition: IR to wrapped plain UTF-8 text.
//!
//! Layout: a header block (title, date in the post's language, authors),
//! then the body; headings of level 1 and 2 underlined; links as
//! `text [n]` with a numbered list of addresses at the end, footnotes as
//! `[^n]` with their notes before the links. Nothing the author wrote is
//! dropped: raw HTML shows its text, images their alt text (and their
//! address when it is a web address a reader can open).

use crate::diag::Diagnostic;
use std::collections::BTreeMap;

use crate::ir::{Align, Block, Inline, ListItem, Post, plain_text};
use crate::read::dates;
use crate::write::shared::html_text;
use crate::write::shared::notes::{Kind, Sources, kind_of};
use crate::write::shared::wrap::{width, wrap, wrap_marked};
use crate::write::{Context, Rendered};

pub fn render(post: &Post, ctx: &Context) -> Result<Rendered, Diagnostic> {
    let text = render_text(post, ctx.config.text.width);
    Ok(Rendered {
        bytes: text.into_bytes(),
        warnings: Vec::new(),
    })
}

/// The edition as a string, wrapped at `max` columns.
pub fn render_text(post: &Post, max: usize) -> String {
    let mut text = String::new();
    for (line, _) in render_lines(post, max) {
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// The edition's lines (no line ends, no trailing spaces, no trailing
/// blank lines), each marked `true` when it ends at a soft break: a break
/// the wrapping made at a space inside a top-level paragraph, which a mail
/// reader may rejoin (`format=flowed`). Indented and quoted lines always
/// end hard, so rejoining never drags an indent or a `>` into the text.
///
/// A marked post's marking is the first and the last line
/// (`shared::marking`), so no excerpt of the text loses it.
pub fn render_lines(post: &Post, max: usize) -> Vec<(String, bool)> {
    let marking = post
        .meta
        .marking
        .as_deref()
        .map(|m| wrap(&crate::write::shared::marking::printed(m), max, "", ""));
    let mut lines = Vec::new();
    if let Some(m) = &marking {
        lines.extend(m.iter().map(|l| (l.clone(), false)));
        lines.push((String::new(), false));
    }
    lines.extend(lines_of(post, max, true));
    if let Some(m) = marking {
        lines.push((String::new(), false));
        lines.extend(m.into_iter().map(|l| (l, false)));
    }
    lines
}

/// A cover letter's lines: its text, notes and links, no title block.
pub fn letter_lines(letter: &Post, max: usize) -> Vec<(String, bool)> {
    lines_of(letter, max, false)
}

fn lines_of(post: &Post, max: usize, header: bool) -> Vec<(String, bool)> {
    let mut w = Writer {
        max,
        out: Vec::new(),
        soft: Default::default(),
        sources: Sources::of(post),
        links: BTreeMap::new(),
    };
    if header {
        w.header(post);
    }
    w.blocks(&post.body, "", "");
    w.notes(post);
    w.link_list(&post.meta.lang);
    while w.out.last().is_some_and(|l| l.trim().is_empty()) {
        w.out.pop();
    }
    let soft = std::mem::take(&mut w.soft);
    w.out
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let line = line.trim_end().to_string();
            (line, soft.contains(&i))
        })
        .collect()
}

struct Writer {
    max: usize,
    out: Vec<String>,
    /// Indices of lines in `out` that end at a soft break.
    soft: std::collections::HashSet<usize>,
    /// The brief's source numbers, shared with the PDF and the packet's
    /// Sources appendix.
    sources: Sources,
    /// The numbered addresses this edition printed a `[n]` for.
    links: BTreeMap<usize, String>,
}

impl Writer {
    fn blank(&mut self) {
        if self.out.last().is_some_and(|l| !l.is_empty()) {
            self.out.push(String::new());
        }
    }

    /// Wrapped running text. Only top-level lines (no indent, no quote
    /// marker) may end soft; see [`render_lines`].
    fn paragraph(&mut self, text: &str, first: &str, rest: &str) {
        let may_flow = first.is_empty() && rest.is_empty();
        for (line, soft) in wrap_marked(text, self.max, first, rest) {
            if soft && may_flow {
                self.soft.insert(self.out.len());
            }
            self.out.push(line);
        }
    }

    fn header(&mut self, post: &Post) {
        let meta = &post.meta;
        let title = wrap(&clean(&meta.title), self.max, "", "");
        let rule = title.iter().map(|l| width(l)).max().unwrap_or(0);
        self.out.extend(title);
        self.out.push("=".repeat(rule.max(3)));
        if let Some(subtitle) = &meta.subtitle {
            self.out.extend(wrap(&clean(subtitle), self.max, "", ""));
        }
        if let Some(date) = &meta.date {
            self.out.push(dates::written(date.day, &meta.lang));
        }
        if !meta.authors.is_empty() {
            let names: Vec<String> = meta.authors.iter().map(|a| clean(&a.name)).collect();
            self.out.extend(wrap(&names.join(", "), self.max, "", ""));
        }
        self.out.push(String::new());
    }

    /// Writes blocks; every line starts with `first` (the first line) or
    /// `rest` (all others), which carry list indents and quote markers.
    fn blocks(&mut self, blocks: &[Block], first: &str, rest: &str) {
        for (i, block) in blocks.iter().enumerate() {
            let lead = if i == 0 { first } else { rest };
            if i > 0 {
                self.separator(rest);
            }
            self.block(block, lead, rest);
        }
    }

    /// A blank line between blocks, keeping a quote's `>` marker.
    fn separator(&mut self, rest: &str) {
        let quote_marker = rest.trim_end();
        if quote_marker.contains('>') {
            self.out.push(quote_marker.to_string());
        } else {
            self.blank();
        }
    }

    fn block(&mut self, block: &Block, first: &str, rest: &str) {
        match block {
            Block::Paragraph { content } => {
                let text = self.inlines(content);
                self.paragraph(text.trim(), first, rest);
            }
            Block::Heading { level, content, .. } => {
                let text = self.inlines(content);
                let lines = wrap(text.trim(), self.max, first, rest);
                let underline = match level {
                    1 => Some('='),
                    2 => Some('-'),
                    _ => None,
                };
                // Saturating: a heading with no visible text inside a quote
                // wraps to ">" (trimmed), narrower than its prefix "> ".
                // Regression: "> # <b>" panicked with "capacity overflow".
                let heading_width = lines
                    .iter()
                    .map(|l| width(l).saturating_sub(width(rest)))
                    .max()
                    .unwrap_or(0);
                self.out.extend(lines);
                if let Some(c) = underline {
                    self.out.push(format!(
                        "{rest}{}",
                        c.to_string().repeat(heading_width.max(3))
                    ));
                }
            }
            Block::List {
                start,
                tight,
                items,
            } => self.list(*start, *tight, items, first, rest),
            Block::Quote { alert, body } => {
                let (qf, qr) = (format!("{first}> "), format!("{rest}> "));
                if let Some(kind) = alert {
                    self.out.push(format!("{first}> {}", kind.to_uppercase()));
                    self.out.push(qr.trim_end().to_string());
                    self.blocks(body, &qr, &qr);
                } else {
                    self.blocks(body, &qf, &qr);
                }
                if body.is_empty() {
                    self.out.push(qf.trim_end().to_string());
                }
            }
            Block::Code { text, .. } => {
                let text = text.strip_suffix('\n').unwrap_or(text);
                for (i, line) in text.split('\n').enumerate() {
                    let lead = if i == 0 { first } else { rest };
                    let line = expand_tabs(&strip_controls(line));
                    let full = format!("{lead}    {line}");
                    self.out.push(full.trim_end().to_string());
                }
            }
            Block::Table { align, head, rows } => self.table(align, head, rows, first, rest),
            Block::Rule => self.out.push(format!(
                "{first}{}* * *",
                " ".repeat(self.max.saturating_sub(5 + width(first)) / 2)
            )),
            Block::Html { html } => {
                let text = html_text::to_text(html);
                let mut lead = first;
                for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
                    if lead == rest {
                        self.separator(rest);
                    }
                    self.paragraph(&clean(para), lead, rest);
                    lead = rest;
                }
            }
        }
    }

    fn list(
        &mut self,
        start: Option<u64>,
        tight: bool,
        items: &[ListItem],
        first: &str,
        rest: &str,
    ) {
        let last_number = start.map(|s| s.saturating_add(items.len() as u64));
        let marker_width = last_number.map_or(2, |n| n.to_string().len() + 2);
        for (i, item) in items.iter().enumerate() {
            let mut marker = match start {
                Some(s) => format!("{}. ", s.saturating_add(i as u64)),
                None => "- ".to_string(),
            };
            while marker.len() < marker_width {
                marker.push(' ');
            }
            if let Some(checked) = item.task {
                marker.push_str(if checked { "[x] " } else { "[ ] " });
            }
            let lead = if i == 0 { first } else { rest };
            if i > 0 && !tight {
                self.separator(rest);
            }
            let item_first = format!("{lead}{marker}");
            let item_rest = format!("{rest}{}", " ".repeat(width(&marker)));
            if item.body.is_empty() {
                self.out.push(item_first.trim_end().to_string());
                continue;
            }
            for (j, block) in item.body.iter().enumerate() {
                let block_lead = if j == 0 {
                    item_first.as_str()
                } else {
                    item_rest.as_str()
                };
                if j > 0 && (!tight || !matches!(block, Block::List { .. })) {
                    self.separator(&item_rest);
                }
                self.block(block, block_lead, &item_rest);
            }
        }
    }

    /// Cells become one-line strings here, so their links are numbered in
    /// reading order; the layout itself is [`super::table`]'s.
    fn table(
        &mut self,
        align: &[Align],
        head: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
        first: &str,
        rest: &str,
    ) {
        let head: Vec<String> = head.iter().map(|c| one_line(&self.inlines(c))).collect();
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|r| r.iter().map(|c| one_line(&self.inlines(c))).collect())
            .collect();
        let lines = super::table::lay_out(align, &head, &rows, self.max, first, rest);
        self.out.extend(lines);
    }

    /// Inline content as one string: soft breaks become spaces, hard breaks
    /// `\n`, links get their reference numbers.
    fn inlines(&mut self, inlines: &[Inline]) -> String {
        let mut s = String::new();
        self.push_inlines(inlines, &mut s);
        s
    }

    fn push_inlines(&mut self, inlines: &[Inline], s: &mut String) {
        // A link's reference number waits for the end of the word the
        // link ends in: `[Ca](https://x.org)se` reads "Case [1]".
        let mut marker: Option<String> = None;
        for (i, inline) in inlines.iter().enumerate() {
            if let Some(m) = marker.take() {
                if let Inline::Text { text } = inline {
                    let text = clean(text);
                    let word_end = crate::ir::word_rest_len(&text);
                    s.push_str(&text[..word_end]);
                    s.push_str(&m);
                    s.push_str(&text[word_end..]);
                    continue;
                }
                s.push_str(&m);
            }
            match inline {
                Inline::Text { text } => s.push_str(&clean(text)),
                Inline::Code { text } => s.push_str(&clean(text)),
                Inline::Emph { content } => {
                    s.push('_');
                    self.push_inlines(content, s);
                    s.push('_');
                }
                Inline::Strong { content } => {
                    s.push('*');
                    self.push_inlines(content, s);
                    s.push('*');
                }
                Inline::Strike { content } => {
                    s.push('~');
                    self.push_inlines(content, s);
                    s.push('~');
                }
                Inline::Link {
                    url, content, bare, ..
                } => {
                    self.push_inlines(content, s);
                    // Which links get a `[n]` is the rule every edition
                    // shares (`shared::notes`).
                    match kind_of(url, content, *bare) {
                        None => {} // a link within the post means nothing in an e-mail
                        Some(Kind::Shown) => {
                            if plain_text(content).trim().is_empty() {
                                s.push_str(&clean(url));
                            }
                        }
                        Some(Kind::Noted | Kind::TextOnly) => {
                            if let Some(n) = self.link_number(url) {
                                marker = Some(format!(" [{n}]"));
                            }
                        }
                    }
                }
                Inline::Image { src, alt, .. } => {
                    let alt = clean(alt);
                    let alt = alt.trim();
                    if alt.is_empty() {
                        s.push_str("[image]");
                    } else {
                        s.push_str(&format!("[image: {alt}]"));
                    }
                    // Only an address a reader can open gets a reference: a
                    // site-relative `/assets/img/x.png` names nothing outside
                    // the site, so the alt text stands alone.
                    if let Some(n) = crate::write::shared::links::web_address(src)
                        .and_then(|_| self.link_number(src))
                    {
                        s.push_str(&format!(" [{n}]"));
                    }
                }
                Inline::FootnoteRef { number, .. } => s.push_str(&format!("[^{number}]")),
                // Between two Chinese or Japanese characters a source line
                // break joins the lines (the PDF's rule: `ir::script`).
                Inline::SoftBreak
                    if crate::ir::script::joins_lines(
                        i.checked_sub(1).and_then(|p| inlines.get(p)),
                        inlines.get(i + 1),
                    ) => {}
                Inline::SoftBreak => s.push(' '),
                Inline::HardBreak => s.push('\n'),
                Inline::Html { html } => s.push_str(&html_text::inline_to_text(html)),
                Inline::Redacted { .. } => s.push_str(crate::ir::redact::BAR),
            }
        }
        if let Some(m) = marker {
            s.push_str(&m);
        }
    }

    /// The address's number in the brief (see `shared::notes`), noted for
    /// the list at the end.
    fn link_number(&mut self, url: &str) -> Option<usize> {
        let n = self.sources.number(url)?;
        self.links.entry(n).or_insert_with(|| clean(url));
        Some(n)
    }

    fn notes(&mut self, post: &Post) {
        if post.footnotes.is_empty() {
            return;
        }
        self.blank();
        self.out.push(label(&post.meta.lang, "notes"));
        self.out.push(String::new());
        for note in &post.footnotes {
            let marker = format!("[^{}] ", note.number);
            let hanging = " ".repeat(width(&marker));
            if note.body.is_empty() {
                self.out.push(marker.trim_end().to_string());
            }
            self.blocks(&note.body, &marker, &hanging);
        }
    }

    fn link_list(&mut self, lang: &str) {
        if self.links.is_empty() {
            return;
        }
        self.blank();
        self.out.push(label(lang, "links"));
        self.out.push(String::new());
        let links = std::mem::take(&mut self.links);
        let last = links.keys().next_back().copied().unwrap_or(0);
        let marker_width = format!("[{last}] ").len();
        // Numbers the text prints no `[n]` for (addresses printed in the
        // text itself) are skipped, so each keeps its number in Sources.
        for (n, url) in &links {
            let marker = format!("[{n}] ");
            // Addresses are never wrapped: a broken URL is a dead link.
            self.out.push(format!("{marker:<marker_width$}{url}"));
        }
    }
}

/// Section labels in the post's language (`shared::locale`).
fn label(lang: &str, what: &str) -> String {
    use crate::write::shared::locale::{LINKS, NOTES, word};
    word(lang, if what == "notes" { NOTES } else { LINKS }).to_string()
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text from the post, safe for a plain-text body: tabs become spaces and
/// control characters (other than line breaks) are removed.
fn clean(s: &str) -> String {
    strip_controls(&s.replace('\t', " "))
}

fn strip_controls(s: &str) -> String {
    s.chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect()
}

fn expand_tabs(line: &str) -> String {
    let mut out = String::new();
    let mut column = 0;
    for c in line.chars() {
        if c == '\t' {
            let spaces = 4 - column % 4;
            out.push_str(&" ".repeat(spaces));
            column += spaces;
        } else {
            out.push(c);
            column += c.len_utf8().min(1);
        }
    }
    out
}
