//! A small HTTP/1.1 client over one keep-alive TCP connection, for the tools that drive a running
//! server the way browsers do (the booking benchmark, the fault test): a form post or a GET with
//! a cookie, the status, the cookies set and the body. A general client library would add more
//! to the build than these few requests need, and this one reports exactly what went wrong on
//! the wire, which is what a fault test wants to count.

use anyhow::Context;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufStream};
use tokio::net::TcpStream;

/// One answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// Each `Set-Cookie` header's value.
    pub cookies: Vec<String>,
    pub body: String,
}

impl Reply {
    /// The `name=value` part of the cookie called `name`, when the answer sets it.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.iter().find_map(|cookie| {
            let pair = cookie.split(';').next()?;
            pair.strip_prefix(name)?
                .starts_with('=')
                .then(|| pair.to_owned())
        })
    }
}

/// One keep-alive HTTP/1.1 connection.
pub struct Connection {
    stream: BufStream<TcpStream>,
    host: String,
    /// Extra header lines sent with every request (`Name: value\r\n` each).
    extra_headers: String,
}

impl Connection {
    /// Connects to `host` (`127.0.0.1:3000`).
    pub async fn open(host: &str) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(host)
            .await
            .with_context(|| format!("could not connect to {host}"))?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream: BufStream::new(stream),
            host: host.to_owned(),
            extra_headers: String::new(),
        })
    }

    /// Sends `name: value` with every request from now on (an `X-Forwarded-For`, say).
    pub fn always_send(&mut self, name: &str, value: &str) {
        self.extra_headers.push_str(&format!("{name}: {value}\r\n"));
    }

    /// Posts a form, asking for JSON (as a server function's caller does).
    pub async fn post(&mut self, path: &str, cookie: &str, body: &str) -> anyhow::Result<Reply> {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Accept: application/json\r\nCookie: {cookie}\r\n{}Content-Length: {}\r\n\r\n",
            self.host,
            self.extra_headers,
            body.len()
        );
        self.exchange(head + body).await
    }

    /// Gets a page, as a browser does.
    pub async fn get(&mut self, path: &str, cookie: &str) -> anyhow::Result<Reply> {
        let head = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: text/html\r\nCookie: {cookie}\r\n{}\r\n",
            self.host, self.extra_headers
        );
        self.exchange(head).await
    }

    async fn exchange(&mut self, request: String) -> anyhow::Result<Reply> {
        self.stream.write_all(request.as_bytes()).await?;
        self.stream.flush().await?;
        let mut line = String::new();
        if self.stream.read_line(&mut line).await? == 0 {
            anyhow::bail!("the server closed the connection without answering");
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("not an HTTP status line: {line:?}"))?;
        let mut length = None;
        let mut chunked = false;
        let mut cookies = Vec::new();
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await? == 0 {
                anyhow::bail!("the connection closed in the middle of the answer's headers");
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim();
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.parse::<usize>().ok(),
                    "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                    "set-cookie" => cookies.push(value.to_owned()),
                    _ => {}
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.stream.read_line(&mut line).await?;
                let size = usize::from_str_radix(line.trim(), 16).context("bad chunk size")?;
                let mut chunk = vec![0; size + 2];
                self.stream.read_exact(&mut chunk).await?;
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else if let Some(length) = length {
            body.resize(length, 0);
            self.stream.read_exact(&mut body).await?;
        }
        Ok(Reply {
            status,
            cookies,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}
