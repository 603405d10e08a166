//! The doctor directory: finding active doctors by name, specialty, rating, fee and
//! availability, a page at a time, and each doctor's public page.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use sqlx::{PgPool, Postgres, QueryBuilder};

use super::ClinicSettings;
use super::listing::{escape_like, pattern};
use crate::domain::directory::{
    COUNT_CAP, DirectoryPage, DirectoryQuery, DirectorySort, MatchCount, PAGE_SIZE, PageCursor,
    SortKey,
};
use crate::domain::free_week::{FreeWeek, WeekWindow};
use crate::domain::{AppError, DoctorCard, DoctorProfile, FreeSlot};

/// The card columns of doctors `d` (with users `u` and specialties `s` joined), for a query that
/// has `c.bookable_from`: the clinic-local time before which a slot can no longer be booked
/// (now plus the booking notice).
///
/// The next free slot is the doctor row's kept value whenever that lies ahead: the trigger keeps
/// it equal to the earliest free slot from some moment no later than now, so a value in the
/// future is exact (see the migration). Only a value that has fallen behind (a slot started in
/// the last minute, before the refresh) needs the live lookup, a row comparison on (date,
/// start_time) that starts in the free-slot index at now.
const CARD_COLUMNS: &str = "d.id, u.first_name, u.last_name, s.name AS specialty,
        d.experience_years, d.consultation_fee, d.average_rating, d.total_reviews,
        CASE WHEN d.next_free_slot_at IS NULL OR d.next_free_slot_at > c.bookable_from
             THEN d.next_free_slot_at
             ELSE (SELECT t.date + t.start_time
                     FROM time_slots t
                    WHERE t.doctor_id = d.id AND t.is_available
                      AND (t.date, t.start_time) > (c.bookable_from::date, c.bookable_from::time)
                    ORDER BY t.date, t.start_time
                    LIMIT 1)
        END AS next_free_slot";

/// A result row: the card, and the value the soonest sort orders by (kept on the doctor row,
/// which may lag the live value shown on the card by up to a minute; see the migration).
#[derive(sqlx::FromRow)]
struct DirectoryRow {
    #[sqlx(flatten)]
    card: DoctorCard,
    sort_next_free: Option<NaiveDateTime>,
}

/// One page of the directory: active doctors matching `query`, in its order.
pub async fn search(
    pool: &PgPool,
    settings: &ClinicSettings,
    query: &DirectoryQuery,
) -> Result<DirectoryPage, AppError> {
    let backwards = matches!(query.page, PageCursor::Before(_));
    let mut rows: Vec<DirectoryRow> = page_query("", settings, query)
        .build_query_as()
        .fetch_all(pool)
        .await?;

    // One row beyond the page says whether the page in the walking direction has a neighbour.
    let more = rows.len() > PAGE_SIZE;
    rows.truncate(PAGE_SIZE);
    if backwards {
        rows.reverse();
    }
    let key = |row: &DirectoryRow| SortKey::of(query.sort, &row.card, row.sort_next_free).encode();
    let (has_next, has_previous) = match query.page {
        PageCursor::First => (more, false),
        PageCursor::After(_) => (more, true),
        PageCursor::Before(_) => (true, more),
    };
    let next = has_next.then(|| rows.last().map(key)).flatten();
    let previous = has_previous.then(|| rows.first().map(key)).flatten();

    Ok(DirectoryPage {
        doctors: rows.into_iter().map(|row| row.card).collect(),
        matches: count_matches(pool, settings, query).await?,
        next,
        previous,
    })
}

/// The query of one page of results, after `prefix` (empty, or `EXPLAIN ...`).
fn page_query<'q>(
    prefix: &str,
    settings: &ClinicSettings,
    query: &'q DirectoryQuery,
) -> QueryBuilder<'q, Postgres> {
    let backwards = matches!(query.page, PageCursor::Before(_));
    let mut sql = QueryBuilder::<Postgres>::new(prefix);
    sql.push("SELECT ")
        .push(CARD_COLUMNS)
        .push(", d.next_free_slot_at AS sort_next_free FROM ");
    push_matches(&mut sql, settings, query, true);
    if let PageCursor::After(key) | PageCursor::Before(key) = &query.page {
        push_keyset(&mut sql, key, backwards);
    }
    push_order(&mut sql, query.sort, backwards);
    sql.push(" LIMIT ").push_bind(PAGE_SIZE as i64 + 1);
    sql
}

/// The query counting the matches, after `prefix`.
fn count_query<'q>(
    prefix: &str,
    settings: &ClinicSettings,
    query: &'q DirectoryQuery,
) -> QueryBuilder<'q, Postgres> {
    let mut sql = QueryBuilder::<Postgres>::new(prefix);
    sql.push("SELECT count(*) FROM (SELECT 1 FROM ");
    push_matches(&mut sql, settings, query, false);
    // Ordered like the page, so the count walks the page's index and stops at the cap rather
    // than reading the table.
    push_order(&mut sql, query.sort, false);
    sql.push(" LIMIT ").push_bind(COUNT_CAP).push(") matching");
    sql
}

/// The plans PostgreSQL runs for one directory page (the page query, then the count), with
/// their real timings: `EXPLAIN (ANALYZE, BUFFERS)` output, for the benchmark and for tuning.
pub async fn explain_search(
    pool: &PgPool,
    settings: &ClinicSettings,
    query: &DirectoryQuery,
) -> Result<(Vec<String>, Vec<String>), AppError> {
    const EXPLAIN: &str = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ";
    let page = page_query(EXPLAIN, settings, query)
        .build_query_scalar()
        .fetch_all(pool)
        .await?;
    let count = count_query(EXPLAIN, settings, query)
        .build_query_scalar()
        .fetch_all(pool)
        .await?;
    Ok((page, count))
}

/// How many active doctors match the filters, counting no further than [`COUNT_CAP`].
async fn count_matches(
    pool: &PgPool,
    settings: &ClinicSettings,
    query: &DirectoryQuery,
) -> Result<MatchCount, AppError> {
    let count: i64 = count_query("", settings, query)
        .build_query_scalar()
        .fetch_one(pool)
        .await?;
    Ok(MatchCount {
        count,
        capped: count >= COUNT_CAP,
    })
}

/// `FROM ... WHERE ...` of the active doctors matching the filters. The card needs the user and
/// specialty rows; a count needs the user only for a name search.
fn push_matches(
    sql: &mut QueryBuilder<'_, Postgres>,
    settings: &ClinicSettings,
    query: &DirectoryQuery,
    for_cards: bool,
) {
    sql.push("doctors d CROSS JOIN (SELECT ")
        .push_bind(settings.bookable_from(Utc::now()))
        .push("::timestamp AS bookable_from) c");
    if for_cards || !query.name.is_empty() {
        sql.push(" JOIN users u ON u.id = d.user_id");
    }
    if for_cards {
        sql.push(" JOIN specialties s ON s.id = d.specialty_id");
    }
    sql.push(" WHERE d.is_active");
    let name = query.name.to_lowercase();
    match name.chars().count() {
        0 => {}
        // Trigrams need three characters; shorter searches match the start of either name.
        1 | 2 => {
            let prefix = format!("{}%", escape_like(&name));
            sql.push(" AND u.user_type = 'doctor' AND (lower(u.first_name) LIKE ")
                .push_bind(prefix.clone())
                .push(" OR lower(u.last_name) LIKE ")
                .push_bind(prefix)
                .push(")");
        }
        _ => {
            sql.push(" AND u.user_type = 'doctor' AND (u.first_name || ' ' || u.last_name) ILIKE ")
                .push_bind(pattern(&name));
        }
    }
    if let Some(specialty_id) = query.specialty_id {
        sql.push(" AND d.specialty_id = ").push_bind(specialty_id);
    }
    if let Some(rating) = query.min_rating {
        sql.push(" AND d.average_rating >= ").push_bind(rating);
    }
    if let Some(fee) = query.max_fee {
        sql.push(" AND d.consultation_fee <= ")
            .push_bind(fee.amount());
    }
    if let Some(days) = query.within_days {
        // The kept value is never later than the real next free slot, so it narrows the doctors
        // through its index; when it lies ahead it is exact, and only a value that has fallen
        // behind is checked with the live lookup.
        sql.push(" AND d.next_free_slot_at < c.bookable_from + make_interval(days => ")
            .push_bind(days)
            .push(
                ") AND (d.next_free_slot_at > c.bookable_from OR EXISTS (SELECT 1 FROM time_slots t
                    WHERE t.doctor_id = d.id AND t.is_available
                      AND (t.date, t.start_time) > (c.bookable_from::date, c.bookable_from::time)
                      AND t.date + t.start_time < c.bookable_from + make_interval(days => ",
            )
            .push_bind(days)
            .push(")))");
    }
}

/// The sort values of each order, as SQL, in the order they are compared. Every order but the
/// fee and soonest ones runs from high to low.
fn sort_columns(sort: DirectorySort) -> (&'static [&'static str], bool) {
    match sort {
        DirectorySort::Rating => (&["d.average_rating", "d.total_reviews", "d.id"], true),
        DirectorySort::Fee => (&["d.consultation_fee", "d.id"], false),
        DirectorySort::Experience => (&["d.experience_years", "d.id"], true),
        DirectorySort::Soonest => (
            &[
                "COALESCE(d.next_free_slot_at, 'infinity'::timestamp)",
                "d.id",
            ],
            false,
        ),
    }
}

/// `AND (sort values) > (cursor)`, or `<`, whichever comes next in the walking direction.
fn push_keyset(sql: &mut QueryBuilder<'_, Postgres>, key: &SortKey, backwards: bool) {
    let (columns, descending) = sort_columns(match key {
        SortKey::Rating { .. } => DirectorySort::Rating,
        SortKey::Fee { .. } => DirectorySort::Fee,
        SortKey::Experience { .. } => DirectorySort::Experience,
        SortKey::Soonest { .. } => DirectorySort::Soonest,
    });
    let greater = descending == backwards;
    sql.push(" AND (")
        .push(columns.join(", "))
        .push(if greater { ") > (" } else { ") < (" });
    match key {
        SortKey::Rating {
            rating,
            reviews,
            id,
        } => {
            sql.push_bind(*rating)
                .push(", ")
                .push_bind(*reviews)
                .push(", ")
                .push_bind(*id);
        }
        SortKey::Fee { fee, id } => {
            sql.push_bind(*fee).push(", ").push_bind(*id);
        }
        SortKey::Experience { years, id } => {
            sql.push_bind(*years).push(", ").push_bind(*id);
        }
        SortKey::Soonest { next_free, id } => {
            sql.push("COALESCE(")
                .push_bind(*next_free)
                .push(", 'infinity'::timestamp), ")
                .push_bind(*id);
        }
    }
    sql.push(")");
}

fn push_order(sql: &mut QueryBuilder<'_, Postgres>, sort: DirectorySort, backwards: bool) {
    let (columns, descending) = sort_columns(sort);
    let direction = if descending != backwards { " DESC" } else { "" };
    let ordered: Vec<String> = columns
        .iter()
        .map(|column| format!("{column}{direction}"))
        .collect();
    sql.push(" ORDER BY ").push(ordered.join(", "));
}

/// The doctor's page row: the card and the bio, in one query.
#[derive(sqlx::FromRow)]
struct ProfileRow {
    #[sqlx(flatten)]
    card: DoctorCard,
    bio: String,
}

/// One active doctor's public page; an inactive or unknown doctor is "not found".
pub async fn profile(
    pool: &PgPool,
    settings: &ClinicSettings,
    doctor_id: i64,
) -> Result<DoctorProfile, AppError> {
    let row = sqlx::query_as::<_, ProfileRow>(&format!(
        "SELECT {CARD_COLUMNS}, d.bio
           FROM doctors d
          CROSS JOIN (SELECT $1::timestamp AS bookable_from) c
           JOIN users u ON u.id = d.user_id
           JOIN specialties s ON s.id = d.specialty_id
          WHERE d.is_active AND d.id = $2"
    ))
    .bind(settings.bookable_from(Utc::now()))
    .bind(doctor_id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::NotFound("This doctor".to_owned()))?;
    Ok(DoctorProfile {
        card: row.card,
        bio: row.bio,
    })
}

/// One week of an active doctor's free times, the week a page's `week` parameter asks for (see
/// `domain::free_week`). Slots starting within the booking notice are listed too, marked as no
/// longer bookable. An inactive or unknown doctor has none.
///
/// The week is one query on the free-slot index; a week with none asks one more, for the
/// nearest free times before and after it.
pub async fn free_week(
    pool: &PgPool,
    settings: &ClinicSettings,
    doctor_id: i64,
    week: &str,
) -> Result<FreeWeek, AppError> {
    let now = Utc::now();
    let local_now = settings.local_time(now);
    let today = local_now.date();
    let choice = WeekWindow::choose(week, today, settings.last_slot_date(now));
    let window = choice.window;
    let slots = sqlx::query_as::<_, FreeSlot>(
        "SELECT t.id, t.date, t.start_time, t.end_time,
                (t.date, t.start_time) > ($5::date, $5::time) AS bookable
           FROM time_slots t
           JOIN doctors d ON d.id = t.doctor_id AND d.is_active
          WHERE t.doctor_id = $1 AND t.is_available
            AND (t.date, t.start_time) > ($2::date, $2::time)
            AND t.date BETWEEN $3 AND $4
          ORDER BY t.date, t.start_time",
    )
    .bind(doctor_id)
    .bind(local_now)
    .bind(window.first())
    .bind(window.last())
    .bind(settings.bookable_from(now))
    .fetch_all(pool)
    .await?;
    let (next_free, first_free) = if slots.is_empty() {
        sqlx::query_as::<_, (Option<NaiveDate>, Option<NaiveDate>)>(
            "SELECT (SELECT min(t.date) FROM time_slots t
                      WHERE t.doctor_id = d.id AND t.is_available AND t.date > $3),
                    (SELECT min(t.date) FROM time_slots t
                      WHERE t.doctor_id = d.id AND t.is_available
                        AND (t.date, t.start_time) > ($2::date, $2::time))
               FROM doctors d
              WHERE d.id = $1 AND d.is_active",
        )
        .bind(doctor_id)
        .bind(local_now)
        .bind(window.last())
        .fetch_optional(pool)
        .await?
        .unwrap_or_default()
    } else {
        (None, None)
    };
    Ok(FreeWeek {
        window,
        today,
        slots,
        next_free,
        first_free,
        problem: choice.problem,
    })
}
