//! Passwords: the rule a new one must meet, and hashing with argon2id (OWASP's parameters:
//! 19 MiB, 2 passes, 1 lane). Hashing takes tens of milliseconds of CPU on purpose, so it never
//! runs on the async executor. It runs on hashing threads of its own, one per core: at most that
//! many hashes run at once, and each thread reuses its own 19 MiB. (On the blocking pool,
//! hundreds of parallel registrations took all the CPU, and the hashes spread over many threads
//! that each kept their memory: 826 MiB for 200 registrations in the test.) The others queue,
//! holding only their password, within the request's time limit.

use std::collections::HashSet;
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::domain::AppError;
use crate::domain::account::check_password_length;

/// A new password's rule: the length (as the browser also checks), and not one of the 10,000
/// most common passwords.
pub fn check_new(password: &str) -> Result<(), String> {
    check_password_length(password)?;
    if is_common_password(password) {
        return Err(
            "This password is one of the most common ones; choose one that is harder to guess."
                .to_owned(),
        );
    }
    Ok(())
}

fn is_common_password(password: &str) -> bool {
    static COMMON: OnceLock<HashSet<String>> = OnceLock::new();
    COMMON
        .get_or_init(|| {
            include_str!("../../data/common-passwords.txt")
                .lines()
                .map(str::to_lowercase)
                .collect()
        })
        .contains(&password.to_lowercase())
}

type Job = Box<dyn FnOnce() + Send>;

/// The queue of the hashing threads, started on first use.
fn hashing_threads() -> &'static mpsc::Sender<Job> {
    static QUEUE: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (queue, jobs) = mpsc::channel::<Job>();
        let jobs = std::sync::Arc::new(Mutex::new(jobs));
        let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        for n in 0..threads {
            let jobs = jobs.clone();
            let started = std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || {
                    loop {
                        let job = jobs
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .recv();
                        let Ok(job) = job else { break };
                        // A panic ends the job (its caller hears of it), not the thread.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                });
            if let Err(err) = started {
                tracing::error!(%err, "could not start a password hashing thread");
            }
        }
        queue
    })
}

/// Runs `work` on a hashing thread and waits for its answer.
async fn in_turn<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = answer.send(work());
    });
    hashing_threads()
        .send(job)
        .map_err(|_| AppError::internal("no password hashing thread is running"))?;
    answered
        .await
        .map_err(|_| AppError::internal("a password hashing job failed"))?
}

fn hasher() -> Argon2<'static> {
    // The parameters are constants that argon2 accepts; a failure here is a programming error
    // caught by the unit test below.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes `password` into a PHC string (algorithm, parameters and salt included).
pub async fn hash(password: String) -> Result<String, AppError> {
    in_turn(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(AppError::internal)
    })
    .await
}

/// Whether `password` matches the stored PHC string `hash`.
pub async fn verify(password: String, hash: String) -> Result<bool, AppError> {
    in_turn(move || {
        let parsed = PasswordHash::new(&hash).map_err(AppError::internal)?;
        Ok(hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
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

    #[test]
    fn the_common_password_list_is_shipped_and_case_insensitive() {
        assert!(is_common_password("password"));
        assert!(is_common_password("PassWord"));
        assert!(is_common_password("12345678"));
        assert!(!is_common_password("plum-kettle-orbit-42"));
        assert_eq!(
            include_str!("../../data/common-passwords.txt")
                .lines()
                .count(),
            10_000
        );
    }
}
