//! The emails the clinic sends: each as a plain-text and an HTML part.

use super::outbox::{Attachment, OutgoingEmail};
use crate::domain::codes::{CODE_LIFETIME, CodePurpose};
use crate::domain::money::Money;
use crate::domain::text;
use crate::domain::text::escape_html;
use chrono::{DateTime, Utc};

/// The email carrying a one-time code.
pub fn code_email(to: &str, name: &str, purpose: CodePurpose, code: &str) -> OutgoingEmail {
    let (subject, why) = match purpose {
        CodePurpose::VerifyEmail => (
            "Confirm your email address",
            "to confirm your email address",
        ),
        CodePurpose::ResetPassword => ("Reset your password", "to choose a new password"),
        CodePurpose::ChangeEmail => (
            "Confirm your new email address",
            "to confirm your new email address",
        ),
    };
    let minutes = CODE_LIFETIME.num_minutes();
    let text = format!(
        "Hello {name},\n\nYour Clinic code is {code}\n\nEnter it {why}. It works for {minutes} minutes, once.\n\n\
         If you did not ask for it, ignore this email: nothing changes without the code.\n\n— Clinic\n"
    );
    let html = format!(
        "<p>Hello {name},</p>\
         <p>Your Clinic code is</p>\
         <p style=\"font-size:28px;font-weight:700;letter-spacing:4px;font-family:monospace\">{code}</p>\
         <p>Enter it {why}. It works for {minutes} minutes, once.</p>\
         <p>If you did not ask for it, ignore this email: nothing changes without the code.</p>\
         <p>— Clinic</p>",
        name = escape_html(name),
    );
    OutgoingEmail {
        to: to.to_owned(),
        subject: subject.to_owned(),
        text,
        html,
        attachment: None,
        confirms_appointment: None,
    }
}

/// The welcome email of a doctor an admin has just onboarded: a link that opens the
/// password form with the code filled in, and the code itself for typing.
pub fn doctor_welcome_email(
    to: &str,
    name: &str,
    link: &str,
    code: &str,
    valid_days: i64,
) -> OutgoingEmail {
    let text = format!(
        "Hello {name},\n\nThe clinic has opened a Clinic account for you. Choose your password here:\n\n{link}\n\n\
         Or open the password page and enter this code with your email address: {code}\n\n\
         The link and code work for {valid_days} days, once. After that, use \"Forgot your password?\" on the sign-in page.\n\n— Clinic\n"
    );
    let html = format!(
        "<p>Hello {name},</p>\
         <p>The clinic has opened a Clinic account for you.</p>\
         <p><a href=\"{link}\" style=\"display:inline-block;padding:10px 18px;background:#0f766e;color:#fff;border-radius:6px;text-decoration:none\">Choose your password</a></p>\
         <p>Or open the password page and enter this code with your email address:</p>\
         <p style=\"font-size:28px;font-weight:700;letter-spacing:4px;font-family:monospace\">{code}</p>\
         <p>The link and code work for {valid_days} days, once. After that, use “Forgot your password?” on the sign-in page.</p>\
         <p>— Clinic</p>",
        name = escape_html(name),
        link = escape_html(link),
    );
    OutgoingEmail {
        to: to.to_owned(),
        subject: "Your Clinic account: choose a password".to_owned(),
        text,
        html,
        attachment: None,
        confirms_appointment: None,
    }
}

/// What the appointment emails say about an appointment.
#[derive(Debug, Clone)]
pub struct AppointmentFacts {
    pub appointment_id: i64,
    pub patient_email: String,
    pub patient_name: String,
    pub doctor_name: String,
    pub specialty: String,
    /// "Thursday 10 December 2026, 09:00–09:30 (Europe/London)".
    pub when: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub fee: Money,
    /// The appointment's page.
    pub link: String,
}

/// The confirmation, with the visit as a calendar event (`.ics`) attached.
pub fn appointment_confirmed_email(facts: &AppointmentFacts, now: DateTime<Utc>) -> OutgoingEmail {
    let AppointmentFacts {
        patient_name,
        doctor_name,
        specialty,
        when,
        fee,
        link,
        ..
    } = facts;
    let text = format!(
        "Hello {patient_name},\n\nYour appointment is confirmed.\n\n\
         {doctor_name} ({specialty})\n{when}\nPaid from your wallet: {fee}\n\n\
         The calendar event is attached. To cancel or move it, open:\n{link}\n\n— Clinic\n"
    );
    let html = format!(
        "<p>Hello {name},</p><p>Your appointment is confirmed.</p>\
         <p><strong>{doctor}</strong> ({specialty})<br>{when}<br>Paid from your wallet: {fee}</p>\
         <p>The calendar event is attached. To cancel or move it, <a href=\"{link}\">open the appointment</a>.</p>\
         <p>— Clinic</p>",
        name = escape_html(patient_name),
        doctor = escape_html(doctor_name),
        specialty = escape_html(specialty),
        when = escape_html(when),
        link = escape_html(link),
    );
    OutgoingEmail {
        to: facts.patient_email.clone(),
        subject: appointment_subject("Confirmed", doctor_name, when),
        text,
        html,
        attachment: Some(Attachment {
            name: "appointment.ics".to_owned(),
            content_type: "text/calendar; charset=utf-8; method=PUBLISH".to_owned(),
            body: calendar_event(facts, now),
        }),
        confirms_appointment: Some(facts.appointment_id),
    }
}

/// Tells the patient their appointment was cancelled, by whom and what came back to the wallet.
pub fn appointment_cancelled_email(
    facts: &AppointmentFacts,
    by_clinic: bool,
    reason: &str,
    refund: Money,
) -> OutgoingEmail {
    let AppointmentFacts {
        patient_name,
        doctor_name,
        when,
        ..
    } = facts;
    let who = if by_clinic {
        "The clinic has cancelled your appointment"
    } else {
        "You cancelled your appointment"
    };
    let why = if reason.is_empty() {
        String::new()
    } else {
        format!("Reason: {reason}\n")
    };
    let refunded = if refund > Money::ZERO {
        format!("{refund} has been refunded to your wallet.")
    } else {
        "Nothing was refunded.".to_owned()
    };
    let text = format!(
        "Hello {patient_name},\n\n{who} with {doctor_name} on {when}.\n{why}{refunded}\n\n— Clinic\n"
    );
    let html = format!(
        "<p>Hello {name},</p><p>{who} with <strong>{doctor}</strong> on {when}.</p>{why}<p>{refunded}</p><p>— Clinic</p>",
        name = escape_html(patient_name),
        doctor = escape_html(doctor_name),
        when = escape_html(when),
        why = if reason.is_empty() {
            String::new()
        } else {
            format!("<p>Reason: {}</p>", escape_html(reason))
        },
    );
    OutgoingEmail {
        to: facts.patient_email.clone(),
        subject: appointment_subject("Cancelled", doctor_name, when),
        text,
        html,
        attachment: None,
        confirms_appointment: None,
    }
}

/// The reminder the day before.
pub fn appointment_reminder_email(facts: &AppointmentFacts) -> OutgoingEmail {
    let AppointmentFacts {
        patient_name,
        doctor_name,
        specialty,
        when,
        link,
        ..
    } = facts;
    let text = format!(
        "Hello {patient_name},\n\nA reminder of your appointment:\n\n{doctor_name} ({specialty})\n{when}\n\n\
         If you cannot come, please cancel it so someone else can have the time:\n{link}\n\n— Clinic\n"
    );
    let html = format!(
        "<p>Hello {name},</p><p>A reminder of your appointment:</p>\
         <p><strong>{doctor}</strong> ({specialty})<br>{when}</p>\
         <p>If you cannot come, please <a href=\"{link}\">cancel it</a> so someone else can have the time.</p><p>— Clinic</p>",
        name = escape_html(patient_name),
        doctor = escape_html(doctor_name),
        specialty = escape_html(specialty),
        when = escape_html(when),
        link = escape_html(link),
    );
    OutgoingEmail {
        to: facts.patient_email.clone(),
        subject: appointment_subject("Reminder", doctor_name, when),
        text,
        html,
        attachment: None,
        confirms_appointment: None,
    }
}

/// The most of a doctor's name an appointment email's subject quotes: a name may have 300
/// characters, and the subject must keep the date in sight and fit the outbox column.
const SUBJECT_NAME_CHARS: usize = 80;

/// "Confirmed: Dr. Maya Okafor, Thursday 10 December 2026, 09:00–09:30 (Europe/London)", with a
/// long name shortened so the time still shows; the outbox bounds the whole line again.
fn appointment_subject(label: &str, doctor_name: &str, when: &str) -> String {
    format!(
        "{label}: {}, {when}",
        text::shorten(doctor_name, SUBJECT_NAME_CHARS)
    )
}

/// An iCalendar (RFC 5545) file with the visit as one event, in UTC.
fn calendar_event(facts: &AppointmentFacts, now: DateTime<Utc>) -> String {
    let stamp = crate::domain::format::ics_instant;
    let lines = [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Clinic//Appointments//EN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:appointment-{}@clinic", facts.appointment_id),
        format!("DTSTAMP:{}", stamp(now)),
        format!("DTSTART:{}", stamp(facts.starts_at)),
        format!("DTEND:{}", stamp(facts.ends_at)),
        format!(
            "SUMMARY:{}",
            ics_text(&format!("Appointment with {}", facts.doctor_name))
        ),
        format!(
            "DESCRIPTION:{}",
            ics_text(&format!("{}. Manage it at {}", facts.specialty, facts.link))
        ),
        format!("URL:{}", facts.link),
        "STATUS:CONFIRMED".to_owned(),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ];
    lines.iter().map(|line| fold(line)).collect()
}

/// Escapes a TEXT value: backslash, semicolon, comma and newlines; other control characters
/// (which RFC 5545 forbids in a value) become spaces.
fn ics_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect::<String>()
        .replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Ends a content line with CRLF, folding it at 75 octets (never inside a character).
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_emails_carry_the_code_in_both_parts_and_escape_names() {
        let email = code_email(
            "ann@example.com",
            "Ann <b>",
            CodePurpose::VerifyEmail,
            "123456",
        );
        assert_eq!(email.subject, "Confirm your email address");
        assert!(email.text.contains("123456") && email.html.contains("123456"));
        assert!(email.html.contains("Ann &lt;b&gt;") && !email.html.contains("<b>"));
    }

    #[test]
    fn confirmations_carry_a_folded_escaped_calendar_event() {
        let at = |text: &str| text.parse::<DateTime<Utc>>().expect("instant");
        let facts = AppointmentFacts {
            appointment_id: 7,
            patient_email: "ann@example.com".into(),
            patient_name: "Ann".into(),
            doctor_name: "Dr. Jo Smith, Jr.".into(),
            specialty: "Cardiology; adults".into(),
            when: "Thursday 10 December 2026, 09:00–09:30 (Europe/London)".into(),
            starts_at: at("2026-12-10T09:00:00Z"),
            ends_at: at("2026-12-10T09:30:00Z"),
            fee: Money::parse("85").expect("literal"),
            link: format!(
                "https://clinic.example.org/appointments/7?{}",
                "x".repeat(80)
            ),
        };
        let email = appointment_confirmed_email(&facts, at("2026-11-25T12:00:00Z"));
        assert_eq!(email.confirms_appointment, Some(7));
        let ics = email.attachment.expect("attachment").body;
        assert!(ics.contains("DTSTART:20261210T090000Z\r\n"));
        assert!(ics.contains("SUMMARY:Appointment with Dr. Jo Smith\\, Jr.\r\n"));
        assert!(ics.lines().all(|line| line.len() <= 75), "{ics}");
        assert!(ics.contains("\r\n "), "long lines are folded");
        assert!(email.text.contains("$85.00"));
    }
}
