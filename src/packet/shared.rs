//! Work every copy of a packet shares, done once by the first copy that
//! needs it and read by the others (`write::packet::pdf`): the PDF
//! edition's model of each brief, which is the same in every copy (a
//! brief keeps its own language and labels in every copy), and the
//! typeset *body* of the packet (contents, briefs, appendices), the same
//! in every copy of one language whose front (cover and letter) runs as
//! long. It lives and dies with its [`Packet`](super::Packet): no other
//! build, and no other packet (a redacted twin starts empty), ever sees
//! it.

use crate::diag::Diagnostic;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// How many typeset bodies are kept: the copies of one packet need one
/// per language (and per length of front); a body that differs in every
/// copy (a signed packet's Integrity page names the copy's file) is used
/// once, and must not pile up.
const BODIES_KEPT: usize = 4;

/// The briefs' PDF models, with images and without (the retry after an
/// image Typst could not decode), and the bodies typeset so far.
#[derive(Debug, Default)]
pub struct Shared {
    briefs: [OnceLock<Arc<BriefModels>>; 2],
    /// The last bodies asked for, oldest first, by the SHA-256 of the
    /// data they were typeset from: a body is reused only for the very
    /// same data.
    bodies: Mutex<Vec<([u8; 32], Arc<OnceLock<Result<Arc<Body>, Diagnostic>>>)>>,
    /// How many pages the last copy's front ran to (0: none yet).
    front_pages: AtomicUsize,
}

/// A packet's body as typeset: its PDF, read, and as written once with
/// where each of its objects lies (what the copies reuse), and what
/// typesetting it warned of (each copy reports it).
#[derive(Debug)]
pub struct Body {
    pub pdf: lopdf::Document,
    pub written: Vec<u8>,
    pub spans: std::collections::BTreeMap<u32, std::ops::Range<usize>>,
    pub pages: usize,
    pub warnings: Vec<Diagnostic>,
}

/// A clone starts empty: a packet is cloned into its redacted twin,
/// whose briefs are other posts.
impl Clone for Shared {
    fn clone(&self) -> Shared {
        Shared::default()
    }
}

/// What the PDF edition made of the packet's briefs, in order.
#[derive(Debug, Default)]
pub struct BriefModels {
    /// Each brief's model, as the template reads it.
    pub json: Vec<serde_json::Value>,
    /// The folders their images are served from.
    pub roots: Vec<(String, PathBuf)>,
    pub embedded_images: usize,
    /// What building them warned of (each copy reports it, as before).
    pub warnings: Vec<Diagnostic>,
}

impl Shared {
    /// The briefs' models (`no_images`: without images), made by `make`
    /// the first time they are asked for.
    pub fn briefs(&self, no_images: bool, make: impl FnOnce() -> BriefModels) -> Arc<BriefModels> {
        self.briefs[usize::from(no_images)]
            .get_or_init(|| Arc::new(make()))
            .clone()
    }

    /// The body typeset from the data whose SHA-256 is `key`, made by
    /// `make` the first time (a copy asking while another makes it waits
    /// for that one).
    pub fn body(
        &self,
        key: [u8; 32],
        make: impl FnOnce() -> Result<Body, Diagnostic>,
    ) -> Result<Arc<Body>, Diagnostic> {
        let cell = {
            let mut bodies = self.bodies.lock().unwrap_or_else(|p| p.into_inner());
            match bodies.iter().position(|(k, _)| *k == key) {
                Some(at) => {
                    let entry = bodies.remove(at);
                    let cell = entry.1.clone();
                    bodies.push(entry);
                    cell
                }
                None => {
                    let cell = Arc::new(OnceLock::new());
                    bodies.push((key, cell.clone()));
                    if bodies.len() > BODIES_KEPT {
                        bodies.remove(0);
                    }
                    cell
                }
            }
        };
        cell.get_or_init(|| make().map(Arc::new)).clone()
    }

    /// How many pages the last copy's front ran to, the best guess for
    /// the next (`default` before any).
    pub fn front_pages(&self, default: usize) -> usize {
        match self.front_pages.load(Ordering::Relaxed) {
            0 => default,
            n => n,
        }
    }

    pub fn set_front_pages(&self, pages: usize) {
        self.front_pages.store(pages, Ordering::Relaxed);
    }
}
