//! Tables in the e-mail text edition, laid out from cells already turned
//! into one-line strings (link numbers assigned by the text writer).
//!
//! A table that fits the width is printed as aligned columns under a
//! dashed rule, which reads like the original. One that does not is
//! printed as one record per row, each cell as `Header: value`, because
//! wrapping cells inside columns of a 72-column mail is unreadable.
//!
//! A table whose first header cell is empty is a matrix whose first column
//! names its rows (versions, features: `| | not async | async |`). Its
//! records take that first cell as their title and list the other cells
//! under it, so each record reads "row: column: value". Labelling the
//! cells by position (`1: …`, `4: …`) instead said nothing a reader could
//! use. Any other empty header cell leaves its values unlabelled.

use crate::ir::Align;
use crate::write::shared::wrap::{width, wrap};

/// The table's lines. `first` prefixes the first line and `rest` every
/// other one (list indents, quote markers), as in the text writer.
pub fn lay_out(
    align: &[Align],
    head: &[String],
    rows: &[Vec<String>],
    max: usize,
    first: &str,
    rest: &str,
) -> Vec<String> {
    let columns = head.len().max(rows.iter().map(Vec::len).max().unwrap_or(0));
    let mut widths = vec![0; columns];
    for row in std::iter::once(head).chain(rows.iter().map(Vec::as_slice)) {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(cell));
        }
    }
    let total = width(first) + widths.iter().sum::<usize>() + 2 * columns.saturating_sub(1);
    if total <= max {
        columns_layout(align, head, rows, &widths, first, rest)
    } else {
        records_layout(head, rows, max, first, rest)
    }
}

fn columns_layout(
    align: &[Align],
    head: &[String],
    rows: &[Vec<String>],
    widths: &[usize],
    first: &str,
    rest: &str,
) -> Vec<String> {
    let line = |cells: &[String]| -> String {
        let padded: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                let cell = cells.get(i).map_or("", String::as_str);
                pad(cell, w, align.get(i).copied().unwrap_or(Align::None))
            })
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat((*w).max(1))).collect();
    let mut out = vec![
        format!("{first}{}", line(head)),
        format!("{rest}{}", rule.join("  ")),
    ];
    out.extend(rows.iter().map(|row| format!("{rest}{}", line(row))));
    out
}

fn records_layout(
    head: &[String],
    rows: &[Vec<String>],
    max: usize,
    first: &str,
    rest: &str,
) -> Vec<String> {
    // Between records: a blank line, or the bare marker inside a quote so
    // the quote does not end there.
    let gap = if rest.contains('>') {
        rest.trim_end()
    } else {
        ""
    };
    let titled = head.first().is_some_and(String::is_empty);
    let mut out = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        if r > 0 {
            out.push(gap.to_string());
        }
        let lead = if r == 0 { first } else { rest };
        let title = row.first().filter(|t| titled && !t.is_empty());
        match title {
            Some(title) => {
                out.extend(wrap(title, max, lead, rest));
                let field = format!("{rest}  ");
                fields(&mut out, head, row, 1, max, &field, &field);
            }
            None => fields(&mut out, head, row, 0, max, lead, rest),
        }
    }
    if rows.is_empty() {
        let named: Vec<&str> = head
            .iter()
            .map(String::as_str)
            .filter(|h| !h.is_empty())
            .collect();
        out.extend(wrap(&named.join("; "), max, first, rest));
    }
    out
}

/// One record's cells from column `from` on, one per line: `Header:
/// value`, or the value alone under an empty header (skipped when empty
/// too). The first line starts with `lead`, the others with `rest`;
/// wrapped values hang four columns further in.
fn fields(
    out: &mut Vec<String>,
    head: &[String],
    row: &[String],
    from: usize,
    max: usize,
    lead: &str,
    rest: &str,
) {
    let hanging = format!("{rest}    ");
    let mut prefix = lead;
    for (i, cell) in row.iter().enumerate().skip(from) {
        let text = match head.get(i).filter(|h| !h.is_empty()) {
            Some(label) => format!("{label}: {cell}"),
            None if cell.is_empty() => continue,
            None => cell.clone(),
        };
        out.extend(wrap(&text, max, prefix, &hanging));
        prefix = rest;
    }
}

fn pad(cell: &str, to: usize, align: Align) -> String {
    let gap = to.saturating_sub(width(cell));
    match align {
        Align::Right => format!("{}{cell}", " ".repeat(gap)),
        Align::Center => format!("{}{cell}{}", " ".repeat(gap / 2), " ".repeat(gap - gap / 2)),
        _ => format!("{cell}{}", " ".repeat(gap)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(row: &[&str]) -> Vec<String> {
        row.iter().map(|c| c.to_string()).collect()
    }

    /// keyword-generics.md (Rust blog): an effects matrix whose first
    /// header cell is empty, at a width too narrow for its columns.
    fn matrix() -> (Vec<String>, Vec<Vec<String>>) {
        let head = cells(&["", "not async", "async"]);
        let rows = vec![
            cells(&["*infallible*", "fn map", "fn async_map"]),
            cells(&["*fallible*", "fn try_map", "fn async_try_map"]),
        ];
        (head, rows)
    }

    #[test]
    fn a_matrix_that_fits_keeps_its_columns() {
        let (head, rows) = matrix();
        let lines = lay_out(&[], &head, &rows, 72, "", "");
        assert_eq!(
            lines,
            [
                "              not async   async",
                "------------  ----------  ----------------",
                "*infallible*  fn map      fn async_map",
                "*fallible*    fn try_map  fn async_try_map",
            ]
        );
    }

    // Regression: records printed "1: *infallible*" before each row.
    #[test]
    fn an_empty_first_header_makes_the_first_cell_the_record_title() {
        let (head, rows) = matrix();
        let lines = lay_out(&[], &head, &rows, 30, "", "");
        assert_eq!(
            lines,
            [
                "*infallible*",
                "  not async: fn map",
                "  async: fn async_map",
                "",
                "*fallible*",
                "  not async: fn try_map",
                "  async: fn async_try_map",
            ]
        );
        assert!(
            lines
                .iter()
                .all(|l| !l.trim_start().starts_with(char::is_numeric))
        );
    }

    #[test]
    fn titled_records_inside_a_quote_keep_the_marker() {
        let (head, rows) = matrix();
        let lines = lay_out(&[], &head, &rows, 30, "> ", "> ");
        assert_eq!(lines[0], "> *infallible*");
        assert_eq!(lines[1], ">   not async: fn map");
        assert_eq!(lines[3], ">");
    }

    #[test]
    fn other_empty_headers_leave_values_unlabelled() {
        let head = cells(&["Version", "", "Notes"]);
        let rows = vec![cells(&[
            "1.80",
            "stable",
            "checks every reachable cfg against the expected names and values",
        ])];
        let lines = lay_out(&[], &head, &rows, 40, "", "");
        assert_eq!(lines[0], "Version: 1.80");
        assert_eq!(lines[1], "stable");
        assert!(lines[2].starts_with("Notes: checks"), "{lines:?}");
        assert!(lines.iter().all(|l| width(l) <= 40), "{lines:?}");
    }

    #[test]
    fn a_row_without_a_title_is_a_plain_record() {
        let (head, _) = matrix();
        let rows = vec![cells(&["", "fn map", ""])];
        let lines = lay_out(&[], &head, &rows, 19, "- ", "  ");
        assert_eq!(lines, ["- not async: fn map", "  async:"]);
    }
}
