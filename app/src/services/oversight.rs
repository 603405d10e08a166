//! The admin's lists of appointments, payments and wallet transactions, each with the CSV export
//! of the same filter; and refunding a payment, which cancels its visit.

use chrono::{DateTime, Days, NaiveDate, Utc};
use sqlx::PgPool;

use super::ClinicSettings;
use super::booking::{self, Actor};
use super::listing::{CsvExport, list_page, offset, pattern};
use crate::domain::format;
use crate::domain::listing::{DateRange, EXPORT_LIMIT, ListPage, ROWS_PER_PAGE};
use crate::domain::oversight::{
    AppointmentParams, AppointmentQuery, AppointmentRow, PaymentParams, PaymentQuery, PaymentRow,
    TransactionParams, TransactionQuery, TransactionRow,
};
use crate::domain::{AppError, Money, UserRole};
use crate::domain::{booking::Refund, request_key::RequestKey};

/// The first instant of `from` and the first instant after `to`, on the clinic's clock.
fn instants(
    settings: &ClinicSettings,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    (
        from.map(|day| settings.start_of_day(day)),
        to.map(|day| settings.start_of_day(day.checked_add_days(Days::new(1)).unwrap_or(day))),
    )
}

/// The filter the payments and the transactions lists share, bound as $1 a LIKE pattern, $2
/// one status or type (or none), $3 and $4 the half-open range of instants.
struct TimedFilter {
    pattern: String,
    choice: Option<&'static str>,
    from: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
}

impl TimedFilter {
    fn new(
        settings: &ClinicSettings,
        search: &str,
        choice: Option<&'static str>,
        dates: DateRange,
    ) -> Self {
        let (from, until) = instants(settings, dates.from, dates.to);
        Self {
            pattern: pattern(search),
            choice,
            from,
            until,
        }
    }

    /// How many rows `from_where` (the FROM and WHERE clauses) matches.
    async fn count(&self, pool: &PgPool, from_where: &str) -> Result<i64, AppError> {
        Ok(sqlx::query_scalar(&format!("SELECT count(*) {from_where}"))
            .bind(&self.pattern)
            .bind(self.choice)
            .bind(self.from)
            .bind(self.until)
            .fetch_one(pool)
            .await?)
    }

    /// The rows of `sql`, whose LIMIT and OFFSET are $5 and $6.
    async fn rows<T>(
        &self,
        pool: &PgPool,
        sql: &str,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<T>, AppError>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
    {
        Ok(sqlx::query_as::<_, T>(sql)
            .bind(&self.pattern)
            .bind(self.choice)
            .bind(self.from)
            .bind(self.until)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?)
    }
}

/// A person's name as lists show it: first and last, or the username when both are blank.
const PATIENT_NAME: &str =
    "COALESCE(NULLIF(btrim(pu.first_name || ' ' || pu.last_name), ''), pu.username)";

const APPOINTMENTS: &str = "
      FROM appointments a
      JOIN time_slots s ON s.id = a.time_slot_id
      JOIN doctors d ON d.id = a.doctor_id
      JOIN users du ON du.id = d.user_id
      JOIN specialties sp ON sp.id = d.specialty_id
      JOIN users pu ON pu.id = a.patient_id
      LEFT JOIN payments p ON p.appointment_id = a.id
     WHERE ($1 = '%%' OR pu.username ILIKE $1 OR pu.email ILIKE $1
                      OR (pu.first_name || ' ' || pu.last_name) ILIKE $1)
       AND ($2 = '%%' OR (du.first_name || ' ' || du.last_name) ILIKE $2
                      OR d.license_number ILIKE $2)
       AND ($3::text IS NULL OR a.status = $3)
       AND ($4::date IS NULL OR s.date >= $4)
       AND ($5::date IS NULL OR s.date <= $5)";

fn appointment_columns() -> String {
    format!(
        "a.id, s.date, s.start_time, s.end_time, a.doctor_id,
         doctor_display_name(du.first_name, du.last_name) AS doctor_name, sp.name AS specialty,
         a.patient_id, {PATIENT_NAME} AS patient_name, pu.email AS patient_email, a.status,
         a.consultation_fee, p.status AS payment_status, a.created_at"
    )
}

async fn appointment_rows(
    pool: &PgPool,
    query: &AppointmentQuery,
    limit: i64,
    offset: i64,
) -> Result<Vec<AppointmentRow>, AppError> {
    Ok(sqlx::query_as::<_, AppointmentRow>(&format!(
        "SELECT {} {APPOINTMENTS}
          ORDER BY s.date DESC, s.start_time DESC, a.id DESC LIMIT $6 OFFSET $7",
        appointment_columns()
    ))
    .bind(pattern(&query.patient))
    .bind(pattern(&query.doctor))
    .bind(query.status.map(|status| status.as_str()))
    .bind(query.dates.from)
    .bind(query.dates.to)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?)
}

/// One page of the appointments matching `query`, latest date first.
pub async fn appointments(
    pool: &PgPool,
    query: &AppointmentQuery,
) -> Result<ListPage<AppointmentRow>, AppError> {
    let matching: i64 = sqlx::query_scalar(&format!("SELECT count(*) {APPOINTMENTS}"))
        .bind(pattern(&query.patient))
        .bind(pattern(&query.doctor))
        .bind(query.status.map(|status| status.as_str()))
        .bind(query.dates.from)
        .bind(query.dates.to)
        .fetch_one(pool)
        .await?;
    let page = offset(query.page, ROWS_PER_PAGE);
    let rows = appointment_rows(pool, query, ROWS_PER_PAGE, page).await?;
    Ok(list_page(rows, matching, query.page))
}

/// `/admin/appointments.csv`: every appointment the filters match.
impl CsvExport for AppointmentRow {
    type Params = AppointmentParams;
    const ROLE: UserRole = UserRole::Admin;
    const FILE: &'static str = "appointments";
    const HEADER: &'static [&'static str] = &[
        "id",
        "date",
        "start",
        "end",
        "doctor",
        "specialty",
        "patient",
        "patient_email",
        "status",
        "fee",
        "payment",
        "booked_at",
    ];

    async fn rows(
        pool: &PgPool,
        _: &ClinicSettings,
        _: i64,
        params: &AppointmentParams,
    ) -> Result<Vec<Self>, AppError> {
        appointment_rows(pool, &AppointmentQuery::parse(params)?, EXPORT_LIMIT, 0).await
    }

    fn record(self, _: &ClinicSettings) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.date.to_string(),
            format::clock(self.start_time),
            format::clock(self.end_time),
            self.doctor_name,
            self.specialty,
            self.patient_name,
            self.patient_email,
            self.status.as_str().to_owned(),
            self.consultation_fee.plain(),
            self.payment_status
                .map(|status| status.as_str().to_owned())
                .unwrap_or_default(),
            self.created_at.to_rfc3339(),
        ]
    }
}

const PAYMENTS: &str = "
      FROM payments p
      JOIN appointments a ON a.id = p.appointment_id
      JOIN time_slots s ON s.id = a.time_slot_id
      JOIN doctors d ON d.id = a.doctor_id
      JOIN users du ON du.id = d.user_id
      JOIN users pu ON pu.id = a.patient_id
     WHERE ($1 = '%%' OR p.transaction_id ILIKE $1 OR pu.username ILIKE $1
                      OR pu.email ILIKE $1 OR (pu.first_name || ' ' || pu.last_name) ILIKE $1)
       AND ($2::text IS NULL OR p.status = $2)
       AND ($3::timestamptz IS NULL OR p.created_at >= $3)
       AND ($4::timestamptz IS NULL OR p.created_at < $4)";

fn payment_columns() -> String {
    format!(
        "p.id, p.transaction_id, p.amount, p.status, p.created_at, p.paid_at,
         (SELECT w.amount FROM wallet_transactions w
           WHERE w.appointment_id = a.id AND w.transaction_type = 'refund') AS refunded,
         a.id AS appointment_id, a.status AS appointment_status, s.date, s.start_time,
         doctor_display_name(du.first_name, du.last_name) AS doctor_name,
         a.patient_id, {PATIENT_NAME} AS patient_name, pu.email AS patient_email"
    )
}

fn payment_filter(settings: &ClinicSettings, query: &PaymentQuery) -> TimedFilter {
    TimedFilter::new(
        settings,
        &query.search,
        query.status.map(|status| status.as_str()),
        query.dates,
    )
}

async fn payment_rows(
    pool: &PgPool,
    settings: &ClinicSettings,
    query: &PaymentQuery,
    limit: i64,
    offset: i64,
) -> Result<Vec<PaymentRow>, AppError> {
    let sql = format!(
        "SELECT {} {PAYMENTS} ORDER BY p.created_at DESC, p.id DESC LIMIT $5 OFFSET $6",
        payment_columns()
    );
    let mut rows: Vec<PaymentRow> = payment_filter(settings, query)
        .rows(pool, &sql, limit, offset)
        .await?;
    for row in &mut rows {
        row.paid_local = row.paid_at.map(|at| settings.local_time(at));
    }
    Ok(rows)
}

/// One page of the payments matching `query`, newest first.
pub async fn payments(
    pool: &PgPool,
    settings: &ClinicSettings,
    query: &PaymentQuery,
) -> Result<ListPage<PaymentRow>, AppError> {
    let matching = payment_filter(settings, query)
        .count(pool, PAYMENTS)
        .await?;
    let page = offset(query.page, ROWS_PER_PAGE);
    let rows = payment_rows(pool, settings, query, ROWS_PER_PAGE, page).await?;
    Ok(list_page(rows, matching, query.page))
}

/// `/admin/payments.csv`: every payment the filters match; times on the clinic's clock.
impl CsvExport for PaymentRow {
    type Params = PaymentParams;
    const ROLE: UserRole = UserRole::Admin;
    const FILE: &'static str = "payments";
    const HEADER: &'static [&'static str] = &[
        "id",
        "reference",
        "status",
        "amount",
        "refunded",
        "paid_at",
        "appointment",
        "appointment_status",
        "appointment_date",
        "doctor",
        "patient",
        "patient_email",
    ];

    async fn rows(
        pool: &PgPool,
        settings: &ClinicSettings,
        _: i64,
        params: &PaymentParams,
    ) -> Result<Vec<Self>, AppError> {
        let query = PaymentQuery::parse(params)?;
        payment_rows(pool, settings, &query, EXPORT_LIMIT, 0).await
    }

    fn record(self, _: &ClinicSettings) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.transaction_id,
            self.status.as_str().to_owned(),
            self.amount.plain(),
            self.refunded.map(Money::plain).unwrap_or_default(),
            self.paid_local.map(format::iso_minute).unwrap_or_default(),
            self.appointment_id.to_string(),
            self.appointment_status.as_str().to_owned(),
            format!("{} {}", self.date, format::clock(self.start_time)),
            self.doctor_name,
            self.patient_name,
            self.patient_email,
        ]
    }
}

/// Refunds a payment in full by cancelling its visit as the clinic (the patient is emailed, the
/// slot is free again). Once per request key; a payment already refunded, not taken, or of a
/// visit that took place is refused with the reason.
pub async fn refund_payment(
    pool: &PgPool,
    settings: &ClinicSettings,
    admin_id: i64,
    payment_id: i64,
    reason: &str,
    key: &RequestKey,
    now: DateTime<Utc>,
) -> Result<Refund, AppError> {
    let appointment_id: i64 =
        sqlx::query_scalar("SELECT appointment_id FROM payments WHERE id = $1")
            .bind(payment_id)
            .fetch_optional(pool)
            .await?
            .ok_or_else(|| AppError::NotFound("This payment".to_owned()))?;
    let reason = match reason.trim() {
        "" => "Refunded by the clinic",
        reason => reason,
    };
    let actor = Actor {
        user_id: admin_id,
        role: UserRole::Admin,
    };
    // The cancellation decides under its row lock: a payment refunded or a visit completed
    // meanwhile gets the cancellation's own clear refusal, and a repeated key its first answer.
    booking::cancel(
        pool,
        settings,
        actor,
        booking::Cancellation {
            appointment_id,
            expected_refund: None,
            reason,
        },
        key,
        now,
    )
    .await
}

const TRANSACTIONS: &str = "
      FROM wallet_transactions w
      JOIN users pu ON pu.id = w.user_id
     WHERE ($1 = '%%' OR pu.username ILIKE $1 OR pu.email ILIKE $1
                      OR (pu.first_name || ' ' || pu.last_name) ILIKE $1)
       AND ($2::text IS NULL OR w.transaction_type = $2)
       AND ($3::timestamptz IS NULL OR w.created_at >= $3)
       AND ($4::timestamptz IS NULL OR w.created_at < $4)";

fn transaction_filter(settings: &ClinicSettings, query: &TransactionQuery) -> TimedFilter {
    TimedFilter::new(
        settings,
        &query.search,
        query.kind.map(|kind| kind.as_str()),
        query.dates,
    )
}

async fn transaction_rows(
    pool: &PgPool,
    settings: &ClinicSettings,
    query: &TransactionQuery,
    limit: i64,
    offset: i64,
) -> Result<Vec<TransactionRow>, AppError> {
    let sql = format!(
        "SELECT w.id, w.created_at, w.user_id, pu.username, {PATIENT_NAME} AS user_name,
                pu.user_type AS role, w.transaction_type, w.amount, w.balance_after,
                w.description, w.appointment_id
           {TRANSACTIONS}
          ORDER BY w.id DESC LIMIT $5 OFFSET $6"
    );
    let mut rows: Vec<TransactionRow> = transaction_filter(settings, query)
        .rows(pool, &sql, limit, offset)
        .await?;
    for row in &mut rows {
        row.local_at = settings.local_time(row.created_at);
    }
    Ok(rows)
}

/// One page of the wallet transactions matching `query`, newest first.
pub async fn transactions(
    pool: &PgPool,
    settings: &ClinicSettings,
    query: &TransactionQuery,
) -> Result<ListPage<TransactionRow>, AppError> {
    let matching = transaction_filter(settings, query)
        .count(pool, TRANSACTIONS)
        .await?;
    let page = offset(query.page, ROWS_PER_PAGE);
    let rows = transaction_rows(pool, settings, query, ROWS_PER_PAGE, page).await?;
    Ok(list_page(rows, matching, query.page))
}

/// `/admin/transactions.csv`: every wallet transaction the filters match.
impl CsvExport for TransactionRow {
    type Params = TransactionParams;
    const ROLE: UserRole = UserRole::Admin;
    const FILE: &'static str = "wallet-transactions-all";
    const HEADER: &'static [&'static str] = &[
        "id",
        "date",
        "user",
        "username",
        "type",
        "amount",
        "balance_after",
        "description",
        "appointment",
    ];

    async fn rows(
        pool: &PgPool,
        settings: &ClinicSettings,
        _: i64,
        params: &TransactionParams,
    ) -> Result<Vec<Self>, AppError> {
        let query = TransactionQuery::parse(params)?;
        transaction_rows(pool, settings, &query, EXPORT_LIMIT, 0).await
    }

    fn record(self, _: &ClinicSettings) -> Vec<String> {
        vec![
            self.id.to_string(),
            format::iso_minute(self.local_at),
            self.user_name,
            self.username,
            self.transaction_type.as_str().to_owned(),
            self.amount.plain(),
            self.balance_after.plain(),
            self.description,
            self.appointment_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
        ]
    }
}
