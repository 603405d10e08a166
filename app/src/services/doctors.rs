//! The doctor directory: finding active doctors by name and specialty.

use sqlx::PgPool;

use super::ClinicSettings;
use crate::domain::{AppError, DoctorCard, DoctorProfile, FreeSlot, PublicReview};

/// At most this many doctors come back from one search.
const PAGE_SIZE: i64 = 50;
/// A doctor's page shows free slots this many days ahead...
const DAYS_AHEAD: i32 = 14;
/// ...and this many of the latest reviews.
const LATEST_REVIEWS: i64 = 5;

/// The card columns of doctors, with their next free slot; `$1` is the clinic's time zone.
const CARD_SELECT: &str =
    "SELECT d.id, u.first_name, u.last_name, s.name AS specialty, d.experience_years,
            d.consultation_fee, d.average_rating, d.total_reviews,
            (SELECT t.date + t.start_time
               FROM time_slots t
              WHERE t.doctor_id = d.id AND t.is_available
                AND t.date + t.start_time > (now() AT TIME ZONE $1)
              ORDER BY t.date, t.start_time
              LIMIT 1) AS next_free_slot
       FROM doctors d
       JOIN users u ON u.id = d.user_id
       JOIN specialties s ON s.id = d.specialty_id";

pub async fn search(
    pool: &PgPool,
    settings: &ClinicSettings,
    name: &str,
    specialty_id: Option<i64>,
) -> Result<Vec<DoctorCard>, AppError> {
    let rows = sqlx::query_as::<_, DoctorCard>(&format!(
        "{CARD_SELECT}
          WHERE d.is_active
            AND ($2 = '' OR (u.first_name || ' ' || u.last_name) ILIKE '%' || $2 || '%')
            AND ($3::bigint IS NULL OR d.specialty_id = $3)
          ORDER BY d.average_rating DESC, d.total_reviews DESC, u.last_name, d.id
          LIMIT $4"
    ))
    .bind(&settings.time_zone)
    .bind(escape_like(name))
    .bind(specialty_id)
    .bind(PAGE_SIZE)
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

/// One active doctor's public page; an inactive or unknown doctor is "not found".
pub async fn profile(
    pool: &PgPool,
    settings: &ClinicSettings,
    doctor_id: i64,
) -> Result<DoctorProfile, AppError> {
    let card =
        sqlx::query_as::<_, DoctorCard>(&format!("{CARD_SELECT} WHERE d.is_active AND d.id = $2"))
            .bind(&settings.time_zone)
            .bind(doctor_id)
            .fetch_optional(pool)
            .await?
            .ok_or_else(|| AppError::NotFound("This doctor".to_owned()))?;
    let bio: String = sqlx::query_scalar("SELECT bio FROM doctors WHERE id = $1")
        .bind(doctor_id)
        .fetch_one(pool)
        .await?;
    // The author is decided here, in SQL: an anonymous review's patient never leaves the database.
    let reviews = sqlx::query_as::<_, PublicReview>(
        "SELECT CASE WHEN r.is_anonymous THEN 'Anonymous patient'
                     ELSE u.first_name || ' ' || left(u.last_name, 1) || '.' END AS author,
                r.rating, r.comment, (r.created_at AT TIME ZONE $2)::date AS date
           FROM reviews r JOIN users u ON u.id = r.patient_id
          WHERE r.doctor_id = $1
          ORDER BY r.created_at DESC, r.id DESC
          LIMIT $3",
    )
    .bind(doctor_id)
    .bind(&settings.time_zone)
    .bind(LATEST_REVIEWS)
    .fetch_all(pool)
    .await?;
    let free_slots = sqlx::query_as::<_, FreeSlot>(
        "SELECT t.id, t.date, t.start_time, t.end_time
           FROM time_slots t
          WHERE t.doctor_id = $1 AND t.is_available
            AND t.date + t.start_time > (now() AT TIME ZONE $2)
            AND t.date < (now() AT TIME ZONE $2)::date + $3
          ORDER BY t.date, t.start_time",
    )
    .bind(doctor_id)
    .bind(&settings.time_zone)
    .bind(DAYS_AHEAD)
    .fetch_all(pool)
    .await?;
    Ok(DoctorProfile {
        card,
        bio,
        reviews,
        free_slots,
    })
}

/// Makes `%`, `_` and `\` in user input match themselves in a LIKE pattern.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_wildcards_in_input_are_literal() {
        assert_eq!(super::escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
        assert_eq!(super::escape_like("Ann"), "Ann");
    }
}
