//! Cache keys: one SHA-256 per output over everything that can change its
//! bytes or its warnings, and nothing else, so an edit rebuilds exactly the
//! outputs it can change.
//!
//! | output | its key covers |
//! | --- | --- |
//! | every output | the tool (its version and the SHA-256 of the running executable, so a rebuilt `brief` never reuses an older one's output), `brief.toml`'s path (warnings name it), the output's path in the output folder, `[project]` |
//! | a post's edition | the post: its document model as read (front matter, body, notes, source path) and its source's SHA-256, and for each image it references what the image policy makes of it (the file's SHA-256, or the reason it is refused) |
//! | PDF | `[pdf]`, every file of the project's `templates/` and the embedded defaults, the font set (each font file's path, index, size and modification time, in the order Typst sees them), `SOURCE_DATE_EPOCH` |
//! | EPUB | `[epub]`, the stylesheet in force, `SOURCE_DATE_EPOCH` |
//! | text, summary, packet digest | `[text]`, `[summary]` |
//! | a packet's form | the packet as resolved (name, title, subtitle, date, marking, language, the briefs set side by side), each brief's post key material in order, the cover letter's, and its edition's inputs above; an addressed copy also its recipient's record (name, salutation, address, e-mail, `lang`, copies) and its number among all copies — so a recipient's edit rebuilds its own copies and message only (and every copy when its copy count moves the others' numbers) |
//! | a signed PDF (`[sign]`) | the certificate's SHA-256, the reason and location, the signing day; never the key or its password |
//! | e-mail message | `[email]`, `[text]`, `[summary]`, the post or packet (for a recipient's message, also its record and copy number, as above), the message's addressees, id and attachments (the SHA-256 of each attached file as this build wrote it), `SOURCE_DATE_EPOCH`, and the build's clock for an undated post without it (such a message is dated now, so it is always made again) |
//!
//! Settings enter by their `Debug` form: the tool's own hash is in every
//! key, so a change of that form is a change of tool.

use crate::ir::Post;
use crate::packet::Packet;
use crate::write::email::jobs::MessageJob;
use crate::write::resources::ImageLookup;
use crate::write::{Context, Edition, Job};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// One output's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key([u8; 32]);

impl Key {
    pub fn from_bytes(bytes: [u8; 32]) -> Key {
        Key(bytes)
    }

    pub fn hex(&self) -> String {
        crate::ir::hex(&self.0)
    }
}

/// Named, length-prefixed fields, so that no two different inputs hash
/// alike by running into each other.
struct Fields(Sha256);

impl Fields {
    fn new(kind: &str) -> Fields {
        let mut f = Fields(Sha256::new());
        f.field("kind", kind.as_bytes());
        f
    }

    fn field(&mut self, name: &str, value: impl AsRef<[u8]>) -> &mut Fields {
        let value = value.as_ref();
        self.0.update((name.len() as u64).to_le_bytes());
        self.0.update(name.as_bytes());
        self.0.update((value.len() as u64).to_le_bytes());
        self.0.update(value);
        self
    }

    fn finish(self) -> [u8; 32] {
        self.0.finalize().into()
    }
}

/// The keys of one build: the inputs every output shares are hashed once;
/// each post once, up front, in parallel.
pub struct Keys {
    enabled: bool,
    posts: HashMap<usize, [u8; 32]>,
    templates: OnceLock<[u8; 32]>,
    stylesheet: OnceLock<[u8; 32]>,
    fonts: OnceLock<[u8; 32]>,
}

/// The post's identity in [`Keys::posts`]: its address, stable for the
/// whole build (posts are borrowed by every job).
fn id(post: &Post) -> usize {
    post as *const Post as usize
}

impl Keys {
    /// Keys for `jobs`; none at all when `enabled` is false (`--no-cache`).
    pub fn new(jobs: &[Job], ctx: &Context, enabled: bool) -> Keys {
        let mut posts: Vec<&Post> = Vec::new();
        if enabled {
            for job in jobs {
                match *job {
                    Job::Post(post, _) => posts.push(post),
                    Job::PacketPdf(packet, _)
                    | Job::PacketEpub(packet)
                    | Job::PacketDigest(packet) => {
                        posts.extend(packet.briefs.iter().copied());
                        posts.extend(packet.letter.as_ref());
                    }
                }
            }
            posts.sort_by_key(|p| id(p));
            posts.dedup_by_key(|p| id(p));
        }
        Keys {
            enabled,
            posts: posts
                .par_iter()
                .map(|p| (id(p), post_material(p, ctx)))
                .collect(),
            templates: OnceLock::new(),
            stylesheet: OnceLock::new(),
            fonts: OnceLock::new(),
        }
    }

    /// The key of one (post, edition) or (packet, form) output.
    pub fn job(&self, job: &Job, out: &Path, ctx: &Context) -> Option<Key> {
        if !self.enabled {
            return None;
        }
        let mut f = start("job", ctx);
        f.field("target", relative(&job.target(out), out));
        // A signed output: the certificate and the signing settings (the
        // signed bytes depend on nothing else; never the key or password).
        if let Some((signer, day)) = job.signer(ctx) {
            f.field("signed", format!("{} day {day:?}", signer.cache_material()));
        }
        match *job {
            Job::Post(post, edition) => {
                f.field("post", self.post(post)?);
                if edition == Edition::Epub {
                    // The packets it is a brief of (belongs-to-collection),
                    // and the bytes of its `cover:` image.
                    f.field(
                        "collections",
                        format!("{:?}", ctx.collections.get(&post.meta.slug)),
                    );
                    let cover = post.meta.extra.iter().find(|(k, _)| k == "cover");
                    if let Some(src) = cover.and_then(|(_, v)| v.as_str()) {
                        let dir = ctx.resources.post_dir(&post.source);
                        f.field("cover", cover_material(ctx, src, dir.as_deref()));
                    }
                }
                self.edition_inputs(&mut f, edition, ctx);
            }
            Job::PacketPdf(packet, copy) => {
                f.field("packet", self.packet(packet)?);
                f.field("copy", copy_material(packet, copy));
                project_images(&mut f, ctx);
                self.edition_inputs(&mut f, Edition::Pdf, ctx);
            }
            Job::PacketEpub(packet) => {
                f.field("packet", self.packet(packet)?);
                if let Some(src) = &packet.cover {
                    let root = crate::write::resources::canonical_dir(&ctx.project_root);
                    f.field("cover", cover_material(ctx, src, root.as_deref()));
                }
                self.edition_inputs(&mut f, Edition::Epub, ctx);
            }
            Job::PacketDigest(packet) => {
                f.field("packet", self.packet(packet)?);
                self.edition_inputs(&mut f, Edition::Email, ctx);
            }
        }
        Some(Key(f.finish()))
    }

    /// The key of an e-mail message of `post` or `packet`, given the
    /// SHA-256 of each file it attaches as this build wrote it (`None`: the
    /// file was not written, and the message will say so).
    pub fn message(
        &self,
        job: &MessageJob,
        owner: MessageOwner,
        attached: &dyn Fn(&Path) -> Option<String>,
        out: &Path,
        ctx: &Context,
    ) -> Option<Key> {
        if !self.enabled {
            return None;
        }
        let mut f = start("message", ctx);
        f.field("message", job.describe(out));
        match owner {
            MessageOwner::Post(post) => {
                f.field("post", self.post(post)?);
                if post.meta.date.is_none() && ctx.source_date_epoch.is_none() {
                    f.field("clock", ctx.build_time.to_le_bytes());
                }
            }
            MessageOwner::Packet(packet) => {
                f.field("packet", self.packet(packet)?);
                let copy = job.copy().unwrap_or(crate::packet::Copy::General);
                f.field("copy", copy_material(packet, copy));
            }
        }
        for file in job.attachment_files() {
            f.field("attached", attached(file).unwrap_or_default());
        }
        f.field("email", format!("{:?}", ctx.config.email));
        f.field("text", format!("{:?}", ctx.config.text));
        f.field("summary", format!("{:?}", ctx.config.summary));
        f.field("sde", format!("{:?}", ctx.source_date_epoch));
        Some(Key(f.finish()))
    }

    fn post(&self, post: &Post) -> Option<[u8; 32]> {
        self.posts.get(&id(post)).copied()
    }

    fn packet(&self, packet: &Packet) -> Option<[u8; 32]> {
        let mut f = Fields::new("packet");
        f.field(
            "packet",
            format!(
                "{:?}",
                (
                    &packet.name,
                    &packet.title,
                    &packet.subtitle,
                    packet.day,
                    &packet.marking,
                    &packet.reference,
                    // Not the recipients: each copy's key has its own
                    // (`copy_material`), the general copy, EPUB and
                    // digest print none.
                    &packet.lang,
                    // Which briefs are set side by side (`layout`).
                    &packet.parallel,
                    // Also in the briefs' models; said here too, so no
                    // change of the hidden form could ever match a shown one.
                    packet.redacted,
                )
            ),
        );
        for brief in &packet.briefs {
            f.field("brief", self.post(brief)?);
        }
        if let Some(letter) = &packet.letter {
            f.field("letter", self.post(letter)?);
        }
        Some(f.finish())
    }

    /// The inputs an edition reads besides the post or packet.
    fn edition_inputs(&self, f: &mut Fields, edition: Edition, ctx: &Context) {
        let sde = format!("{:?}", ctx.source_date_epoch);
        match edition {
            Edition::Pdf => {
                f.field("pdf", format!("{:?}", ctx.config.pdf));
                f.field("templates", self.templates.get_or_init(|| templates(ctx)));
                f.field("fonts", self.fonts.get_or_init(|| fonts(ctx)));
                f.field("sde", sde);
                // The bench's way of keeping Korean words whole.
                let joiner = crate::write::pdf::model::KOREAN_WORD_JOINER
                    .load(std::sync::atomic::Ordering::Relaxed);
                f.field("korean-joiner", [joiner as u8]);
            }
            Edition::Epub => {
                f.field("epub", format!("{:?}", ctx.config.epub));
                // The typeset cover: its template, fonts and time limit. The
                // embedded cover.typ imports nothing; a project's own may
                // import any file beside it.
                if ctx.project_root.join("templates/cover.typ").exists() {
                    f.field("templates", self.templates.get_or_init(|| templates(ctx)));
                } else {
                    f.field("cover.typ", crate::write::resources::DEFAULT_COVER_TEMPLATE);
                }
                f.field("fonts", self.fonts.get_or_init(|| fonts(ctx)));
                f.field("pdf", format!("{:?}", ctx.config.pdf));
                f.field(
                    "stylesheet",
                    self.stylesheet.get_or_init(|| stylesheet(ctx)),
                );
                f.field("sde", sde);
            }
            Edition::Email => {
                f.field("text", format!("{:?}", ctx.config.text));
                // The packet digest prints each brief's summary.
                f.field("summary", format!("{:?}", ctx.config.summary));
            }
            Edition::Summary => {
                // Width, word budget; `base_url` is in every key's start.
                f.field("text", format!("{:?}", ctx.config.text));
                f.field("summary", format!("{:?}", ctx.config.summary));
            }
        }
    }
}

/// Whose message it is.
#[derive(Clone, Copy)]
pub enum MessageOwner<'a> {
    Post(&'a Post),
    Packet(&'a Packet<'a>),
}

/// What a copy of a packet prints of its recipient: the whole record
/// (its `lang` chooses the copy's words, its name and address are on the
/// cover and letter) and the copy's number among all ("Copy 3 of 12").
/// The general copy prints no recipient.
fn copy_material(packet: &Packet, copy: crate::packet::Copy) -> String {
    format!(
        "{copy:?} {:?} {:?}",
        packet.recipient(copy),
        packet.copy_number(copy)
    )
}

/// The bytes of the packet PDF's project images (`[project] logo`, the
/// signatory's `image`): a new logo under the same name renders again.
fn project_images(f: &mut Fields, ctx: &Context) {
    let project = &ctx.config.project;
    let images = [
        project.logo.as_deref(),
        project.signatory.as_ref().and_then(|s| s.image.as_deref()),
    ];
    let root = ctx.resources.project_dir();
    for rel in images.into_iter().flatten() {
        f.field("project-image", rel);
        match ctx.resources.image(rel.trim(), root.as_deref()) {
            ImageLookup::Local(image) => f.field("sha256", Sha256::digest(&image.bytes)),
            other => f.field("lookup", format!("{other:?}")),
        };
    }
}

/// What every key starts with.
fn start(kind: &str, ctx: &Context) -> Fields {
    let mut f = Fields::new(kind);
    f.field("tool", tool());
    f.field("config", ctx.config.file().to_string_lossy().as_bytes());
    f.field("project", format!("{:?}", ctx.config.project));
    f
}

fn relative(path: &Path, out: &Path) -> String {
    let rel = path.strip_prefix(out).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}

/// The tool's share of every key, once per process.
static TOOL: OnceLock<[u8; 32]> = OnceLock::new();

/// Takes the executable's digest from the cache's stamp of it
/// ([`super::Cache::tool_digest`]) instead of hashing ~70 MB again; call
/// before the first key. Without a stamp, [`tool`] hashes it.
pub fn remember_tool(store: &super::Cache) {
    if let Some(sha) = store.tool_digest() {
        TOOL.get_or_init(|| {
            let mut f = Fields::new("tool");
            f.field("version", crate::write::packet::tool_version());
            f.field("exe", sha);
            f.finish()
        });
    }
}

/// The tool: its version and the running executable's bytes, hashed once
/// per process (~70 MB, tens of milliseconds).
fn tool() -> [u8; 32] {
    *TOOL.get_or_init(|| {
        let mut f = Fields::new("tool");
        f.field("version", crate::write::packet::tool_version());
        // Streamed: a buffer of the whole executable would cost its size in
        // freshly zeroed pages, a good part of a no-op rebuild.
        let exe = std::env::current_exe().and_then(|path| {
            let mut hasher = Sha256::new();
            std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
            Ok(hasher.finalize())
        });
        match exe {
            Ok(digest) => f.field("exe", crate::ir::hex(&digest)),
            // Unknown executable: a key no other process shares, so
            // nothing is reused rather than something wrong.
            Err(_) => f.field("exe", std::process::id().to_le_bytes()),
        };
        f.finish()
    })
}

/// A post's share of every key it enters (see the module's table).
fn post_material(post: &Post, ctx: &Context) -> [u8; 32] {
    let mut f = Fields::new("post");
    f.field("source", post.source.to_string_lossy().as_bytes());
    f.field("source-sha256", &post.source_sha256);
    // The whole model, streamed into its own digest (no copy of it built).
    let mut model = Sha256::new();
    if serde_json::to_writer(&mut model, post).is_err() {
        // Cannot happen for plain owned data; a key nothing shares if it did.
        model.update(std::process::id().to_le_bytes());
    }
    f.field("model", model.finalize());
    let mut images = Vec::new();
    crate::ir::walk::each_inline(post, &mut |inline| {
        if let crate::ir::Inline::Image { src, .. } = inline {
            images.push(src.as_str());
        }
    });
    if !images.is_empty() {
        let dir = ctx.resources.post_dir(&post.source);
        for src in images {
            f.field("image", src);
            match ctx.resources.image(src, dir.as_deref()) {
                ImageLookup::Local(image) => {
                    f.field("local", image.relative.as_bytes());
                    f.field("sha256", Sha256::digest(&image.bytes));
                }
                ImageLookup::Remote(address) => {
                    f.field("remote", address);
                }
                ImageLookup::Refused(reason) => {
                    f.field("refused", reason);
                }
            }
        }
    }
    f.finish()
}

/// What a chosen cover image contributes to a key: its address and, when
/// it passes the image policy, its bytes.
fn cover_material(ctx: &Context, src: &str, dir: Option<&Path>) -> String {
    match ctx.resources.image(src, dir) {
        ImageLookup::Local(image) => format!("{src} {:x}", Sha256::digest(&image.bytes)),
        other => format!("{src} {other:?}"),
    }
}

/// The project's `templates/` folder, every file, and the embedded
/// defaults: a template may import any file beside it.
fn templates(ctx: &Context) -> [u8; 32] {
    let mut f = Fields::new("templates");
    for name in ["brief.typ", "packet.typ", "cover.typ", "epub.css"] {
        f.field(
            name,
            crate::write::resources::default_template(name).unwrap_or(""),
        );
    }
    let root = ctx.project_root.join("templates");
    let mut files = Vec::new();
    walk(&root, &root, &mut files, 0);
    files.sort();
    for rel in files {
        f.field("file", rel.as_bytes());
        match std::fs::read(root.join(&rel)) {
            Ok(bytes) => f.field("sha256", Sha256::digest(&bytes)),
            Err(e) => f.field("error", e.to_string()),
        };
    }
    f.finish()
}

fn walk(root: &Path, folder: &Path, out: &mut Vec<String>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && depth < 16 {
            walk(root, &path, out, depth + 1);
        } else if path.is_file() {
            out.push(relative(&path, root));
        }
    }
}

fn stylesheet(ctx: &Context) -> [u8; 32] {
    let file = ctx.resources.template("epub.css");
    let mut f = Fields::new("stylesheet");
    f.field("bytes", &file.bytes);
    f.field("problem", file.problem.unwrap_or_default());
    f.finish()
}

/// The font set as Typst sees it: each font file's path, index, size and
/// modification time, in order (embedded fonts are part of the tool).
fn fonts(ctx: &Context) -> [u8; 32] {
    use std::any::Any;
    let store = &ctx.resources.fonts().store;
    let mut f = Fields::new("fonts");
    let mut i = 0;
    while let Some(source) = store.source(i) {
        let any: &dyn Any = source;
        match any.downcast_ref::<typst_kit::fonts::FontPath>() {
            Some(font) => {
                let stamp = std::fs::metadata(&font.path).map(|m| {
                    let modified = m
                        .modified()
                        .ok()
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map_or(0, |d| d.as_nanos());
                    (m.len(), modified)
                });
                f.field(
                    "file",
                    format!("{} {} {:?}", font.path.display(), font.index, stamp.ok()),
                );
            }
            None => {
                f.field("embedded", i.to_le_bytes());
            }
        }
        i += 1;
    }
    f.finish()
}
