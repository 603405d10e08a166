//! `server explain-directory`: prints how PostgreSQL runs the directory's queries for a spread of
//! filter combinations, with real timings, and flags any sequential scan over doctors or slots.

use anyhow::Context;
use sqlx::PgPool;

use app::domain::directory::{DirectoryParams, DirectoryQuery};
use app::services::{ClinicSettings, directory};

/// Runs `EXPLAIN (ANALYZE, BUFFERS)` for each combination; returns how many plans read a whole
/// table of doctors or slots.
pub async fn explain_directory(pool: &PgPool, settings: &ClinicSettings) -> anyhow::Result<usize> {
    // Filter values taken from the data, so the combinations match real rows at any scale.
    let (specialty, last_name): (Option<i64>, Option<String>) = sqlx::query_as(
        "SELECT (SELECT specialty_id FROM doctors GROUP BY specialty_id ORDER BY count(*) DESC LIMIT 1),
                (SELECT u.last_name FROM doctors d JOIN users u ON u.id = d.user_id
                  GROUP BY u.last_name ORDER BY count(*) DESC LIMIT 1)",
    )
    .fetch_one(pool)
    .await
    .context("reading sample filter values")?;
    let specialty = specialty.map(|id| id.to_string()).unwrap_or_default();
    let name: String = last_name.unwrap_or_default().chars().take(4).collect();
    let short: String = name.chars().take(2).collect();

    let mut combinations: Vec<(String, Vec<(&str, String)>)> = vec![
        ("everyone, best rated".into(), vec![]),
        (format!("name contains {name:?}"), vec![("q", name.clone())]),
        (format!("name starts with {short:?}"), vec![("q", short)]),
        (
            "one specialty".into(),
            vec![("specialty", specialty.clone())],
        ),
        (
            "one specialty, most experienced".into(),
            vec![
                ("specialty", specialty.clone()),
                ("sort", "experience".into()),
            ],
        ),
        (
            "fee at most 100, rating 4+, lowest fee first".into(),
            vec![
                ("max_fee", "100".into()),
                ("min_rating", "4".into()),
                ("sort", "fee".into()),
            ],
        ),
        (
            "free within 3 days, soonest first".into(),
            vec![("within", "3".into()), ("sort", "soonest".into())],
        ),
        (
            "name, specialty and free within 7 days".into(),
            vec![
                ("q", name),
                ("specialty", specialty),
                ("within", "7".into()),
            ],
        ),
    ];
    // The second page of the default list, through its cursor.
    let first = directory::search(
        pool,
        settings,
        &DirectoryQuery::parse(&DirectoryParams::default(), settings.slot_horizon_days)?,
    )
    .await?;
    if let Some(next) = first.next {
        combinations.push(("everyone, page 2".into(), vec![("after", next)]));
    }

    let mut full_scans = 0;
    for (label, pairs) in combinations {
        let params = DirectoryParams::from_lookup(|name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        });
        let query = DirectoryQuery::parse(&params, settings.slot_horizon_days)?;
        let (page, count) = directory::explain_search(pool, settings, &query).await?;
        println!("\n=== {label}  ({})", params.page_href(None, None));
        for (what, plan) in [("page", page), ("count", count)] {
            println!("--- {what} query");
            for line in &plan {
                println!("{line}");
                if line.contains("Seq Scan on doctors") || line.contains("Seq Scan on time_slots") {
                    full_scans += 1;
                }
            }
        }
    }
    if full_scans == 0 {
        println!("\nNo sequential scan over doctors or slots in any plan.");
    } else {
        println!("\nWARNING: {full_scans} sequential scan(s) over doctors or slots above.");
    }
    Ok(full_scans)
}
