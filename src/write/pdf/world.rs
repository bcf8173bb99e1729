//! The Typst `World` of the PDF edition: what a compile may see.
//!
//! Owns the sandbox. A compile sees exactly:
//! - `/main.typ` and any other *virtual* file (e.g. `/post.json`), held in
//!   memory;
//! - `/templates/…`: the project's `templates/` folder, with the embedded
//!   default `brief.typ` when the project has none;
//! - `/post/…`: the post's own folder (for its images); a packet instead
//!   gets one root per brief (`/brief-1/…`, …) so each brief's images
//!   resolve in its own folder.
//!
//! Everything else is refused: paths that escape a root (lexically or through
//! a symlink, checked after canonicalizing), other virtual roots, and package
//! imports (`@preview/…`), which would need the network.
//!
//! Fonts are scanned once per process ([`fonts`]) and shared by all threads:
//! the project's `fonts/` folder first, then Typst's embedded fonts, then the
//! system's fonts. `today()` is fixed per build, so a template that asks for
//! the date still gives reproducible output.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::write::resources::{self, ContainedError, Fonts, canonical_dir};
use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The embedded template served at a virtual path when the project's
/// templates folder has no such file.
fn default_template(vpath: &str) -> Option<&'static str> {
    vpath
        .strip_prefix("/templates/")
        .filter(|name| name.ends_with(".typ"))
        .and_then(resources::default_template)
}

/// Virtual path prefix of the templates folder.
pub const TEMPLATES: &str = "/templates";
/// Virtual path prefix of the post's own folder.
pub const POST: &str = "/post";

static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();

fn library() -> &'static LazyHash<Library> {
    LIBRARY.get_or_init(|| LazyHash::new(Library::default()))
}

/// One compile's view of the world. Cheap to build; build one per document.
pub struct BriefWorld {
    fonts: &'static Fonts,
    main: Source,
    virtual_files: HashMap<String, Bytes>,
    templates_root: Option<PathBuf>,
    /// Virtual prefix (`/post`, `/brief-3`) → canonical folder.
    roots: Vec<(String, PathBuf)>,
    today: Datetime,
    cache: Mutex<HashMap<FileId, FileResult<Bytes>>>,
    sources: Mutex<HashMap<FileId, FileResult<Source>>>,
}

impl BriefWorld {
    /// `main` is the text of `/main.typ`. Roots that do not exist (or cannot
    /// be canonicalized) serve nothing.
    pub fn new(
        fonts: &'static Fonts,
        main: String,
        templates_dir: &Path,
        post_dir: Option<&Path>,
        today: Datetime,
    ) -> Self {
        let main_id = id_of("/main.typ");
        BriefWorld {
            fonts,
            main: Source::new(main_id, main),
            virtual_files: HashMap::new(),
            templates_root: canonical_dir(templates_dir),
            roots: post_dir
                .and_then(canonical_dir)
                .map(|d| vec![(POST.to_string(), d)])
                .unwrap_or_default(),
            today,
            cache: Mutex::new(HashMap::new()),
            sources: Mutex::new(HashMap::new()),
        }
    }

    /// Serves the folder `dir` (read-only, sandboxed like `/post`) under
    /// the virtual prefix `prefix` (e.g. `/brief-2`).
    pub fn add_root(&mut self, prefix: &str, dir: &Path) {
        if let Some(real) = canonical_dir(dir) {
            self.roots.push((prefix.to_string(), real));
        }
    }

    /// Serves `bytes` at the absolute virtual path `path` (e.g. `/post.json`).
    pub fn add_virtual(&mut self, path: &str, bytes: Vec<u8>) {
        self.virtual_files
            .insert(path.to_string(), Bytes::new(bytes));
    }

    /// The real file behind a virtual path, for naming it in diagnostics.
    /// The embedded template and in-memory files have none.
    pub fn real_path(&self, id: FileId) -> Option<PathBuf> {
        let vpath = id.vpath().get_with_slash().to_string();
        let (root, rest) = self.root_of(&vpath)?;
        resources::contained_file(root, rest).ok()
    }

    fn root_of<'a>(&self, vpath: &'a str) -> Option<(&PathBuf, &'a str)> {
        if let Some(rest) = vpath
            .strip_prefix(TEMPLATES)
            .and_then(|r| r.strip_prefix('/'))
        {
            return self.templates_root.as_ref().map(|r| (r, rest));
        }
        self.roots.iter().find_map(|(prefix, root)| {
            let rest = vpath.strip_prefix(prefix.as_str())?.strip_prefix('/')?;
            Some((root, rest))
        })
    }

    fn load(&self, id: FileId) -> FileResult<Bytes> {
        if let VirtualRoot::Package(spec) = id.root() {
            return Err(FileError::Package(PackageError::Other(Some(
                format!(
                    "package imports are disabled ({spec}): brief never downloads; \
                     copy the package's files into templates/ and import them by path"
                )
                .into(),
            ))));
        }
        let vpath = id.vpath().get_with_slash();
        if let Some(bytes) = self.virtual_files.get(vpath) {
            return Ok(bytes.clone());
        }
        let Some((root, rest)) = self.root_of(vpath) else {
            if let Some(text) = default_template(vpath) {
                return Ok(Bytes::from_string(text.to_string()));
            }
            return Err(FileError::NotFound(PathBuf::from(vpath)));
        };
        match (read_inside(root, rest), default_template(vpath)) {
            (Err(FileError::NotFound(_)), Some(text)) => Ok(Bytes::from_string(text.to_string())),
            (other, _) => other,
        }
    }
}

/// Reads `rest` (a normalized relative path) under `root` (canonical)
/// through the one sandbox, [`resources::read_contained`].
fn read_inside(root: &Path, rest: &str) -> FileResult<Bytes> {
    resources::read_contained(root, rest)
        .map(Bytes::new)
        .map_err(|e| match e {
            ContainedError::NotFound(path) => FileError::NotFound(path),
            ContainedError::AccessDenied => FileError::AccessDenied,
            ContainedError::IsDirectory => FileError::IsDirectory,
            ContainedError::Io(e, path) => FileError::from_io(e, &path),
        })
}

/// The file id of an absolute virtual path in the project root.
pub fn id_of(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).unwrap_or_else(|_| VirtualPath::new("/invalid").unwrap());
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

impl World for BriefWorld {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.store.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            return Ok(self.main.clone());
        }
        let mut sources = self.sources.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(found) = sources.get(&id) {
            return found.clone();
        }
        let result = self.file(id).and_then(|bytes| {
            let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            Ok(Source::new(id, text.to_string()))
        });
        sources.insert(id, result.clone());
        result
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.text().to_string()));
        }
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.entry(id).or_insert_with(|| self.load(id)).clone()
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.store.font(index)
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
