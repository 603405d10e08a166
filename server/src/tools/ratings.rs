//! `server recompute-ratings`: every doctor's average rating and review count recomputed from
//! their visible reviews, with progress on standard error and the corrections on standard output.

use sqlx::PgPool;

pub async fn recompute(pool: &PgPool) -> anyhow::Result<()> {
    // Progress goes to standard error (every 5%), the report to standard output.
    let mut shown = 0;
    let corrections = app::services::reviews::recompute_all(pool, |done, all| {
        let percent = done * 100 / all.max(1);
        if percent >= shown + 5 || done == all {
            shown = percent;
            eprintln!("  checked {done} of {all} doctors ({percent}%)");
        }
    })
    .await
    .map_err(|err| anyhow::anyhow!("could not recompute the ratings: {err}"))?;
    for correction in &corrections {
        println!("corrected {correction}");
    }
    match corrections.len() {
        0 => println!("Every doctor's rating matched their reviews; nothing was changed."),
        1 => println!("Corrected 1 doctor's rating."),
        n => println!("Corrected {n} doctors' ratings."),
    }
    Ok(())
}
