//! Rows in PostgreSQL's COPY text format, sent to the server a chunk at a time.

use std::fmt::Write as _;

use anyhow::Context;
use app::domain::format;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;
use sqlx::PgConnection;
use sqlx::postgres::PgCopyIn;

use super::SeedProgress;

/// Bytes of COPY data sent at a time.
const COPY_CHUNK: usize = 1 << 20;

/// Rows in PostgreSQL's COPY text format (tab-separated, `\N` for NULL), sent a chunk at a time;
/// each chunk sent is counted in the seeding's progress.
pub(super) struct CopyRows<'c, 'p> {
    copy: PgCopyIn<&'c mut PgConnection>,
    buffer: String,
    /// Rows in `buffer`, not yet sent.
    buffered_rows: u64,
    progress: &'p mut dyn SeedProgress,
}

impl<'c, 'p> CopyRows<'c, 'p> {
    pub(super) async fn start(
        conn: &'c mut PgConnection,
        progress: &'p mut dyn SeedProgress,
        table: &str,
        columns: &str,
    ) -> anyhow::Result<Self> {
        let copy = conn
            .copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN"))
            .await
            .with_context(|| format!("could not start copying into {table}"))?;
        Ok(Self {
            copy,
            buffer: String::with_capacity(COPY_CHUNK + 4096),
            buffered_rows: 0,
            progress,
        })
    }

    pub(super) fn field(&mut self, value: impl CopyValue) -> anyhow::Result<&mut Self> {
        value.write(&mut self.buffer)?;
        self.buffer.push('\t');
        Ok(self)
    }

    pub(super) async fn end_row(&mut self) -> anyhow::Result<()> {
        self.buffer.pop();
        self.buffer.push('\n');
        self.buffered_rows += 1;
        if self.buffer.len() >= COPY_CHUNK {
            let chunk = std::mem::replace(&mut self.buffer, String::with_capacity(COPY_CHUNK));
            self.copy.send(chunk.into_bytes()).await?;
            self.progress
                .copied(std::mem::take(&mut self.buffered_rows));
        }
        Ok(())
    }

    pub(super) async fn finish(mut self) -> anyhow::Result<u64> {
        if !self.buffer.is_empty() {
            self.copy
                .send(std::mem::take(&mut self.buffer).into_bytes())
                .await?;
        }
        let copied = self.copy.finish().await?;
        self.progress
            .copied(std::mem::take(&mut self.buffered_rows));
        Ok(copied)
    }
}

/// A value as COPY's text format spells it.
pub(super) trait CopyValue {
    fn write(&self, out: &mut String) -> std::fmt::Result;
}

impl CopyValue for &str {
    fn write(&self, out: &mut String) -> std::fmt::Result {
        for c in self.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c => out.push(c),
            }
        }
        Ok(())
    }
}

impl CopyValue for bool {
    fn write(&self, out: &mut String) -> std::fmt::Result {
        out.push(if *self { 't' } else { 'f' });
        Ok(())
    }
}

impl CopyValue for DateTime<Utc> {
    fn write(&self, out: &mut String) -> std::fmt::Result {
        write!(out, "{}+00", format::iso_second(self.naive_utc()))
    }
}

macro_rules! copy_value_by_display {
    ($($ty:ty),*) => {$(
        impl CopyValue for $ty {
            fn write(&self, out: &mut String) -> std::fmt::Result {
                write!(out, "{self}")
            }
        }
    )*};
}
copy_value_by_display!(i16, i32, i64, Decimal, NaiveDate, NaiveTime);

impl<T: CopyValue> CopyValue for Option<T> {
    fn write(&self, out: &mut String) -> std::fmt::Result {
        match self {
            Some(value) => value.write(out),
            None => {
                out.push_str("\\N");
                Ok(())
            }
        }
    }
}
