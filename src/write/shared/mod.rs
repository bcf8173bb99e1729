//! Rules every edition shares, each written once.

pub mod html_text;
pub mod links;
pub mod summary;
pub mod survival;
pub mod wrap;
