//! Reviews and ratings against the real database: who may review what and how often, the form's
//! limits, the edit window on a moved clock, hiding and restoring, exact aggregates under
//! concurrent reviews, `recompute-ratings` correcting tampered doctors, the public page's order,
//! filter and pages, and anonymity in server-function answers and page HTML.

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;

use app::domain::AppError;
use app::domain::reviews::{AdminReviewParams, AdminReviewQuery, ReviewDraft, ReviewFilter};
use app::services::{accounts, reviews};

use crate::harness::{Clinic, NewDoctor, TestDb, body_text, form, get, post, settings, sign_in};

fn t0() -> DateTime<Utc> {
    "2030-03-04T10:00:00Z".parse().expect("instant")
}

fn draft(stars: &str, comment: &str, anonymous: bool) -> ReviewDraft {
    ReviewDraft::parse(Some(stars), comment, anonymous).expect("valid draft")
}

/// A clinic with one doctor (no reviews yet) and the admin the builder made.
struct World<'a> {
    db: &'a TestDb,
    clinic: Clinic<'a>,
    doctor: i64,
    /// Each visit gets its own past slot; this counts them so none overlap.
    visits: std::sync::atomic::AtomicI64,
}

impl<'a> World<'a> {
    async fn new(db: &'a TestDb) -> Self {
        let clinic = Clinic::new(db).await;
        let specialty = clinic.specialty("Cardiology").await;
        let doctor = clinic.doctor(new_doctor("Hart", specialty)).await;
        Self {
            db,
            clinic,
            doctor,
            visits: std::sync::atomic::AtomicI64::new(0),
        }
    }

    async fn another_doctor(&self, last: &str) -> i64 {
        let specialty: i64 = sqlx::query_scalar("SELECT id FROM specialties LIMIT 1")
            .fetch_one(&self.db.pool)
            .await
            .expect("specialty");
        self.clinic.doctor(new_doctor(last, specialty)).await
    }

    async fn admin(&self) -> i64 {
        sqlx::query_scalar("SELECT id FROM users WHERE username = 'root'")
            .fetch_one(&self.db.pool)
            .await
            .expect("admin")
    }

    /// A patient account without a password anyone knows.
    async fn patient(&self, username: &str) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO users (username, email, first_name, last_name, password_hash, user_type)
             VALUES ($1, $1 || '@example.com', 'Pat', 'Ient', 'x', 'patient') RETURNING id",
        )
        .bind(username)
        .fetch_one(&self.db.pool)
        .await
        .expect("patient")
    }

    /// An appointment of `patient` with `doctor` in a past slot, in `status`.
    async fn visit(&self, doctor: i64, patient: i64, status: &str) -> i64 {
        let n = self
            .visits
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Days back, then hours 8..17 of each day, so slots never overlap.
        let slot = self
            .clinic
            .slot(doctor, -1 - n / 10, 8 + (n % 10) as u32)
            .await;
        sqlx::query("UPDATE time_slots SET is_available = FALSE WHERE id = $1")
            .bind(slot)
            .execute(&self.db.pool)
            .await
            .expect("book the slot");
        sqlx::query_scalar(
            "INSERT INTO appointments (patient_id, doctor_id, time_slot_id, status, consultation_fee,
                                       hold_expires_at)
             VALUES ($1, $2, $3, $4, 80,
                     CASE WHEN $4 = 'pending' THEN now() + interval '15 minutes' END) RETURNING id",
        )
        .bind(patient)
        .bind(doctor)
        .bind(slot)
        .bind(status)
        .fetch_one(&self.db.pool)
        .await
        .expect("appointment")
    }

    async fn completed_visit(&self, patient: i64) -> i64 {
        self.visit(self.doctor, patient, "completed").await
    }

    /// The doctor's kept (average, count).
    async fn aggregates(&self, doctor: i64) -> (String, i32) {
        sqlx::query_as("SELECT average_rating::text, total_reviews FROM doctors WHERE id = $1")
            .bind(doctor)
            .fetch_one(&self.db.pool)
            .await
            .expect("aggregates")
    }
}

fn new_doctor(last: &str, specialty: i64) -> NewDoctor<'_> {
    NewDoctor {
        first: "Amelia",
        last,
        specialty,
        rating: "0",
        reviews: 0,
        fee: "80",
        years: 10,
    }
}

fn agg(average: &str, total: i32) -> (String, i32) {
    (average.to_owned(), total)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_patient_of_a_completed_visit_reviews_it_and_only_once() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let ann = world.patient("ann").await;
    let ben = world.patient("ben").await;
    let visit = world.completed_visit(ann).await;

    // Someone else's appointment is not found (ownership is part of the query).
    let err = reviews::create(&db.pool, ben, visit, &draft("1", "", false), t0())
        .await
        .expect_err("not ben's");
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");

    // Not completed: pending, confirmed or cancelled visits cannot be reviewed.
    for status in ["pending", "confirmed", "cancelled"] {
        let other = world.visit(world.doctor, ann, status).await;
        let err = reviews::create(&db.pool, ann, other, &draft("5", "", false), t0())
            .await
            .expect_err("not completed");
        assert!(
            matches!(&err, AppError::Conflict(m) if m.contains(status)),
            "{status}: {err:?}"
        );
    }
    assert_eq!(world.aggregates(world.doctor).await, agg("0.00", 0));

    reviews::create(&db.pool, ann, visit, &draft("4", "Kind.", false), t0())
        .await
        .expect("first review");
    assert_eq!(world.aggregates(world.doctor).await, agg("4.00", 1));

    // Twice: refused with a clear message, and the database holds one review.
    let err = reviews::create(&db.pool, ann, visit, &draft("1", "Again", false), t0())
        .await
        .expect_err("second review");
    assert!(
        matches!(&err, AppError::Conflict(m) if m.contains("already reviewed")),
        "{err:?}"
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM reviews")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(count, 1);
    assert_eq!(world.aggregates(world.doctor).await, agg("4.00", 1));

    // The database refuses a second review and a mismatched reviewer even when code does not ask.
    let direct = sqlx::query(
        "INSERT INTO reviews (appointment_id, patient_id, doctor_id, rating) VALUES ($1, $2, $3, 5)",
    )
    .bind(visit)
    .bind(ann)
    .bind(world.doctor)
    .execute(&db.pool)
    .await;
    assert!(direct.is_err(), "unique appointment_id");
    let ben_visit = world.completed_visit(ben).await;
    let wrong_patient = sqlx::query(
        "INSERT INTO reviews (appointment_id, patient_id, doctor_id, rating) VALUES ($1, $2, $3, 5)",
    )
    .bind(ben_visit)
    .bind(ann)
    .bind(world.doctor)
    .execute(&db.pool)
    .await;
    assert!(
        wrong_patient.is_err(),
        "the reviewer is the visit's patient"
    );

    // The patient's page lists Ben's visit as waiting, and Ann's as reviewed.
    let ben_lists = reviews::for_patient(&db.pool, &settings(), ben, t0())
        .await
        .expect("ben's lists");
    assert_eq!(ben_lists.pending.len(), 1);
    assert_eq!(ben_lists.pending[0].appointment_id, ben_visit);
    let ann_lists = reviews::for_patient(&db.pool, &settings(), ann, t0())
        .await
        .expect("ann's lists");
    assert!(ann_lists.pending.iter().all(|p| p.appointment_id != visit));
    assert_eq!(ann_lists.reviews.len(), 1);
    assert!(ann_lists.reviews[0].editable);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ratings_outside_one_to_five_and_long_comments_are_refused() {
    for bad in [
        None,
        Some("0"),
        Some("6"),
        Some("-3"),
        Some("4.5"),
        Some(""),
    ] {
        let err = ReviewDraft::parse(bad, "", false).expect_err("bad rating");
        assert!(err.message_for("rating").is_some(), "{bad:?}");
    }
    let long = "a".repeat(2001);
    let err = ReviewDraft::parse(Some("3"), &long, false).expect_err("long comment");
    assert!(
        err.message_for("comment")
            .expect("beside the comment")
            .contains("at most 2,000 characters")
    );
    assert!(ReviewDraft::parse(Some("3"), &"a".repeat(2000), false).is_ok());

    // The database refuses a rating out of range whatever the code does.
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let ann = world.patient("ann").await;
    let visit = world.completed_visit(ann).await;
    let direct = sqlx::query(
        "INSERT INTO reviews (appointment_id, patient_id, doctor_id, rating) VALUES ($1, $2, $3, 6)",
    )
    .bind(visit)
    .bind(ann)
    .bind(world.doctor)
    .execute(&db.pool)
    .await;
    assert!(direct.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_author_may_edit_for_seven_days_and_the_average_follows() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let ann = world.patient("ann").await;
    let ben = world.patient("ben").await;
    let ann_visit = world.completed_visit(ann).await;
    let ben_visit = world.completed_visit(ben).await;
    let review = reviews::create(&db.pool, ann, ann_visit, &draft("2", "Late.", false), t0())
        .await
        .expect("ann");
    reviews::create(&db.pool, ben, ben_visit, &draft("5", "", false), t0())
        .await
        .expect("ben");
    assert_eq!(world.aggregates(world.doctor).await, agg("3.50", 2));

    // Just inside the window: the change applies, and so does the average.
    let almost = t0() + Duration::days(7) - Duration::seconds(1);
    reviews::edit(
        &db.pool,
        ann,
        review,
        &draft("4", "Late, but thorough.", true),
        almost,
    )
    .await
    .expect("edit within 7 days");
    assert_eq!(world.aggregates(world.doctor).await, agg("4.50", 2));
    let lists = reviews::for_patient(&db.pool, &settings(), ann, almost)
        .await
        .expect("lists");
    assert!(lists.reviews[0].is_anonymous && lists.reviews[0].editable);

    // Someone else cannot edit it.
    let err = reviews::edit(&db.pool, ben, review, &draft("1", "", false), almost)
        .await
        .expect_err("not ben's");
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");

    // Past the window: refused, nothing changes, and the page says it is no longer editable.
    let late = t0() + Duration::days(7) + Duration::seconds(1);
    let err = reviews::edit(&db.pool, ann, review, &draft("1", "", false), late)
        .await
        .expect_err("too late");
    assert!(
        matches!(&err, AppError::Conflict(m) if m.contains("7 days")),
        "{err:?}"
    );
    assert_eq!(world.aggregates(world.doctor).await, agg("4.50", 2));
    let lists = reviews::for_patient(&db.pool, &settings(), ann, late)
        .await
        .expect("lists");
    assert!(!lists.reviews[0].editable);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_reviews_leave_the_average_and_the_page_until_restored() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let admin = world.admin().await;
    let mut ids = Vec::new();
    for (name, stars) in [("ann", "5"), ("ben", "4"), ("cy", "4"), ("dee", "1")] {
        let patient = world.patient(name).await;
        let visit = world.completed_visit(patient).await;
        ids.push(
            reviews::create(&db.pool, patient, visit, &draft(stars, name, false), t0())
                .await
                .expect("review"),
        );
    }
    // (5 + 4 + 4 + 1) / 4 = 3.5
    assert_eq!(world.aggregates(world.doctor).await, agg("3.50", 4));

    reviews::hide(&db.pool, admin, ids[3], "Abusive language", t0())
        .await
        .expect("hide");
    // (5 + 4 + 4) / 3 = 4.333... rounds to 4.33
    assert_eq!(world.aggregates(world.doctor).await, agg("4.33", 3));
    let page = reviews::public_page(
        &db.pool,
        &settings(),
        world.doctor,
        ReviewFilter::parse("", "").expect("filter"),
    )
    .await
    .expect("page");
    assert_eq!(page.reviews.len(), 3);
    assert!(page.reviews.iter().all(|r| r.comment != "dee"));
    assert_eq!(page.summary.counts, [0, 0, 0, 2, 1]);
    assert_eq!(page.summary.total, 3);

    // Hiding twice is refused; the author can no longer edit it.
    let err = reviews::hide(&db.pool, admin, ids[3], "Again", t0())
        .await
        .expect_err("already hidden");
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    let dee: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'dee'")
        .fetch_one(&db.pool)
        .await
        .expect("dee");
    let err = reviews::edit(&db.pool, dee, ids[3], &draft("5", "", false), t0())
        .await
        .expect_err("hidden");
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    let lists = reviews::for_patient(&db.pool, &settings(), dee, t0())
        .await
        .expect("dee's lists");
    assert_eq!(
        lists.reviews[0].hidden_reason.as_deref(),
        Some("Abusive language")
    );

    // The admin's list finds it among the hidden ones, with who hid it.
    let hidden = reviews::admin_list(
        &db.pool,
        &AdminReviewQuery::parse(&AdminReviewParams {
            q: "hart".into(),
            show: "hidden".into(),
            page: String::new(),
        })
        .expect("query"),
    )
    .await
    .expect("admin list");
    assert_eq!(hidden.matching, 1);
    assert_eq!(hidden.reviews[0].hidden_by.as_deref(), Some("root"));
    let none = reviews::admin_list(
        &db.pool,
        &AdminReviewQuery::parse(&AdminReviewParams {
            q: "nobody".into(),
            ..AdminReviewParams::default()
        })
        .expect("query"),
    )
    .await
    .expect("admin list");
    assert_eq!(none.matching, 0);

    reviews::restore(&db.pool, admin, ids[3])
        .await
        .expect("restore");
    assert_eq!(world.aggregates(world.doctor).await, agg("3.50", 4));
    let err = reviews::restore(&db.pool, admin, ids[3])
        .await
        .expect_err("not hidden");
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    // The database keeps the hiding's time, reason and admin together.
    let partial = sqlx::query("UPDATE reviews SET hidden_at = now() WHERE id = $1")
        .bind(ids[0])
        .execute(&db.pool)
        .await;
    assert!(partial.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_reviews_of_one_doctor_at_once_keep_the_aggregates_exact() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let admin = world.admin().await;
    // A lost update needs an unlucky interleaving, so several rounds, each with a fresh doctor,
    // give the race many chances (without the row lock this fails almost every run).
    for round in 0..20 {
        let doctor = world.another_doctor(&format!("Round{round}")).await;
        let mut visits = Vec::new();
        for i in 0..12 {
            let patient = world.patient(&format!("r{round}patient{i}")).await;
            visits.push((patient, world.visit(doctor, patient, "completed").await));
        }
        // One review to hide while the others arrive.
        let (first_patient, first_visit) = visits[0];
        let to_hide = reviews::create(
            &db.pool,
            first_patient,
            first_visit,
            &draft("1", "", false),
            t0(),
        )
        .await
        .expect("first");

        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(visits.len()));
        let mut tasks = Vec::new();
        for (i, (patient, visit)) in visits.iter().copied().enumerate().skip(1) {
            let pool = db.pool.clone();
            let barrier = barrier.clone();
            let stars = ((i % 5) + 1).to_string();
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                reviews::create(&pool, patient, visit, &draft(&stars, "", i % 2 == 0), t0()).await
            }));
        }
        let hider = {
            let pool = db.pool.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                reviews::hide(&pool, admin, to_hide, "Spam", t0()).await
            })
        };
        for task in tasks {
            task.await.expect("task").expect("review");
        }
        hider.await.expect("task").expect("hide");

        // Visible: patients 1..=11 with stars (i % 5) + 1, that is 32 stars: 2.909... -> 2.91.
        let sum: i64 = (1..12).map(|i| (i % 5) as i64 + 1).sum();
        let expected = (Decimal::from(sum) / Decimal::from(11)).round_dp(2);
        let (average, total): (Decimal, i32) =
            sqlx::query_as("SELECT average_rating, total_reviews FROM doctors WHERE id = $1")
                .bind(doctor)
                .fetch_one(&db.pool)
                .await
                .expect("aggregates");
        assert_eq!((average, total), (expected, 11), "round {round}");
    }
    // And the recompute finds nothing to correct.
    let corrections = reviews::recompute_all(&db.pool, |_, _| {})
        .await
        .expect("recompute");
    assert!(corrections.is_empty(), "{corrections:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recompute_ratings_corrects_tampered_doctors_and_says_which() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let nair = world.another_doctor("Nair").await;
    let quiet = world.another_doctor("Quiet").await;
    for (name, doctor, stars) in [
        ("ann", world.doctor, "5"),
        ("ben", world.doctor, "3"),
        ("cy", nair, "4"),
    ] {
        let patient = world.patient(name).await;
        let visit = world.visit(doctor, patient, "completed").await;
        reviews::create(&db.pool, patient, visit, &draft(stars, "", false), t0())
            .await
            .expect("review");
    }
    // Someone edits the aggregates by hand: Hart's average and Quiet's count.
    sqlx::query("UPDATE doctors SET average_rating = 1.25 WHERE id = $1")
        .bind(world.doctor)
        .execute(&db.pool)
        .await
        .expect("tamper");
    sqlx::query("UPDATE doctors SET average_rating = 4.9, total_reviews = 12 WHERE id = $1")
        .bind(quiet)
        .execute(&db.pool)
        .await
        .expect("tamper");

    let mut progress = Vec::new();
    let corrections = reviews::recompute_all(&db.pool, |done, all| progress.push((done, all)))
        .await
        .expect("recompute");
    assert_eq!(progress.last(), Some(&(3, 3)));
    let mut found: Vec<(i64, String, i32, String, i32)> = corrections
        .iter()
        .map(|c| {
            (
                c.doctor_id,
                c.old_average.to_string(),
                c.old_total,
                c.new_average.to_string(),
                c.new_total,
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (world.doctor, "1.25".into(), 2, "4.00".into(), 2),
            (quiet, "4.90".into(), 12, "0".into(), 0),
        ]
    );
    assert!(corrections[0].to_string().contains("Dr. Amelia"));
    assert_eq!(world.aggregates(world.doctor).await, agg("4.00", 2));
    assert_eq!(world.aggregates(quiet).await, agg("0.00", 0));
    assert_eq!(world.aggregates(nair).await, agg("4.00", 1));

    // A second run has nothing to do.
    let again = reviews::recompute_all(&db.pool, |_, _| {})
        .await
        .expect("recompute");
    assert!(again.is_empty(), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_page_is_newest_first_ten_at_a_time_and_filters_by_stars() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    // 23 reviews, one a minute: comment "r0" is the oldest; stars cycle 1..5.
    for i in 0..23 {
        let patient = world.patient(&format!("p{i}")).await;
        let visit = world.completed_visit(patient).await;
        let stars = ((i % 5) + 1).to_string();
        reviews::create(
            &db.pool,
            patient,
            visit,
            &draft(&stars, &format!("r{i}"), false),
            t0() + Duration::minutes(i),
        )
        .await
        .expect("review");
    }
    let page = |stars: &'static str, page: &'static str| {
        let pool = db.pool.clone();
        let doctor = world.doctor;
        async move {
            reviews::public_page(
                &pool,
                &settings(),
                doctor,
                ReviewFilter::parse(stars, page).expect("filter"),
            )
            .await
            .expect("page")
        }
    };
    let comments = |p: &app::domain::reviews::DoctorReviewsPage| {
        p.reviews
            .iter()
            .map(|r| r.comment.clone())
            .collect::<Vec<_>>()
    };

    let first = page("", "").await;
    assert_eq!((first.page, first.pages, first.matching), (1, 3, 23));
    assert_eq!(first.reviews.len(), 10);
    assert_eq!(comments(&first)[..3], ["r22", "r21", "r20"]);
    assert_eq!(first.summary.counts, [5, 5, 5, 4, 4]);
    assert_eq!(first.reviews[0].author, "Pat I.");
    let third = page("", "3").await;
    assert_eq!(comments(&third), ["r2", "r1", "r0"]);
    // A page past the end shows the last page.
    assert_eq!(page("", "99").await.page, 3);

    // Five stars: reviews 4, 9, 14, 19 — newest first, one page.
    let five = page("5", "").await;
    assert_eq!(comments(&five), ["r19", "r14", "r9", "r4"]);
    assert_eq!((five.pages, five.matching, five.stars), (1, 4, Some(5)));
    assert!(ReviewFilter::parse("7", "").is_err());

    // An inactive doctor's reviews are not public.
    sqlx::query("UPDATE doctors SET is_active = FALSE WHERE id = $1")
        .bind(world.doctor)
        .execute(&db.pool)
        .await
        .expect("deactivate");
    let gone = reviews::public_page(
        &db.pool,
        &settings(),
        world.doctor,
        ReviewFilter::parse("", "").expect("filter"),
    )
    .await;
    assert!(matches!(gone, Err(AppError::NotFound(_))));
}

/// Registers `username` with a name, and gives the account `role`.
async fn account(db: &TestDb, username: &str, first: &str, last: &str, role: &str) -> i64 {
    let mut registration = form(username, &format!("{username}@example.com"));
    registration.first_name = first.to_owned();
    registration.last_name = last.to_owned();
    let user = accounts::register(&db.pool, registration, Utc::now())
        .await
        .expect("register");
    sqlx::query("UPDATE users SET user_type = $2 WHERE id = $1")
        .bind(user.id)
        .bind(role)
        .execute(&db.pool)
        .await
        .expect("role");
    user.id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_reviews_never_reveal_the_patient_in_answers_or_html() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let zeb = account(&db, "zquill", "Zebedee", "Quillfeather", "patient").await;
    let ann = account(&db, "annlee", "Ann", "Lee", "patient").await;
    account(&db, "boss", "Bo", "Boss", "admin").await;
    let doc_user = account(&db, "drwho", "Dora", "Who", "doctor").await;
    sqlx::query("UPDATE doctors SET user_id = $2 WHERE id = $1")
        .bind(world.doctor)
        .bind(doc_user)
        .execute(&db.pool)
        .await
        .expect("the doctor signs in as drwho");
    let zeb_visit = world.completed_visit(zeb).await;
    let ann_visit = world.completed_visit(ann).await;

    // Over HTTP, with each role's checks: visitors, doctors and admins cannot post a review.
    let body = format!("appointment_id={zeb_visit}&rating=5&comment=Excellent+care&anonymous=on");
    let refused = post(&db, "/api/reviews/create", &body, &[]).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    for who in ["drwho", "boss"] {
        let cookie = sign_in(&db, who).await;
        let refused = post(
            &db,
            "/api/reviews/create",
            &body,
            &[("cookie", cookie.as_str())],
        )
        .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{who}");
    }
    let zeb_cookie = sign_in(&db, "zquill").await;
    let bad = post(
        &db,
        "/api/reviews/create",
        &format!("appointment_id={zeb_visit}&rating=6&comment="),
        &[("cookie", zeb_cookie.as_str())],
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let posted = post(
        &db,
        "/api/reviews/create",
        &body,
        &[("cookie", zeb_cookie.as_str())],
    )
    .await;
    assert_eq!(
        posted.status(),
        StatusCode::OK,
        "{}",
        body_text(posted).await
    );
    let ann_cookie = sign_in(&db, "annlee").await;
    let posted = post(
        &db,
        "/api/reviews/create",
        &format!("appointment_id={ann_visit}&rating=3&comment=Fine"),
        &[("cookie", ann_cookie.as_str())],
    )
    .await;
    assert_eq!(posted.status(), StatusCode::OK);
    // A patient cannot hide reviews.
    let refused = post(
        &db,
        "/api/reviews/admin/hide",
        "review_id=1&reason=x",
        &[("cookie", ann_cookie.as_str())],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let id_field = format!("\"patient_id\":{zeb}");
    let secrets = |text: &str, place: &str| {
        for secret in ["Zebedee", "Quillfeather", "zquill", id_field.as_str()] {
            assert!(!text.contains(secret), "{place} reveals {secret}: {text}");
        }
    };
    // The public server function's JSON.
    let (status, _, json) = get(
        &db,
        &format!(
            "/api/reviews/doctor?doctor_id={}&stars=&page=",
            world.doctor
        ),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        json.contains("Anonymous patient") && json.contains("Ann L."),
        "{json}"
    );
    assert!(json.contains("Excellent care"));
    secrets(&json, "the public reviews answer");

    // The doctor's page HTML (with its embedded hydration data).
    let (status, _, html) = get(&db, &format!("/doctors/{}", world.doctor), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Anonymous patient") && html.contains("Excellent care"),
        "{html}"
    );
    assert!(html.contains("How patients rated"));
    secrets(&html, "the doctor's page");

    // The doctor's and the admin's lists keep the anonymity too.
    let doc_cookie = sign_in(&db, "drwho").await;
    let received = post(
        &db,
        "/api/reviews/received",
        "page=",
        &[("cookie", doc_cookie.as_str())],
    )
    .await;
    assert_eq!(received.status(), StatusCode::OK);
    let json = body_text(received).await;
    assert!(json.contains("Anonymous patient"), "{json}");
    secrets(&json, "the doctor's reviews answer");
    let (_, _, html) = get(&db, "/doctor/reviews", Some(&doc_cookie)).await;
    assert!(html.contains("Anonymous patient"), "{html}");
    secrets(&html, "the doctor's reviews page");
    let admin_cookie = sign_in(&db, "boss").await;
    let listed = post(
        &db,
        "/api/reviews/admin/list",
        "q=&show=&page=",
        &[("cookie", admin_cookie.as_str())],
    )
    .await;
    assert_eq!(listed.status(), StatusCode::OK);
    let json = body_text(listed).await;
    secrets(&json, "the admin's list");

    // The author sees their own review on their page.
    let (status, _, html) = get(&db, "/reviews", Some(&zeb_cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Excellent care") && html.contains("anonymously"),
        "{html}"
    );
}
