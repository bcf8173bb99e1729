//! Which brief this is: its version, the git commit it was built from
//! (recorded by `build.rs`, empty outside a git checkout) and the Typst it
//! carries. One string for `brief --version` and for the provenance that
//! packets print on their integrity page.

/// The Typst release compiled in (pinned exactly in Cargo.toml).
pub const TYPST: &str = "0.15.1";

/// `0.1.0 (commit 1a2b3c4d5e6f, Typst 0.15.1)`, for `brief --version`.
pub const LONG: &str = if env!("BRIEF_COMMIT").is_empty() {
    concat!(env!("CARGO_PKG_VERSION"), " (Typst 0.15.1)")
} else {
    concat!(
        env!("CARGO_PKG_VERSION"),
        " (commit ",
        env!("BRIEF_COMMIT"),
        ", Typst 0.15.1)"
    )
};

/// `brief 0.1.0 (commit …, Typst 0.15.1)`: the tool that made a file.
pub fn provenance() -> String {
    format!("brief {LONG}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_typst_named_is_the_typst_pinned() {
        let manifest = include_str!("../Cargo.toml");
        assert!(manifest.contains(&format!("typst = \"={}\"", super::TYPST)));
        assert!(super::LONG.contains(&format!("Typst {}", super::TYPST)));
    }
}
