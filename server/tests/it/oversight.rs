//! The admin's lists of appointments, payments, wallet transactions and doctors: every filter,
//! the pages, the CSV downloads (admins only), and refunding a payment from the list.

use axum::http::StatusCode;
use chrono::{Duration, Utc};

use app::domain::booking::{AppointmentStatus, BookingOutcome, PaymentStatus, RefundRule};
use app::domain::oversight::{
    AppointmentParams, AppointmentQuery, DoctorParams, DoctorQuery, DoctorStatus, PaymentParams,
    PaymentQuery, TransactionParams, TransactionQuery,
};
use app::domain::wallet::TransactionType;
use app::domain::{AppError, Money, UserRole};
use app::services::booking::{self, Actor};
use app::services::{doctor_records, oversight};

use crate::harness::{
    NewDoctor, TestDb, World, account, assert_invariants, confirmed, get, key, settings, sign_in,
};

fn appointments(
    patient: &str,
    doctor: &str,
    status: &str,
    from: &str,
    to: &str,
) -> AppointmentQuery {
    AppointmentQuery::parse(&AppointmentParams {
        patient: patient.into(),
        doctor: doctor.into(),
        status: status.into(),
        from: from.into(),
        to: to.into(),
        page: String::new(),
    })
    .expect("valid query")
}

/// Ann has two confirmed visits with Dr. Heart (in 2 and 5 days); Bob cancelled one with
/// Dr. Lung (in 4 days) and has one with Dr. Heart waiting for payment (in 3 days).
struct Visits<'a> {
    w: World<'a>,
    ann: i64,
    bob: i64,
    ann_soon: i64,
    ann_later: i64,
    bob_held: i64,
    bob_cancelled: i64,
}

async fn visits(db: &TestDb) -> Visits<'_> {
    let w = World::new(db).await;
    let specialty = w.clinic.specialty("Pulmonology").await;
    let lung = w
        .clinic
        .doctor(NewDoctor {
            first: "Ola",
            last: "Lung",
            specialty,
            rating: "4.0",
            reviews: 1,
            fee: "50.00",
            years: 3,
        })
        .await;
    let ann = w.patient("ann", "200.00").await;
    let bob = w.patient("bob", "50.00").await;
    let now = Utc::now();
    let ann_soon = confirmed(w.book(ann, w.slot(2, 9).await, now).await);
    let ann_later = confirmed(w.book(ann, w.slot(5, 9).await, now).await);
    let bob_slot = w.clinic.slot(lung, 4, 10).await;
    let bob_cancelled = confirmed(w.book(bob, bob_slot, now).await);
    booking::cancel(
        &db.pool,
        &settings(),
        Actor {
            user_id: bob,
            role: UserRole::Patient,
        },
        booking::Cancellation {
            appointment_id: bob_cancelled,
            expected_refund: Some(Money::parse("50.00").expect("money")),
            reason: "",
        },
        &key(),
        now,
    )
    .await
    .expect("bob cancels");
    // 50.00 back: not enough for Dr. Heart's 80.00, so that booking waits for payment.
    let bob_held = match w.book(bob, w.slot(3, 11).await, now).await {
        Ok(BookingOutcome::AwaitingPayment { appointment_id, .. }) => appointment_id,
        other => panic!("expected a held booking, got {other:?}"),
    };
    Visits {
        w,
        ann,
        bob,
        ann_soon,
        ann_later,
        bob_held,
        bob_cancelled,
    }
}

fn ids(rows: &[app::domain::oversight::AppointmentRow]) -> Vec<i64> {
    rows.iter().map(|row| row.id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appointments_filter_by_patient_doctor_status_and_date() {
    let db = TestDb::new().await;
    let v = visits(&db).await;
    let list = |query: AppointmentQuery| {
        let pool = db.pool.clone();
        async move { oversight::appointments(&pool, &query).await.expect("list") }
    };

    // Everything, latest date first.
    let all = list(appointments("", "", "", "", "")).await;
    assert_eq!(all.matching, 4);
    assert_eq!(
        ids(&all.rows),
        [v.ann_later, v.bob_cancelled, v.bob_held, v.ann_soon]
    );
    let soon = all.rows.iter().find(|r| r.id == v.ann_soon).expect("row");
    assert_eq!(soon.status, AppointmentStatus::Confirmed);
    assert_eq!(soon.payment_status, Some(PaymentStatus::Completed));
    assert_eq!(soon.consultation_fee, Money::parse("80").expect("fee"));
    assert_eq!(soon.refund_on_cancel(), soon.consultation_fee);
    assert!(soon.patient_email.starts_with("ann@"));

    // By patient (email or name), by doctor (name or license), by status.
    assert_eq!(
        ids(&list(appointments("ANN@example", "", "", "", "")).await.rows),
        [v.ann_later, v.ann_soon]
    );
    assert_eq!(
        ids(&list(appointments("", "lung", "", "", "")).await.rows),
        [v.bob_cancelled]
    );
    let cancelled = list(appointments("", "", "cancelled", "", "")).await;
    assert_eq!(ids(&cancelled.rows), [v.bob_cancelled]);
    assert_eq!(
        cancelled.rows[0].payment_status,
        Some(PaymentStatus::Refunded)
    );
    assert!(!cancelled.rows[0].cancellable());
    let held = list(appointments("bob", "heart", "", "", "")).await;
    assert_eq!(ids(&held.rows), [v.bob_held]);
    assert_eq!(held.rows[0].status, AppointmentStatus::Pending);
    assert!(held.rows[0].cancellable());
    assert_eq!(
        held.rows[0].refund_on_cancel(),
        Money::ZERO,
        "nothing was paid"
    );
    assert!(
        list(appointments("nobody", "", "", "", ""))
            .await
            .rows
            .is_empty(),
        "an unknown patient matches nothing"
    );

    // By appointment date, both ends included.
    let today = settings().local_date(Utc::now());
    let day = |n: i64| (today + Duration::days(n)).to_string();
    assert_eq!(
        ids(&list(appointments("", "", "", &day(3), &day(4))).await.rows),
        [v.bob_cancelled, v.bob_held]
    );
    assert_eq!(
        ids(&list(appointments("", "", "", &day(5), "")).await.rows),
        [v.ann_later]
    );
    let empty = list(appointments("", "", "", &day(30), "")).await;
    assert_eq!((empty.matching, empty.pages, empty.rows.len()), (0, 1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_refunds_a_payment_once_which_cancels_the_visit() {
    let db = TestDb::new().await;
    let v = visits(&db).await;
    let admin = account(&db, "boss", UserRole::Admin).await;
    let payments = oversight::payments(
        &db.pool,
        &settings(),
        &PaymentQuery::parse(&PaymentParams {
            q: "ann".into(),
            status: "completed".into(),
            ..PaymentParams::default()
        })
        .expect("query"),
    )
    .await
    .expect("payments");
    assert_eq!(payments.matching, 2);
    let payment = payments
        .rows
        .iter()
        .find(|row| row.appointment_id == v.ann_later)
        .expect("the later visit's payment");
    assert!(payment.refundable());
    assert!(payment.transaction_id.starts_with("pay_"));
    assert!(payment.paid_local.is_some());
    let before = v.w.balance(v.ann).await;

    let refund_key = key();
    let refund = |key| {
        let pool = db.pool.clone();
        let payment = payment.id;
        async move {
            oversight::refund_payment(
                &pool,
                &settings(),
                admin,
                payment,
                "The doctor is ill",
                &key,
                Utc::now(),
            )
            .await
        }
    };
    let first = refund(refund_key.clone()).await.expect("refund");
    assert_eq!(first.amount, Money::parse("80").expect("fee"));
    assert_eq!(first.rule, RefundRule::Full);
    // The same request again answers the same, and pays nothing more.
    let replay = refund(refund_key).await.expect("replayed");
    assert_eq!(replay, first);
    // A second, different request is refused: the visit is already cancelled.
    match refund(key()).await {
        Err(AppError::Conflict(message)) => assert!(message.contains("already cancelled")),
        other => panic!("a second refund: {other:?}"),
    }
    assert_eq!(
        v.w.balance(v.ann).await.amount() - before.amount(),
        rust_decimal::Decimal::from(80),
        "the fee came back once"
    );
    assert_eq!(v.w.ledger_rows(v.ann, "refund").await, 1);
    assert_eq!(
        v.w.status(v.ann_later).await,
        ("cancelled".to_owned(), Some("refunded".to_owned()))
    );
    let listed = oversight::payments(
        &db.pool,
        &settings(),
        &PaymentQuery::parse(&PaymentParams {
            status: "refunded".into(),
            ..PaymentParams::default()
        })
        .expect("query"),
    )
    .await
    .expect("refunded payments");
    let row = listed
        .rows
        .iter()
        .find(|row| row.id == payment.id)
        .expect("listed as refunded");
    assert_eq!(row.refunded, Some(Money::parse("80").expect("fee")));
    assert!(!row.refundable());
    let reason: String =
        sqlx::query_scalar("SELECT cancellation_reason FROM appointments WHERE id = $1")
            .bind(v.ann_later)
            .fetch_one(&db.pool)
            .await
            .expect("reason");
    assert_eq!(reason, "The doctor is ill");
    let emailed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM email_outbox WHERE to_address LIKE 'ann@%'
            AND text_body LIKE '%The clinic has cancelled%' AND text_body LIKE '%The doctor is ill%'",
    )
    .fetch_one(&db.pool)
    .await
    .expect("outbox");
    assert_eq!(emailed, 1, "the patient is told");

    // A visit that took place cannot be refunded; a missing payment is missing.
    sqlx::query("UPDATE appointments SET status = 'completed' WHERE id = $1")
        .bind(v.ann_soon)
        .execute(&db.pool)
        .await
        .expect("the visit took place");
    let done: i64 = sqlx::query_scalar("SELECT id FROM payments WHERE appointment_id = $1")
        .bind(v.ann_soon)
        .fetch_one(&db.pool)
        .await
        .expect("payment");
    let answer =
        oversight::refund_payment(&db.pool, &settings(), admin, done, "", &key(), Utc::now()).await;
    match answer {
        Err(AppError::Conflict(message)) => assert!(message.contains("took place"), "{message}"),
        other => panic!("refunding a visit that took place: {other:?}"),
    }
    let missing =
        oversight::refund_payment(&db.pool, &settings(), admin, -1, "", &key(), Utc::now()).await;
    assert!(matches!(missing, Err(AppError::NotFound(_))), "{missing:?}");
    assert_invariants(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_and_transactions_filter_by_status_type_person_and_date() {
    let db = TestDb::new().await;
    let v = visits(&db).await;
    let payments = |q: &str, status: &str, from: &str, to: &str| {
        let pool = db.pool.clone();
        let query = PaymentQuery::parse(&PaymentParams {
            q: q.into(),
            status: status.into(),
            from: from.into(),
            to: to.into(),
            page: String::new(),
        })
        .expect("query");
        async move {
            oversight::payments(&pool, &settings(), &query)
                .await
                .expect("payments")
        }
    };
    assert_eq!(payments("", "", "", "").await.matching, 4);
    assert_eq!(payments("", "refunded", "", "").await.matching, 1);
    let held = payments("", "pending", "", "").await;
    assert_eq!(held.matching, 1);
    assert_eq!(held.rows[0].appointment_id, v.bob_held);
    assert!(!held.rows[0].refundable(), "nothing was paid");
    let reference = held.rows[0].transaction_id.clone();
    assert_eq!(payments(&reference, "", "", "").await.matching, 1);
    let today = settings().local_date(Utc::now()).to_string();
    assert_eq!(payments("", "", &today, &today).await.matching, 4);
    assert_eq!(
        payments("", "", "2001-01-01", "2001-01-02").await.matching,
        0
    );

    let ledger = |q: &str, kind: &str| {
        let pool = db.pool.clone();
        let query = TransactionQuery::parse(&TransactionParams {
            q: q.into(),
            kind: kind.into(),
            ..TransactionParams::default()
        })
        .expect("query");
        async move {
            oversight::transactions(&pool, &settings(), &query)
                .await
                .expect("transactions")
        }
    };
    // Ann: a deposit and two payments; Bob: a deposit, a payment and its refund.
    assert_eq!(ledger("", "").await.matching, 6);
    let anns = ledger("ann@example", "").await;
    assert_eq!(anns.matching, 3);
    assert!(anns.rows.iter().all(|row| row.user_id == v.ann));
    assert!(
        anns.rows.windows(2).all(|pair| pair[0].id > pair[1].id),
        "newest first"
    );
    let refunds = ledger("", "refund").await;
    assert_eq!(refunds.matching, 1);
    assert_eq!(refunds.rows[0].transaction_type, TransactionType::Refund);
    assert_eq!(refunds.rows[0].user_id, v.bob);
    assert_eq!(refunds.rows[0].appointment_id, Some(v.bob_cancelled));
    let payments_out = ledger("", "payment").await;
    assert!(payments_out.rows.iter().all(|row| row.amount < Money::ZERO));
    assert_eq!(ledger("nobody", "").await.matching, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctors_page_and_filter_by_status() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let specialty = w.clinic.specialty("Dermatology").await;
    for n in 0..27 {
        w.clinic
            .doctor(NewDoctor {
                first: "Skin",
                last: &format!("Doc{n:02}"),
                specialty,
                rating: "4.0",
                reviews: 0,
                fee: "40.00",
                years: 2,
            })
            .await;
    }
    // Every doctor has chosen a password (which confirms the address) but one; one has left.
    sqlx::query("UPDATE users SET email_verified_at = now() WHERE user_type = 'doctor'")
        .execute(&db.pool)
        .await
        .expect("passwords chosen");
    sqlx::query(
        "UPDATE users SET email_verified_at = NULL
          WHERE id = (SELECT user_id FROM doctors d JOIN users u ON u.id = d.user_id
                       WHERE u.last_name = 'Doc03')",
    )
    .execute(&db.pool)
    .await
    .expect("invited");
    sqlx::query(
        "UPDATE doctors SET is_active = FALSE
          WHERE user_id = (SELECT id FROM users WHERE last_name = 'Doc04')",
    )
    .execute(&db.pool)
    .await
    .expect("inactive");
    let list = |q: &str, status: &str, page: &str| {
        let pool = db.pool.clone();
        let query = DoctorQuery::parse(&DoctorParams {
            q: q.into(),
            status: status.into(),
            page: page.into(),
        })
        .expect("query");
        async move {
            doctor_records::doctors(&pool, &query)
                .await
                .expect("doctors")
        }
    };
    let first = list("", "", "").await;
    assert_eq!((first.matching, first.pages, first.rows.len()), (28, 2, 25));
    let second = list("", "", "2").await;
    assert_eq!(second.rows.len(), 3);
    assert!(second.rows.iter().all(|row| !first.rows.contains(row)));
    let invited = list("", "invited", "").await;
    assert_eq!(invited.rows.len(), 1);
    assert_eq!(invited.rows[0].last_name, "Doc03");
    assert_eq!(
        DoctorStatus::of(invited.rows[0].is_active, invited.rows[0].password_set),
        DoctorStatus::Invited
    );
    let inactive = list("", "inactive", "").await;
    assert_eq!(inactive.rows.len(), 1);
    assert_eq!(inactive.rows[0].last_name, "Doc04");
    assert_eq!(list("", "active", "").await.matching, 26);
    assert_eq!(list("doc1", "", "").await.matching, 10);
    assert_eq!(list("nobody", "", "").await.matching, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_downloads_as_csv_for_admins_only() {
    let db = TestDb::new().await;
    let v = visits(&db).await;
    account(&db, "boss", UserRole::Admin).await;
    let admin = sign_in(&db, "boss").await;
    let patient = sign_in(&db, "ann").await;

    for (uri, header) in [
        (
            "/admin/appointments.csv?status=confirmed",
            "id,date,start,end,doctor,specialty,patient,patient_email,status,fee,payment,booked_at",
        ),
        (
            "/admin/payments.csv?status=refunded",
            "id,reference,status,amount,refunded,paid_at,appointment,appointment_status,appointment_date,doctor,patient,patient_email",
        ),
        (
            "/admin/transactions.csv?q=bob%40example",
            "id,date,user,username,type,amount,balance_after,description,appointment",
        ),
        (
            "/admin/doctors.csv",
            "id,first_name,last_name,email,phone,specialty,license_number,experience_years,consultation_fee,status",
        ),
    ] {
        let (status, _, _) = get(&db, uri, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri} without a session");
        let (status, _, _) = get(&db, uri, Some(&patient)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{uri} as a patient");
        let (status, headers, csv) = get(&db, uri, Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {csv}");
        assert!(
            headers[axum::http::header::CONTENT_DISPOSITION]
                .to_str()
                .is_ok_and(|d| d.contains("attachment")),
            "{uri}"
        );
        assert_eq!(csv.lines().next(), Some(header), "{uri}");
    }

    let (_, _, csv) = get(
        &db,
        "/admin/appointments.csv?status=confirmed",
        Some(&admin),
    )
    .await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "Ann's two confirmed visits: {csv}");
    assert!(lines[1].starts_with(&format!("{},", v.ann_later)), "{csv}");
    assert!(lines[1].contains(",Dr. Jo Heart,Cardiology,"), "{csv}");
    assert!(lines[1].contains(",confirmed,80.00,completed,"), "{csv}");

    // Amounts stay numbers a spreadsheet can add up, minus signs included.
    let (_, _, csv) = get(&db, "/admin/transactions.csv?q=bob%40example", Some(&admin)).await;
    assert!(csv.contains(",payment,-50.00,0.00,"), "{csv}");
    assert!(csv.contains(",refund,50.00,50.00,"), "{csv}");

    let (_, _, csv) = get(&db, "/admin/payments.csv?status=refunded", Some(&admin)).await;
    assert!(csv.contains(",refunded,50.00,50.00,"), "{csv}");

    let (status, _, text) = get(&db, "/admin/appointments.csv?from=31-12-2030", Some(&admin)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(
        text.contains("2030-03-31"),
        "the message shows the format: {text}"
    );
}
