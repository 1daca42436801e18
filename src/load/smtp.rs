//! The manifest's `[smtp]` table, parsed when the manifest is (so `check` sees what `send` would refuse).
//!
//! Types and ranges are checked while parsing, with the line of the bad value; the rules that need more than one
//! key or the campaign folder ("none" only to loopback, a password written in the file, a missing `ca_file`) are
//! [`SmtpConfig::problems`], which `check` and `send` both run. The password itself is never here: see
//! `deliver::smtp::password`.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::Mailbox;
use serde::{Deserialize, Deserializer};

/// How the connection is protected. Nothing here ever falls back to a weaker mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS; a server that does not offer it gets nothing.
    #[default]
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
    /// No encryption: only accepted for a server on this machine (loopback).
    None,
}

impl Security {
    pub fn default_port(self) -> u16 {
        match self {
            Security::StartTls => 587,
            Security::Tls => 465,
            Security::None => 25,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Security::StartTls => "starttls",
            Security::Tls => "tls",
            Security::None => "none",
        }
    }
}

/// The manifest's `[smtp]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default, deserialize_with = "port")]
    pub port: Option<u16>,
    #[serde(default)]
    pub security: Security,
    /// A PEM file of extra trusted CA certificates (a private CA), added to the public roots; relative to the
    /// campaign folder.
    pub ca_file: Option<PathBuf>,
    pub username: Option<String>,
    /// The sender when a template has no `from`.
    #[serde(default, deserialize_with = "mailbox")]
    pub from: Option<Mailbox>,
    /// Messages per second over all connections together.
    pub rate: Option<f64>,
    pub connections: Option<usize>,
    /// Seconds allowed for connecting and for each SMTP command.
    pub timeout: Option<f64>,
    /// Run with `sh -c`; its standard output is the password.
    pub password_command: Option<String>,
    /// Never read: a `password` key is accepted by the parser only so that `check` and `send` can refuse it at its
    /// line with the reason, instead of "unknown field".
    #[serde(default, rename = "password")]
    password_written: Option<serde::de::IgnoredAny>,
}

pub const DEFAULT_CONNECTIONS: usize = 4;
pub const DEFAULT_TIMEOUT_SECS: f64 = 30.0;
/// More sessions than this is abuse of someone else's server, and no faster.
pub const MAX_CONNECTIONS: usize = 32;

/// One rule of `[smtp]` broken: the key to point at, what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub key: &'static str,
    pub message: String,
    pub help: Option<&'static str>,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Invalid {}

fn invalid(key: &'static str, message: impl Into<String>) -> Invalid {
    Invalid {
        key,
        message: message.into(),
        help: None,
    }
}

impl SmtpConfig {
    /// A config with the defaults, for `host`.
    pub fn new(host: impl Into<String>, security: Security) -> SmtpConfig {
        SmtpConfig {
            host: host.into(),
            port: None,
            security,
            ca_file: None,
            username: None,
            from: None,
            rate: None,
            connections: None,
            timeout: None,
            password_command: None,
            password_written: None,
        }
    }

    pub fn port(&self) -> u16 {
        self.port.unwrap_or(self.security.default_port())
    }

    pub fn connections(&self) -> usize {
        self.connections.unwrap_or(DEFAULT_CONNECTIONS)
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout.unwrap_or(DEFAULT_TIMEOUT_SECS))
    }

    /// The host without the brackets of an IPv6 literal (`[::1]`).
    pub fn bare_host(&self) -> &str {
        let h = self.host.trim();
        h.strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(h)
    }

    /// The first broken rule that needs no files, for a caller that connects (`Mailer::connect`).
    pub fn validate(&self) -> Result<(), Invalid> {
        match self.rules().into_iter().next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Every broken rule, `ca_file` included (relative to `campaign_dir`): what `check` reports and `send` refuses.
    pub fn problems(&self, campaign_dir: &Path) -> Vec<Invalid> {
        let mut out = self.rules();
        if let Some(ca) = &self.ca_file {
            if let Err(e) = read_ca(&campaign_dir.join(ca)) {
                out.push(Invalid {
                    key: "ca_file",
                    message: format!("[smtp] ca_file `{}`: {e}", ca.display()),
                    help: Some("give the path of a PEM file of CA certificates, relative to the campaign folder"),
                });
            }
        }
        out
    }

    fn rules(&self) -> Vec<Invalid> {
        let mut out = Vec::new();
        if self.password_written.is_some() {
            out.push(Invalid {
                key: "password",
                message: "[smtp] password: passwords never go in files (lettermerge.toml is shared, and often in git)"
                    .into(),
                help: Some(
                    "delete the line and set the environment variable LETTERMERGE_SMTP_PASSWORD, or \
                     password_command = \"…\" (a command that prints it), or let `send` ask for it",
                ),
            });
        }
        let host = self.bare_host();
        if host.is_empty() {
            out.push(invalid("host", "[smtp] host is empty"));
        } else if host.chars().any(|c| c.is_whitespace() || c.is_control()) {
            out.push(invalid(
                "host",
                format!(
                    "[smtp] host {:?} contains spaces or control characters",
                    self.host
                ),
            ));
        } else if self.security == Security::None && !is_loopback_host(host) {
            out.push(Invalid {
                key: "security",
                message: format!(
                    "[smtp] security = \"none\" would send letters and the password in clear text to {}; \
                     it is only allowed for a server on this machine (localhost, 127.0.0.0/8, ::1)",
                    self.host
                ),
                help: Some("use security = \"starttls\" (port 587) or \"tls\" (port 465)"),
            });
        }
        if self.port == Some(0) {
            out.push(invalid("port", "[smtp] port must be between 1 and 65535"));
        }
        if let Some(rate) = self.rate {
            if !(rate.is_finite() && rate > 0.0) {
                out.push(invalid(
                    "rate",
                    format!(
                        "[smtp] rate must be a positive number of messages per second, not {rate}"
                    ),
                ));
            }
        }
        match self.connections {
            Some(0) => out.push(invalid(
                "connections",
                "[smtp] connections must be at least 1",
            )),
            Some(n) if n > MAX_CONNECTIONS => out.push(invalid(
                "connections",
                format!("[smtp] connections = {n} is more than the {MAX_CONNECTIONS} allowed"),
            )),
            _ => {}
        }
        if let Some(t) = self.timeout {
            if !(t.is_finite() && t > 0.0 && t <= 3600.0) {
                out.push(invalid(
                    "timeout",
                    format!("[smtp] timeout must be more than 0 and at most 3600 seconds, not {t}"),
                ));
            }
        }
        if let Some(user) = &self.username {
            if user.is_empty() || user.chars().any(char::is_control) {
                out.push(invalid(
                    "username",
                    "[smtp] username is empty or contains control characters",
                ));
            }
        }
        out
    }
}

/// Why `ca_file` cannot serve as the CA certificates.
#[derive(Debug, thiserror::Error)]
enum CaError {
    #[error("{0}")]
    Read(std::io::Error),
    #[error("not a PEM certificate file ({0})")]
    NotPem(rustls::pki_types::pem::Error),
    #[error("no \"BEGIN CERTIFICATE\" block found")]
    NoCertificate,
}

/// The file read and at least one PEM certificate in it; the same test the connection makes.
fn read_ca(path: &Path) -> Result<(), CaError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let bytes = std::fs::read(path).map_err(CaError::Read)?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(CaError::NotPem)?;
    if certs.is_empty() {
        return Err(CaError::NoCertificate);
    }
    Ok(())
}

/// `localhost`, 127.0.0.0/8 or ::1. Names other than `localhost` are not resolved: DNS could
/// answer anything, and the address actually reached is checked again after connecting.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A port in range, said in words rather than "expected u16".
fn port<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    let n = i64::deserialize(d)?;
    match u16::try_from(n) {
        Ok(p) if p > 0 => Ok(Some(p)),
        _ => Err(serde::de::Error::custom(format!(
            "port must be between 1 and 65535, not {n} (587 for starttls, 465 for tls)"
        ))),
    }
}

fn mailbox<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Mailbox>, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map(Some).map_err(|e| {
        serde::de::Error::custom(format!(
            "`{s}` is not an email address ({e}); write it as \"Name <name@example.org>\" or \"name@example.org\""
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserializes_the_manifest_table() {
        let cfg: SmtpConfig = toml::from_str(
            "host = \"smtp.example.org\"\nsecurity = \"tls\"\nusername = \"u\"\nrate = 2.5\nconnections = 2\nfrom = \"Ana <a@x.example>\"\n",
        )
        .unwrap();
        assert_eq!(cfg.security, Security::Tls);
        assert_eq!(cfg.port(), 465);
        assert_eq!(cfg.connections(), 2);
        assert_eq!(cfg.timeout(), Duration::from_secs(30));
        assert_eq!(cfg.from.unwrap().email.to_string(), "a@x.example");
        let default: SmtpConfig = toml::from_str("host = \"h\"").unwrap();
        assert_eq!(default.security, Security::StartTls);
        assert_eq!(default.port(), 587);
        assert!(toml::from_str::<SmtpConfig>("host = \"h\"\nsecurity = \"ssl\"").is_err());
        let e = toml::from_str::<SmtpConfig>("host = \"h\"\nport = 70000").unwrap_err();
        assert!(e.message().contains("between 1 and 65535"), "{e}");
        assert!(toml::from_str::<SmtpConfig>("host = \"h\"\nport = 0").is_err());
        assert!(toml::from_str::<SmtpConfig>("host = \"h\"\nfrom = \"not an address\"").is_err());
    }

    #[test]
    fn a_password_in_the_file_is_refused_with_the_way_to_give_it() {
        let cfg: SmtpConfig = toml::from_str("host = \"h\"\npassword = \"hunter2\"").unwrap();
        let e = cfg.validate().unwrap_err();
        assert_eq!(e.key, "password");
        assert!(e.help.unwrap().contains("LETTERMERGE_SMTP_PASSWORD"));
        assert!(!format!("{cfg:?}").contains("hunter2"), "{cfg:?}");
    }

    #[test]
    fn none_only_to_loopback() {
        for host in [
            "localhost",
            "LOCALHOST.",
            "127.0.0.1",
            "127.3.4.5",
            "::1",
            "[::1]",
        ] {
            assert!(
                SmtpConfig::new(host, Security::None).validate().is_ok(),
                "{host}"
            );
        }
        for host in [
            "smtp.example.org",
            "10.0.0.1",
            "localhost.example.org",
            "128.0.0.1",
            "::2",
        ] {
            let err = SmtpConfig::new(host, Security::None)
                .validate()
                .unwrap_err();
            assert_eq!(err.key, "security");
            assert!(
                err.message
                    .contains("only allowed for a server on this machine"),
                "{err}"
            );
        }
        assert!(SmtpConfig::new("smtp.example.org", Security::StartTls)
            .validate()
            .is_ok());
    }

    #[test]
    fn rejects_nonsense_numbers_each_at_its_key() {
        let mut cfg = SmtpConfig::new("h", Security::Tls);
        cfg.rate = Some(-1.0);
        cfg.timeout = Some(0.0);
        cfg.connections = Some(0);
        let keys: Vec<_> = cfg.problems(Path::new(".")).iter().map(|p| p.key).collect();
        assert_eq!(keys, ["rate", "connections", "timeout"]);
        cfg = SmtpConfig::new("h", Security::Tls);
        cfg.rate = Some(f64::NAN);
        assert!(cfg.validate().is_err());
    }

    #[test]
    fn a_missing_ca_file_is_named() {
        let mut cfg = SmtpConfig::new("h", Security::Tls);
        cfg.ca_file = Some("certs/nope.pem".into());
        let p = cfg.problems(Path::new("."));
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].key, "ca_file");
        assert!(p[0].message.contains("certs/nope.pem"), "{}", p[0]);
    }
}
