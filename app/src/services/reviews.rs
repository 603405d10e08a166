//! Reviews and ratings: posting, editing, hiding and restoring reviews with the doctor's kept
//! average and count changed in the same transaction; recomputing every doctor's aggregates; and
//! the lists the public, the patient, the doctor and the admin see.
//!
//! Every write locks the reviewed doctor's row before it touches a review, then recomputes the
//! aggregates with a fresh statement. Under READ COMMITTED each statement takes a new snapshot,
//! so once we hold the lock the aggregate sees every review committed by whoever held it before
//! us; two writers can never both compute from a snapshot that misses the other's review.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};

use super::ClinicSettings;
use super::page_changes::{PageChange, announce};
use crate::domain::format;
use crate::domain::reviews::{
    ADMIN_REVIEWS_PER_PAGE, AdminReview, AdminReviewPage, AdminReviewQuery, DoctorReviewsPage,
    EDIT_WINDOW_DAYS, OwnReview, PatientReviews, PendingReview, REVIEWS_PER_PAGE, RatingCorrection,
    RatingSummary, ReceivedReview, ReceivedReviewsPage, ReviewDraft, ReviewFilter, Visibility,
};
use crate::domain::{AppError, PublicReview, listing::page_count};

/// The author as the public sees them, for reviews `r` joined with their patient `u`: "Anonymous
/// patient", or the first name and the last name's initial. Decided here, in SQL, so an anonymous
/// review's patient never leaves the database.
const PUBLIC_AUTHOR: &str = "CASE WHEN r.is_anonymous THEN 'Anonymous patient'
            WHEN btrim(u.first_name) = '' THEN 'A patient'
            ELSE btrim(u.first_name || ' ' || COALESCE(NULLIF(left(btrim(u.last_name), 1), '') || '.', ''))
       END";

fn edit_window() -> Duration {
    Duration::days(EDIT_WINDOW_DAYS)
}

/// The patient reviews one of their completed appointments. Returns the new review's id.
pub async fn create(
    pool: &PgPool,
    patient_id: i64,
    appointment_id: i64,
    draft: &ReviewDraft,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let mut tx = pool.begin().await?;
    // Ownership is part of the query: someone else's appointment is simply not found.
    let (doctor_id, status): (i64, String) = sqlx::query_as(
        "SELECT doctor_id, status FROM appointments WHERE id = $1 AND patient_id = $2",
    )
    .bind(appointment_id)
    .bind(patient_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::NotFound("This appointment".to_owned()))?;
    if status != "completed" {
        return Err(AppError::Conflict(format!(
            "You can review a visit once it has taken place; this appointment is {status}."
        )));
    }
    lock_doctor(&mut tx, doctor_id).await?;
    let review_id: i64 = sqlx::query_scalar(
        "INSERT INTO reviews (appointment_id, patient_id, doctor_id, rating, comment, is_anonymous,
                              created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         RETURNING id",
    )
    .bind(appointment_id)
    .bind(patient_id)
    .bind(doctor_id)
    .bind(draft.stars.get())
    .bind(&draft.comment)
    .bind(draft.anonymous)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|err| match err {
        sqlx::Error::Database(db)
            if db.constraint() == Some("reviews_appointment_id_key") =>
        {
            AppError::Conflict(format!(
                "You have already reviewed this visit. You can change your review on the \"Your reviews\" page for {EDIT_WINDOW_DAYS} days after posting it."
            ))
        }
        other => other.into(),
    })?;
    recompute(&mut tx, doctor_id).await?;
    tx.commit().await?;
    announce(pool, &[PageChange::Doctor(doctor_id)]).await;
    Ok(review_id)
}

/// The author changes their review, within [`EDIT_WINDOW_DAYS`] days of posting it.
pub async fn edit(
    pool: &PgPool,
    patient_id: i64,
    review_id: i64,
    draft: &ReviewDraft,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let (doctor_id, created_at, hidden): (i64, DateTime<Utc>, bool) = sqlx::query_as(
        "SELECT doctor_id, created_at, hidden_at IS NOT NULL
           FROM reviews WHERE id = $1 AND patient_id = $2",
    )
    .bind(review_id)
    .bind(patient_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::NotFound("This review".to_owned()))?;
    if hidden {
        return Err(AppError::Conflict(
            "The clinic has hidden this review, so it can no longer be changed.".to_owned(),
        ));
    }
    if now > created_at + edit_window() {
        return Err(AppError::Conflict(format!(
            "A review can be changed for {EDIT_WINDOW_DAYS} days after posting; this one was posted on {}.",
            format::full_date(created_at.date_naive())
        )));
    }
    lock_doctor(&mut tx, doctor_id).await?;
    // Guarded: an admin may have hidden it since we read it.
    let changed = sqlx::query(
        "UPDATE reviews SET rating = $3, comment = $4, is_anonymous = $5
          WHERE id = $1 AND patient_id = $2 AND hidden_at IS NULL",
    )
    .bind(review_id)
    .bind(patient_id)
    .bind(draft.stars.get())
    .bind(&draft.comment)
    .bind(draft.anonymous)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::Conflict(
            "The clinic has hidden this review, so it can no longer be changed.".to_owned(),
        ));
    }
    recompute(&mut tx, doctor_id).await?;
    tx.commit().await?;
    announce(pool, &[PageChange::Doctor(doctor_id)]).await;
    Ok(())
}

/// An admin hides a review with a reason; it leaves the public page and the doctor's average.
pub async fn hide(
    pool: &PgPool,
    admin_id: i64,
    review_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let doctor_id = review_doctor(&mut tx, review_id).await?;
    lock_doctor(&mut tx, doctor_id).await?;
    let changed = sqlx::query(
        "UPDATE reviews SET hidden_at = $2, hidden_reason = $3, hidden_by = $4
          WHERE id = $1 AND hidden_at IS NULL",
    )
    .bind(review_id)
    .bind(now)
    .bind(reason)
    .bind(admin_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::Conflict(
            "This review is already hidden. Reload the list to see its reason.".to_owned(),
        ));
    }
    super::audit::record(
        &mut tx,
        Some(admin_id),
        super::audit::Action::ReviewHide,
        super::audit::Target::review(review_id),
        Some(serde_json::json!({ "hidden": false })),
        Some(serde_json::json!({ "hidden": true, "reason": reason })),
    )
    .await?;
    recompute(&mut tx, doctor_id).await?;
    tx.commit().await?;
    announce(pool, &[PageChange::Doctor(doctor_id)]).await;
    Ok(())
}

/// An admin shows a hidden review again; it counts towards the average again.
pub async fn restore(pool: &PgPool, admin_id: i64, review_id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let doctor_id = review_doctor(&mut tx, review_id).await?;
    lock_doctor(&mut tx, doctor_id).await?;
    // The reason it was hidden for goes into the audit log's "before".
    let reason: Option<String> = sqlx::query_scalar(
        "UPDATE reviews r SET hidden_at = NULL, hidden_reason = NULL, hidden_by = NULL
           FROM reviews old
          WHERE r.id = $1 AND old.id = r.id AND r.hidden_at IS NOT NULL
          RETURNING old.hidden_reason",
    )
    .bind(review_id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(reason) = &reason {
        super::audit::record(
            &mut tx,
            Some(admin_id),
            super::audit::Action::ReviewUnhide,
            super::audit::Target::review(review_id),
            Some(serde_json::json!({ "hidden": true, "reason": reason })),
            Some(serde_json::json!({ "hidden": false })),
        )
        .await?;
    }
    if reason.is_none() {
        return Err(AppError::Conflict(
            "This review is not hidden. Reload the list to see its current state.".to_owned(),
        ));
    }
    recompute(&mut tx, doctor_id).await?;
    tx.commit().await?;
    announce(pool, &[PageChange::Doctor(doctor_id)]).await;
    Ok(())
}

async fn review_doctor(conn: &mut PgConnection, review_id: i64) -> Result<i64, AppError> {
    sqlx::query_scalar("SELECT doctor_id FROM reviews WHERE id = $1")
        .bind(review_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| AppError::NotFound("This review".to_owned()))
}

/// Takes the doctor's row lock: every change to a doctor's reviews holds it until commit, so the
/// aggregates are recomputed one writer at a time (see the module comment).
async fn lock_doctor(conn: &mut PgConnection, doctor_id: i64) -> Result<(), AppError> {
    sqlx::query("SELECT 1 FROM doctors WHERE id = $1 FOR UPDATE")
        .bind(doctor_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| AppError::NotFound("This doctor".to_owned()))?;
    Ok(())
}

/// The doctor's average (to two decimals, 0 with no reviews) and count, from visible reviews.
const FRESH_AGGREGATES: &str = "SELECT COALESCE(round(avg(rating), 2), 0) AS average,
        count(*)::integer AS total
   FROM reviews WHERE doctor_id = $1 AND hidden_at IS NULL";

/// Sets the doctor's aggregates from their visible reviews. The caller holds the doctor's lock;
/// this is a new statement, so its snapshot includes every review committed before the lock was
/// granted to us.
async fn recompute(conn: &mut PgConnection, doctor_id: i64) -> Result<(), AppError> {
    sqlx::query(&format!(
        "UPDATE doctors d SET average_rating = fresh.average, total_reviews = fresh.total
           FROM ({FRESH_AGGREGATES}) fresh
          WHERE d.id = $1"
    ))
    .bind(doctor_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Recomputes every doctor's aggregates from their visible reviews, and returns the doctors whose
/// kept values were wrong (before and after). Each doctor is one short transaction holding that
/// doctor's lock, so it is safe while the app serves traffic: a review posted meanwhile waits
/// for the lock or is already counted. `progress(done, all)` is called after each doctor.
pub async fn recompute_all(
    pool: &PgPool,
    mut progress: impl FnMut(usize, usize),
) -> Result<Vec<RatingCorrection>, AppError> {
    let doctors: Vec<i64> = sqlx::query_scalar("SELECT id FROM doctors ORDER BY id")
        .fetch_all(pool)
        .await?;
    let mut corrections = Vec::new();
    for (done, doctor_id) in doctors.iter().enumerate() {
        let mut tx = pool.begin().await?;
        let kept: Option<(Decimal, i32, String)> = sqlx::query_as(
            "SELECT d.average_rating, d.total_reviews, doctor_display_name(u.first_name, u.last_name)
               FROM doctors d JOIN users u ON u.id = d.user_id
              WHERE d.id = $1
                FOR UPDATE OF d",
        )
        .bind(doctor_id)
        .fetch_optional(&mut *tx)
        .await?;
        // A doctor deleted since the list was read has nothing to correct.
        if let Some((old_average, old_total, name)) = kept {
            let (new_average, new_total): (Decimal, i32) = sqlx::query_as(FRESH_AGGREGATES)
                .bind(doctor_id)
                .fetch_one(&mut *tx)
                .await?;
            if (old_average, old_total) != (new_average, new_total) {
                sqlx::query(
                    "UPDATE doctors SET average_rating = $2, total_reviews = $3 WHERE id = $1",
                )
                .bind(doctor_id)
                .bind(new_average)
                .bind(new_total)
                .execute(&mut *tx)
                .await?;
                corrections.push(RatingCorrection {
                    doctor_id: *doctor_id,
                    doctor_name: name,
                    old_average,
                    old_total,
                    new_average,
                    new_total,
                });
            }
        }
        tx.commit().await?;
        progress(done + 1, doctors.len());
    }
    if !corrections.is_empty() {
        announce(pool, &[PageChange::Everything]).await;
    }
    Ok(corrections)
}

/// The summary of a doctor (`active_only` for the public page).
pub(crate) async fn summary(
    pool: &PgPool,
    doctor_id: i64,
    active_only: bool,
) -> Result<RatingSummary, AppError> {
    // The kept average and count, and how many visible reviews gave each star rating, in one
    // round trip (this runs on every view of a doctor's page).
    let (average, total, counts): (Decimal, i32, Vec<i64>) = sqlx::query_as(
        "SELECT d.average_rating, d.total_reviews,
                (SELECT ARRAY[count(*) FILTER (WHERE r.rating = 1),
                              count(*) FILTER (WHERE r.rating = 2),
                              count(*) FILTER (WHERE r.rating = 3),
                              count(*) FILTER (WHERE r.rating = 4),
                              count(*) FILTER (WHERE r.rating = 5)]
                   FROM reviews r
                  WHERE r.doctor_id = d.id AND r.hidden_at IS NULL) AS counts
           FROM doctors d
          WHERE d.id = $1 AND (d.is_active OR NOT $2)",
    )
    .bind(doctor_id)
    .bind(active_only)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::NotFound("This doctor".to_owned()))?;
    Ok(RatingSummary {
        average,
        total,
        counts: counts
            .try_into()
            .map_err(|_| AppError::internal("the star counts did not come back as five numbers"))?,
    })
}

/// One page of an active doctor's visible reviews, newest first, with the rating summary.
/// A page past the last shows the last.
pub async fn public_page(
    pool: &PgPool,
    settings: &ClinicSettings,
    doctor_id: i64,
    filter: ReviewFilter,
) -> Result<DoctorReviewsPage, AppError> {
    let summary = summary(pool, doctor_id, true).await?;
    let stars = filter.stars.map(|s| s.get());
    let matching = match stars {
        Some(stars) => summary.count_of(stars),
        None => summary.counts.iter().sum(),
    };
    let pages = page_count(matching, REVIEWS_PER_PAGE);
    let page = filter.page.min(pages);
    let reviews = visible(
        pool,
        settings,
        doctor_id,
        stars,
        (page - 1) * REVIEWS_PER_PAGE,
    )
    .await?;
    Ok(DoctorReviewsPage {
        summary,
        reviews,
        stars,
        page,
        pages,
        matching,
    })
}

/// A page ([`REVIEWS_PER_PAGE`]) of the doctor's visible reviews with `stars` (or all), newest
/// first, after skipping `offset`.
pub async fn visible(
    pool: &PgPool,
    settings: &ClinicSettings,
    doctor_id: i64,
    stars: Option<i16>,
    offset: i64,
) -> Result<Vec<PublicReview>, AppError> {
    Ok(sqlx::query_as::<_, PublicReview>(&format!(
        "SELECT {PUBLIC_AUTHOR} AS author, r.rating, r.comment,
                (r.created_at AT TIME ZONE $2)::date AS date
           FROM reviews r JOIN users u ON u.id = r.patient_id
          WHERE r.doctor_id = $1 AND r.hidden_at IS NULL
            AND ($3::smallint IS NULL OR r.rating = $3)
          ORDER BY r.created_at DESC, r.id DESC
          LIMIT $4 OFFSET $5"
    ))
    .bind(doctor_id)
    .bind(&settings.time_zone)
    .bind(stars)
    .bind(REVIEWS_PER_PAGE)
    .bind(offset)
    .fetch_all(pool)
    .await?)
}

/// The patient's completed visits still waiting for a review, and their reviews, newest first.
pub async fn for_patient(
    pool: &PgPool,
    settings: &ClinicSettings,
    patient_id: i64,
    now: DateTime<Utc>,
) -> Result<PatientReviews, AppError> {
    let pending = sqlx::query_as::<_, PendingReview>(
        "SELECT a.id AS appointment_id, d.id AS doctor_id, u.first_name AS doctor_first_name,
                u.last_name AS doctor_last_name, s.name AS specialty, t.date, t.start_time
           FROM appointments a
           JOIN time_slots t ON t.id = a.time_slot_id
           JOIN doctors d ON d.id = a.doctor_id
           JOIN users u ON u.id = d.user_id
           JOIN specialties s ON s.id = d.specialty_id
          WHERE a.patient_id = $1 AND a.status = 'completed'
            AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.appointment_id = a.id)
          ORDER BY t.date DESC, t.start_time DESC
          LIMIT 100",
    )
    .bind(patient_id)
    .fetch_all(pool)
    .await?;
    let reviews = sqlx::query_as::<_, OwnReview>(
        "SELECT r.id, r.doctor_id, u.first_name AS doctor_first_name,
                u.last_name AS doctor_last_name, r.rating, r.comment, r.is_anonymous, r.created_at,
                r.created_at + $3 AS editable_until,
                (r.created_at + $3) AT TIME ZONE $4 AS editable_until_local,
                r.hidden_at IS NULL AND r.created_at + $3 >= $2 AS editable,
                r.hidden_reason
           FROM reviews r
           JOIN doctors d ON d.id = r.doctor_id
           JOIN users u ON u.id = d.user_id
          WHERE r.patient_id = $1
          ORDER BY r.created_at DESC, r.id DESC
          LIMIT 200",
    )
    .bind(patient_id)
    .bind(now)
    .bind(edit_window())
    .bind(&settings.time_zone)
    .fetch_all(pool)
    .await?;
    Ok(PatientReviews { pending, reviews })
}

/// The signed-in doctor's reviews, newest first, hidden ones included and marked (with the
/// reason, so the doctor knows why one does not count). Authors appear as the public sees them.
pub async fn received(
    pool: &PgPool,
    settings: &ClinicSettings,
    doctor_user_id: i64,
    page: i64,
) -> Result<ReceivedReviewsPage, AppError> {
    let doctor_id = super::acting::own_practice(pool, doctor_user_id)
        .await?
        .doctor_id();
    let summary = summary(pool, doctor_id, false).await?;
    let all: i64 = sqlx::query_scalar("SELECT count(*) FROM reviews WHERE doctor_id = $1")
        .bind(doctor_id)
        .fetch_one(pool)
        .await?;
    let pages = page_count(all, REVIEWS_PER_PAGE);
    let page = page.min(pages);
    let reviews = sqlx::query_as::<_, ReceivedReview>(&format!(
        "SELECT {PUBLIC_AUTHOR} AS author, r.rating, r.comment,
                (r.created_at AT TIME ZONE $2)::date AS date, r.hidden_reason
           FROM reviews r JOIN users u ON u.id = r.patient_id
          WHERE r.doctor_id = $1
          ORDER BY r.created_at DESC, r.id DESC
          LIMIT $3 OFFSET $4"
    ))
    .bind(doctor_id)
    .bind(&settings.time_zone)
    .bind(REVIEWS_PER_PAGE)
    .bind((page - 1) * REVIEWS_PER_PAGE)
    .fetch_all(pool)
    .await?;
    Ok(ReceivedReviewsPage {
        summary,
        reviews,
        page,
        pages,
    })
}

/// The admin's list: reviews of doctors whose name contains `query.doctor`, newest first.
pub async fn admin_list(
    pool: &PgPool,
    query: &AdminReviewQuery,
) -> Result<AdminReviewPage, AppError> {
    let mut count = QueryBuilder::<Postgres>::new("SELECT count(*) ");
    push_admin_matches(&mut count, query);
    let matching: i64 = count.build_query_scalar().fetch_one(pool).await?;
    let pages = page_count(matching, ADMIN_REVIEWS_PER_PAGE);
    let page = query.page.min(pages);
    let mut list = QueryBuilder::<Postgres>::new(
        "SELECT r.id, r.doctor_id, du.first_name AS doctor_first_name, du.last_name AS doctor_last_name, ",
    );
    list.push(PUBLIC_AUTHOR).push(
        " AS author, r.rating, r.comment, r.created_at, r.hidden_at, r.hidden_reason,
          (SELECT a.username FROM users a WHERE a.id = r.hidden_by) AS hidden_by ",
    );
    push_admin_matches(&mut list, query);
    list.push(" ORDER BY r.created_at DESC, r.id DESC LIMIT ")
        .push_bind(ADMIN_REVIEWS_PER_PAGE)
        .push(" OFFSET ")
        .push_bind((page - 1) * ADMIN_REVIEWS_PER_PAGE);
    let reviews: Vec<AdminReview> = list.build_query_as().fetch_all(pool).await?;
    Ok(AdminReviewPage {
        reviews,
        page,
        pages,
        matching,
    })
}

fn push_admin_matches(sql: &mut QueryBuilder<'_, Postgres>, query: &AdminReviewQuery) {
    sql.push(
        "FROM reviews r
           JOIN users u ON u.id = r.patient_id
           JOIN doctors d ON d.id = r.doctor_id
           JOIN users du ON du.id = d.user_id
          WHERE TRUE",
    );
    if !query.doctor.is_empty() {
        sql.push(" AND (du.first_name || ' ' || du.last_name) ILIKE ")
            .push_bind(super::listing::pattern(&query.doctor));
    }
    match query.show {
        Visibility::All => {}
        Visibility::Visible => {
            sql.push(" AND r.hidden_at IS NULL");
        }
        Visibility::Hidden => {
            sql.push(" AND r.hidden_at IS NOT NULL");
        }
    }
}
