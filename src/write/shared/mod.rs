//! Rules every edition shares, each written once.

pub mod breaking;
pub mod clean;
pub mod html_text;
pub mod links;
pub mod locale;
pub mod marking;
pub mod notes;
pub mod summary;
pub mod survival;
pub mod wrap;

use crate::diag::{Diagnostic, quote};

/// The warning for an image an edition could not embed, worded the same
/// by every edition so one cause prints once (with the editions named).
pub fn image_not_embedded(src: &str, reason: &str) -> Diagnostic {
    Diagnostic::warning(format!("image {} not embedded: {reason}", quote(src)))
        .with_hint("its alt text is shown instead (with a link to it when it is on the web)")
}
