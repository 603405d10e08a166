//! Specialties: reading them for the public pages.

use sqlx::PgPool;

use crate::domain::{AppError, SpecialtySummary};

pub async fn list(pool: &PgPool) -> Result<Vec<SpecialtySummary>, AppError> {
    let rows = sqlx::query_as::<_, SpecialtySummary>(
        "SELECT s.id, s.name, s.description,
                count(d.id) FILTER (WHERE d.is_active) AS active_doctors
           FROM specialties s
           LEFT JOIN doctors d ON d.specialty_id = s.id
          GROUP BY s.id
          ORDER BY lower(s.name)",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows)
}
