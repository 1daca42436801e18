//! Sends N copies of a ~3 KB letter as fast as the pool allows, for benches/send.sh.
//!
//! cargo run --release --example blast -- --port 2525 --count 10000 --connections 4
//! `--lettre` sends over one session opened by lettre itself (no TCP_NODELAY), for comparison.

use std::path::Path;
use std::time::Instant;

use lettermerge::deliver::smtp::{Envelope, Mailer, Security, SmtpConfig};

fn letter(n: usize, size: usize) -> Vec<u8> {
    let mut m = format!(
        "From: Coalition <coalition@example.org>\r\nTo: <official{n}@example.org>\r\n\
         Subject: Letter {n}\r\nMessage-ID: <blast-{n}@lettermerge.test>\r\n\
         Date: Tue, 3 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n"
    );
    let line = "We write to ask for a meeting about the protection of the river basin.\r\n";
    while m.len() + line.len() <= size {
        m.push_str(line);
    }
    m.into_bytes()
}

fn main() {
    let mut port = 2525u16;
    let mut count = 10_000usize;
    let mut connections = 1usize;
    let mut size = 3000usize;
    let mut raw_lettre = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().and_then(|v| v.parse().ok()).expect("a number");
        match a.as_str() {
            "--port" => port = value() as u16,
            "--count" => count = value(),
            "--connections" => connections = value(),
            "--size" => size = value(),
            "--lettre" => raw_lettre = true,
            other => panic!("unknown argument {other}"),
        }
    }
    let messages: Vec<Vec<u8>> = (0..count).map(|n| letter(n, size)).collect();
    let envelopes: Vec<Envelope> = (0..count)
        .map(|n| Envelope {
            from: "coalition@example.org".into(),
            to: vec![format!("official{n}@example.org")],
        })
        .collect();

    let start = Instant::now();
    if raw_lettre {
        lettre_only(port, &envelopes, &messages);
    } else {
        let mut cfg = SmtpConfig::new("127.0.0.1", Security::None);
        cfg.port = Some(port);
        cfg.connections = Some(connections);
        let mailer = Mailer::connect(&cfg, None, Path::new(".")).expect("connect");
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..connections {
                s.spawn(|| loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if n >= count {
                        break;
                    }
                    mailer.send(&envelopes[n], &messages[n]).expect("send");
                });
            }
        });
    }
    let secs = start.elapsed().as_secs_f64();
    let mode = if raw_lettre {
        "lettre-connection"
    } else {
        "mailer"
    };
    println!(
        "{mode} connections={connections} count={count} size={} seconds={secs:.2} rate={:.0}/s",
        messages[0].len(),
        count as f64 / secs
    );
}

/// lettre's own socket: what lettermerge would do without opening the stream itself.
fn lettre_only(port: u16, envelopes: &[Envelope], messages: &[Vec<u8>]) {
    use lettre::transport::smtp::client::AsyncSmtpConnection;
    use lettre::transport::smtp::extension::ClientId;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut conn = AsyncSmtpConnection::connect_tokio1(
            ("127.0.0.1", port),
            None,
            &ClientId::default(),
            None,
            None,
        )
        .await
        .expect("connect");
        for (e, m) in envelopes.iter().zip(messages) {
            let to = e.to.iter().map(|t| t.parse().unwrap()).collect();
            let env = lettre::address::Envelope::new(Some(e.from.parse().unwrap()), to).unwrap();
            conn.send(&env, m).await.expect("send");
        }
    });
}
