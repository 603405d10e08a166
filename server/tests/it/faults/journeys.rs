//! What the people do: a patient's random walk through the app (browsing their pages, signing
//! in, topping up, booking, paying holds, cancelling, reviewing), a visitor's browsing, and each
//! journey as the app's pages make it, with what its answer told the patient.

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use serde_json::Value;

use app::domain::request_key::RequestKey;

use super::client::{Client, Definite};
use super::people::Patient;
use super::{CARD_NUMBER, VISIT_NOTE};
use crate::harness::PASSWORD;

pub(super) async fn run_patient(
    mut patient: Patient,
    mut client: Client,
    slots: Vec<i64>,
    seed: u64,
    load_ends: Instant,
) -> Patient {
    let mut rng = StdRng::seed_from_u64(0xC11_0000 + seed);
    sign_in(&mut patient, &mut client).await;
    while Instant::now() < load_ends {
        // The booking limit (30 in 10 minutes for each patient) holds; the mix stays under it.
        let roll = rng.gen_range(0..100);
        match roll {
            0..=34 => {
                let path = if rng.gen_bool(0.5) {
                    "/appointments"
                } else {
                    "/wallet"
                };
                client.browse(path, &patient.cookie).await;
            }
            35..=36 => sign_in(&mut patient, &mut client).await,
            37..=50 => {
                let amount = Decimal::new(rng.gen_range(20..=80) * 100, 2);
                top_up(&mut patient, &mut client, amount).await;
            }
            51..=70 => {
                let slot = slots[rng.gen_range(0..slots.len())];
                book(&mut patient, &mut client, slot).await;
            }
            71..=80 => {
                let pending = patient
                    .model
                    .appointments_where(|status| status == "pending");
                if let Some(&appointment) = pending.first() {
                    pay(&mut patient, &mut client, appointment).await;
                }
            }
            81..=92 => {
                let live = patient
                    .model
                    .appointments_where(|status| status != "cancelled");
                if !live.is_empty() {
                    let appointment = live[rng.gen_range(0..live.len())];
                    cancel(&mut patient, &mut client, appointment).await;
                }
            }
            _ => {
                if let Some(visit) = patient.model.to_review.pop() {
                    review(&mut patient, &mut client, visit).await;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(rng.gen_range(150..350))).await;
    }
    patient
}

pub(super) async fn run_visitor(
    mut client: Client,
    doctors: Vec<i64>,
    seed: u64,
    load_ends: Instant,
) {
    let mut rng = StdRng::seed_from_u64(0x0B5_0000 + seed);
    while Instant::now() < load_ends {
        let path = match rng.gen_range(0..4) {
            0 => "/".to_owned(),
            1 => "/doctors".to_owned(),
            2 => "/doctors?sort=fee".to_owned(),
            _ => format!("/doctors/{}", doctors[rng.gen_range(0..doctors.len())]),
        };
        client.browse(&path, "").await;
        tokio::time::sleep(Duration::from_millis(rng.gen_range(20..80))).await;
    }
}

/// Signs in (again); a session that ends on the way is signed in again by the callers.
pub(super) async fn sign_in(patient: &mut Patient, client: &mut Client) {
    let body = encode(&[("identifier", &patient.username), ("password", PASSWORD)]);
    match client.definite("/api/sign-in", "", &body).await {
        Definite::Done(reply) => {
            patient.cookie = reply
                .cookie("clinic_session")
                .expect("a session cookie after signing in");
            patient
                .model
                .session_ids
                .push(patient.cookie["clinic_session=".len()..].to_owned());
            patient.model.sign_ins += 1;
        }
        other => client.tally.problem(format!(
            "{}: signing in did not succeed: {other:?}",
            patient.username
        )),
    }
}

/// A keyed request that may meet a signed-out session: signs in again and repeats it, with the
/// same key.
pub(super) async fn keyed(
    patient: &mut Patient,
    client: &mut Client,
    path: &str,
    pairs: &[(&str, &str)],
) -> Definite {
    let key = RequestKey::generate();
    let mut pairs = pairs.to_vec();
    pairs.push(("request_key", key.as_str()));
    let body = encode(&pairs);
    for _ in 0..3 {
        match client.definite(path, &patient.cookie, &body).await {
            Definite::Refused(401) => sign_in(patient, client).await,
            other => return other,
        }
    }
    client
        .tally
        .problem(format!("{path}: signed out three times in a row"));
    Definite::Refused(401)
}

pub(super) async fn top_up(patient: &mut Patient, client: &mut Client, amount: Decimal) {
    let amount_text = amount.to_string();
    let answer = keyed(
        patient,
        client,
        "/api/wallet/top-up",
        &[
            ("amount", &amount_text),
            ("card_number", CARD_NUMBER),
            ("expiry", "12/35"),
            ("cvc", "123"),
        ],
    )
    .await;
    if let Definite::Done(_) = answer {
        patient.model.deposits.push(amount);
    }
}

pub(super) async fn book(patient: &mut Patient, client: &mut Client, slot: i64) {
    let slot = slot.to_string();
    let answer = keyed(
        patient,
        client,
        "/api/booking/book",
        &[("slot_id", &slot), ("notes", VISIT_NOTE)],
    )
    .await;
    let Definite::Done(reply) = answer else {
        return;
    };
    let outcome: Value = serde_json::from_str(&reply.body).expect("a booking outcome");
    if let Some(id) = outcome["Confirmed"]["appointment_id"].as_i64() {
        patient.model.appointments.insert(id, "confirmed");
        patient.model.paid.insert(id);
    } else if let Some(id) = outcome["AwaitingPayment"]["appointment_id"].as_i64() {
        patient.model.appointments.insert(id, "pending");
    } else if outcome.get("SlotTaken").is_some() {
        patient.model.slots_taken += 1;
    } else {
        client
            .tally
            .problem(format!("a booking answered {}", reply.body));
    }
}

pub(super) async fn pay(patient: &mut Patient, client: &mut Client, appointment: i64) {
    let id = appointment.to_string();
    if let Definite::Done(_) = keyed(
        patient,
        client,
        "/api/booking/pay",
        &[("appointment_id", &id)],
    )
    .await
    {
        patient.model.appointments.insert(appointment, "confirmed");
        patient.model.paid.insert(appointment);
    }
}

/// Cancels as the appointment page does: shows the refund, then confirms that refund.
pub(super) async fn cancel(patient: &mut Patient, client: &mut Client, appointment: i64) {
    let id = appointment.to_string();
    let body = encode(&[("appointment_id", &id)]);
    let Definite::Done(detail) = client
        .definite("/api/booking/detail", &patient.cookie, &body)
        .await
    else {
        return;
    };
    let detail: Value = serde_json::from_str(&detail.body).expect("an appointment");
    let Some(shown) = detail["cancel_refund"]["amount"]
        .as_str()
        .map(str::to_owned)
    else {
        return;
    };
    let answer = keyed(
        patient,
        client,
        "/api/booking/cancel",
        &[
            ("appointment_id", &id),
            ("expected_refund", &shown),
            ("reason", "Plans changed"),
        ],
    )
    .await;
    let Definite::Done(reply) = answer else {
        return;
    };
    let refund: Value = serde_json::from_str(&reply.body).expect("a refund");
    let amount: Decimal = match &refund["amount"] {
        Value::String(text) => text.parse().expect("an amount"),
        other => other.to_string().parse().expect("an amount"),
    };
    patient.model.appointments.insert(appointment, "cancelled");
    if amount > Decimal::ZERO {
        patient.model.refunds.insert(appointment, amount);
    }
}

pub(super) async fn review(patient: &mut Patient, client: &mut Client, visit: i64) {
    let id = visit.to_string();
    let body = encode(&[
        ("appointment_id", &id),
        ("rating", "4"),
        ("comment", "Kind, clear and on time."),
    ]);
    // A review has no request key: one whose first answer never came may already be stored,
    // and the repeat is then refused as a second review of the visit.
    let uncertain_before = client.uncertain;
    match client
        .definite("/api/reviews/create", &patient.cookie, &body)
        .await
    {
        Definite::Done(_) => {
            patient.model.reviewed.insert(visit);
        }
        Definite::Refused(_) if client.uncertain > uncertain_before => {
            patient.model.maybe_reviewed.insert(visit);
        }
        _ => {}
    }
}

pub(super) fn encode(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}
