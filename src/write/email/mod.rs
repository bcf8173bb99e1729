//! The e-mail edition: the plain-text layout of a post, its RFC 3676
//! flowed form, summaries, and the MIME messages that carry them.

pub mod flowed;
pub mod jobs;
pub mod message;
pub mod summary;
mod table;
pub mod text;
