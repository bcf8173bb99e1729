//! How every edition prints a protective marking ("For official use"):
//! upper case, one line, nothing but printable characters. The PDF
//! templates upper-case it themselves (Typst's `upper`, the same rule);
//! the text edition, the digest, the EPUB and message subjects take it
//! from here. Which marking a packet carries is `packet::marking`.

/// The marking as printed: upper case, control characters dropped,
/// whitespace runs as one space.
pub fn printed(marking: &str) -> String {
    marking
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .to_uppercase()
}

/// A message Subject with the marking in front, when `[email]
/// subject_marking` asks for it: `[FOR OFFICIAL USE] Title`.
pub fn subject(marking: Option<&str>, title: &str, on: bool) -> String {
    match marking {
        Some(m) if on && !m.trim().is_empty() => format!("[{}] {title}", printed(m)),
        _ => title.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_upper_case() {
        assert_eq!(printed(" For\nofficial\tuse "), "FOR OFFICIAL USE");
        assert_eq!(printed("대외비"), "대외비");
        assert_eq!(subject(Some("Confidential"), "T", true), "[CONFIDENTIAL] T");
        assert_eq!(subject(Some("Confidential"), "T", false), "T");
    }
}
