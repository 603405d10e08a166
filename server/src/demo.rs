//! Demo data for a newcomer's first run: specialties, doctors with bios and fees, free slots for
//! the next 14 days, patients with wallet balances, and an admin. Loaded only into an empty
//! database, in one transaction, so a re-run keeps whatever is there.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use rust_decimal::Decimal;
use sqlx::PgPool;

/// The password of every demo account. Printed at start-up; never use the demo data in production.
pub const DEMO_PASSWORD: &str = "demo-clinic-2026";

/// How many days ahead the demo doctors have free slots.
const DAYS_OF_SLOTS: i64 = 14;
const SLOT_MINUTES: i64 = 30;

struct DemoSpecialty {
    name: &'static str,
    description: &'static str,
}

const SPECIALTIES: &[DemoSpecialty] = &[
    DemoSpecialty {
        name: "Cardiology",
        description: "Heart and blood vessels: chest pain, blood pressure, palpitations and check-ups after a heart event.",
    },
    DemoSpecialty {
        name: "Dermatology",
        description: "Skin, hair and nails: rashes, acne, moles and eczema.",
    },
    DemoSpecialty {
        name: "General Practice",
        description: "Your first stop for everyday health questions, prescriptions and referrals.",
    },
    DemoSpecialty {
        name: "Neurology",
        description: "Brain and nerves: headaches, dizziness, numbness and memory concerns.",
    },
    DemoSpecialty {
        name: "Ophthalmology",
        description: "Eyes and vision: sight tests, infections, glaucoma and cataract advice.",
    },
    DemoSpecialty {
        name: "Orthopedics",
        description: "Bones, joints and muscles: sports injuries, back pain and arthritis.",
    },
    DemoSpecialty {
        name: "Pediatrics",
        description: "Care for babies, children and teenagers, from vaccinations to growing pains.",
    },
    DemoSpecialty {
        name: "Psychiatry",
        description: "Mental health: anxiety, depression, sleep and stress, with therapy and medication.",
    },
];

/// Which part of the day a doctor works.
#[derive(Clone, Copy)]
enum Shift {
    Mornings,
    Afternoons,
    FullDays,
}

struct DemoDoctor {
    first: &'static str,
    last: &'static str,
    specialty: &'static str,
    years: i32,
    fee: i64,
    shift: Shift,
    bio: &'static str,
}

const DOCTORS: &[DemoDoctor] = &[
    DemoDoctor {
        first: "Amelia",
        last: "Hart",
        specialty: "Cardiology",
        years: 15,
        fee: 120,
        shift: Shift::Mornings,
        bio: "Consultant cardiologist focused on preventing heart disease. Explains test results in plain words and agrees a plan you can keep.",
    },
    DemoDoctor {
        first: "Rafael",
        last: "Ortiz",
        specialty: "Cardiology",
        years: 8,
        fee: 95,
        shift: Shift::Afternoons,
        bio: "Cardiologist with a special interest in heart rhythm problems and sports cardiology.",
    },
    DemoDoctor {
        first: "Priya",
        last: "Nair",
        specialty: "Dermatology",
        years: 11,
        fee: 85,
        shift: Shift::FullDays,
        bio: "Dermatologist treating acne, eczema and psoriasis, and checking moles with dermoscopy.",
    },
    DemoDoctor {
        first: "Tom",
        last: "Becker",
        specialty: "Dermatology",
        years: 4,
        fee: 60,
        shift: Shift::Afternoons,
        bio: "Dermatologist who sees children and adults for rashes, allergies and skin infections.",
    },
    DemoDoctor {
        first: "Sofia",
        last: "Rossi",
        specialty: "Pediatrics",
        years: 12,
        fee: 70,
        shift: Shift::Mornings,
        bio: "Paediatrician and mother of three; vaccinations, development checks and the worries of new parents.",
    },
    DemoDoctor {
        first: "Kwame",
        last: "Mensah",
        specialty: "Pediatrics",
        years: 6,
        fee: 65,
        shift: Shift::Afternoons,
        bio: "Paediatrician with a background in childhood asthma and allergies.",
    },
    DemoDoctor {
        first: "Hannah",
        last: "Weiss",
        specialty: "Neurology",
        years: 19,
        fee: 140,
        shift: Shift::Mornings,
        bio: "Neurologist for migraine, epilepsy and nerve pain; runs the clinic's headache service.",
    },
    DemoDoctor {
        first: "Daniel",
        last: "Kim",
        specialty: "Orthopedics",
        years: 10,
        fee: 110,
        shift: Shift::FullDays,
        bio: "Orthopaedic specialist for knees, shoulders and sports injuries, from first assessment to rehabilitation.",
    },
    DemoDoctor {
        first: "Laura",
        last: "Chen",
        specialty: "General Practice",
        years: 7,
        fee: 50,
        shift: Shift::FullDays,
        bio: "Family doctor for everyday illnesses, long-term conditions and health checks.",
    },
    DemoDoctor {
        first: "Omar",
        last: "Haddad",
        specialty: "General Practice",
        years: 22,
        fee: 55,
        shift: Shift::Mornings,
        bio: "Experienced general practitioner with an interest in diabetes and travel medicine.",
    },
    DemoDoctor {
        first: "Ingrid",
        last: "Larsen",
        specialty: "Psychiatry",
        years: 14,
        fee: 130,
        shift: Shift::Afternoons,
        bio: "Psychiatrist offering assessment and treatment for anxiety, depression and sleep problems.",
    },
    DemoDoctor {
        first: "Mateo",
        last: "Silva",
        specialty: "Ophthalmology",
        years: 9,
        fee: 90,
        shift: Shift::Mornings,
        bio: "Eye specialist for sight problems, dry eyes and glaucoma monitoring.",
    },
];

struct DemoPatient {
    username: &'static str,
    first: &'static str,
    last: &'static str,
    phone: &'static str,
    balance: i64,
}

const PATIENTS: &[DemoPatient] = &[
    DemoPatient {
        username: "ann",
        first: "Ann",
        last: "Lee",
        phone: "+442079460001",
        balance: 250,
    },
    DemoPatient {
        username: "ben",
        first: "Ben",
        last: "Carter",
        phone: "+442079460002",
        balance: 80,
    },
    DemoPatient {
        username: "chloe",
        first: "Chloe",
        last: "Martin",
        phone: "+442079460003",
        balance: 500,
    },
];

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

    let logins = logins();
    let mut hashes = Vec::with_capacity(logins.len());
    for _ in &logins {
        hashes.push(app::services::passwords::hash(DEMO_PASSWORD.to_owned()).await?);
    }
    let mut hashes = hashes.into_iter();
    let mut next_hash = || hashes.next().unwrap_or_default();

    let admin_id: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, email, first_name, last_name, password_hash, user_type, email_verified_at)
         VALUES ('admin', 'admin@clinic.example', 'Clinic', 'Administrator', $1, 'admin', now())
         RETURNING id",
    )
    .bind(next_hash())
    .fetch_one(&mut *tx)
    .await?;

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
    Ok(true)
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

    #[test]
    fn every_demo_doctor_has_a_demo_specialty() {
        for doctor in DOCTORS {
            assert!(
                SPECIALTIES.iter().any(|s| s.name == doctor.specialty),
                "{}",
                doctor.specialty
            );
        }
    }
}
