//! What the admin's users list and audit log show, and the filters they are asked with, parsed
//! from the URL as typed.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::listing::{DateRange, list_params, page_count, parse_page, parse_search};
use super::{AppError, UserRole};

/// Users shown per page.
pub const USERS_PER_PAGE: i64 = 25;
/// Audit entries shown per page.
pub const AUDIT_PER_PAGE: i64 = 50;

/// Active accounts, deactivated ones, or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountStatus {
    #[default]
    All,
    Active,
    Inactive,
}

impl AccountStatus {
    pub const ALL: [Self; 3] = [Self::All, Self::Active, Self::Inactive];

    pub fn parse(text: &str) -> Result<Self, AppError> {
        match text.trim() {
            "" | "all" => Ok(Self::All),
            "active" => Ok(Self::Active),
            "inactive" => Ok(Self::Inactive),
            _ => Err(AppError::validation(
                "status",
                "Choose active, deactivated or all accounts.",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Active => "active",
            Self::Inactive => "inactive",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::All => "Active and deactivated",
            Self::Active => "Active",
            Self::Inactive => "Deactivated",
        }
    }

    /// `Some(is_active)` to filter on, `None` for both.
    pub fn is_active(self) -> Option<bool> {
        match self {
            Self::All => None,
            Self::Active => Some(true),
            Self::Inactive => Some(false),
        }
    }
}

list_params! {
    /// The users list's URL parameters (`/admin/users?q=&role=&status=&page=`), as typed.
    pub struct UserParams { q, role, status }
}

/// The users list's filters: part of a name, username or email; a role; active or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserQuery {
    pub search: String,
    pub role: Option<UserRole>,
    pub status: AccountStatus,
    pub page: i64,
}

impl UserQuery {
    pub fn parse(params: &UserParams) -> Result<Self, AppError> {
        let role = match params.role.trim() {
            "" | "all" => None,
            text => Some(text.parse::<UserRole>().map_err(|_| {
                AppError::validation("role", "Choose patients, doctors, admins or everyone.")
            })?),
        };
        Ok(Self {
            search: parse_search(&params.q, "q")?,
            role,
            status: AccountStatus::parse(&params.status)?,
            page: parse_page(&params.page)?,
        })
    }
}

/// One account in the admin's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub role: UserRole,
    pub is_active: bool,
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
    pub last_login: Option<DateTime<Utc>>,
    /// When the account was deleted at its owner's request (it is then anonymous).
    pub erased_at: Option<DateTime<Utc>>,
    /// The wallet's balance: for a deleted account, what the clinic owes its former owner.
    pub wallet_balance: super::Money,
}

impl UserRow {
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.first_name, self.last_name);
        if name.trim().is_empty() {
            self.username.clone()
        } else {
            name.trim().to_owned()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<UserRow>,
    pub matching: i64,
    pub page: i64,
    pub pages: i64,
}

impl UserPage {
    pub fn new(users: Vec<UserRow>, matching: i64, page: i64) -> Self {
        Self {
            users,
            matching,
            page,
            pages: page_count(matching, USERS_PER_PAGE),
        }
    }
}

/// The audit log's filters: the actor's username, the action (`specialty.update`), the target's
/// kind (`doctor`), and a range of clinic-local dates, both ends included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub page: i64,
}

list_params! {
    /// The audit log's URL parameters (`/admin/audit?actor=&action=&target_type=&from=&to=&page=`),
    /// as typed.
    pub struct AuditParams { actor, action, target_type, from, to }
}

impl AuditQuery {
    pub fn parse(params: &AuditParams) -> Result<Self, AppError> {
        let DateRange { from, to } = DateRange::parse(&params.from, &params.to)?;
        Ok(Self {
            actor: parse_search(&params.actor, "actor")?,
            action: parse_search(&params.action, "action")?,
            target_type: parse_search(&params.target_type, "target_type")?,
            from,
            to,
            page: parse_page(&params.page)?,
        })
    }
}

/// One audit row as the admin reads it. `before` and `after` are the recorded JSON, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AuditEntry {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    /// The same instant on the clinic's clock (filled in by the service, through `clock.rs`).
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub local_at: NaiveDateTime,
    /// The actor's username; `None` for the system (a background job).
    pub actor: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub matching: i64,
    pub page: i64,
    pub pages: i64,
    /// Every action and target kind recorded so far, for the filters' choices.
    pub actions: Vec<String>,
    pub target_types: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(q: &str, role: &str, status: &str, page: &str) -> UserParams {
        UserParams {
            q: q.to_owned(),
            role: role.to_owned(),
            status: status.to_owned(),
            page: page.to_owned(),
        }
    }

    fn audit(from: &str, to: &str) -> AuditParams {
        AuditParams {
            from: from.to_owned(),
            to: to.to_owned(),
            ..AuditParams::default()
        }
    }

    #[test]
    fn user_filters_parse_or_say_what_is_wrong() {
        let query = UserQuery::parse(&users(" ann ", "doctor", "inactive", "2")).expect("valid");
        assert_eq!(query.search, "ann");
        assert_eq!(query.role, Some(UserRole::Doctor));
        assert_eq!(query.status.is_active(), Some(false));
        assert_eq!(query.page, 2);
        let all = UserQuery::parse(&users("", "", "", "")).expect("valid");
        assert_eq!(
            (all.role, all.status, all.page),
            (None, AccountStatus::All, 1)
        );
        let err = UserQuery::parse(&users("", "wizard", "", "")).expect_err("role");
        assert!(err.message_for("role").is_some());
        let err = UserQuery::parse(&users("", "", "sleeping", "")).expect_err("status");
        assert!(err.message_for("status").is_some());
        let err = UserQuery::parse(&users(&"x".repeat(101), "", "", "")).expect_err("long");
        assert!(err.message_for("q").is_some());
    }

    #[test]
    fn an_audit_range_must_run_forwards() {
        let query = AuditQuery::parse(&audit("2030-01-01", "2030-01-31")).expect("valid range");
        assert_eq!(query.from, NaiveDate::from_ymd_opt(2030, 1, 1));
        let err = AuditQuery::parse(&audit("2030-02-01", "2030-01-31")).expect_err("back");
        assert!(err.message_for("to").is_some());
        let err = AuditQuery::parse(&audit("1 March", "")).expect_err("format");
        assert!(err.message_for("from").is_some());
    }
}
