//! The admin's view of the ledger: every wallet movement of every account, filtered by person,
//! type and date, a page at a time, with the CSV download. Read-only: the ledger is append-only.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

use super::AdminNav;
use crate::api::oversight::list_transactions;
use crate::components::feedback::Loading;
use crate::components::guards::SignedIn;
use crate::components::lists::{DateRangeFields, ListHeading, Pager, query_string, query_values};
use crate::domain::UserRole;
use crate::domain::oversight::TransactionRow;
use crate::domain::wallet::TransactionType;

const FILTERS: [&str; 4] = ["q", "kind", "from", "to"];

#[component]
pub fn AdminTransactionsPage() -> impl IntoView {
    view! {
        <Title text="Wallet transactions" />
        <section class="container section">
            <AdminNav />
            <h1>"Wallet transactions"</h1>
            <SignedIn role=UserRole::Admin children=|_| view! { <TransactionList /> } />
        </section>
    }
}

#[component]
fn TransactionList() -> impl IntoView {
    let params = query_values(["q", "kind", "from", "to", "page"]);
    let value = move |i: usize| Signal::derive(move || params.read()[i].clone());
    let transactions = Resource::new(
        move || params.get(),
        |[q, kind, from, to, page]| list_transactions(q, kind, from, to, page),
    );
    view! {
        <Form method="GET" action="/admin/transactions" attr:class="filters" attr:role="search">
            <div class="field field-wide">
                <label for="transactions-search">"Name, username or email"</label>
                <input id="transactions-search" type="search" name="q" maxlength="100" prop:value=value(0) />
            </div>
            <div class="field">
                <label for="transactions-kind">"Type"</label>
                <select id="transactions-kind" name="kind">
                    <option value="" selected=move || value(1).get().is_empty()>"Any type"</option>
                    {TransactionType::ALL.into_iter().map(|kind| {
                        let name = kind.as_str();
                        view! { <option value=name selected=move || value(1).get() == name>{kind.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <DateRangeFields id_prefix="transactions" from=value(2) to=value(3) />
            <div class="filters-actions">
                <button type="submit" class="btn btn-secondary">"Filter"</button>
            </div>
        </Form>
        <Suspense fallback=|| view! { <Loading label="Loading transactions…" /> }>
            {move || Suspend::new(async move {
                let page = match transactions.await {
                    Ok(page) => page,
                    Err(err) => return view! { <p class="alert alert-error" role="alert">{err.to_string()}</p> }.into_any(),
                };
                let filters = query_string(&FILTERS, &params.get_untracked()[..4]);
                let href = {
                    let filters = filters.clone();
                    Callback::new(move |n: i64| format!("/admin/transactions?{filters}&page={n}"))
                };
                view! {
                    <ListHeading matching=page.matching noun=("transaction", "transactions")
                        csv_href=format!("/admin/transactions.csv?{filters}") />
                    {if page.rows.is_empty() {
                        view! { <div class="panel empty"><p>"No transactions match."</p></div> }.into_any()
                    } else {
                        view! {
                            <div class="table-scroll">
                                <table class="data-table">
                                    <thead>
                                        <tr>
                                            <th scope="col">"Date"</th>
                                            <th scope="col">"Account"</th>
                                            <th scope="col">"Type"</th>
                                            <th scope="col">"Description"</th>
                                            <th scope="col" class="numeric">"Amount"</th>
                                            <th scope="col" class="numeric">"Balance after"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {page.rows.into_iter().map(|row| view! { <TransactionLine row /> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                        .into_any()
                    }}
                    <Pager page=page.page pages=page.pages href label="Transaction pages" newest_first=true />
                }
                .into_any()
            })}
        </Suspense>
    }
}

#[component]
fn TransactionLine(row: TransactionRow) -> impl IntoView {
    view! {
        <tr data-transaction=row.id>
            <td>{row.local_at.format("%-d %b %Y %H:%M").to_string()}</td>
            <td>{row.user_name.clone()}<div class="muted small">{format!("{} · {}", row.username, row.role)}</div></td>
            <td>{row.transaction_type.label()}</td>
            <td>
                {row.description.clone()}
                {row.appointment_id.map(|id| view! {
                    <div class="small"><a href=format!("/appointments/{id}")>{format!("Appointment #{id}")}</a></div>
                })}
            </td>
            <td class="numeric money">{row.amount.to_string()}</td>
            <td class="numeric money">{row.balance_after.to_string()}</td>
        </tr>
    }
}
