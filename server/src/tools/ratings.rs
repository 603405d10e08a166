//! `server recompute-ratings`: every doctor's average rating and review count recomputed from
//! their visible reviews, with a progress bar on standard error and the corrections on standard
//! output.

use sqlx::PgPool;

use super::progress::Progress;

pub async fn recompute(pool: &PgPool) -> anyhow::Result<()> {
    // The number of doctors is known only once the service has listed them.
    let mut progress: Option<Progress> = None;
    let corrections = app::services::reviews::recompute_all(pool, |done, all| {
        let bar = progress.get_or_insert_with(|| {
            let bar = Progress::bar(all as u64, "doctors");
            bar.set_message("checked");
            bar
        });
        bar.set_position(done as u64);
    })
    .await
    .map_err(|err| anyhow::anyhow!("could not recompute the ratings: {err}"))?;
    if let Some(bar) = progress {
        bar.finish();
    }
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
