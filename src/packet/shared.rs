//! Work every copy of a packet shares, done once by the first copy that
//! needs it and read by the others: the PDF edition's model of each brief
//! (`write::packet::pdf`), which is the same in every copy (a brief keeps
//! its own language and labels in every copy) and was built again for
//! each, a seventh of an addressed copy's cost. It lives and dies with its
//! [`Packet`](super::Packet): no other build, and no other packet (a
//! redacted twin starts empty), ever sees it.

use crate::diag::Diagnostic;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// The briefs' PDF models, with images and without (the retry after an
/// image Typst could not decode).
#[derive(Debug, Default)]
pub struct Shared {
    briefs: [OnceLock<Arc<BriefModels>>; 2],
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
}
