//! Where the password comes from: the environment, then `password_command`, then a prompt on a terminal.

use lettermerge::deliver::smtp::{password_from, Security, SmtpConfig, PASSWORD_ENV};

#[test]
fn environment_then_command_then_error() {
    let mut cfg = SmtpConfig::new("smtp.example.org", Security::StartTls);
    cfg.username = Some("me@example.org".into());
    cfg.password_command = Some("printf 'from-command\\n'".into());

    let env = Some("from-env".into());
    assert_eq!(
        password_from(&cfg, env.clone()).unwrap().unwrap().expose(),
        "from-env"
    );
    assert_eq!(
        password_from(&cfg, None).unwrap().unwrap().expose(),
        "from-command"
    );
    // An empty variable counts as unset.
    assert_eq!(
        password_from(&cfg, Some("".into()))
            .unwrap()
            .unwrap()
            .expose(),
        "from-command"
    );

    // No terminal under `cargo test` (stdin is not a tty in CI); the error says what to do.
    cfg.password_command = None;
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        let err = password_from(&cfg, None).unwrap_err().to_string();
        assert!(
            err.contains(PASSWORD_ENV) && err.contains("password_command"),
            "{err}"
        );
    }

    cfg.username = None;
    assert!(
        password_from(&cfg, env).unwrap().is_none(),
        "no username, no login"
    );
}
