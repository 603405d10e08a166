//! Progress for long operator work (seeding, backups, recomputations), on standard error: an
//! indicatif bar when that is a terminal; elsewhere (a log file, CI) a plain line every tenth
//! of the way, so a log still shows the work moving without a line per step.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar over `len` units of work; the length may be set once the work is planned.
pub struct Progress {
    bar: ProgressBar,
    /// What is counted, for the plain lines ("tables", "doctors").
    unit: &'static str,
    /// The tenth of the way last reported in plain lines.
    shown_tenths: u64,
}

impl Progress {
    /// A bar over `len` `unit`s.
    pub fn bar(len: u64, unit: &'static str) -> Self {
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        let template = format!(
            "{{spinner:.green}} [{{elapsed_precise}}] [{{wide_bar:.cyan/blue}}] {{pos}}/{{len}} {unit} {{msg}}"
        );
        bar.set_style(
            ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Self {
            bar,
            unit,
            shown_tenths: 0,
        }
    }

    /// What is being done now, shown beside the bar.
    pub fn set_message(&self, message: impl Into<String>) {
        self.bar.set_message(message.into());
    }

    /// Changes the amount of work (known only once it is planned).
    pub fn set_length(&mut self, len: u64) {
        self.bar.set_length(len);
    }

    pub fn inc(&mut self, units: u64) {
        self.bar.inc(units);
        self.plain_report();
    }

    pub fn set_position(&mut self, position: u64) {
        self.bar.set_position(position);
        self.plain_report();
    }

    /// A line that stays on the screen above the bar (or in the log).
    pub fn line(&self, text: impl AsRef<str>) {
        if self.bar.is_hidden() {
            eprintln!("{}", text.as_ref());
        } else {
            self.bar.println(text.as_ref());
        }
    }

    /// Removes the bar; what it measured is for the caller to report.
    pub fn finish(self) {
        self.bar.finish_and_clear();
    }

    /// Without a terminal: a line at each tenth of the way, and at the end.
    fn plain_report(&mut self) {
        if !self.bar.is_hidden() {
            return;
        }
        let Some(len) = self.bar.length().filter(|len| *len > 0) else {
            return;
        };
        let position = self.bar.position().min(len);
        let tenths = position * 10 / len;
        if tenths > self.shown_tenths {
            self.shown_tenths = tenths;
            eprintln!(
                "  {position} of {len} {} ({}%)",
                self.unit,
                position * 100 / len
            );
        }
    }
}
