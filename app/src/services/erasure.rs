//! Erasing a patient's account (the patient's own request, or an admin's on the patient's
//! behalf): future appointments cancelled by the cancellation policy, the personal data
//! replaced, sessions, codes and mail about them gone, the records the law requires kept under
//! the anonymous id, and the wallet's rest paid out to a card or kept on record as owed.
//!
//! What is erased: name, username, email, phone, password, visit notes and cancellation
//! reasons, one-time codes, mail to their addresses, request keys (their fingerprints hold
//! notes), sign-in failures and rate-limit counters that name them, their sessions, and the
//! personal values inside older audit entries (usernames, cancellation reasons). What stays,
//! tied to the anonymous id: appointments (times, doctor, status, fee), payments, the ledger,
//! card operations (the law's financial records), reviews (now shown as anonymous), and the
//! audit log, which gains one `user.erase` entry saying who erased the account and what it
//! came to, with no personal data in it.
//!
//! Doctors and admins are not erased: a doctor's name is part of every patient's records of
//! their visits and of the ledger, and the practice's records belong to the clinic; an admin's
//! name stands behind the actions they took. Both are deactivated instead, which ends their
//! sessions and takes a doctor out of the directory.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};

use super::ClinicSettings;
use super::audit::{self, Action, Target};
use super::booking::{self, Actor};
use super::gateway::PaymentGateway;
use super::page_changes::{PageChange, announce};
use super::wallet;
use crate::domain::erasure::{ErasureOutcome, Payout};
use crate::domain::money::Money;
use crate::domain::request_key::RequestKey;
use crate::domain::wallet::Card;
use crate::domain::{AppError, UserRole};

/// Who asks for the erasure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErasedBy {
    /// The patient themself (they re-entered their password).
    Patient,
    /// An admin, on the patient's request (they re-entered their own password).
    Admin(i64),
}

/// The refusal for an account that is not a patient's, saying what to do instead.
pub fn not_a_patient(role: UserRole, by: ErasedBy) -> AppError {
    let instead = match by {
        ErasedBy::Patient => "ask the clinic's administrators to deactivate it",
        ErasedBy::Admin(_) => "deactivate it instead",
    };
    AppError::Conflict(match role {
        UserRole::Doctor => format!(
            "A doctor's account cannot be deleted: the doctor's name is part of their patients' \
             records of their visits and of the payments, which the clinic must keep. To close \
             it, {instead}: that ends its sessions, stops it signing in and takes the doctor out \
             of the directory."
        ),
        _ => format!(
            "An administrator's account cannot be deleted: it stands behind the actions recorded \
             in the audit log. To close it, {instead}."
        ),
    })
}

/// Erases patient `user_id`'s account (see the module's comment), then pays the wallet's rest
/// out to `card` when one is named. The erasure is one transaction; the payout is the wallet's
/// own withdrawal, after it: whatever it comes to (declined, no answer, a crash before it),
/// the money left in the erased wallet is what the clinic owes.
pub async fn erase(
    pool: &PgPool,
    settings: &ClinicSettings,
    gateway: &dyn PaymentGateway,
    user_id: i64,
    by: ErasedBy,
    card: Option<&Card>,
    now: DateTime<Utc>,
) -> Result<ErasureOutcome, AppError> {
    let mut tx = pool.begin().await?;
    let erased = erase_in(&mut tx, settings, user_id, by, now).await?;
    tx.commit().await?;
    super::shared_state::sessions_ended(user_id).await;
    // The reviews now read "anonymous", and the cancelled appointments' times are free again.
    let changes: Vec<PageChange<'_>> = erased
        .doctors
        .iter()
        .map(|doctor| PageChange::Doctor(*doctor))
        .chain(
            erased
                .appointments
                .iter()
                .map(|a| PageChange::Appointment(*a)),
        )
        .collect();
    announce(pool, &changes).await;

    let payout = match (card, erased.balance > Money::ZERO) {
        (_, false) => Payout::NothingLeft,
        (None, true) => Payout::NoCard,
        (Some(card), true) => pay_out(pool, gateway, user_id, card, erased.balance).await,
    };
    let owed = wallet::balance(pool, user_id).await?;
    Ok(ErasureOutcome {
        reference: user_id,
        cancelled: erased.cancelled,
        refunded: erased.refunded,
        payout,
        owed,
    })
}

/// Sends the erased wallet's `balance` to `card` through the wallet's withdrawal (its request
/// key, its pending record, its reconciliation).
async fn pay_out(
    pool: &PgPool,
    gateway: &dyn PaymentGateway,
    user_id: i64,
    card: &Card,
    balance: Money,
) -> Payout {
    let key = RequestKey::generate();
    let card_last4 = card.last4().to_owned();
    match wallet::withdraw(pool, gateway, user_id, card, balance, &key).await {
        Ok(receipt) => Payout::Sent {
            amount: receipt.amount,
            card_last4,
        },
        // The wallet's answer while the card network is silent: the operation stays pending.
        Err(AppError::Conflict(_)) => Payout::Pending {
            amount: balance,
            card_last4,
        },
        Err(AppError::Validation { message, .. }) => Payout::Failed { message },
        Err(other) => {
            tracing::warn!(user_id, err = %other, "the payout of an erased wallet failed");
            Payout::Failed {
                message: "The card payout could not be made.".to_owned(),
            }
        }
    }
}

/// What the erasure's transaction did.
struct Erased {
    cancelled: u32,
    refunded: Money,
    balance: Money,
    /// The doctors whose pages showed this patient's reviews by name.
    doctors: Vec<i64>,
    /// The appointments cancelled.
    appointments: Vec<i64>,
}

async fn erase_in(
    conn: &mut PgConnection,
    settings: &ClinicSettings,
    user_id: i64,
    by: ErasedBy,
    now: DateTime<Utc>,
) -> Result<Erased, AppError> {
    // Locks in the booking service's order: the patient's live appointments first, then their
    // wallet (the `users` row). A cancellation or payment already holding one of them finishes
    // first; a booking waiting for the wallet goes on only after this commits, and then finds
    // the account erased (the database refuses its appointment).
    sqlx::query(
        "SELECT id FROM appointments
          WHERE patient_id = $1 AND status IN ('pending', 'confirmed')
          ORDER BY id FOR UPDATE",
    )
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    let found: Option<(String, bool, String)> = sqlx::query_as(
        "SELECT user_type, erased_at IS NOT NULL, email FROM users WHERE id = $1 FOR UPDATE",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((role, already, email)) = found else {
        return Err(AppError::NotFound("This account".to_owned()));
    };
    if already {
        return Err(AppError::Conflict(
            "This account has already been deleted.".to_owned(),
        ));
    }
    let role: UserRole = role.parse().map_err(AppError::internal)?;
    if role != UserRole::Patient {
        return Err(not_a_patient(role, by));
    }
    let actor = match by {
        ErasedBy::Patient => Actor::patient(user_id),
        ErasedBy::Admin(admin) => Actor {
            user_id: admin,
            role: UserRole::Admin,
        },
    };

    // Their words come out first, so the cancellations below record only "Account deleted".
    redact_audit(conn, user_id).await?;
    sqlx::query(
        "UPDATE appointments SET notes = '', cancellation_reason = ''
          WHERE patient_id = $1 AND (notes <> '' OR cancellation_reason <> '')",
    )
    .bind(user_id)
    .execute(&mut *conn)
    .await?;

    // Future appointments (and every unpaid hold) are cancelled by the booking service's own
    // rules: a patient gets the policy's refund, an admin's cancellation refunds in full.
    let live: Vec<i64> = sqlx::query_scalar(
        "SELECT a.id FROM appointments a JOIN time_slots s ON s.id = a.time_slot_id
          WHERE a.patient_id = $1
            AND (a.status = 'pending' OR (a.status = 'confirmed' AND s.date + s.start_time > $2))
          ORDER BY a.id",
    )
    .bind(user_id)
    .bind(settings.local_time(now))
    .fetch_all(&mut *conn)
    .await?;
    let (mut cancelled, mut refunded) = (0_u32, Money::ZERO);
    for &appointment in &live {
        let refund = booking::cancel_for_erasure(conn, settings, actor, appointment, now).await?;
        cancelled += 1;
        refunded = Money::from_decimal(refunded.amount() + refund.amount.amount());
    }

    let doctors: Vec<i64> = sqlx::query_scalar(
        "UPDATE reviews SET is_anonymous = TRUE WHERE patient_id = $1 AND NOT is_anonymous
          RETURNING doctor_id",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;

    forget_traces(conn, user_id, &email).await?;
    end_sessions(conn, user_id).await?;

    let balance: Money = sqlx::query_scalar(
        "UPDATE users
            SET erased_at = $2, is_active = FALSE, auth_epoch = auth_epoch + 1,
                username = 'erased-' || id, email = 'erased-' || id || '@erased.invalid',
                first_name = '', last_name = '', phone_number = '', password_hash = '!erased',
                email_verified_at = NULL, last_login = NULL
          WHERE id = $1
      RETURNING wallet_balance",
    )
    .bind(user_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;

    audit::record(
        conn,
        Some(actor.user_id),
        Action::UserErase,
        Target::user(user_id),
        None,
        Some(json!({
            "requested_by": match by {
                ErasedBy::Patient => "patient",
                ErasedBy::Admin(_) => "admin",
            },
            "cancelled_appointments": cancelled,
            "refunded": refunded,
            "wallet_balance": balance,
        })),
    )
    .await?;
    let mut doctors = doctors;
    doctors.sort_unstable();
    doctors.dedup();
    Ok(Erased {
        cancelled,
        refunded,
        balance,
        doctors,
        appointments: live,
    })
}

/// Replaces the personal values in older audit entries about the account: the username that
/// deactivations recorded, and the reasons given for cancelling its appointments. The audit
/// log lets only this change through (`audit_log_refuse_all_but_redaction`).
async fn redact_audit(conn: &mut PgConnection, user_id: i64) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE audit_log
            SET before = CASE WHEN before ? 'username'
                              THEN jsonb_set(before, '{username}', '\"[erased]\"') ELSE before END,
                after = CASE WHEN after ? 'username'
                             THEN jsonb_set(after, '{username}', '\"[erased]\"') ELSE after END
          WHERE target_type = 'user' AND target_id = $1
            AND (before ? 'username' OR after ? 'username')",
    )
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE audit_log
            SET after = jsonb_set(after, '{reason}', '\"[erased]\"')
          WHERE target_type = 'appointment'
            AND target_id IN (SELECT id FROM appointments WHERE patient_id = $1)
            AND after ? 'reason' AND after->>'reason' NOT IN ('', '[erased]')",
    )
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes what only ever existed for the account: codes, mail to its addresses, request keys,
/// and the sign-in and rate-limit records that name it.
async fn forget_traces(conn: &mut PgConnection, user_id: i64, email: &str) -> Result<(), AppError> {
    // The account's address, and any address it was moving to.
    let mut addresses: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT lower(new_email) FROM otp_verifications
          WHERE user_id = $1 AND new_email IS NOT NULL",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    addresses.push(email.to_lowercase());
    let username: String = sqlx::query_scalar("SELECT username FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM otp_verifications WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM email_outbox WHERE lower(to_address) = ANY($1)")
        .bind(&addresses)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM idempotency_keys WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    // Failed sign-ins are kept by account id, or as typed for an identifier that matched
    // nothing (the address before it was registered, say).
    let mut keys = addresses.clone();
    keys.push(username.to_lowercase());
    keys.push(format!("user:{user_id}"));
    sqlx::query("DELETE FROM sign_in_failures WHERE account_key = ANY($1)")
        .bind(&keys)
        .execute(&mut *conn)
        .await?;
    let buckets: Vec<String> = addresses.iter().map(|a| format!("mail:{a}")).collect();
    sqlx::query(
        "DELETE FROM rate_limit_counters
          WHERE bucket = ANY($1) OR bucket LIKE '%:user:' || $2::bigint",
    )
    .bind(&buckets)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes every stored session signed in as the account. The session store keeps each
/// session's values MessagePack-encoded; the signed-in user's id is stored under `user_id`, so
/// the bytes of that key followed by this id's encoding mark the account's sessions. (A request
/// of such a session still in flight may write it back as it ends; it is useless by then, since
/// the account is inactive and its epoch has moved on, and the first request with it ends it.)
async fn end_sessions(conn: &mut PgConnection, user_id: i64) -> Result<(), AppError> {
    let mut marker =
        rmp_serde::to_vec(super::accounts::SESSION_USER_KEY).map_err(AppError::internal)?;
    marker.extend(rmp_serde::to_vec(&serde_json::json!(user_id)).map_err(AppError::internal)?);
    sqlx::query("DELETE FROM tower_sessions.session WHERE position($1::bytea IN data) > 0")
        .bind(marker)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
