//! A private Postfix on a loopback port, relaying everything to a test server: set up and torn down by the tests
//! that need a real MTA (see NOTES-crates.md: "A private Postfix on a loopback port").
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A Postfix instance of its own on a loopback port, relaying everything to `relay_port`.
/// Stops it and undoes the one change to the default instance on drop.
pub struct Postfix {
    conf: PathBuf,
    pub port: u16,
    created_main_cf: bool,
    _dir: tempfile::TempDir,
}

impl Postfix {
    pub fn start(relay_port: u16) -> Postfix {
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

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}
