//! A doctor's time slots: creating one or a plan's worth, the week calendar, deleting free
//! slots and blocking them. Who may act on which doctor is settled once, in [`acting`] (the
//! practice's capability, [`Acting`]), and every query then names that doctor, so nobody
//! reaches another doctor's slots.

use std::collections::HashSet;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::ClinicSettings;
use super::acting::Acting;
use super::page_changes::{PageChange, announce};
use crate::domain::format;
use crate::domain::slots::{
    BulkPlan, BulkPlanForm, BulkReport, BulkStage, CalendarDay, CalendarSlot, DeleteReport,
    MAX_PLAN_DAYS, SlotState, SlotTime, WeekCalendar, count_by_day, week_start,
};
use crate::domain::{AppError, UserRole};

const BOOKED_MESSAGE: &str = "This slot is booked: cancel the appointment instead.";
const OVERLAP_CONSTRAINT: &str = "time_slots_no_overlap";

/// Decides whose slots `user_id` (with `role`) manages: a doctor their own (asking for another
/// doctor's is refused), an admin the `doctor_id` they name; patients nobody's.
pub async fn acting(
    pool: &PgPool,
    user_id: i64,
    role: UserRole,
    doctor_id: Option<i64>,
) -> Result<Acting, AppError> {
    let choose = "Choose the doctor whose slots to manage.";
    super::acting::for_practice(pool, user_id, role, doctor_id, choose).await
}

/// Refuses a date beyond the horizon, beside `field`.
fn check_horizon(
    settings: &ClinicSettings,
    field: &str,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let last = settings.last_slot_date(now);
    if date > last {
        return Err(AppError::validation(
            field,
            format!(
                "Slots can be published at most {} days ahead, so until {}.",
                settings.slot_horizon_days,
                format::full_date(last)
            ),
        ));
    }
    Ok(())
}

/// Creates one slot; returns its id. The exclusion constraint decides between racing requests,
/// and the loser is told which slot is in the way.
pub async fn create_one(
    pool: &PgPool,
    settings: &ClinicSettings,
    acting: &Acting,
    slot: &SlotTime,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    check_horizon(settings, "date", slot.date(), now)?;
    let skipped = |field: &str, what: &str, time: NaiveTime| {
        AppError::validation(
            field,
            format!(
                "{what} {} does not exist on {} because the clocks go forward. Choose another time.",
                format::clock(time),
                format::day_month(slot.date())
            ),
        )
    };
    let Some(start) = settings.instant_of(slot.date(), slot.start()) else {
        return Err(skipped("start_time", "The start time", slot.start()));
    };
    if settings.instant_of(slot.date(), slot.end()).is_none() {
        return Err(skipped("end_time", "The end time", slot.end()));
    }
    if start <= now {
        return Err(AppError::validation(
            "start_time",
            "This time has already passed. Choose a time in the future.",
        ));
    }
    let mut tx = pool.begin().await?;
    queue_for_doctor(&mut tx, acting.doctor_id()).await?;
    let inserted = sqlx::query_scalar(
        "INSERT INTO time_slots (doctor_id, date, start_time, end_time, created_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(acting.doctor_id())
    .bind(slot.date())
    .bind(slot.start())
    .bind(slot.end())
    .bind(acting.user_id())
    .fetch_one(&mut *tx)
    .await;
    match inserted {
        Ok(id) => {
            tx.commit().await?;
            announce(pool, &[PageChange::Doctor(acting.doctor_id())]).await;
            Ok(id)
        }
        Err(err) if is_overlap(&err) => {
            drop(tx);
            Err(overlap_message(pool, acting, slot).await)
        }
        Err(err) => Err(err.into()),
    }
}

/// Makes one doctor's slot writers take turns until the transaction ends. Without it, two
/// racing inserts of overlapping slots can each find the other's uncommitted row through the
/// exclusion constraint and wait for it, and PostgreSQL ends one of them as a deadlock only
/// after `deadlock_timeout`; with eight racers that took over ten seconds and still failed.
/// Queued, each writer sees the one before it committed and gets a plain overlap.
async fn queue_for_doctor(tx: &mut PgConnection, doctor_id: i64) -> Result<(), AppError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('time-slots:' || $1, 0))")
        .bind(doctor_id)
        .execute(tx)
        .await?;
    Ok(())
}

fn is_overlap(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.constraint() == Some(OVERLAP_CONSTRAINT))
}

/// "This overlaps your slot Mon 2 Dec 09:00–09:30", naming the slot in the way when it can.
async fn overlap_message(pool: &PgPool, acting: &Acting, slot: &SlotTime) -> AppError {
    let existing: Result<Option<(NaiveDate, NaiveTime, NaiveTime)>, _> = sqlx::query_as(
        "SELECT date, start_time, end_time FROM time_slots
          WHERE doctor_id = $1
            AND tsrange(date + start_time, date + end_time) && tsrange($2 + $3, $2 + $4)
          ORDER BY date, start_time LIMIT 1",
    )
    .bind(acting.doctor_id())
    .bind(slot.date())
    .bind(slot.start())
    .bind(slot.end())
    .fetch_optional(pool)
    .await;
    let other = existing
        .ok()
        .flatten()
        .and_then(|(date, start, end)| SlotTime::new(date, start, end).ok());
    AppError::Conflict(match other {
        Some(other) => format!(
            "This slot overlaps the slot {}. Choose a time that does not overlap, or delete that slot first.",
            other.label()
        ),
        None => {
            "This slot overlaps another slot of this doctor. Choose a time that does not overlap."
                .to_owned()
        }
    })
}

/// The plan's slots sorted into those to create and those left out (past, clocks forward).
struct Sorted {
    keep: Vec<SlotTime>,
    past: Vec<SlotTime>,
    clocks_forward: Vec<SlotTime>,
}

fn sort_by_clock(
    settings: &ClinicSettings,
    plan: &BulkPlan,
    now: DateTime<Utc>,
) -> Result<Sorted, AppError> {
    check_horizon(settings, "to", plan.to(), now)?;
    if plan.from() < settings.local_date(now) {
        return Err(AppError::validation(
            "from",
            "Start from today or a later date.",
        ));
    }
    let mut sorted = Sorted {
        keep: Vec::new(),
        past: Vec::new(),
        clocks_forward: Vec::new(),
    };
    for slot in plan.slots()? {
        match (
            settings.instant_of(slot.date(), slot.start()),
            settings.instant_of(slot.date(), slot.end()),
        ) {
            (Some(start), Some(_)) if start <= now => sorted.past.push(slot),
            (Some(_), Some(_)) => sorted.keep.push(slot),
            _ => sorted.clocks_forward.push(slot),
        }
    }
    Ok(sorted)
}

/// Columns of slots for `unnest`.
fn columns(slots: &[SlotTime]) -> (Vec<NaiveDate>, Vec<NaiveTime>, Vec<NaiveTime>) {
    (
        slots.iter().map(SlotTime::date).collect(),
        slots.iter().map(SlotTime::start).collect(),
        slots.iter().map(SlotTime::end).collect(),
    )
}

/// What creating `plan` would do now, without creating anything.
pub async fn preview(
    pool: &PgPool,
    settings: &ClinicSettings,
    acting: &Acting,
    plan: &BulkPlan,
    form: BulkPlanForm,
    now: DateTime<Utc>,
) -> Result<BulkReport, AppError> {
    let sorted = sort_by_clock(settings, plan, now)?;
    let (dates, starts, ends) = columns(&sorted.keep);
    // The same test as the exclusion constraint, through its index.
    let clashing: Vec<(NaiveDate, NaiveTime)> = sqlx::query_as(
        "SELECT c.d, c.s FROM unnest($2::date[], $3::time[], $4::time[]) AS c(d, s, e)
          WHERE EXISTS (SELECT 1 FROM time_slots t
                         WHERE t.doctor_id = $1
                           AND tsrange(t.date + t.start_time, t.date + t.end_time)
                               && tsrange(c.d + c.s, c.d + c.e))",
    )
    .bind(acting.doctor_id())
    .bind(dates)
    .bind(starts)
    .bind(ends)
    .fetch_all(pool)
    .await?;
    Ok(report(
        BulkStage::Preview,
        form,
        sorted,
        &clashing.into_iter().collect(),
    ))
}

/// Creates the plan's slots in one statement. Slots that overlap an existing slot (or one a
/// concurrent request creates first) are left out and reported, never duplicated.
pub async fn create_bulk(
    pool: &PgPool,
    settings: &ClinicSettings,
    acting: &Acting,
    plan: &BulkPlan,
    form: BulkPlanForm,
    now: DateTime<Utc>,
) -> Result<BulkReport, AppError> {
    let sorted = sort_by_clock(settings, plan, now)?;
    let (dates, starts, ends) = columns(&sorted.keep);
    let mut tx = pool.begin().await?;
    queue_for_doctor(&mut tx, acting.doctor_id()).await?;
    // ON CONFLICT DO NOTHING also covers exclusion constraints: an overlapping row is skipped.
    let created: Vec<(NaiveDate, NaiveTime)> = sqlx::query_as(
        "INSERT INTO time_slots (doctor_id, date, start_time, end_time, created_by)
         SELECT $1, c.d, c.s, c.e, $5 FROM unnest($2::date[], $3::time[], $4::time[]) AS c(d, s, e)
         ON CONFLICT DO NOTHING
         RETURNING date, start_time",
    )
    .bind(acting.doctor_id())
    .bind(dates)
    .bind(starts)
    .bind(ends)
    .bind(acting.user_id())
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    if !created.is_empty() {
        announce(pool, &[PageChange::Doctor(acting.doctor_id())]).await;
    }
    let created: HashSet<(NaiveDate, NaiveTime)> = created.into_iter().collect();
    let clashing = sorted
        .keep
        .iter()
        .map(|slot| (slot.date(), slot.start()))
        .filter(|key| !created.contains(key))
        .collect();
    Ok(report(BulkStage::Created, form, sorted, &clashing))
}

fn report(
    stage: BulkStage,
    plan: BulkPlanForm,
    sorted: Sorted,
    clashing: &HashSet<(NaiveDate, NaiveTime)>,
) -> BulkReport {
    let (overlapping, made): (Vec<SlotTime>, Vec<SlotTime>) = sorted
        .keep
        .into_iter()
        .partition(|slot| clashing.contains(&(slot.date(), slot.start())));
    BulkReport {
        stage,
        plan,
        days: count_by_day(&made),
        overlapping,
        past: sorted.past,
        clocks_forward: sorted.clocks_forward,
    }
}

#[derive(sqlx::FromRow)]
struct WeekRow {
    id: i64,
    date: NaiveDate,
    start_time: NaiveTime,
    end_time: NaiveTime,
    is_available: bool,
    patient: Option<String>,
}

/// The doctor's week (Monday to Sunday) containing `day` (today when `None`), every slot with
/// its state.
pub async fn week(
    pool: &PgPool,
    settings: &ClinicSettings,
    acting: &Acting,
    day: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<WeekCalendar, AppError> {
    let today = settings.local_date(now);
    let monday = week_start(day.unwrap_or(today));
    let sunday = monday + Days::new(6);
    let doctor_name: String = sqlx::query_scalar(
        "SELECT doctor_display_name(u.first_name, u.last_name)
           FROM doctors d JOIN users u ON u.id = d.user_id WHERE d.id = $1",
    )
    .bind(acting.doctor_id())
    .fetch_one(pool)
    .await?;
    let rows: Vec<WeekRow> = sqlx::query_as(
        "SELECT t.id, t.date, t.start_time, t.end_time, t.is_available,
                (SELECT p.first_name || ' ' || p.last_name
                   FROM appointments a JOIN users p ON p.id = a.patient_id
                  WHERE a.time_slot_id = t.id AND a.status <> 'cancelled'
                  LIMIT 1) AS patient
           FROM time_slots t
          WHERE t.doctor_id = $1 AND t.date BETWEEN $2 AND $3
          ORDER BY t.date, t.start_time",
    )
    .bind(acting.doctor_id())
    .bind(monday)
    .bind(sunday)
    .fetch_all(pool)
    .await?;
    let mut days: Vec<CalendarDay> = monday
        .iter_days()
        .take(7)
        .map(|date| CalendarDay {
            date,
            slots: Vec::new(),
        })
        .collect();
    for row in rows {
        let Ok(time) = SlotTime::new(row.date, row.start_time, row.end_time) else {
            continue;
        };
        let state = match row.patient {
            Some(patient) => SlotState::Booked { patient },
            None if settings.has_started(row.date, row.start_time, now) => SlotState::Past,
            None if row.is_available => SlotState::Free,
            None => SlotState::Unavailable,
        };
        let index = (row.date - monday).num_days();
        if let Some(day) = usize::try_from(index).ok().and_then(|i| days.get_mut(i)) {
            day.slots.push(CalendarSlot {
                id: row.id,
                time,
                state,
            });
        }
    }
    Ok(WeekCalendar {
        doctor_id: acting.doctor_id(),
        doctor_name,
        today,
        days,
    })
}

/// A locked slot and what the appointments say about it.
struct Locked {
    id: i64,
    date: NaiveDate,
    start: NaiveTime,
    booked: bool,
    has_history: bool,
}

/// Which of the doctor's slots an operation locks.
enum Scope {
    One(i64),
    Dates(NaiveDate, NaiveDate),
}

/// Locks the doctor's slots in `scope` and reads their appointments. The appointments are read
/// after the lock, in a fresh statement, so a booking that committed while we waited is seen.
async fn lock_slots(
    conn: &mut PgConnection,
    acting: &Acting,
    scope: Scope,
) -> Result<Vec<Locked>, AppError> {
    // Locked in id order, so two overlapping deletes cannot deadlock.
    let slots: Vec<(i64, NaiveDate, NaiveTime)> = match scope {
        Scope::One(id) => {
            sqlx::query_as(
                "SELECT id, date, start_time FROM time_slots
                  WHERE doctor_id = $1 AND id = $2
                  FOR UPDATE",
            )
            .bind(acting.doctor_id())
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
        }
        Scope::Dates(from, to) => {
            sqlx::query_as(
                "SELECT id, date, start_time FROM time_slots
                  WHERE doctor_id = $1 AND date BETWEEN $2 AND $3
                  ORDER BY id
                  FOR UPDATE",
            )
            .bind(acting.doctor_id())
            .bind(from)
            .bind(to)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    let ids: Vec<i64> = slots.iter().map(|slot| slot.0).collect();
    let appointments: Vec<(i64, bool)> = sqlx::query_as(
        "SELECT time_slot_id, bool_or(status <> 'cancelled')
           FROM appointments WHERE time_slot_id = ANY($1)
          GROUP BY time_slot_id",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    Ok(slots
        .into_iter()
        .map(|(id, date, start)| {
            let found = appointments.iter().find(|(slot, _)| *slot == id);
            Locked {
                id,
                date,
                start,
                booked: found.is_some_and(|(_, live)| *live),
                has_history: found.is_some(),
            }
        })
        .collect())
}

/// Deletes the free, not yet started slots among `locked`; keeps booked and started ones, and
/// marks those with appointment history unavailable instead of deleting them.
async fn delete_locked(
    conn: &mut PgConnection,
    settings: &ClinicSettings,
    locked: &[Locked],
    now: DateTime<Utc>,
) -> Result<DeleteReport, AppError> {
    let mut report = DeleteReport::default();
    let (mut delete, mut keep) = (Vec::new(), Vec::new());
    for slot in locked {
        if slot.booked {
            report.booked += 1;
        } else if settings.has_started(slot.date, slot.start, now) {
            report.started += 1;
        } else if slot.has_history {
            keep.push(slot.id);
        } else {
            delete.push(slot.id);
        }
    }
    report.deleted = sqlx::query("DELETE FROM time_slots WHERE id = ANY($1)")
        .bind(&delete)
        .execute(&mut *conn)
        .await?
        .rows_affected() as u32;
    report.kept_with_history =
        sqlx::query("UPDATE time_slots SET is_available = FALSE WHERE id = ANY($1)")
            .bind(&keep)
            .execute(&mut *conn)
            .await?
            .rows_affected() as u32;
    Ok(report)
}

/// Deletes one free slot. A booked slot is refused (cancel the appointment instead); a slot
/// that has cancelled appointments on record is marked unavailable rather than deleted.
pub async fn delete_one(
    pool: &PgPool,
    settings: &ClinicSettings,
    acting: &Acting,
    slot_id: i64,
    now: DateTime<Utc>,
) -> Result<DeleteReport, AppError> {
    let mut tx = pool.begin().await?;
    let locked = lock_slots(&mut tx, acting, Scope::One(slot_id)).await?;
    let Some(slot) = locked.first() else {
        return Err(AppError::NotFound("This slot".to_owned()));
    };
    if slot.booked {
        return Err(AppError::Conflict(BOOKED_MESSAGE.to_owned()));
    }
    if settings.has_started(slot.date, slot.start, now) {
        return Err(AppError::Conflict(
            "This slot has already started; past slots stay on record.".to_owned(),
        ));
    }
    let report = delete_locked(&mut tx, settings, &locked, now).await?;
    tx.commit().await?;
    announce(pool, &[PageChange::Doctor(acting.doctor_id())]).await;
    Ok(report)
}

/// Deletes the free slots of one day.
pub async fn delete_day(
    pool: &PgPool,
    settings: &ClinicSettings,
    acting: &Acting,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<DeleteReport, AppError> {
    delete_range(pool, settings, acting, date, date, now).await
}

/// Deletes the free slots from `from` to `to`, both included.
pub async fn delete_range(
    pool: &PgPool,
    settings: &ClinicSettings,
    acting: &Acting,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<DeleteReport, AppError> {
    if to < from {
        return Err(AppError::validation(
            "last_day",
            "The last day must be on or after the first day.",
        ));
    }
    if from + Days::new(MAX_PLAN_DAYS) <= to {
        return Err(AppError::validation(
            "last_day",
            format!("Delete at most {MAX_PLAN_DAYS} days at a time."),
        ));
    }
    let mut tx = pool.begin().await?;
    let locked = lock_slots(&mut tx, acting, Scope::Dates(from, to)).await?;
    let report = delete_locked(&mut tx, settings, &locked, now).await?;
    tx.commit().await?;
    announce(pool, &[PageChange::Doctor(acting.doctor_id())]).await;
    Ok(report)
}

/// Blocks a free slot (`unavailable`), or frees a blocked one. Only a slot without a live
/// appointment that has not started can change.
pub async fn set_unavailable(
    pool: &PgPool,
    settings: &ClinicSettings,
    acting: &Acting,
    slot_id: i64,
    unavailable: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let locked = lock_slots(&mut tx, acting, Scope::One(slot_id)).await?;
    let Some(slot) = locked.first() else {
        return Err(AppError::NotFound("This slot".to_owned()));
    };
    if slot.booked {
        return Err(AppError::Conflict(
            "This slot is booked: cancel the appointment to change it.".to_owned(),
        ));
    }
    if settings.has_started(slot.date, slot.start, now) {
        return Err(AppError::Conflict(
            "This slot has already started and can no longer change.".to_owned(),
        ));
    }
    sqlx::query("UPDATE time_slots SET is_available = $2 WHERE id = $1")
        .bind(slot_id)
        .bind(!unavailable)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    announce(pool, &[PageChange::Doctor(acting.doctor_id())]).await;
    Ok(())
}
