//! The admin's view of the ledger: every wallet movement of every account, filtered by person,
//! type and date, a page at a time, with the CSV download. Read-only: the ledger is append-only.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

use super::AdminNav;
use crate::api::oversight::list_transactions;
use crate::components::feedback::Loading;
use crate::components::guards::SignedIn;
use crate::components::lists::{DateRangeFields, ListTable, use_list_params};
use crate::domain::UserRole;
use crate::domain::format;
use crate::domain::listing::ListParams;
use crate::domain::oversight::{TransactionParams, TransactionRow};
use crate::domain::wallet::TransactionType;

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
    let params = use_list_params::<TransactionParams>();
    let value = move |pick: fn(&TransactionParams) -> &String| {
        Signal::derive(move || pick(&params.read()).clone())
    };
    let transactions = Resource::new(move || params.get(), list_transactions);
    view! {
        <Form method="GET" action="/admin/transactions" attr:class="filters" attr:role="search">
            <div class="field field-wide">
                <label for="transactions-search">"Name, username or email"</label>
                <input id="transactions-search" type="search" name="q" maxlength="100" value=value(|p| &p.q) prop:value=value(|p| &p.q) />
            </div>
            <div class="field">
                <label for="transactions-kind">"Type"</label>
                <select id="transactions-kind" name="kind">
                    <option value="" selected=move || value(|p| &p.kind).get().is_empty()>"Any type"</option>
                    {TransactionType::ALL.into_iter().map(|kind| {
                        let name = kind.as_str();
                        view! { <option value=name selected=move || value(|p| &p.kind).get() == name>{kind.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <DateRangeFields id_prefix="transactions" from=value(|p| &p.from) to=value(|p| &p.to) />
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
                let filters = params.read_untracked().filter_query();
                view! {
                    <ListTable page noun=("transaction", "transactions") path="/admin/transactions" filters
                        columns=&[("Date", false), ("Account", false), ("Type", false), ("Description", false), ("Amount", true), ("Balance after", true)]
                        pager_label="Transaction pages" newest_first=true
                        row=|row: TransactionRow| view! { <TransactionLine row /> } />
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
            <td>{format::short_date_clock(row.local_at)}</td>
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
