//! One module per subcommand; this one dispatches and turns errors into messages and exit codes.

pub mod approve;
pub mod check;
pub mod init;
pub mod preview;
pub mod proof;
pub mod render;
pub mod send;
pub mod serve;
pub mod status;

use std::io::Write;
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};

use crate::cli::{Cli, Command, Selection};
use crate::diag::{Problem, Problems, Severity};
use crate::error::{Error, Result};
use crate::load::Campaign;
use crate::plan::{Letter, Plan, PlanOptions};

/// How much to print.
#[derive(Debug, Clone, Copy)]
pub struct Verbosity {
    pub quiet: bool,
    pub verbose: bool,
}

pub fn run(cli: Cli) -> ExitCode {
    let v = Verbosity {
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    let result = match cli.command {
        Command::Check(args) => check::run(&cli.dir, &args, v),
        Command::Render(args) => render::run(&cli.dir, &args, v),
        Command::Preview(args) => preview::run(&cli.dir, &args),
        Command::Approve(args) => approve::run(&cli.dir, &args, v),
        Command::Proof(args) => proof::run(&cli.dir, &args, v),
        Command::Serve(args) => serve::run(&cli.dir, &args, v),
        Command::Send(args) => send::run(&cli.dir, &args, v),
        Command::Status(args) => status::status(&cli.dir, &args, v),
        Command::Mark(args) => status::mark(&cli.dir, &args, v),
        Command::Init(args) => init::run(&args.dir, v),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "lettermerge", &mut std::io::stdout());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(p) = e.problems() {
                print_problems(p, v);
            }
            let mut err = anstream::stderr();
            let style = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
            let _ = writeln!(err, "{style}error{style:#}: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Problems to stderr, errors first in the order found; warnings hidden by `--quiet`.
pub fn print_problems(problems: &Problems, v: Verbosity) {
    let mut err = anstream::stderr();
    for p in problems
        .iter()
        .filter(|p| !(v.quiet && p.severity == Severity::Warning))
    {
        let _ = writeln!(err, "{}", styled(p));
    }
}

fn styled(p: &Problem) -> String {
    let (label, color) = match p.severity {
        Severity::Error => ("error", AnsiColor::Red),
        Severity::Warning => ("warning", AnsiColor::Yellow),
    };
    let head = Style::new().bold().fg_color(Some(color.into()));
    let bold = Style::new().bold();
    let mut s = format!("{head}{label}{head:#}: ");
    if let Some(loc) = p.location() {
        s.push_str(&format!("{bold}{loc}{bold:#}: "));
    }
    s.push_str(&p.message);
    if let Some(help) = &p.help {
        let cyan = Style::new().fg_color(Some(AnsiColor::Cyan.into()));
        s.push_str(&format!("\n  {cyan}help{cyan:#}: {help}"));
    }
    s
}

/// Loads the campaign and plans its letters; problems here stop the command before anything is written.
pub fn load(dir: &std::path::Path) -> Result<Campaign> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!("{} is not a folder", dir.display())));
    }
    Campaign::load(dir).map_err(Error::Campaign)
}

pub fn plan<'c>(campaign: &'c Campaign, sel: &Selection) -> Result<Plan<'c>> {
    let opts = PlanOptions {
        variants: sel.variants.clone(),
        date: sel.date,
    };
    Plan::new(campaign, &opts).map_err(|p| {
        let unknown = p
            .iter()
            .find(|x| x.message.starts_with("there is no variant"));
        match unknown {
            Some(x) => Error::Usage(format!(
                "{}; {}",
                x.message,
                x.help.clone().unwrap_or_default()
            )),
            None => Error::Campaign(p),
        }
    })
}

/// The letters a selection picks, in plan order.
pub fn selected<'p, 'c>(plan: &'p Plan<'c>, sel: &Selection) -> Result<Vec<Letter<'p, 'c>>> {
    let mut letters: Vec<Letter> = plan
        .letters()
        .filter(|l| l.selected_by(&sel.only))
        .collect();
    if letters.is_empty() && !sel.only.is_empty() {
        return Err(Error::Usage(format!(
            "--only {} matches no letter; ids look like VARIANT/KEY or VARIANT/KEY/SIGNATORY (see `lettermerge check`)",
            sel.only.join(", ")
        )));
    }
    if let Some(n) = sel.limit {
        letters.truncate(n);
    }
    Ok(letters)
}
