//! A patient's copy of their data (the right of access): everything the database holds about
//! the signed-in patient, as one JSON document. Every query is bound to the patient's own id,
//! so nothing of anyone else's can appear; people on the clinic's side are named only by their
//! role ("the clinic"), and doctors by the name on their public page.
//!
//! Left out, and why: password and code hashes (secrets, not data about the person), request
//! keys (technical duplicates of the appointments and payments that are in it), the bodies of
//! emails (what was mailed to the patient; the subjects and dates are in it), and the session
//! store (it holds only the sign-in's id and clock).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::{PgConnection, PgPool};

use super::ClinicSettings;
use crate::domain::AppError;

/// One section of the document: the rows `sql` selects for the patient `$1`, as JSON objects in
/// the query's order (`sql` names its rows `x`, and orders with `ORDER BY`).
async fn section(conn: &mut PgConnection, sql: &str, user_id: i64) -> Result<Value, AppError> {
    let wrapped = format!("SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]'::jsonb) FROM ({sql}) x");
    Ok(sqlx::query_scalar(&wrapped)
        .bind(user_id)
        .fetch_one(conn)
        .await?)
}

/// Who did something recorded about the patient: the patient, the clinic, or the system.
const ACTOR: &str = "CASE WHEN l.actor_id = $1 THEN 'you'
                          WHEN l.actor_id IS NULL THEN 'the system'
                          ELSE 'the clinic' END";

/// Everything about patient `user_id`, as a pretty-printed JSON document, dated `now`.
pub async fn export(
    pool: &PgPool,
    settings: &ClinicSettings,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    // One snapshot for every section, so the copy is of one moment: a top-up or a booking
    // landing midway cannot leave the balance, the ledger and the appointments disagreeing.
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let account = section(
        &mut tx,
        "SELECT id, username, email, first_name, last_name, phone_number, user_type AS role,
                is_active, email_verified_at, last_login, wallet_balance, created_at, updated_at
           FROM users WHERE id = $1",
        user_id,
    )
    .await?;
    let appointments = section(
        &mut tx,
        "SELECT a.id, doctor_display_name(du.first_name, du.last_name) AS doctor,
                sp.name AS specialty, s.date, s.start_time, s.end_time, a.status,
                a.consultation_fee, a.notes, a.confirmation_sent, a.hold_expires_at,
                a.cancelled_at,
                CASE WHEN a.cancelled_by IS NULL THEN NULL
                     WHEN a.cancelled_by = $1 THEN 'you' ELSE 'the clinic' END AS cancelled_by,
                a.cancellation_reason, a.rescheduled_to, a.completed_at, a.reminder_queued_at,
                a.created_at, a.updated_at
           FROM appointments a
           JOIN time_slots s ON s.id = a.time_slot_id
           JOIN doctors d ON d.id = a.doctor_id
           JOIN users du ON du.id = d.user_id
           JOIN specialties sp ON sp.id = d.specialty_id
          WHERE a.patient_id = $1
          ORDER BY a.id",
        user_id,
    )
    .await?;
    let payments = section(
        &mut tx,
        "SELECT p.id, p.appointment_id, p.amount, p.status, p.transaction_id, p.paid_at,
                p.created_at
           FROM payments p JOIN appointments a ON a.id = p.appointment_id
          WHERE a.patient_id = $1
          ORDER BY p.id",
        user_id,
    )
    .await?;
    let ledger = section(
        &mut tx,
        "SELECT id, transaction_type, amount, description, balance_after, appointment_id,
                created_at
           FROM wallet_transactions WHERE user_id = $1 ORDER BY id",
        user_id,
    )
    .await?;
    let card_operations = section(
        &mut tx,
        "SELECT id, kind, amount, status, gateway, card_last4, external_id, message,
                created_at, settled_at
           FROM gateway_operations WHERE user_id = $1 ORDER BY id",
        user_id,
    )
    .await?;
    let reviews = section(
        &mut tx,
        "SELECT r.id, r.appointment_id, doctor_display_name(du.first_name, du.last_name) AS doctor,
                r.rating, r.comment, r.is_anonymous, r.hidden_at IS NOT NULL AS hidden,
                r.created_at, r.updated_at
           FROM reviews r
           JOIN doctors d ON d.id = r.doctor_id
           JOIN users du ON du.id = d.user_id
          WHERE r.patient_id = $1
          ORDER BY r.id",
        user_id,
    )
    .await?;
    let codes = section(
        &mut tx,
        "SELECT id, purpose, new_email, is_verified, failed_attempts, created_at, expires_at,
                invalidated_at
           FROM otp_verifications WHERE user_id = $1 ORDER BY id",
        user_id,
    )
    .await?;
    let emails = section(
        &mut tx,
        "SELECT o.id, o.to_address, o.subject, o.created_at, o.sent_at, o.failed_at
           FROM email_outbox o
          WHERE lower(o.to_address) IN (
                    SELECT lower(email) FROM users WHERE id = $1
                    UNION SELECT lower(new_email) FROM otp_verifications
                           WHERE user_id = $1 AND new_email IS NOT NULL)
          ORDER BY o.id",
        user_id,
    )
    .await?;
    let sign_in_failures = section(
        &mut tx,
        "SELECT failed_at, host(client_address) AS client_address
           FROM sign_in_failures WHERE account_key = 'user:' || $1::bigint ORDER BY failed_at",
        user_id,
    )
    .await?;
    // Entries by the patient, and entries about the patient's account, appointments, ledger
    // rows and reviews, whoever made them.
    let audit = section(
        &mut tx,
        &format!(
            "SELECT l.id, l.created_at, {ACTOR} AS by, l.action, l.target_type, l.target_id,
                    l.before, l.after
               FROM audit_log l
              WHERE l.actor_id = $1
                 OR (l.target_type = 'user' AND l.target_id = $1)
                 OR (l.target_type = 'appointment'
                     AND l.target_id IN (SELECT id FROM appointments WHERE patient_id = $1))
                 OR (l.target_type = 'wallet_transaction'
                     AND l.target_id IN (SELECT id FROM wallet_transactions WHERE user_id = $1))
                 OR (l.target_type = 'review'
                     AND l.target_id IN (SELECT id FROM reviews WHERE patient_id = $1))
              ORDER BY l.id"
        ),
        user_id,
    )
    .await?;
    tx.commit().await?;
    let account = match account {
        Value::Array(mut rows) if rows.len() == 1 => rows.remove(0),
        _ => return Err(AppError::NotFound("This account".to_owned())),
    };
    let document = json!({
        "about": "Everything the clinic holds about you, as of exported_at. Times are UTC; \
                  slot dates and times are the clinic's local time.",
        "exported_at": now,
        "clinic_time_zone": settings.time_zone,
        "account": account,
        "appointments": appointments,
        "payments": payments,
        "wallet_transactions": ledger,
        "card_operations": card_operations,
        "reviews": reviews,
        "one_time_codes": codes,
        "emails": emails,
        "failed_sign_ins": sign_in_failures,
        "audit_log": audit,
    });
    serde_json::to_string_pretty(&document).map_err(AppError::internal)
}
