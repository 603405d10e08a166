//! Doctors and patients: names and unique usernames, contact details, sign-up and last sign-in
//! times; for doctors also specialty, experience, fee, bio and how well liked they are.

use std::collections::HashMap;

use chrono::Duration;

use super::rng::Rng;
use super::specialties::SPECIALTIES;
use super::words::{BIO_OPENERS, BIO_SENTENCES, FIRST_NAMES, LAST_NAMES, RATING_PROFILES};
use super::{Doctor, Person};
use crate::tools::scale::plan::{Clock, PAST_DAYS};

/// People's names, and the usernames handed out so far: the second Anna Smith is anna.smith2.
pub(super) struct Names {
    first: Vec<&'static str>,
    last: Vec<&'static str>,
    taken: HashMap<String, u32>,
}

impl Names {
    pub(super) fn new() -> Self {
        let list = |text: &'static str| text.split(',').map(str::trim).collect();
        Self {
            first: list(FIRST_NAMES),
            last: list(LAST_NAMES),
            taken: HashMap::new(),
        }
    }

    fn random(&self, rng: &mut Rng) -> (&'static str, &'static str) {
        (rng.pick(&self.first), rng.pick(&self.last))
    }

    fn handle(&mut self, first: &str, last: &str) -> String {
        let plain = |name: &str| -> String {
            name.chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .collect()
        };
        let base = format!("{}.{}", plain(first), plain(last));
        let seen = self.taken.entry(base.clone()).or_insert(0);
        *seen += 1;
        // Names hold no digits, so a numbered handle never equals another's base.
        if *seen == 1 {
            base
        } else {
            format!("{base}{seen}")
        }
    }
}

pub(super) fn generate_doctors(count: usize, clock: &Clock, names: &mut Names) -> Vec<Doctor> {
    let mut rng = Rng::stream(1);
    let weights: Vec<u32> = SPECIALTIES.iter().map(|s| s.weight).collect();
    (0..count)
        .map(|index| {
            let (first, last) = names.random(&mut rng);
            let handle = names.handle(first, last);
            // Every specialty has doctors whenever there are enough of them; the rest follow
            // how common each specialty is.
            let specialty = if index < SPECIALTIES.len() && count >= SPECIALTIES.len() {
                index
            } else {
                rng.weighted(&weights)
            };
            // Both skewed towards the low end: more young doctors than veterans, more modest
            // fees than high ones. 30.00 to 250.00 in steps of 5.00.
            let years = 1 + rng.below(40).min(rng.below(40)) as i32;
            let fee_cents = (30 + 5 * rng.below(45).min(rng.below(45)) as i64) * 100;
            let ratings = RATING_PROFILES[rng.weighted(&[30, 50, 20])];
            Doctor {
                person: Person {
                    first,
                    last,
                    username: format!("dr.{handle}"),
                    email: format!("{handle}@clinic.example"),
                    phone: format!("+44207946{:04}", rng.below(10_000)),
                    created_at: clock.now_local - Duration::days(60 + rng.range(0, 1500)),
                    last_login: Some(clock.now_local - Duration::minutes(rng.range(5, 20_000))),
                },
                specialty,
                license: license_number(index),
                years,
                bio: bio(&mut rng, SPECIALTIES[specialty].name, years),
                fee_cents,
                ratings,
            }
        })
        .collect()
}

/// A unique registration number that does not give away the order doctors were added in:
/// multiplying by a number prime to 10⁷ permutes 0..10⁷.
pub(super) fn license_number(index: usize) -> String {
    format!("GMC-{:07}", (index as u64 * 7_919 + 1_234_567) % 10_000_000)
}

fn bio(rng: &mut Rng, specialty: &str, years: i32) -> String {
    let opener = rng.pick(BIO_OPENERS);
    let years = if years == 1 {
        "a year".to_owned()
    } else {
        format!("{years} years")
    };
    format!(
        "{opener} {} with {years} of experience. {}",
        specialty.to_lowercase(),
        rng.pick(BIO_SENTENCES)
    )
}

pub(super) fn generate_patients(count: usize, clock: &Clock, names: &mut Names) -> Vec<Person> {
    let mut rng = Rng::stream(2);
    (0..count)
        .map(|_| {
            let (first, last) = names.random(&mut rng);
            let username = names.handle(first, last);
            Person {
                first,
                last,
                email: format!("{username}@example.com"),
                username,
                phone: if rng.chance(0.8) {
                    format!("+447700{:06}", rng.below(1_000_000))
                } else {
                    String::new()
                },
                // Every patient signed up before the first slot of the window was bookable.
                created_at: clock.now_local
                    - Duration::days(PAST_DAYS + 16 + rng.range(0, 650))
                    - Duration::minutes(rng.range(0, 1439)),
                last_login: rng
                    .chance(0.7)
                    .then(|| clock.now_local - Duration::minutes(rng.range(5, 43_200))),
            }
        })
        .collect()
}
