//! RFC 3676 `format=flowed` (DelSp=no) for message bodies.
//!
//! Input is the text edition's lines, each marked soft or hard (see
//! `text::render_lines`). A soft line keeps one trailing space, which tells
//! a mail reader it may rejoin it with the next line; every other line ends
//! without spaces. Lines starting with a space, `>` or `From ` are
//! space-stuffed, so readers never take text for a quote and mbox tools
//! never take it for a message separator. Undoing both (drop the stuffing
//! space, drop the soft space) gives back the text edition line for line.

/// The flowed body, lines ending in `\n` (the message builder makes them
/// CRLF).
pub fn encode(lines: &[(String, bool)]) -> String {
    let mut out = String::new();
    for (line, soft) in lines {
        // A line may hold a forced break of its own; its parts end hard.
        let parts: Vec<&str> = line.split('\n').collect();
        for (i, part) in parts.iter().enumerate() {
            let part = part.trim_end_matches([' ', '\r']);
            if part.starts_with([' ', '>']) || part.starts_with("From ") {
                out.push(' ');
            }
            out.push_str(part);
            // A soft line of only spaces would read as a signature or
            // nothing at all: keep it hard.
            if *soft && i + 1 == parts.len() && !part.is_empty() {
                out.push(' ');
            }
            out.push('\n');
        }
    }
    out
}

/// Lines of plain text, all hard (for text with no soft-break marks, such
/// as a packet digest).
pub fn hard_lines(text: &str) -> Vec<(String, bool)> {
    text.lines()
        .map(|l| (l.trim_end().to_string(), false))
        .collect()
}

/// The reverse of [`encode`] that keeps line breaks: the text edition as
/// it was. Used by tests and by `brief send` to show sizes; a reader
/// rejoining soft lines is the mail client's business.
pub fn decode_lines(body: &str) -> String {
    let mut out = String::new();
    for line in body.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let line = line.strip_prefix(' ').unwrap_or(line);
        let line = line.strip_suffix(' ').unwrap_or(line);
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stuffs_spaces_quotes_and_from_and_marks_soft_breaks() {
        let lines = vec![
            ("Title".to_string(), false),
            ("alpha beta".to_string(), true),
            ("gamma".to_string(), false),
            ("    code".to_string(), false),
            ("> quoted".to_string(), false),
            ("From here".to_string(), false),
            (String::new(), true),
        ];
        let body = encode(&lines);
        assert_eq!(
            body,
            "Title\nalpha beta \ngamma\n     code\n > quoted\n From here\n\n"
        );
        let text: String = lines.iter().map(|(l, _)| format!("{l}\n")).collect();
        assert_eq!(decode_lines(&body), text);
    }
}
