//! The doctor directory against the real database: every filter and sort, ties, pagination in
//! both directions, empty results, inactive doctors, and the kept next-free-slot value.

use chrono::{Duration, NaiveDateTime, NaiveTime, Utc};

use app::domain::AppError;
use app::domain::directory::{DirectoryPage, DirectoryParams, DirectoryQuery};
use app::services::directory;

use crate::harness::{Clinic, NewDoctor, TestDb, local_now, settings};

fn params(pairs: &[(&str, &str)]) -> DirectoryParams {
    DirectoryParams::from_lookup(|name| {
        pairs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    })
}

async fn search(db: &TestDb, pairs: &[(&str, &str)]) -> Result<DirectoryPage, AppError> {
    let query = DirectoryQuery::parse(&params(pairs), settings().slot_horizon_days)?;
    directory::search(&db.pool, &settings(), &query).await
}

/// The last names on a page, in order.
async fn names(db: &TestDb, pairs: &[(&str, &str)]) -> Vec<String> {
    search(db, pairs)
        .await
        .expect("search")
        .doctors
        .into_iter()
        .map(|d| d.last_name)
        .collect()
}

fn doctor<'a>(
    last: &'a str,
    specialty: i64,
    rating: &'a str,
    reviews: i32,
    fee: &'a str,
    years: i32,
) -> NewDoctor<'a> {
    NewDoctor {
        first: "Sam",
        last,
        specialty,
        rating,
        reviews,
        fee,
        years,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_sort_orders_as_named_and_breaks_ties_the_same_way_every_time() {
    let db = TestDb::new().await;
    let clinic = Clinic::new(&db).await;
    let cardio = clinic.specialty("Cardiology").await;
    // Adams and Baker tie on rating and reviews: the later-added doctor comes first.
    let adams = clinic
        .doctor(doctor("Adams", cardio, "4.80", 10, "120", 5))
        .await;
    let baker = clinic
        .doctor(doctor("Baker", cardio, "4.80", 10, "60", 30))
        .await;
    let cole = clinic
        .doctor(doctor("Cole", cardio, "4.80", 25, "90", 12))
        .await;
    let _diaz = clinic
        .doctor(doctor("Diaz", cardio, "3.10", 4, "60", 12))
        .await;
    let _evans = clinic
        .doctor(doctor("Evans", cardio, "0", 0, "200", 1))
        .await;

    assert_eq!(
        names(&db, &[]).await,
        ["Cole", "Baker", "Adams", "Diaz", "Evans"]
    );
    // Equal fees (Baker and Diaz) and equal experience (Cole and Diaz) break by id.
    assert_eq!(
        names(&db, &[("sort", "fee")]).await,
        ["Baker", "Diaz", "Cole", "Adams", "Evans"]
    );
    assert_eq!(
        names(&db, &[("sort", "experience")]).await,
        ["Baker", "Diaz", "Cole", "Adams", "Evans"]
    );

    // Soonest: tomorrow 09:00 beats tomorrow 11:00 beats in three days; no slot comes last.
    clinic.slot(cole, 3, 9).await;
    clinic.slot(adams, 1, 11).await;
    clinic.slot(baker, 1, 9).await;
    let soonest = names(&db, &[("sort", "soonest")]).await;
    assert_eq!(&soonest[..3], ["Baker", "Adams", "Cole"]);
    let page = search(&db, &[("sort", "soonest")]).await.expect("search");
    let shown = page.doctors[0].next_free_slot.expect("Baker's slot");
    assert_eq!(
        shown.time(),
        NaiveTime::from_hms_opt(9, 0, 0).expect("time")
    );
    assert!(page.doctors[3].next_free_slot.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_narrow_by_specialty_rating_fee_name_and_availability() {
    let db = TestDb::new().await;
    let clinic = Clinic::new(&db).await;
    let cardio = clinic.specialty("Cardiology").await;
    let derma = clinic.specialty("Dermatology").await;
    let joanna = clinic
        .doctor(NewDoctor {
            first: "Joanna",
            last: "Reyes",
            specialty: cardio,
            rating: "4.50",
            reviews: 8,
            fee: "80",
            years: 9,
        })
        .await;
    let annika = clinic
        .doctor(NewDoctor {
            first: "Annika",
            last: "Berg",
            specialty: derma,
            rating: "3.90",
            reviews: 3,
            fee: "150",
            years: 20,
        })
        .await;
    clinic
        .doctor(NewDoctor {
            first: "Omar",
            last: "Haddad",
            specialty: derma,
            rating: "4.00",
            reviews: 12,
            fee: "80.01",
            years: 3,
        })
        .await;

    let specialty = cardio.to_string();
    assert_eq!(names(&db, &[("specialty", &specialty)]).await, ["Reyes"]);
    // The minimum rating and the maximum fee include their bounds.
    assert_eq!(
        names(&db, &[("min_rating", "4")]).await,
        ["Reyes", "Haddad"]
    );
    assert_eq!(names(&db, &[("max_fee", "80")]).await, ["Reyes"]);
    assert_eq!(
        names(
            &db,
            &[
                ("max_fee", "150"),
                ("min_rating", "3.5"),
                ("specialty", &derma.to_string())
            ]
        )
        .await,
        ["Haddad", "Berg"]
    );
    // Three or more letters match anywhere in the name, ignoring case...
    assert_eq!(names(&db, &[("q", "ANN")]).await, ["Reyes", "Berg"]);
    assert_eq!(names(&db, &[("q", "joanna rey")]).await, ["Reyes"]);
    // ...one or two match the start of the first or last name.
    assert_eq!(names(&db, &[("q", "an")]).await, ["Berg"]);
    assert_eq!(names(&db, &[("q", "h")]).await, ["Haddad"]);
    // LIKE wildcards are plain text.
    assert!(names(&db, &[("q", "a_n")]).await.is_empty());

    // Available within N days: Joanna has a slot in two days, Annika only in ten.
    clinic.slot(joanna, 2, 10).await;
    clinic.slot(annika, 10, 10).await;
    assert!(names(&db, &[("within", "1")]).await.is_empty());
    assert_eq!(names(&db, &[("within", "3")]).await, ["Reyes"]);
    assert_eq!(names(&db, &[("within", "14")]).await, ["Reyes", "Berg"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_results_and_bad_parameters_say_so() {
    let db = TestDb::new().await;
    let page = search(&db, &[("q", "nobody")]).await.expect("search");
    assert!(page.doctors.is_empty() && page.next.is_none() && page.previous.is_none());
    assert_eq!(page.matches.to_string(), "0 doctors");

    let err = search(&db, &[("min_rating", "six"), ("within", "0")])
        .await
        .expect_err("refused");
    assert!(err.message_for("min_rating").is_some() && err.message_for("within").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inactive_doctors_and_booked_or_past_slots_are_not_offered() {
    let db = TestDb::new().await;
    let clinic = Clinic::new(&db).await;
    let cardio = clinic.specialty("Cardiology").await;
    let gone = clinic.doctor(doctor("Gone", cardio, "5", 9, "50", 5)).await;
    let here = clinic.doctor(doctor("Here", cardio, "4", 9, "50", 5)).await;
    sqlx::query("UPDATE doctors SET is_active = FALSE WHERE id = $1")
        .bind(gone)
        .execute(&db.pool)
        .await
        .expect("deactivate");
    assert_eq!(names(&db, &[]).await, ["Here"]);
    assert!(matches!(
        directory::profile(&db.pool, &settings(), gone).await,
        Err(AppError::NotFound(_))
    ));

    // A slot earlier today has passed; a booked one is not free; the next free one is shown.
    let yesterday = clinic.slot(here, -1, 10).await;
    let booked = clinic.slot(here, 1, 9).await;
    clinic.slot(here, 1, 10).await;
    sqlx::query("UPDATE time_slots SET is_available = FALSE WHERE id = $1")
        .bind(booked)
        .execute(&db.pool)
        .await
        .expect("book");
    let page = search(&db, &[]).await.expect("search");
    let next = page.doctors[0].next_free_slot.expect("a free slot");
    assert_eq!(
        next.time(),
        NaiveTime::from_hms_opt(10, 0, 0).expect("time")
    );
    assert!(next > local_now());
    let week = directory::free_week(&db.pool, &settings(), here, &tomorrow_week())
        .await
        .expect("week");
    assert_eq!(week.slots.len(), 1);
    assert!(
        week.slots
            .iter()
            .all(|s| s.id != yesterday && s.id != booked)
    );
    // An inactive doctor's times are offered nowhere, not even through a week link.
    clinic.slot(gone, 1, 10).await;
    let hidden = directory::free_week(&db.pool, &settings(), gone, &tomorrow_week())
        .await
        .expect("week");
    assert!(hidden.slots.is_empty() && hidden.first_free.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_follow_each_other_without_gaps_or_repeats_in_both_directions() {
    let db = TestDb::new().await;
    let clinic = Clinic::new(&db).await;
    let cardio = clinic.specialty("Cardiology").await;
    // 45 doctors in only three distinct ratings, so page boundaries fall inside ties.
    let ratings = ["4.90", "4.50", "4.50"];
    for i in 0..45 {
        let last = format!("Doctor{i:02}");
        clinic
            .doctor(NewDoctor {
                first: "Pat",
                last: &last,
                specialty: cardio,
                rating: ratings[i % 3],
                reviews: 7,
                fee: "75",
                years: 10,
            })
            .await;
    }
    for sort in ["rating", "fee", "experience", "soonest"] {
        let mut seen = Vec::new();
        let mut pages = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut pairs = vec![("sort", sort)];
            if let Some(cursor) = after.as_deref() {
                pairs.push(("after", cursor));
            }
            let page = search(&db, &pairs).await.expect("page");
            assert_eq!(page.matches.count, 45);
            assert_eq!(page.previous.is_some(), after.is_some(), "{sort}");
            seen.extend(page.doctors.iter().map(|d| d.id));
            after = page.next.clone();
            pages.push(page);
            if after.is_none() {
                break;
            }
        }
        assert_eq!(
            pages.iter().map(|p| p.doctors.len()).collect::<Vec<_>>(),
            [20, 20, 5],
            "{sort}"
        );
        let mut unique = seen.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 45, "{sort}: every doctor exactly once");

        // "Previous" from the last page gives back the middle page, and from it the first.
        let back = |cursor: &str| {
            let cursor = cursor.to_owned();
            let db = &db;
            async move {
                search(db, &[("sort", sort), ("before", &cursor)])
                    .await
                    .expect("previous page")
            }
        };
        let middle = back(pages[2].previous.as_deref().expect("previous")).await;
        assert_eq!(middle.doctors, pages[1].doctors, "{sort}");
        let first = back(middle.previous.as_deref().expect("previous")).await;
        assert_eq!(first.doctors, pages[0].doctors, "{sort}");
        assert!(
            first.previous.is_none(),
            "{sort}: the first page has no previous"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kept_next_free_slot_follows_bookings_and_passing_time() {
    let db = TestDb::new().await;
    let clinic = Clinic::new(&db).await;
    let cardio = clinic.specialty("Cardiology").await;
    let doc = clinic.doctor(doctor("Kept", cardio, "4", 1, "50", 1)).await;
    let kept = || async {
        sqlx::query_scalar::<_, Option<NaiveDateTime>>(
            "SELECT next_free_slot_at FROM doctors WHERE id = $1",
        )
        .bind(doc)
        .fetch_one(&db.pool)
        .await
        .expect("value")
    };
    assert_eq!(kept().await, None);
    let later = clinic.slot(doc, 2, 10).await;
    let sooner = clinic.slot(doc, 1, 10).await;
    let day =
        |days: i64, hour: u32| (local_now().date() + Duration::days(days)).and_hms_opt(hour, 0, 0);
    assert_eq!(
        kept().await,
        day(1, 10),
        "an earlier slot brings it forward"
    );
    sqlx::query("UPDATE time_slots SET is_available = FALSE WHERE id = $1")
        .bind(sooner)
        .execute(&db.pool)
        .await
        .expect("book");
    assert_eq!(
        kept().await,
        day(2, 10),
        "booking it moves to the next free one"
    );
    sqlx::query("UPDATE time_slots SET is_available = TRUE WHERE id = $1")
        .bind(sooner)
        .execute(&db.pool)
        .await
        .expect("free again");
    assert_eq!(kept().await, day(1, 10), "freeing it brings it back");
    sqlx::query("DELETE FROM time_slots WHERE id = ANY($1)")
        .bind(vec![sooner, later])
        .execute(&db.pool)
        .await
        .expect("delete");
    assert_eq!(kept().await, None, "no free slots left");

    // A slot that has started is passed over by the refresh the server runs every minute.
    clinic.slot(doc, -1, 10).await;
    clinic.slot(doc, 3, 10).await;
    assert_eq!(kept().await, day(-1, 10));
    // Until then, searches look past the stale value to the live next free slot.
    assert_eq!(names(&db, &[("within", "7")]).await, ["Kept"]);
    assert!(names(&db, &[("within", "2")]).await.is_empty());
    let card = &search(&db, &[]).await.expect("search").doctors[0];
    assert_eq!(card.next_free_slot, day(3, 10));
    let changed = server::housekeeping::refresh_next_free_slots(&db.pool, &settings(), Utc::now())
        .await
        .expect("refresh");
    assert_eq!(changed, 1);
    assert_eq!(kept().await, day(3, 10));
}

/// The week link (its Monday) of tomorrow's week, where the tests' "1 day ahead" slots are.
fn tomorrow_week() -> String {
    let tomorrow = local_now().date() + Duration::days(1);
    app::domain::format::iso_date(app::domain::free_week::monday_of(tomorrow))
}
