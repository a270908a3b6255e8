//! An SMTP server for tests on 127.0.0.1: it speaks just enough ESMTP (EHLO/HELO,
//! MAIL, RCPT, DATA, RSET, NOOP, QUIT; no TLS, no AUTH) to take messages and keep them
//! for the test to read, and can play a server that is down (`421` on connect).
//!
//! ```ignore
//! let sink = SmtpSink::start().await;
//! let app = sink.spawn_app(db, &[]).await;   // SMTP on, security `none`, workers off
//! // … sign up …
//! let mail = sink.next_mail_to(&app, "alice@mail.example").await;
//! let link = mail.link("/auth/confirmation?confirmation_token=");
//! ```

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::PgPool;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::TestApp;

/// One message the sink took.
#[derive(Clone, Debug)]
pub struct Mail {
    /// The envelope sender (`MAIL FROM`).
    pub from: String,
    /// The envelope recipients (`RCPT TO`).
    pub to: Vec<String>,
    /// Headers and body as sent, quoted-printable soft breaks and escapes undone.
    pub data: String,
}

impl Mail {
    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        self.data
            .split("\r\n\r\n")
            .next()?
            .lines()
            .find(|line| line.to_ascii_lowercase().starts_with(&prefix))
            .map(|line| line[prefix.len()..].trim().to_owned())
    }

    /// The first URL containing `marker` (e.g. a path and query key), up to the
    /// token's end; panics when there is none.
    pub fn link(&self, marker: &str) -> String {
        let at = self
            .data
            .find(marker)
            .unwrap_or_else(|| panic!("no {marker} link in the mail: {}", self.data));
        let start = self.data[..at]
            .rfind("http")
            .expect("the link has a scheme");
        let end = self.data[at..]
            .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
            .map_or(self.data.len(), |end| at + end);
        self.data[start..end].to_owned()
    }
}

/// A running sink. It stops when dropped.
pub struct SmtpSink {
    /// The port it listens on.
    pub port: u16,
    received: Arc<Mutex<Vec<Mail>>>,
    down: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    /// Starts a sink on a free port.
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let port = listener.local_addr().expect("has address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let down = Arc::new(AtomicBool::new(false));
        let (store, state) = (received.clone(), down.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (store, down) = (store.clone(), state.load(Ordering::SeqCst));
                tokio::spawn(async move {
                    let _ = converse(stream, store, down).await;
                });
            }
        });
        SmtpSink {
            port,
            received,
            down,
            task,
        }
    }

    /// Plays a server that is down (`true`: every connection gets `421` and is
    /// closed) or up again.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// The `roost serve` flags that send mail here.
    pub fn flags(&self) -> Vec<String> {
        let port = self.port.to_string();
        [
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            &port,
            "--smtp-security",
            "none",
        ]
        .map(str::to_owned)
        .to_vec()
    }

    /// Starts Roost sending mail here, with its workers off (tests drain the mail
    /// queue with [`Self::next_mail_to`]) and `extra` flags.
    pub async fn spawn_app(&self, db: PgPool, extra: &[&str]) -> TestApp {
        let mut flags = self.flags();
        flags.extend(["--workers".to_owned(), "false".to_owned()]);
        flags.extend(extra.iter().map(|flag| flag.to_string()));
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        TestApp::spawn_with(db, &flags).await
    }

    /// Every message taken so far.
    pub fn mails(&self) -> Vec<Mail> {
        self.received.lock().expect("not poisoned").clone()
    }

    /// Messages taken so far for `address`.
    pub fn mails_to(&self, address: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|mail| mail.to.iter().any(|to| to == address))
            .collect()
    }

    /// Drains the app's mail queue until a message for `address` beyond those already
    /// taken arrives, or panics after ten seconds; returns the newest.
    pub async fn next_mail_to(&self, app: &TestApp, address: &str) -> Mail {
        let before = self.mails_to(address).len();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            roost::mail::worker::run_once(&app.state)
                .await
                .expect("the mail queue drains");
            let mails = self.mails_to(address);
            if mails.len() > before {
                return mails.last().cloned().expect("one arrived");
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no new mail to {address}; taken: {:?}",
                self.mails()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// One SMTP session.
async fn converse(
    stream: TcpStream,
    store: Arc<Mutex<Vec<Mail>>>,
    down: bool,
) -> std::io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    if down {
        writer
            .write_all(b"421 sink.test Service not available\r\n")
            .await?;
        return Ok(());
    }
    writer.write_all(b"220 sink.test ESMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "HELO" | "NOOP" => b"250 OK\r\n",
            "RSET" => {
                (from, to) = (String::new(), Vec::new());
                b"250 OK\r\n"
            }
            "MAIL" => {
                from = angle_address(&command);
                b"250 OK\r\n"
            }
            "RCPT" => {
                to.push(angle_address(&command));
                b"250 OK\r\n"
            }
            "DATA" => {
                writer
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let data = read_data(&mut reader).await?;
                let mail = Mail {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data: decode_parts(&data),
                };
                store.lock().expect("not poisoned").push(mail);
                b"250 OK queued\r\n"
            }
            "QUIT" => {
                writer.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 Command not implemented\r\n",
        };
        writer.write_all(reply).await?;
    }
}

/// The message up to the lone `.` line, dot-stuffing undone.
async fn read_data(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<String> {
    let mut data = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 || line == ".\r\n" {
            return Ok(data);
        }
        data.push_str(line.strip_prefix('.').unwrap_or(&line));
    }
}

/// `alice@mail.example` from `RCPT TO:<alice@mail.example>`.
fn angle_address(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(address, _)| address.to_owned())
        .unwrap_or_default()
}

/// The message with each quoted-printable MIME part decoded; other parts as they are.
fn decode_parts(data: &str) -> String {
    data.split("\r\n--")
        .map(|part| {
            let headers = part.split("\r\n\r\n").next().unwrap_or("");
            if headers
                .to_ascii_lowercase()
                .contains("content-transfer-encoding: quoted-printable")
            {
                decode_quoted_printable(part)
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n--")
}

/// Undoes quoted-printable soft line breaks and `=XX` escapes (RFC 2045 §6.7).
fn decode_quoted_printable(data: &str) -> String {
    let joined = data.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'=')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
