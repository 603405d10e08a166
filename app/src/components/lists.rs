//! Pieces every paged list shares: its parameters read from the URL, the count of matches with
//! the CSV download, and the pager.

use std::collections::BTreeMap;

use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::de::value::{Error as ValueError, MapDeserializer};

use crate::domain::listing::ListPage;

/// "Page 2 of 5" with links to the neighbouring pages; nothing when there is one page. Lists
/// sorted newest first say "Newer" and "Older", others "Previous" and "Next".
#[component]
pub fn Pager(
    page: i64,
    pages: i64,
    href: Callback<i64, String>,
    /// What the pages are of, for screen readers ("Review pages").
    #[prop(default = "Pages")]
    label: &'static str,
    #[prop(optional)] newest_first: bool,
) -> impl IntoView {
    let (back, forward) = if newest_first {
        ("← Newer", "Older →")
    } else {
        ("← Previous", "Next →")
    };
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label=label>
                {(page > 1).then(|| view! {
                    <a class="btn btn-secondary" rel="prev" href=href.run(page - 1)>{back}</a>
                })}
                <span class="pager-position">{format!("Page {page} of {pages}")}</span>
                {(page < pages).then(|| view! {
                    <a class="btn btn-secondary" rel="next" href=href.run(page + 1)>{forward}</a>
                })}
            </nav>
        }
    })
}

/// "25 payments" (announced when it changes) and a link downloading the same matches as CSV.
#[component]
pub fn ListHeading(
    matching: i64,
    /// The thing counted, singular and plural: ("payment", "payments").
    noun: (&'static str, &'static str),
    csv_href: String,
) -> impl IntoView {
    let count = if matching == 1 {
        format!("1 {}", noun.0)
    } else {
        format!(
            "{} {}",
            crate::domain::group_thousands(&matching.to_string()),
            noun.1
        )
    };
    view! {
        <div class="page-heading">
            <p class="results-count" role="status">{count}</p>
            <a class="btn btn-secondary btn-small" href=csv_href download rel="external">
                "Download CSV"
            </a>
        </div>
    }
}

/// The current URL's query as a list's parameters type (`PaymentParams`): each field from the
/// parameter of its name, empty when absent; a name given twice counts with its last value.
pub fn use_list_params<P>() -> Memo<P>
where
    P: DeserializeOwned + Default + PartialEq + Send + Sync + 'static,
{
    let query = leptos_router::hooks::use_query_map();
    Memo::new(move |_| {
        let values: BTreeMap<String, String> = query
            .get()
            .into_iter()
            .map(|(name, value)| (name.into_owned(), value))
            .collect();
        // Every field is a string with a default, so only a malformed map could fail.
        P::deserialize(MapDeserializer::<_, ValueError>::new(values.into_iter()))
            .unwrap_or_default()
    })
}

/// "From" and "To" date fields of a filter form, named `from` and `to`.
#[component]
pub fn DateRangeFields(
    /// Makes the fields' ids unique on the page.
    id_prefix: &'static str,
    from: Signal<String>,
    to: Signal<String>,
) -> impl IntoView {
    let from_id = format!("{id_prefix}-from");
    let to_id = format!("{id_prefix}-to");
    // `value` for the server's HTML (a page without the bundle shows the filter it applies),
    // `prop:value` so the field follows the address once hydrated. Every filter field does both.
    view! {
        <div class="field">
            <label for=from_id.clone()>"From"</label>
            <input id=from_id type="date" name="from" value=from prop:value=from />
        </div>
        <div class="field">
            <label for=to_id.clone()>"To"</label>
            <input id=to_id type="date" name="to" value=to prop:value=to />
        </div>
    }
}

/// A page of a list: the count with its CSV download, the rows as a table (or a line saying
/// none match), and the pager.
#[component]
pub fn ListTable<T, R, V>(
    page: ListPage<T>,
    /// What is counted, singular and plural: ("payment", "payments").
    noun: (&'static str, &'static str),
    /// The list's path: `/admin/payments` (its CSV is the same path with `.csv`).
    path: &'static str,
    /// The filters as a query string, without the page.
    filters: String,
    /// The column headings; "Amount" style numbers are right-aligned when `numeric` is true,
    /// and an empty heading is a column of actions (named for screen readers only).
    columns: &'static [(&'static str, bool)],
    /// What the pages are of, for screen readers ("Payment pages").
    pager_label: &'static str,
    #[prop(optional)] newest_first: bool,
    /// One `<tr>` of the table.
    row: R,
) -> impl IntoView
where
    T: Send + Sync + 'static,
    R: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let href = {
        let filters = filters.clone();
        Callback::new(move |n: i64| format!("{path}?{filters}&page={n}"))
    };
    let rows = if page.rows.is_empty() {
        view! { <div class="panel empty"><p>{format!("No {} match.", noun.1)}</p></div> }.into_any()
    } else {
        view! {
            <div class="table-scroll">
                <table class="data-table">
                    <thead>
                        <tr>
                            {columns.iter().map(|(heading, numeric)| {
                                let class = numeric.then_some("numeric");
                                if heading.is_empty() {
                                    view! { <th scope="col" class=class><span class="visually-hidden">"Actions"</span></th> }.into_any()
                                } else {
                                    view! { <th scope="col" class=class>{*heading}</th> }.into_any()
                                }
                            }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>{page.rows.into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <ListHeading matching=page.matching noun csv_href=format!("{path}.csv?{filters}") />
        {rows}
        <Pager page=page.page pages=page.pages href label=pager_label newest_first />
    }
}
