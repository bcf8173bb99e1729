//! The post's blocks and inlines as XHTML for EPUB content documents.
//!
//! One [`BodyWriter`] renders every document of a book, so it can number
//! footnote references, embed each image once and count what it had to
//! drop (for one summarising warning per kind instead of a flood).

use super::images::{Image, Images};
use crate::diag::Diagnostic;
use crate::ir::{Align, Block, Inline, ListItem, Post};
use crate::write::epub::xhtml::Out;
use crate::write::shared::html_text::{self, HtmlText};
use crate::write::shared::links::{Target, link_target, percent_decode};
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub const NOTES_FILE: &str = "notes.xhtml";

/// Where an id lives: (content document, id).
pub type Anchor = (String, String);

pub struct BodyWriter<'a> {
    post: &'a Post,
    base_url: Option<&'a str>,
    /// Heading ids, by the heading's address in the post.
    pub heading_ids: HashMap<*const Block, String>,
    /// Fragment names a link may use (given ids, generated ids and
    /// GitHub-style slugs) → where they lead.
    pub anchors: HashMap<String, Anchor>,
    pub images: Images<'a>,
    /// Footnote number → references to it, in reading order.
    pub note_refs: BTreeMap<usize, Vec<Anchor>>,
    /// Document being written, for same-document links.
    pub current_file: String,
    /// The document the footnotes go to (`notes.xhtml`; prefixed per
    /// brief in a packet).
    pub notes_file: String,
    pub warnings: Vec<Diagnostic>,
    in_link: usize,
    /// The address of a link the book cannot follow, printed after the
    /// word the link ends in (see `inlines`).
    pending_target: Option<String>,
    /// How many `inlines` calls are running (emphasis inside a paragraph
    /// is 2): only the outermost one prints a pending target at its end.
    inlines_depth: usize,
    dropped_chars: usize,
    html_fragments: usize,
    html_dropped: BTreeSet<String>,
    relative_links: BTreeSet<String>,
    refused_links: BTreeSet<String>,
    broken_fragments: BTreeSet<String>,
    /// Embedded images without alt text (accessibility metadata).
    pub images_without_alt: usize,
}

impl<'a> BodyWriter<'a> {
    pub fn new(post: &'a Post, base_url: Option<&'a str>, images: Images<'a>) -> BodyWriter<'a> {
        BodyWriter {
            post,
            base_url,
            heading_ids: HashMap::new(),
            anchors: HashMap::new(),
            images,
            note_refs: BTreeMap::new(),
            current_file: String::new(),
            notes_file: NOTES_FILE.to_string(),
            warnings: Vec::new(),
            in_link: 0,
            pending_target: None,
            inlines_depth: 0,
            dropped_chars: 0,
            html_fragments: 0,
            html_dropped: BTreeSet::new(),
            relative_links: BTreeSet::new(),
            refused_links: BTreeSet::new(),
            broken_fragments: BTreeSet::new(),
            images_without_alt: 0,
        }
    }

    fn has_note(&self, number: usize) -> bool {
        self.post.footnotes.iter().any(|n| n.number == number)
    }

    /// Renders blocks into `out`.
    pub fn blocks(&mut self, out: &mut Out, blocks: &[Block]) {
        for block in blocks {
            self.block(out, block, false);
        }
        self.take_dropped(out);
    }

    fn take_dropped(&mut self, out: &mut Out) {
        self.dropped_chars += std::mem::take(&mut out.dropped);
    }

    fn block(&mut self, out: &mut Out, block: &Block, tight: bool) {
        match block {
            Block::Heading { level, content, .. } => {
                let level = (*level).clamp(1, 6);
                out.raw(&format!("<h{level}"));
                if let Some(id) = self.heading_ids.get(&(block as *const Block)).cloned() {
                    out.attribute("id", &id);
                }
                out.raw(">");
                self.inlines(out, content);
                out.raw(&format!("</h{level}>\n"));
            }
            Block::Paragraph { content } if tight => {
                self.inlines(out, content);
                out.raw("\n");
            }
            Block::Paragraph { content } => {
                out.raw("<p>");
                self.inlines(out, content);
                out.raw("</p>\n");
            }
            Block::List {
                start,
                tight,
                items,
            } => self.list(out, *start, *tight, items),
            Block::Quote { alert, body } => {
                match alert {
                    Some(kind) => {
                        let kind: String = kind
                            .chars()
                            .filter(char::is_ascii_alphabetic)
                            .map(|c| c.to_ascii_lowercase())
                            .collect();
                        out.raw("<blockquote");
                        out.attribute("class", &format!("alert alert-{kind}"));
                        out.raw("><p class=\"alert-title\">");
                        let mut title = kind.clone();
                        if let Some(first) = title.get_mut(..1) {
                            first.make_ascii_uppercase();
                        }
                        out.text(&title);
                        out.raw("</p>\n");
                    }
                    None => out.raw("<blockquote>\n"),
                }
                for b in body {
                    self.block(out, b, false);
                }
                out.raw("</blockquote>\n");
            }
            Block::Code { lang, text } => {
                out.raw("<pre><code");
                if let Some(lang) = lang {
                    let class: String = lang
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+'))
                        .collect();
                    if !class.is_empty() {
                        out.attribute("class", &format!("language-{class}"));
                    }
                }
                out.raw(">");
                out.text(text.strip_suffix('\n').unwrap_or(text));
                out.raw("</code></pre>\n");
            }
            Block::Table { align, head, rows } => self.table(out, align, head, rows),
            Block::Rule => out.raw("<hr/>\n"),
            Block::Html { html } => self.html_block(out, html),
        }
    }

    fn list(&mut self, out: &mut Out, start: Option<u64>, tight: bool, items: &[ListItem]) {
        let tag = if start.is_some() { "ol" } else { "ul" };
        out.raw("<");
        out.raw(tag);
        if items.iter().any(|i| i.task.is_some()) {
            out.attribute("class", "tasks");
        }
        if let Some(n) = start.filter(|&n| n != 1) {
            out.attribute("start", &n.to_string());
        }
        out.raw(">\n");
        for item in items {
            out.raw("<li>");
            if let Some(done) = item.task {
                // A character, not a form control: readers show it and
                // screen readers name it ("ballot box with check").
                out.raw(if done {
                    "<span class=\"task done\">\u{2611}</span> "
                } else {
                    "<span class=\"task\">\u{2610}</span> "
                });
            }
            for b in &item.body {
                self.block(out, b, tight);
            }
            out.raw("</li>\n");
        }
        out.raw(&format!("</{tag}>\n"));
    }

    fn table(
        &mut self,
        out: &mut Out,
        align: &[Align],
        head: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
    ) {
        let class = |i: usize| match align.get(i) {
            Some(Align::Left) => Some("align-left"),
            Some(Align::Center) => Some("align-center"),
            Some(Align::Right) => Some("align-right"),
            _ => None,
        };
        out.raw("<table>\n");
        if !head.is_empty() {
            out.raw("<thead><tr>");
            for (i, cell) in head.iter().enumerate() {
                out.raw("<th scope=\"col\"");
                if let Some(c) = class(i) {
                    out.attribute("class", c);
                }
                out.raw(">");
                self.inlines(out, cell);
                out.raw("</th>");
            }
            out.raw("</tr></thead>\n");
        }
        if !rows.is_empty() {
            out.raw("<tbody>\n");
            for row in rows {
                out.raw("<tr>");
                for (i, cell) in row.iter().enumerate() {
                    out.raw("<td");
                    if let Some(c) = class(i) {
                        out.attribute("class", c);
                    }
                    out.raw(">");
                    self.inlines(out, cell);
                    out.raw("</td>");
                }
                out.raw("</tr>\n");
            }
            out.raw("</tbody>\n");
        }
        out.raw("</table>\n");
    }

    /// A raw HTML block, shown as its text: one paragraph per paragraph
    /// of the raw-HTML rule (`shared::html_text`), `<br/>` between lines.
    fn html_block(&mut self, out: &mut Out, html: &str) {
        let text = html_text::read(html);
        self.note_html(&text);
        for lines in text.paragraphs() {
            out.raw("<p class=\"raw-html\">");
            for (i, line) in lines.iter().enumerate() {
                if i > 0 {
                    out.raw("<br/>");
                }
                out.text(line);
            }
            out.raw("</p>\n");
        }
    }

    fn note_html(&mut self, text: &HtmlText) {
        if text.tags > 0 {
            self.html_fragments += 1;
        }
        self.html_dropped.extend(text.dropped.iter().cloned());
    }

    pub fn inlines(&mut self, out: &mut Out, inlines: &[Inline]) {
        self.inlines_depth += 1;
        let mut rest = inlines.iter().peekable();
        let mut prev: Option<&Inline> = None;
        while let Some(inline) = rest.next() {
            // Between two Chinese or Japanese characters a source line
            // break joins the lines (reading systems may show a space).
            let joins = matches!(inline, Inline::SoftBreak)
                && crate::ir::script::joins_lines(prev, rest.peek().copied());
            prev = Some(inline);
            if !joins {
                self.inline(out, inline);
            }
            let Some(target) = self.pending_target.take() else {
                continue;
            };
            // A link that ends inside a word (`[Ca](x.md)se`, also
            // `*[Ca](x.md)*se`): print the address after the whole word,
            // so "Case" stays one word.
            match rest.peek() {
                Some(Inline::Text { text }) => {
                    let word_end = crate::ir::word_rest_len(&text);
                    out.text(&text[..word_end]);
                    Self::visible_target(out, &target);
                    out.text(&text[word_end..]);
                    rest.next();
                }
                // The word may go on after the enclosing emphasis.
                None if self.inlines_depth > 1 => self.pending_target = Some(target),
                _ => Self::visible_target(out, &target),
            }
        }
        self.inlines_depth -= 1;
        if self.inlines_depth == 0
            && let Some(target) = self.pending_target.take()
        {
            Self::visible_target(out, &target);
        }
    }

    /// The address of a link the book cannot follow, kept visible.
    fn visible_target(out: &mut Out, target: &str) {
        out.raw(" <span class=\"link-target\">(");
        out.text(target);
        out.raw(")</span>");
    }

    fn inline(&mut self, out: &mut Out, inline: &Inline) {
        match inline {
            Inline::Text { text } => out.text(text),
            Inline::Emph { content } => self.wrap(out, "em", content),
            Inline::Strong { content } => self.wrap(out, "strong", content),
            Inline::Strike { content } => self.wrap(out, "s", content),
            Inline::Code { text } => {
                out.raw("<code>");
                out.text(text);
                out.raw("</code>");
            }
            Inline::Link {
                url,
                title,
                bare,
                content,
            } => self.link(out, url, title.as_deref(), *bare, content),
            Inline::Image {
                src,
                title,
                alt,
                line,
            } => self.image(out, src, title.as_deref(), alt, *line),
            Inline::FootnoteRef { number, .. } => self.note_ref(out, *number),
            Inline::SoftBreak => out.raw("\n"),
            Inline::HardBreak => out.raw("<br/>\n"),
            Inline::Redacted { .. } => {
                out.raw("<span class=\"redacted\">");
                out.text(crate::ir::redact::BAR);
                out.raw("</span>");
            }
            Inline::Html { html } => {
                let text = html_text::read(html);
                self.note_html(&text);
                for (i, line) in text.inline_lines().iter().enumerate() {
                    if i > 0 {
                        out.raw("<br/>");
                    }
                    out.text(line);
                }
            }
        }
    }

    fn wrap(&mut self, out: &mut Out, tag: &str, content: &[Inline]) {
        out.raw(&format!("<{tag}>"));
        self.inlines(out, content);
        out.raw(&format!("</{tag}>"));
    }

    fn link(
        &mut self,
        out: &mut Out,
        url: &str,
        title: Option<&str>,
        bare: bool,
        content: &[Inline],
    ) {
        let href = match link_target(url, self.base_url) {
            Target::External(u) => Some(u),
            Target::Fragment(f) => match self
                .anchors
                .get(&f)
                .or_else(|| self.anchors.get(&percent(&f)))
            {
                Some((file, id)) if *file == self.current_file => Some(format!("#{id}")),
                Some((file, id)) => Some(format!("{file}#{id}")),
                None => {
                    self.broken_fragments.insert(f);
                    None
                }
            },
            Target::Relative(u) => {
                self.relative_links.insert(u.clone());
                // Keep the target visible: the book cannot link there.
                self.inlines(out, content);
                if !bare {
                    // Printed by `inlines` once the word the link ends in ends.
                    self.pending_target = Some(u);
                }
                return;
            }
            Target::Refused => {
                self.refused_links.insert(url.to_string());
                None
            }
        };
        match href {
            Some(href) if self.in_link == 0 => {
                out.raw("<a");
                out.attribute("href", &href);
                if let Some(t) = title.filter(|t| !t.is_empty()) {
                    out.attribute("title", t);
                }
                out.raw(">");
                self.in_link += 1;
                self.inlines(out, content);
                self.in_link -= 1;
                out.raw("</a>");
            }
            _ => self.inlines(out, content),
        }
    }

    fn image(&mut self, out: &mut Out, src: &str, title: Option<&str>, alt: &str, line: usize) {
        match self.images.resolve(src) {
            Image::Embedded { href } => {
                if alt.trim().is_empty() {
                    self.images_without_alt += 1;
                }
                out.raw("<img");
                out.attribute("src", &href);
                out.attribute("alt", alt);
                if let Some(t) = title.filter(|t| !t.is_empty()) {
                    out.attribute("title", t);
                }
                out.raw("/>");
            }
            Image::Unavailable { link, reason } => {
                self.warnings.push(
                    crate::write::shared::image_not_embedded(src, &reason)
                        .in_file(&self.post.source)
                        .at(line, None),
                );
                let label = if alt.trim().is_empty() { src } else { alt };
                match link {
                    Some(url) if self.in_link == 0 => {
                        out.raw("<a class=\"image-link\"");
                        out.attribute("href", &url);
                        out.raw(">[");
                        out.text(label);
                        out.raw("]</a>");
                    }
                    _ => {
                        out.raw("<span class=\"image-missing\">[");
                        out.text(label);
                        out.raw("]</span>");
                    }
                }
            }
        }
    }

    fn note_ref(&mut self, out: &mut Out, number: usize) {
        if !self.has_note(number) || self.in_link > 0 {
            out.text(&format!("[{number}]"));
            return;
        }
        let refs = self.note_refs.entry(number).or_default();
        let id = if refs.is_empty() {
            format!("fnref-{number}")
        } else {
            format!("fnref-{number}-{}", refs.len() + 1)
        };
        refs.push((self.current_file.clone(), id.clone()));
        let href = if self.current_file == self.notes_file {
            format!("#fn-{number}")
        } else {
            format!("{}#fn-{number}", self.notes_file)
        };
        out.raw("<sup><a epub:type=\"noteref\" role=\"doc-noteref\"");
        out.attribute("id", &id);
        out.attribute("href", &href);
        out.raw(&format!(">{number}</a></sup>"));
    }

    /// One warning per kind of thing the book could not keep as written.
    pub fn summary_warnings(&mut self) {
        let file = self.post.source.clone();
        let mut push = |d: Diagnostic| self.warnings.push(d.in_file(&file));
        if self.dropped_chars > 0 {
            push(Diagnostic::warning(format!(
                "{} character(s) that XML 1.0 forbids (control characters) were dropped from the EPUB",
                self.dropped_chars
            )));
        }
        if self.html_fragments > 0 {
            push(crate::write::shared::html_text::shown_as_text(
                self.html_fragments,
            ));
        }
        if !self.html_dropped.is_empty() {
            let names: Vec<_> = self.html_dropped.iter().map(|n| format!("<{n}>")).collect();
            push(crate::write::shared::html_text::content_dropped(&names));
        }
        if let Some(d) = crate::write::shared::links::refused_warning(&self.refused_links) {
            push(d);
        }
        if let Some(first) = self.broken_fragments.iter().next() {
            push(Diagnostic::warning(format!(
                "{} link(s) to a missing heading kept as text only, e.g. #{}",
                self.broken_fragments.len(),
                crate::diag::one_line(first)
            )));
        }
        let _ = &self.relative_links; // relative links are expected in web posts: no warning
    }

    /// Adds the characters `out` dropped to the count the summary
    /// warning reports.
    pub fn count_dropped(&mut self, out: &mut Out) {
        self.take_dropped(out);
    }

    /// Counts forbidden characters dropped outside an [`Out`] (metadata).
    pub fn add_dropped(&mut self, n: usize) {
        self.dropped_chars += n;
    }
}

/// `%`-decoded form of a fragment, so `#caf%C3%A9` finds `café`.
fn percent(f: &str) -> String {
    percent_decode(f)
}
