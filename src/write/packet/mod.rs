//! The three forms of a briefing packet: one PDF per copy (`pdf`), one
//! EPUB book (`epub`) and a plain-text digest for e-mail (`digest`).
//! Like every writer they are pure: a resolved [`Packet`] and the
//! read-only [`Context`](crate::write::Context) in, bytes out.
//!
//! This module owns what the forms share: the integrity record of each
//! brief (also written to `output/manifest.json`) and the tool's name. A
//! brief's sources and their numbers (the PDF's "Sources" appendix) are
//! `shared::notes`, the rule every edition numbers them by.

pub mod digest;
pub mod epub;
pub mod pdf;

use crate::ir::Post;
use crate::write::Context;
use serde::Serialize;

pub use crate::packet::{Copy, Packet};

/// What a recipient needs to confirm which text they were given.
#[derive(Debug, Clone, Serialize)]
pub struct Integrity {
    pub slug: String,
    pub title: String,
    /// The source file, relative to the project folder.
    pub source: String,
    pub date: Option<String>,
    pub sha256: String,
}

pub fn integrity(post: &Post, ctx: &Context) -> Integrity {
    Integrity {
        slug: post.meta.slug.clone(),
        title: post.meta.title.clone(),
        source: ctx.resources.project_relative(&post.source),
        date: post
            .meta
            .date
            .as_ref()
            .map(|d| d.day.format("%Y-%m-%d").to_string()),
        sha256: post.source_sha256.clone(),
    }
}

/// The cover letter of a copy as the packet prints it: titled "Cover
/// letter" (its contents entry) and set in the copy's language
/// ([`Packet::lang_of`]: the recipient's, else the packet's).
pub fn letter(packet: &Packet, copy: Copy) -> Option<Post> {
    let lang = packet.lang_of(copy);
    let mut letter = packet.letter_for(copy)?.clone();
    if letter.meta.lang.is_empty() {
        letter.meta.lang = lang.to_string();
    }
    letter.meta.title =
        crate::write::shared::locale::word(lang, crate::write::shared::locale::COVER_LETTER)
            .to_string();
    Some(letter)
}

/// The tool that built the packet, printed on its integrity page only.
pub fn tool_version() -> String {
    crate::version::provenance()
}
