//! Opening one SMTP session: our own TCP socket (with TCP_NODELAY), TLS, EHLO, STARTTLS, AUTH.
//!
//! lettre 0.11.23 opens sockets without TCP_NODELAY, so every command waits for the peer's delayed
//! ACK (about 40 ms on Linux). `AsyncSmtpConnection::connect_with_transport` accepts a stream we
//! open ourselves, which is the one place to set it. For implicit TLS the handshake must happen
//! before lettre reads the greeting, so that stream is wrapped in TLS here, with the same roots
//! (webpki + `ca_file`) that lettre's own STARTTLS upgrade is given.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, AsyncTokioStream, Certificate, CertificateStore, TlsParameters,
};
use lettre::transport::smtp::commands::Ehlo;
use lettre::transport::smtp::extension::ClientId;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use super::config::{Secret, Security, SmtpConfig};
use super::transaction::Session;
use super::SendError;

/// Everything needed to open a session, prepared once per `Mailer`.
pub(crate) struct Connector {
    host: String,
    port: u16,
    security: Security,
    timeout: Duration,
    hello: ClientId,
    starttls: Option<TlsParameters>,
    tls: Option<(tokio_rustls::TlsConnector, ServerName<'static>)>,
    credentials: Option<(Credentials, Secret)>,
}

impl Connector {
    pub(crate) fn new(
        cfg: &SmtpConfig,
        password: Option<Secret>,
        extra_roots: &[CertificateDer<'static>],
    ) -> Result<Connector, SendError> {
        let host = cfg.bare_host().to_string();
        let mut starttls = None;
        let mut tls = None;
        match cfg.security {
            Security::StartTls => {
                let mut builder = TlsParameters::builder(host.clone())
                    .certificate_store(CertificateStore::WebpkiRoots);
                for der in extra_roots {
                    let cert = Certificate::from_der(der.to_vec())
                        .map_err(|e| SendError::Config(format!("[smtp] ca_file: {e}")))?;
                    builder = builder.add_root_certificate(cert);
                }
                let params = builder
                    .build_rustls()
                    .map_err(|e| SendError::Config(format!("TLS setup failed: {e}")))?;
                starttls = Some(params);
            }
            Security::Tls => {
                let mut roots = rustls::RootCertStore::empty();
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
                for der in extra_roots {
                    roots
                        .add(der.clone())
                        .map_err(|e| SendError::Config(format!("[smtp] ca_file: {e}")))?;
                }
                let provider = Arc::new(rustls::crypto::ring::default_provider());
                let config = rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .map_err(|e| SendError::Config(format!("TLS setup failed: {e}")))?
                    .with_root_certificates(roots)
                    .with_no_client_auth();
                let name = ServerName::try_from(host.clone()).map_err(|_| {
                    SendError::Config(format!(
                        "[smtp] host {host:?} is not a valid TLS server name"
                    ))
                })?;
                tls = Some((tokio_rustls::TlsConnector::from(Arc::new(config)), name));
            }
            Security::None => {}
        }
        let credentials = match (&cfg.username, password) {
            (Some(user), Some(pw)) => {
                Some((Credentials::new(user.clone(), pw.expose().to_string()), pw))
            }
            (Some(_), None) => {
                return Err(SendError::Auth(
                    "[smtp] username is set but no password was given".into(),
                ))
            }
            (None, _) => None,
        };
        Ok(Connector {
            host,
            port: cfg.port(),
            security: cfg.security,
            timeout: cfg.timeout(),
            hello: ClientId::default(),
            starttls,
            tls,
            credentials,
        })
    }

    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Removes the password from any text that might be shown: a server could echo anything.
    pub(crate) fn scrub(&self, text: String) -> String {
        match &self.credentials {
            Some((_, pw)) if !pw.expose().is_empty() && text.contains(pw.expose()) => {
                text.replace(pw.expose(), "***")
            }
            _ => text,
        }
    }

    fn server(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    fn timed_out(&self, what: &str) -> SendError {
        SendError::Connection(format!(
            "{}: no answer within {:.1} s while {what}",
            self.server(),
            self.timeout.as_secs_f64()
        ))
    }

    async fn within<T>(
        &self,
        what: &str,
        fut: impl std::future::Future<Output = T>,
    ) -> Result<T, SendError> {
        tokio::time::timeout(self.timeout, fut)
            .await
            .map_err(|_| self.timed_out(what))
    }

    /// Opens, secures and authenticates one session, ready for `MAIL FROM`.
    pub(crate) async fn open(&self) -> Result<Session, SendError> {
        let server = self.server();
        let tcp = self
            .within(
                "connecting",
                TcpStream::connect((self.host.as_str(), self.port)),
            )
            .await?
            .map_err(|e| SendError::Connection(format!("cannot connect to {server}: {e}")))?;
        if self.security == Security::None {
            // The host name was checked, but "localhost" could resolve anywhere.
            let peer = tcp
                .peer_addr()
                .map_err(|e| SendError::Connection(e.to_string()))?;
            if !peer.ip().is_loopback() {
                return Err(SendError::Config(format!(
                    "{} resolved to {peer}, which is not a loopback address; refusing to send \
                     without encryption",
                    self.host
                )));
            }
        }
        tcp.set_nodelay(true)
            .map_err(|e| SendError::Connection(format!("{server}: {e}")))?;

        let stream: Box<dyn AsyncTokioStream> = match &self.tls {
            Some((connector, name)) => {
                let tls = self
                    .within("negotiating TLS", connector.connect(name.clone(), tcp))
                    .await?
                    .map_err(|e| SendError::Connection(format!("TLS with {server} failed: {e}")))?;
                Box::new(Tls(tls))
            }
            None => Box::new(tcp),
        };
        let mut conn = self
            .within(
                "waiting for the greeting",
                AsyncSmtpConnection::connect_with_transport(stream, &self.hello),
            )
            .await?
            .map_err(|e| {
                // 421 at the greeting: the server is there but too busy; worth asking again.
                let text = self.scrub(format!("{server}: {e}"));
                if e.is_transient() {
                    SendError::Transient { reply: text }
                } else {
                    SendError::Connection(text)
                }
            })?;

        if let Some(params) = &self.starttls {
            if !conn.can_starttls() {
                return Err(SendError::Connection(format!(
                    "{server} does not offer STARTTLS; nothing was sent (security = \"starttls\" \
                     never falls back to clear text)"
                )));
            }
            self.within("starting TLS", conn.starttls(params.clone(), &self.hello))
                .await?
                .map_err(|e| {
                    SendError::Connection(format!("STARTTLS with {server} failed: {e}"))
                })?;
        }

        let pipelining = self.offers_pipelining(&mut conn).await?;

        if let Some((credentials, _)) = &self.credentials {
            let reply = self
                .within(
                    "authenticating",
                    conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials),
                )
                .await?;
            if let Err(e) = reply {
                let why = match e.status() {
                    Some(code) => format!("{code} {}", super::reply_text(&e)),
                    None if e.is_client() => {
                        "the server offers neither AUTH PLAIN nor AUTH LOGIN".to_string()
                    }
                    None => e.to_string(),
                };
                conn.abort().await;
                return Err(SendError::Auth(
                    self.scrub(format!("{server} refused the login: {why}")),
                ));
            }
        }
        Ok(Session { conn, pipelining })
    }

    /// Whether the server takes commands in groups (PIPELINING, RFC 2920). lettre keeps of its EHLO reply only
    /// what it uses itself, so the session asks again: EHLO may come again at any time and only resets the
    /// session (RFC 5321 §4.1.4), and here, before the login and any message, there is nothing to reset. A server
    /// that refuses a second EHLO (sendmail says "duplicate") is spoken to one command at a time.
    async fn offers_pipelining(&self, conn: &mut AsyncSmtpConnection) -> Result<bool, SendError> {
        let server = self.server();
        match self
            .within(
                "asking for the server's extensions",
                conn.command(Ehlo::new(self.hello.clone())),
            )
            .await?
        {
            Ok(reply) => Ok(reply.message().any(|line| {
                line.split_ascii_whitespace()
                    .next()
                    .is_some_and(|keyword| keyword.eq_ignore_ascii_case("PIPELINING"))
            })),
            // 421: the server is closing the session (too busy), as at the greeting; worth asking again.
            Err(e) if e.status().is_some_and(|code| code.to_string() == "421") => {
                Err(SendError::Transient {
                    reply: self.scrub(format!("{server}: {e}")),
                })
            }
            Err(e) if e.status().is_some() => Ok(false),
            Err(e) => Err(SendError::Connection(self.scrub(format!("{server}: {e}")))),
        }
    }
}

/// A TLS stream lettre can drive: its trait is foreign, so it needs a local type.
struct Tls(TlsStream<TcpStream>);

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tls")
    }
}

impl AsyncTokioStream for Tls {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for Tls {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Tls {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// Reads a PEM bundle of CA certificates.
pub(crate) fn read_ca_file(
    path: &std::path::Path,
) -> Result<Vec<CertificateDer<'static>>, SendError> {
    use rustls::pki_types::pem::PemObject;
    let bytes = std::fs::read(path)
        .map_err(|e| SendError::Config(format!("[smtp] ca_file {}: {e}", path.display())))?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            SendError::Config(format!(
                "[smtp] ca_file {}: not a PEM certificate file ({e})",
                path.display()
            ))
        })?;
    if certs.is_empty() {
        return Err(SendError::Config(format!(
            "[smtp] ca_file {}: no \"BEGIN CERTIFICATE\" block found",
            path.display()
        )));
    }
    Ok(certs)
}
