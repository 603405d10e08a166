//! The wallet: the balance, top-up and withdrawal by card, and the history with filters,
//! pages and a CSV download.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::wallet::{TopUpWallet, WithdrawFromWallet, get_wallet};
use crate::components::feedback::Loading;
use crate::components::forms::{Field, FormAlert, Submit, last_error};
use crate::components::guards::SignedIn;
use crate::components::lists::use_list_params;
use crate::domain::format;
use crate::domain::wallet::{
    CardPayments, HistoryParams, TransactionType, WalletOverview, WalletReceipt,
};
use crate::domain::{AppError, UserRole};

#[component]
pub fn WalletPage() -> impl IntoView {
    view! {
        <Title text="Your wallet" />
        <section class="container section">
            <h1>"Your wallet"</h1>
            <SignedIn role=UserRole::Patient children=|_| view! { <Wallet /> } />
        </section>
    }
}

#[component]
fn Wallet() -> impl IntoView {
    let params = use_list_params::<HistoryParams>();
    let top_up = ServerAction::<TopUpWallet>::new();
    let withdraw = ServerAction::<WithdrawFromWallet>::new();
    let page = Resource::new(
        move || {
            (
                params.get(),
                top_up.version().get(),
                withdraw.version().get(),
            )
        },
        |(params, ..)| get_wallet(params),
    );
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading your wallet…" /> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <WalletView page params=params.get_untracked() top_up withdraw /> }.into_any(),
                    Err(err) => view! {
                        <div class="alert alert-error" role="alert">
                            <p>{err.to_string()}</p>
                            <a href="/wallet">"Show the whole history"</a>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn receipt_message(value: Option<Result<WalletReceipt, AppError>>, verb: &str) -> Option<String> {
    value
        .and_then(Result::ok)
        .map(|receipt| receipt.message(verb))
}

#[component]
fn WalletView(
    page: WalletOverview,
    params: HistoryParams,
    top_up: ServerAction<TopUpWallet>,
    withdraw: ServerAction<WithdrawFromWallet>,
) -> impl IntoView {
    let top_up_error = last_error(top_up.value());
    let withdraw_error = last_error(withdraw.value());
    let csv_query = params.query_for_page(1);
    let csv_href = if csv_query.is_empty() {
        "/wallet/transactions.csv".to_owned()
    } else {
        format!("/wallet/transactions.csv?{csv_query}")
    };
    let pager = {
        let params = params.clone();
        move |n: u32| {
            let query = params.query_for_page(n);
            if query.is_empty() {
                "/wallet".to_owned()
            } else {
                format!("/wallet?{query}")
            }
        }
    };
    let hint = format!("Up to {} at a time.", page.max_amount);
    let top_up_key = format!("{}t", page.request_key);
    let withdraw_key = format!("{}w", page.request_key);
    let cards = page.card_payments;
    view! {
        {match cards {
            CardPayments::Sandbox => view! {
                <p class="alert alert-warning" role="note" data-testid="sandbox-banner">
                    <strong>"Sandbox payments. "</strong>
                    "No real money moves here: this clinic's card payments go to a test provider, and only test cards work."
                </p>
            }.into_any(),
            CardPayments::Off => view! {
                <p class="alert alert-warning" role="note">
                    "Card payments are not available at this clinic, so the wallet cannot be topped up or paid out by card. Please contact the clinic."
                </p>
            }.into_any(),
        }}
        <div class="wallet-top">
            <div class="panel balance-panel">
                <p class="muted">"Balance"</p>
                <p class="balance" data-testid="balance">{page.balance.to_string()}</p>
            </div>
            {(cards == CardPayments::Sandbox).then(|| view! {
            <div class="panel form-panel">
                <h2>"Top up"</h2>
                {move || receipt_message(top_up.value().get(), "Added").map(|m| view! { <p class="alert alert-success" role="status">{m}</p> })}
                <ActionForm action=top_up attr:class="form card-form">
                    <FormAlert error=top_up_error />
                    <input type="hidden" name="request_key" value=top_up_key />
                    <Field label="Amount ($)" name="amount" id="top-up-amount" error=top_up_error hint=hint.clone() />
                    <CardFields error=top_up_error form="top-up" />
                    <Submit label="Top up" busy_label="Charging your card…" pending=top_up.pending().into() />
                </ActionForm>
                <p class="hint">"Sandbox: 4242 4242 4242 4242 is approved, 4000 0000 0000 0002 declined, 4000 0000 0000 0119 does not answer."</p>
            </div>
            <div class="panel form-panel">
                <h2>"Withdraw"</h2>
                {move || receipt_message(withdraw.value().get(), "Sent").map(|m| view! { <p class="alert alert-success" role="status">{m}</p> })}
                <ActionForm action=withdraw attr:class="form card-form">
                    <FormAlert error=withdraw_error />
                    <input type="hidden" name="request_key" value=withdraw_key />
                    <Field label="Amount ($)" name="amount" id="withdraw-amount" error=withdraw_error hint=format!("At most your balance, {}.", page.balance) />
                    <CardFields error=withdraw_error form="withdraw" />
                    <Field label="Your password" name="password" id="withdraw-password" kind="password" autocomplete="current-password" error=withdraw_error hint="Money leaving your wallet needs your password." />
                    <Submit label="Withdraw" busy_label="Sending…" pending=withdraw.pending().into() />
                </ActionForm>
            </div>
            })}
        </div>

        <div class="panel">
            <div class="history-head">
                <h2>"History"</h2>
                <a class="btn btn-secondary btn-small" href=csv_href rel="external" download="">"Download CSV"</a>
            </div>
            <form method="get" action="/wallet" class="filters">
                <div class="field">
                    <label for="filter-kind">"Type"</label>
                    <select id="filter-kind" name="kind">
                        <option value="" selected=params.kind.is_empty()>"All"</option>
                        {TransactionType::ALL.into_iter().map(|kind| view! {
                            <option value=kind.as_str() selected=params.kind == kind.as_str()>{kind.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-from">"From"</label>
                    <input id="filter-from" type="date" name="from" value=params.from.clone() />
                </div>
                <div class="field">
                    <label for="filter-to">"To"</label>
                    <input id="filter-to" type="date" name="to" value=params.to.clone() />
                </div>
                <button type="submit" class="btn btn-secondary">"Show"</button>
            </form>
            <p class="muted">{format!("{} transaction{}", page.total, if page.total == 1 { "" } else { "s" })}</p>
            {if page.entries.is_empty() {
                view! { <p class="muted">"No transactions match."</p> }.into_any()
            } else {
                view! {
                    <table class="table history">
                        <thead><tr><th>"Date"</th><th>"Type"</th><th>"Description"</th><th class="num">"Amount"</th><th class="num">"Balance after"</th></tr></thead>
                        <tbody>
                            {page.entries.iter().map(|entry| view! {
                                <tr>
                                    <td>{format::short_date_clock(entry.local_at)}</td>
                                    <td><span class=format!("kind kind-{}", entry.transaction_type.as_str())>{entry.transaction_type.label()}</span></td>
                                    <td>{match entry.appointment_id {
                                        Some(id) => view! { <a href=format!("/appointments/{id}")>{entry.description.clone()}</a> }.into_any(),
                                        None => entry.description.clone().into_any(),
                                    }}</td>
                                    <td class="num money" class:money-in=entry.amount.amount().is_sign_positive()>{entry.amount.to_string()}</td>
                                    <td class="num money">{entry.balance_after.to_string()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {(page.pages > 1).then(|| view! {
                <nav class="pager" aria-label="History pages">
                    {(page.page > 1).then(|| view! { <a href=pager(page.page - 1)>"Previous"</a> })}
                    <span>{format!("Page {} of {}", page.page, page.pages)}</span>
                    {(page.page < page.pages).then(|| view! { <a href=pager(page.page + 1)>"Next"</a> })}
                </nav>
            })}
        </div>
    }
}

#[component]
fn CardFields(error: Signal<Option<AppError>>, form: &'static str) -> impl IntoView {
    view! {
        <Field label="Card number" name="card_number" id=format!("{form}-card-number") error autocomplete="cc-number" />
        <div class="field-row">
            <Field label="Expiry (MM/YY)" name="expiry" id=format!("{form}-expiry") error autocomplete="cc-exp" />
            <Field label="Security code" name="cvc" id=format!("{form}-cvc") error autocomplete="cc-csc" />
        </div>
    }
}
