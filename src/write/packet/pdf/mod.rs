//! A packet's PDF: every brief under one cover, typeset by Typst from
//! `templates/packet.typ` in two parts, put together page by page.
//!
//! As for single briefs, no text becomes Typst code: each brief's data is
//! the JSON of [`pdf::model`](crate::write::pdf::model) (the same model
//! brief.typ reads), wrapped in a packet record ([`data`]) and served as
//! `/packet.json`. Each brief's folder is its own sandboxed root
//! (`/brief-N/`), so its images resolve beside it. A copy (general or
//! addressed to one recipient) is its own front, typeset for it, and the
//! packet's body, typeset once for all copies that share it ([`render`]);
//! [`assemble`] joins them. Run copies on plain threads
//! (`pdf::on_plain_threads`), never in rayon. Each compile is the PDF
//! edition's ([`compile`]).

mod assemble;
mod data;

use super::{Copy, Packet, tool_version};
use crate::diag::Diagnostic;
use crate::write::pdf::compile::{Data, Document, Info, Subject, check_size, compile};
use crate::write::pdf::data_size_lower_bound;
use crate::write::{Context, Rendered};
use chrono::Datelike;
use data::{Part, copy_line, model};
use serde_json::Value;
use std::path::PathBuf;
use typst::foundations::Datetime;
use typst_pdf::Timestamp;

const MAIN: &str = "#import \"/templates/packet.typ\": packet\n#packet(json(\"/packet.json\"))\n";

/// Renders one copy of a packet through the PDF edition's one compile
/// path, so it obeys the same data cap and scheduling as a single brief.
///
/// A copy is typeset in two parts (`data.part` in packet.typ): its own
/// front (cover, letter, and a stamp page carrying its copy line) and the
/// body, shared by every copy with the same body data and typeset once
/// ([`Shared::body`](crate::packet::Shared::body)); `assemble` joins them.
/// Each part's footers count the other's pages ("Page 2 of 14"), so the
/// body is asked for with the front's length the last copy had and typeset
/// again (once, in practice) when this front runs otherwise.
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
    let stamped = copy_line(packet, copy).is_some();
    let failed = |why: String| {
        Diagnostic::error(format!("cannot put the packet's PDF together: {why}"))
            .in_file(&file)
            .with_hint("this is a bug in brief, or a packet template whose front and body do not follow the template inputs in the README")
    };
    let guess = 1 + usize::from(packet.letter_for(copy).is_some());
    let mut offset = packet.shared.front_pages(guess);
    for _ in 0..4 {
        let body = body(packet, copy, ctx, offset, &subject)?;
        let front = front(packet, copy, ctx, body.pages, &subject)?;
        let read = assemble::Front::read(&front.bytes, stamped).map_err(failed)?;
        if read.pages != offset {
            offset = read.pages;
            continue;
        }
        packet.shared.set_front_pages(offset);
        let bytes = assemble::assemble(read, &body, stamped).map_err(failed)?;
        let mut warnings = front.warnings;
        warnings.extend(body.warnings.iter().cloned());
        return Ok(Rendered { bytes, warnings });
    }
    Err(failed(
        "the front's and the body's page counts do not settle".to_string(),
    ))
}

/// A project's `templates/packet.typ` from before the packet was typeset
/// in two parts (it reads no `data.part`) would print the whole packet
/// twice, or stop on a key its part lacks: said plainly instead.
fn older_template(ctx: &Context) -> Result<(), Diagnostic> {
    let template = ctx.resources.template("packet.typ");
    match template.path {
        Some(path) if !String::from_utf8_lossy(&template.bytes).contains("data.part") => Err(
            Diagnostic::error(
                "this packet.typ was written for an older brief: a packet is now typeset in two parts, its copy's front and the body all copies share (`data.part`)",
            )
            .in_file(ctx.resources.project_relative(&path))
            .with_hint(
                "run `brief templates eject packet.typ --force` for the current layout and carry your changes over (docs/packets-and-email.md lists the inputs of each part)",
            ),
        ),
        _ => Ok(()),
    }
}

/// What both parts are compiled with, besides their data.
fn document<'a>(
    packet: &Packet,
    ctx: &Context,
    subject: &Subject,
    templates_dir: &'a std::path::Path,
    ident: String,
) -> Document<'a> {
    Document {
        subject: subject.clone(),
        fonts: ctx.resources.fonts(),
        templates_dir,
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
    }
}

/// The copy's front, typeset: its footers count `body_pages` after it.
fn front(
    packet: &Packet,
    copy: Copy,
    ctx: &Context,
    body_pages: usize,
    subject: &Subject,
) -> Result<Rendered, Diagnostic> {
    let ident = match (packet.recipient(copy), packet.copy_number(copy)) {
        (Some(r), Some((n, _))) => format!(
            "brief:packet:{}:{}:{n}",
            packet.name,
            crate::config::packet::recipient_slug(&r.name)
        ),
        _ => format!("brief:packet:{}", packet.name),
    };
    let templates_dir = ctx.templates_dir();
    let document = document(packet, ctx, subject, &templates_dir, ident);
    compile(&document, &|no_images| {
        let mut warnings = Vec::new();
        let part = Part::Front {
            copy,
            pages_after: body_pages,
        };
        let (data, roots, embedded_images) = model(packet, ctx, &part, no_images, &mut warnings);
        Ok(Data {
            json: to_json(&data, subject)?,
            roots,
            embedded_images,
            warnings,
            info: Some(info(&data)),
        })
    })
}

/// The packet's body after `page_offset` front pages, for this copy's
/// language: typeset by the first copy that needs it, read by the others.
fn body(
    packet: &Packet,
    copy: Copy,
    ctx: &Context,
    page_offset: usize,
    subject: &Subject,
) -> Result<std::sync::Arc<crate::packet::Body>, Diagnostic> {
    let part = Part::body(packet, copy, ctx, page_offset);
    let key = part.body_key().expect("a body part");
    packet.shared.body(key, || {
        // Checked once per body, not per copy: a body comes first.
        older_template(ctx)?;
        let templates_dir = ctx.templates_dir();
        let ident = format!("brief:packet:{}:body", packet.name);
        let document = document(packet, ctx, subject, &templates_dir, ident);
        let rendered = compile(&document, &|no_images| {
            let mut warnings = Vec::new();
            let (data, roots, embedded_images) =
                model(packet, ctx, &part, no_images, &mut warnings);
            Ok(Data {
                json: to_json(&data, subject)?,
                roots,
                embedded_images,
                warnings,
                info: None,
            })
        })?;
        let (pdf, written) = assemble::read_body(&rendered.bytes).map_err(|why| {
            Diagnostic::error(format!("cannot read the packet's body: {why}"))
                .in_file(subject.file())
        })?;
        Ok(crate::packet::Body {
            pages: pdf.get_pages().len(),
            pdf,
            written: written.bytes,
            spans: written.spans,
            warnings: rendered.warnings,
        })
    })
}

fn to_json(data: &Value, subject: &Subject) -> Result<Vec<u8>, Diagnostic> {
    serde_json::to_vec(data).map_err(|e| {
        Diagnostic::error(format!("cannot serialize the packet data: {e}")).in_file(subject.file())
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
