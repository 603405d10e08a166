//! Which public pages a committed change altered, in the words every instance hears:
//! `page_changes` notifies PostgreSQL's listeners with these payloads, and the shared state
//! beyond PostgreSQL (`shared_state`, Redis when configured) is told the same.

/// What a change altered, as a notification's payload says it: one doctor's page and the
/// directory, who practises what (the home page and the directory), or anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    Doctor(i64),
    Roster,
    Everything,
}

impl Heard {
    /// Reads a payload; `None` for one this version does not know (the listener then forgets
    /// everything, the safe reading of a change it cannot place).
    pub fn parse(payload: &str) -> Option<Self> {
        match payload {
            "roster" => Some(Self::Roster),
            "everything" => Some(Self::Everything),
            _ => payload
                .strip_prefix("doctor:")
                .and_then(|id| id.parse().ok())
                .map(Self::Doctor),
        }
    }

    pub(super) fn payload(self) -> String {
        match self {
            Self::Doctor(id) => format!("doctor:{id}"),
            Self::Roster => "roster".to_owned(),
            Self::Everything => "everything".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_read_back() {
        for heard in [Heard::Doctor(42), Heard::Roster, Heard::Everything] {
            assert_eq!(Heard::parse(&heard.payload()), Some(heard));
        }
        assert_eq!(Heard::parse("doctor:x"), None);
        assert_eq!(Heard::parse("specialty:1"), None);
    }
}
