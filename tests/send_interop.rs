//! `lettermerge send` through real third-party software: a private Postfix on a loopback port relaying to the
//! in-process test server, and Python's `email` parser (`policy.default`) reading every message received. Skipped
//! (with a line saying so) when a tool is missing, unless LETTERMERGE_INTEROP=require.
//!
//! The Postfix set-up is the one of tests/smtp_interop.rs (copied: test files cannot share it otherwise).

mod common;
mod sendkit;
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sendkit::*;
use support::{Options, TestServer};

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

const OFFICIALS: [&str; 3] = [
    SOS,
    EPN,
    "mg,Senator,Ana,Gonçalves Peña,female,ana.goncalves@senado.example,email,migrantes y justicia,torture",
];

/// The letters sent through `postfix` arrive at `sink`, one each (plus the Bcc archive copies); returns them by
/// first envelope recipient.
fn send_through_postfix() -> Option<(common::Campaign, TestServer, Vec<support::Received>)> {
    if !common::interop_tool("postfix") {
        return None;
    }
    if !is_root() {
        assert_ne!(
            std::env::var("LETTERMERGE_INTEROP").as_deref(),
            Ok("require"),
            "the private Postfix needs root"
        );
        println!("skipped: the private Postfix needs root");
        return None;
    }
    let sink = TestServer::start(Options::default());
    let postfix = Postfix::start(sink.port);
    let smtp = format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\ntimeout = 10\n",
        postfix.port
    );
    let c = campaign("", &smtp, &OFFICIALS);
    let run = send(&c, &["--yes"]).success();
    assert!(run.stdout().contains("Sent 3 letters; failed 0."), "{run}");
    // Postfix queues, then relays: wait for every envelope recipient (3 officials, 3 archive copies).
    let deadline = Instant::now() + Duration::from_secs(8);
    let count = |s: &TestServer| s.received().iter().map(|r| r.to.len()).sum::<usize>();
    while count(&sink) < 6 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(postfix);
    let got = sink.received();
    Some((c, sink, got))
}

#[test]
fn send_through_a_real_postfix_relay_arrives_intact_and_python_reads_it() {
    let Some((c, sink, got)) = send_through_postfix() else {
        return;
    };
    let per = per_recipient(&sink);
    assert_eq!(per.get(ARCHIVE), Some(&3), "{per:?}");
    for to in [
        "secretary@state.example",
        "epn@presidencia.example",
        "ana.goncalves@senado.example",
    ] {
        assert_eq!(per.get(to), Some(&1), "{to}: {per:?}");
    }
    let emls = rendered_emls(&c);
    // Postfix may carry one message to several recipients in one transaction, or one each: compare by Message-ID.
    let mut seen = std::collections::BTreeSet::new();
    for r in &got {
        let m = parse(&r.data);
        let id = m.message_id().expect("a Message-ID").to_string();
        seen.insert(id.clone());
        let (_, want) = emls
            .iter()
            .find(|(_, e)| parse(e).message_id() == Some(id.as_str()))
            .unwrap_or_else(|| panic!("{id} is none of the rendered letters"));
        assert!(
            r.data.starts_with(b"Received: from "),
            "{}",
            String::from_utf8_lossy(&r.data)
        );
        assert_same_message(&r.data, want, &["Received"]);
    }
    assert_eq!(seen.len(), 3, "three distinct letters arrived");

    if !common::interop_tool("python3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, r) in got.iter().enumerate() {
        let p = dir.path().join(format!("m{i}.eml"));
        std::fs::write(&p, &r.data).unwrap();
        paths.push(p);
    }
    let script = "import email, email.policy, sys\n\
        for path in sys.argv[1:]:\n\
        \x20   m = email.message_from_bytes(open(path, 'rb').read(), policy=email.policy.default)\n\
        \x20   assert not m.defects, (path, m.defects)\n\
        \x20   assert m['Bcc'] is None\n\
        \x20   body = m.get_body(('plain',)).get_content()\n\
        \x20   html = m.get_body(('html',)).get_content()\n\
        \x20   assert 'Sincerely' in body and '<' in html\n\
        \x20   print(m['From'], '|', m['To'], '|', m['Subject'])\n";
    let out = run(Command::new("python3").arg("-c").arg(script).args(&paths));
    let lines: std::collections::BTreeSet<&str> = out.lines().collect();
    let from = "Marselha Gonçalves Margerin <marselha@coalition.example>";
    let want: std::collections::BTreeSet<String> = [
        (
            "The Honorable Mike Pompeo <secretary@state.example>",
            "the rule of law",
        ),
        (
            "The Honorable Enrique Peña Nieto <epn@presidencia.example>",
            "impunity",
        ),
        (
            "The Honorable Ana Gonçalves Peña <ana.goncalves@senado.example>",
            "migrantes y justicia",
        ),
    ]
    .iter()
    .map(|(to, topic)| format!("{from} | {to} | Human rights in Mexico: {topic}"))
    .collect();
    let got_lines: std::collections::BTreeSet<String> =
        lines.iter().map(|s| s.to_string()).collect();
    assert_eq!(got_lines, want, "{out}");
}
