//! Markdown bytes → IR → e-mail text, EPUB XHTML and PDF data: no panic,
//! well-formed XML, every word kept, PDF data within Typst's limits. The
//! checks are the property tests' (`tests/properties/mod.rs`); PDF
//! compiling is left out of the loop (30 ms a document).

#![no_main]

#[path = "../../tests/properties/mod.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = properties::check_bytes(data) {
        panic!("{e}");
    }
});
