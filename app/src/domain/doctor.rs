//! Doctors as the directory lists them.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Money;
use super::format;

/// One doctor in a list of search results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DoctorCard {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub specialty: String,
    pub experience_years: i32,
    pub consultation_fee: Decimal,
    pub average_rating: Decimal,
    pub total_reviews: i32,
    /// When the doctor's next bookable slot starts, in the clinic's local time, if there is one.
    pub next_free_slot: Option<NaiveDateTime>,
}

impl DoctorCard {
    pub fn display_name(&self) -> String {
        format::doctor_name(&self.first_name, &self.last_name)
    }

    pub fn fee(&self) -> Money {
        Money::from_decimal(self.consultation_fee)
    }
}

/// A doctor's public page: who they are. (When they are free comes a week at a time,
/// `FreeWeek`, and what patients say a page at a time, `DoctorReviewsPage`, each chosen by the
/// page's URL.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoctorProfile {
    pub card: DoctorCard,
    pub bio: String,
}

/// A review as anyone may see it: the author is a first name and initial, or "Anonymous
/// patient"; nothing else about them leaves the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PublicReview {
    pub author: String,
    pub rating: i16,
    pub comment: String,
    pub date: chrono::NaiveDate,
}

/// A bookable slot, in the clinic's local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct FreeSlot {
    pub id: i64,
    pub date: chrono::NaiveDate,
    pub start_time: chrono::NaiveTime,
    pub end_time: chrono::NaiveTime,
    /// False when the slot starts within the booking notice: shown, but no longer bookable.
    pub bookable: bool,
}

/// An admin's doctor form, as typed: every field a string, parsed on the server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoctorForm {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub specialty: String,
    pub license_number: String,
    pub experience_years: String,
    pub bio: String,
    pub consultation_fee: String,
}

/// A doctor's record, parsed: every value is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoctorDetails {
    pub first_name: String,
    pub last_name: String,
    pub email: super::Email,
    /// Normalised to international form, or empty: a doctor's phone is optional.
    pub phone: String,
    pub specialty_id: i64,
    pub license_number: String,
    pub experience_years: i32,
    pub bio: String,
    pub consultation_fee: Money,
}

/// The longest bio a doctor's page shows (`doctors.bio` is TEXT: this is the only limit).
pub const MAX_BIO_CHARS: usize = 5000;
/// Nobody has practised longer than this; a larger number is a typo.
pub const MAX_EXPERIENCE_YEARS: i32 = 70;

impl DoctorDetails {
    /// Parses the whole form, reporting every problem beside its field.
    pub fn parse(form: &DoctorForm) -> Result<Self, super::AppError> {
        use super::{account::parse_name, forms::FormCheck};
        let mut check = FormCheck::default();
        let first_name = check.field("first_name", parse_name(&form.first_name, "first name"));
        let last_name = check.field("last_name", parse_name(&form.last_name, "last name"));
        let email = check.field("email", super::Email::parse(&form.email));
        let phone = check.field(
            "phone",
            if form.phone.trim().is_empty() {
                Ok(String::new())
            } else {
                super::Phone::parse(&form.phone).map(|phone| phone.as_str().to_owned())
            },
        );
        let specialty_id = check.field(
            "specialty",
            form.specialty
                .trim()
                .parse::<i64>()
                .map_err(|_| "Choose the doctor's specialty.".to_owned()),
        );
        let license_number = check.field("license_number", parse_license(&form.license_number));
        let experience_years =
            check.field("experience_years", parse_experience(&form.experience_years));
        let bio = check.field("bio", parse_bio(&form.bio));
        let consultation_fee =
            check.field("consultation_fee", Money::parse(&form.consultation_fee));
        match (
            first_name,
            last_name,
            email,
            phone,
            specialty_id,
            license_number,
            experience_years,
            bio,
            consultation_fee,
        ) {
            (
                Some(first_name),
                Some(last_name),
                Some(email),
                Some(phone),
                Some(specialty_id),
                Some(license_number),
                Some(experience_years),
                Some(bio),
                Some(consultation_fee),
            ) => Ok(Self {
                first_name,
                last_name,
                email,
                phone,
                specialty_id,
                license_number,
                experience_years,
                bio,
                consultation_fee,
            }),
            _ => Err(check.into_error()),
        }
    }
}

/// The longest license number: the `doctors.license_number` column's `VARCHAR(50)`.
pub const MAX_LICENSE_CHARS: usize = 50;

fn parse_license(text: &str) -> Result<String, String> {
    super::text::parse_line(text, MAX_LICENSE_CHARS, "The doctor's license number")
}

fn parse_experience(text: &str) -> Result<i32, String> {
    let text = text.trim();
    if text.starts_with('-') {
        return Err("Years of experience cannot be negative.".to_owned());
    }
    text.parse::<i32>()
        .ok()
        .filter(|years| (0..=MAX_EXPERIENCE_YEARS).contains(years))
        .ok_or_else(|| format!("Enter whole years, from 0 to {MAX_EXPERIENCE_YEARS}."))
}

/// A bio: trimmed, at most [`MAX_BIO_CHARS`] characters, paragraphs allowed. May be empty.
pub fn parse_bio(text: &str) -> Result<String, String> {
    super::text::parse_free_text(text, MAX_BIO_CHARS, "The bio")
}

/// A doctor as an admin manages them, active or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DoctorRecord {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone_number: String,
    pub specialty_id: i64,
    pub specialty: String,
    pub license_number: String,
    pub experience_years: i32,
    pub bio: String,
    pub consultation_fee: Decimal,
    pub is_active: bool,
    /// True once the doctor has chosen a password (which also proves their address).
    pub password_set: bool,
}

impl DoctorRecord {
    pub fn display_name(&self) -> String {
        format::doctor_name(&self.first_name, &self.last_name)
    }

    /// The record as the edit form starts out.
    pub fn to_form(&self) -> DoctorForm {
        DoctorForm {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            phone: self.phone_number.clone(),
            specialty: self.specialty_id.to_string(),
            license_number: self.license_number.clone(),
            experience_years: self.experience_years.to_string(),
            bio: self.bio.clone(),
            consultation_fee: format!("{:.2}", self.consultation_fee),
        }
    }
}

/// What a doctor edits about their own practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeDetails {
    pub bio: String,
    pub consultation_fee: Money,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> DoctorForm {
        DoctorForm {
            first_name: "Maya".into(),
            last_name: "Okafor".into(),
            email: "maya@example.org".into(),
            phone: String::new(),
            specialty: "3".into(),
            license_number: " MD-1234 ".into(),
            experience_years: "12".into(),
            bio: "Cardiologist.".into(),
            consultation_fee: "120".into(),
        }
    }

    #[test]
    fn a_complete_form_parses() {
        let details = DoctorDetails::parse(&form()).expect("valid");
        assert_eq!(details.license_number, "MD-1234");
        assert_eq!(details.consultation_fee.to_string(), "$120.00");
    }

    #[test]
    fn negative_fee_and_experience_are_refused_beside_their_fields() {
        let err = DoctorDetails::parse(&DoctorForm {
            experience_years: "-2".into(),
            consultation_fee: "-10".into(),
            license_number: " ".into(),
            ..form()
        })
        .expect_err("invalid");
        assert!(
            err.message_for("experience_years")
                .expect("years")
                .contains("negative")
        );
        assert!(
            err.message_for("consultation_fee")
                .expect("fee")
                .contains("negative")
        );
        assert!(err.message_for("license_number").is_some());
        assert!(err.message_for("first_name").is_none());
    }
}
