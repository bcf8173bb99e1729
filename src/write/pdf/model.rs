//! The PDF edition's data model: the IR turned into the JSON the template
//! (`templates/brief.typ`) walks. Post text only ever travels as JSON string
//! values; the template turns them into content with functions, so no post
//! text is ever parsed as Typst markup.
//!
//! Decisions that need Rust (and the file system) are made here, once:
//! heading levels shifted and clamped for PDF/UA, tabs expanded, long words
//! cut into breakable parts, links classified (clickable? address printed
//! where?), images checked against the sandbox, raw HTML reduced to text.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};

use crate::config::{LinkStyle, Paper};
use crate::diag::{Diagnostic, quote};
use crate::ir::{Align, Block, Inline, ListItem, Post, plain_text};
use crate::write::resources::{ImageLookup, Resources};

/// Longest address made clickable; Typst refuses more than 8000 bytes.
const MAX_LINK_URL: usize = 2000;
/// Longest address printed in full; longer ones are shortened with a note.
const MAX_PRINTED_URL: usize = 300;
/// Words longer than this (in chars) are cut into parts that may break.
const LONG_WORD: usize = 30;
const WORD_PART: usize = 10;
/// Parts of a printed address are merged up to this many characters.
const ADDRESS_CHUNK: usize = 16;

/// When a word is too long to set whole, and where it is cut.
#[derive(Clone, Copy, Debug, PartialEq)]
enum WordLimit {
    /// Body text: words over `LONG_WORD` chars are cut, runs of letters
    /// and digits every `2 * WORD_PART`, addresses as `address_parts`
    /// cuts them.
    Body,
    /// A table cell: words wider than `em` (estimated, in ems of the
    /// cell's text) are cut into parts narrower than that, addresses too.
    Cell { em: f64 },
}

const BODY: WordLimit = WordLimit::Body;

impl WordLimit {
    /// The limit for a cell of a table with `columns` columns. Mirrors
    /// templates/brief.typ: A4 text width 465 pt; table text 9 pt with 6 pt
    /// side insets, 8 pt and 3 pt above 6 columns, 7 pt and 3 pt above 10.
    /// Typst never gives an auto column whose content is wider than its
    /// share less than an equal share of the width, so a word no wider than
    /// an equal share cannot run into the next cell or off the page; other
    /// words stay whole (a part boundary is a place the line may break,
    /// wanted or not). Past ~40 columns a share is narrower than one
    /// letter and cells may still touch. Regression: 16 columns of long
    /// words printed on top of each other.
    fn table_cell(columns: usize) -> WordLimit {
        let (size, inset) = match columns {
            0..=6 => (9.0, 6.0),
            7..=10 => (8.0, 3.0),
            _ => (7.0, 3.0),
        };
        let share = 465.0 / columns.max(1) as f64 - 2.0 * inset;
        WordLimit::Cell { em: share / size }
    }
}

/// A generous estimate of a character's width in ems (Libertinus Serif,
/// bold headers included): wide for capitals and `m`/`w`, full for CJK.
fn char_em(c: char) -> f64 {
    match c {
        'M' | 'W' | '@' | '%' | '&' => 1.0,
        'm' | 'w' => 0.8,
        'i' | 'j' | 'l' | 't' | 'f' | 'r' | 'I' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' => 0.35,
        c if c.is_ascii_uppercase() => 0.75,
        c if c.is_ascii() => 0.55,
        c if unicode_width::UnicodeWidthChar::width(c) == Some(2) => 1.0,
        _ => 0.7,
    }
}

fn word_em(word: &str) -> f64 {
    word.chars().map(char_em).sum()
}

/// Code lines with a token longer than this are set without `raw` so they
/// can wrap anywhere.
const LONG_CODE_TOKEN: usize = 60;
/// Containers (quotes, lists, emphasis, links, footnote bodies, table
/// cells) nested deeper than this in the PDF data are flattened into their
/// parent, keeping their text. Typst stops at 80 nested function calls and
/// its `json()` at 128 nested values; the template spends up to four calls
/// and three JSON levels per container, so the markdown module's
/// `MAX_DEPTH` (32) is too deep for it, and a chain of footnotes (each note
/// citing the next) is not bounded by `MAX_DEPTH` at all. Regression:
/// 600 nested `>` and 2,000 chained footnotes failed the PDF with "maximum
/// function call depth exceeded" and "recursion limit exceeded".
pub const MAX_PDF_NESTING: usize = 12;

/// Everything the converter needs besides the post.
pub struct ModelOptions<'a> {
    pub links: LinkStyle,
    pub paper: Paper,
    /// Canonical folder of the post; images must resolve inside it.
    pub post_dir: Option<&'a Path>,
    /// The sandbox images are checked against.
    pub resources: &'a Resources,
    /// Font families in order of preference (already filtered to those
    /// available).
    pub body_fonts: Vec<String>,
    pub mono_fonts: Vec<String>,
    pub organisation: Option<&'a str>,
    /// When true, no image is embedded (used to retry after an image that
    /// Typst could not decode).
    pub no_images: bool,
    /// Virtual folder the World serves `post_dir` under: `/post` for a
    /// single brief, `/brief-N` inside a packet.
    pub image_root: &'a str,
    /// Prefix of footnote labels, unique per brief within one document.
    pub note_prefix: &'a str,
}

/// The JSON model plus the warnings found while building it.
pub struct Model {
    pub json: Value,
    pub warnings: Vec<Diagnostic>,
    pub embedded_images: usize,
}

pub fn build(post: &Post, opts: &ModelOptions) -> Model {
    let mut cx = Converter {
        post,
        opts,
        warnings: Vec::new(),
        prev_level: 1,
        min_level: post
            .body
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level, content, .. } if !plain_text(content).trim().is_empty() => {
                    Some((*level).clamp(1, 6))
                }
                _ => None,
            })
            .min()
            .unwrap_or(2),
        notes: post.footnotes.iter().map(|f| (f.number, &f.body)).collect(),
        used_notes: BTreeSet::new(),
        in_note: false,
        limit: BODY,
        embedded_images: 0,
        depth: 0,
        flattened: false,
    };
    let body: Vec<Value> = cx.blocks(&post.body, true);
    let mut unreferenced = Vec::new();
    for f in &post.footnotes {
        if cx.used_notes.contains(&f.number) {
            continue;
        }
        cx.in_note = true;
        let body = cx.blocks(&f.body, false);
        cx.in_note = false;
        unreferenced.push(json!({"number": f.number, "body": body}));
    }

    let meta = &post.meta;
    let title = clean(&meta.title);
    let title = if title.trim().is_empty() {
        meta.slug.clone()
    } else {
        title
    };
    let short_title = meta
        .extra
        .iter()
        .find(|(k, _)| k == "short_title")
        .and_then(|(_, v)| v.as_str())
        .map(clean)
        .unwrap_or_else(|| shorten(&title, 70));
    let (lang, region) = split_lang(&meta.lang);
    let date = meta.date.as_ref().map(|d| {
        use chrono::Datelike;
        json!({
            "year": d.day.year(), "month": d.day.month(), "day": d.day.day(),
            "iso": d.day.format("%Y-%m-%d").to_string(),
            "written": crate::read::dates::written(d.day, &meta.lang),
        })
    });
    let json = json!({
        "title": title,
        "short_title": short_title,
        // The same texts cut into parts where a long word may break (see
        // `line_parts`). Regression: a 47-character word in the title ran
        // off the page and its last letter was lost.
        "title_parts": line_parts(&title),
        "subtitle_parts": meta.subtitle.as_deref().map(|s| line_parts(&clean(s))),
        "summary_parts": meta.summary.as_deref().map(|s| line_parts(&clean(s))),
        "subtitle": meta.subtitle.as_deref().map(clean),
        "summary": meta.summary.as_deref().map(clean),
        "date": date,
        "authors": meta.authors.iter().map(|a| clean(&a.name)).collect::<Vec<_>>(),
        "tags": meta.tags.iter().map(|t| clean(t)).collect::<Vec<_>>(),
        "lang": lang,
        "region": region,
        "organisation": opts.organisation.map(clean),
        "paper": match opts.paper { Paper::A4 => "a4", Paper::UsLetter => "us-letter" },
        "fonts": {"body": opts.body_fonts, "mono": opts.mono_fonts},
        "body": body,
        "notes": unreferenced,
    });
    Model {
        json,
        warnings: cx.warnings,
        embedded_images: cx.embedded_images,
    }
}

struct Converter<'a> {
    post: &'a Post,
    opts: &'a ModelOptions<'a>,
    warnings: Vec<Diagnostic>,
    /// Level of the previous heading as printed (the title is level 1).
    prev_level: u8,
    /// The post's highest (smallest) heading level: printed as level 2.
    min_level: u8,
    notes: BTreeMap<usize, &'a Vec<Block>>,
    used_notes: BTreeSet<usize>,
    in_note: bool,
    /// Where long words are cut: [`BODY`], or a table cell's limit.
    limit: WordLimit,
    embedded_images: usize,
    /// Containers open around the value being built (see
    /// [`MAX_PDF_NESTING`]).
    depth: usize,
    flattened: bool,
}

impl Converter<'_> {
    /// True (and warns once) when one more container would nest too deep
    /// for the template: the caller then splices the container's content
    /// into its parent instead.
    fn too_deep(&mut self) -> bool {
        if self.depth < MAX_PDF_NESTING {
            return false;
        }
        if !self.flattened {
            self.flattened = true;
            self.warn(
                format!(
                    "quotes, lists, emphasis or footnotes nested deeper than {MAX_PDF_NESTING} levels are flattened in the PDF (their text is kept)"
                ),
                None,
            );
        }
        true
    }

    /// Runs `f` one container deeper.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        out
    }

    fn warn(&mut self, message: String, line: Option<usize>) {
        let mut d = Diagnostic::warning(message).in_file(&self.post.source);
        if let Some(line) = line {
            d = d.at(line, None);
        }
        self.warnings.push(d);
    }

    fn blocks(&mut self, blocks: &[Block], top: bool) -> Vec<Value> {
        let mut out = Vec::new();
        for b in blocks {
            self.push_block(b, top, &mut out);
        }
        out
    }

    /// Pushes a block's value, or, for a quote or list nested too deep, the
    /// values of the blocks inside it.
    fn push_block(&mut self, block: &Block, top: bool, out: &mut Vec<Value>) {
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

    fn block(&mut self, block: &Block, top: bool) -> Option<Value> {
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

    fn paragraph(&mut self, content: &[Inline]) -> Value {
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

    fn list_item(&mut self, item: &ListItem) -> Value {
        json!({"task": item.task, "body": self.blocks(&item.body, false)})
    }

    fn inlines(&mut self, inlines: &[Inline]) -> Vec<Value> {
        let mut out = Vec::new();
        let mut rest = inlines.iter().peekable();
        while let Some(inline) = rest.next() {
            self.inline(inline, &mut out);
            // A link whose address prints after it (note marker or
            // parenthesis) and that ends inside a word
            // (`[Ca](https://x.org)se`): the rest of the word joins the
            // link text, so the marker does not cut "Case" in two.
            let Some(Value::Object(link)) = out.last_mut() else {
                continue;
            };
            let is = |key: &str| link.get(key).is_some_and(|v| !v.is_null());
            let prints_address = is("note") || is("inline");
            if link.get("k").and_then(Value::as_str) != Some("link") || !prints_address {
                continue;
            }
            let Some(Inline::Text { text }) = rest.peek() else {
                continue;
            };
            let text = clean(text);
            let word_end = crate::ir::word_rest_len(&text);
            if word_end == 0 {
                continue;
            }
            if let Some(Value::Array(body)) = link.get_mut("body") {
                push_text(&text[..word_end], body, self.limit);
                rest.next();
                push_text(&text[word_end..], &mut out, self.limit);
            }
        }
        out
    }

    fn inline(&mut self, inline: &Inline, out: &mut Vec<Value>) {
        match inline {
            Inline::Text { text } => push_text(&clean(text), out, self.limit),
            Inline::Emph { content } | Inline::Strong { content } | Inline::Strike { content }
                if self.too_deep() =>
            {
                for c in content {
                    self.inline(c, out);
                }
            }
            Inline::Emph { content } => {
                out.push(json!({"k": "emph", "body": self.nested(|cx| cx.inlines(content))}))
            }
            Inline::Strong { content } => {
                out.push(json!({"k": "strong", "body": self.nested(|cx| cx.inlines(content))}))
            }
            Inline::Strike { content } => {
                out.push(json!({"k": "strike", "body": self.nested(|cx| cx.inlines(content))}))
            }
            Inline::Code { text } => {
                out.push(json!({"k": "icode", "parts": word_parts(&clean(text), self.limit)}))
            }
            Inline::Link {
                url, content, bare, ..
            } => {
                let link = self.link(url, content, *bare);
                out.push(link);
            }
            Inline::Image {
                src,
                title,
                alt,
                line,
            } => {
                let img = self.image(src, title.as_deref(), alt, *line);
                out.push(img);
            }
            Inline::FootnoteRef { number, .. } => {
                // Too deep: print the number only; the note's text goes to
                // the notes at the end (it stays out of `used_notes`).
                let deep = self.notes.contains_key(number)
                    && !self.used_notes.contains(number)
                    && self.too_deep();
                if deep {
                    out.push(json!({"k": "fn", "n": number, "first": false, "known": false, "body": null}));
                    return;
                }
                let first = self.used_notes.insert(*number);
                let body = match (first, self.notes.get(number).copied()) {
                    (true, Some(blocks)) => {
                        // The note prints at the foot of the page, not in
                        // the table cell that may cite it.
                        let was = std::mem::replace(&mut self.in_note, true);
                        let limit = std::mem::replace(&mut self.limit, BODY);
                        let body = self.nested(|cx| cx.blocks(blocks, false));
                        self.in_note = was;
                        self.limit = limit;
                        Value::Array(body)
                    }
                    _ => Value::Null,
                };
                let known = self.notes.contains_key(number);
                let label = format!("{}fn-{number}", self.opts.note_prefix);
                out.push(json!({"k": "fn", "n": number, "label": label, "first": first, "known": known, "body": body}));
            }
            Inline::SoftBreak => out.push(json!({"k": "t", "s": " "})),
            Inline::HardBreak => out.push(json!({"k": "br"})),
            Inline::Html { html } => {
                let lower = html.trim().to_ascii_lowercase();
                if lower.starts_with("<br") {
                    out.push(json!({"k": "br"}));
                } else {
                    push_text(
                        &clean(&crate::write::shared::html_text::inline_to_text(html)),
                        out,
                        self.limit,
                    );
                }
            }
        }
    }

    fn link(&mut self, url: &str, content: &[Inline], bare: bool) -> Value {
        let url = clean(url).trim().to_string();
        let body = self.nested(|cx| cx.inlines(content));
        if url.starts_with('#') || url.is_empty() {
            // In-page anchors: the text alone reads fine on paper.
            return json!({"k": "span", "body": body});
        }
        let external = has_scheme(&url);
        let clickable = external && url.len() <= MAX_LINK_URL;
        let printed = if url.chars().count() > MAX_PRINTED_URL {
            format!(
                "{}… ({} characters)",
                shorten_chars(&url, MAX_PRINTED_URL),
                url.chars().count()
            )
        } else {
            url.clone()
        };
        let text_is_url = bare
            || plain_text(content).trim() == url
            || url
                .strip_prefix("mailto:")
                .is_some_and(|m| plain_text(content).trim() == m);
        let style = if self.in_note && self.opts.links == LinkStyle::Footnote {
            LinkStyle::Inline
        } else {
            self.opts.links
        };
        let (note, inline) = match style {
            _ if text_is_url || !external => (None, None),
            LinkStyle::Footnote => (Some(printed), None),
            LinkStyle::Inline => (None, Some(printed)),
            LinkStyle::None => (None, None),
        };
        // A link that shows its own address: printed in parts that break
        // like an address (see `address_parts`), not like words.
        let shown = plain_text(content);
        let body = if body.is_empty() {
            vec![json!({"k": "w", "parts": address_parts(&url, self.limit)})]
        } else if text_is_url
            && shown.trim() == shown
            && has_scheme(&shown)
            && shown.chars().count() <= MAX_PRINTED_URL
        {
            vec![json!({"k": "w", "parts": address_parts(&clean(&shown), self.limit)})]
        } else {
            body
        };
        json!({
            "k": "link",
            "url": if clickable { Value::String(url) } else { Value::Null },
            "body": body,
            // A note's address starts its own line at 8 pt, where about
            // 110 characters fit: shorter ones need no break (one box).
            "note": note.map(|n| if n.chars().count() <= 90 { vec![n] } else { address_parts(&n, BODY) }),
            "inline": inline.map(|n| address_parts(&n, self.limit)),
        })
    }

    fn image(&mut self, src: &str, title: Option<&str>, alt: &str, line: usize) -> Value {
        let src = clean(src);
        let mut alt = clean(alt).trim().to_string();
        let file_name = src
            .rsplit(['/', '\\'])
            .find(|s| !s.is_empty())
            .unwrap_or("image")
            .to_string();
        if alt.is_empty() {
            alt = title
                .map(clean)
                .filter(|t| !t.trim().is_empty())
                .unwrap_or(file_name);
            self.warn(
                format!(
                    "image {} has no alt text; using {} for screen readers",
                    quote(&src),
                    quote(&alt)
                ),
                Some(line),
            );
        }
        let resolved = if self.opts.no_images {
            Err("not embedded after an image failed to load".to_string())
        } else {
            resolve_image(
                self.opts.resources,
                &src,
                self.opts.post_dir,
                self.opts.image_root,
            )
        };
        match resolved {
            Ok(path) => {
                self.embedded_images += 1;
                json!({"k": "img", "path": path, "alt": alt, "src": src})
            }
            Err(reason) => {
                self.warn(
                    format!(
                        "image {} not embedded: {reason}; printing a placeholder",
                        quote(&src)
                    ),
                    Some(line),
                );
                json!({"k": "img", "path": null, "alt": alt, "alt_parts": line_parts(&alt), "src": address_parts(&shorten_chars(&src, MAX_PRINTED_URL), self.limit), "reason": reason})
            }
        }
    }
}

/// Applies the image policy ([`Resources::image`]) and returns the
/// image's virtual path (`{root}/…`, served by the World from the post's
/// folder) or why it is refused.
fn resolve_image(
    resources: &Resources,
    src: &str,
    post_dir: Option<&Path>,
    root: &str,
) -> Result<String, String> {
    match resources.image(src, post_dir) {
        ImageLookup::Local(image) => Ok(format!("{root}/{}", image.relative)),
        ImageLookup::Remote(_) => Err("remote images are never fetched".into()),
        ImageLookup::Refused(reason) => Err(reason),
    }
}

fn has_scheme(url: &str) -> bool {
    match url.find(':') {
        Some(i) if i > 0 => {
            let scheme = &url[..i];
            scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                // A Windows drive letter is not a scheme.
                && scheme.len() > 1
        }
        _ => false,
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

/// Expands tabs to the next multiple of 4 columns (Typst draws a tab as
/// nothing).
fn expand_tabs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut col = 0;
        for c in line.chars() {
            if c == '\t' {
                let n = 4 - col % 4;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            } else {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

/// Post text made safe to lay out: tabs and line breaks become spaces,
/// other control characters are dropped (they would draw as empty boxes),
/// and so are explicit direction overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069): Typst honours them, so "\u{202e}reversed" printed as
/// "desrever", a word no reader or search could find (the "Trojan Source"
/// trick). Right-to-left scripts still run right to left: their direction
/// comes from the characters themselves.
fn clean(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if c.is_control() => None,
            c if is_bidi_control(c) => None,
            c => Some(c),
        })
        .collect()
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn clean_keep_newlines(s: &str) -> String {
    expand_tabs(s)
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect()
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

/// Pushes text, cutting words too long for a line into parts the template
/// sets as separate boxes (so the line may break between them without any
/// character being added to the text). Only the long word is boxed: the
/// text around it stays plain text, so it wraps and justifies as usual.
/// Regression: the text before a long word was one box, which wrapped
/// inside itself and left the long word on a line of its own.
///
/// A hyphenated compound ("theme-gem") is kept whole in one box too: Typst
/// would break it after the hyphen, and `pdftotext`, search and copying
/// take a hyphen at a line end for a hyphenation and read "themegem".
fn push_text(text: &str, out: &mut Vec<Value>, limit: WordLimit) {
    let mut plain = String::new();
    for piece in text.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end();
        let cut = cut_word(word, limit);
        if !cut && !has_inner_hyphen(word) {
            plain.push_str(piece);
            continue;
        }
        if !plain.is_empty() {
            out.push(json!({"k": "t", "s": std::mem::take(&mut plain)}));
        }
        let parts = if cut {
            word_parts(word, limit)
        } else {
            vec![word.to_string()]
        };
        out.push(json!({"k": "w", "parts": parts}));
        plain.push_str(&piece[word.len()..]);
    }
    if !plain.is_empty() {
        out.push(json!({"k": "t", "s": plain}));
    }
}

/// Whether a word is too long to set whole. Regression: a 20,000-character
/// bare URL ran off the page, lost to the reader and to text extraction.
fn cut_word(word: &str, limit: WordLimit) -> bool {
    match limit {
        WordLimit::Body => word.chars().count() > LONG_WORD,
        WordLimit::Cell { em } => word_em(word) > em,
    }
}

/// Splits text into parts: words longer than `limit` allows are cut into
/// pieces ([`word_pieces`]), everything else stays whole.
fn word_parts(text: &str, limit: WordLimit) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    for piece in text.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end();
        if cut_word(word, limit) {
            if !current.is_empty() {
                parts.push(std::mem::take(&mut current));
            }
            let mut cs = long_word_parts(word, limit);
            if let Some(last) = cs.last_mut() {
                last.push_str(&piece[word.len()..]);
            }
            parts.extend(cs);
        } else {
            current.push_str(piece);
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// Text as one part per word (with its following space), long words cut
/// into pieces: the template sets each part in a box, and a line may break
/// between any two, so the text wraps like ordinary text.
fn line_parts(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    for piece in text.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end();
        // Every long word, addresses too: a box is never broken by Typst.
        if word.chars().count() > LONG_WORD {
            let mut cs = word_pieces(word, BODY);
            if let Some(last) = cs.last_mut() {
                last.push_str(&piece[word.len()..]);
            }
            parts.extend(cs);
        } else {
            parts.push(piece.to_string());
        }
    }
    parts
}

/// An address to print, cut into parts a line may break between (the
/// template sets each part in a box). Typst's own URL breaking may break
/// right after a hyphen, and `pdftotext` (and so search and copying) takes
/// a hyphen at a line end for a hyphenation and deletes it, changing the
/// address. So addresses are cut the way the Chicago Manual of Style breaks
/// URLs: after `://`, before `/ . , - _ ? # % ~`, after `=` and `&`; runs
/// of letters and digits every `2 * WORD_PART` characters. In a table cell
/// a part still wider than the cell is cut further.
fn address_parts(address: &str, limit: WordLimit) -> Vec<String> {
    let (scheme, rest) = match address.find("://") {
        Some(i) => address.split_at(i + 3),
        None => ("", address),
    };
    let mut parts = Vec::new();
    if !scheme.is_empty() {
        parts.push(scheme.to_string());
    }
    let mut current = String::new();
    let mut run = 0;
    for c in rest.chars() {
        let breaks_before = matches!(c, '/' | '.' | ',' | '-' | '_' | '?' | '#' | '%' | '~')
            || (c.is_alphanumeric() && run >= 2 * WORD_PART);
        if breaks_before && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
            run = 0;
        }
        current.push(c);
        run = if c.is_alphanumeric() { run + 1 } else { 0 };
        if matches!(c, '=' | '&') {
            parts.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    // Fewer, longer parts (each is a box for Typst to lay out): merge
    // neighbours up to `ADDRESS_CHUNK` characters; a line then breaks at
    // most that much earlier than it could.
    let mut merged: Vec<String> = Vec::with_capacity(parts.len());
    for part in parts {
        match merged.last_mut() {
            // A part must not end in a hyphen (`x-` before `.pdf`).
            Some(last)
                if last.ends_with(is_hyphen)
                    || last.chars().count() + part.chars().count() <= ADDRESS_CHUNK =>
            {
                last.push_str(&part)
            }
            _ => merged.push(part),
        }
    }
    let mut parts = merged;
    if let WordLimit::Cell { em } = limit {
        parts = parts
            .into_iter()
            .flat_map(|p| {
                if word_em(&p) > em {
                    word_pieces(&p, limit)
                } else {
                    vec![p]
                }
            })
            .collect();
    }
    if parts.is_empty() {
        parts.push(String::new());
    }
    parts
}

/// Cuts a long word after punctuation (`-`, `/`, `.`, ...), so the pieces
/// are mostly whole words, and cuts runs of letters and digits (hashes,
/// base64, long compounds): in body text every `2 * WORD_PART` characters,
/// in a table cell where the run would grow wider than the cell (leaving
/// room for one punctuation mark after it).
fn word_pieces(word: &str, limit: WordLimit) -> Vec<String> {
    let run_full = |run: usize, run_em: f64, next: char| match limit {
        WordLimit::Body => run >= 2 * WORD_PART,
        WordLimit::Cell { em } => run > 0 && run_em + char_em(next) > em - 0.35,
    };
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut run = 0;
    let mut run_em = 0.0;
    for c in word.chars() {
        if c.is_alphanumeric() {
            if run_full(run, run_em, c) {
                pieces.push(std::mem::take(&mut current));
                run = 0;
                run_em = 0.0;
            }
            run += 1;
            run_em += char_em(c);
            current.push(c);
        } else if is_hyphen(c) {
            // A hyphen starts a piece instead of ending one: a line that
            // ends in a hyphen reads as a hyphenation to `pdftotext`,
            // search and copying, which delete it ("advanced-types" became
            // "advancedtypes" in a wrapped code line).
            if !current.chars().all(is_hyphen) {
                pieces.push(std::mem::take(&mut current));
            }
            current.push(c);
            run = 0;
            run_em = 0.0;
        } else {
            current.push(c);
            pieces.push(std::mem::take(&mut current));
            run = 0;
            run_em = 0.0;
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces.retain(|p| !p.is_empty());
    if pieces.is_empty() {
        pieces.push(String::new());
    }
    pieces
}

/// Whether a hyphen joins two letters or digits in `word` ("theme-gem").
fn has_inner_hyphen(word: &str) -> bool {
    let cs: Vec<char> = word.chars().collect();
    cs.windows(3)
        .any(|w| is_hyphen(w[1]) && w[0].is_alphanumeric() && w[2].is_alphanumeric())
}

/// Hyphen-minus, hyphen and soft hyphen: the marks text extraction joins
/// across a line end.
fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{00AD}')
}

/// A word too long to set whole, cut into pieces. An address in the text
/// (not a link, or in code) breaks like one (`address_parts`): Typst's own
/// URL breaking may break after a hyphen.
fn long_word_parts(word: &str, limit: WordLimit) -> Vec<String> {
    if word.contains("://") {
        address_parts(word, limit)
    } else {
        word_pieces(word, limit)
    }
}

/// A code line cut into parts a wrapped line may break between: at
/// spaces, like text (indentation stays with the first token), and inside
/// tokens too long for a line as `address_parts` or `word_pieces` cut them
/// (never after a hyphen). Regression: fixed 40-character chunks broke
/// "type" into "typ" and "e", and "advanced-types" after the hyphen, which
/// `pdftotext` then deleted.
fn code_line_parts(line: &str) -> Vec<String> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let mut parts: Vec<String> = Vec::new();
    for piece in line[indent..].split_inclusive(' ') {
        let token = piece.trim_end_matches(' ');
        let mut cut = if token.chars().count() <= 2 * WORD_PART {
            vec![token.to_string()]
        } else {
            long_word_parts(token, BODY)
        };
        if let Some(last) = cut.last_mut() {
            last.push_str(&piece[token.len()..]);
        }
        parts.extend(cut);
    }
    match parts.first_mut() {
        Some(first) => first.insert_str(0, &line[..indent]),
        None => parts.push(line.to_string()),
    }
    parts
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    // Cut at a word boundary when one is near.
    let head: String = s.chars().take(max).collect();
    let cut = head
        .rfind(' ')
        .filter(|&i| i > max / 2)
        .unwrap_or(head.len());
    format!("{}…", head[..cut].trim_end())
}

fn shorten_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max).collect()
    }
}

/// Typst wants an ISO 639 language and an optional ISO 3166 region.
pub fn split_lang(tag: &str) -> (String, Option<String>) {
    let mut parts = tag.split(['-', '_']);
    let lang = parts.next().unwrap_or("en").to_ascii_lowercase();
    let lang = if (2..=3).contains(&lang.len()) && lang.chars().all(|c| c.is_ascii_alphabetic()) {
        lang
    } else {
        "en".to_string()
    };
    let region = parts
        .find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
        .map(|p| p.to_ascii_uppercase());
    (lang, region)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_are_cut_without_losing_characters() {
        let w = "a".repeat(45);
        let parts = word_parts(&format!("x {w} y"), BODY);
        assert_eq!(parts.concat(), format!("x {w} y"));
        assert!(parts.len() > 3);
    }

    #[test]
    fn table_cells_cut_words_to_their_share_of_the_width() {
        // A 16-column table: every part fits an equal share at 7 pt.
        let narrow = WordLimit::table_cell(16);
        let WordLimit::Cell { em } = narrow else {
            panic!()
        };
        let w = "Internationalisierungsbestrebungen";
        let parts = word_parts(w, narrow);
        assert_eq!(parts.concat(), w);
        assert!(
            parts.len() > 3 && parts.iter().all(|p| word_em(p) <= em),
            "{parts:?}"
        );
        let caps = "WWWWWWWWWWWWWWWWWWWW";
        assert!(word_parts(caps, WordLimit::table_cell(4)).len() > 1);
        let url = "https://example.org/a/b";
        let cut = address_parts(url, narrow);
        assert!(
            cut.concat() == url && cut.iter().all(|p| word_em(p) <= em),
            "{cut:?}"
        );
        // Few columns: ordinary words stay whole, as in body text.
        let six = WordLimit::table_cell(6);
        assert_eq!(
            word_parts("implementation", six),
            vec!["implementation".to_string()]
        );
    }

    #[test]
    fn addresses_break_before_hyphens_never_after() {
        let url =
            "https://www.example.org/reports/east-asia-final_v2.pdf?download=true&lang=en#p-3";
        let parts = address_parts(url, BODY);
        assert_eq!(parts.concat(), url);
        assert!(parts.iter().all(|p| !p.ends_with('-')), "{parts:?}");
        assert!(parts.len() > 4, "{parts:?}");
        let word = "advanced-types-and-the-sized-trait-in-a-very-long-identifier";
        let pieces = word_parts(word, BODY);
        assert_eq!(pieces.concat(), word);
        assert!(
            pieces.len() > 3 && pieces.iter().all(|p| !p.ends_with('-')),
            "{pieces:?}"
        );
        let edge = format!("https://x.org/{}-{}.pdf", "a".repeat(14), "b".repeat(20));
        assert!(address_parts(&edge, BODY).iter().all(|p| !p.ends_with('-')));
        let hash = format!("https://x.org/{}", "a".repeat(45));
        assert!(
            address_parts(&hash, BODY)
                .iter()
                .all(|p| p.chars().count() <= 2 * WORD_PART + 1)
        );
    }

    #[test]
    fn wrapped_code_lines_break_at_spaces_and_never_after_a_hyphen() {
        let line = "    = note: visit <https://doc.rust-lang.org/book/ch19-04-advanced-types.html#dynamically-sized> now";
        let parts = code_line_parts(line);
        assert_eq!(parts.concat(), line);
        assert!(parts[0].starts_with("    = "), "{parts:?}");
        assert!(parts.contains(&"visit ".to_string()), "{parts:?}");
        assert!(
            parts.iter().all(|p| !p.trim_end().ends_with('-')),
            "{parts:?}"
        );
        assert_eq!(code_line_parts(""), vec![String::new()]);
        assert_eq!(code_line_parts("   "), vec!["   ".to_string()]);
    }
}
