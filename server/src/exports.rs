//! CSV downloads (the admin's lists: users, doctors, appointments, payments, wallet
//! transactions and the audit log; a patient's wallet history): plain GET routes, so a link
//! downloads the file. Each checks the session exactly as the matching server
//! functions do.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;
use tower_sessions::Session;

use app::api::auth::require_in_session;
use app::domain::admin::{AuditQuery, UserQuery};
use app::domain::oversight::{AppointmentQuery, DoctorQuery, PaymentQuery, TransactionQuery};
use app::domain::wallet::HistoryParams;
use app::domain::{AppError, UserRole};
use app::services::{ClinicSettings, audit, doctor_records, oversight, users, wallet};

type Params = Query<HashMap<String, String>>;

fn param<'a>(params: &'a HashMap<String, String>, name: &str) -> &'a str {
    params.get(name).map(String::as_str).unwrap_or_default()
}

/// `GET /admin/users.csv?q=&role=&status=`: the accounts the list's filters match.
pub async fn users_csv(
    State(pool): State<PgPool>,
    State(settings): State<ClinicSettings>,
    session: Session,
    Query(params): Params,
) -> Response {
    let file = async {
        require_in_session(&session, &pool, &settings, UserRole::Admin).await?;
        let query = UserQuery::parse(
            param(&params, "q"),
            param(&params, "role"),
            param(&params, "status"),
            "",
        )?;
        users::export(&pool, &query).await
    };
    download("users", &settings, file.await)
}

/// `GET /admin/audit.csv?actor=&action=&target_type=&from=&to=`: the matching audit entries.
pub async fn audit_csv(
    State(pool): State<PgPool>,
    State(settings): State<ClinicSettings>,
    session: Session,
    Query(params): Params,
) -> Response {
    let file = async {
        require_in_session(&session, &pool, &settings, UserRole::Admin).await?;
        let query = AuditQuery::parse(
            param(&params, "actor"),
            param(&params, "action"),
            param(&params, "target_type"),
            param(&params, "from"),
            param(&params, "to"),
            "",
        )?;
        audit::export(&pool, &settings, &query).await
    };
    download("audit-log", &settings, file.await)
}

/// `GET /admin/doctors.csv?q=&status=`: the doctors' records the list's filters match.
pub async fn doctors_csv(
    State(pool): State<PgPool>,
    State(settings): State<ClinicSettings>,
    session: Session,
    Query(params): Params,
) -> Response {
    let file = async {
        require_in_session(&session, &pool, &settings, UserRole::Admin).await?;
        let query = DoctorQuery::parse(param(&params, "q"), param(&params, "status"), "")?;
        doctor_records::doctors_csv(&pool, &query).await
    };
    download("doctors", &settings, file.await)
}

/// `GET /admin/appointments.csv?patient=&doctor=&status=&from=&to=`: the matching visits.
pub async fn appointments_csv(
    State(pool): State<PgPool>,
    State(settings): State<ClinicSettings>,
    session: Session,
    Query(params): Params,
) -> Response {
    let file = async {
        require_in_session(&session, &pool, &settings, UserRole::Admin).await?;
        let query = AppointmentQuery::parse(
            param(&params, "patient"),
            param(&params, "doctor"),
            param(&params, "status"),
            param(&params, "from"),
            param(&params, "to"),
            "",
        )?;
        oversight::appointments_csv(&pool, &query).await
    };
    download("appointments", &settings, file.await)
}

/// `GET /admin/payments.csv?q=&status=&from=&to=`: the matching payments.
pub async fn payments_csv(
    State(pool): State<PgPool>,
    State(settings): State<ClinicSettings>,
    session: Session,
    Query(params): Params,
) -> Response {
    let file = async {
        require_in_session(&session, &pool, &settings, UserRole::Admin).await?;
        let query = PaymentQuery::parse(
            param(&params, "q"),
            param(&params, "status"),
            param(&params, "from"),
            param(&params, "to"),
            "",
        )?;
        oversight::payments_csv(&pool, &settings, &query).await
    };
    download("payments", &settings, file.await)
}

/// `GET /admin/transactions.csv?q=&kind=&from=&to=`: the matching wallet transactions.
pub async fn transactions_csv(
    State(pool): State<PgPool>,
    State(settings): State<ClinicSettings>,
    session: Session,
    Query(params): Params,
) -> Response {
    let file = async {
        require_in_session(&session, &pool, &settings, UserRole::Admin).await?;
        let query = TransactionQuery::parse(
            param(&params, "q"),
            param(&params, "kind"),
            param(&params, "from"),
            param(&params, "to"),
            "",
        )?;
        oversight::transactions_csv(&pool, &settings, &query).await
    };
    download("wallet-transactions-all", &settings, file.await)
}

/// `GET /wallet/transactions.csv?kind=&from=&to=`: the signed-in patient's history, filtered
/// as on the wallet page.
pub async fn wallet_csv(
    State(pool): State<PgPool>,
    State(settings): State<ClinicSettings>,
    session: Session,
    Query(params): Query<HistoryParams>,
) -> Response {
    let file = async {
        let user = require_in_session(&session, &pool, &settings, UserRole::Patient).await?;
        let filter = params.parse()?;
        wallet::csv(&pool, &settings, user.id, &filter).await
    };
    download("wallet-transactions", &settings, file.await)
}

/// The file as an attachment named after the list and the clinic's date, or the error's status
/// and message as plain text.
fn download(name: &str, settings: &ClinicSettings, file: Result<String, AppError>) -> Response {
    match file {
        Ok(csv) => {
            let today = settings.local_date(chrono::Utc::now());
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}-{today}.csv\""),
                    ),
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                ],
                csv,
            )
                .into_response()
        }
        Err(err) => (
            StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            format!("{err}\n"),
        )
            .into_response(),
    }
}
