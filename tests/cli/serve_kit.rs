//! `lettermerge serve` as a test drives it: the server on a free port (killed when the test ends), a real HTTP client
//! (ureq), its event stream read as a browser's EventSource reads it, and Debian's Chromium through chromedriver.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use scraper::Html;
use serde_json::{json, Value};

use crate::harness::{Campaign, DATE};

/// How long a test waits for a rebuild to reach it: generous, since other builds may share the machine's two cores.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// A running `lettermerge serve --port 0 --date 2018-07-11`, stopped when dropped.
pub struct Server {
    child: Child,
    pub url: String,
    stderr: Arc<Mutex<String>>,
    agent: ureq::Agent,
}

/// One HTTP answer.
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("a UTF-8 body")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(PATIENCE))
        .build()
        .new_agent()
}

impl Server {
    /// Starts the server on the campaign with `args` after `serve`, and waits for its address.
    pub fn start(c: &Campaign, args: &[&str]) -> Server {
        Server::start_in(c.path(), args)
    }

    /// The same on the campaign in folder `dir`.
    pub fn start_in(dir: &std::path::Path, args: &[&str]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lettermerge"));
        cmd.env("NO_COLOR", "1")
            .arg("-C")
            .arg(dir)
            .args(["serve", "--port", "0", "--date", DATE])
            .args(args);
        Server::spawn(cmd)
    }

    pub fn spawn(mut cmd: Command) -> Server {
        let mut child = cmd
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start lettermerge serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        drain(child.stderr.take().expect("stderr"), stderr.clone());
        let (tx, rx) = channel();
        let stdout = child.stdout.take().expect("stdout");
        thread::spawn(move || {
            // Every line is read, so the server never blocks on a full pipe.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut server = Server {
            child,
            url: String::new(),
            stderr,
            agent: agent(),
        };
        let line = rx.recv_timeout(PATIENCE).unwrap_or_else(|_| {
            panic!(
                "lettermerge serve printed no address\n--- stderr\n{}",
                server.stderr()
            )
        });
        server.url = line
            .strip_prefix("Serving the proof at ")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_string();
        server
    }

    /// What the server has written to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Waits until stderr holds `needle` (it is read as the server writes it), and returns all of it.
    pub fn wait_stderr(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let err = self.stderr();
            if err.contains(needle) {
                return err;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "waited {PATIENCE:?} for `{needle}` on stderr\n--- stderr\n{err}"
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn get(&self, path: &str) -> Reply {
        let url = format!("{}{}", self.url, path.trim_start_matches('/'));
        let mut res = self
            .agent
            .get(&url)
            .call()
            .unwrap_or_else(|e| panic!("GET {url}: {e}\n--- stderr\n{}", self.stderr()));
        reply(&mut res)
    }

    pub fn post(&self, path: &str) -> Reply {
        let url = format!("{}{}", self.url, path.trim_start_matches('/'));
        let mut res = self
            .agent
            .post(&url)
            .send("")
            .unwrap_or_else(|e| panic!("POST {url}: {e}"));
        reply(&mut res)
    }

    /// The page, parsed.
    pub fn page(&self) -> Html {
        let r = self.get("/");
        assert_eq!(r.status, 200, "GET /\n{}", r.text());
        Html::parse_document(&r.text())
    }

    /// Fetches the page until `ready` says yes, or fails the test after [`PATIENCE`], saying `what` it waited for.
    pub fn wait_for(&self, what: &str, ready: impl Fn(&Html) -> bool) -> Html {
        let start = Instant::now();
        loop {
            let page = self.page();
            if ready(&page) {
                return page;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "waited {PATIENCE:?} for {what}\n--- page\n{}\n--- stderr\n{}",
                page.html(),
                self.stderr()
            );
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// The server's event stream.
    pub fn events(&self) -> Events {
        let url = format!("{}events", self.url);
        let res = self
            .agent
            .get(&url)
            .call()
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        assert_eq!(res.status().as_u16(), 200);
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert_eq!(content_type, "text/event-stream");
        let (tx, rx) = channel();
        let reader = res.into_body().into_reader();
        thread::spawn(move || read_events(reader, tx));
        Events { rx }
    }

    /// Sends SIGINT (Ctrl-C) and waits for the server to end: its exit status, or `None` if it did not end.
    #[cfg(unix)]
    pub fn interrupt(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        // SAFETY: a signal to our own child process, by its id.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGINT);
        }
        let start = Instant::now();
        while start.elapsed() < within {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn reply(res: &mut ureq::http::Response<ureq::Body>) -> Reply {
    let headers: Vec<(String, String)> = res
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = res
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .expect("the body");
    Reply {
        status: res.status().as_u16(),
        content_type,
        headers,
        body,
    }
}

fn drain(from: impl Read + Send + 'static, into: Arc<Mutex<String>>) {
    thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            if let Ok(mut s) = into.lock() {
                s.push_str(&line);
                s.push('\n');
            }
        }
    });
}

/// Server-sent events as they arrive: `(event, data)`.
pub struct Events {
    rx: Receiver<(String, String)>,
}

impl Events {
    /// The next event, or `None` after `within`, or when the stream ended.
    pub fn next_within(&self, within: Duration) -> Option<(String, String)> {
        self.rx.recv_timeout(within).ok()
    }

    pub fn next(&self) -> (String, String) {
        self.next_within(PATIENCE)
            .unwrap_or_else(|| panic!("no event within {PATIENCE:?}"))
    }

    /// Whether the stream has ended (the server closed it), waiting up to `within`.
    pub fn ended_within(&self, within: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < within {
            match self.rx.recv_timeout(Duration::from_millis(100)) {
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return true,
                _ => continue,
            }
        }
        false
    }
}

/// The event-stream format: `event:` and `data:` lines, a blank line ends an event, `:` lines are comments.
fn read_events(reader: impl Read, tx: std::sync::mpsc::Sender<(String, String)>) {
    let (mut event, mut data) = (String::new(), String::new());
    for line in BufReader::new(reader).lines() {
        let Ok(line) = line else { return };
        if line.is_empty() {
            if !data.is_empty() || !event.is_empty() {
                let e = std::mem::take(&mut event);
                let d = std::mem::take(&mut data);
                if tx.send((e, d)).is_err() {
                    return;
                }
            }
        } else if let Some(v) = line.strip_prefix("event:") {
            event = v.trim().to_string();
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push_str(v.trim_start());
        }
    }
}

/// A raw request, byte for byte, for what a client library would not send (another `Host`).
pub fn raw_get(url: &str, host: &str) -> String {
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut s = std::net::TcpStream::connect(&addr).expect("connect");
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        s,
        "GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).expect("the answer");
    out
}

// ── Chromium through chromedriver (W3C WebDriver: JSON over HTTP) ──────────────────────────────────────────────

/// A headless Chromium session, ended (and chromedriver stopped) when dropped.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port and a headless Chromium with a fresh profile.
    pub fn start() -> Browser {
        let mut driver = Command::new("chromedriver")
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let stdout = driver.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let port = loop {
            let line = rx
                .recv_timeout(PATIENCE)
                .expect("chromedriver says on which port it listens");
            // "ChromeDriver was started successfully on port 38775."
            if let Some(rest) = line.split("on port ").nth(1) {
                if line.contains("started successfully") {
                    break rest.trim_end_matches('.').trim().to_string();
                }
            }
        };
        let profile = tempfile::tempdir().expect("a profile folder");
        let chromium = which("chromium");
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium, "args": args }
        } } });
        let mut b = Browser {
            driver,
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
            agent: agent(),
            _profile: profile,
        };
        let v = b
            .command("POST", "/session", Some(caps))
            .expect("a browser session");
        b.session = v["sessionId"].as_str().expect("a session id").to_string();
        b
    }

    /// One WebDriver command; the answer's `value`, or the error it reports.
    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{}", self.base, path);
        let res = match body {
            Some(b) => self
                .agent
                .post(&url)
                .header("content-type", "application/json")
                .send(b.to_string()),
            None if method == "DELETE" => self.agent.delete(&url).call(),
            None => self.agent.get(&url).call(),
        };
        let mut res = res.map_err(|e| format!("{method} {path}: {e}"))?;
        let status = res.status().as_u16();
        let text = res
            .body_mut()
            .read_to_string()
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let v: Value =
            serde_json::from_str(&text).map_err(|e| format!("{method} {path}: {e}: {text}"))?;
        if status == 200 {
            Ok(v["value"].clone())
        } else {
            Err(format!("{method} {path}: {status} {}", v["value"]))
        }
    }

    fn session_path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    pub fn open(&self, url: &str) {
        self.command(
            "POST",
            &self.session_path("/url"),
            Some(json!({ "url": url })),
        )
        .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// Runs `script` (a function body; `return` gives the value) in the page.
    pub fn run(&self, script: &str) -> Result<Value, String> {
        self.command(
            "POST",
            &self.session_path("/execute/sync"),
            Some(json!({ "script": script, "args": [] })),
        )
    }

    /// Evaluates `script` until it returns something other than null or false, then returns that. The page may be
    /// reloading meanwhile; errors then count as "not yet".
    pub fn wait_for(&self, what: &str, script: &str) -> Value {
        let start = Instant::now();
        let mut last;
        loop {
            match self.run(script) {
                Ok(v) if !v.is_null() && v != Value::Bool(false) => return v,
                Ok(v) => last = v.to_string(),
                Err(e) => last = e,
            }
            assert!(
                start.elapsed() < PATIENCE,
                "waited {PATIENCE:?} in the browser for {what}; last: {last}\n--- page\n{}",
                self.run("return document.documentElement.outerHTML")
                    .map(|v| v.as_str().unwrap_or_default().to_string())
                    .unwrap_or_default()
            );
            thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.command("DELETE", &self.session_path(""), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn which(name: &str) -> String {
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| panic!("{name} is not on PATH"))
}
