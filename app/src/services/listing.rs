//! Lists in SQL: LIKE patterns from search text, the offset of a page, a page of rows with a
//! fresh request key for its forms, and the CSV export that every downloadable list implements.

use std::future::Future;

use serde::de::DeserializeOwned;
use sqlx::PgPool;

use super::ClinicSettings;
use crate::domain::listing::{ListPage, ListParams};
use crate::domain::request_key::RequestKey;
use crate::domain::{AppError, UserRole};

/// Makes `%`, `_` and `\` in user input match themselves in a LIKE pattern.
pub fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// A LIKE pattern matching text that contains `text` as typed; `'%%'` when `text` is empty,
/// which the lists' SQL reads as "no filter".
pub fn pattern(text: &str) -> String {
    format!("%{}%", escape_like(text))
}

/// How many rows come before page `page` (from 1), `per_page` at a time.
pub fn offset(page: i64, per_page: i64) -> i64 {
    (page - 1) * per_page
}

/// Page `page` of a list of `ROWS_PER_PAGE` rows, `matching` in all, with a fresh key for the
/// forms of its rows.
pub fn list_page<T>(rows: Vec<T>, matching: i64, page: i64) -> ListPage<T> {
    ListPage::new(
        rows,
        matching,
        page,
        RequestKey::generate().as_str().to_owned(),
    )
}

/// A list that downloads as a CSV file: the rows its URL parameters match, a header, and one
/// line per row. Implemented by the row type of each list; `server/src/exports.rs` serves every
/// one of them through one route handler.
pub trait CsvExport: Sized + Send {
    /// The list's URL parameters, the same type its page and server function take.
    type Params: ListParams + DeserializeOwned + Send + 'static;
    /// Who may download the file (the session is checked as the list's server function does).
    const ROLE: UserRole;
    /// The file's name before the clinic's date: `payments` gives `payments-2030-03-31.csv`.
    const FILE: &'static str;
    const HEADER: &'static [&'static str];

    /// Every row `params` match (their page is ignored), for the user `caller`.
    fn rows(
        pool: &PgPool,
        settings: &ClinicSettings,
        caller: i64,
        params: &Self::Params,
    ) -> impl Future<Output = Result<Vec<Self>, AppError>> + Send;

    /// The row's cells, in the header's order.
    fn record(self, settings: &ClinicSettings) -> Vec<String>;
}

/// The whole CSV file of list `E` for `params`: every match, whatever page they name.
pub async fn export<E: CsvExport>(
    pool: &PgPool,
    settings: &ClinicSettings,
    caller: i64,
    params: E::Params,
) -> Result<String, AppError> {
    let rows = E::rows(pool, settings, caller, &params.without_page()).await?;
    Ok(super::csv::table(
        E::HEADER,
        rows.into_iter().map(|row| row.record(settings)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_in_input_are_literal() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
        assert_eq!(escape_like("Ann"), "Ann");
        assert_eq!(pattern(""), "%%");
    }

    #[test]
    fn pages_start_at_one() {
        assert_eq!(offset(1, 25), 0);
        assert_eq!(offset(3, 50), 100);
    }
}
