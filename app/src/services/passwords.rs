//! Password hashing with argon2id (OWASP's parameters: 19 MiB, 2 passes, 1 lane). Hashing takes
//! tens of milliseconds of CPU on purpose, so it runs on the blocking pool, never on the async
//! executor.

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::domain::AppError;

fn hasher() -> Argon2<'static> {
    // The parameters are constants that argon2 accepts; a failure here is a programming error
    // caught by the unit test below.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes `password` into a PHC string (algorithm, parameters and salt included).
pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(AppError::internal)
    })
    .await
    .map_err(AppError::internal)?
}

/// Whether `password` matches the stored PHC string `hash`.
pub async fn verify(password: String, hash: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(AppError::internal)?;
        Ok(hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(AppError::internal)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_the_documented_ones() {
        let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (19456, 2, 1)
        );
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hash = hash("correct horse battery".to_owned())
            .await
            .expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify("correct horse battery".to_owned(), hash.clone())
                .await
                .expect("verify")
        );
        assert!(
            !verify("wrong horse battery".to_owned(), hash)
                .await
                .expect("verify")
        );
    }
}
