//! Making a YAML error in front matter readable: one line number (the
//! file's, not the parser's count inside the front matter), and a hint
//! for the two mistakes people make most — a value with an unquoted `: `
//! (`title: Oversight: the case`) and an indent made with a tab.

/// The parser's message without its own position (`… at line 2, column
/// 16`, and `(defined at line …)` after it): the diagnostic carries the
/// file's line and column instead.
pub fn message_without_position(message: &str) -> &str {
    match message.find(" at line ") {
        Some(i) if message[i + 9..].starts_with(|c: char| c.is_ascii_digit()) => {
            message[..i].trim_end()
        }
        _ => message,
    }
}

/// A hint for the error at `line` (1-based, within the front matter),
/// with the line (same count) the mistake is on: looks at that line and
/// the next, since the parser often stops a line early or late.
pub fn hint(front: &str, line: usize) -> Option<(usize, String)> {
    let lines: Vec<&str> = front.lines().collect();
    let candidates = line.checked_sub(1).into_iter().chain([line]);
    for i in candidates {
        let Some(text) = lines.get(i) else { continue };
        if text.trim_start_matches(' ').starts_with('\t') {
            return Some((
                i + 1,
                "this line is indented with a tab; YAML indents with spaces only".to_string(),
            ));
        }
    }
    for i in line.checked_sub(1).into_iter().chain([line]) {
        let Some(text) = lines.get(i) else { continue };
        if let Some((key, value)) = text.split_once(": ") {
            let value = value.trim();
            let quoted = value.starts_with(['"', '\'', '[', '{', '|', '>']);
            if !quoted && value.contains(": ") && !key.trim().is_empty() {
                let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
                return Some((
                    i + 1,
                    format!(
                        "a value holding \": \" must be quoted: {}: \"{escaped}\"",
                        key.trim()
                    ),
                ));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_mistakes_get_a_hint() {
        assert_eq!(
            hint("title: Oversight: the case\ndate: 2025-01-01\n", 1),
            Some((
                1,
                "a value holding \": \" must be quoted: title: \"Oversight: the case\"".to_string()
            ))
        );
        let (line, tab) = hint("title: ok\n\tdate: 2025-01-01\n", 1).unwrap();
        assert_eq!(line, 2);
        assert!(tab.contains("tab"));
        assert_eq!(hint("title: \"A: b\"\n", 1), None);
        assert_eq!(
            message_without_position(
                "mapping values are not allowed in this context at line 1, column 11"
            ),
            "mapping values are not allowed in this context"
        );
        assert_eq!(
            message_without_position(
                "budget breached: Events at line 1, column 44 (defined at line 5, column 7)"
            ),
            "budget breached: Events"
        );
    }
}
