//! A doctor's free times a week at a time, through the whole publishing horizon: the weeks
//! reach every published time exactly once, an empty week points at the nearest free time, bad
//! week links say so, the clinic's "today" turns with its own midnight across daylight saving,
//! and the page itself offers the weeks as plain links.

use axum::http::StatusCode;
use chrono::{Datelike, Days, NaiveDate};

use app::domain::format;
use app::domain::free_week::{EmptyWeek, FreeWeek, WeekWindow, monday_of};
use app::services::directory;

use crate::harness::{Clinic, NewDoctor, TestApp, TestDb, at, date, local_now, settings};

fn doctor(last: &str, specialty: i64) -> NewDoctor<'_> {
    NewDoctor {
        first: "Ida",
        last,
        specialty,
        rating: "4.5",
        reviews: 3,
        fee: "60",
        years: 8,
    }
}

async fn week(db: &TestDb, doctor: i64, param: &str) -> FreeWeek {
    directory::free_week(&db.pool, &settings(), doctor, param)
        .await
        .expect("week")
}

/// The link value of the week `days` from today.
fn week_of(days: u64) -> String {
    format::iso_date(monday_of(local_now().date() + Days::new(days)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_weeks_reach_every_published_time_exactly_once() {
    let db = TestDb::new().await;
    let clinic = Clinic::new(&db).await;
    let cardio = clinic.specialty("Cardiology").await;
    let ida = clinic.doctor(doctor("Okafor", cardio)).await;
    let horizon = i64::from(settings().slot_horizon_days);
    let mut published = Vec::new();
    for days in [1, 6, 20, 35, 36, 90, horizon - 1, horizon] {
        published.push(clinic.slot(ida, days, 9).await);
    }

    // Walk from this week by the "Next week" links until there is none.
    let mut seen = Vec::new();
    let mut param = String::new();
    let mut weeks = 0;
    loop {
        let shown = week(&db, ida, &param).await;
        assert_eq!(shown.problem, None, "week {param}");
        let window = shown.window;
        assert!(window.days().count() <= 7);
        assert!(
            shown
                .slots
                .iter()
                .all(|s| s.date >= window.first() && s.date <= window.last())
        );
        seen.extend(shown.slots.iter().map(|s| s.id));
        weeks += 1;
        match window.next() {
            Some(monday) => param = format::iso_date(monday),
            None => break,
        }
    }
    published.sort_unstable();
    seen.sort_unstable();
    assert_eq!(seen, published, "every time once, none twice");
    // 180 days span 26 or 27 Monday-to-Sunday weeks, depending on today's weekday.
    assert!((26..=27).contains(&weeks), "{weeks} weeks");

    // A time five weeks ahead is in the week its link names.
    let fifth = week(&db, ida, &week_of(35)).await;
    assert!(fifth.slots.iter().any(|s| s.id == published[3]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_week_points_at_the_nearest_free_time() {
    let db = TestDb::new().await;
    let clinic = Clinic::new(&db).await;
    let cardio = clinic.specialty("Cardiology").await;
    let far = clinic.doctor(doctor("Far", cardio)).await;
    let none = clinic.doctor(doctor("None", cardio)).await;
    let later = clinic.slot(far, 35, 10).await;
    let later_date = local_now().date() + Days::new(35);

    // This week: nothing, the first free time is five weeks on.
    let this_week = week(&db, far, "").await;
    assert_eq!(this_week.empty(), Some(EmptyWeek::LaterOn(later_date)));
    assert_eq!(
        WeekWindow::choose(
            &format::iso_date(monday_of(later_date)),
            local_now().date(),
            later_date + Days::new(100)
        )
        .window
        .monday(),
        monday_of(later_date)
    );
    // After it: nothing later, so back to the first free time.
    let after = week(&db, far, &week_of(60)).await;
    assert_eq!(after.empty(), Some(EmptyWeek::EarlierOn(later_date)));
    // A booked time is no free time.
    sqlx::query("UPDATE time_slots SET is_available = FALSE WHERE id = $1")
        .bind(later)
        .execute(&db.pool)
        .await
        .expect("book");
    assert_eq!(
        week(&db, far, "").await.empty(),
        Some(EmptyWeek::NothingPublished)
    );
    assert_eq!(
        week(&db, none, &week_of(14)).await.empty(),
        Some(EmptyWeek::NothingPublished)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_week_links_show_the_nearest_week_with_a_reason() {
    let db = TestDb::new().await;
    let clinic = Clinic::new(&db).await;
    let cardio = clinic.specialty("Cardiology").await;
    let ida = clinic.doctor(doctor("Okafor", cardio)).await;
    let soon = clinic.slot(ida, 1, 9).await;
    let this_monday = monday_of(local_now().date());
    let last_date = local_now().date() + Days::new(u64::from(settings().slot_horizon_days));

    for junk in ["soon", "2027-02-30", "<script>", "0000-00-00"] {
        let shown = week(&db, ida, junk).await;
        assert_eq!(shown.window.monday(), this_monday, "{junk}");
        assert!(shown.problem.is_some(), "{junk} says nothing");
    }
    let past = week(&db, ida, &format::iso_date(this_monday - Days::new(7))).await;
    assert!(past.problem.expect("a reason").contains("has passed"));
    // Unless tomorrow is next week, this week's time is shown in place of the past one.
    if monday_of(local_now().date() + Days::new(1)) == this_monday {
        assert!(past.slots.iter().any(|s| s.id == soon));
    }
    let beyond = week(&db, ida, "2999-01-04").await;
    assert_eq!(beyond.window.monday(), monday_of(last_date));
    assert_eq!(beyond.window.last(), last_date);
    assert_eq!(beyond.window.next(), None);
    assert!(beyond.problem.expect("a reason").contains("at most until"));
}

#[test]
fn the_clinics_week_turns_at_its_own_midnight_across_daylight_saving() {
    // The tests' clinic is in London. 28 March 2027 is the Sunday the clocks go forward: at
    // 23:30 UTC it is already 00:30 on Monday 29 March there, so "this week" is the new one.
    let spring = settings().local_date(at("2027-03-28T23:30:00Z"));
    assert_eq!(spring, date("2027-03-29"));
    let week = WeekWindow::choose("", spring, spring + Days::new(180)).window;
    assert_eq!(week.monday(), date("2027-03-29"));
    assert_eq!(week.first(), date("2027-03-29"));
    // 31 October 2027 the clocks go back: at 23:30 UTC it is 23:30 GMT, still Sunday.
    let autumn = settings().local_date(at("2027-10-31T23:30:00Z"));
    assert_eq!(autumn, date("2027-10-31"));
    let week = WeekWindow::choose("", autumn, autumn + Days::new(180)).window;
    assert_eq!(week.monday(), date("2027-10-25"));
    assert_eq!(
        week.days().collect::<Vec<NaiveDate>>(),
        [date("2027-10-31")]
    );
    // A week holding a change still has its seven days, Monday to Sunday.
    let dst_week = WeekWindow::choose("2027-03-24", date("2027-03-01"), date("2027-06-01")).window;
    let days: Vec<NaiveDate> = dst_week.days().collect();
    assert_eq!(days.len(), 7);
    assert_eq!(days[0].weekday(), chrono::Weekday::Mon);
    assert_eq!(days[6], date("2027-03-28"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_doctors_page_offers_the_weeks_as_plain_links() {
    let db = TestDb::new().await;
    let clinic = Clinic::new(&db).await;
    let cardio = clinic.specialty("Cardiology").await;
    let ida = clinic.doctor(doctor("Okafor", cardio)).await;
    let later = clinic.slot(ida, 35, 10).await;
    let app = TestApp::new(&db);

    let (status, _, first) = app.get(&format!("/doctors/{ida}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(first.contains("This week"));
    let next_link = format!("href=\"/doctors/{ida}?week={}#free-times\"", week_of(7));
    assert!(first.contains(&next_link), "no next-week link");
    let jump = format!("href=\"/doctors/{ida}?week={}#free-times\"", week_of(35));
    assert!(first.contains(&jump), "no link to the first free time");
    assert!(!first.contains(&format!("/book/{later}")));

    let (status, _, fifth) = app
        .get(
            &format!("/doctors/{ida}?week={}&stars=5", week_of(35)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        fifth.contains(&format!("href=\"/book/{later}\"")),
        "the time is bookable"
    );
    assert!(fifth.contains("Previous week"));
    // The weeks' links keep the reviews' filter.
    assert!(fifth.contains(&format!("?week={}&amp;stars=5#free-times", week_of(28))));

    let (status, _, junk) = app.get(&format!("/doctors/{ida}?week=soon"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(junk.contains("That week link is not one we can read"));

    let (_, _, nobody) = app
        .get(
            &format!("/doctors/{}", clinic.doctor(doctor("Nobody", cardio)).await),
            None,
        )
        .await;
    assert!(nobody.contains("No free times published yet."));
    let (_, _, directory) = app.get("/doctors?q=nobody", None).await;
    assert!(directory.contains("No free times published yet"));
    // Free within the horizon is a choice; beyond it, a message.
    let (_, _, whole) = app.get("/doctors?within=180", None).await;
    assert!(whole.contains("Okafor") && !whole.contains("Nobody"));
    let (_, _, beyond) = app.get("/doctors?within=400", None).await;
    assert!(beyond.contains("Doctors publish times at most 180 days ahead"));
}
