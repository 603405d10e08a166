//! The audit log: one append-only row per admin action and per money movement, written on the
//! caller's connection so it commits or rolls back with the change it describes; and the admin's
//! filtered reading and CSV export of it.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

use super::ClinicSettings;
use super::listing::{CsvExport, offset, pattern};
use crate::domain::admin::{AUDIT_PER_PAGE, AuditEntry, AuditPage, AuditParams, AuditQuery};
use crate::domain::listing::{EXPORT_LIMIT, page_count};
use crate::domain::wallet::TransactionType;
use crate::domain::{AppError, UserRole, format};

/// What was done, as the audit log's `action` column names it: `<what it was done to>.<verb>`,
/// so the admin's filter can ask for `doctor` or for `doctor.update`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    AppointmentBook,
    AppointmentPay,
    AppointmentCancel,
    AppointmentReschedule,
    AppointmentComplete,
    AppointmentExpireHold,
    DoctorOnboard,
    DoctorResendInvitation,
    DoctorUpdate,
    DoctorActivate,
    DoctorDeactivate,
    ReviewHide,
    ReviewUnhide,
    SpecialtyCreate,
    SpecialtyUpdate,
    SpecialtyDelete,
    UserDeactivate,
    UserReactivate,
    /// An account erased (by its patient, or by an admin on request).
    UserErase,
    /// A money movement in a wallet, by its kind (`wallet.deposit`, `wallet.refund`, ...).
    Wallet(TransactionType),
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AppointmentBook => "appointment.book",
            Self::AppointmentPay => "appointment.pay",
            Self::AppointmentCancel => "appointment.cancel",
            Self::AppointmentReschedule => "appointment.reschedule",
            Self::AppointmentComplete => "appointment.complete",
            Self::AppointmentExpireHold => "appointment.expire_hold",
            Self::DoctorOnboard => "doctor.onboard",
            Self::DoctorResendInvitation => "doctor.resend_invitation",
            Self::DoctorUpdate => "doctor.update",
            Self::DoctorActivate => "doctor.activate",
            Self::DoctorDeactivate => "doctor.deactivate",
            Self::ReviewHide => "review.hide",
            Self::ReviewUnhide => "review.unhide",
            Self::SpecialtyCreate => "specialty.create",
            Self::SpecialtyUpdate => "specialty.update",
            Self::SpecialtyDelete => "specialty.delete",
            Self::UserDeactivate => "user.deactivate",
            Self::UserReactivate => "user.reactivate",
            Self::UserErase => "user.erase",
            Self::Wallet(TransactionType::Deposit) => "wallet.deposit",
            Self::Wallet(TransactionType::Withdrawal) => "wallet.withdrawal",
            Self::Wallet(TransactionType::Payment) => "wallet.payment",
            Self::Wallet(TransactionType::Refund) => "wallet.refund",
        }
    }
}

/// What an audit row is about: a kind of row and its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    kind: TargetKind,
    id: i64,
}

/// The kinds of row the audit log speaks of, as its `target_type` column names them (the table's
/// name in the singular).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TargetKind {
    Appointment,
    Doctor,
    Review,
    Specialty,
    User,
    WalletTransaction,
}

impl TargetKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Appointment => "appointment",
            Self::Doctor => "doctor",
            Self::Review => "review",
            Self::Specialty => "specialty",
            Self::User => "user",
            Self::WalletTransaction => "wallet_transaction",
        }
    }
}

impl Target {
    pub fn appointment(id: i64) -> Self {
        Self {
            kind: TargetKind::Appointment,
            id,
        }
    }
    pub fn doctor(id: i64) -> Self {
        Self {
            kind: TargetKind::Doctor,
            id,
        }
    }
    pub fn review(id: i64) -> Self {
        Self {
            kind: TargetKind::Review,
            id,
        }
    }
    pub fn specialty(id: i64) -> Self {
        Self {
            kind: TargetKind::Specialty,
            id,
        }
    }
    pub fn user(id: i64) -> Self {
        Self {
            kind: TargetKind::User,
            id,
        }
    }
    pub fn wallet_transaction(id: i64) -> Self {
        Self {
            kind: TargetKind::WalletTransaction,
            id,
        }
    }
}

/// Records that `actor` (None: the system, such as a background job) did `action` to `target`,
/// with the state before and after (`None` when there was none; build them with
/// `serde_json::json!`).
pub async fn record(
    conn: &mut PgConnection,
    actor: Option<i64>,
    action: Action,
    target: Target,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO audit_log (actor_id, action, target_type, target_id, before, after)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(actor)
    .bind(action.as_str())
    .bind(target.kind.as_str())
    .bind(target.id)
    .bind(before)
    .bind(after)
    .execute(conn)
    .await?;
    Ok(())
}

/// The audit log's filter: $1 a LIKE pattern for the actor's username, $2 an action prefix
/// (`specialty` or `specialty.update`), $3 a target kind, $4 and $5 the half-open range of
/// instants.
const FILTER: &str = "FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
     WHERE ($1 = '%%' OR u.username ILIKE $1)
       AND ($2 = '' OR a.action = $2 OR a.action LIKE $2 || '.%')
       AND ($3 = '' OR a.target_type = $3)
       AND ($4::timestamptz IS NULL OR a.created_at >= $4)
       AND ($5::timestamptz IS NULL OR a.created_at < $5)";

const ENTRY_COLUMNS: &str = "a.id, a.created_at, u.username AS actor, a.action, a.target_type,
    a.target_id, a.before::text AS before, a.after::text AS after";

/// The query's bounds as instants: from the start of the first clinic day to the start of the
/// day after the last.
fn bounds(
    settings: &ClinicSettings,
    query: &AuditQuery,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    (
        query.from.map(|day| settings.start_of_day(day)),
        query
            .to
            .and_then(|day| day.succ_opt())
            .map(|day| settings.start_of_day(day)),
    )
}

fn with_filter<'q, O>(
    sql: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    settings: &ClinicSettings,
    query: &'q AuditQuery,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    let (from, to) = bounds(settings, query);
    sql.bind(pattern(&query.actor))
        .bind(query.action.as_str())
        .bind(query.target_type.as_str())
        .bind(from)
        .bind(to)
}

/// One page of the audit log matching `query`, newest first, with the filters' choices.
pub async fn list(
    pool: &PgPool,
    settings: &ClinicSettings,
    query: &AuditQuery,
) -> Result<AuditPage, AppError> {
    let (matching,): (i64,) = with_filter(
        sqlx::query_as(&format!("SELECT count(*) {FILTER}")),
        settings,
        query,
    )
    .fetch_one(pool)
    .await?;
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} {FILTER} ORDER BY a.created_at DESC, a.id DESC LIMIT $6 OFFSET $7"
    );
    let mut entries: Vec<AuditEntry> = with_filter(sqlx::query_as(&sql), settings, query)
        .bind(AUDIT_PER_PAGE)
        .bind(offset(query.page, AUDIT_PER_PAGE))
        .fetch_all(pool)
        .await?;
    for entry in &mut entries {
        entry.local_at = settings.local_time(entry.created_at);
    }
    let actions = sqlx::query_scalar("SELECT DISTINCT action FROM audit_log ORDER BY action")
        .fetch_all(pool)
        .await?;
    let target_types =
        sqlx::query_scalar("SELECT DISTINCT target_type FROM audit_log ORDER BY target_type")
            .fetch_all(pool)
            .await?;
    Ok(AuditPage {
        entries,
        matching,
        page: query.page,
        pages: page_count(matching, AUDIT_PER_PAGE),
        actions,
        target_types,
    })
}

/// `/admin/audit.csv`: every entry the filters match, oldest first.
impl CsvExport for AuditEntry {
    type Params = AuditParams;
    const ROLE: UserRole = UserRole::Admin;
    const FILE: &'static str = "audit-log";
    const HEADER: &'static [&'static str] = &[
        "id",
        "at_utc",
        "at_clinic_time",
        "actor",
        "action",
        "target_type",
        "target_id",
        "before",
        "after",
    ];

    async fn rows(
        pool: &PgPool,
        settings: &ClinicSettings,
        _: i64,
        params: &AuditParams,
    ) -> Result<Vec<Self>, AppError> {
        let query = AuditQuery::parse(params)?;
        let sql = format!("SELECT {ENTRY_COLUMNS} {FILTER} ORDER BY a.created_at, a.id LIMIT $6");
        Ok(with_filter(sqlx::query_as(&sql), settings, &query)
            .bind(EXPORT_LIMIT)
            .fetch_all(pool)
            .await?)
    }

    fn record(self, settings: &ClinicSettings) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.created_at.to_rfc3339(),
            format::iso_second(settings.local_time(self.created_at)),
            self.actor.unwrap_or_else(|| "system".to_owned()),
            self.action,
            self.target_type,
            self.target_id.map(|id| id.to_string()).unwrap_or_default(),
            self.before.unwrap_or_default(),
            self.after.unwrap_or_default(),
        ]
    }
}
