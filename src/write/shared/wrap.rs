//! Line wrapping for plain text by display width.
//!
//! Where a line may break comes from Unicode's line breaking algorithm
//! (UAX #14, `unicode-linebreak`), narrowed for e-mail:
//! - a break is taken at a space, or between Chinese/Japanese characters;
//!   never inside a Korean word (Korean separates words with spaces) and
//!   never inside a URL or a hyphenated word, so addresses stay clickable;
//! - a wrapped line never starts with `>`, `-`, `*`, `+`, `#`, `1.` or
//!   `From `, which mail readers would take for a quote, a list or an mbox
//!   separator: the break moves one word earlier instead.
//! Widths count East Asian wide characters as two columns.

use unicode_linebreak::{BreakOpportunity, linebreaks};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Wraps `text` (which may contain `\n` for forced breaks) to `max` columns.
/// `first` prefixes the first line, `rest` every following line (hanging
/// indents, quote markers). Returns lines without trailing newlines or
/// trailing spaces. A word longer than the line stays whole on its own line.
pub fn wrap(text: &str, max: usize, first: &str, rest: &str) -> Vec<String> {
    wrap_marked(text, max, first, rest)
        .into_iter()
        .map(|(line, _)| line)
        .collect()
}

/// Like [`wrap`], and says for each line whether it ends at a soft break:
/// a break the wrapping made at a space (so a reader may rejoin the lines
/// with that space, as RFC 3676 `format=flowed` does). Breaks from `\n`,
/// breaks between CJK characters and the last line are hard.
pub fn wrap_marked(text: &str, max: usize, first: &str, rest: &str) -> Vec<(String, bool)> {
    let mut lines = Vec::new();
    let mut prefix = first;
    for hard_line in text.split('\n') {
        let words = segments(hard_line);
        let mut line: Vec<&str> = Vec::new();
        let mut used = width(prefix);
        for word in words {
            let fits = used + width(word.trim_end()) <= max;
            if line.is_empty() || fits {
                used += width(word);
                line.push(word);
                continue;
            }
            let keep = break_point(&line, word, max.saturating_sub(width(rest)));
            let carried = line.split_off(keep);
            let soft = line.last().is_some_and(|w| w.ends_with(' '));
            lines.push((finish(prefix, &line), soft));
            prefix = rest;
            line = carried;
            line.push(word);
            used = width(prefix) + line.iter().map(|w| width(w)).sum::<usize>();
        }
        lines.push((finish(prefix, &line), false));
        prefix = rest;
    }
    lines
}

fn finish(prefix: &str, words: &[&str]) -> String {
    let mut s = String::from(prefix);
    for w in words {
        s.push_str(w);
    }
    s.truncate(s.trim_end().len());
    s
}

/// Splits a line into pieces between which it may break. Each piece keeps
/// its trailing spaces; a leading run of spaces stays with the first piece.
fn segments(line: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for (at, opportunity) in linebreaks(line) {
        if at >= line.len() || opportunity == BreakOpportunity::Mandatory && at == line.len() {
            break;
        }
        if may_break_at(line, at) {
            pieces.push(&line[start..at]);
            start = at;
        }
    }
    if start < line.len() {
        pieces.push(&line[start..]);
    }
    pieces.retain(|p| !p.is_empty());
    pieces
}

fn may_break_at(line: &str, at: usize) -> bool {
    let before = line[..at].chars().next_back();
    let after = line[at..].chars().next();
    match (before, after) {
        (Some(b), Some(a)) => {
            if b == ' ' {
                return true;
            }
            // Between two non-space characters: only where one side is a
            // Chinese or Japanese character (no spaces between words there).
            (is_cjk_breakable(b) || is_cjk_breakable(a)) && !is_hangul(b) && !is_hangul(a)
        }
        _ => false,
    }
}

fn is_hangul(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x11FF | 0x3130..=0x318F | 0xA960..=0xA97F | 0xAC00..=0xD7AF | 0xD7B0..=0xD7FF)
}

fn is_cjk_breakable(c: char) -> bool {
    !is_hangul(c) && c.width() == Some(2)
}

/// How many of `line`'s pieces stay on it when the line must break before
/// `next`. Normally all of them; when `next` would start the new line
/// badly, the break moves back to the latest piece that may start a line,
/// as long as the pieces carried down still fit in `room` with `next` and
/// at least one piece stays. Looking back over a whole run of bad pieces
/// (not just one) is what keeps `*@a*, *@b*, …` or `15.0.8, 15.1.12, …`
/// from growing a line without end.
fn break_point(line: &[&str], next: &str, room: usize) -> usize {
    if !starts_badly(next) {
        return line.len();
    }
    let mut carried = width(next.trim_end());
    for keep in (1..line.len()).rev() {
        carried += width(line[keep]);
        if carried > room {
            break;
        }
        if !starts_badly(line[keep]) {
            return keep;
        }
    }
    // No earlier break works: every candidate is itself a marker (a run
    // such as `> > > >` wider than the line). The width is the promise
    // kept; a leading `>` or `From ` is space-stuffed in the message body
    // anyway (`email::flowed`), so a reader never takes it for a quote.
    line.len()
}

/// Would a line starting with `piece` be misread by a mail reader?
///
/// `>` starts a quote and `From ` an mbox separator whatever follows. A
/// list or heading marker (`-`, `*`, `+`, `#`, `1.`, `1)`) counts only as
/// a word of its own, as Markdown-aware readers take it: `*@name*`,
/// `#[cfg]`, `-1` or `15.0.8,` start a line harmlessly. `--` is refused
/// too: a line of `-- ` is a signature delimiter.
pub fn starts_badly(piece: &str) -> bool {
    let p = piece.trim_start();
    if p.starts_with('>') || p.starts_with("From ") {
        return true;
    }
    let word = p.split(' ').next().unwrap_or("");
    if matches!(word, "-" | "--" | "*" | "+") || !word.is_empty() && word.bytes().all(|b| b == b'#')
    {
        return true;
    }
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && matches!(&word[digits..], "." | ")")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_width_by_display_columns() {
        let text = "one two three four five six seven eight nine ten";
        let lines = wrap(text, 20, "", "");
        assert!(lines.iter().all(|l| width(l) <= 20), "{lines:?}");
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn korean_words_stay_whole() {
        let text = "대한민국은 아동 인신매매의 목적지이자 출발지 국가로 기능하고 있습니다";
        let lines = wrap(text, 20, "", "");
        for line in &lines {
            assert!(width(line) <= 20, "{line}");
        }
        let words: Vec<&str> = lines.iter().flat_map(|l| l.split(' ')).collect();
        assert_eq!(words, text.split(' ').collect::<Vec<_>>());
    }

    #[test]
    fn japanese_breaks_between_characters() {
        let text =
            "この記事では、Apache APISIX の opentelemetry プラグインのコンセプトを紹介します。";
        let lines = wrap(text, 20, "", "");
        assert!(lines.iter().all(|l| width(l) <= 20), "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
    }

    #[test]
    fn no_line_starts_like_a_quote_or_list() {
        for text in [
            "aaaa bbbb cccc > dddd",
            "aaaa bbbb cccc - dddd",
            "aaaa bbbb cccc 1. dddd",
            "aaaa bbbb cccc From dddd",
        ] {
            // From 10 columns on, "bbbb cccc" can always be carried down
            // with the marker; narrower, the width wins (see below).
            for max in 10..20 {
                for line in wrap(text, max, "", "").iter().skip(1) {
                    assert!(!starts_badly(line), "{max}: {line:?}");
                }
            }
        }
    }

    fn assert_fits(lines: &[String], max: usize) {
        for line in lines {
            assert!(
                width(line) <= max || !line.trim().contains(' '),
                "{max}: {} columns: {line:?}",
                width(line)
            );
        }
    }

    // Regression: real posts printed these on one line of 116 and 84
    // columns, because every piece starting with `*` or `15.` counted as a
    // list marker and was glued to the one before.
    #[test]
    fn emphasised_names_and_version_lists_wrap() {
        for text in [
            "Thanks to *@camelid*, *@denisvasilik*, *@poliorcetics*, *@nixphix*, *@EllenNyan*, *@kolfs*, *@LeSeulArtichaut*, *@Amjad50*, and *@GuillaumeGomez*.",
            "15.0.8, 15.1.12, 15.2.9, 15.3.9, 15.4.10, 15.5.10, 15.6.0-canary.61, 16.0.11, 16.1.5",
            "with it along with well known cfgs if any of the #[cfg], #![cfg_attr] and #[cfg_attr] attributes",
        ] {
            for max in [20, 40, 72] {
                let lines = wrap(text, max, "", "");
                assert_fits(&lines, max);
                assert_eq!(lines.join(" "), text);
            }
        }
    }

    #[test]
    fn markers_are_whole_words() {
        for bad in [
            "> x", ">= 3", "- x", "-- x", "* x", "+ x", "# x", "### x", "1. x", "12) x", "From x",
            "-",
        ] {
            assert!(starts_badly(bad), "{bad:?}");
        }
        for fine in [
            "*@camelid*, ",
            "#[cfg], ",
            "-1 ",
            "15.0.8, ",
            "1.5x ",
            "+1 ",
            "From",
            "Fromage ",
        ] {
            assert!(!starts_badly(fine), "{fine:?}");
        }
    }

    // A run of bare markers wider than the line cannot move its break
    // earlier: the line still breaks at the width instead of growing.
    #[test]
    fn runs_of_markers_never_grow_a_line() {
        let text = format!("start {}end", "- ".repeat(100));
        for max in [10, 20, 72] {
            let lines = wrap(&text, max, "> ", "> ");
            assert_fits(&lines, max);
        }
        for max in 1..20 {
            assert_fits(
                &wrap("aaaa bbbb cccc > dddd - eeee 1. ffff", max, "", ""),
                max,
            );
        }
    }

    #[test]
    fn japanese_breaks_after_commas_and_full_stops() {
        let text = "オブザーバビリティは、システムの内部状態を、外部から理解できるようにすることです。\
                    *OpenTelemetry* は、トレース、メトリクス、ログを扱います。";
        for max in 8..80 {
            let lines = wrap(text, max, "", "");
            assert_fits(&lines, max);
            for line in lines.iter().skip(1) {
                // UAX #14 never starts a line with closing punctuation.
                assert!(!line.starts_with(['、', '。']), "{max}: {line:?}");
            }
            assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
        }
        let lines = wrap("あいうえお、かきくけこ。さしすせそ", 12, "", "");
        assert_eq!(lines, ["あいうえお、", "かきくけこ。", "さしすせそ"]);
    }

    #[test]
    fn urls_and_long_words_are_never_split() {
        let url = "https://www.koreaherald.com/article/3480155-very-long-path/with/parts";
        let lines = wrap(&format!("see {url} now"), 20, "", "");
        assert!(lines.iter().any(|l| l == url), "{lines:?}");
    }

    #[test]
    fn soft_breaks_are_the_ones_made_at_spaces() {
        let marked = wrap_marked("alpha beta gamma\ndelta", 11, "", "");
        assert_eq!(
            marked,
            [
                ("alpha beta".to_string(), true),
                ("gamma".to_string(), false),
                ("delta".to_string(), false)
            ]
        );
        let cjk = wrap_marked("この記事では、コンセプトを紹介します。", 10, "", "");
        assert!(cjk.iter().all(|(_, soft)| !soft), "{cjk:?}");
    }

    #[test]
    fn prefixes_and_hard_breaks() {
        let lines = wrap("alpha beta\ngamma", 72, "- ", "  ");
        assert_eq!(lines, ["- alpha beta", "  gamma"]);
    }
}
