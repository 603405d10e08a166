//! A real SMTP server on loopback that keeps what it receives, for tests that read their mail.
//! It speaks just enough SMTP for lettre; `failing` makes it refuse every message, like a mail
//! server in trouble; any recipient whose address starts with `bounce` is refused for good
//! (550), like a mailbox that does not exist. `stop` takes it away (the port refuses, open
//! connections drop) and `resume` brings it back on the same port, like a mail server restarted.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::AbortHandle;

/// One received message: envelope recipients and the raw RFC 5322 text.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: Vec<String>,
    pub data: String,
}

impl ReceivedMail {
    pub fn subject(&self) -> Option<&str> {
        self.header("Subject")
    }

    /// The `Message-ID` header's value, the same on every delivery of one queued message.
    pub fn message_id(&self) -> Option<&str> {
        self.header("Message-ID")
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.data
            .lines()
            .take_while(|line| !line.is_empty())
            .find_map(|line| {
                let (key, value) = line.split_once(':')?;
                key.eq_ignore_ascii_case(name).then(|| value.trim())
            })
    }
}

#[derive(Clone)]
pub struct SmtpSink {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    failing: bool,
    /// The accept loop and each connection's task, aborted by `stop`.
    tasks: Arc<Mutex<Vec<AbortHandle>>>,
}

impl SmtpSink {
    pub async fn start(failing: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the SMTP sink");
        let sink = Self {
            addr: listener.local_addr().expect("address"),
            received: Arc::new(Mutex::new(Vec::new())),
            failing,
            tasks: Arc::new(Mutex::new(Vec::new())),
        };
        sink.listen(listener);
        sink
    }

    fn listen(&self, listener: TcpListener) {
        let store = self.received.clone();
        let tasks = self.tasks.clone();
        let failing = self.failing;
        let accepting = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let store = store.clone();
                let connection = tokio::spawn(async move {
                    let _ = serve(socket, store, failing).await;
                });
                tasks.lock().expect("lock").push(connection.abort_handle());
            }
        });
        self.tasks
            .lock()
            .expect("lock")
            .push(accepting.abort_handle());
    }

    /// The mail server goes away: its port refuses connections and open ones are dropped.
    pub fn stop(&self) {
        for task in self.tasks.lock().expect("lock").drain(..) {
            task.abort();
        }
    }

    /// The mail server is back, on the same port, with what it had received.
    pub async fn resume(&self) {
        let listener = TcpListener::bind(self.addr)
            .await
            .expect("bind the SMTP sink's port again");
        self.listen(listener);
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn received(&self) -> Vec<ReceivedMail> {
        self.received.lock().expect("lock").clone()
    }
}

async fn serve(
    socket: tokio::net::TcpStream,
    store: Arc<Mutex<Vec<ReceivedMail>>>,
    failing: bool,
) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
            b"250 sink\r\n"
        } else if command.starts_with("MAIL FROM") {
            to.clear();
            b"250 OK\r\n"
        } else if command.starts_with("RCPT TO") {
            let recipient = line.trim_end()[8..]
                .trim()
                .trim_matches(['<', '>'])
                .to_owned();
            if recipient.starts_with("bounce") {
                b"550 5.1.1 No such mailbox\r\n"
            } else {
                to.push(recipient);
                b"250 OK\r\n"
            }
        } else if command == "DATA" {
            if failing {
                b"451 Temporary failure, try again later\r\n"
            } else {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                store.lock().expect("lock").push(ReceivedMail {
                    to: to.clone(),
                    data,
                });
                b"250 OK queued\r\n"
            }
        } else if command == "QUIT" {
            write.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            b"250 OK\r\n"
        };
        write.write_all(reply).await?;
    }
}
