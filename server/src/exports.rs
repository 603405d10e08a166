//! Downloads: the CSV files of lists (the admin's lists: users, doctors, appointments, payments,
//! wallet transactions and the audit log; a patient's wallet history), and a patient's copy of
//! all their data as JSON. Plain GET routes, so a link downloads the file. Each checks the
//! session exactly as the matching server functions do; a list reads its own URL parameters
//! type.

use axum::Router;
use axum::extract::{FromRef, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sqlx::PgPool;
use tower_sessions::Session;

use app::api::caller::require_in_session;
use app::domain::UserRole;
use app::domain::admin::{AuditEntry, UserRow};
use app::domain::oversight::{AppointmentRow, PaymentRow, TransactionRow};
use app::domain::wallet::LedgerEntry;
use app::domain::{AppError, DoctorRecord};
use app::services::ClinicSettings;
use app::services::listing::{self, CsvExport};
use app::services::personal_data;

/// Every download, at the path of its list with `.csv`, for any router state that holds the
/// pool and the clinic's settings.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    PgPool: FromRef<S>,
    ClinicSettings: FromRef<S>,
{
    Router::new()
        .route("/wallet/transactions.csv", get(csv::<S, LedgerEntry>))
        .route("/admin/users.csv", get(csv::<S, UserRow>))
        .route("/admin/audit.csv", get(csv::<S, AuditEntry>))
        .route("/admin/doctors.csv", get(csv::<S, DoctorRecord>))
        .route("/admin/appointments.csv", get(csv::<S, AppointmentRow>))
        .route("/admin/payments.csv", get(csv::<S, PaymentRow>))
        .route("/admin/transactions.csv", get(csv::<S, TransactionRow>))
        .route("/profile/my-data.json", get(my_data::<S>))
}

/// `GET /profile/my-data.json`: everything about the signed-in patient, and only them.
async fn my_data<S>(
    State(pool): State<PgPool>,
    State(settings): State<ClinicSettings>,
    session: Session,
) -> Response
where
    S: Send + Sync,
    PgPool: FromRef<S>,
    ClinicSettings: FromRef<S>,
{
    let file = async {
        let user = require_in_session(&session, &pool, &settings, UserRole::Patient).await?;
        personal_data::export(&pool, &settings, user.id, chrono::Utc::now()).await
    };
    download(File::JSON, "my-clinic-data", &settings, file.await)
}

/// `GET /<list>.csv?<the list's filters>`: every row the filters match, for whoever may read
/// the list.
async fn csv<S, E: CsvExport>(
    State(pool): State<PgPool>,
    State(settings): State<ClinicSettings>,
    session: Session,
    Query(params): Query<E::Params>,
) -> Response
where
    S: Send + Sync,
    PgPool: FromRef<S>,
    ClinicSettings: FromRef<S>,
{
    let file = async {
        let user = require_in_session(&session, &pool, &settings, E::ROLE).await?;
        listing::export::<E>(&pool, &settings, user.id, params).await
    };
    download(File::CSV, E::FILE, &settings, file.await)
}

/// The kind of file a download is.
struct File {
    content_type: &'static str,
    extension: &'static str,
}

impl File {
    const CSV: Self = Self {
        content_type: "text/csv; charset=utf-8",
        extension: "csv",
    };
    const JSON: Self = Self {
        content_type: "application/json; charset=utf-8",
        extension: "json",
    };
}

/// The file as an attachment named `name` and the clinic's date, or the error's status and
/// message as plain text.
fn download(
    kind: File,
    name: &str,
    settings: &ClinicSettings,
    file: Result<String, AppError>,
) -> Response {
    match file {
        Ok(body) => {
            let today = settings.local_date(chrono::Utc::now());
            (
                [
                    (header::CONTENT_TYPE, kind.content_type.to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}-{today}.{}\"", kind.extension),
                    ),
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                ],
                body,
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
