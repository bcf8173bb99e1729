//! Rules every edition shares, each written once.

pub mod breaking;
pub mod clean;
pub mod html_text;
pub mod notes;
pub mod survival;
pub mod wrap;
