//! The data `packet.typ` reads for each part of a copy (`data.part`):
//! what every part prints (title, date, marking, the copy's language and
//! labels), then the front's own (cover, addressee, copy line, letter) or
//! the body's (the briefs' models, made once per packet, and the Sources
//! and Integrity appendices). Every string is text as a value, never
//! markup (see the README, "Packet template inputs").

use super::super::{Copy, Packet, integrity, tool_version};
use crate::diag::Diagnostic;
use crate::ir::Post;
use crate::write::Context;
use crate::write::pdf::model::{self, ModelOptions, split_lang};
use crate::write::pdf::{font_lists, model_options, post_dir};
use crate::write::shared::breaking::{BODY, address_parts, shorten};
use crate::write::shared::clean::clean;
use crate::write::shared::links::{Target, link_target};
use crate::write::shared::notes::Sources;
use serde_json::{Value, json};
use std::path::PathBuf;

/// Which part of a copy the template typesets (`data.part`), and how many
/// pages the other part has where this one counts them.
#[derive(Debug, Clone)]
pub(super) enum Part {
    /// The copy's own pages: cover, letter, stamp page.
    Front { copy: Copy, pages_after: usize },
    /// Contents, briefs and appendices in `lang`, after `page_offset`
    /// front pages. It is given no copy: all it may know of one is its
    /// language and the signature it will carry (which names its file),
    /// so these three make its key ([`Part::body_key`]).
    Body {
        lang: String,
        signature: Option<Value>,
        page_offset: usize,
    },
}

impl Part {
    pub(super) fn body(packet: &Packet, copy: Copy, ctx: &Context, page_offset: usize) -> Part {
        Part::Body {
            lang: packet.lang_of(copy).to_string(),
            signature: signature_record(packet, copy, ctx),
            page_offset,
        }
    }

    /// What tells one body from another: the data typeset from the same
    /// key is the same.
    pub(super) fn body_key(&self) -> Option<[u8; 32]> {
        use sha2::Digest;
        let Part::Body {
            lang,
            signature,
            page_offset,
        } = self
        else {
            return None;
        };
        let key = json!({"lang": lang, "signature": signature, "page_offset": page_offset});
        Some(sha2::Sha256::digest(key.to_string().as_bytes()).into())
    }
}

/// "Copy 3 of 12 · Prepared for Embassy of X", in the copy's language:
/// every page of an addressed copy, and its PDF metadata; none for the
/// general copy.
pub(super) fn copy_line(packet: &Packet, copy: Copy) -> Option<String> {
    use crate::write::shared::locale;
    let recipient = clean(&packet.recipient(copy)?.name);
    let (n, total) = packet.copy_number(copy)?;
    let lang = packet.lang_of(copy);
    Some(format!(
        "{} · {} {recipient}",
        locale::fill(lang, locale::COPY_OF, n, total),
        locale::word(lang, locale::PREPARED_FOR),
    ))
}

/// The data `packet.typ` reads for one part of a copy, and the folders to
/// serve (the letter's and the logo's for the front, one per brief for
/// the body). `no_images` leaves every image out (the retry after an image
/// Typst could not decode); the count is of images the data embeds.
pub(super) fn model(
    packet: &Packet,
    ctx: &Context,
    part: &Part,
    no_images: bool,
    warnings: &mut Vec<Diagnostic>,
) -> (Value, Vec<(String, PathBuf)>, usize) {
    let fonts = ctx.resources.fonts();
    let paper = ctx.config.packet_paper();
    let mut roots = Vec::new();
    let mut embedded_images = 0;
    // The copy's own words (cover, contents, footers, copy line, Sources,
    // Integrity) in its language: the recipient's, else the packet's. The
    // briefs are set in theirs, with their own labels (`b.labels`).
    let copy_lang = match part {
        Part::Front { copy, .. } => packet.lang_of(*copy),
        Part::Body { lang, .. } => lang,
    };
    let (body_fonts, mono_fonts) = font_lists(fonts, copy_lang);
    let (lang, region) = split_lang(copy_lang);
    let mut data = json!({
        "name": packet.name,
        "title": clean(&packet.title),
        "short_title": shorten(&clean(&packet.title), 60),
        "subtitle": packet.subtitle.as_deref().map(clean),
        "date": {
            "iso": packet.day.format("%Y-%m-%d").to_string(),
            "written": crate::read::dates::written(packet.day, copy_lang),
        },
        "organisation": ctx.config.organisation().map(clean),
        "reference": packet.reference.as_deref().map(clean),
        "marking": packet.marking.as_deref().map(clean),
        "marking_colour": ctx.config.marking_colour(),
        "lang": lang,
        "region": region,
        "dir": crate::ir::script::direction(copy_lang),
        "labels": crate::write::shared::locale::labels(copy_lang),
        "paper": match paper { crate::config::Paper::A4 => "a4", crate::config::Paper::UsLetter => "us-letter" },
        "fonts": {"body": body_fonts, "mono": mono_fonts},
        "tool": tool_version(),
    });
    let own = match part {
        Part::Front { copy, pages_after } => {
            let mut own = front_model(packet, *copy, ctx, no_images, &mut roots, warnings);
            embedded_images += own.1;
            own.0["part"] = json!("front");
            own.0["pages_after"] = json!(pages_after);
            own.0
        }
        Part::Body {
            signature,
            page_offset,
            ..
        } => {
            let mut own = body_model(packet, signature, ctx, no_images, &mut roots, warnings);
            embedded_images += own.1;
            own.0["part"] = json!("body");
            own.0["page_offset"] = json!(page_offset);
            own.0
        }
    };
    if let (Value::Object(all), Value::Object(own)) = (&mut data, own) {
        all.extend(own);
    }
    (data, roots, embedded_images)
}

/// What only the front prints: the cover's texts, the addressee, the copy
/// line, the letter and its signatory, the letterhead's logo; and the
/// copy's keywords (its PDF metadata).
fn front_model(
    packet: &Packet,
    copy: Copy,
    ctx: &Context,
    no_images: bool,
    roots: &mut Vec<(String, PathBuf)>,
    warnings: &mut Vec<Diagnostic>,
) -> (Value, usize) {
    let mut embedded_images = 0;
    let letter = super::super::letter(packet, copy).map(|post| {
        let m = brief_model(&post, "/letter".to_string(), "letter-", ctx, no_images);
        warnings.extend(m.warnings);
        roots.extend(m.root);
        embedded_images += m.images;
        m.json
    });
    let addressee = packet.recipient(copy);
    let recipient = addressee.map(|r| clean(&r.name));
    let copy_line = copy_line(packet, copy);
    let mut keywords: Vec<String> = vec![clean(&packet.name)];
    if let Some(r) = &recipient {
        keywords.push(r.clone());
    }
    keywords.extend(copy_line.clone());
    if let Some(m) = &packet.marking {
        keywords.push(crate::write::shared::marking::printed(m));
    }
    // The letterhead's logo and the signature: images inside the
    // project, under the same image policy as a post's, served from
    // `/project/` (nothing else there is read: the template names them).
    let logo = project_image(ctx.config.project.logo.as_deref(), ctx, roots, warnings);
    let signature = project_image(
        ctx.config
            .project
            .signatory
            .as_ref()
            .and_then(|s| s.image.as_deref()),
        ctx,
        roots,
        warnings,
    );
    let signatory = ctx
        .config
        .project
        .signatory
        .as_ref()
        .map(|s| json!({"name": clean(&s.name), "title": s.title.as_deref().map(clean)}));
    let data = json!({
        // The cover's texts as text nodes: Korean words kept whole,
        // Chinese and Japanese left to Typst (`pdf::model::text_nodes`).
        "title_body": model::text_nodes(&clean(&packet.title)),
        "subtitle_body": packet.subtitle.as_deref().map(|s| model::text_nodes(&clean(s))),
        "recipient_body": recipient.as_deref().map(model::text_nodes),
        "recipient": recipient,
        "address": addressee.map(|r| r.address.iter().map(|l| clean(l)).collect::<Vec<_>>()).unwrap_or_default(),
        "copy_line": copy_line,
        "signatory": signatory,
        "logo": logo,
        "signature": signature,
        "keywords": keywords,
        "letter": letter,
    });
    (data, embedded_images)
}

/// What only the body prints: the briefs (their models made once per
/// packet), the pairs set side by side, the Sources and Integrity
/// appendices.
fn body_model(
    packet: &Packet,
    signature: &Option<Value>,
    ctx: &Context,
    no_images: bool,
    roots: &mut Vec<(String, PathBuf)>,
    warnings: &mut Vec<Diagnostic>,
) -> (Value, usize) {
    // The briefs' models are the same in every copy: made by the first
    // copy typeset, then shared (`Packet::shared`).
    let shared = packet.shared.briefs(no_images, || {
        let mut all = crate::packet::BriefModels::default();
        for (i, post) in packet.briefs.iter().enumerate() {
            let m = brief_model(
                post,
                format!("/brief-{}", i + 1),
                &format!("b{}-", i + 1),
                ctx,
                no_images,
            );
            let mut json = m.json;
            json["n"] = json!(i + 1);
            all.json.push(json);
            all.embedded_images += m.images;
            all.roots.extend(m.root);
            all.warnings.extend(m.warnings);
        }
        all
    });
    roots.extend(shared.roots.iter().cloned());
    warnings.extend(shared.warnings.iter().cloned());
    let briefs = &shared.json;
    let parallel = parallel_pairs(packet, briefs, warnings);
    // Each brief's group lists its external sources under the numbers its
    // notes and its e-mail text print (`shared::notes`), so a reader can
    // look a note up.
    let sources: Vec<Value> = packet
        .briefs
        .iter()
        .enumerate()
        .map(|(i, post)| {
            let numbered = Sources::of(post);
            let links: Vec<Value> = numbered
                .external()
                .map(|s| {
                    // Only an address a reader can follow is a link.
                    let href = match link_target(&s.url, None) {
                        Target::External(url) => Some(url),
                        _ => None,
                    };
                    json!({"n": s.number, "text": clean(&s.text), "url": printed_address(&s.url), "href": href})
                })
                .collect();
            json!({"n": i + 1, "title": clean(&post.meta.title), "links": links})
        })
        .collect();
    let integrity_rows: Vec<Value> = packet
        .briefs
        .iter()
        .enumerate()
        .map(|(i, post)| {
            let rec = integrity(post, ctx);
            json!({"n": i + 1, "title": clean(&rec.title), "source": printed_address(&rec.source), "date": rec.date, "sha256": rec.sha256})
        })
        .collect();
    let letter_source = packet
        .letter
        .as_ref()
        .map(|l| ctx.resources.project_relative(&l.source));
    let data = json!({
        "letter_source": letter_source,
        "briefs": briefs,
        "parallel": parallel,
        "sources": sources,
        "integrity": {"briefs": integrity_rows, "signature": signature},
    });
    (data, shared.embedded_images)
}

/// One brief's (or the letter's) PDF model, served from `root`.
struct BriefModel {
    json: Value,
    /// How many images it embeds.
    images: usize,
    /// Its folder, served at `root` (none for a post without one).
    root: Option<(String, PathBuf)>,
    warnings: Vec<Diagnostic>,
}

fn brief_model(
    post: &Post,
    root: String,
    note_prefix: &str,
    ctx: &Context,
    no_images: bool,
) -> BriefModel {
    let dir = post_dir(post, ctx);
    let model = model::build(
        post,
        &ModelOptions {
            paper: ctx.config.packet_paper(),
            image_root: &root,
            note_prefix,
            ..model_options(post, ctx, dir.as_deref(), no_images)
        },
    );
    BriefModel {
        json: model.json,
        images: model.embedded_images,
        root: dir.map(|d| (root, d)),
        warnings: model.warnings,
    }
}

/// What the Integrity page prints of the signature the copy will carry
/// (`sign`, after this render): the organisation, the certificate, its
/// fingerprint, and the commands that check it; none when not signed.
fn signature_record(packet: &Packet, copy: Copy, ctx: &Context) -> Option<Value> {
    let signer = ctx.signer_for(crate::write::Edition::Pdf, true)?;
    let path = packet.pdf_path(std::path::Path::new(""), copy);
    let file = path.file_name()?.to_string_lossy().into_owned();
    Some(json!({
        "organisation": ctx.config.organisation().map(clean),
        "subject": clean(&signer.subject),
        "fingerprint": signer.fingerprint,
        "commands": [format!("brief verify {file}"), format!("pdfsig {file}"), "Adobe Acrobat Reader".to_string()],
    }))
}

/// The pairs of briefs set side by side (`layout = "parallel"`), as
/// indices into `briefs`: only those whose bodies have the same blocks in
/// the same order (a heading against a heading of its level, a list
/// against a list of as many items), so each row pairs a paragraph with
/// its translation and none is dropped. Others are set one after the
/// other, with a warning.
fn parallel_pairs(packet: &Packet, briefs: &[Value], warnings: &mut Vec<Diagnostic>) -> Vec<Value> {
    let shape = |body: &Value| -> Vec<String> {
        body.as_array()
            .into_iter()
            .flatten()
            .map(|b| {
                let k = b["k"].as_str().unwrap_or("");
                match k {
                    "h" => format!("h{}", b["level"]),
                    "list" => format!("list{}", b["items"].as_array().map_or(0, Vec::len)),
                    _ => k.to_string(),
                }
            })
            .collect()
    };
    let mut pairs = Vec::new();
    for &(left, right) in &packet.parallel {
        let (Some(l), Some(r)) = (briefs.get(left), briefs.get(right)) else {
            continue;
        };
        let (ls, rs) = (shape(&l["body"]), shape(&r["body"]));
        if ls == rs {
            pairs.push(json!({"left": left, "right": right}));
            continue;
        }
        let first = ls
            .iter()
            .zip(&rs)
            .position(|(a, b)| a != b)
            .unwrap_or(ls.len().min(rs.len()));
        warnings.push(
            Diagnostic::warning(format!(
                "packet {}: {} and its translation {} differ in their paragraphs (from block {} on: {} blocks against {}); set one after the other",
                crate::diag::quote(&packet.name),
                crate::diag::quote(&packet.briefs[left].meta.slug),
                crate::diag::quote(&packet.briefs[right].meta.slug),
                first + 1,
                ls.len(),
                rs.len()
            ))
            .with_hint("give the translation the same headings, paragraphs and lists to set them side by side"),
        );
    }
    pairs
}

/// An address or a file path cut into parts a line may break between, by
/// the PDF brief's rule (never after a hyphen, which `pdftotext` would
/// delete). Regression: the Integrity page printed "trafficking-" /
/// "networks.md", read back as "traffickingnetworks.md".
fn printed_address(address: &str) -> Vec<String> {
    address_parts(&clean(address), BODY)
}

/// A project image (`[project] logo`, the signatory's `image`) as the
/// template's path, with its folder served; a warning when the image
/// policy refuses it (the letterhead or letter goes without it).
fn project_image(
    rel: Option<&str>,
    ctx: &Context,
    roots: &mut Vec<(String, PathBuf)>,
    warnings: &mut Vec<Diagnostic>,
) -> Option<String> {
    use crate::write::resources::ImageLookup;
    let rel = rel?.trim();
    let root = ctx.resources.project_dir()?;
    match ctx.resources.image(rel, Some(&root)) {
        ImageLookup::Local(image) => {
            if !roots.iter().any(|(prefix, _)| prefix == "/project") {
                roots.push(("/project".to_string(), root));
            }
            Some(format!("/project/{}", image.relative))
        }
        ImageLookup::Remote(_) => {
            warnings.push(crate::write::shared::image_not_embedded(
                rel,
                "a web address is never fetched",
            ));
            None
        }
        ImageLookup::Refused(reason) => {
            warnings.push(crate::write::shared::image_not_embedded(rel, &reason));
            None
        }
    }
}
