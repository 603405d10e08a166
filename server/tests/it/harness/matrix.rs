//! The authorization matrix: who may call each registered server function, with which form,
//! and the statuses each caller gets; the people and objects it is called against; and the
//! snapshot that proves a refused call changed nothing. `authorization` checks every row as
//! every caller; `hostile` sends each row's form bent out of shape. A new server function needs
//! its row in `matrix()` below.

use std::collections::BTreeMap;

use axum::http::Method;
use chrono::{Duration, NaiveDate, Utc};

use app::domain::UserRole;

use super::builders::{PASSWORD, account, confirm_email};
use super::database::TestDb;

/// Who calls, in the order of a row's expected statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Visitor,
    Unverified,
    Patient,
    Doctor,
    Admin,
}

pub const CALLERS: [Caller; 5] = [
    Caller::Visitor,
    Caller::Unverified,
    Caller::Patient,
    Caller::Doctor,
    Caller::Admin,
];

impl Caller {
    /// The username this caller signs in with (none for a visitor).
    pub fn username(self) -> Option<&'static str> {
        match self {
            Self::Visitor => None,
            Self::Unverified => Some("una"),
            Self::Patient => Some("pat"),
            Self::Doctor => Some("doc"),
            Self::Admin => Some("adm"),
        }
    }

    /// A short tag that keeps names made by several callers apart.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Visitor => "v",
            Self::Unverified => "u",
            Self::Patient => "p",
            Self::Doctor => "d",
            Self::Admin => "a",
        }
    }
}

/// The objects the calls are about. `doc` and `pat` are the signed-in doctor and patient;
/// `other_doctor` and `other_patient` own the objects nobody else may touch.
pub struct Fixture {
    pub specialty: i64,
    pub spare_specialty: i64,
    pub doctor: i64,
    pub other_doctor: i64,
    /// Free slots of the signed-in doctor, and of the other doctor.
    pub slots: [i64; 3],
    pub other_slots: [i64; 3],
    /// A date in the slot horizon on which nobody has slots yet.
    pub day: NaiveDate,
    /// The patient's completed visit that has no review yet.
    pub visit_to_review: i64,
    pub own_review: i64,
    pub other_review: i64,
    /// The other patient's completed visit that has no review yet.
    pub other_visit_to_review: i64,
    pub patient: i64,
    pub other_patient: i64,
    pub admin: i64,
    /// Free slots of the signed-in doctor for booking, 22 days ahead.
    pub booking_slots: [i64; 2],
    /// The signed-in patient's confirmed visit with the signed-in doctor, 23 days ahead.
    pub own_appointment: i64,
    /// The other patient's confirmed visit with the other doctor, 23 days ahead.
    pub other_appointment: i64,
    /// The completed payment of `own_appointment`.
    pub own_payment: i64,
}

impl Fixture {
    fn date(&self, days_later: i64) -> String {
        (self.day + Duration::days(days_later)).to_string()
    }

    /// The `doctor_id` an admin names to manage the other doctor's slots; a doctor names none.
    fn acting_for(&self, caller: Caller) -> String {
        if caller == Caller::Admin {
            format!("doctor_id={}&", self.other_doctor)
        } else {
            String::new()
        }
    }

    /// The doctor form; `who` keeps the email and license apart from other rows' doctors.
    fn doctor_form(&self, caller: Caller, who: &str) -> String {
        format!(
            "first_name=Rosa&last_name=Park&email={who}.{t}%40clinic.example&phone=&specialty={}\
             &license_number=LIC-{who}-{t}&experience_years=4&bio=Hello&consultation_fee=80",
            self.specialty,
            t = caller.tag()
        )
    }
}

type Body_ = fn(&Fixture, Caller) -> String;

/// One row: a server function's path (after `/api/`), what the call is about, the form it
/// posts, and the status expected for each caller, in the order of `CALLERS`.
pub struct Row {
    pub path: &'static str,
    pub about: &'static str,
    pub body: Body_,
    pub expect: [u16; 5],
}

const OK: u16 = 200;
/// A visitor must sign in.
const SIGN_IN: u16 = 401;
/// Signed in, but not this role's (or not this person's) business.
const DENY: u16 = 403;
/// Allowed to ask, but the input or the object is rejected (422), missing (404) or clashes (409).
const BAD: u16 = 422;
const MISSING: u16 = 404;
const CLASH: u16 = 409;

fn none(_: &Fixture, _: Caller) -> String {
    String::new()
}

fn row(path: &'static str, about: &'static str, body: Body_, expect: [u16; 5]) -> Row {
    Row {
        path,
        about,
        body,
        expect,
    }
}

/// Anyone, signed in or not.
const PUBLIC: [u16; 5] = [OK, OK, OK, OK, OK];
/// Any signed-in account.
const SIGNED_IN: [u16; 5] = [SIGN_IN, OK, OK, OK, OK];
const PATIENTS: [u16; 5] = [SIGN_IN, OK, OK, DENY, DENY];
const DOCTORS: [u16; 5] = [SIGN_IN, DENY, DENY, OK, DENY];
const ADMINS: [u16; 5] = [SIGN_IN, DENY, DENY, DENY, OK];
/// Patients whose email address is confirmed (booking and paying).
const BOOKERS: [u16; 5] = [SIGN_IN, DENY, OK, DENY, DENY];
/// A doctor their own slots, an admin any doctor's.
const SLOT_KEEPERS: [u16; 5] = [SIGN_IN, DENY, DENY, OK, OK];

/// The matrix. Rows run top to bottom, each for every caller in turn, against one database, so a
/// row may rely on what an earlier row did (hide, then restore).
#[rustfmt::skip]
pub fn matrix() -> Vec<Row> {
    vec![
        // Accounts
        row("me", "who is signed in", none, PUBLIC),
        row("register", "a new patient account", |_, c| format!("username=new{t}&email=new{t}%40example.com&first_name=New&last_name=Person&phone=%2B442079460002&password={PASSWORD}", t = c.tag()), PUBLIC),
        row("verify-email", "a wrong code", |_, _| "code=000000".into(), [SIGN_IN, BAD, BAD, BAD, BAD]),
        row("resend-code", "a code right after the last one", none, [SIGN_IN, 429, CLASH, CLASH, CLASH]),
        row("sign-in", "someone else's account", |_, _| format!("identifier=sam&password={PASSWORD}"), PUBLIC),
        row("sign-out", "the caller's session", none, PUBLIC),
        row("forgot-password", "a reset code", |_, _| "email=sam%40example.com".into(), PUBLIC),
        row("reset-password", "a wrong code", |_, _| format!("email=sam%40example.com&code=000000&password={PASSWORD}"), [BAD; 5]),
        row("profile", "the caller's own profile", |_, _| "first_name=Al&last_name=Bo&phone=%2B442079460003".into(), SIGNED_IN),
        row("change-password", "with a wrong current password", |_, _| format!("current_password=wrong-one-1234&new_password={PASSWORD}x"), [SIGN_IN, BAD, BAD, BAD, BAD]),
        row("change-email", "to a new address", |_, c| format!("email=moved{}%40example.com&password={PASSWORD}", c.tag()), SIGNED_IN),
        row("confirm-email", "a wrong code", |_, _| "code=000000".into(), [SIGN_IN, BAD, BAD, BAD, BAD]),
        // Patients' data rights: only a patient deletes their own account; staff are told to
        // deactivate instead. (The data download is a plain route, with its own test.)
        row("account/delete", "the caller's own account, with a wrong password", |_, _| "password=wrong-one-1234".into(), [SIGN_IN, BAD, BAD, CLASH, CLASH]),
        // The directory
        row("specialties", "every specialty", none, PUBLIC),
        row("specialty-names", "the filter's names", none, PUBLIC),
        row("doctors", "the directory", |_, _| "q=&specialty=&min_rating=&max_fee=&within=&sort=&after=&before=".into(), PUBLIC),
        row("doctor", "a doctor's page", |f, _| format!("id={}", f.doctor), PUBLIC),
        row("doctor-week", "a week of a doctor's free times", |f, _| format!("id={}&week=", f.doctor), PUBLIC),
        row("my-practice", "the doctor's own practice", none, DOCTORS),
        row("update-my-practice", "the doctor's own practice", |_, _| "bio=Hello&consultation_fee=75".into(), DOCTORS),
        // Slots
        row("slots/create", "own slot (admin: the other doctor's)", |f, c| format!("{}date={}&start_time=09:00&end_time=09:30", f.acting_for(c), f.date(0)), SLOT_KEEPERS),
        row("slots/create", "naming another doctor", |f, _| format!("doctor_id={}&date={}&start_time=10:00&end_time=10:30", f.other_doctor, f.date(0)), [SIGN_IN, DENY, DENY, DENY, OK]),
        row("slots/preview", "naming another doctor", |f, _| format!("doctor_id={}&from={d}&to={d}&mon=on&tue=on&wed=on&thu=on&fri=on&sat=on&sun=on&day_start=13:00&day_end=14:00&slot_minutes=30", f.other_doctor, d = f.date(1)), [SIGN_IN, DENY, DENY, DENY, OK]),
        row("slots/preview", "a plan", |f, c| format!("{}from={d}&to={d}&mon=on&tue=on&wed=on&thu=on&fri=on&sat=on&sun=on&day_start=13:00&day_end=14:00&slot_minutes=30", f.acting_for(c), d = f.date(1)), SLOT_KEEPERS),
        row("slots/bulk", "naming another doctor", |f, _| format!("doctor_id={}&from={d}&to={d}&mon=on&tue=on&wed=on&thu=on&fri=on&sat=on&sun=on&day_start=16:00&day_end=17:00&slot_minutes=30", f.other_doctor, d = f.date(2)), [SIGN_IN, DENY, DENY, DENY, OK]),
        row("slots/bulk", "a plan", |f, c| format!("{}from={d}&to={d}&mon=on&tue=on&wed=on&thu=on&fri=on&sat=on&sun=on&day_start=13:00&day_end=14:00&slot_minutes=30", f.acting_for(c), d = f.date(1)), SLOT_KEEPERS),
        row("slots/week", "own week (admin: the other doctor's)", |f, c| format!("{}week=", f.acting_for(c)), SLOT_KEEPERS),
        row("slots/week", "naming another doctor", |f, _| format!("doctor_id={}&week=", f.other_doctor), [SIGN_IN, DENY, DENY, DENY, OK]),
        row("slots/set-unavailable", "own slot (admin: the other doctor's)", |f, c| format!("{}slot_id={}&unavailable=true", f.acting_for(c), if c == Caller::Admin { f.other_slots[0] } else { f.slots[0] }), SLOT_KEEPERS),
        row("slots/set-unavailable", "another doctor's slot", |f, _| format!("slot_id={}&unavailable=true", f.other_slots[1]), [SIGN_IN, DENY, DENY, MISSING, BAD]),
        row("slots/set-unavailable", "another doctor's slot, naming them", |f, _| format!("doctor_id={}&slot_id={}&unavailable=false", f.other_doctor, f.other_slots[1]), [SIGN_IN, DENY, DENY, DENY, OK]),
        row("slots/set-unavailable", "another doctor's slot, naming the caller's practice", |f, _| format!("doctor_id={}&slot_id={}&unavailable=true", f.doctor, f.other_slots[1]), [SIGN_IN, DENY, DENY, MISSING, MISSING]),
        row("slots/delete", "another doctor's slot, naming the caller's practice", |f, _| format!("doctor_id={}&slot_id={}", f.doctor, f.other_slots[1]), [SIGN_IN, DENY, DENY, MISSING, MISSING]),
        row("slots/delete", "another doctor's slot", |f, _| format!("slot_id={}", f.other_slots[1]), [SIGN_IN, DENY, DENY, MISSING, BAD]),
        row("slots/delete", "another doctor's slot, naming them", |f, _| format!("doctor_id={}&slot_id={}", f.other_doctor, f.other_slots[1]), [SIGN_IN, DENY, DENY, DENY, OK]),
        row("slots/delete", "own slot (admin: the other doctor's)", |f, c| format!("{}slot_id={}", f.acting_for(c), if c == Caller::Admin { f.other_slots[2] } else { f.slots[2] }), SLOT_KEEPERS),
        row("slots/delete-day", "naming another doctor", |f, _| format!("doctor_id={}&date={}", f.other_doctor, f.date(2)), [SIGN_IN, DENY, DENY, DENY, OK]),
        row("slots/delete-range", "naming another doctor", |f, _| format!("doctor_id={}&first_day={}&last_day={}", f.other_doctor, f.date(0), f.date(2)), [SIGN_IN, DENY, DENY, DENY, OK]),
        row("slots/delete-day", "a day of own slots", |f, c| format!("{}date={}", f.acting_for(c), f.date(1)), SLOT_KEEPERS),
        row("slots/delete-range", "days of own slots", |f, c| format!("{}first_day={}&last_day={}", f.acting_for(c), f.date(0), f.date(1)), SLOT_KEEPERS),
        // Reviews
        row("reviews/doctor", "a doctor's public reviews", |f, _| format!("doctor_id={}&stars=&page=", f.other_doctor), PUBLIC),
        row("reviews/mine", "the patient's own reviews", none, PATIENTS),
        row("reviews/create", "the patient's own visit", |f, _| format!("appointment_id={}&rating=5&comment=Kind", f.visit_to_review), [SIGN_IN, MISSING, OK, DENY, DENY]),
        row("reviews/create", "another patient's visit", |f, _| format!("appointment_id={}&rating=1&comment=Mine", f.other_visit_to_review), [SIGN_IN, MISSING, MISSING, DENY, DENY]),
        row("reviews/edit", "the patient's own review", |f, _| format!("review_id={}&rating=4&comment=Good", f.own_review), [SIGN_IN, MISSING, OK, DENY, DENY]),
        row("reviews/edit", "another patient's review", |f, _| format!("review_id={}&rating=1&comment=Mine+now", f.other_review), [SIGN_IN, MISSING, MISSING, DENY, DENY]),
        row("reviews/received", "the doctor's own reviews", |_, _| "page=".into(), DOCTORS),
        row("reviews/admin/list", "every review", |_, _| "q=&show=&page=".into(), ADMINS),
        row("reviews/admin/hide", "a review", |f, _| format!("review_id={}&reason=Abusive", f.other_review), ADMINS),
        row("reviews/admin/restore", "a hidden review", |f, _| format!("review_id={}", f.other_review), ADMINS),
        // Admin: specialties and doctors
        row("admin/create-specialty", "a new specialty", |_, c| format!("name=Neurology+{}&description=Nerves", c.tag()), ADMINS),
        row("admin/update-specialty", "a specialty", |f, _| format!("id={}&name=Heart&description=Hearts", f.specialty), ADMINS),
        row("admin/delete-specialty", "a specialty without doctors", |f, _| format!("id={}", f.spare_specialty), ADMINS),
        row("admin/doctors", "every doctor", |_, _| "q=&status=&page=".into(), ADMINS),
        row("admin/doctor", "a doctor's record", |f, _| format!("id={}", f.other_doctor), ADMINS),
        row("admin/onboard-doctor", "a new doctor", |f, c| f.doctor_form(c, "new"), ADMINS),
        row("admin/update-doctor", "another doctor's record", |f, c| format!("id={}&{}", f.other_doctor, f.doctor_form(c, "edited")), ADMINS),
        row("admin/set-doctor-active", "another doctor", |f, _| format!("id={}&active=true", f.other_doctor), ADMINS),
        // Role homes
        row("dashboard/admin", "the clinic's figures", none, ADMINS),
        row("dashboard/doctor", "the doctor's own day", none, DOCTORS),
        row("dashboard/patient", "the patient's own visits", none, PATIENTS),
        // Admin: accounts and the audit log
        row("admin/users", "every account", |_, _| "q=&role=&status=&page=".into(), ADMINS),
        row("admin/set-user-active", "another patient's account", |f, _| format!("id={}&active=false", f.other_patient), ADMINS),
        row("admin/set-user-active", "the admin's own account", |f, _| format!("id={}&active=false", f.admin), [SIGN_IN, DENY, DENY, DENY, CLASH]),
        row("admin/erase-user", "another patient's account, with a wrong admin password", |f, _| format!("id={}&password=wrong-one-1234", f.other_patient), [SIGN_IN, DENY, DENY, DENY, BAD]),
        row("admin/erase-user", "the admin's own account", |f, _| format!("id={}&password={PASSWORD}", f.admin), [SIGN_IN, DENY, DENY, DENY, CLASH]),
        row("admin/audit", "the audit log", |_, _| "actor=&action=&target_type=&from=&to=&page=".into(), ADMINS),
        // Admin: appointments, payments and the ledger
        row("admin/appointments", "every appointment", |_, _| "patient=&doctor=&status=&from=&to=&page=".into(), ADMINS),
        row("admin/payments", "every payment", |_, _| "q=&status=&from=&to=&page=".into(), ADMINS),
        row("admin/transactions", "every wallet transaction", |_, _| "q=&kind=&from=&to=&page=".into(), ADMINS),
        row("admin/resend-invitation", "a doctor who has a password", |f, _| format!("id={}", f.other_doctor), [SIGN_IN, DENY, DENY, DENY, CLASH]),
        // Booking
        row("booking/quote", "a free slot", |f, _| format!("slot_id={}", f.booking_slots[0]), BOOKERS),
        row("booking/book", "a free slot", |f, c| format!("slot_id={}&request_key=matrix-book-{}-0000000", f.booking_slots[0], c.tag()), BOOKERS),
        row("booking/mine", "the patient's own appointments", none, PATIENTS),
        row("booking/detail", "the patient's own appointment (the doctor's too)", |f, _| format!("appointment_id={}", f.own_appointment), [SIGN_IN, MISSING, OK, OK, OK]),
        row("booking/detail", "another patient's appointment with another doctor", |f, _| format!("appointment_id={}", f.other_appointment), [SIGN_IN, MISSING, MISSING, MISSING, OK]),
        row("booking/reschedule-options", "the patient's own appointment", |f, _| format!("appointment_id={}", f.own_appointment), BOOKERS),
        row("booking/reschedule-options", "another patient's appointment", |f, _| format!("appointment_id={}", f.other_appointment), [SIGN_IN, DENY, MISSING, DENY, DENY]),
        row("booking/reschedule", "another patient's appointment", |f, c| format!("appointment_id={}&slot_id={}&request_key=matrix-move-{}-0000000", f.other_appointment, f.booking_slots[1], c.tag()), [SIGN_IN, DENY, MISSING, DENY, DENY]),
        row("booking/pay", "another patient's appointment", |f, c| format!("appointment_id={}&request_key=matrix-pay-{}-00000000", f.other_appointment, c.tag()), [SIGN_IN, DENY, MISSING, DENY, DENY]),
        row("booking/complete", "another doctor's appointment, not started", |f, _| format!("appointment_id={}", f.other_appointment), [SIGN_IN, DENY, DENY, MISSING, CLASH]),
        row("booking/schedule", "the doctor's own schedule", none, [SIGN_IN, DENY, DENY, OK, BAD]),
        row("booking/schedule", "another doctor's schedule", |f, _| format!("doctor_id={}", f.other_doctor), [SIGN_IN, DENY, DENY, DENY, OK]),
        row("booking/cancel", "another patient's appointment with another doctor", |f, c| format!("appointment_id={}&expected_refund=60&request_key=matrix-cancel-{}-00000", f.other_appointment, c.tag()), [SIGN_IN, MISSING, MISSING, MISSING, OK]),
        // The wallet
        row("wallet/page", "the patient's own history", |_, _| "params[kind]=&params[from]=&params[to]=&params[page]=".into(), PATIENTS),
        row("wallet/top-up", "the patient's own wallet", |_, c| format!("amount=10&card_number=4242424242424242&expiry=12%2F34&cvc=123&request_key=matrix-topup-{}-00000", c.tag()), BOOKERS),
        row("wallet/withdraw", "the patient's own wallet", |_, c| format!("amount=1&card_number=4242424242424242&expiry=12%2F34&cvc=123&password={PASSWORD}&request_key=matrix-withdraw-{}-00", c.tag()), BOOKERS),
        // Last: an admin's refund cancels the patient's own appointment.
        row("admin/refund-payment", "the patient's payment", |f, c| format!("payment_id={}&reason=Sorry&request_key=matrix-refund-{}-0000", f.own_payment, c.tag()), ADMINS),
    ]
}

/// A user signed up with [`PASSWORD`], given `role`, and confirmed unless `verified` is false.
async fn user(db: &TestDb, username: &str, role: UserRole, verified: bool) -> i64 {
    let id = account(db, username, role).await;
    if verified {
        confirm_email(db, id).await;
    }
    id
}

async fn scalar(db: &TestDb, sql: &str, binds: &[i64]) -> i64 {
    let mut query = sqlx::query_scalar(sql);
    for bind in binds {
        query = query.bind(*bind);
    }
    query.fetch_one(&db.pool).await.expect(sql)
}

/// The people and objects of the matrix.
pub async fn fixture(db: &TestDb) -> Fixture {
    user(db, "una", UserRole::Patient, false).await;
    let patient = user(db, "pat", UserRole::Patient, true).await;
    let other_patient = user(db, "pia", UserRole::Patient, true).await;
    user(db, "sam", UserRole::Patient, true).await;
    let doc_user = user(db, "doc", UserRole::Doctor, true).await;
    let other_doc_user = user(db, "dan", UserRole::Doctor, true).await;
    let admin = user(db, "adm", UserRole::Admin, true).await;
    let specialty = scalar(
        db,
        "INSERT INTO specialties (name) VALUES ('Cardiology') RETURNING id",
        &[],
    )
    .await;
    let spare_specialty = scalar(
        db,
        "INSERT INTO specialties (name) VALUES ('Spare') RETURNING id",
        &[],
    )
    .await;
    let mut doctors = Vec::new();
    for doc in [doc_user, other_doc_user] {
        doctors.push(
            scalar(
                db,
                "INSERT INTO doctors (user_id, specialty_id, license_number, experience_years, bio,
                                      consultation_fee, created_by)
                 VALUES ($1, $2, 'LIC-' || $1, 5, 'Bio', 60, $3) RETURNING id",
                &[doc, specialty, admin],
            )
            .await,
        );
    }
    let (doctor, other_doctor) = (doctors[0], doctors[1]);
    // Free slots 20 days ahead, and past slots for the visits.
    let free = |doctor: i64| {
        let db = &db;
        async move {
            let mut ids = [0; 3];
            for (i, id) in ids.iter_mut().enumerate() {
                *id = scalar(
                    db,
                    "INSERT INTO time_slots (doctor_id, date, start_time, end_time, created_by)
                     VALUES ($1, current_date + 20, time '08:00' + $2 * interval '30 minutes',
                             time '08:30' + $2 * interval '30 minutes', $3) RETURNING id",
                    &[doctor, i as i64, admin],
                )
                .await;
            }
            ids
        }
    };
    let slots = free(doctor).await;
    let other_slots = free(other_doctor).await;
    let visit = |patient: i64, doctor: i64, hour: i64| async move {
        let slot = scalar(
            db,
            "INSERT INTO time_slots (doctor_id, date, start_time, end_time, is_available, created_by)
             VALUES ($1, current_date - 3, time '08:00' + $2 * interval '1 hour',
                     time '08:30' + $2 * interval '1 hour', FALSE, $3) RETURNING id",
            &[doctor, hour, admin],
        )
        .await;
        scalar(
            db,
            "INSERT INTO appointments (patient_id, doctor_id, time_slot_id, status, consultation_fee)
             VALUES ($1, $2, $3, 'completed', 60) RETURNING id",
            &[patient, doctor, slot],
        )
        .await
    };
    let visit_to_review = visit(patient, doctor, 0).await;
    let reviewed = visit(patient, doctor, 1).await;
    let other_visit = visit(other_patient, other_doctor, 2).await;
    let review = |appointment: i64, patient: i64, doctor: i64| async move {
        scalar(
            db,
            "INSERT INTO reviews (appointment_id, patient_id, doctor_id, rating, comment)
             VALUES ($1, $2, $3, 4, 'Fine') RETURNING id",
            &[appointment, patient, doctor],
        )
        .await
    };
    let own_review = review(reviewed, patient, doctor).await;
    let bookable = |doctor: i64, days: i64, minutes: i64, free: bool| async move {
        scalar(
            db,
            "INSERT INTO time_slots (doctor_id, date, start_time, end_time, is_available, created_by)
             VALUES ($1, current_date + $2::int, time '15:00' + $3 * interval '1 minute',
                     time '15:30' + $3 * interval '1 minute', $4::int = 1, $5) RETURNING id",
            &[doctor, days, minutes, i64::from(free), admin],
        )
        .await
    };
    let booking_slots = [
        bookable(doctor, 22, 0, true).await,
        bookable(doctor, 22, 30, true).await,
    ];
    let confirmed = |patient: i64, doctor: i64| async move {
        let slot = bookable(doctor, 23, 0, false).await;
        scalar(
            db,
            "INSERT INTO appointments (patient_id, doctor_id, time_slot_id, status, consultation_fee)
             VALUES ($1, $2, $3, 'confirmed', 60) RETURNING id",
            &[patient, doctor, slot],
        )
        .await
    };
    let own_appointment = confirmed(patient, doctor).await;
    let other_appointment = confirmed(other_patient, other_doctor).await;
    let own_payment = scalar(
        db,
        "INSERT INTO payments (appointment_id, amount, status, transaction_id, paid_at)
         VALUES ($1, 60, 'completed', 'pay_matrix_' || $1, now()) RETURNING id",
        &[own_appointment],
    )
    .await;
    let other_review = review(other_visit, other_patient, other_doctor).await;
    let other_visit_to_review = visit(other_patient, other_doctor, 3).await;
    let day = Utc::now()
        .with_timezone(&chrono_tz::Europe::London)
        .date_naive()
        + Duration::days(10);
    Fixture {
        specialty,
        spare_specialty,
        doctor,
        other_doctor,
        slots,
        other_slots,
        day,
        visit_to_review,
        own_review,
        other_review,
        other_visit_to_review,
        patient,
        other_patient,
        admin,
        booking_slots,
        own_appointment,
        other_appointment,
        own_payment,
    }
}

/// The server functions that take a one-time code: a wrong code counts against it.
const CODE_PATHS: [&str; 3] = [
    "/api/verify-email",
    "/api/confirm-email",
    "/api/reset-password",
];

/// The server functions that carry a request key.
const KEYED_PATHS: [&str; 7] = [
    "/api/booking/book",
    "/api/booking/pay",
    "/api/booking/reschedule",
    "/api/booking/cancel",
    "/api/wallet/top-up",
    "/api/wallet/withdraw",
    "/api/admin/refund-payment",
];

/// What a refused call to `path` may still write in the snapshot's `entry`, and why. Everything
/// else (balances, payments, the ledger, codes, sessions, request keys, appointments, slots,
/// mail, the audit log, every other table) must be exactly as it was.
fn may_change(entry: &str, path: &str) -> bool {
    match entry {
        // The counters exist to count refused calls too: a refused guess is still a guess.
        "rate_limit_counters" => true,
        // A refused sign-in records the failure; that is what throttles guessing passwords.
        "sign_in_failures" => path == "/api/sign-in",
        // A wrong code counts an attempt, and the last attempt allowed retires the code; the
        // codes themselves are still compared without those two columns (`codes` below).
        "otp_verifications" => CODE_PATHS.contains(&path),
        // A request carried out once per key stores its answer under the key, a refusal too,
        // so that a repeat of the same request gets the same answer rather than running
        // again; the keys that answered yes are still compared (`accepted requests` below).
        "idempotency_keys" => KEYED_PATHS.contains(&path),
        _ => false,
    }
}

/// A snapshot of the whole database: for every table in the public schema its row count and a
/// checksum of its rows, plus the codes without their attempt counters, the request keys that
/// were answered with an acceptance, and which sessions exist. (A session's data and expiry are
/// not in it: any request of a signed-in user moves the idle clock on, at most once a minute,
/// whether or not the call is refused.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot(BTreeMap<String, String>);

impl Snapshot {
    /// The entries that changed from `self` to `after` although a refused call to `path` may
    /// not change them.
    pub fn forbidden_changes(&self, after: &Snapshot, path: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(entry, digest)| after.0.get(*entry) != Some(digest))
            .map(|(entry, _)| entry.clone())
            .chain(after.0.keys().filter(|e| !self.0.contains_key(*e)).cloned())
            .filter(|entry| !may_change(entry, path))
            .collect()
    }
}

/// Row count and checksum of what `select` yields for `from` (a table aliased `t`).
fn digest_of(entry: &str, select: &str, from: &str) -> String {
    format!(
        "SELECT '{entry}' AS entry, count(*) || ':' || \
         coalesce(md5(string_agg({select}, ',' ORDER BY {select})), '') AS digest FROM {from} t"
    )
}

/// The query behind [`fingerprint`]; the tables are the same for every test database.
static FINGERPRINT_SQL: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

/// Everything a refused call must leave as it was (see [`Snapshot`]).
pub async fn fingerprint(db: &TestDb) -> Snapshot {
    let sql = FINGERPRINT_SQL
        .get_or_init(|| async {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables
                  WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
            )
            .fetch_all(&db.pool)
            .await
            .expect("tables");
            let mut parts: Vec<String> = tables
                .iter()
                .map(|table| digest_of(table, "t::text", &format!("public.\"{table}\"")))
                .collect();
            parts.push(digest_of(
                "codes",
                "(to_jsonb(t) - 'failed_attempts' - 'invalidated_at')::text",
                "otp_verifications",
            ));
            parts.push(digest_of(
                "accepted requests",
                "t::text",
                "(SELECT * FROM idempotency_keys WHERE NOT response ? 'Err')",
            ));
            parts.push(digest_of("sessions", "t.id", "tower_sessions.session"));
            parts.join(" UNION ALL ")
        })
        .await;
    let rows: Vec<(String, String)> = sqlx::query_as(sql)
        .fetch_all(&db.pool)
        .await
        .expect("fingerprint");
    Snapshot(rows.into_iter().collect())
}

/// The registered server functions: their paths and methods, from server_fn's registry.
pub fn registered() -> Vec<(String, Method)> {
    let mut all: Vec<_> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (path.to_owned(), method))
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}
