//! `server db-report` against a test database: every section is there, a deliberately
//! duplicated index is reported as a duplicate (and, never scanned, as unused), and an index
//! that enforces uniqueness is never called unused.

use server::tools::db_report::{self, Statements};

use crate::harness::{Clinic, NewDoctor, TestDb};

#[tokio::test]
async fn the_report_finds_a_duplicate_index_and_has_every_section() {
    let db = TestDb::new().await;
    let clinic = Clinic::new(&db).await;
    let specialty = clinic.specialty("Cardiology").await;
    for (first, last) in [("Ada", "Stone"), ("Ben", "Hart")] {
        let doctor = clinic
            .doctor(NewDoctor {
                first,
                last,
                specialty,
                rating: "4.0",
                reviews: 1,
                fee: "50.00",
                years: 3,
            })
            .await;
        clinic.slot(doctor, 2, 10).await;
    }
    // The same key columns as an index the schema has, under another name: a duplicate. The
    // original (the exclusion constraint's or an ordinary one) must be named beside it.
    sqlx::raw_sql(
        "CREATE INDEX report_test_doctor_date ON time_slots (doctor_id, date);
         CREATE INDEX report_test_doctor_date_again ON time_slots (doctor_id, date);
         CREATE INDEX report_test_other_order ON time_slots (date, doctor_id);
         ANALYZE",
    )
    .execute(&db.pool)
    .await
    .expect("indexes");

    let report = db_report::gather(&db.pool).await.expect("report");
    let duplicate = report
        .duplicates
        .iter()
        .find(|d| {
            d.indexes
                .iter()
                .any(|i| i == "report_test_doctor_date_again")
        })
        .unwrap_or_else(|| panic!("the duplicate is not reported: {:?}", report.duplicates));
    assert_eq!(duplicate.table, "public.time_slots");
    assert!(
        duplicate
            .indexes
            .iter()
            .any(|i| i == "report_test_doctor_date"),
        "{duplicate:?}"
    );
    // Other column order, other index: not a duplicate of these.
    assert!(
        !duplicate
            .indexes
            .iter()
            .any(|i| i == "report_test_other_order"),
        "{duplicate:?}"
    );
    let unused: Vec<&str> = report.unused().map(|i| i.index.as_str()).collect();
    assert!(
        unused.contains(&"report_test_doctor_date_again"),
        "{unused:?}"
    );
    assert!(
        !unused.contains(&"users_pkey"),
        "a primary key is never unused: {unused:?}"
    );
    assert!(
        report
            .indexes
            .iter()
            .any(|i| i.index == "users_pkey" && i.enforces)
    );
    let users = report
        .tables
        .iter()
        .find(|t| t.table == "public.users")
        .expect("users in the bloat section");
    assert!(users.live_rows >= 3, "{users:?}");
    assert!(
        users.wasted_bytes.is_some(),
        "analyzed, so estimated: {users:?}"
    );
    assert!(
        report
            .maintenance
            .iter()
            .any(|m| m.table == "public.time_slots" && m.last_analyze.is_some())
    );
    match &report.statements {
        Statements::Found(_) => {}
        Statements::Unavailable(why) => {
            assert!(why.contains("shared_preload_libraries"), "{why}");
            assert!(why.contains("CREATE EXTENSION pg_stat_statements"), "{why}");
        }
    }

    let text = report.to_string();
    for section in [
        "== Index usage",
        "== Unused indexes",
        "== Duplicate indexes",
        "== Table bloat",
        "== Index bloat",
        "== Slowest statements",
        "== Vacuum and analyze",
    ] {
        assert!(text.contains(section), "no {section:?} in:\n{text}");
    }
    let duplicates_section = text
        .split("== Duplicate indexes")
        .nth(1)
        .and_then(|rest| rest.split("\n== ").next())
        .expect("the duplicates section");
    assert!(
        duplicates_section.contains("report_test_doctor_date_again"),
        "{duplicates_section}"
    );
}

#[tokio::test]
async fn a_database_without_duplicates_says_so() {
    let db = TestDb::new().await;
    let report = db_report::gather(&db.pool).await.expect("report");
    // The schema as migrated has no two indexes doing one job.
    assert!(report.duplicates.is_empty(), "{:?}", report.duplicates);
    assert!(
        report.to_string().contains(
            "== Duplicate indexes (same table, method, key columns and predicate)\nNone."
        )
    );
}
