//! Where to send someone after sign-in: a path on this site, never another site.
//!
//! A return address arrives from the query string, already percent-decoded, so it can hold
//! anything. Browsers are generous when they read a `Location`: they drop tabs and newlines,
//! read `\` as `/`, and treat `//host` as another site. Rather than guess what a browser will
//! make of an odd path, only plain printable ASCII paths that cannot be read as a host are
//! accepted; everything else falls back to the home page.

use serde::{Deserialize, Serialize};

/// A same-site path (with an optional query and fragment) that is safe to put in `Location`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnPath(String);

/// Longer return addresses are not ours (our own links are far shorter).
const MAX_LENGTH: usize = 2000;

impl ReturnPath {
    /// The home page.
    pub fn home() -> Self {
        Self("/".to_owned())
    }

    /// `text` when it is a path on this site, or why not.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let bytes = text.as_bytes();
        if text.len() > MAX_LENGTH {
            return Err("too long");
        }
        if bytes.first() != Some(&b'/') {
            return Err("not a path on this site");
        }
        // `//host` and `/\host` name another host.
        if matches!(bytes.get(1), Some(b'/' | b'\\')) {
            return Err("names another site");
        }
        // Control characters (tabs and newlines are dropped by browsers, which turns `/\t/x`
        // into `//x`), spaces, and anything outside ASCII (look-alike slashes) have no place in
        // a path we link to ourselves.
        if !bytes.iter().all(|b| b.is_ascii_graphic()) {
            return Err("holds spaces, control characters or non-ASCII characters");
        }
        if text.contains('\\') {
            return Err("holds a backslash");
        }
        // An encoded slash, backslash or control character would become one when the path is
        // decoded again further on.
        if has_encoded_separator_or_control(bytes) {
            return Err("holds an encoded slash, backslash or control character");
        }
        Ok(Self(text.to_owned()))
    }

    /// `text` when it is a path on this site, otherwise the home page.
    pub fn or_home(text: Option<&str>) -> Self {
        text.and_then(|text| Self::parse(text).ok())
            .unwrap_or_else(Self::home)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `bytes` hold `%2F`, `%5C`, or a percent-encoded control character (`%00` to `%1F`,
/// `%7F`), in either case.
fn has_encoded_separator_or_control(bytes: &[u8]) -> bool {
    bytes.windows(3).any(|window| {
        let [b'%', high, low] = window else {
            return false;
        };
        let (Some(high), Some(low)) = (hex_value(*high), hex_value(*low)) else {
            return false;
        };
        let byte = high * 16 + low;
        byte == b'/' || byte == b'\\' || byte < 0x20 || byte == 0x7f
    })
}

fn hex_value(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|value| value as u8)
}

#[cfg(test)]
mod tests {
    use super::ReturnPath;

    #[test]
    fn paths_on_this_site_are_kept_whole() {
        for path in [
            "/",
            "/profile",
            "/appointments/12?tab=past#payment",
            "/doctors?q=o%27brien&specialty=3",
            "/@ann",
            "/a/b/c.d",
        ] {
            assert_eq!(ReturnPath::parse(path).map(|p| p.0), Ok(path.to_owned()));
        }
    }

    /// Known ways of dressing another site up as a path (open-redirect bypasses).
    #[test]
    fn known_open_redirect_bypasses_are_refused() {
        for hostile in [
            "",
            "evil.example",
            "//evil.example",
            "///evil.example",
            "////evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "\\/evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/\u{0}/evil.example",
            "/\u{1}",
            "/\u{7f}",
            "/ /evil.example",
            " /evil.example",
            "/%09/evil.example",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "/%5Cevil.example",
            "/%5cevil.example",
            "/%0d%0aSet-Cookie:x=1",
            "/\u{3000}/evil.example",
            "/\u{ff0f}evil.example",
            "/\u{2215}evil.example",
            "/\u{2028}",
            "https://evil.example",
            "http:evil.example",
            "http:/evil.example",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "/x\\..\\..\\evil.example",
        ] {
            assert!(
                ReturnPath::parse(hostile).is_err(),
                "{hostile:?} must not be followed"
            );
            assert_eq!(ReturnPath::or_home(Some(hostile)), ReturnPath::home());
        }
        assert!(ReturnPath::parse(&format!("/{}", "a".repeat(2000))).is_err());
        assert_eq!(ReturnPath::or_home(None), ReturnPath::home());
    }
}
