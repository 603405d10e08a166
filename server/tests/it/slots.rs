//! Time slots against the real database: each creation rule (end after start, past, horizon,
//! overlap, even when requests race), bulk plans skipping and reporting overlaps, deleting free
//! slots but never booked ones or appointment history, blocking and freeing, who may touch
//! whose slots (through the services and over HTTP), and both daylight-saving changes.

use axum::http::StatusCode;
use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};

use app::domain::slots::{BulkPlan, BulkPlanForm, BulkStage, SlotState, SlotTime};
use app::domain::{AppError, UserRole};
use app::services::accounts;
use app::services::{acting::Acting, slots};

use crate::harness::{
    Clinic, NewDoctor, PASSWORD, TestDb, at, body_text, count, date, form, get, post, settings,
    sign_in,
};

/// Monday 7 January 2030, 08:00 in London (GMT in winter).
fn monday_morning() -> DateTime<Utc> {
    at("2030-01-07T08:00:00Z")
}

fn time(text: &str) -> NaiveTime {
    NaiveTime::parse_from_str(text, "%H:%M").expect("time")
}

fn slot(day: &str, start: &str, end: &str) -> SlotTime {
    SlotTime::new(date(day), time(start), time(end)).expect("slot")
}

fn plan_form(from: &str, to: &str, day_start: &str, day_end: &str) -> BulkPlanForm {
    BulkPlanForm {
        from: from.into(),
        to: to.into(),
        weekdays: [true; 7],
        day_start: day_start.into(),
        day_end: day_end.into(),
        slot_minutes: "30".into(),
        break_start: String::new(),
        break_end: String::new(),
        gap_minutes: String::new(),
    }
}

/// Two doctors and their user ids, and an admin.
struct Setup {
    a: i64,
    a_user: i64,
    b: i64,
    b_user: i64,
    admin: i64,
}

async fn setup(db: &TestDb) -> Setup {
    let clinic = Clinic::new(db).await;
    let specialty = clinic.specialty("Cardiology").await;
    let doctor = |last| NewDoctor {
        first: "Sam",
        last,
        specialty,
        rating: "0",
        reviews: 0,
        fee: "50",
        years: 5,
    };
    let a = clinic.doctor(doctor("Avery")).await;
    let b = clinic.doctor(doctor("Blake")).await;
    let user_of = |doctor: i64| async move {
        sqlx::query_scalar::<_, i64>("SELECT user_id FROM doctors WHERE id = $1")
            .bind(doctor)
            .fetch_one(&db.pool)
            .await
            .expect("user")
    };
    let admin = sqlx::query_scalar("SELECT id FROM users WHERE user_type = 'admin'")
        .fetch_one(&db.pool)
        .await
        .expect("admin");
    Setup {
        a,
        a_user: user_of(a).await,
        b,
        b_user: user_of(b).await,
        admin,
    }
}

async fn as_doctor(db: &TestDb, user: i64) -> Acting {
    slots::acting(&db.pool, user, UserRole::Doctor, None)
        .await
        .expect("a doctor acts on their own slots")
}

/// A patient with an appointment in `slot_id`, in `status`.
async fn appointment(db: &TestDb, slot_id: i64, status: &str) {
    let patient: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, email, first_name, last_name, password_hash, user_type)
         VALUES ('p' || $1 || $2, 'p' || $1 || $2 || '@example.com', 'Pat', 'Jones', 'x', 'patient')
         RETURNING id",
    )
    .bind(slot_id)
    .bind(status)
    .fetch_one(&db.pool)
    .await
    .expect("patient");
    sqlx::query(
        "INSERT INTO appointments (patient_id, doctor_id, time_slot_id, status, consultation_fee,
                                   hold_expires_at)
         SELECT $1, doctor_id, id, $3, 50,
                CASE WHEN $3 = 'pending' THEN now() + interval '15 minutes' END
           FROM time_slots WHERE id = $2",
    )
    .bind(patient)
    .bind(slot_id)
    .bind(status)
    .execute(&db.pool)
    .await
    .expect("appointment");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_slot_lies_ahead_within_the_horizon_and_overlaps_nothing() {
    let db = TestDb::new().await;
    let s = setup(&db).await;
    let settings = settings();
    let now = monday_morning();
    let doctor = as_doctor(&db, s.a_user).await;

    // End after start: refused before it reaches the service, beside the end time.
    let err = SlotTime::parse("2030-01-08", "10:00", "09:30").expect_err("backwards");
    assert!(err.message_for("end_time").is_some());

    // In the past: earlier today, and a slot starting exactly now.
    for (start, end) in [("07:00", "07:30"), ("08:00", "08:30")] {
        let err = slots::create_one(
            &db.pool,
            &settings,
            &doctor,
            &slot("2030-01-07", start, end),
            now,
        )
        .await
        .expect_err("past");
        assert!(
            err.message_for("start_time")
                .expect("beside the start")
                .contains("already passed"),
            "{err:?}"
        );
    }
    // The horizon: 180 days ahead is the last day allowed.
    let last = date("2030-01-07") + Days::new(180);
    let beyond = last + Days::new(1);
    let err = slots::create_one(
        &db.pool,
        &settings,
        &doctor,
        &SlotTime::new(beyond, time("09:00"), time("09:30")).expect("slot"),
        now,
    )
    .await
    .expect_err("too far ahead");
    assert!(
        err.message_for("date")
            .expect("beside the date")
            .contains("180 days")
    );
    slots::create_one(
        &db.pool,
        &settings,
        &doctor,
        &SlotTime::new(last, time("09:00"), time("09:30")).expect("slot"),
        now,
    )
    .await
    .expect("the last day is allowed");

    // Overlap: refused with the slot in the way named; touching is fine.
    slots::create_one(
        &db.pool,
        &settings,
        &doctor,
        &slot("2030-01-08", "09:00", "09:30"),
        now,
    )
    .await
    .expect("create");
    let err = slots::create_one(
        &db.pool,
        &settings,
        &doctor,
        &slot("2030-01-08", "09:15", "09:45"),
        now,
    )
    .await
    .expect_err("overlap");
    assert_eq!(
        err,
        AppError::Conflict(
            "This slot overlaps the slot Tue 8 Jan 09:00–09:30. Choose a time that does not overlap, or delete that slot first."
                .to_owned()
        )
    );
    slots::create_one(
        &db.pool,
        &settings,
        &doctor,
        &slot("2030-01-08", "09:30", "10:00"),
        now,
    )
    .await
    .expect("touching slots do not overlap");
    // Another doctor's slot at the same time is no overlap.
    let other = as_doctor(&db, s.b_user).await;
    slots::create_one(
        &db.pool,
        &settings,
        &other,
        &slot("2030-01-08", "09:00", "09:30"),
        now,
    )
    .await
    .expect("another doctor");

    // created_by records who acted: the doctor, or an admin acting for them.
    let admin = slots::acting(&db.pool, s.admin, UserRole::Admin, Some(s.a))
        .await
        .expect("admin");
    slots::create_one(
        &db.pool,
        &settings,
        &admin,
        &slot("2030-01-09", "09:00", "09:30"),
        now,
    )
    .await
    .expect("admin creates");
    let creators: Vec<(NaiveDate, i64)> = sqlx::query_as(
        "SELECT date, created_by FROM time_slots WHERE doctor_id = $1 AND start_time = '09:00' ORDER BY date",
    )
    .bind(s.a)
    .fetch_all(&db.pool)
    .await
    .expect("slots");
    assert_eq!(
        creators,
        [
            (date("2030-01-08"), s.a_user),
            (date("2030-01-09"), s.admin),
            (last, s.a_user)
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_requests_for_overlapping_slots_leave_exactly_one() {
    let db = TestDb::new().await;
    let s = setup(&db).await;
    let doctor = as_doctor(&db, s.a_user).await;
    let now = monday_morning();
    // Eight requests at once: the same slot, and slots shifted by 5 minutes, all overlapping.
    let tasks: Vec<_> = (0..8u32)
        .map(|i| {
            let pool = db.pool.clone();
            let start = NaiveTime::from_hms_opt(10, (i % 4) * 5, 0).expect("time");
            let end = start + chrono::Duration::minutes(30);
            tokio::spawn(async move {
                let slot = SlotTime::new(date("2030-01-10"), start, end).expect("slot");
                slots::create_one(&pool, &settings(), &doctor, &slot, now).await
            })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => won += 1,
            Err(AppError::Conflict(message)) => {
                assert!(
                    message.starts_with("This slot overlaps the slot Thu 10 Jan 10:"),
                    "{message}"
                )
            }
            Err(other) => panic!("unexpected error: {other:?}"),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(count(&db, "SELECT count(*) FROM time_slots").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bulk_plans_skip_overlaps_and_report_them_even_when_racing() {
    let db = TestDb::new().await;
    let s = setup(&db).await;
    let settings = settings();
    let doctor = as_doctor(&db, s.a_user).await;
    let now = monday_morning();
    // An existing slot that overlaps two of the plan's: 09:15-09:45.
    slots::create_one(
        &db.pool,
        &settings,
        &doctor,
        &slot("2030-01-08", "09:15", "09:45"),
        now,
    )
    .await
    .expect("existing");

    // Monday to Friday 14-18 January, 09:00-17:00 with lunch 12:00-13:00: 14 a day.
    let form = BulkPlanForm {
        weekdays: [true, true, true, true, true, false, false],
        break_start: "12:00".into(),
        break_end: "13:00".into(),
        ..plan_form("2030-01-08", "2030-01-18", "09:00", "17:00")
    };
    let plan = BulkPlan::parse(&form).expect("plan");
    let preview = slots::preview(&db.pool, &settings, &doctor, &plan, form.clone(), now)
        .await
        .expect("preview");
    assert_eq!(preview.stage, BulkStage::Preview);
    // 9 weekdays from Tue 8 to Fri 18, minus the two overlapping slots.
    assert_eq!(preview.total(), 9 * 14 - 2);
    assert_eq!(
        preview.overlapping,
        [
            slot("2030-01-08", "09:00", "09:30"),
            slot("2030-01-08", "09:30", "10:00")
        ]
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM time_slots").await,
        1,
        "a preview creates nothing"
    );

    // The same plan twice at once: every slot exists once, and the two reports add up.
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let (pool, plan, form, doctor) = (db.pool.clone(), plan.clone(), form.clone(), doctor);
            tokio::spawn(async move {
                slots::create_bulk(
                    &pool,
                    &crate::harness::settings(),
                    &doctor,
                    &plan,
                    form,
                    now,
                )
                .await
            })
        })
        .collect();
    let mut created = 0;
    let mut overlapping = 0;
    for run in runs {
        let report = run.await.expect("task").expect("bulk");
        assert_eq!(report.stage, BulkStage::Created);
        created += report.total();
        overlapping += report.overlapping.len() as u32;
    }
    assert_eq!(created, preview.total());
    assert_eq!(overlapping, 2 + (preview.total() + 2));
    assert_eq!(
        count(&db, "SELECT count(*) FROM time_slots").await,
        1 + i64::from(preview.total())
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM time_slots WHERE start_time >= '12:00' AND start_time < '13:00'"
        )
        .await,
        0,
        "none in the lunch break"
    );

    // Past candidates are left out and reported; a date before today is refused.
    let today = BulkPlanForm {
        weekdays: [true; 7],
        ..plan_form("2030-01-07", "2030-01-07", "07:00", "09:00")
    };
    let report = slots::preview(
        &db.pool,
        &settings,
        &doctor,
        &BulkPlan::parse(&today).expect("plan"),
        today,
        now,
    )
    .await
    .expect("preview");
    // 07:00, 07:30 and 08:00 (starting right now) are past; 08:30 is not.
    assert_eq!((report.past.len(), report.total()), (3, 1));
    let yesterday = plan_form("2030-01-06", "2030-01-07", "09:00", "10:00");
    let err = slots::preview(
        &db.pool,
        &settings,
        &doctor,
        &BulkPlan::parse(&yesterday).expect("plan"),
        yesterday,
        now,
    )
    .await
    .expect_err("before today");
    assert!(err.message_for("from").is_some());
    // The horizon applies to the last date, and huge plans are capped.
    let far = plan_form("2030-06-01", "2030-07-10", "09:00", "10:00");
    let err = slots::preview(
        &db.pool,
        &settings,
        &doctor,
        &BulkPlan::parse(&far).expect("plan"),
        far,
        now,
    )
    .await
    .expect_err("beyond the horizon");
    assert!(
        err.message_for("to")
            .expect("beside the last date")
            .contains("180 days")
    );
    let huge = BulkPlanForm {
        slot_minutes: "5".into(),
        ..plan_form("2030-01-08", "2030-03-01", "08:00", "20:00")
    };
    let err = slots::create_bulk(
        &db.pool,
        &settings,
        &doctor,
        &BulkPlan::parse(&huge).expect("plan"),
        huge,
        now,
    )
    .await
    .expect_err("too many");
    assert!(err.to_string().contains("more than 2000 slots"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booked_slots_stay_and_slots_with_history_are_kept_unavailable() {
    let db = TestDb::new().await;
    let s = setup(&db).await;
    let settings = settings();
    let doctor = as_doctor(&db, s.a_user).await;
    let now = monday_morning();
    let create = |day: &'static str, start: &'static str, end: &'static str| {
        let (pool, settings) = (db.pool.clone(), settings.clone());
        async move {
            slots::create_one(&pool, &settings, &doctor, &slot(day, start, end), now)
                .await
                .expect("create")
        }
    };
    let booked = create("2030-01-08", "09:00", "09:30").await;
    let cancelled = create("2030-01-08", "09:30", "10:00").await;
    let free = create("2030-01-08", "10:00", "10:30").await;
    appointment(&db, booked, "confirmed").await;
    appointment(&db, cancelled, "cancelled").await;

    let err = slots::delete_one(&db.pool, &settings, &doctor, booked, now)
        .await
        .expect_err("booked");
    assert_eq!(
        err,
        AppError::Conflict("This slot is booked: cancel the appointment instead.".to_owned())
    );
    // Deleting would cascade to the cancelled appointment: the slot is blocked instead.
    let report = slots::delete_one(&db.pool, &settings, &doctor, cancelled, now)
        .await
        .expect("kept");
    assert_eq!((report.deleted, report.kept_with_history), (0, 1));
    assert!(
        report
            .summary()
            .contains("Kept 1 with appointment history, marked unavailable.")
    );
    let report = slots::delete_one(&db.pool, &settings, &doctor, free, now)
        .await
        .expect("deleted");
    assert_eq!(report.deleted, 1);
    assert_eq!(
        count(&db, "SELECT count(*) FROM appointments").await,
        2,
        "no history lost"
    );
    let available: Vec<(i64, bool)> =
        sqlx::query_as("SELECT id, is_available FROM time_slots ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .expect("slots");
    assert_eq!(available, [(booked, true), (cancelled, false)]);
    assert!(matches!(
        slots::delete_one(&db.pool, &settings, &doctor, free, now).await,
        Err(AppError::NotFound(_))
    ));

    // The calendar shows each state, the booked one with the patient's name.
    let past = create("2030-01-07", "09:00", "09:30").await;
    let later = at("2030-01-07T10:00:00Z");
    let week = slots::week(
        &db.pool,
        &settings,
        &doctor,
        Some(date("2030-01-09")),
        later,
    )
    .await
    .expect("week");
    assert_eq!(week.days.len(), 7);
    assert_eq!(week.days[0].date, date("2030-01-07"));
    assert_eq!(week.today, date("2030-01-07"));
    let states: Vec<(i64, SlotState)> = week
        .days
        .iter()
        .flat_map(|day| day.slots.iter().map(|s| (s.id, s.state.clone())))
        .collect();
    assert_eq!(
        states,
        [
            (past, SlotState::Past),
            (
                booked,
                SlotState::Booked {
                    patient: "Pat Jones".to_owned()
                }
            ),
            (cancelled, SlotState::Unavailable),
        ]
    );
    let err = slots::delete_one(&db.pool, &settings, &doctor, past, later)
        .await
        .expect_err("started");
    assert!(matches!(err, AppError::Conflict(m) if m.contains("already started")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_or_a_range_loses_only_its_free_future_slots() {
    let db = TestDb::new().await;
    let s = setup(&db).await;
    let settings = settings();
    let doctor = as_doctor(&db, s.a_user).await;
    let other = as_doctor(&db, s.b_user).await;
    let now = monday_morning();
    let form = plan_form("2030-01-07", "2030-01-11", "08:00", "10:00");
    let plan = BulkPlan::parse(&form).expect("plan");
    // 4 a day, Monday to Friday; 08:00 on Monday has passed by now (08:00).
    let report = slots::create_bulk(&db.pool, &settings, &doctor, &plan, form.clone(), now)
        .await
        .expect("bulk");
    assert_eq!((report.total(), report.past.len()), (19, 1));
    slots::create_bulk(&db.pool, &settings, &other, &plan, form, now)
        .await
        .expect("the other doctor's week");
    let tuesday: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM time_slots WHERE doctor_id = $1 AND date = '2030-01-08' ORDER BY start_time",
    )
    .bind(s.a)
    .fetch_all(&db.pool)
    .await
    .expect("ids");
    appointment(&db, tuesday[0], "pending").await;
    appointment(&db, tuesday[1], "cancelled").await;

    let later = at("2030-01-07T08:45:00Z");
    let report = slots::delete_day(&db.pool, &settings, &doctor, date("2030-01-07"), later)
        .await
        .expect("monday");
    // 08:30 has started; 09:00 and 09:30 go.
    assert_eq!((report.deleted, report.started), (2, 1));
    let report = slots::delete_range(
        &db.pool,
        &settings,
        &doctor,
        date("2030-01-08"),
        date("2030-01-10"),
        later,
    )
    .await
    .expect("range");
    assert_eq!(
        (report.deleted, report.kept_with_history, report.booked),
        (4 + 4 + 2, 1, 1)
    );
    assert_eq!(
        count(
            &db,
            &format!("SELECT count(*) FROM time_slots WHERE doctor_id = {}", s.a)
        )
        .await,
        1 + 2 + 4,
        "the started Monday slot, Tuesday's booked and kept slots, Friday untouched"
    );
    assert_eq!(
        count(
            &db,
            &format!("SELECT count(*) FROM time_slots WHERE doctor_id = {}", s.b)
        )
        .await,
        19,
        "the other doctor keeps every slot"
    );
    let err = slots::delete_range(
        &db.pool,
        &settings,
        &doctor,
        date("2030-01-10"),
        date("2030-01-08"),
        later,
    )
    .await
    .expect_err("backwards");
    assert!(err.message_for("last_day").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_free_slot_is_blocked_and_freed_but_not_a_booked_or_started_one() {
    let db = TestDb::new().await;
    let s = setup(&db).await;
    let settings = settings();
    let doctor = as_doctor(&db, s.a_user).await;
    let now = monday_morning();
    let id = slots::create_one(
        &db.pool,
        &settings,
        &doctor,
        &slot("2030-01-08", "09:00", "09:30"),
        now,
    )
    .await
    .expect("create");
    let available = || async {
        sqlx::query_scalar::<_, bool>("SELECT is_available FROM time_slots WHERE id = $1")
            .bind(id)
            .fetch_one(&db.pool)
            .await
            .expect("slot")
    };
    let next_free = || async {
        sqlx::query_scalar::<_, Option<chrono::NaiveDateTime>>(
            "SELECT next_free_slot_at FROM doctors WHERE id = $1",
        )
        .bind(s.a)
        .fetch_one(&db.pool)
        .await
        .expect("doctor")
    };
    slots::set_unavailable(&db.pool, &settings, &doctor, id, true, now)
        .await
        .expect("block");
    assert!(!available().await);
    assert_eq!(next_free().await, None, "the directory no longer offers it");
    slots::set_unavailable(&db.pool, &settings, &doctor, id, false, now)
        .await
        .expect("free");
    assert!(available().await);
    assert!(next_free().await.is_some());

    let started = at("2030-01-08T09:10:00Z");
    let err = slots::set_unavailable(&db.pool, &settings, &doctor, id, true, started)
        .await
        .expect_err("started");
    assert!(matches!(err, AppError::Conflict(_)));
    appointment(&db, id, "confirmed").await;
    let err = slots::set_unavailable(&db.pool, &settings, &doctor, id, true, now)
        .await
        .expect_err("booked");
    assert!(matches!(err, AppError::Conflict(m) if m.contains("booked")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_doctor_reaches_only_their_own_slots_through_the_services() {
    let db = TestDb::new().await;
    let s = setup(&db).await;
    let settings = settings();
    let now = monday_morning();
    let a = as_doctor(&db, s.a_user).await;
    let b = as_doctor(&db, s.b_user).await;
    assert_eq!((a.doctor_id(), b.doctor_id()), (s.a, s.b));
    let theirs = slots::create_one(
        &db.pool,
        &settings,
        &b,
        &slot("2030-01-08", "09:00", "09:30"),
        now,
    )
    .await
    .expect("b's slot");

    // Naming another doctor is refused; patients manage nobody's slots; an admin must name one.
    assert_eq!(
        slots::acting(&db.pool, s.a_user, UserRole::Doctor, Some(s.b)).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        slots::acting(&db.pool, s.a_user, UserRole::Patient, Some(s.a)).await,
        Err(AppError::Forbidden)
    );
    assert!(
        slots::acting(&db.pool, s.admin, UserRole::Admin, None)
            .await
            .is_err()
    );
    assert!(matches!(
        slots::acting(&db.pool, s.admin, UserRole::Admin, Some(999_999)).await,
        Err(AppError::NotFound(_))
    ));

    // A's acting scope cannot see B's slot, whatever the id.
    assert!(matches!(
        slots::delete_one(&db.pool, &settings, &a, theirs, now).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        slots::set_unavailable(&db.pool, &settings, &a, theirs, true, now).await,
        Err(AppError::NotFound(_))
    ));
    let report = slots::delete_day(&db.pool, &settings, &a, date("2030-01-08"), now)
        .await
        .expect("a's own empty day");
    assert_eq!(report.deleted, 0);
    let week = slots::week(&db.pool, &settings, &a, Some(date("2030-01-08")), now)
        .await
        .expect("week");
    assert!(week.days.iter().all(|day| day.slots.is_empty()));
    assert_eq!(
        count(&db, "SELECT count(*) FROM time_slots WHERE is_available").await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_http_only_a_slots_own_doctor_or_an_admin_may_change_it() {
    let db = TestDb::new().await;
    let mut users = Vec::new();
    for (username, role) in [
        ("pat", "patient"),
        ("doca", "doctor"),
        ("docb", "doctor"),
        ("adm", "admin"),
    ] {
        let user = accounts::register(
            &db.pool,
            form(username, &format!("{username}@example.com")),
            Utc::now(),
        )
        .await
        .expect("register");
        sqlx::query("UPDATE users SET user_type = $2 WHERE id = $1")
            .bind(user.id)
            .bind(role)
            .execute(&db.pool)
            .await
            .expect("role");
        users.push(user.id);
    }
    let specialty: i64 =
        sqlx::query_scalar("INSERT INTO specialties (name) VALUES ('Cardiology') RETURNING id")
            .fetch_one(&db.pool)
            .await
            .expect("specialty");
    let mut doctors = Vec::new();
    for (index, user) in users[1..3].iter().enumerate() {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO doctors (user_id, specialty_id, license_number, experience_years, bio, consultation_fee, created_by)
             VALUES ($1, $2, $3, 3, '', 50, $4) RETURNING id",
        )
        .bind(user)
        .bind(specialty)
        .bind(format!("L-{index}"))
        .bind(users[3])
        .fetch_one(&db.pool)
        .await
        .expect("doctor");
        doctors.push(id);
    }
    let (doctor_a, doctor_b) = (doctors[0], doctors[1]);
    // Real time here: the server functions use the clock.
    let day = settings().local_date(Utc::now()) + Days::new(10);
    let create = format!("date={day}&start_time=10:00&end_time=10:30");
    let slots_of =
        |doctor: i64| format!("SELECT count(*) FROM time_slots WHERE doctor_id = {doctor}");

    let visitor = post(&db, "/api/slots/create", &create, &[]).await;
    assert_eq!(visitor.status(), StatusCode::UNAUTHORIZED);
    let pat = sign_in(&db, "pat").await;
    let patient = post(
        &db,
        "/api/slots/create",
        &create,
        &[("cookie", pat.as_str())],
    )
    .await;
    assert_eq!(patient.status(), StatusCode::FORBIDDEN);
    let as_b = format!("doctor_id={doctor_b}&{create}");
    let patient = post(&db, "/api/slots/create", &as_b, &[("cookie", pat.as_str())]).await;
    assert_eq!(patient.status(), StatusCode::FORBIDDEN);
    assert_eq!(count(&db, "SELECT count(*) FROM time_slots").await, 0);

    let doc_b = sign_in(&db, "docb").await;
    let created = post(
        &db,
        "/api/slots/create",
        &create,
        &[("cookie", doc_b.as_str())],
    )
    .await;
    assert_eq!(created.status(), StatusCode::OK);
    let theirs: i64 = body_text(created)
        .await
        .trim()
        .parse()
        .expect("the new slot's id");

    // Doctor A can neither create for B nor touch B's slot.
    let doc_a = sign_in(&db, "doca").await;
    let refused = post(
        &db,
        "/api/slots/create",
        &as_b,
        &[("cookie", doc_a.as_str())],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    for (path, body) in [
        ("/api/slots/delete", format!("slot_id={theirs}")),
        (
            "/api/slots/set-unavailable",
            format!("slot_id={theirs}&unavailable=true"),
        ),
    ] {
        let refused = post(&db, path, &body, &[("cookie", doc_a.as_str())]).await;
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{path}");
        let refused = post(
            &db,
            path,
            &format!("doctor_id={doctor_b}&{body}"),
            &[("cookie", doc_a.as_str())],
        )
        .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{path} naming B");
    }
    let emptied = post(
        &db,
        "/api/slots/delete-day",
        &format!("date={day}"),
        &[("cookie", doc_a.as_str())],
    )
    .await;
    assert_eq!(emptied.status(), StatusCode::OK);
    assert_eq!(
        count(&db, &slots_of(doctor_b)).await,
        1,
        "B's slot survived"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM time_slots WHERE is_available").await,
        1
    );

    // A overlapping slot of the same doctor answers 409 with the message.
    let clash = post(
        &db,
        "/api/slots/create",
        &format!("date={day}&start_time=10:15&end_time=10:45"),
        &[("cookie", doc_b.as_str())],
    )
    .await;
    assert_eq!(clash.status(), StatusCode::CONFLICT);
    assert!(body_text(clash).await.contains("overlaps the slot"));

    // An admin acts for either doctor by naming them.
    let adm = sign_in(&db, "adm").await;
    let created = post(
        &db,
        "/api/slots/create",
        &format!("doctor_id={doctor_a}&{create}"),
        &[("cookie", adm.as_str())],
    )
    .await;
    assert_eq!(created.status(), StatusCode::OK);
    assert_eq!(count(&db, &slots_of(doctor_a)).await, 1);
    let deleted = post(
        &db,
        "/api/slots/delete",
        &format!("doctor_id={doctor_b}&slot_id={theirs}"),
        &[("cookie", adm.as_str())],
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_eq!(count(&db, &slots_of(doctor_b)).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_clocks_go_forward_the_missing_hour_has_no_slots() {
    let db = TestDb::new().await;
    let s = setup(&db).await;
    let settings = settings();
    let doctor = as_doctor(&db, s.a_user).await;
    // London skips 01:00-02:00 on Sunday 31 March 2030.
    let now = at("2030-03-01T12:00:00Z");
    let form = plan_form("2030-03-31", "2030-03-31", "00:00", "03:00");
    let plan = BulkPlan::parse(&form).expect("plan");
    let preview = slots::preview(&db.pool, &settings, &doctor, &plan, form.clone(), now)
        .await
        .expect("preview");
    // 00:30-01:00 ends at a time that does not exist; 01:00 and 01:30 start in the gap.
    assert_eq!(
        preview.clocks_forward,
        [
            slot("2030-03-31", "00:30", "01:00"),
            slot("2030-03-31", "01:00", "01:30"),
            slot("2030-03-31", "01:30", "02:00"),
        ]
    );
    let report = slots::create_bulk(&db.pool, &settings, &doctor, &plan, form, now)
        .await
        .expect("bulk");
    assert_eq!(report.total(), 3);
    let starts: Vec<NaiveTime> =
        sqlx::query_scalar("SELECT start_time FROM time_slots ORDER BY start_time")
            .fetch_all(&db.pool)
            .await
            .expect("slots");
    assert_eq!(starts, [time("00:00"), time("02:00"), time("02:30")]);

    let err = slots::create_one(
        &db.pool,
        &settings,
        &doctor,
        &slot("2030-03-31", "01:15", "02:15"),
        now,
    )
    .await
    .expect_err("in the gap");
    assert!(
        err.message_for("start_time")
            .expect("beside the start")
            .contains("because the clocks go forward"),
        "{err:?}"
    );
    // 02:00 is the first minute after the gap, as the zone defines: 01:00 UTC.
    assert_eq!(
        settings.instant_of(date("2030-03-31"), time("02:00")),
        Some(at("2030-03-31T01:00:00Z"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_clocks_go_back_the_repeated_hour_means_its_first_occurrence() {
    let db = TestDb::new().await;
    let s = setup(&db).await;
    let settings = settings();
    let doctor = as_doctor(&db, s.a_user).await;
    // London passes 01:00-02:00 twice on Sunday 27 October 2030 (BST, then GMT).
    let now = at("2030-10-01T12:00:00Z");
    let early = slots::create_one(
        &db.pool,
        &settings,
        &doctor,
        &slot("2030-10-27", "01:00", "01:30"),
        now,
    )
    .await
    .expect("an hour that happens twice still has slots");
    let form = plan_form("2030-10-27", "2030-10-27", "00:00", "03:00");
    let plan = BulkPlan::parse(&form).expect("plan");
    let report = slots::create_bulk(&db.pool, &settings, &doctor, &plan, form, now)
        .await
        .expect("bulk");
    assert!(report.clocks_forward.is_empty());
    assert_eq!(report.overlapping, [slot("2030-10-27", "01:00", "01:30")]);
    assert_eq!(report.total(), 5);
    assert_eq!(
        settings.instant_of(date("2030-10-27"), time("01:00")),
        Some(at("2030-10-27T00:00:00Z")),
        "01:00 BST, not 01:00 GMT"
    );

    // At 01:10 BST (00:10 UTC) the 01:00 slot has started and 01:30 has not...
    let during_first = at("2030-10-27T00:10:00Z");
    let week = slots::week(
        &db.pool,
        &settings,
        &doctor,
        Some(date("2030-10-27")),
        during_first,
    )
    .await
    .expect("week");
    let sunday = &week.days[6];
    assert_eq!(sunday.date, date("2030-10-27"));
    let state_at = |start: &str| {
        sunday
            .slots
            .iter()
            .find(|s| s.time.start() == time(start))
            .map(|s| s.state.clone())
    };
    assert_eq!(state_at("01:00"), Some(SlotState::Past));
    assert_eq!(state_at("01:30"), Some(SlotState::Free));
    assert_eq!(
        sunday
            .slots
            .iter()
            .find(|s| s.id == early)
            .map(|s| s.state.clone()),
        Some(SlotState::Past)
    );
    // ...and once the clocks have gone back, 01:30 GMT is after 01:30 BST: it has started too,
    // while 02:00 (GMT) still lies ahead.
    let during_second = at("2030-10-27T01:40:00Z");
    assert!(settings.has_started(date("2030-10-27"), time("01:30"), during_second));
    assert!(!settings.has_started(date("2030-10-27"), time("02:00"), during_second));
}

/// GETs a page through the real router, with `cookie` when given: status, `Location`, body.
async fn get_page(db: &TestDb, path: &str, cookie: Option<&str>) -> (StatusCode, String, String) {
    let (status, headers, body) = get(db, path, cookie).await;
    let location = headers
        .get(axum::http::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, location, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_slots_page_renders_for_its_doctor_and_sends_visitors_to_sign_in() {
    let db = TestDb::new().await;
    let s = setup(&db).await;
    sqlx::query("UPDATE users SET username = 'dr.avery', password_hash = $2 WHERE id = $1")
        .bind(s.a_user)
        .bind(
            app::services::passwords::hash(PASSWORD.to_owned())
                .await
                .expect("hash"),
        )
        .execute(&db.pool)
        .await
        .expect("password");
    let day = settings().local_date(Utc::now()) + Days::new(1);
    let doctor = as_doctor(&db, s.a_user).await;
    slots::create_one(
        &db.pool,
        &settings(),
        &doctor,
        &SlotTime::new(day, time("23:00"), time("23:30")).expect("slot"),
        Utc::now(),
    )
    .await
    .expect("slot");

    let (status, location, _) = get_page(&db, "/doctor/slots", None).await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(location, "/sign-in?next=/doctor/slots");
    let cookie = sign_in(&db, "dr.avery").await;
    let week = settings().local_date(Utc::now()) + Days::new(1);
    let (status, _, body) =
        get_page(&db, &format!("/doctor/slots?week={week}"), Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "Your slots",
        "Dr. Sam Avery",
        "23:00–23:30",
        "Add many slots",
        "Preview",
    ] {
        assert!(body.contains(text), "{text} missing from the page");
    }
    let (status, _, body) = get_page(&db, "/doctor/slots?week=soon", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Enter the week as a date like 2030-03-31."),
        "{body}"
    );
}
