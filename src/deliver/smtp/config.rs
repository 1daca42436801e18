//! The manifest's `[smtp]` table and the password, which never comes from the manifest.

use std::fmt;
use std::io::IsTerminal;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Deserialize;

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
    pub port: Option<u16>,
    #[serde(default)]
    pub security: Security,
    /// A PEM file of extra trusted CA certificates (a private CA), added to the public roots.
    pub ca_file: Option<PathBuf>,
    pub username: Option<String>,
    pub from: Option<String>,
    /// Messages per second over all connections together.
    pub rate: Option<f64>,
    pub connections: Option<usize>,
    /// Seconds allowed for connecting and for each SMTP command.
    pub timeout: Option<f64>,
    /// Run with `sh -c`; its standard output is the password.
    pub password_command: Option<String>,
}

pub const DEFAULT_CONNECTIONS: usize = 4;
pub const DEFAULT_TIMEOUT_SECS: f64 = 30.0;
/// More sessions than this is abuse of someone else's server, and no faster.
pub const MAX_CONNECTIONS: usize = 32;

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

    /// Every check that needs no network, so that `check` can run it too.
    pub fn validate(&self) -> Result<(), String> {
        let host = self.bare_host();
        if host.is_empty() {
            return Err("[smtp] host is empty".into());
        }
        if host.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "[smtp] host {:?} contains spaces or control characters",
                self.host
            ));
        }
        if self.port == Some(0) {
            return Err("[smtp] port must be between 1 and 65535".into());
        }
        if self.security == Security::None && !is_loopback_host(host) {
            return Err(format!(
                "[smtp] security = \"none\" would send letters and the password in clear text to {}; \
                 it is only allowed for a server on this machine (localhost, 127.0.0.0/8, ::1). \
                 Use \"starttls\" or \"tls\"",
                self.host
            ));
        }
        if let Some(rate) = self.rate {
            if !(rate.is_finite() && rate > 0.0) {
                return Err(format!(
                    "[smtp] rate must be a positive number of messages per second, not {rate}"
                ));
            }
        }
        match self.connections {
            Some(0) => return Err("[smtp] connections must be at least 1".into()),
            Some(n) if n > MAX_CONNECTIONS => {
                return Err(format!(
                    "[smtp] connections = {n} is more than the {MAX_CONNECTIONS} allowed"
                ))
            }
            _ => {}
        }
        if let Some(t) = self.timeout {
            if !(t.is_finite() && t > 0.0 && t <= 3600.0) {
                return Err(format!(
                    "[smtp] timeout must be between 0 and 3600 seconds, not {t}"
                ));
            }
        }
        if let Some(user) = &self.username {
            if user.is_empty() || user.chars().any(char::is_control) {
                return Err("[smtp] username is empty or contains control characters".into());
            }
        }
        Ok(())
    }
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

/// The SMTP password. Its `Debug` and `Display` print `***`, so it cannot leak through a
/// formatted error or a log line by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The only way to the actual value; grep for `expose` to audit every use.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

pub const PASSWORD_ENV: &str = "LETTERMERGE_SMTP_PASSWORD";

/// The password: `LETTERMERGE_SMTP_PASSWORD`, else `password_command`'s standard output (without
/// its final newline), else a prompt without echo on a terminal, else an error. `None` when no
/// `username` is configured (no authentication).
pub fn password(cfg: &SmtpConfig) -> Result<Option<Secret>, String> {
    password_from(cfg, std::env::var_os(PASSWORD_ENV))
}

/// [`password`] with the value of `LETTERMERGE_SMTP_PASSWORD` given rather than read, so that tests need not change
/// the environment of a process whose other threads read it.
pub fn password_from(
    cfg: &SmtpConfig,
    env_value: Option<std::ffi::OsString>,
) -> Result<Option<Secret>, String> {
    let Some(user) = &cfg.username else {
        return Ok(None);
    };
    if let Some(value) = env_value {
        if !value.is_empty() {
            return value
                .into_string()
                .map(|v| Some(Secret(v)))
                .map_err(|_| format!("{PASSWORD_ENV} is not valid UTF-8"));
        }
    }
    if let Some(command) = &cfg.password_command {
        return run_password_command(command).map(Some);
    }
    if std::io::stdin().is_terminal() {
        let prompt = format!("SMTP password for {user} at {}: ", cfg.host);
        return match rpassword::prompt_password(prompt) {
            Ok(p) if !p.is_empty() => Ok(Some(Secret(p))),
            Ok(_) => Err("no SMTP password entered".into()),
            Err(e) => Err(format!(
                "could not read the SMTP password from the terminal: {e}"
            )),
        };
    }
    Err(format!(
        "[smtp] username is set but there is no password: set {PASSWORD_ENV}, or password_command \
         in [smtp], or run on a terminal to be asked"
    ))
}

fn run_password_command(command: &str) -> Result<Secret, String> {
    // stderr stays on the terminal so that tools like `pass` or `gpg` can ask for their own passphrase.
    let out = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not run password_command: {e}"))?;
    if !out.status.success() {
        // Its stdout might hold part of a password: never echo it.
        return Err(format!("password_command failed ({})", out.status));
    }
    let mut text = String::from_utf8(out.stdout)
        .map_err(|_| "password_command printed something that is not UTF-8".to_string())?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    if text.is_empty() {
        return Err("password_command printed an empty password".into());
    }
    Ok(Secret(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserializes_the_manifest_table() {
        let cfg: SmtpConfig = toml::from_str(
            "host = \"smtp.example.org\"\nsecurity = \"tls\"\nusername = \"u\"\nrate = 2.5\nconnections = 2\n",
        )
        .unwrap();
        assert_eq!(cfg.security, Security::Tls);
        assert_eq!(cfg.port(), 465);
        assert_eq!(cfg.connections(), 2);
        assert_eq!(cfg.timeout(), Duration::from_secs(30));
        let default: SmtpConfig = toml::from_str("host = \"h\"").unwrap();
        assert_eq!(default.security, Security::StartTls);
        assert_eq!(default.port(), 587);
        assert!(toml::from_str::<SmtpConfig>("host = \"h\"\npassword = \"x\"").is_err());
        assert!(toml::from_str::<SmtpConfig>("host = \"h\"\nsecurity = \"ssl\"").is_err());
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
            assert!(
                err.contains("only allowed for a server on this machine"),
                "{err}"
            );
        }
        assert!(SmtpConfig::new("smtp.example.org", Security::StartTls)
            .validate()
            .is_ok());
    }

    #[test]
    fn rejects_nonsense_numbers() {
        let mut cfg = SmtpConfig::new("h", Security::Tls);
        cfg.rate = Some(0.0);
        assert!(cfg.validate().is_err());
        cfg.rate = Some(f64::NAN);
        assert!(cfg.validate().is_err());
        cfg.rate = None;
        cfg.connections = Some(0);
        assert!(cfg.validate().is_err());
        cfg.connections = None;
        cfg.timeout = Some(-1.0);
        assert!(cfg.validate().is_err());
    }

    #[test]
    fn secret_never_formats() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s} {s:?} {:?}", Some(&s)), "*** *** Some(***)");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn password_command_output_is_trimmed_once() {
        let s = run_password_command("printf 'p w\\n'").unwrap();
        assert_eq!(s.expose(), "p w");
        let s = run_password_command("printf 'pw\\n\\n'").unwrap();
        assert_eq!(s.expose(), "pw\n");
        let err = run_password_command("echo secret-ish; exit 3").unwrap_err();
        assert!(!err.contains("secret-ish"), "{err}");
        assert!(run_password_command("true").is_err());
    }

    #[test]
    fn no_username_no_password() {
        let cfg = SmtpConfig::new("h", Security::Tls);
        assert_eq!(password(&cfg), Ok(None));
    }
}
