//! brief: Markdown briefs with front matter in; PDF, EPUB and e-mail text
//! editions out.

pub mod config;
pub mod diag;
pub mod ir;
pub mod source;
pub mod write;
