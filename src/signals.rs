//! Ctrl-C and SIGTERM, for the commands that stop cleanly: `serve` shuts its server down, `send` lets the letters
//! being handed over finish and starts no other.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The first Ctrl-C (or SIGTERM).
pub async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// From now on, the first Ctrl-C or SIGTERM sets `stop` and prints `said`; a second one ends the process at once
/// (exit 130), as a Ctrl-C did before.
pub fn watch(stop: Arc<AtomicBool>, said: &'static str) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
    else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("lettermerge-signals".into())
        .spawn(move || {
            rt.block_on(async {
                stop_signal().await;
                stop.store(true, Ordering::SeqCst);
                eprintln!("{said}");
                stop_signal().await;
                std::process::exit(130);
            })
        });
}
