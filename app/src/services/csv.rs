//! CSV files for the admin's exports: RFC 4180 quoting, and no cell a spreadsheet would run as a
//! formula.

/// The whole file: a header line, then one line per row, each ending in CRLF.
pub fn table<R>(header: &[&str], rows: R) -> String
where
    R: IntoIterator<Item = Vec<String>>,
{
    let mut out = String::new();
    line(&mut out, header.iter().map(|cell| (*cell).to_owned()));
    for row in rows {
        line(&mut out, row);
    }
    out
}

fn line(out: &mut String, cells: impl IntoIterator<Item = String>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&cell_text(&cell));
    }
    out.push_str("\r\n");
}

/// One cell: text a spreadsheet would take for a formula (`=`, `+`, `-`, `@` first) gets a
/// leading apostrophe; a cell with a comma, quote or line break is quoted, quotes doubled.
fn cell_text(cell: &str) -> String {
    let guarded = defuse(cell);
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// `text` with a leading apostrophe when a spreadsheet would take it for a formula (`=`, `+`,
/// `-`, `@`, a tab or a carriage return first), so opening the file never runs it. A plain
/// number (`-80.00`) stays as it is: a spreadsheet reads it as the number, which is safe.
pub fn defuse(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_number(text) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// An optional minus, digits, and optionally a point and more digits: nothing else.
fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        let csv = super::table(
            &["name", "note"],
            [
                vec!["Lee, Ann".to_owned(), "said \"hi\"".to_owned()],
                vec!["=1+1".to_owned(), "plain".to_owned()],
            ],
        );
        assert_eq!(
            csv,
            "name,note\r\n\"Lee, Ann\",\"said \"\"hi\"\"\"\r\n'=1+1,plain\r\n"
        );
    }

    #[test]
    fn negative_amounts_stay_numbers_but_lookalikes_are_defused() {
        assert_eq!(super::defuse("-80.00"), "-80.00");
        assert_eq!(super::defuse("-5"), "-5");
        assert_eq!(super::defuse("-1+1"), "'-1+1");
        assert_eq!(super::defuse("-"), "'-");
        assert_eq!(super::defuse("-.5"), "'-.5");
        assert_eq!(super::defuse("-2."), "'-2.");
        assert_eq!(super::defuse("+80"), "'+80");
    }
}
