//! The audit log: every admin action and money movement, newest first, filtered by actor,
//! action, target kind and clinic-local days, a page at a time, with a CSV download.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

use super::AdminNav;
use crate::api::audit::audit_log;
use crate::components::feedback::Loading;
use crate::components::guards::SignedIn;
use crate::components::lists::{ListHeading, Pager, use_list_params};
use crate::domain::UserRole;
use crate::domain::admin::{AuditEntry, AuditParams};
use crate::domain::format;
use crate::domain::listing::ListParams;

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    view! {
        <Title text="Audit log" />
        <section class="container section">
            <AdminNav />
            <h1>"Audit log"</h1>
            <SignedIn role=UserRole::Admin children=|_| view! { <AuditList /> } />
        </section>
    }
}

#[component]
fn AuditList() -> impl IntoView {
    let params = use_list_params::<AuditParams>();
    let entries = Resource::new(move || params.get(), audit_log);
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading the audit log…" /> }>
            {move || Suspend::new(async move {
                let page = entries.await;
                let values = params.get();
                let filters = values.filter_query();
                let (actions, target_types) = page
                    .as_ref()
                    .map(|page| (page.actions.clone(), page.target_types.clone()))
                    .unwrap_or_default();
                let AuditParams { actor, action, target_type, from, to, .. } = values;
                let choice = |current: String, all: Vec<String>, everyone: &'static str| {
                    view! {
                        <option value="">{everyone}</option>
                        {all.into_iter().map(|option| {
                            let selected = option == current;
                            view! { <option value=option.clone() selected=selected>{option.clone()}</option> }
                        }).collect_view()}
                    }
                };
                let form = view! {
                    <Form method="GET" action="/admin/audit" attr:class="filters" attr:role="search">
                        <div class="field">
                            <label for="audit-actor">"Actor's username"</label>
                            <input id="audit-actor" type="search" name="actor" maxlength="100" value=actor />
                        </div>
                        <div class="field">
                            <label for="audit-action">"Action"</label>
                            <select id="audit-action" name="action">{choice(action, actions, "Any action")}</select>
                        </div>
                        <div class="field">
                            <label for="audit-target">"Target"</label>
                            <select id="audit-target" name="target_type">{choice(target_type, target_types, "Any target")}</select>
                        </div>
                        <div class="field">
                            <label for="audit-from">"From"</label>
                            <input id="audit-from" type="date" name="from" value=from />
                        </div>
                        <div class="field">
                            <label for="audit-to">"To"</label>
                            <input id="audit-to" type="date" name="to" value=to />
                        </div>
                        <div class="filters-actions">
                            <button type="submit" class="btn btn-secondary">"Filter"</button>
                        </div>
                    </Form>
                };
                let page = match page {
                    Ok(page) => page,
                    Err(err) => {
                        return view! {
                            {form}
                            <p class="alert alert-error" role="alert">{err.to_string()}</p>
                        }
                        .into_any();
                    }
                };
                let href = {
                    let filters = filters.clone();
                    Callback::new(move |n: i64| format!("/admin/audit?{filters}&page={n}"))
                };
                view! {
                    {form}
                    <ListHeading matching=page.matching noun=("entry", "entries") csv_href=format!("/admin/audit.csv?{filters}") />
                    {if page.entries.is_empty() {
                        view! { <div class="panel empty"><p>"No entries match."</p></div> }.into_any()
                    } else {
                        view! {
                            <div class="table-scroll">
                                <table class="data-table audit-table">
                                    <thead>
                                        <tr>
                                            <th scope="col">"When (clinic time)"</th>
                                            <th scope="col">"Actor"</th>
                                            <th scope="col">"Action"</th>
                                            <th scope="col">"Target"</th>
                                            <th scope="col">"Before"</th>
                                            <th scope="col">"After"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {page.entries.into_iter().map(|entry| view! { <AuditLine entry /> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                        .into_any()
                    }}
                    <Pager page=page.page pages=page.pages href label="Audit log pages" newest_first=true />
                }
                .into_any()
            })}
        </Suspense>
    }
}

#[component]
fn AuditLine(entry: AuditEntry) -> impl IntoView {
    let target = match entry.target_id {
        Some(id) => format!("{} #{id}", entry.target_type),
        None => entry.target_type.clone(),
    };
    view! {
        <tr>
            <td>{format::iso_second(entry.local_at)}</td>
            <td>{entry.actor.clone().unwrap_or_else(|| "system".to_owned())}</td>
            <td><code>{entry.action.clone()}</code></td>
            <td>{target}</td>
            <td><code class="audit-json">{entry.before.clone().unwrap_or_default()}</code></td>
            <td><code class="audit-json">{entry.after.clone().unwrap_or_default()}</code></td>
        </tr>
    }
}
