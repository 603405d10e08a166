//! The slot manager a doctor (or an admin for a doctor) uses: the week calendar with its
//! per-day and per-slot actions, the single-slot form, and the bulk form with its preview.

use chrono::{Days, NaiveDate};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

use crate::api::slots::{
    CreateSlot, CreateSlots, DeleteDaySlots, DeleteRangeSlots, DeleteSlot, PreviewSlots,
    SetSlotUnavailable, get_slot_week,
};
use crate::components::feedback::Loading;
use crate::components::forms::{Field, FormAlert, Submit, last_error};
use crate::domain::AppError;
use crate::domain::format;
use crate::domain::slots::{
    BulkReport, BulkStage, CalendarDay, CalendarSlot, SlotState, SlotTime, WEEKDAYS, plural,
};

/// The actions the calendar's buttons share: one of each, so a week of slots does not make
/// hundreds of them.
#[derive(Clone, Copy)]
struct SlotActions {
    doctor_id: Option<i64>,
    delete: ServerAction<DeleteSlot>,
    delete_day: ServerAction<DeleteDaySlots>,
    availability: ServerAction<SetSlotUnavailable>,
}

impl SlotActions {
    fn pending(&self) -> bool {
        self.delete.pending().get()
            || self.delete_day.pending().get()
            || self.availability.pending().get()
    }
}

/// The doctor's hidden field, for an admin acting on a doctor (a doctor's own pages send none).
fn doctor_field(doctor_id: Option<i64>) -> impl IntoView {
    doctor_id.map(|id| view! { <input type="hidden" name="doctor_id" value=id /> })
}

/// Everything for managing one doctor's slots. `doctor_id` is `None` for the signed-in doctor.
#[component]
pub fn SlotManager(doctor_id: Option<i64>) -> impl IntoView {
    let query = use_query_map();
    let week = move || query.read().get("week").unwrap_or_default();
    let pathname = use_location().pathname;
    let create = ServerAction::<CreateSlot>::new();
    let bulk = ServerAction::<CreateSlots>::new();
    let delete_range = ServerAction::<DeleteRangeSlots>::new();
    let actions = SlotActions {
        doctor_id,
        delete: ServerAction::new(),
        delete_day: ServerAction::new(),
        availability: ServerAction::new(),
    };
    let calendar = Resource::new(
        move || {
            (
                week(),
                create.version().get(),
                bulk.version().get(),
                delete_range.version().get(),
                actions.delete.version().get(),
                actions.delete_day.version().get(),
                actions.availability.version().get(),
            )
        },
        move |(week, ..)| get_slot_week(doctor_id, week),
    );

    // The calendar's shared actions report here, the latest one winning.
    let notice = RwSignal::new(None::<Result<String, AppError>>);
    Effect::new(move |_| {
        if let Some(result) = actions.delete.value().get() {
            notice.set(Some(result.map(|report| report.summary())));
        }
    });
    Effect::new(move |_| {
        if let Some(result) = actions.delete_day.value().get() {
            notice.set(Some(result.map(|report| report.summary())));
        }
    });
    Effect::new(move |_| {
        if let Some(result) = actions.availability.value().get() {
            notice.set(Some(result.map(|()| "Saved.".to_owned())));
        }
    });

    view! {
        <section class="slot-calendar" aria-labelledby="week-heading">
            <p class="visually-hidden" role="status" aria-live="polite">
                {move || actions.pending().then_some("Saving…")}
            </p>
            {move || {
                notice
                    .get()
                    .map(|result| match result {
                        Ok(text) => view! { <p class="alert alert-success" role="status">{text}</p> }.into_any(),
                        Err(err) => view! { <p class="alert alert-error" role="alert">{err.to_string()}</p> }.into_any(),
                    })
            }}
            <Transition fallback=|| view! { <Loading label="Loading the week…" /> }>
                {move || Suspend::new(async move {
                    match calendar.await {
                        Ok(calendar) => view! { <Week calendar actions /> }.into_any(),
                        // A bad `?week=` (or any failure) stays inside the calendar, with a way back.
                        Err(err) => view! {
                            <div class="alert alert-error" role="alert">
                                <p>{err.to_string()}</p>
                                <a href=pathname.get_untracked()>"Show this week"</a>
                            </div>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </section>
        <div class="slot-forms">
            <div class="slot-forms-column">
                <SingleSlotForm doctor_id create />
                <DeleteRangeForm doctor_id delete_range />
            </div>
            <BulkSlotForm doctor_id bulk />
        </div>
    }
    // Type erasure keeps the view's type shallow enough for the release build.
    .into_any()
}

/// "Mon 30 Nov".
fn short_date(date: NaiveDate) -> String {
    format::short_day(date)
}

/// "Monday 30 November".
fn long_date(date: NaiveDate) -> String {
    format::long_day(date)
}

#[component]
fn Week(calendar: crate::domain::slots::WeekCalendar, actions: SlotActions) -> impl IntoView {
    let location = use_location();
    let path = location.pathname.get_untracked();
    let Some(monday) = calendar.monday() else {
        return ().into_any();
    };
    let link = |date: NaiveDate| format!("{path}?week={}", format::iso_date(date));
    let previous = link(monday - Days::new(7));
    let next = link(monday + Days::new(7));
    let this_week = path.clone();
    let sunday = monday + Days::new(6);
    let today = calendar.today;
    let total: usize = calendar.days.iter().map(|day| day.slots.len()).sum();
    view! {
        <div class="calendar-head">
            <div>
                <p class="eyebrow">{calendar.doctor_name.clone()}</p>
                <h2 id="week-heading">
                    {format!("{} – {}", format::day_month(monday), format::full_date(sunday))}
                </h2>
                <p class="muted small">{plural(total as u32, "slot", "slots")} " this week"</p>
            </div>
            <nav class="week-nav" aria-label="Weeks">
                <a class="btn btn-secondary btn-small" href=previous>"← Previous week"</a>
                <a class="btn btn-secondary btn-small" href=this_week>"This week"</a>
                <a class="btn btn-secondary btn-small" href=next>"Next week →"</a>
            </nav>
        </div>
        <ul class="slot-legend" aria-label="What the colours mean">
            <li><span class="slot-swatch slot-free" aria-hidden="true"></span>"Free: patients can book"</li>
            <li><span class="slot-swatch slot-booked" aria-hidden="true"></span>"Booked"</li>
            <li><span class="slot-swatch slot-unavailable" aria-hidden="true"></span>"Unavailable: blocked by you"</li>
            <li><span class="slot-swatch slot-past" aria-hidden="true"></span>"Past"</li>
        </ul>
        <ol class="week-grid">
            {calendar
                .days
                .into_iter()
                .map(|day| view! { <Day day today actions /> })
                .collect_view()}
        </ol>
    }
    .into_any()
}

#[component]
fn Day(day: CalendarDay, today: NaiveDate, actions: SlotActions) -> impl IntoView {
    let is_today = day.date == today;
    let date = day.date;
    let deletable = day.has_deletable();
    let count = day.slots.len();
    view! {
        <li class="week-day" class:today=is_today aria-current=is_today.then_some("date") data-date=format::iso_date(date)>
            <div class="day-head">
                <h3>
                    <span aria-hidden="true">{short_date(date)}</span>
                    <span class="visually-hidden">{long_date(date)}</span>
                    {is_today.then(|| view! { <span class="badge badge-success">"Today"</span> })}
                </h3>
                <p class="muted small">{plural(count as u32, "slot", "slots")}</p>
                {deletable.then(|| view! {
                    <ActionForm action=actions.delete_day attr:class="inline-form">
                        {doctor_field(actions.doctor_id)}
                        <input type="hidden" name="date" value=format::iso_date(date) />
                        <button type="submit" class="link-button danger-link"
                            aria-label=format!("Delete free slots on {}", long_date(date))
                            disabled=move || actions.pending()>
                            "Delete free slots"
                        </button>
                    </ActionForm>
                })}
            </div>
            {if day.slots.is_empty() {
                view! { <p class="muted small day-empty">"No slots"</p> }.into_any()
            } else {
                view! {
                    <ul class="day-slots">
                        {day.slots.into_iter().map(|slot| view! { <SlotChip entry=slot actions /> }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </li>
    }
    .into_any()
}

#[component]
fn SlotChip(entry: CalendarSlot, actions: SlotActions) -> impl IntoView {
    let CalendarSlot { id, time, state } = entry;
    let times = format!(
        "{}–{}",
        format::clock(time.start()),
        format::clock(time.end())
    );
    let class = format!("slot-chip {}", state.class());
    let label = match &state {
        SlotState::Booked { patient } => format!("Booked · {patient}"),
        other => other.label().to_owned(),
    };
    let body = match state {
        SlotState::Free | SlotState::Unavailable => {
            let block = matches!(state, SlotState::Free);
            view! {
                <div class="slot-actions">
                    <ActionForm action=actions.availability attr:class="inline-form">
                        {doctor_field(actions.doctor_id)}
                        <input type="hidden" name="slot_id" value=id />
                        <input type="hidden" name="unavailable" value=block.to_string() />
                        <button type="submit" class="btn btn-secondary btn-small" disabled=move || actions.pending()>
                            {if block { "Mark unavailable" } else { "Mark available" }}
                        </button>
                    </ActionForm>
                    <ActionForm action=actions.delete attr:class="inline-form">
                        {doctor_field(actions.doctor_id)}
                        <input type="hidden" name="slot_id" value=id />
                        <button type="submit" class="btn btn-danger btn-small" disabled=move || actions.pending()>
                            "Delete"
                        </button>
                    </ActionForm>
                </div>
            }
            .into_any()
        }
        SlotState::Booked { .. } => view! {
            <p class="small slot-note">"To free this slot, cancel the appointment."</p>
        }
        .into_any(),
        SlotState::Past => {
            view! { <p class="small slot-note">"This slot has passed."</p> }.into_any()
        }
    };
    view! {
        <li>
            <details class=class data-slot=id>
                <summary>
                    <span class="slot-time">{times}</span>
                    " "
                    <span class="slot-state">{label}</span>
                </summary>
                {body}
            </details>
        </li>
    }
    .into_any()
}

#[component]
fn SingleSlotForm(doctor_id: Option<i64>, create: ServerAction<CreateSlot>) -> impl IntoView {
    let error = last_error(create.value());
    view! {
        <section class="panel form-panel" aria-labelledby="single-slot-heading">
            <h2 id="single-slot-heading">"Add one slot"</h2>
            <ActionForm action=create attr:class="form">
                <FormAlert error />
                <Show when=move || matches!(create.value().get(), Some(Ok(_)))>
                    <p class="alert alert-success" role="status">{crate::domain::outcomes::SLOT_ADDED}</p>
                </Show>
                {doctor_field(doctor_id)}
                <Field label="Date" name="date" kind="date" error />
                <div class="field-row">
                    <Field label="Starts" name="start_time" kind="time" error />
                    <Field label="Ends" name="end_time" kind="time" error />
                </div>
                <Submit label="Add slot" busy_label="Adding…" pending=create.pending().into() />
            </ActionForm>
        </section>
    }
    .into_any()
}

/// The bulk form posts to the preview; the preview shows what would happen and carries the
/// same plan to the "Create N slots" button.
#[component]
fn BulkSlotForm(doctor_id: Option<i64>, bulk: ServerAction<CreateSlots>) -> impl IntoView {
    let preview = ServerAction::<PreviewSlots>::new();
    let error = last_error(preview.value());
    let bulk_error = last_error(bulk.value());
    // Once created, the preview has served its purpose.
    Effect::new(move |_| {
        if matches!(bulk.value().get(), Some(Ok(_))) {
            preview.value().set(None);
        }
    });
    let weekday_error = Memo::new(move |_| error.get().and_then(|e| e.message_for("weekdays")));
    view! {
        <section class="panel form-panel bulk-panel" aria-labelledby="bulk-heading">
            <h2 id="bulk-heading">"Add many slots"</h2>
            <p class="muted">"Slots that would overlap ones you already have are left out, and the preview says which."</p>
            <ActionForm action=preview attr:class="form" attr:aria-label="Plan slots">
                <FormAlert error />
                {doctor_field(doctor_id)}
                <div class="field-row">
                    <Field label="From" name="from" kind="date" error />
                    <Field label="To" name="to" kind="date" error />
                </div>
                <fieldset class="field weekday-picker" class:has-error=move || weekday_error.get().is_some()>
                    <legend>"Weekdays"</legend>
                    <div class="weekday-options">
                        {WEEKDAYS
                            .iter()
                            .enumerate()
                            .map(|(index, (_, name, label))| view! {
                                <label class="check">
                                    <input type="checkbox" name=*name value="on" checked=index < 5 />
                                    {*label}
                                </label>
                            })
                            .collect_view()}
                    </div>
                    <p class="field-error" aria-live="polite">{move || weekday_error.get()}</p>
                </fieldset>
                <div class="field-row">
                    <Field label="Day starts" name="day_start" kind="time" error value="09:00" />
                    <Field label="Day ends" name="day_end" kind="time" error value="17:00" />
                </div>
                <div class="field-row">
                    <Field label="Slot length (minutes)" name="slot_minutes" kind="number" error value="30" />
                    <Field label="Gap between slots (minutes)" name="gap_minutes" kind="number" error required=false hint="Optional." />
                </div>
                <div class="field-row">
                    <Field label="Break starts" name="break_start" kind="time" error required=false hint="Optional, such as lunch." />
                    <Field label="Break ends" name="break_end" kind="time" error required=false />
                </div>
                <Submit label="Preview" busy_label="Working it out…" pending=preview.pending().into() class="btn btn-secondary" />
            </ActionForm>
            {move || preview.value().get().and_then(Result::ok).map(|report| view! {
                <BulkPreview doctor_id report bulk />
            })}
            <FormAlert error=bulk_error />
            {move || bulk.value().get().and_then(Result::ok).map(|report| view! {
                <div class="alert alert-success bulk-result" role="status">
                    <p><strong>{format!("Created {} on {}.", report.total_label(), plural(report.days.len() as u32, "day", "days"))}</strong></p>
                    <Skipped report />
                </div>
            })}
        </section>
    }
    .into_any()
}

#[component]
fn BulkPreview(
    doctor_id: Option<i64>,
    report: BulkReport,
    bulk: ServerAction<CreateSlots>,
) -> impl IntoView {
    let total = report.total();
    let plan = report.plan.clone();
    let hidden =
        |name: &'static str, value: String| view! { <input type="hidden" name=name value=value /> };
    view! {
        <div class="bulk-preview" role="status" aria-live="polite">
            <h3>
                {if total == 0 {
                    "Nothing new to create".to_owned()
                } else {
                    format!("{} on {}", report.total_label(), plural(report.days.len() as u32, "day", "days"))
                }}
            </h3>
            <ul class="preview-days">
                {report.days.iter().map(|day| view! {
                    <li>{format!("{}: {}", short_date(day.date), plural(day.slots, "slot", "slots"))}</li>
                }).collect_view()}
            </ul>
            <Skipped report=report.clone() />
            {(total > 0 && report.stage == BulkStage::Preview).then(|| view! {
                <ActionForm action=bulk attr:class="form">
                    {doctor_field(doctor_id)}
                    {hidden("from", plan.from.clone())}
                    {hidden("to", plan.to.clone())}
                    {WEEKDAYS
                        .iter()
                        .zip(plan.weekdays)
                        .filter(|(_, ticked)| *ticked)
                        .map(|((_, name, _), _)| hidden(name, "on".to_owned()))
                        .collect_view()}
                    {hidden("day_start", plan.day_start.clone())}
                    {hidden("day_end", plan.day_end.clone())}
                    {hidden("slot_minutes", plan.slot_minutes.clone())}
                    {hidden("break_start", plan.break_start.clone())}
                    {hidden("break_end", plan.break_end.clone())}
                    {hidden("gap_minutes", plan.gap_minutes.clone())}
                    <Submit
                        label=format!("Create {}", plural(total, "slot", "slots"))
                        busy_label="Creating…"
                        pending=bulk.pending().into()
                    />
                </ActionForm>
            })}
        </div>
    }
    .into_any()
}

/// What a bulk plan leaves out, and why.
#[component]
fn Skipped(report: BulkReport) -> impl IntoView {
    let group = |slots: Vec<SlotTime>, why: &'static str| {
        (!slots.is_empty()).then(|| {
            view! {
                <details class="skipped">
                    <summary>{format!("{} left out: {why}", plural(slots.len() as u32, "slot", "slots"))}</summary>
                    <ul>{slots.iter().map(|slot| view! { <li>{slot.label()}</li> }).collect_view()}</ul>
                </details>
            }
        })
    };
    view! {
        {group(report.overlapping, "they overlap slots you already have")}
        {group(report.past, "they would start in the past")}
        {group(report.clocks_forward, "those times do not exist that day because the clocks go forward")}
    }
}

#[component]
fn DeleteRangeForm(
    doctor_id: Option<i64>,
    delete_range: ServerAction<DeleteRangeSlots>,
) -> impl IntoView {
    let error = last_error(delete_range.value());
    view! {
        <section class="panel form-panel" aria-labelledby="delete-range-heading">
            <h2 id="delete-range-heading">"Delete free slots over several days"</h2>
            <p class="muted">"Booked slots stay. Slots with cancelled appointments on record are marked unavailable instead, so the history is kept."</p>
            <ActionForm action=delete_range attr:class="form">
                <FormAlert error />
                {move || delete_range.value().get().and_then(Result::ok).map(|report| view! {
                    <p class="alert alert-success" role="status">{report.summary()}</p>
                })}
                {doctor_field(doctor_id)}
                <div class="field-row">
                    <Field label="First day" name="first_day" kind="date" error />
                    <Field label="Last day" name="last_day" kind="date" error />
                </div>
                <Submit label="Delete free slots" busy_label="Deleting…" pending=delete_range.pending().into() class="btn btn-danger" />
            </ActionForm>
        </section>
    }
    .into_any()
}
