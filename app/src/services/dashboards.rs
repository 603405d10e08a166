//! The figures of each role's home page: read-only queries over appointments, payments, the
//! ledger, users, doctors, reviews, slots and (for admins) the emails that could not be sent.
//!
//! Clinic days become instants only through `clock.rs`: the service asks it where each day
//! starts and hands those instants to SQL (which buckets with `width_bucket`); slot dates and
//! times are clinic-local already and compare with the clinic's local time.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::PgPool;

use super::ClinicSettings;
use crate::domain::AppError;
use crate::domain::dashboard::{
    AdminDashboard, AgendaItem, CHART_DAYS, DayCount, DoctorDashboard, EARNING_MONTHS,
    FAILED_EMAILS_SHOWN, FailedEmail, MonthEarnings, Outcomes, PatientDashboard, SpecialtyRevenue,
};

/// The admin's key figures and charts at `now`.
pub async fn admin(
    pool: &PgPool,
    settings: &ClinicSettings,
    now: DateTime<Utc>,
) -> Result<AdminDashboard, AppError> {
    let today = settings.local_date(now);
    let first_day = today - Days::new(CHART_DAYS as u64 - 1);
    // Where each chart day starts, and where today ends: CHART_DAYS + 1 instants.
    let bounds: Vec<DateTime<Utc>> = first_day
        .iter_days()
        .take(CHART_DAYS as usize + 1)
        .map(|day| settings.start_of_day(day))
        .collect();
    let (month_start, tomorrow_start) = (bounds[0], bounds[CHART_DAYS as usize]);
    let today_start = settings.start_of_day(today);
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let week_start = settings.start_of_day(monday);

    let per_bucket: Vec<(i32, i64)> = sqlx::query_as(
        "SELECT width_bucket(created_at, $1::timestamptz[]) AS bucket, count(*)
           FROM appointments
          WHERE created_at >= $1[1] AND created_at < $1[array_length($1, 1)]
          GROUP BY bucket",
    )
    .bind(&bounds)
    .fetch_all(pool)
    .await?;
    let bookings_per_day: Vec<DayCount> = first_day
        .iter_days()
        .take(CHART_DAYS as usize)
        .enumerate()
        .map(|(i, day)| DayCount {
            day,
            count: per_bucket
                .iter()
                .find(|(bucket, _)| *bucket as usize == i + 1)
                .map_or(0, |(_, count)| *count),
        })
        .collect();

    let (bookings_today, bookings_week): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE created_at >= $1), count(*)
           FROM appointments WHERE created_at >= $2 AND created_at < $3",
    )
    .bind(today_start)
    .bind(week_start)
    .bind(tomorrow_start)
    .fetch_one(pool)
    .await?;
    let (revenue_total, revenue_30_days): (Decimal, Decimal) = sqlx::query_as(
        "SELECT COALESCE(sum(amount), 0), COALESCE(sum(amount) FILTER (WHERE paid_at >= $1), 0)
           FROM payments WHERE status = 'completed'",
    )
    .bind(month_start)
    .fetch_one(pool)
    .await?;
    let cancellations_30_days: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM appointments WHERE status = 'cancelled' AND cancelled_at >= $1",
    )
    .bind(month_start)
    .fetch_one(pool)
    .await?;
    let (refunds_30_days, refunded_30_days): (i64, Decimal) = sqlx::query_as(
        "SELECT count(*), COALESCE(sum(amount), 0) FROM wallet_transactions
          WHERE transaction_type = 'refund' AND created_at >= $1",
    )
    .bind(month_start)
    .fetch_one(pool)
    .await?;
    let active_doctors: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM doctors d JOIN users u ON u.id = d.user_id
          WHERE d.is_active AND u.is_active",
    )
    .fetch_one(pool)
    .await?;
    let new_patients_30_days: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM users WHERE user_type = 'patient' AND created_at >= $1",
    )
    .bind(month_start)
    .fetch_one(pool)
    .await?;
    let revenue_by_specialty = sqlx::query_as::<_, SpecialtyRevenue>(
        "SELECT s.name AS specialty, sum(p.amount) AS revenue, count(*) AS payments
           FROM payments p
           JOIN appointments a ON a.id = p.appointment_id
           JOIN doctors d ON d.id = a.doctor_id
           JOIN specialties s ON s.id = d.specialty_id
          WHERE p.status = 'completed'
          GROUP BY s.name
          ORDER BY revenue DESC, s.name",
    )
    .fetch_all(pool)
    .await?;
    let outcomes_30_days = sqlx::query_as::<_, Outcomes>(
        "SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
                count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
                count(*) FILTER (WHERE status = 'completed') AS completed,
                count(*) FILTER (WHERE status = 'cancelled') AS cancelled
           FROM appointments WHERE created_at >= $1 AND created_at < $2",
    )
    .bind(month_start)
    .bind(tomorrow_start)
    .fetch_one(pool)
    .await?;

    let (failed_emails, latest_failed_emails) = failed_emails(pool, settings).await?;
    Ok(AdminDashboard {
        today,
        bookings_today,
        bookings_week,
        revenue_total,
        revenue_30_days,
        cancellations_30_days,
        refunds_30_days,
        refunded_30_days,
        active_doctors,
        new_patients_30_days,
        bookings_per_day,
        revenue_by_specialty,
        outcomes_30_days,
        failed_emails,
        latest_failed_emails,
    })
}

/// The emails the mail worker parked as unsendable: how many, and the latest few.
async fn failed_emails(
    pool: &PgPool,
    settings: &ClinicSettings,
) -> Result<(i64, Vec<FailedEmail>), AppError> {
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM email_outbox WHERE failed_at IS NOT NULL")
            .fetch_one(pool)
            .await?;
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        to_address: String,
        subject: String,
        failed_at: DateTime<Utc>,
        last_error: Option<String>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, to_address, subject, failed_at, last_error FROM email_outbox
          WHERE failed_at IS NOT NULL ORDER BY failed_at DESC, id DESC LIMIT $1",
    )
    .bind(FAILED_EMAILS_SHOWN)
    .fetch_all(pool)
    .await?;
    let latest = rows
        .into_iter()
        .map(|row| FailedEmail {
            id: row.id,
            to_address: row.to_address,
            subject: row.subject,
            failed_at: settings.local_time(row.failed_at),
            error: row.last_error.unwrap_or_default(),
        })
        .collect();
    Ok((count, latest))
}

/// A doctor's appointments with the patient's name, as the agenda lists them.
const DOCTOR_AGENDA: &str =
    "SELECT a.id AS appointment_id, t.date, t.start_time, t.end_time, a.status,
        COALESCE(NULLIF(btrim(p.first_name || ' ' || p.last_name), ''), p.username) AS with_name,
        '' AS specialty, a.consultation_fee AS fee
   FROM appointments a
   JOIN time_slots t ON t.id = a.time_slot_id
   JOIN users p ON p.id = a.patient_id
  WHERE a.doctor_id = $1";

/// The signed-in doctor's home (`user_id` is their account) at `now`.
pub async fn doctor(
    pool: &PgPool,
    settings: &ClinicSettings,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<DoctorDashboard, AppError> {
    let doctor_id = super::acting::own_practice(pool, user_id)
        .await?
        .doctor_id();
    let local_now = settings.local_time(now);
    let today = local_now.date();
    let week_end = today + Days::new(7);

    let agenda = |filter: &str| {
        format!("{DOCTOR_AGENDA} AND {filter} ORDER BY t.date, t.start_time LIMIT 200")
    };
    let today_agenda = sqlx::query_as::<_, AgendaItem>(&agenda(
        "a.status IN ('pending', 'confirmed') AND t.date = $2",
    ))
    .bind(doctor_id)
    .bind(today)
    .fetch_all(pool)
    .await?;
    let week_agenda = sqlx::query_as::<_, AgendaItem>(&agenda(
        "a.status IN ('pending', 'confirmed') AND t.date > $2 AND t.date <= $3",
    ))
    .bind(doctor_id)
    .bind(today)
    .bind(week_end)
    .fetch_all(pool)
    .await?;
    let to_complete = sqlx::query_as::<_, AgendaItem>(&agenda(
        "a.status = 'confirmed' AND t.date + t.start_time <= $2",
    ))
    .bind(doctor_id)
    .bind(local_now)
    .fetch_all(pool)
    .await?;

    let this_month = today.with_day(1).unwrap_or(today);
    let first_month = this_month
        .checked_sub_months(Months::new(EARNING_MONTHS as u32 - 1))
        .unwrap_or(this_month);
    let by_month: Vec<(NaiveDate, i64, Decimal)> = sqlx::query_as(
        "SELECT date_trunc('month', t.date)::date AS month, count(*), sum(a.consultation_fee)
           FROM appointments a JOIN time_slots t ON t.id = a.time_slot_id
          WHERE a.doctor_id = $1 AND a.status = 'completed' AND t.date >= $2
          GROUP BY month",
    )
    .bind(doctor_id)
    .bind(first_month)
    .fetch_all(pool)
    .await?;
    let earnings = (0..EARNING_MONTHS as u32)
        .filter_map(|n| first_month.checked_add_months(Months::new(n)))
        .map(|month| {
            let found = by_month.iter().find(|(m, _, _)| *m == month);
            MonthEarnings {
                month,
                appointments: found.map_or(0, |f| f.1),
                fees: found.map_or(Decimal::ZERO, |f| f.2),
            }
        })
        .collect();

    let free_slots_ahead: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM time_slots t
          WHERE t.doctor_id = $1 AND t.is_available AND t.date + t.start_time > $2
            AND t.date <= $3
            AND NOT EXISTS (SELECT 1 FROM appointments a
                             WHERE a.time_slot_id = t.id AND a.status <> 'cancelled')",
    )
    .bind(doctor_id)
    .bind(local_now)
    .bind(week_end)
    .fetch_one(pool)
    .await?;

    Ok(DoctorDashboard {
        today,
        today_agenda,
        week_agenda,
        to_complete,
        earnings,
        rating: super::reviews::summary(pool, doctor_id, false).await?,
        free_slots_ahead,
    })
}

/// A patient's appointments with the doctor's name and specialty.
const PATIENT_LIST: &str =
    "SELECT a.id AS appointment_id, t.date, t.start_time, t.end_time, a.status,
        doctor_display_name(u.first_name, u.last_name) AS with_name, s.name AS specialty,
        a.consultation_fee AS fee
   FROM appointments a
   JOIN time_slots t ON t.id = a.time_slot_id
   JOIN doctors d ON d.id = a.doctor_id
   JOIN users u ON u.id = d.user_id
   JOIN specialties s ON s.id = d.specialty_id
  WHERE a.patient_id = $1";

/// The signed-in patient's home at `now`.
pub async fn patient(
    pool: &PgPool,
    settings: &ClinicSettings,
    patient_id: i64,
    now: DateTime<Utc>,
) -> Result<PatientDashboard, AppError> {
    let local_now = settings.local_time(now);
    let wallet_balance = super::wallet::balance(pool, patient_id).await?.amount();
    let upcoming = sqlx::query_as::<_, AgendaItem>(&format!(
        "{PATIENT_LIST} AND a.status IN ('pending', 'confirmed') AND t.date + t.start_time > $2
          ORDER BY t.date, t.start_time LIMIT 20"
    ))
    .bind(patient_id)
    .bind(local_now)
    .fetch_all(pool)
    .await?;
    let to_review = sqlx::query_as::<_, AgendaItem>(&format!(
        "{PATIENT_LIST} AND a.status = 'completed'
            AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.appointment_id = a.id)
          ORDER BY t.date DESC, t.start_time DESC LIMIT 20"
    ))
    .bind(patient_id)
    .fetch_all(pool)
    .await?;
    Ok(PatientDashboard {
        today: local_now.date(),
        wallet_balance,
        upcoming,
        to_review,
    })
}
