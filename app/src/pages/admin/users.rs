//! The admin's accounts list: search by name, username or email, filter by role and status, a
//! page at a time, download the matches as CSV, deactivate or reactivate an account, and delete
//! a patient's account on their request (deleted accounts show what the clinic still owes).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

use super::AdminNav;
use crate::api::privacy::EraseUser;
use crate::api::users::{SetUserActive, list_users};
use crate::components::feedback::Loading;
use crate::components::forms::{Field, FormAlert, Submit, last_error};
use crate::components::guards::SignedIn;
use crate::components::lists::{ListHeading, Pager, use_list_params};
use crate::domain::admin::{AccountStatus, UserParams, UserRow};
use crate::domain::format;
use crate::domain::listing::ListParams;
use crate::domain::{AppError, Money, UserRole};

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    view! {
        <Title text="Users" />
        <section class="container section">
            <AdminNav />
            <h1>"Users"</h1>
            <SignedIn role=UserRole::Admin children=|me| view! { <UserList me=me.id /> } />
        </section>
    }
}

#[component]
fn UserList(me: i64) -> impl IntoView {
    let params = use_list_params::<UserParams>();
    let changed = RwSignal::new(0u32);
    let users = Resource::new(
        move || (params.get(), changed.get()),
        |(params, _)| list_users(params),
    );
    let roles = [
        ("", "Everyone"),
        ("patient", "Patients"),
        ("doctor", "Doctors"),
        ("admin", "Admins"),
    ];
    view! {
        <Form method="GET" action="/admin/users" attr:class="filters" attr:role="search">
            <div class="field field-wide">
                <label for="admin-user-search">"Name, username or email"</label>
                <input id="admin-user-search" type="search" name="q" maxlength="100" value=move || params.read().q.clone() prop:value=move || params.read().q.clone() />
            </div>
            <div class="field">
                <label for="admin-user-role">"Role"</label>
                <select id="admin-user-role" name="role">
                    {roles.into_iter().map(|(value, label)| {
                        view! { <option value=value selected=move || params.read().role == value>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="admin-user-status">"Status"</label>
                <select id="admin-user-status" name="status">
                    {AccountStatus::ALL.into_iter().map(|choice| {
                        let value = choice.as_str();
                        let selected = move || AccountStatus::parse(&params.read().status).unwrap_or_default() == choice;
                        view! { <option value=value selected=selected>{choice.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="filters-actions">
                <button type="submit" class="btn btn-secondary">"Search"</button>
            </div>
        </Form>
        <Suspense fallback=|| view! { <Loading label="Loading accounts…" /> }>
            {move || Suspend::new(async move {
                let page = users.await?;
                let filters = params.read().filter_query();
                let href = {
                    let filters = filters.clone();
                    Callback::new(move |n: i64| format!("/admin/users?{filters}&page={n}"))
                };
                Ok::<_, AppError>(view! {
                    <ListHeading matching=page.matching noun=("account", "accounts") csv_href=format!("/admin/users.csv?{filters}") />
                    {if page.users.is_empty() {
                        view! { <div class="panel empty"><p>"No accounts match."</p></div> }.into_any()
                    } else {
                        view! {
                            <div class="table-scroll">
                                <table class="data-table">
                                    <thead>
                                        <tr>
                                            <th scope="col">"Account"</th>
                                            <th scope="col">"Role"</th>
                                            <th scope="col">"Joined"</th>
                                            <th scope="col">"Status"</th>
                                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {page.users.into_iter().map(|user| view! { <UserLine user me changed /> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                        .into_any()
                    }}
                    <Pager page=page.page pages=page.pages href label="Account pages" newest_first=true />
                })
            })}
        </Suspense>
    }
}

#[component]
fn UserLine(user: UserRow, me: i64, changed: RwSignal<u32>) -> impl IntoView {
    let set_active = ServerAction::<SetUserActive>::new();
    let error = last_error(set_active.value());
    Effect::new(move |_| {
        if matches!(set_active.value().get(), Some(Ok(()))) {
            changed.update(|n| *n += 1);
        }
    });
    let name = user.display_name();
    let (label, busy) = if user.is_active {
        ("Deactivate", "Deactivating…")
    } else {
        ("Reactivate", "Reactivating…")
    };
    view! {
        <tr data-user=user.id>
            <td>
                <strong>{name.clone()}</strong>
                <div class="muted small">{format!("{} · {}", user.username, user.email)}</div>
            </td>
            <td>{match user.role {
                UserRole::Admin => "Admin",
                UserRole::Doctor => "Doctor",
                UserRole::Patient => "Patient",
            }}</td>
            <td>{format::short_date(user.created_at.date_naive())}</td>
            <td>
                {if user.erased_at.is_some() {
                    view! { <span class="badge badge-muted">"Deleted"</span> }.into_any()
                } else if user.is_active {
                    view! { <span class="badge badge-success">"Active"</span> }.into_any()
                } else {
                    view! { <span class="badge badge-muted">"Deactivated"</span> }.into_any()
                }}
                {(user.erased_at.is_some() && user.wallet_balance > Money::ZERO).then(|| view! {
                    <div class="owed small">{format!("Owed {} (reference {})", user.wallet_balance, user.id)}</div>
                })}
                {(!user.email_verified).then(|| view! { <div class="muted small">"Email not confirmed"</div> })}
            </td>
            <td>
                {(user.id != me && user.erased_at.is_none()).then(|| view! {
                    <ActionForm action=set_active attr:class="inline-form" attr:aria-label=format!("{label} {name}")>
                        <input type="hidden" name="id" value=user.id />
                        <input type="hidden" name="active" value=(!user.is_active).to_string() />
                        <Submit label=label busy_label=busy pending=set_active.pending().into()
                            class=if user.is_active { "btn btn-danger btn-small" } else { "btn btn-secondary btn-small" } />
                    </ActionForm>
                    <FormAlert error />
                })}
                {(user.role == UserRole::Patient && user.erased_at.is_none()).then(|| view! {
                    <EraseOnRequest id=user.id name=name.clone() changed />
                })}
            </td>
        </tr>
    }
}

/// Deleting a patient's account on their request: what it does, and the admin's password.
#[component]
fn EraseOnRequest(id: i64, name: String, changed: RwSignal<u32>) -> impl IntoView {
    let erase = ServerAction::<EraseUser>::new();
    let error = last_error(erase.value());
    Effect::new(move |_| {
        if matches!(erase.value().get(), Some(Ok(_))) {
            changed.update(|n| *n += 1);
        }
    });
    view! {
        <details class="erase-on-request">
            <summary>"Delete on request…"</summary>
            <ActionForm action=erase attr:class="form" attr:aria-label=format!("Delete the account of {name}")>
                <p class="small">
                    "Only when the patient asks. Cancels their future appointments with a full refund, "
                    "erases their name, email, phone and visit notes, keeps payments and the ledger "
                    "under an anonymous id, and keeps the wallet's balance on record as owed. "
                    "Cannot be undone."
                </p>
                <FormAlert error />
                <input type="hidden" name="id" value=id />
                <Field label="Your password" name="password" id=format!("erase-password-{id}") kind="password" autocomplete="current-password" error />
                <Submit label="Delete account" busy_label="Deleting…" pending=erase.pending().into() class="btn btn-danger btn-small" />
            </ActionForm>
        </details>
    }
}
