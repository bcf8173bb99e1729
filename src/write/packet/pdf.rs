//! A packet's PDF: every brief under one cover, typeset by Typst in one
//! document from `templates/packet.typ`.
//!
//! As for single briefs, no text becomes Typst code: each brief's data is
//! the JSON of [`pdf::model`](crate::write::pdf::model) (the same model
//! brief.typ reads), wrapped in a packet record (cover, letter, sources,
//! integrity) and served as `/packet.json`. Each brief's folder is its own
//! sandboxed root (`/brief-N/`), so its images resolve beside it. Each
//! copy (general or addressed to one recipient) is a separate compile;
//! run them on plain threads (`pdf::on_plain_threads`), never in rayon.
//! The compile itself is the PDF edition's ([`compile`]).

use super::{Copy, Packet, integrity, tool_version};
use crate::diag::Diagnostic;
use crate::ir::Post;
use crate::write::pdf::compile::{Data, Document, Info, Subject, check_size, compile};
use crate::write::pdf::model::{self, ModelOptions, split_lang};
use crate::write::pdf::{data_size_lower_bound, font_lists, post_dir};
use crate::write::shared::breaking::{BODY, address_parts, shorten};
use crate::write::shared::clean::clean;
use crate::write::shared::links::{Target, link_target};
use crate::write::shared::notes::Sources;
use crate::write::{Context, Rendered};
use chrono::Datelike;
use serde_json::{Value, json};
use std::path::PathBuf;
use typst::foundations::Datetime;
use typst_pdf::Timestamp;

const MAIN: &str = "#import \"/templates/packet.typ\": packet\n#packet(json(\"/packet.json\"))\n";

/// Renders one copy of a packet through the PDF edition's one compile
/// path, so it obeys the same data cap and scheduling as a single brief.
pub fn render(packet: &Packet, copy: Copy, ctx: &Context) -> Result<Rendered, Diagnostic> {
    let file = subject(ctx);
    let subject = Subject::Packet {
        name: packet.name.clone(),
        file: file.clone(),
    };
    // The cheap bound first, summed over what the packet prints, before
    // any data is built (as for a single brief).
    let bound: usize = packet
        .briefs
        .iter()
        .copied()
        .chain(packet.letter_for(copy))
        .map(data_size_lower_bound)
        .sum();
    check_size(&subject, bound)?;
    let ident = match (packet.recipient(copy), packet.copy_number(copy)) {
        (Some(r), Some((n, _))) => format!(
            "brief:packet:{}:{}:{n}",
            packet.name,
            crate::config::packet::recipient_slug(&r.name)
        ),
        _ => format!("brief:packet:{}", packet.name),
    };
    let templates_dir = ctx.templates_dir();
    let document = Document {
        subject,
        fonts: ctx.resources.fonts(),
        templates_dir: &templates_dir,
        main: MAIN,
        data_path: "/packet.json",
        today: typst_day(packet),
        ident,
        creator: tool_version(),
        timestamp: Datetime::from_ymd_hms(
            packet.day.year(),
            packet.day.month() as u8,
            packet.day.day() as u8,
            0,
            0,
            0,
        )
        .map(Timestamp::new_utc),
        standard: ctx.config.pdf.standard,
        time_limit: Some(std::time::Duration::from_secs(
            ctx.config.pdf.time_limit_seconds,
        )),
    };
    compile(&document, &|no_images| {
        let mut warnings = Vec::new();
        let (data, roots, embedded_images) = model(packet, copy, ctx, no_images, &mut warnings);
        let json = serde_json::to_vec(&data).map_err(|e| {
            Diagnostic::error(format!("cannot serialize the packet data: {e}")).in_file(&file)
        })?;
        Ok(Data {
            json,
            roots,
            embedded_images,
            warnings,
            info: Some(info(&data)),
        })
    })
}

/// The copy's PDF description and keywords: "Copy 3 of 12 · Prepared for
/// X" (or "Prepared for X"), and the packet's name, recipient, copy line
/// and marking. Set after layout (`compile::Info`), so that the copies
/// share Typst's layout work.
fn info(data: &Value) -> Info {
    let text = |v: &Value| v.as_str().map(str::to_string);
    let description = text(&data["copy_line"]).or_else(|| {
        let recipient = text(&data["recipient"])?;
        Some(match text(&data["labels"]["prepared"]) {
            Some(prepared) => format!("{prepared} {recipient}"),
            None => recipient,
        })
    });
    let keywords = data["keywords"]
        .as_array()
        .map(|k| k.iter().filter_map(text).collect())
        .unwrap_or_default();
    Info {
        description,
        keywords,
    }
}

/// What errors about a packet name: `brief.toml`.
fn subject(ctx: &Context) -> PathBuf {
    ctx.config
        .origin
        .as_ref()
        .map(|o| o.file.clone())
        .unwrap_or_else(|| PathBuf::from("brief.toml"))
}

/// `today()` for the template: the packet's day (never the clock).
fn typst_day(packet: &Packet) -> Datetime {
    let d = packet.day;
    Datetime::from_ymd(d.year(), d.month() as u8, d.day() as u8)
        .unwrap_or_else(|| Datetime::from_ymd(1970, 1, 1).expect("valid date"))
}

/// The data `packet.typ` reads, and the folders to serve (one per brief).
/// `no_images` leaves every image out (the retry after an image Typst
/// could not decode); the count is of images the data embeds.
pub fn model(
    packet: &Packet,
    copy: Copy,
    ctx: &Context,
    no_images: bool,
    warnings: &mut Vec<Diagnostic>,
) -> (Value, Vec<(String, PathBuf)>, usize) {
    let fonts = ctx.resources.fonts();
    let organisation = ctx.config.organisation();
    let paper = ctx.config.packet_paper();
    let mut roots = Vec::new();
    let mut embedded_images = 0;
    let letter = super::letter(packet, copy).map(|post| {
        let m = brief_model(&post, "/letter".to_string(), "letter-", ctx, no_images);
        warnings.extend(m.warnings);
        roots.extend(m.root);
        embedded_images += m.images;
        m.json
    });
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
    embedded_images += shared.embedded_images;
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
    // The copy's own words (cover, contents, footers, copy line, Sources,
    // Integrity) in its language: the recipient's, else the packet's. The
    // briefs are set in theirs, with their own labels (`b.labels`).
    let copy_lang = packet.lang_of(copy);
    let (body_fonts, mono_fonts) = font_lists(fonts, copy_lang);
    let (lang, region) = split_lang(copy_lang);
    let addressee = packet.recipient(copy);
    let recipient = addressee.map(|r| clean(&r.name));
    let labels = crate::write::shared::locale::labels(copy_lang);
    // "Copy 3 of 12 · Prepared for Embassy of X": every footer of the
    // copy, and its PDF metadata.
    let copy_line = match (&recipient, packet.copy_number(copy)) {
        (Some(r), Some((n, total))) => Some(format!(
            "{} · {} {r}",
            crate::write::shared::locale::fill(
                copy_lang,
                crate::write::shared::locale::COPY_OF,
                n,
                total
            ),
            crate::write::shared::locale::word(
                copy_lang,
                crate::write::shared::locale::PREPARED_FOR
            ),
        )),
        _ => None,
    };
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
    let logo = project_image(
        ctx.config.project.logo.as_deref(),
        ctx,
        &mut roots,
        warnings,
    );
    let signature = project_image(
        ctx.config
            .project
            .signatory
            .as_ref()
            .and_then(|s| s.image.as_deref()),
        ctx,
        &mut roots,
        warnings,
    );
    let signatory = ctx
        .config
        .project
        .signatory
        .as_ref()
        .map(|s| json!({"name": clean(&s.name), "title": s.title.as_deref().map(clean)}));
    let letter_source = packet
        .letter
        .as_ref()
        .map(|l| ctx.resources.project_relative(&l.source));
    let data = json!({
        "name": packet.name,
        "title": clean(&packet.title),
        "short_title": shorten(&clean(&packet.title), 60),
        "subtitle": packet.subtitle.as_deref().map(clean),
        // The cover's texts as text nodes: Korean words kept whole,
        // Chinese and Japanese left to Typst (`pdf::model::text_nodes`).
        "title_body": model::text_nodes(&clean(&packet.title)),
        "subtitle_body": packet.subtitle.as_deref().map(|s| model::text_nodes(&clean(s))),
        "recipient_body": recipient.as_deref().map(model::text_nodes),
        "date": {
            "iso": packet.day.format("%Y-%m-%d").to_string(),
            "written": crate::read::dates::written(packet.day, copy_lang),
        },
        "organisation": organisation.map(clean),
        "recipient": recipient,
        "address": addressee.map(|r| r.address.iter().map(|l| clean(l)).collect::<Vec<_>>()).unwrap_or_default(),
        "copy_line": copy_line,
        "reference": packet.reference.as_deref().map(clean),
        "signatory": signatory,
        "logo": logo,
        "signature": signature,
        "marking": packet.marking.as_deref().map(clean),
        "marking_colour": ctx.config.marking_colour(),
        "keywords": keywords,
        "lang": lang,
        "region": region,
        "dir": crate::ir::script::direction(copy_lang),
        "labels": labels,
        "paper": match paper { crate::config::Paper::A4 => "a4", crate::config::Paper::UsLetter => "us-letter" },
        "fonts": {"body": body_fonts, "mono": mono_fonts},
        "tool": tool_version(),
        "letter": letter,
        "letter_source": letter_source,
        "briefs": briefs,
        "parallel": parallel,
        "sources": sources,
        "integrity": {"briefs": integrity_rows, "signature": signature_record(packet, copy, ctx)},
    });
    (data, roots, embedded_images)
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
    let (body_fonts, mono_fonts) = font_lists(ctx.resources.fonts(), &post.meta.lang);
    let model = model::build(
        post,
        &ModelOptions {
            links: ctx.config.pdf.links,
            paper: ctx.config.packet_paper(),
            post_dir: dir.as_deref(),
            resources: &ctx.resources,
            body_fonts,
            mono_fonts,
            organisation: ctx.config.organisation(),
            marking_colour: ctx.config.marking_colour(),
            no_images,
            image_root: &root,
            note_prefix,
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
