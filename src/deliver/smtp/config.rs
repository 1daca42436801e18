//! The SMTP password, which never comes from the manifest. The `[smtp]` table itself is parsed with the manifest
//! (`load::smtp`), so that `check` validates it too.

use std::fmt;
use std::io::IsTerminal;
use std::process::{Command, Stdio};

pub use crate::load::smtp::{Security, SmtpConfig};

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

/// Why no password could be had. None of them carries what a password command printed: it might be the password.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("{PASSWORD_ENV} is not valid UTF-8")]
    EnvNotUtf8,
    #[error("no SMTP password entered")]
    NoneEntered,
    #[error("could not read the SMTP password from the terminal: {0}")]
    Terminal(std::io::Error),
    #[error(
        "[smtp] username is set but there is no password: set {PASSWORD_ENV}, or password_command in [smtp], \
         or run on a terminal to be asked"
    )]
    Missing,
    #[error("could not run password_command: {0}")]
    CommandNotRun(std::io::Error),
    #[error("password_command failed ({0})")]
    CommandFailed(std::process::ExitStatus),
    #[error("password_command printed something that is not UTF-8")]
    CommandNotUtf8,
    #[error("password_command printed an empty password")]
    CommandEmpty,
}

/// The password: `LETTERMERGE_SMTP_PASSWORD`, else `password_command`'s standard output (without
/// its final newline), else a prompt without echo on a terminal, else an error. `None` when no
/// `username` is configured (no authentication).
pub fn password(cfg: &SmtpConfig) -> Result<Option<Secret>, PasswordError> {
    password_from(cfg, std::env::var_os(PASSWORD_ENV))
}

/// [`password`] with the value of `LETTERMERGE_SMTP_PASSWORD` given rather than read, so that tests need not change
/// the environment of a process whose other threads read it.
pub fn password_from(
    cfg: &SmtpConfig,
    env_value: Option<std::ffi::OsString>,
) -> Result<Option<Secret>, PasswordError> {
    let Some(user) = &cfg.username else {
        return Ok(None);
    };
    if let Some(value) = env_value {
        if !value.is_empty() {
            return value
                .into_string()
                .map(|v| Some(Secret(v)))
                .map_err(|_| PasswordError::EnvNotUtf8);
        }
    }
    if let Some(command) = &cfg.password_command {
        return run_password_command(command).map(Some);
    }
    if std::io::stdin().is_terminal() {
        let prompt = format!("SMTP password for {user} at {}: ", cfg.host);
        return match rpassword::prompt_password(prompt) {
            Ok(p) if !p.is_empty() => Ok(Some(Secret(p))),
            Ok(_) => Err(PasswordError::NoneEntered),
            Err(e) => Err(PasswordError::Terminal(e)),
        };
    }
    Err(PasswordError::Missing)
}

fn run_password_command(command: &str) -> Result<Secret, PasswordError> {
    // stderr stays on the terminal so that tools like `pass` or `gpg` can ask for their own passphrase.
    let out = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .output()
        .map_err(PasswordError::CommandNotRun)?;
    if !out.status.success() {
        // Its stdout might hold part of a password: never echo it.
        return Err(PasswordError::CommandFailed(out.status));
    }
    let mut text = String::from_utf8(out.stdout).map_err(|_| PasswordError::CommandNotUtf8)?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    if text.is_empty() {
        return Err(PasswordError::CommandEmpty);
    }
    Ok(Secret(text))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let err = run_password_command("echo secret-ish; exit 3")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secret-ish"), "{err}");
        assert!(run_password_command("true").is_err());
    }

    #[test]
    fn no_username_no_password() {
        let cfg = SmtpConfig::new("h", Security::Tls);
        assert!(matches!(password(&cfg), Ok(None)));
    }
}
