//! Where the password comes from. A file of its own: it sets environment variables, which must
//! not race with other tests' threads.

use lettermerge::deliver::smtp::{password, Security, SmtpConfig, PASSWORD_ENV};

#[test]
fn environment_then_command_then_error() {
    let mut cfg = SmtpConfig::new("smtp.example.org", Security::StartTls);
    cfg.username = Some("me@example.org".into());
    cfg.password_command = Some("printf 'from-command\\n'".into());

    std::env::set_var(PASSWORD_ENV, "from-env");
    assert_eq!(password(&cfg).unwrap().unwrap().expose(), "from-env");

    std::env::remove_var(PASSWORD_ENV);
    assert_eq!(password(&cfg).unwrap().unwrap().expose(), "from-command");

    // No terminal under `cargo test` (stdin is not a tty in CI); the error says what to do.
    cfg.password_command = None;
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        let err = password(&cfg).unwrap_err();
        assert!(
            err.contains(PASSWORD_ENV) && err.contains("password_command"),
            "{err}"
        );
    }

    cfg.username = None;
    std::env::set_var(PASSWORD_ENV, "unused");
    assert!(password(&cfg).unwrap().is_none(), "no username, no login");
    std::env::remove_var(PASSWORD_ENV);
}
