//! Interop with real third-party software: a private Postfix relaying to the test server, and
//! Python's `email` parser. Skipped (with a line saying so) when the tool is missing, unless
//! LETTERMERGE_INTEROP=require.

mod common;
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use lettermerge::deliver::smtp::{Envelope, Mailer, Security, SmtpConfig};
use support::{Options, TestServer};

fn letter(n: usize) -> Vec<u8> {
    format!(
        "From: =?utf-8?q?Coalition_f=C3=BCr_Fl=C3=BCsse?= <coalition@example.org>\r\n\
         To: Secretary of State <sos{n}@state.example>\r\n\
         Subject: =?utf-8?q?Stra=C3=9Fe_und_Br=C3=BCcke_{n}?=\r\n\
         Message-ID: <interop-{n}@lettermerge.test>\r\n\
         Date: Tue, 3 Nov 2026 10:00:00 +0000\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\
         \r\n\
         Sehr geehrte Frau Ministerin,\r\n\
         .a line with a leading dot\r\n\
         letter {n} ends here.\r\n"
    )
    .into_bytes()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A Postfix instance of its own on a loopback port, relaying everything to `relay_port`.
/// Stops it and undoes the one change to the default instance on drop.
struct Postfix {
    conf: PathBuf,
    port: u16,
    created_main_cf: bool,
    _dir: tempfile::TempDir,
}

impl Postfix {
    fn start(relay_port: u16) -> Postfix {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let conf = d.join("conf");
        std::fs::create_dir(&conf).unwrap();
        for file in ["master.cf", "dynamicmaps.cf"] {
            std::fs::copy(Path::new("/etc/postfix").join(file), conf.join(file)).unwrap();
        }
        // Compiled-in defaults plus ours: Debian's main.cf.proto has empty values that fail.
        std::fs::write(conf.join("main.cf"), "").unwrap();
        let port = free_port();
        let ds = d.display();
        run(Command::new("postconf")
            .arg("-c")
            .arg(&conf)
            .arg("-e")
            .arg(format!("queue_directory={ds}/queue"))
            .arg(format!("data_directory={ds}/data"))
            .arg("inet_interfaces=127.0.0.1")
            .arg("inet_protocols=ipv4")
            .arg(format!("relayhost=[127.0.0.1]:{relay_port}"))
            .arg("mydestination=")
            .arg("myhostname=relay.lettermerge.test")
            .arg("smtp_tls_security_level=none")
            .arg("alias_maps=")
            .arg("alias_database=")
            .arg("compatibility_level=3.6")
            .arg(format!("maillog_file={ds}/maillog"))
            .arg(format!("maillog_file_prefixes={ds}")));
        let master = std::fs::read_to_string(conf.join("master.cf")).unwrap();
        let master: String = master
            .lines()
            .map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                if line.starts_with('#')
                    || line.starts_with(char::is_whitespace)
                    || fields.len() < 8
                {
                    return format!("{line}\n");
                }
                let mut fields: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
                if fields[0] == "smtp" && fields[1] == "inet" {
                    fields[0] = port.to_string();
                }
                fields[4] = "n".into(); // no chroot: it would lack our temp paths
                format!("{}\n", fields.join(" "))
            })
            .collect();
        std::fs::write(conf.join("master.cf"), master).unwrap();

        let main_cf = Path::new("/etc/postfix/main.cf");
        let created_main_cf = !main_cf.exists();
        if created_main_cf {
            std::fs::write(main_cf, "").unwrap();
        }
        run(Command::new("postconf")
            .arg("-e")
            .arg(format!("alternate_config_directories={}", conf.display())));
        std::fs::create_dir_all(d.join("queue")).unwrap();
        std::fs::create_dir_all(d.join("data")).unwrap();
        run(Command::new("chown").arg("postfix").arg(d.join("data")));
        let postfix = Postfix {
            conf,
            port,
            created_main_cf,
            _dir: dir,
        };
        run(Command::new("postfix")
            .arg("-c")
            .arg(&postfix.conf)
            .args(["post-install", "create-missing"]));
        run(Command::new("postfix")
            .arg("-c")
            .arg(&postfix.conf)
            .arg("start"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "postfix did not start listening");
            std::thread::sleep(Duration::from_millis(50));
        }
        postfix
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        let _ = Command::new("postfix")
            .arg("-c")
            .arg(&self.conf)
            .arg("stop")
            .output();
        let _ = Command::new("postconf")
            .args(["-X", "alternate_config_directories"])
            .output();
        if self.created_main_cf {
            let _ = std::fs::remove_file("/etc/postfix/main.cf");
        }
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

#[test]
fn through_a_real_postfix_relay() {
    if !common::interop_tool("postfix") {
        return;
    }
    if !is_root() {
        assert_ne!(
            std::env::var("LETTERMERGE_INTEROP").as_deref(),
            Ok("require"),
            "the private Postfix needs root"
        );
        println!("skipped: the private Postfix needs root");
        return;
    }
    let sink = TestServer::start(Options::default());
    let postfix = Postfix::start(sink.port);
    let mut cfg = SmtpConfig::new("127.0.0.1", Security::None);
    cfg.port = Some(postfix.port);
    cfg.timeout = Some(5.0);
    let mailer = Mailer::connect(&cfg, None, Path::new(".")).unwrap();
    let sent: Vec<Vec<u8>> = (0..5).map(letter).collect();
    for (n, msg) in sent.iter().enumerate() {
        let env = Envelope {
            from: "coalition@example.org".into(),
            to: vec![format!("sos{n}@state.example")],
        };
        let outcome = mailer.send(&env, msg).unwrap();
        assert!(
            outcome.reply.starts_with("250 2.0.0 Ok: queued as"),
            "{outcome:?}"
        );
    }
    let deadline = Instant::now() + Duration::from_secs(8);
    while sink.received().len() < sent.len() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut got = sink.received();
    assert_eq!(
        got.len(),
        sent.len(),
        "Postfix relayed {} of {}",
        got.len(),
        sent.len()
    );
    got.sort_by_key(|r| r.to[0].clone());
    for (n, r) in got.iter().enumerate() {
        assert_eq!(r.to, [format!("sos{n}@state.example")]);
        // Postfix prepends its Received: trace header and must leave the rest untouched.
        let start = r
            .data
            .windows(7)
            .position(|w| w == b"\r\nFrom:")
            .map(|i| i + 2)
            .expect("our From header");
        assert!(
            r.data.starts_with(b"Received: from "),
            "{}",
            String::from_utf8_lossy(&r.data)
        );
        assert_eq!(
            &r.data[start..],
            sent[n].as_slice(),
            "message {n} changed in transit"
        );
    }
}

#[test]
fn python_email_parser_reads_what_was_received() {
    if !common::interop_tool("python3") {
        return;
    }
    let server = TestServer::start(Options::default());
    let mut cfg = server.config(Security::None);
    cfg.host = "127.0.0.1".into();
    let mailer = Mailer::connect(&cfg, None, Path::new(".")).unwrap();
    let env = Envelope {
        from: "coalition@example.org".into(),
        to: vec!["sos3@state.example".into()],
    };
    mailer.send(&env, &letter(3)).unwrap();
    let received = &server.received()[0].data;
    let dir = tempfile::tempdir().unwrap();
    let eml = dir.path().join("m.eml");
    std::fs::write(&eml, received).unwrap();
    let script = "import email, email.policy, sys\n\
        m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)\n\
        print(m['From']); print(m['Subject']); print(m['Message-ID']); print(len(m.defects))\n\
        print(m.get_content().splitlines()[1])";
    let out = run(Command::new("python3").arg("-c").arg(script).arg(&eml));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "Coalition für Flüsse <coalition@example.org>",
            "Straße und Brücke 3",
            "<interop-3@lettermerge.test>",
            "0",
            ".a line with a leading dot",
        ]
    );
}
