//! Logging: `tracing` to standard error, filtered by `RUST_LOG` (default: info for our crates),
//! as text for people or, with `CLINIC_LOG_FORMAT=json`, one JSON object per line for a log
//! collector. Either way a line written while a request is served carries that request's id
//! (its span: method, path, `request_id`), the id its error page shows.

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::{EnvFilter, fmt};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// `CLINIC_LOG_FORMAT`: `text` (or unset) or `json`.
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        match value.map(str::trim) {
            None | Some("") | Some("text") => Ok(Self::Text),
            Some("json") => Ok(Self::Json),
            Some(other) => Err(format!(
                "CLINIC_LOG_FORMAT is {other:?}; use \"text\" (the default) or \"json\""
            )),
        }
    }
}

pub fn init() {
    let format = LogFormat::parse(std::env::var("CLINIC_LOG_FORMAT").ok().as_deref());
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let chosen = *format.as_ref().unwrap_or(&LogFormat::Text);
    // A second call (tests) keeps the first subscriber.
    let _ = tracing::subscriber::set_global_default(subscriber(chosen, filter, std::io::stderr));
    if let Err(message) = format {
        tracing::warn!("{message}; logging as text");
    }
}

type Subscriber = Box<dyn tracing::Subscriber + Send + Sync>;

fn subscriber<W>(format: LogFormat, filter: EnvFilter, writer: W) -> Subscriber
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let builder = fmt().with_env_filter(filter).with_writer(writer);
    match format {
        LogFormat::Text => Box::new(builder.finish()),
        // Every span the line was written in, outermost first: the request's (its id, method
        // and path) is there even when a library's own span is the innermost.
        LogFormat::Json => Box::new(
            builder
                .json()
                .with_current_span(false)
                .with_span_list(true)
                .finish(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lines").extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Lines {
        type Writer = Lines;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    #[test]
    fn the_format_is_text_unless_json_is_asked_for() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("json")), Ok(LogFormat::Json));
        let refused = LogFormat::parse(Some("yaml"));
        assert!(
            matches!(&refused, Err(message) if message.contains("\"json\"")),
            "{refused:?}"
        );
    }

    #[test]
    fn json_lines_carry_the_request_they_were_written_for() {
        let lines = Lines::default();
        let json = subscriber(LogFormat::Json, EnvFilter::new("info"), lines.clone());
        tracing::subscriber::with_default(json, || {
            let span = tracing::info_span!(
                "request",
                method = "GET",
                path = "/wallet",
                request_id = "r-42"
            );
            span.in_scope(|| {
                tracing::info_span!("call")
                    .in_scope(|| tracing::warn!(status = 500, "the page failed"));
            });
        });
        let text = String::from_utf8(lines.0.lock().expect("lines").clone()).expect("utf-8");
        let line: serde_json::Value =
            serde_json::from_str(text.lines().last().expect("a line")).expect("one JSON object");
        assert_eq!(line["level"], "WARN");
        assert_eq!(line["fields"]["message"], "the page failed");
        assert_eq!(line["spans"][0]["request_id"], "r-42", "{text}");
        assert_eq!(line["spans"][0]["path"], "/wallet");
        assert_eq!(line["spans"][1]["name"], "call");
    }
}
