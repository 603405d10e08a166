//! Who may act for a doctor's practice (their slots, schedule, home page, reviews): the doctor
//! themself, or an admin naming the doctor. Settled once, in [`for_practice`], and every query
//! then names that doctor, so nobody reaches another doctor's practice.

use sqlx::PgPool;

use crate::domain::{AppError, UserRole};

/// Someone allowed to act for one doctor's practice: the doctor themself, or an admin. Only this
/// module makes one, so holding it proves the check was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acting {
    user_id: i64,
    role: UserRole,
    doctor_id: i64,
}

impl Acting {
    /// The practice acted for.
    pub fn doctor_id(&self) -> i64 {
        self.doctor_id
    }

    /// The account acting: the doctor's own, or the admin's.
    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    pub fn role(&self) -> UserRole {
        self.role
    }
}

/// Decides whose practice `user_id` (with `role`) acts for: a doctor their own (naming another
/// doctor is refused), an admin the existing doctor they name (naming none is refused beside
/// `doctor_id` with `choose`, which says what to choose the doctor for); patients nobody's.
pub async fn for_practice(
    pool: &PgPool,
    user_id: i64,
    role: UserRole,
    doctor_id: Option<i64>,
    choose: &str,
) -> Result<Acting, AppError> {
    match role {
        UserRole::Doctor => {
            let own = own_doctor_id(pool, user_id).await?;
            if doctor_id.is_some_and(|asked| asked != own) {
                return Err(AppError::Forbidden);
            }
            Ok(Acting {
                user_id,
                role,
                doctor_id: own,
            })
        }
        UserRole::Admin => {
            let asked = doctor_id.ok_or_else(|| AppError::validation("doctor_id", choose))?;
            let exists: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM doctors WHERE id = $1)")
                    .bind(asked)
                    .fetch_one(pool)
                    .await?;
            if !exists {
                return Err(AppError::NotFound("This doctor".to_owned()));
            }
            Ok(Acting {
                user_id,
                role,
                doctor_id: asked,
            })
        }
        UserRole::Patient => Err(AppError::Forbidden),
    }
}

/// A doctor acting for their own practice (their home page, their reviews).
pub async fn own_practice(pool: &PgPool, user_id: i64) -> Result<Acting, AppError> {
    Ok(Acting {
        user_id,
        role: UserRole::Doctor,
        doctor_id: own_doctor_id(pool, user_id).await?,
    })
}

/// The doctor profile id of a doctor user ("not found" when they have none).
async fn own_doctor_id(pool: &PgPool, user_id: i64) -> Result<i64, AppError> {
    sqlx::query_scalar("SELECT id FROM doctors WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| AppError::NotFound("Your doctor profile".to_owned()))
}
