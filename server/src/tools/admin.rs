//! `server create-admin`: an administrator account, created through the accounts service by
//! registration's rules, with the password from the environment or standard input.

use std::io::BufRead;

use anyhow::Context;
use app::domain::AppError;
use app::services::accounts::{self, AdminForm, NewAdmin};
use sqlx::PgPool;

/// The password from CLINIC_ADMIN_PASSWORD or, when that is unset, the first line of standard
/// input.
pub fn read_password(username: &str) -> anyhow::Result<String> {
    match std::env::var("CLINIC_ADMIN_PASSWORD") {
        Ok(password) => Ok(password),
        Err(_) => {
            eprintln!("Password for {username} (one line):");
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("could not read the password from standard input")?;
            Ok(line.trim_end_matches(['\r', '\n']).to_owned())
        }
    }
}

/// Checks the form without a database, so bad input is refused before one is opened.
pub fn check(form: AdminForm) -> anyhow::Result<NewAdmin> {
    NewAdmin::check(form).map_err(refusal)
}

/// Creates the administrator and says so.
pub async fn create(pool: &PgPool, admin: NewAdmin) -> anyhow::Result<()> {
    let mut conn = pool.acquire().await?;
    let user = accounts::create_admin(&mut conn, admin, chrono::Utc::now())
        .await
        .map_err(refusal)?;
    println!("Created administrator {} (id {}).", user.username, user.id);
    Ok(())
}

/// The service's refusal as the terminal shows it: one `field: message` line per problem.
fn refusal(err: AppError) -> anyhow::Error {
    let line = |field: &str, message: &str| format!("{}: {message}", field.replace('_', " "));
    match err {
        AppError::Invalid(problems) => anyhow::anyhow!(
            "{}",
            problems
                .iter()
                .map(|p| line(&p.field, &p.message))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        AppError::Validation { field, message } => anyhow::anyhow!("{}", line(&field, &message)),
        other => anyhow::anyhow!("could not create the administrator: {other}"),
    }
}
