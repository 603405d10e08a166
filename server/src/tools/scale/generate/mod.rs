//! Generating the data set in memory, from a seeded generator: people, slots, appointments, the
//! wallet ledger and reviews, referring to each other by position. One file per kind of row.

mod appointments;
mod ledger;
mod people;
mod reviews;
mod rng;
mod slots;
pub(super) mod specialties;
mod words;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use super::plan::{Clock, SLOT_MINUTES, ScalePlan};
use appointments::generate_appointments;
use ledger::generate_ledger;
use people::{Names, generate_doctors, generate_patients};
use reviews::generate_reviews;
use rng::{SEED, mix};
use slots::generate_slots;

pub(super) struct Person {
    pub(super) first: &'static str,
    pub(super) last: &'static str,
    pub(super) username: String,
    pub(super) email: String,
    pub(super) phone: String,
    pub(super) created_at: NaiveDateTime,
    pub(super) last_login: Option<NaiveDateTime>,
}

pub(super) struct Doctor {
    pub(super) person: Person,
    pub(super) specialty: usize,
    pub(super) license: String,
    pub(super) years: i32,
    pub(super) bio: String,
    pub(super) fee_cents: i64,
    /// Weights of ratings 1..5 in this doctor's reviews: some doctors are better liked.
    pub(super) ratings: &'static [u32; 5],
}

pub(super) struct Slot {
    pub(super) doctor: usize,
    pub(super) date: NaiveDate,
    pub(super) start: NaiveTime,
    pub(super) available: bool,
    pub(super) created_at: NaiveDateTime,
}

impl Slot {
    pub(super) fn starts_at(&self) -> NaiveDateTime {
        self.date.and_time(self.start)
    }
    pub(super) fn ends_at(&self) -> NaiveDateTime {
        self.starts_at() + Duration::minutes(SLOT_MINUTES)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    Confirmed,
    Completed,
    Cancelled,
}

impl Status {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }
}

pub(super) struct Appointment {
    pub(super) patient: usize,
    pub(super) doctor: usize,
    pub(super) slot: usize,
    pub(super) status: Status,
    pub(super) fee_cents: i64,
    pub(super) notes: &'static str,
    pub(super) booked_at: NaiveDateTime,
    /// When it was completed or cancelled; the booking time while it is confirmed.
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Clone, Copy)]
pub(super) enum LedgerKind {
    Deposit,
    Payment,
    Refund,
}

impl LedgerKind {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Deposit => "deposit",
            Self::Payment => "payment",
            Self::Refund => "refund",
        }
    }
}

pub(super) struct LedgerEntry {
    pub(super) patient: usize,
    pub(super) kind: LedgerKind,
    pub(super) amount_cents: i64,
    pub(super) description: String,
    pub(super) balance_after_cents: i64,
    pub(super) appointment: Option<usize>,
    pub(super) at: NaiveDateTime,
}

pub(super) struct Review {
    pub(super) appointment: usize,
    pub(super) rating: i16,
    pub(super) comment: &'static str,
    pub(super) anonymous: bool,
    pub(super) at: NaiveDateTime,
}

pub(super) struct Generated {
    pub(super) admin: Person,
    pub(super) doctors: Vec<Doctor>,
    pub(super) patients: Vec<Person>,
    pub(super) slots: Vec<Slot>,
    /// In booking order.
    pub(super) appointments: Vec<Appointment>,
    /// In time order.
    pub(super) ledger: Vec<LedgerEntry>,
    /// Each patient's final wallet balance, in cents.
    pub(super) balances: Vec<i64>,
    /// In time order.
    pub(super) reviews: Vec<Review>,
}

pub(super) fn generate(plan: &ScalePlan, clock: &Clock) -> Generated {
    let now = clock.now_local;
    let mut names = Names::new();
    let admin = Person {
        first: "Clinic",
        last: "Administrator",
        username: "admin".to_owned(),
        email: "admin@clinic.example".to_owned(),
        phone: String::new(),
        created_at: now - Duration::days(2000),
        last_login: Some(now - Duration::hours(3)),
    };
    let doctors = generate_doctors(plan.doctors, clock, &mut names);
    let patients = generate_patients(plan.patients, clock, &mut names);
    let mut slots = generate_slots(plan.slots, &doctors, clock);
    let appointments = generate_appointments(plan, &doctors, &mut slots, clock);
    let (ledger, balances) = generate_ledger(&patients, &appointments, &doctors, &slots);
    let reviews = generate_reviews(plan.reviews, &appointments, &doctors, &slots, clock);
    Generated {
        admin,
        doctors,
        patients,
        slots,
        appointments,
        ledger,
        balances,
        reviews,
    }
}

/// A unique, random-looking payment reference: the position through a bijective mixer.
pub(super) fn transaction_id(appointment: usize) -> String {
    format!("wallet-{:016x}", mix(appointment as u64 ^ SEED))
}

#[cfg(test)]
mod tests {
    use super::people::license_number;
    use super::*;

    fn clock() -> Clock {
        Clock {
            time_zone: chrono_tz::Europe::Berlin,
            now_local: NaiveDate::from_ymd_opt(2026, 11, 25)
                .and_then(|d| d.and_hms_opt(10, 17, 0))
                .expect("valid"),
        }
    }

    #[test]
    fn generated_data_keeps_the_rules() {
        let plan = ScalePlan::for_scale(0.5).expect("valid");
        let clock = clock();
        let data = generate(&plan, &clock);
        assert_eq!(data.doctors.len(), plan.doctors);
        assert_eq!(data.slots.len(), plan.slots);
        assert_eq!(data.appointments.len(), plan.appointments);
        assert_eq!(data.reviews.len(), plan.reviews);

        // Slots of one doctor never overlap.
        let mut by_doctor: Vec<(usize, NaiveDateTime, NaiveDateTime)> = data
            .slots
            .iter()
            .map(|s| (s.doctor, s.starts_at(), s.ends_at()))
            .collect();
        by_doctor.sort();
        for pair in by_doctor.windows(2) {
            if pair[0].0 == pair[1].0 {
                assert!(pair[1].1 >= pair[0].2, "overlap: {pair:?}");
            }
        }
        // Fees, experience, handles.
        for doctor in &data.doctors {
            assert!((3_000..=25_000).contains(&doctor.fee_cents) && doctor.fee_cents % 500 == 0);
            assert!((1..=40).contains(&doctor.years));
        }
        let usernames: std::collections::HashSet<&str> = data
            .doctors
            .iter()
            .map(|d| d.person.username.as_str())
            .chain(data.patients.iter().map(|p| p.username.as_str()))
            .collect();
        assert_eq!(usernames.len(), data.doctors.len() + data.patients.len());
        // Statuses follow the clock; live appointments hold their slots.
        for a in &data.appointments {
            let slot = &data.slots[a.slot];
            match a.status {
                Status::Completed => assert!(slot.ends_at() <= clock.now_local),
                Status::Confirmed => assert!(slot.starts_at() > clock.now_local),
                Status::Cancelled => {}
            }
            assert_eq!(slot.available, a.status == Status::Cancelled);
            assert!(a.booked_at <= clock.now_local);
        }
        // The ledger never dips below zero and ends at the balances.
        let mut running = vec![0_i64; data.patients.len()];
        for entry in &data.ledger {
            running[entry.patient] += entry.amount_cents;
            assert_eq!(running[entry.patient], entry.balance_after_cents);
            assert!(entry.balance_after_cents >= 0);
        }
        assert_eq!(running, data.balances);
    }

    #[test]
    fn licenses_and_transaction_ids_are_unique() {
        let licenses: std::collections::HashSet<String> =
            (0..100_000).map(license_number).collect();
        assert_eq!(licenses.len(), 100_000);
        let ids: std::collections::HashSet<String> = (0..100_000).map(transaction_id).collect();
        assert_eq!(ids.len(), 100_000);
    }
}
