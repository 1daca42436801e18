//! Real SMTP servers on 127.0.0.1 for the integration tests: plain, STARTTLS or implicit TLS
//! with a test CA, AUTH PLAIN/LOGIN, and faults on purpose. Every accepted message is recorded
//! (envelope and exact bytes) for the test to inspect.
//!
//! A small server of our own rather than mailin-embedded: the faults (a reply withheld after
//! DATA, a connection cut mid-message, implicit TLS) need control over every line.
#![allow(dead_code)]

mod certs;
pub mod postfix;

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use base64::Engine;
use lettermerge::deliver::smtp::{Security, SmtpConfig};

pub use certs::ca_pem_path;

pub const USER: &str = "coalition@example.org";
pub const PASSWORD: &str = "correct-horse-9-battery";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encryption {
    /// No TLS at all (so no STARTTLS is advertised either).
    #[default]
    None,
    StartTls,
    Implicit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stall {
    /// Accept the connection and never say anything.
    Greeting,
    /// Read a whole message and keep it (as a real server may have queued it), then never reply.
    AfterData,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub tls: Encryption,
    /// AUTH mechanisms offered ("PLAIN", "LOGIN"); when any, MAIL requires a login first.
    pub auth: Vec<&'static str>,
    /// This recipient gets `550 5.1.1`.
    pub reject_rcpt: Option<String>,
    /// The first N RCPT commands get `451 4.7.1` (greylisting), later ones succeed.
    pub tempfail_first: usize,
    /// The first N messages see the connection closed halfway through their DATA.
    pub drop_mid_data: usize,
    /// The first N messages are read whole and kept, then the connection is closed without a reply: the client
    /// cannot know the message arrived.
    pub drop_after_data: usize,
    pub stall: Option<Stall>,
    /// Do not offer 8BITMIME.
    pub seven_bit: bool,
    /// Do not offer PIPELINING, and end the session, as Postfix does, when a client sends a command before the
    /// reply to the one before.
    pub no_pipelining: bool,
    /// Take DATA even when no recipient was accepted (a server that breaks RFC 2920 §3.1).
    pub data_without_recipients: bool,
    /// The reply to a message's final `.` instead of `250 … queued` (the message is recorded all the same).
    pub dot_reply: Option<&'static str>,
    /// The first N messages are confirmed twice: a server out of step with its client.
    pub double_confirm: usize,
    /// The reply to a session's second EHLO on its first N connections (then as usual).
    pub second_ehlo: Option<(&'static str, usize)>,
    /// At most this many sessions at once; one more is greeted with `421 4.7.0` and closed.
    pub max_sessions: Option<usize>,
    /// Wait this long before confirming each accepted message (after it is recorded), so that a
    /// client killed mid-run leaves messages the server has but the client never heard about.
    pub reply_delay: Option<Duration>,
    /// The first N connections are greeted with `421 4.3.2` (too busy) and closed.
    pub busy_first: usize,
}

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
    pub user: Option<String>,
    pub tls: bool,
}

#[derive(Default)]
struct State {
    received: Mutex<Vec<Received>>,
    /// Every command verb in arrival order, over all connections.
    verbs: Mutex<Vec<String>>,
    connections: AtomicUsize,
    tempfails_left: AtomicUsize,
    drops_left: AtomicUsize,
    drops_after_left: AtomicUsize,
    busy_left: AtomicUsize,
    /// Commands that came with the next one already in the buffer: sent as a group.
    grouped: AtomicUsize,
    doubles_left: AtomicUsize,
    second_ehlos_left: AtomicUsize,
    /// Sessions open now, and refused for being one too many.
    active: AtomicUsize,
    refused_sessions: AtomicUsize,
}

pub struct TestServer {
    pub port: u16,
    pub ca_pem_path: PathBuf,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
}

impl TestServer {
    pub fn start(options: Options) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(State::default());
        state
            .tempfails_left
            .store(options.tempfail_first, Ordering::SeqCst);
        state
            .drops_left
            .store(options.drop_mid_data, Ordering::SeqCst);
        state
            .drops_after_left
            .store(options.drop_after_data, Ordering::SeqCst);
        state.busy_left.store(options.busy_first, Ordering::SeqCst);
        state
            .doubles_left
            .store(options.double_confirm, Ordering::SeqCst);
        state
            .second_ehlos_left
            .store(options.second_ehlo.map_or(0, |(_, n)| n), Ordering::SeqCst);
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                st.connections.fetch_add(1, Ordering::SeqCst);
                let (st, options) = (st.clone(), options.clone());
                thread::spawn(move || {
                    let active = st.active.fetch_add(1, Ordering::SeqCst) + 1;
                    if options.max_sessions.is_some_and(|max| active > max) {
                        st.refused_sessions.fetch_add(1, Ordering::SeqCst);
                        let mut stream = stream;
                        let _ = stream.write_all(b"421 4.7.0 Too many concurrent sessions\r\n");
                    } else {
                        let _ = serve(stream, &options, &st);
                    }
                    st.active.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        TestServer {
            port,
            ca_pem_path: ca_pem_path(),
            state,
            stop,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    pub fn verbs(&self) -> Vec<String> {
        self.state.verbs.lock().unwrap().clone()
    }

    /// How many commands arrived together with the next (PIPELINING at work).
    pub fn grouped(&self) -> usize {
        self.state.grouped.load(Ordering::SeqCst)
    }

    /// Sessions greeted with 421 for being one more than `max_sessions`.
    pub fn refused_sessions(&self) -> usize {
        self.state.refused_sessions.load(Ordering::SeqCst)
    }

    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// An `[smtp]` table for this server, trusting the test CA, with a short timeout.
    pub fn config(&self, security: Security) -> SmtpConfig {
        let mut cfg = SmtpConfig::new("localhost", security);
        cfg.port = Some(self.port);
        cfg.ca_file = Some(self.ca_pem_path.clone());
        cfg.timeout = Some(5.0);
        cfg
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

enum Io {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
    Gone,
}

impl Read for Io {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Io::Plain(s) => s.read(buf),
            Io::Tls(s) => s.read(buf),
            Io::Gone => Ok(0),
        }
    }
}

impl Write for Io {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Io::Plain(s) => s.write(buf),
            Io::Tls(s) => s.write(buf),
            Io::Gone => Err(io::ErrorKind::BrokenPipe.into()),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Io::Plain(s) => s.flush(),
            Io::Tls(s) => s.flush(),
            Io::Gone => Ok(()),
        }
    }
}

fn tls_io(tcp: TcpStream) -> io::Result<Io> {
    let conn = rustls::ServerConnection::new(certs::server_config()).map_err(io::Error::other)?;
    Ok(Io::Tls(Box::new(rustls::StreamOwned::new(conn, tcp))))
}

struct Session {
    io: BufReader<Io>,
}

impl Session {
    fn reply(&mut self, text: &str) -> io::Result<()> {
        // One write per reply, and TCP_NODELAY: otherwise Nagle and delayed ACKs add ~40 ms.
        let io = self.io.get_mut();
        io.write_all(format!("{text}\r\n").as_bytes())?;
        io.flush()
    }

    /// One line without its CRLF; `None` at end of stream.
    fn line(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut line = Vec::new();
        if self.io.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        while line.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
            line.pop();
        }
        Ok(Some(line))
    }

    /// Reads until the client goes away, answering nothing.
    fn drain(&mut self) -> io::Result<()> {
        let mut sink = [0u8; 4096];
        while self.io.read(&mut sink)? > 0 {}
        Ok(())
    }

    fn b64_line(&mut self) -> io::Result<Option<String>> {
        let Some(line) = self.line()? else {
            return Ok(None);
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(line)
            .unwrap_or_default();
        Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
    }
}

fn angle(arg: &str) -> String {
    let start = arg.find('<').map_or(0, |i| i + 1);
    let end = arg[start..].find('>').map_or(arg.len(), |i| start + i);
    arg[start..end].to_string()
}

fn serve(tcp: TcpStream, options: &Options, state: &State) -> io::Result<()> {
    tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
    tcp.set_nodelay(true)?;
    let peer = tcp.try_clone()?;
    let io = match options.tls {
        Encryption::Implicit => tls_io(tcp)?,
        _ => Io::Plain(tcp),
    };
    let mut s = Session {
        io: BufReader::new(io),
    };
    if options.stall == Some(Stall::Greeting) {
        return s.drain();
    }
    let mut tls = options.tls == Encryption::Implicit;
    let mut user: Option<String> = None;
    let mut from: Option<String> = None;
    let mut rcpts: Vec<String> = Vec::new();
    let mut ehlos = 0;
    if take_one(&state.busy_left) {
        return s.reply("421 4.3.2 Too busy, try again later");
    }
    s.reply("220 localhost ESMTP lettermerge-test")?;
    while let Some(line) = s.line()? {
        let line = String::from_utf8_lossy(&line).into_owned();
        let (verb, arg) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        let verb = verb.to_ascii_uppercase();
        state.verbs.lock().unwrap().push(verb.clone());
        if !s.io.buffer().is_empty() {
            state.grouped.fetch_add(1, Ordering::SeqCst);
            if options.no_pipelining {
                s.reply("554 5.5.0 Error: SMTP protocol synchronization")?;
                return Ok(());
            }
        }
        match verb.as_str() {
            "EHLO" | "HELO" => {
                from = None;
                rcpts.clear();
                ehlos += 1;
                if ehlos == 2 {
                    if let Some((reply, _)) = options.second_ehlo {
                        if take_one(&state.second_ehlos_left) {
                            s.reply(reply)?;
                            if reply.starts_with("421") {
                                return Ok(());
                            }
                            continue;
                        }
                    }
                }
                let mut caps = vec!["localhost".to_string()];
                if !options.seven_bit {
                    caps.push("8BITMIME".into());
                }
                caps.push("SMTPUTF8".into());
                if !options.no_pipelining {
                    caps.push("PIPELINING".into());
                }
                if options.tls == Encryption::StartTls && !tls {
                    caps.push("STARTTLS".into());
                }
                // Like Postfix's smtpd_tls_auth_only: no login over clear text when TLS exists.
                if !options.auth.is_empty() && (tls || options.tls == Encryption::None) {
                    caps.push(format!("AUTH {}", options.auth.join(" ")));
                }
                let last = caps.len() - 1;
                let lines: Vec<String> = caps
                    .iter()
                    .enumerate()
                    .map(|(i, cap)| format!("250{}{cap}", if i == last { ' ' } else { '-' }))
                    .collect();
                s.reply(&lines.join("\r\n"))?;
            }
            "STARTTLS" if options.tls == Encryption::StartTls && !tls => {
                if !s.io.buffer().is_empty() {
                    // Plain text pipelined after STARTTLS must not leak into the TLS session.
                    s.reply("501 5.5.4 data after STARTTLS")?;
                    return Ok(());
                }
                s.reply("220 2.0.0 Ready to start TLS")?;
                let Io::Plain(tcp) = std::mem::replace(s.io.get_mut(), Io::Gone) else {
                    return Ok(());
                };
                *s.io.get_mut() = tls_io(tcp)?;
                tls = true;
                from = None;
                rcpts.clear();
            }
            "AUTH" if !options.auth.is_empty() => {
                let (mech, initial) = arg.split_once(' ').unwrap_or((arg, ""));
                let mech = mech.to_ascii_uppercase();
                let creds = match mech.as_str() {
                    "PLAIN" if options.auth.contains(&"PLAIN") => {
                        let response = if initial.is_empty() {
                            s.reply("334 ")?;
                            s.line()?.unwrap_or_default()
                        } else {
                            initial.as_bytes().to_vec()
                        };
                        let raw = base64::engine::general_purpose::STANDARD
                            .decode(response)
                            .unwrap_or_default();
                        let parts: Vec<String> = raw
                            .split(|&b| b == 0)
                            .map(|p| String::from_utf8_lossy(p).into_owned())
                            .collect();
                        (parts.len() == 3).then(|| (parts[1].clone(), parts[2].clone()))
                    }
                    "LOGIN" if options.auth.contains(&"LOGIN") => {
                        s.reply("334 VXNlcm5hbWU6")?;
                        let u = s.b64_line()?.unwrap_or_default();
                        s.reply("334 UGFzc3dvcmQ6")?;
                        let p = s.b64_line()?.unwrap_or_default();
                        Some((u, p))
                    }
                    _ => {
                        s.reply("504 5.5.4 mechanism not offered")?;
                        continue;
                    }
                };
                match creds {
                    Some((u, p)) if u == USER && p == PASSWORD => {
                        user = Some(u);
                        s.reply("235 2.7.0 Authentication successful")?;
                    }
                    _ => s.reply("535 5.7.8 Error: authentication failed")?,
                }
            }
            "MAIL" => {
                if !options.auth.is_empty() && user.is_none() {
                    s.reply("530 5.7.0 Authentication required")?;
                } else {
                    from = Some(angle(arg));
                    rcpts.clear();
                    s.reply("250 2.1.0 Ok")?;
                }
            }
            "RCPT" if from.is_some() => {
                let rcpt = angle(arg);
                if options.reject_rcpt.as_deref() == Some(rcpt.as_str()) {
                    s.reply(&format!(
                        "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown"
                    ))?;
                } else if take_one(&state.tempfails_left) {
                    s.reply(&format!("451 4.7.1 <{rcpt}>: Greylisted, try again later"))?;
                } else {
                    rcpts.push(rcpt);
                    s.reply("250 2.1.5 Ok")?;
                }
            }
            "DATA" if !rcpts.is_empty() || options.data_without_recipients => {
                s.reply("354 End data with <CR><LF>.<CR><LF>")?;
                if take_one(&state.drops_left) {
                    s.line()?;
                    s.line()?;
                    let _ = peer.shutdown(Shutdown::Both);
                    return Ok(());
                }
                let mut data = Vec::new();
                loop {
                    let mut raw = Vec::new();
                    if s.io.read_until(b'\n', &mut raw)? == 0 {
                        return Ok(());
                    }
                    if raw == b".\r\n" {
                        break;
                    }
                    let unstuffed = raw.strip_prefix(b".").unwrap_or(&raw[..]);
                    data.extend_from_slice(unstuffed);
                }
                let mut received = state.received.lock().unwrap();
                received.push(Received {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut rcpts),
                    data,
                    user: user.clone(),
                    tls,
                });
                let n = received.len();
                drop(received);
                if options.stall == Some(Stall::AfterData) {
                    return s.drain();
                }
                if take_one(&state.drops_after_left) {
                    let _ = peer.shutdown(Shutdown::Both);
                    return Ok(());
                }
                if let Some(delay) = options.reply_delay {
                    thread::sleep(delay);
                }
                match options.dot_reply {
                    Some(reply) => s.reply(reply)?,
                    None => s.reply(&format!("250 2.0.0 Ok: queued as TEST{n:05}"))?,
                }
                if take_one(&state.doubles_left) {
                    s.reply(&format!("250 2.0.0 Ok: queued as TEST{n:05}"))?;
                }
            }
            "RSET" => {
                from = None;
                rcpts.clear();
                s.reply("250 2.0.0 Ok")?;
            }
            "NOOP" => s.reply("250 2.0.0 Ok")?,
            "QUIT" => {
                s.reply("221 2.0.0 Bye")?;
                return Ok(());
            }
            _ => s.reply("503 5.5.1 Error: bad sequence of commands")?,
        }
    }
    Ok(())
}

fn take_one(counter: &AtomicUsize) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}
