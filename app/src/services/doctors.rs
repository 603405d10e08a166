//! The doctor directory: finding active doctors by name and specialty.

use sqlx::PgPool;

use super::ClinicSettings;
use crate::domain::{AppError, DoctorCard};

/// At most this many doctors come back from one search.
const PAGE_SIZE: i64 = 50;

pub async fn search(
    pool: &PgPool,
    settings: &ClinicSettings,
    name: &str,
    specialty_id: Option<i64>,
) -> Result<Vec<DoctorCard>, AppError> {
    let rows = sqlx::query_as::<_, DoctorCard>(
        "SELECT d.id, u.first_name, u.last_name, s.name AS specialty, d.experience_years,
                d.consultation_fee, d.average_rating, d.total_reviews,
                (SELECT t.date + t.start_time
                   FROM time_slots t
                  WHERE t.doctor_id = d.id AND t.is_available
                    AND t.date + t.start_time > (now() AT TIME ZONE $3)
                  ORDER BY t.date, t.start_time
                  LIMIT 1) AS next_free_slot
           FROM doctors d
           JOIN users u ON u.id = d.user_id
           JOIN specialties s ON s.id = d.specialty_id
          WHERE d.is_active
            AND ($1 = '' OR (u.first_name || ' ' || u.last_name) ILIKE '%' || $1 || '%')
            AND ($2::bigint IS NULL OR d.specialty_id = $2)
          ORDER BY d.average_rating DESC, d.total_reviews DESC, u.last_name, d.id
          LIMIT $4",
    )
    .bind(escape_like(name))
    .bind(specialty_id)
    .bind(&settings.time_zone)
    .bind(PAGE_SIZE)
    .fetch_all(pool)
    .await?;
    Ok(rows)
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
