//! Typed configuration, read once at start-up from the environment (and a `.env` file).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

/// Settings shared by every subcommand. Each can be given as a flag or an environment variable.
#[derive(Clone, Args)]
pub struct Config {
    /// PostgreSQL connection URL. When unset, the server runs its own private cluster in
    /// `<data dir>/postgres` (created on first use) and stops it when it exits.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Redis (`redis://[:password@]host:port[/db]`), for sessions and the public pages all
    /// instances share. Optional: unset, everything lives in PostgreSQL; set but away, every
    /// instance goes on from PostgreSQL and its own cache.
    #[arg(long, env = "REDIS_URL", global = true)]
    pub redis_url: Option<String>,

    /// Where project-local state lives (the private PostgreSQL cluster).
    #[arg(long, env = "CLINIC_DATA_DIR", default_value = ".local", global = true)]
    pub data_dir: PathBuf,

    /// The address the HTTP server listens on.
    #[arg(
        long,
        env = "LEPTOS_SITE_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub addr: SocketAddr,

    /// The folder cargo-leptos publishes the browser bundle and stylesheet into.
    #[arg(
        long,
        env = "LEPTOS_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: String,

    /// The address people use to reach the site (links in emails, secure cookies).
    #[arg(long, env = "CLINIC_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// The clinic's time zone (an IANA name such as `Europe/Berlin`): slot dates and times are
    /// local to it.
    #[arg(long, env = "CLINIC_TIMEZONE", default_value = "UTC", value_parser = parse_time_zone, global = true)]
    pub time_zone: chrono_tz::Tz,

    /// The SMTP server for outgoing mail, e.g. `smtp://mail.example.com:587` (add
    /// `?tls=required` for STARTTLS) or `smtps://user:password@mail.example.com`. When unset,
    /// mail is written as `.eml` files into `<data dir>/mail`.
    #[arg(long, env = "SMTP_URL", global = true)]
    pub smtp_url: Option<String>,

    /// The sender of every email.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "Clinic <no-reply@clinic.example>",
        global = true
    )]
    pub mail_from: String,

    /// Minutes without a request after which a session ends.
    #[arg(
        long,
        env = "SESSION_IDLE_MINUTES",
        default_value_t = 120,
        global = true
    )]
    pub session_idle_minutes: i64,

    /// Hours after sign-in after which a session ends, however active.
    #[arg(
        long,
        env = "SESSION_ABSOLUTE_HOURS",
        default_value_t = 12,
        global = true
    )]
    pub session_absolute_hours: i64,

    /// Days a "remember me" session lasts, both idle and in total.
    #[arg(
        long,
        env = "SESSION_REMEMBER_DAYS",
        default_value_t = 30,
        global = true
    )]
    pub session_remember_days: i64,

    /// The most database connections this process opens.
    #[arg(
        long,
        env = "CLINIC_DB_MAX_CONNECTIONS",
        default_value_t = 16,
        global = true
    )]
    pub db_max_connections: u32,

    /// Patients cannot book a slot that starts sooner than this many minutes from now.
    #[arg(
        long,
        env = "CLINIC_BOOKING_NOTICE_MINUTES",
        default_value_t = 120,
        global = true
    )]
    pub booking_notice_minutes: u32,

    /// Slots can be published at most this many days ahead.
    #[arg(
        long,
        env = "CLINIC_SLOT_HORIZON_DAYS",
        default_value_t = 180,
        global = true
    )]
    pub slot_horizon_days: u32,

    /// A booking without enough money holds its slot this many minutes for payment.
    #[arg(
        long,
        env = "CLINIC_PAYMENT_HOLD_MINUTES",
        default_value_t = 15,
        value_parser = clap::value_parser!(u32).range(1..=1440),
        global = true
    )]
    pub payment_hold_minutes: u32,

    /// Patients who cancel at least this many hours before the start get the whole fee back.
    #[arg(
        long,
        env = "CLINIC_FREE_CANCELLATION_HOURS",
        default_value_t = 24,
        global = true
    )]
    pub free_cancellation_hours: u32,

    /// The percentage of the fee refunded for a later cancellation (0 to 100).
    #[arg(
        long,
        env = "CLINIC_LATE_REFUND_PERCENT",
        default_value_t = 50,
        value_parser = clap::value_parser!(u8).range(0..=100),
        global = true
    )]
    pub late_refund_percent: u8,

    /// The largest single wallet top-up or withdrawal, such as 10000 or 2500.50.
    #[arg(
        long,
        env = "CLINIC_MAX_WALLET_AMOUNT",
        default_value = "10000",
        value_parser = parse_positive_money,
        global = true
    )]
    pub max_wallet_amount: app::domain::Money,

    /// How long a public page (home, directory, doctor) rendered for a visitor who is not
    /// signed in is served again to others, in milliseconds; 0 turns this off. Announced
    /// changes (bookings, slots, reviews, profiles) forget the pages they alter at once in
    /// every instance; this bounds what nobody announces (a slot starting, a change by hand).
    #[arg(
        long,
        env = "CLINIC_PAGE_CACHE_MS",
        default_value_t = 30_000,
        value_parser = clap::value_parser!(u64).range(0..=600_000),
        global = true
    )]
    pub page_cache_ms: u64,

    /// The reverse proxies (addresses or networks, comma-separated, such as
    /// `127.0.0.1, 10.0.0.0/8`) whose `Forwarded` / `X-Forwarded-For` header says who the
    /// client is. Empty: the headers are ignored and the connection's address counts.
    #[arg(
        long,
        env = "CLINIC_TRUSTED_PROXIES",
        default_value = "",
        global = true
    )]
    pub trusted_proxies: crate::edge::TrustedProxies,

    /// The largest request body accepted, in kilobytes (no form comes near the default).
    #[arg(
        long,
        env = "CLINIC_MAX_BODY_KB",
        default_value_t = 64,
        value_parser = clap::value_parser!(u32).range(1..=10_240),
        global = true
    )]
    pub max_body_kb: u32,

    /// How long a request may take before it is stopped with 503, in seconds.
    #[arg(
        long,
        env = "CLINIC_REQUEST_TIMEOUT_SECS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=600),
        global = true
    )]
    pub request_timeout_secs: u64,

    /// Whether rate limits are enforced: `on`, or `off` for load tests only.
    #[arg(long, env = "CLINIC_RATE_LIMITS", default_value = "on", value_parser = parse_switch, global = true)]
    pub rate_limits: bool,

    /// The most unpaid holds one patient may have at once (each holds a slot for
    /// `CLINIC_PAYMENT_HOLD_MINUTES`).
    #[arg(
        long,
        env = "CLINIC_MAX_UNPAID_HOLDS",
        default_value_t = 2,
        value_parser = clap::value_parser!(u32).range(1..=20),
        global = true
    )]
    pub max_unpaid_holds: u32,

    /// Where card payments go: `sandbox` (test cards, no real money: 4242 4242 4242 4242 adds
    /// money for free) or `off` (no top-ups or withdrawals). When unset: the sandbox on a
    /// plain-http address, and a refusal to start on an https one (say which you mean).
    #[arg(long, env = "CLINIC_PAYMENTS", global = true)]
    pub payments: Option<PaymentsChoice>,

    /// Where `/metrics` is served, and how long a shutdown waits.
    #[command(flatten)]
    pub operations: Operations,

    /// How long rows that have served their purpose are kept.
    #[command(flatten)]
    pub retention: Retention,
}

/// Monitoring and shutdown.
#[derive(Clone, Args)]
pub struct Operations {
    /// Serve `/metrics` (Prometheus) on its own listener at this address, such as
    /// `127.0.0.1:9464`: for a scraper on a private network.
    #[arg(long, env = "CLINIC_METRICS_ADDR", global = true)]
    pub metrics_addr: Option<SocketAddr>,

    /// Serve `/metrics` on the main address to requests with `Authorization: Bearer <token>`
    /// (at least 16 characters).
    #[arg(long, env = "CLINIC_METRICS_TOKEN", value_parser = parse_token, global = true)]
    pub metrics_token: Option<String>,

    /// After SIGTERM or Ctrl-C, how long requests in flight may run on before the server stops
    /// anyway, in seconds.
    #[arg(
        long,
        env = "CLINIC_SHUTDOWN_GRACE_SECS",
        default_value_t = 20,
        value_parser = clap::value_parser!(u64).range(1..=600),
        global = true
    )]
    pub shutdown_grace_secs: u64,
}

impl Default for Operations {
    fn default() -> Self {
        Self {
            metrics_addr: None,
            metrics_token: None,
            shutdown_grace_secs: 20,
        }
    }
}

impl Operations {
    /// Where `/metrics` is served. Both set: its own address (the token is then not needed).
    pub fn metrics(&self) -> crate::monitoring::Exposure {
        use crate::monitoring::Exposure;
        match (self.metrics_addr, &self.metrics_token) {
            (Some(addr), _) => Exposure::Address(addr),
            (None, Some(token)) => Exposure::Token(token.clone()),
            (None, None) => Exposure::Off,
        }
    }

    pub fn shutdown_grace(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.shutdown_grace_secs)
    }
}

fn parse_token(text: &str) -> Result<String, String> {
    let token = text.trim();
    if token.chars().count() < 16 || token.chars().any(|c| !c.is_ascii_graphic()) {
        return Err(
            "the token must be at least 16 printable characters, without spaces".to_owned(),
        );
    }
    Ok(token.to_owned())
}

/// The housekeeping's clean-up ages, in days. Each has a floor below which something still
/// needs the rows (the longest throttling window, the longest a retry can come, the mail
/// support is asked about), and a ceiling that keeps "keep it forever" a decision, not a typo.
#[derive(Debug, Clone, Args)]
pub struct Retention {
    /// Days delivered and undeliverable emails are kept (for support), counted from sending
    /// or parking.
    #[arg(
        long,
        env = "CLINIC_RETAIN_MAIL_DAYS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(1..=3650),
        global = true
    )]
    pub mail_days: u32,

    /// Days one-time codes (email verification, password reset, invitations) are kept after
    /// they expired ("did you send me a code?").
    #[arg(
        long,
        env = "CLINIC_RETAIN_CODES_DAYS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(1..=3650),
        global = true
    )]
    pub codes_days: u32,

    /// Days an expired session's row is kept; 0 deletes it at the next clean-up. (An expired
    /// session never signs anyone in.)
    #[arg(
        long,
        env = "CLINIC_RETAIN_SESSIONS_DAYS",
        default_value_t = 0,
        value_parser = clap::value_parser!(u32).range(0..=365),
        global = true
    )]
    pub sessions_days: u32,

    /// Days request keys (which answer a repeated booking, payment or top-up with the first
    /// answer) are kept.
    #[arg(
        long,
        env = "CLINIC_RETAIN_REQUEST_KEYS_DAYS",
        default_value_t = 1,
        value_parser = clap::value_parser!(u32).range(1..=365),
        global = true
    )]
    pub request_keys_days: u32,

    /// Days sign-in failures and rate-limit counters are kept (throttling looks back an hour
    /// at most; the rest is for investigating abuse).
    #[arg(
        long,
        env = "CLINIC_RETAIN_THROTTLING_DAYS",
        default_value_t = 1,
        value_parser = clap::value_parser!(u32).range(1..=365),
        global = true
    )]
    pub throttling_days: u32,

    /// Days after which an audit entry keeps only who did what to which record and when: its
    /// before and after values (which can carry names, reasons and notes) are removed.
    #[arg(
        long,
        env = "CLINIC_RETAIN_AUDIT_DETAIL_DAYS",
        default_value_t = 365,
        value_parser = clap::value_parser!(u32).range(30..=36500),
        global = true
    )]
    pub audit_detail_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            mail_days: 30,
            codes_days: 30,
            sessions_days: 0,
            request_keys_days: 1,
            throttling_days: 1,
            audit_detail_days: 365,
        }
    }
}

/// The card payment providers a server can be configured with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PaymentsChoice {
    Sandbox,
    Off,
}

fn parse_positive_money(text: &str) -> Result<app::domain::Money, String> {
    let amount = app::domain::Money::parse(text)?;
    if amount <= app::domain::Money::ZERO {
        return Err("the amount must be above zero".to_owned());
    }
    Ok(amount)
}

impl Config {
    /// The addresses given empty (`REDIS_URL=` in a `.env` file or a script) as not given: that
    /// is what someone who clears a setting means, and an empty address only fails later, less
    /// clearly.
    pub fn blank_means_unset(mut self) -> Self {
        for setting in [
            &mut self.database_url,
            &mut self.redis_url,
            &mut self.public_url,
            &mut self.smtp_url,
        ] {
            if setting
                .as_deref()
                .is_some_and(|value| value.trim().is_empty())
            {
                *setting = None;
            }
        }
        self
    }

    /// Whether cookies must only travel over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url().starts_with("https://")
    }

    /// The public URL, defaulting to the listen address.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.addr))
    }

    /// Where card payments go. On an https address the sandbox (which mints wallet money for
    /// a test card) must be asked for by name, so it never ends up on a real deployment by
    /// accident.
    pub fn card_payments(&self) -> anyhow::Result<app::domain::wallet::CardPayments> {
        use app::domain::wallet::CardPayments;
        match self.payments {
            Some(PaymentsChoice::Sandbox) => Ok(CardPayments::Sandbox),
            Some(PaymentsChoice::Off) => Ok(CardPayments::Off),
            None if self.secure_cookies() => anyhow::bail!(
                "{} is an https address, and card payments would go to the sandbox, where its test \
                 cards (listed on the wallet page) add wallet money for free. Set CLINIC_PAYMENTS=off (no \
                 top-ups or withdrawals) or, for a demo or staging site, CLINIC_PAYMENTS=sandbox.",
                self.public_url()
            ),
            None => Ok(CardPayments::Sandbox),
        }
    }

    /// The edge's limits and rules.
    pub fn edge_settings(&self) -> crate::edge::EdgeSettings {
        crate::edge::EdgeSettings {
            max_body_bytes: self.max_body_kb as usize * 1024,
            request_timeout: std::time::Duration::from_secs(self.request_timeout_secs),
            public_origin: origin_of(&self.public_url()),
            https: self.secure_cookies(),
            trusted_proxies: self.trusted_proxies.clone(),
        }
    }

    pub fn mailer(&self) -> anyhow::Result<crate::mailer::Mailer> {
        crate::mailer::Mailer::new(
            self.smtp_url.as_deref(),
            self.data_dir.join("mail"),
            &self.mail_from,
        )
    }

    pub fn clinic_settings(&self) -> app::services::ClinicSettings {
        use app::services::Duration;
        app::services::ClinicSettings {
            time_zone: self.time_zone.name().to_owned(),
            tz: self.time_zone,
            booking_notice: chrono::TimeDelta::minutes(i64::from(self.booking_notice_minutes)),
            slot_horizon_days: self.slot_horizon_days,
            public_url: self.public_url(),
            session_idle: Duration::minutes(self.session_idle_minutes),
            session_remember: Duration::days(self.session_remember_days),
            session_absolute: Duration::hours(self.session_absolute_hours),
            session_remember_absolute: Duration::days(self.session_remember_days),
            booking: app::domain::booking::BookingPolicy {
                payment_hold_minutes: self.payment_hold_minutes,
                free_cancellation_hours: self.free_cancellation_hours,
                late_refund_percent: self.late_refund_percent,
                max_wallet_amount: self.max_wallet_amount,
                max_unpaid_holds: self.max_unpaid_holds,
            },
            rate_limits: if self.rate_limits {
                app::services::rate_limits::Enforcement::On
            } else {
                app::services::rate_limits::Enforcement::Off
            },
        }
    }
}

// The connection URL carries a password: keep it out of logs and panics.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "<redacted>"),
            )
            .field("redis_url", &self.redis_url.as_ref().map(|_| "<redacted>"))
            .field("data_dir", &self.data_dir)
            .field("addr", &self.addr)
            .field("site_root", &self.site_root)
            .field("public_url", &self.public_url)
            .field("time_zone", &self.time_zone)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<redacted>"))
            .field("mail_from", &self.mail_from)
            .field("booking_notice_minutes", &self.booking_notice_minutes)
            .field("slot_horizon_days", &self.slot_horizon_days)
            .field("payment_hold_minutes", &self.payment_hold_minutes)
            .field("free_cancellation_hours", &self.free_cancellation_hours)
            .field("late_refund_percent", &self.late_refund_percent)
            .field("max_wallet_amount", &self.max_wallet_amount)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("max_body_kb", &self.max_body_kb)
            .field("request_timeout_secs", &self.request_timeout_secs)
            .field("rate_limits", &self.rate_limits)
            .field("max_unpaid_holds", &self.max_unpaid_holds)
            .field("payments", &self.payments)
            .field("metrics_addr", &self.operations.metrics_addr)
            .field(
                "metrics_token",
                &self.operations.metrics_token.as_ref().map(|_| "<redacted>"),
            )
            .field("shutdown_grace_secs", &self.operations.shutdown_grace_secs)
            .field("retention", &self.retention)
            .finish()
    }
}

fn parse_switch(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "1" | "yes" => Ok(true),
        "off" | "false" | "0" | "no" => Ok(false),
        _ => Err(format!("{text:?} is neither on nor off")),
    }
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => parsed.origin().ascii_serialization(),
        Err(_) => url.trim_end_matches('/').to_owned(),
    }
}

fn parse_time_zone(name: &str) -> Result<chrono_tz::Tz, String> {
    name.parse::<chrono_tz::Tz>().map_err(|_| {
        format!(
            "{name:?} is not an IANA time zone name; use one like Europe/Berlin or America/New_York"
        )
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Config;

    #[derive(Parser)]
    struct Settings {
        #[command(flatten)]
        config: Config,
    }

    fn parse(args: &[&str]) -> Config {
        Settings::try_parse_from(std::iter::once("server").chain(args.iter().copied()))
            .expect("settings")
            .config
            .blank_means_unset()
    }

    #[test]
    fn an_empty_address_is_no_address() {
        let config = parse(&["--redis-url", "", "--smtp-url", " ", "--database-url", ""]);
        assert_eq!(config.redis_url, None);
        assert_eq!(config.smtp_url, None);
        assert_eq!(config.database_url, None);
        let config = parse(&["--redis-url", "redis://127.0.0.1:6379"]);
        assert_eq!(config.redis_url.as_deref(), Some("redis://127.0.0.1:6379"));
    }
}
