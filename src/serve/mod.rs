//! `lettermerge serve`: the proof page live on a local web server, rebuilt when a campaign file changes and reloaded
//! in the browser by server-sent events, in the style of `mdbook serve`. Builds live in memory: serving writes no
//! file and sends nothing.

mod build;
mod http;
mod page;
mod watch;

use std::io::Write as _;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anstyle::{AnsiColor, Style};

use crate::cmd::Verbosity;
use crate::error::{count, Error, Result};
use crate::plan::PlanOptions;
use build::Build;

pub(crate) struct Options {
    pub dir: PathBuf,
    /// The variants and date of the letters shown.
    pub plan: PlanOptions,
    pub addr: SocketAddr,
    pub open: bool,
}

/// Serves until Ctrl-C.
pub(crate) fn run(opts: Options, v: Verbosity) -> Result<()> {
    let root = opts
        .dir
        .canonicalize()
        .map_err(|e| Error::Usage(format!("cannot open {}: {e}", opts.dir.display())))?;
    let listener = bind(opts.addr)?;
    let local = listener.local_addr().map_err(|source| Error::Listen {
        addr: opts.addr,
        source,
    })?;
    let mut watch = watch::Watch::new(&root).map_err(|source| Error::Watch {
        dir: root.clone(),
        source,
    })?;
    let mut ids = Ids::new();
    let first = build::build(&root, &opts.plan, ids.next());
    watch.follow(first.out_dir.as_deref());
    report(None, &first, v);
    let (builds, receiver) = tokio::sync::watch::channel(Arc::new(first));

    let plan = opts.plan.clone();
    std::thread::Builder::new()
        .name("rebuild".into())
        .spawn(move || loop {
            let changed = match watch.next() {
                Ok(c) => c,
                Err(e) => {
                    warn(&format!(
                        "watching the campaign for changes failed ({e}): the page no longer updates"
                    ));
                    return;
                }
            };
            let b = build::build(&root, &plan, ids.next());
            watch.follow(b.out_dir.as_deref());
            report(Some((&root, &changed)), &b, v);
            builds.send_replace(Arc::new(b));
        })
        .map_err(|source| Error::ServeStart {
            what: "rebuild thread",
            source,
        })?;

    if !local.ip().is_loopback() {
        warn(&format!(
            "listening on {local}: anyone who can reach this machine can read the letters, the recipients and the signatories; leave out --bind to keep them to this machine"
        ));
    }
    let url = url(local);
    // The one line on stdout: scripts (and the tests) read the address from it, `--port 0` included.
    println!("Serving the proof at {url}");
    if !v.quiet {
        eprintln!(
            "Watching {} for changes; press Ctrl-C to stop.",
            opts.dir.display()
        );
    }
    if opts.open {
        if let Err(e) = opener::open_browser(&url) {
            warn(&format!("cannot open a browser ({e}); open {url} yourself"));
        }
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::ServeStart {
            what: "web server",
            source,
        })?;
    runtime
        .block_on(http::serve(listener, receiver))
        .map_err(Error::ServeStopped)?;
    if !v.quiet {
        eprintln!("Stopped.");
    }
    Ok(())
}

/// The port comes from the command line, so a port that cannot be had is a usage error (exit 2), with the fix.
fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr).map_err(|e| {
        use std::io::ErrorKind::*;
        Error::Usage(match e.kind() {
            AddrInUse => format!(
                "cannot listen on {addr}: the port is in use (another `lettermerge serve`?); choose another with --port {}, or --port 0 for any free port",
                addr.port().checked_add(1).unwrap_or(3000)
            ),
            PermissionDenied => format!(
                "cannot listen on {addr}: permission denied (ports below 1024 are for the system); use --port 3000, or --port 0 for any free port"
            ),
            AddrNotAvailable => format!(
                "cannot listen on {addr}: no network interface of this machine has that address; leave out --bind to use 127.0.0.1"
            ),
            _ => format!("cannot listen on {addr}: {e}"),
        })
    })
}

/// The address to open: an unspecified bind (0.0.0.0) answers on loopback too.
fn url(local: SocketAddr) -> String {
    let mut shown = local;
    if local.ip().is_unspecified() {
        shown.set_ip(if local.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    format!("http://{shown}/")
}

/// Build ids: the run's own prefix, so a page left open from an earlier run reloads too, and a counter.
struct Ids {
    run: String,
    n: u64,
}

impl Ids {
    fn new() -> Ids {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Ids {
            run: format!("{:x}{:x}", nanos & 0xffff_ffff, std::process::id()),
            n: 0,
        }
    }

    fn next(&mut self) -> String {
        self.n += 1;
        format!("{}-{}", self.run, self.n)
    }
}

/// One line on stderr per build; a build that fails also lists its errors, as `check` would.
fn report(changed: Option<(&Path, &[PathBuf])>, b: &Build, v: Verbosity) {
    if v.quiet && b.ok {
        return;
    }
    let (built, cannot) = match changed {
        None => ("Built".to_string(), "The".to_string()),
        Some((root, paths)) => {
            let files = list(root, paths);
            (
                format!("{files} changed: rebuilt"),
                format!("{files} changed: the"),
            )
        }
    };
    if b.ok {
        eprintln!(
            "{built} the proof in {:.2} s: {}, {}.",
            b.took.as_secs_f64(),
            count(b.errors, "error"),
            count(b.warnings, "warning")
        );
    } else {
        crate::cmd::print_problems(&b.problems, Verbosity { quiet: true, ..v });
        eprintln!(
            "{cannot} proof cannot be built ({}); the page shows why until a save fixes it.",
            count(b.errors, "error")
        );
    }
}

/// The files a save changed, relative to the campaign folder, without the temporary files it renamed away.
fn list(root: &Path, paths: &[PathBuf]) -> String {
    let kept: Vec<&PathBuf> = paths.iter().filter(|p| p.exists()).collect();
    let paths: Vec<&PathBuf> = if kept.is_empty() {
        paths.iter().collect()
    } else {
        kept
    };
    let shown: Vec<String> = paths
        .iter()
        .take(3)
        .map(|p| match p.strip_prefix(root) {
            Ok(rel) if rel.as_os_str().is_empty() => "the campaign folder".to_string(),
            Ok(rel) => rel.display().to_string(),
            Err(_) => p.display().to_string(),
        })
        .collect();
    match paths.len() {
        0..=3 => shown.join(", "),
        n => format!("{} and {} more", shown.join(", "), n - 3),
    }
}

fn warn(message: &str) {
    let mut err = anstream::stderr();
    let style = Style::new().bold().fg_color(Some(AnsiColor::Yellow.into()));
    let _ = writeln!(err, "{style}warning{style:#}: {message}");
}
