//! Demo data for a newcomer's first run: specialties, doctors with bios and fees, free slots for
//! the next 14 days, patients with wallet balances, and an admin. Loaded only into an empty
//! database, in one transaction, so a re-run keeps whatever is there.

mod data;

use anyhow::Context;
use app::services::accounts::{self, AdminForm, NewAdmin};
use app::services::page_changes::{PageChange, announce};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use rust_decimal::Decimal;
use sqlx::PgPool;

use data::{DOCTORS, DemoDoctor, PATIENTS, SPECIALTIES, Shift};

/// The password of every demo account. Printed at start-up; never use the demo data in production.
pub const DEMO_PASSWORD: &str = "demo-clinic-2026";

/// How many days ahead the demo doctors have free slots.
const DAYS_OF_SLOTS: i64 = 14;
const SLOT_MINUTES: i64 = 30;

/// One account a person can sign in with.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: String,
    pub email: String,
    pub role: &'static str,
}

/// The accounts the demo data creates (whether or not they exist yet).
pub fn logins() -> Vec<DemoLogin> {
    let mut logins = vec![DemoLogin {
        username: "admin".to_owned(),
        email: "admin@clinic.example".to_owned(),
        role: "admin",
    }];
    logins.extend(DOCTORS.iter().map(|d| DemoLogin {
        username: doctor_username(d),
        email: format!("{}.{}@clinic.example", d.first, d.last).to_lowercase(),
        role: "doctor",
    }));
    logins.extend(PATIENTS.iter().map(|p| DemoLogin {
        username: p.username.to_owned(),
        email: format!("{}@example.com", p.username),
        role: "patient",
    }));
    logins
}

fn doctor_username(doctor: &DemoDoctor) -> String {
    format!("dr.{}", doctor.last.to_lowercase())
}

/// Loads the demo data when the database has no users yet. Returns whether it did.
///
/// `today` is the clinic's local date; slots start there (none in the past) and run for 14 days.
pub async fn seed_if_empty(
    pool: &PgPool,
    today: NaiveDate,
    now_local: NaiveTime,
) -> anyhow::Result<bool> {
    let mut tx = pool.begin().await?;
    // Two instances starting at once must not both seed.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('clinic-demo-seed'))")
        .execute(&mut *tx)
        .await?;
    let has_users: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users)")
        .fetch_one(&mut *tx)
        .await?;
    if has_users {
        return Ok(false);
    }

    // The admin is made by the accounts service, as `server create-admin` makes one. The doctors
    // and patients are written here: no service makes a doctor with a known password (onboarding
    // sends an invitation instead) or a patient whose address is verified and whose wallet holds
    // money, and the whole cast must be one transaction.
    let admin = NewAdmin::check(AdminForm {
        username: "admin".to_owned(),
        email: "admin@clinic.example".to_owned(),
        first_name: "Clinic".to_owned(),
        last_name: "Administrator".to_owned(),
        password: DEMO_PASSWORD.to_owned(),
    })?;
    let admin_id = accounts::create_admin(&mut tx, admin, Utc::now()).await?.id;

    let mut hashes = Vec::with_capacity(DOCTORS.len() + PATIENTS.len());
    for _ in 0..DOCTORS.len() + PATIENTS.len() {
        hashes.push(app::services::passwords::hash(DEMO_PASSWORD.to_owned()).await?);
    }
    let mut hashes = hashes.into_iter();
    let mut next_hash = || hashes.next().unwrap_or_default();

    for specialty in SPECIALTIES {
        sqlx::query("INSERT INTO specialties (name, description) VALUES ($1, $2)")
            .bind(specialty.name)
            .bind(specialty.description)
            .execute(&mut *tx)
            .await?;
    }

    for (index, doctor) in DOCTORS.iter().enumerate() {
        let user_id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, email, first_name, last_name, password_hash, user_type, phone_number, email_verified_at)
             VALUES ($1, $2, $3, $4, $5, 'doctor', $6, now())
             RETURNING id",
        )
        .bind(doctor_username(doctor))
        .bind(format!("{}.{}@clinic.example", doctor.first, doctor.last).to_lowercase())
        .bind(doctor.first)
        .bind(doctor.last)
        .bind(next_hash())
        .bind(format!("+44207946{:04}", 100 + index))
        .fetch_one(&mut *tx)
        .await?;
        let doctor_id: i64 = sqlx::query_scalar(
            "INSERT INTO doctors (user_id, specialty_id, license_number, experience_years, bio, consultation_fee, created_by)
             SELECT $1, s.id, $2, $3, $4, $5, $6 FROM specialties s WHERE s.name = $7
             RETURNING id",
        )
        .bind(user_id)
        .bind(format!("GMC-{:07}", 4_100_000 + index * 7_919))
        .bind(doctor.years)
        .bind(doctor.bio)
        .bind(Decimal::new(doctor.fee * 100, 2))
        .bind(admin_id)
        .bind(doctor.specialty)
        .fetch_one(&mut *tx)
        .await?;

        let (dates, starts, ends) = slot_times(doctor.shift, today, now_local);
        sqlx::query(
            "INSERT INTO time_slots (doctor_id, date, start_time, end_time, created_by)
             SELECT $1, d, s, e, $5 FROM unnest($2::date[], $3::time[], $4::time[]) AS t(d, s, e)",
        )
        .bind(doctor_id)
        .bind(dates)
        .bind(starts)
        .bind(ends)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    }

    for patient in PATIENTS {
        let balance = Decimal::new(patient.balance * 100, 2);
        let user_id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, email, first_name, last_name, password_hash, user_type, phone_number, wallet_balance, email_verified_at)
             VALUES ($1, $2, $3, $4, $5, 'patient', $6, $7, now())
             RETURNING id",
        )
        .bind(patient.username)
        .bind(format!("{}@example.com", patient.username))
        .bind(patient.first)
        .bind(patient.last)
        .bind(next_hash())
        .bind(patient.phone)
        .bind(balance)
        .fetch_one(&mut *tx)
        .await?;
        // Every balance is explained by the ledger, the demo's included.
        sqlx::query(
            "INSERT INTO wallet_transactions (user_id, transaction_type, amount, description, balance_after)
             VALUES ($1, 'deposit', $2, 'Opening balance (demo data)', $2)",
        )
        .bind(user_id)
        .bind(balance)
        .execute(&mut *tx)
        .await?;
    }

    tx.commit().await?;
    // Instances already serving this database show the new clinic at once.
    announce(pool, &[PageChange::Everything]).await;
    Ok(true)
}

/// `seed-demo` (and `serve --demo`): loads the demo data into an empty database and prints the
/// demo logins either way.
pub async fn seed_and_show_logins(pool: &PgPool, time_zone: chrono_tz::Tz) -> anyhow::Result<()> {
    let (today, now) = clinic_now(time_zone);
    let seeded = seed_if_empty(pool, today, now)
        .await
        .context("could not load the demo data")?;
    if seeded {
        println!("Loaded the demo data.");
    } else {
        println!("The database already has users; the demo data was not loaded again.");
    }
    println!("\nDemo accounts (password for all: {DEMO_PASSWORD})");
    for login in logins() {
        println!("  {:<8} {:<14} {}", login.role, login.username, login.email);
    }
    Ok(())
}

/// The free slots of one doctor: 30 minutes each, Monday to Saturday, for 14 days from `today`,
/// none already started.
fn slot_times(
    shift: Shift,
    today: NaiveDate,
    now_local: NaiveTime,
) -> (Vec<NaiveDate>, Vec<NaiveTime>, Vec<NaiveTime>) {
    let hour = |h: u32| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
    let windows: &[(u32, u32)] = match shift {
        Shift::Mornings => &[(9, 12)],
        Shift::Afternoons => &[(13, 17)],
        Shift::FullDays => &[(9, 12), (13, 17)],
    };
    let (mut dates, mut starts, mut ends) = (Vec::new(), Vec::new(), Vec::new());
    for offset in 0..DAYS_OF_SLOTS {
        let date = today + Duration::days(offset);
        if date.weekday() == Weekday::Sun {
            continue;
        }
        for &(from, to) in windows {
            let mut start = hour(from);
            while start < hour(to) {
                let end = start + Duration::minutes(SLOT_MINUTES);
                if offset > 0 || start > now_local {
                    dates.push(date);
                    starts.push(start);
                    ends.push(end);
                }
                start = end;
            }
        }
    }
    (dates, starts, ends)
}

/// Today's date and the time of day in the clinic's time zone.
pub fn clinic_now(time_zone: chrono_tz::Tz) -> (NaiveDate, NaiveTime) {
    let now = Utc::now().with_timezone(&time_zone);
    (now.date_naive(), now.time())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_skip_sundays_and_the_past_and_never_overlap() {
        // 2026-11-23 is a Monday.
        let monday = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
        let ten = NaiveTime::from_hms_opt(10, 0, 0).expect("time");
        let (dates, starts, ends) = slot_times(Shift::Mornings, monday, ten);
        // Today: 10:30, 11:00, 11:30 remain. Then 11 more working days of 6 slots (2 Sundays off).
        assert_eq!(dates.len(), 3 + 11 * 6);
        assert!(dates.iter().all(|d| d.weekday() != Weekday::Sun));
        assert!(
            dates
                .iter()
                .zip(&starts)
                .all(|(d, s)| *d > monday || *s > ten)
        );
        for i in 1..dates.len() {
            if dates[i] == dates[i - 1] {
                assert!(starts[i] >= ends[i - 1], "slots overlap");
            }
        }
    }
}
