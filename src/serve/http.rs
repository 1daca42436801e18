//! The web server: the page, its reload script, the event stream that tells the page to reload, and the PDFs.
//!
//! axum on the tokio the SMTP client already uses: its server-sent events keep idle streams alive, and its graceful
//! shutdown lets Ctrl-C end open streams and stop cleanly. A page served to loopback answers only requests addressed
//! to loopback, so a web page elsewhere cannot read the letters through DNS rebinding.

use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HOST, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::watch;

use super::build::Build;
use super::page;

/// The page may run only our script, load nothing from elsewhere, and be framed only by itself.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; \
    frame-src 'self'; object-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
    frame-ancestors 'self'";

/// How long Ctrl-C waits for requests in flight before the server stops anyway.
const GRACE: Duration = Duration::from_secs(5);

struct Shared {
    builds: watch::Receiver<Arc<Build>>,
    stop: watch::Receiver<bool>,
    /// Bound to a loopback address: answer only requests addressed to one.
    loopback_only: bool,
}

/// Serves until Ctrl-C (or SIGTERM).
pub(crate) async fn serve(
    listener: std::net::TcpListener,
    builds: watch::Receiver<Arc<Build>>,
) -> std::io::Result<()> {
    let loopback_only = listener.local_addr()?.ip().is_loopback();
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let (stop_tx, stop) = watch::channel(false);
    let shared = Arc::new(Shared {
        builds,
        stop: stop.clone(),
        loopback_only,
    });
    let server = axum::serve(listener, router(shared)).with_graceful_shutdown(stopped(stop));
    let mut server = tokio::spawn(async move { server.await });
    tokio::select! {
        done = &mut server => return done.unwrap_or_else(|e| Err(std::io::Error::other(e))),
        () = crate::signals::stop_signal() => {}
    }
    // The event streams end on this; the server then stops once the last response is out.
    let _ = stop_tx.send(true);
    match tokio::time::timeout(GRACE, server).await {
        Ok(done) => done.unwrap_or_else(|e| Err(std::io::Error::other(e))),
        Err(_) => Ok(()),
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(proof))
        .route("/live.js", get(script))
        .route("/events", get(events))
        .route("/pdf/{file}", get(pdf))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), guard))
        .with_state(shared)
}

async fn proof(State(s): State<Arc<Shared>>) -> Response {
    let build = s.builds.borrow().clone();
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CONTENT_SECURITY_POLICY, CSP),
        ],
        build.page.clone(),
    )
        .into_response()
}

async fn script() -> Response {
    (
        [(CONTENT_TYPE, "text/javascript; charset=utf-8")],
        page::SCRIPT,
    )
        .into_response()
}

async fn pdf(State(s): State<Arc<Shared>>, Path(file): Path<String>) -> Response {
    let build = s.builds.borrow().clone();
    let name = file.strip_suffix(".pdf").unwrap_or(&file);
    match build.pdfs.get(name) {
        Some(bytes) => ([(CONTENT_TYPE, "application/pdf")], bytes.clone()).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            format!(
                "There is no PDF of a variant `{name}` in the current build: the proof is at /.\n"
            ),
        )
            .into_response(),
    }
}

/// `current` with the build's id at once, then `reload` with the new id after every build; ends when the server
/// stops.
async fn events(
    State(s): State<Arc<Shared>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let mut builds = s.builds.clone();
    let current = builds.borrow_and_update().id.clone();
    let first = stream::once(async move { Ok(Event::default().event("current").data(current)) });
    let rebuilt = stream::unfold(builds, |mut builds| async move {
        builds.changed().await.ok()?;
        let id = builds.borrow_and_update().id.clone();
        Some((Ok(Event::default().event("reload").data(id)), builds))
    });
    let stream = first.chain(rebuilt).take_until(stopped(s.stop.clone()));
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(10)))
}

async fn not_found(uri: Uri) -> Response {
    (
        StatusCode::NOT_FOUND,
        format!("There is no page {} here: the proof is at /.\n", uri.path()),
    )
        .into_response()
}

/// Refuses requests addressed to another host (DNS rebinding) and marks every answer as private and uncached.
async fn guard(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    if s.loopback_only && !addressed_to_loopback(req.headers()) {
        return (
            StatusCode::FORBIDDEN,
            "lettermerge serve answers only requests addressed to this machine (127.0.0.1 or localhost).\n",
        )
            .into_response();
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    res
}

/// `Host: localhost:3000`, `127.0.0.1:3000`, `[::1]:3000`. A request without a Host header comes from no browser.
fn addressed_to_loopback(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(HOST).and_then(|h| h.to_str().ok()) else {
        return !headers.contains_key(HOST);
    };
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let name = name.to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(h: &str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_str(h).unwrap());
        addressed_to_loopback(&headers)
    }

    #[test]
    fn only_loopback_hosts_are_answered() {
        for h in [
            "127.0.0.1:3000",
            "localhost:3000",
            "LOCALHOST",
            "[::1]:3000",
            "127.0.0.2",
            "proof.localhost:80",
        ] {
            assert!(host(h), "{h}");
        }
        for h in [
            "evil.example:3000",
            "192.168.1.5:3000",
            "localhost.evil.example",
            "[::2]:3000",
        ] {
            assert!(!host(h), "{h}");
        }
    }
}
