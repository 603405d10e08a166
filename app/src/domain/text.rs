//! The rules for text people type: a length limit matching its column, no control characters
//! in one-line values, fitting text built from such values into a mail header, and escaping it
//! for HTML written by hand (emails, the server's own error pages).

/// What replaces the end of a text cut to fit.
pub const ELLIPSIS: char = '…';

/// A one-line value such as a name: trimmed, present, at most `max` characters (the column's
/// `VARCHAR(max)`, which PostgreSQL counts in characters), with no control characters (a tab,
/// a line break or a NUL would break the emails, headers and CSV files the value ends up in).
/// `what` names the value in the messages: "Your first name", "A specialty's name".
pub fn parse_line(input: &str, max: usize, what: &str) -> Result<String, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err(format!("Enter {}.", lower_first(what)));
    }
    check_length(text, max, what)?;
    if text.chars().any(char::is_control) {
        return Err(format!(
            "{what} cannot contain control characters such as tabs or line breaks; type it on one line."
        ));
    }
    Ok(text.to_owned())
}

/// Free text such as a note or a comment: trimmed, may be empty, at most `max` characters.
/// Line breaks and tabs are kept; other control characters (NUL, escape, ...) are refused,
/// since PostgreSQL refuses NUL in text and the rest only ever come from a hostile client.
pub fn parse_free_text(input: &str, max: usize, what: &str) -> Result<String, String> {
    let text = input.trim();
    check_length(text, max, what)?;
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(format!(
            "{what} contains a control character that cannot be stored; remove it and try again."
        ));
    }
    Ok(text.to_owned())
}

/// "Your first name" as it reads inside a sentence: "your first name".
fn lower_first(what: &str) -> String {
    let mut chars = what.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A search box's text: trimmed, may be empty, at most `max` characters, no control characters
/// (PostgreSQL refuses NUL in a query parameter, and no name or address contains one).
pub fn parse_search(input: &str, max: usize) -> Result<String, String> {
    let text = input.trim();
    if text.chars().count() > max {
        return Err(format!("Search for at most {max} characters."));
    }
    if text.chars().any(char::is_control) {
        return Err(
            "A search cannot contain control characters; type letters, digits or punctuation."
                .to_owned(),
        );
    }
    Ok(text.to_owned())
}

fn check_length(text: &str, max: usize, what: &str) -> Result<(), String> {
    let length = text.chars().count();
    if length > max {
        return Err(format!(
            "{what} can have at most {} characters; this one has {}.",
            super::group_thousands(&max.to_string()),
            super::group_thousands(&length.to_string()),
        ));
    }
    Ok(())
}

/// `text` made safe for one header line of at most `max` characters: every control character
/// (CR and LF above all, which would start a new header) becomes a space, runs of spaces
/// become one, and a text that is still too long is cut on a character boundary and ends
/// with "…". The result always fits a `VARCHAR(max)` column.
pub fn header_line(text: &str, max: usize) -> String {
    let mut clean = String::with_capacity(text.len().min(max * 4));
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if c == ' ' && (clean.is_empty() || clean.ends_with(' ')) {
            continue;
        }
        clean.push(c);
    }
    shorten(clean.trim_end(), max)
}

/// `text` cut to at most `max` characters on a character boundary, ending with "…" when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    if max > 0 {
        cut.push(ELLIPSIS);
    }
    cut
}

/// `text` safe inside HTML text and attribute values (double- or single-quoted).
pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_trimmed_present_short_and_without_control_characters() {
        assert_eq!(
            parse_line("  Ann ", 150, "Your first name"),
            Ok("Ann".into())
        );
        assert_eq!(
            parse_line("   ", 150, "Your first name"),
            Err("Enter your first name.".into())
        );
        assert!(parse_line(&"é".repeat(150), 150, "A name").is_ok());
        let long = parse_line(&"é".repeat(151), 150, "A name").expect_err("long");
        assert!(long.contains("150") && long.contains("151"), "{long}");
        for bad in [
            "Ann\tLee",
            "Ann\nLee",
            "Ann\u{0}",
            "Ann\u{1b}[31m",
            "A\u{85}B",
        ] {
            assert!(
                parse_line(bad, 150, "A name")
                    .expect_err(bad)
                    .contains("control characters"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn free_text_keeps_line_breaks_and_refuses_other_control_characters() {
        assert_eq!(
            parse_free_text(" one\r\ntwo\tthree ", 2000, "The comment"),
            Ok("one\r\ntwo\tthree".into())
        );
        assert_eq!(parse_free_text("", 2000, "The comment"), Ok(String::new()));
        assert!(parse_free_text("nul\u{0}", 2000, "The comment").is_err());
        let long = parse_free_text(&"x".repeat(2001), 2000, "The comment").expect_err("long");
        assert!(long.contains("2,000") && long.contains("2,001"), "{long}");
    }

    #[test]
    fn searches_refuse_control_characters() {
        assert_eq!(parse_search(" ann ", 100), Ok("ann".into()));
        assert!(parse_search("ann\u{0}", 100).is_err());
        assert!(parse_search(&"x".repeat(101), 100).is_err());
    }

    #[test]
    fn header_lines_lose_line_breaks_and_fit_their_column() {
        assert_eq!(
            header_line("Confirmed:\r\nBcc: x@evil.example", 200),
            "Confirmed: Bcc: x@evil.example"
        );
        let long = header_line(&"ü".repeat(300), 200);
        assert_eq!(long.chars().count(), 200);
        assert!(long.ends_with(ELLIPSIS));
        assert_eq!(header_line("short", 200), "short");
        assert_eq!(shorten("ab cd", 4), "ab…");
        assert_eq!(shorten("abc", 3), "abc");
    }
}
