//! One module per subcommand; this one dispatches and turns errors into messages and exit codes.

pub(crate) mod approve;
pub(crate) mod check;
pub(crate) mod init;
pub(crate) mod mark;
pub(crate) mod preview;
pub(crate) mod proof;
pub(crate) mod render;
pub(crate) mod roster;
pub(crate) mod send;
pub(crate) mod serve;
pub(crate) mod status;

use std::io::Write;
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};

use crate::cli::{Cli, Command, Loudness, Quiet, Selection};
use crate::diag::{Problem, Problems, Severity};
use crate::error::{Error, Result};
use crate::load::Campaign;
use crate::plan::stream::Pick;
use crate::plan::{Plan, PlanOptions};

/// How much to print.
#[derive(Debug, Clone, Copy)]
pub struct Verbosity {
    pub quiet: bool,
    pub verbose: bool,
}

impl From<Quiet> for Verbosity {
    fn from(q: Quiet) -> Verbosity {
        Verbosity {
            quiet: q.quiet,
            verbose: false,
        }
    }
}

impl From<Loudness> for Verbosity {
    fn from(l: Loudness) -> Verbosity {
        Verbosity {
            quiet: l.quiet,
            verbose: l.verbose,
        }
    }
}

/// The `--quiet`/`--verbose` of the command, for the commands that take them.
fn verbosity(command: &Command) -> Verbosity {
    match command {
        Command::Check(a) => a.output.into(),
        Command::Render(a) => a.output.into(),
        Command::Approve(a) => a.output.into(),
        Command::Proof(a) => a.output.into(),
        Command::Send(a) => a.output.into(),
        Command::Status(a) => a.output.into(),
        Command::Mark(a) => a.output.into(),
        Command::Roster(a) => a.output.into(),
        Command::Init(a) => a.output.into(),
        Command::Preview(_) | Command::Serve(_) | Command::Completions { .. } => {
            Quiet::default().into()
        }
    }
}

pub fn run(cli: Cli) -> ExitCode {
    let own = verbosity(&cli.command);
    let v = Verbosity {
        quiet: own.quiet || cli.quiet,
        verbose: own.verbose || cli.verbose,
    };
    let result = match cli.command {
        Command::Check(args) => check::run(&cli.dir, &args, v),
        Command::Render(args) => render::run(&cli.dir, &args, v),
        Command::Preview(args) => preview::run(&cli.dir, &args),
        Command::Approve(args) => approve::run(&cli.dir, &args, v),
        Command::Proof(args) => proof::run(&cli.dir, &args, v),
        Command::Serve(args) => serve::run(&cli.dir, &args, v),
        Command::Send(args) => send::run(&cli.dir, &args, v),
        Command::Status(args) => status::run(&cli.dir, &args, v),
        Command::Mark(args) => mark::run(&cli.dir, &args, v),
        Command::Roster(args) => roster::run(&cli.dir, &args, v),
        Command::Init(args) => init::run(&cli.dir.join(&args.dir), v),
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

/// Problems to stderr in the order found, each mistake once (with the letters it affects); warnings hidden by
/// `--quiet`.
pub fn print_problems(problems: &Problems, v: Verbosity) {
    let mut err = anstream::stderr();
    for p in problems
        .clone()
        .grouped()
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
    s.push_str(&p.text());
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

/// What a selection asks of the plan: `--variant` and `--date`.
pub fn plan_options(sel: &Selection) -> PlanOptions {
    PlanOptions {
        variants: sel.variants.clone(),
        date: sel.date,
    }
}

pub fn plan<'c>(campaign: &'c Campaign, sel: &Selection) -> Result<Plan<'c>> {
    let opts = plan_options(sel);
    if let Some(unknown) = opts.unknown_variant(&crate::plan::variant_names(campaign)) {
        return Err(Error::UnknownVariant(unknown));
    }
    Plan::new(campaign, &opts).map_err(Error::Campaign)
}

/// The renderer for a plan, once the templates' names are checked: a misspelt name, a `filter` on a column its table
/// lacks, an unknown helper or a missing partial would fail (or silently empty) letter after letter. `render`, `send`
/// and `preview` refuse them as `check` does, before any letter.
pub fn renderer<'c>(
    campaign: &'c Campaign,
    plan: &Plan<'c>,
) -> Result<crate::render::Renderer<'c>> {
    let renderer = crate::render::Renderer::new(plan)?;
    let names = crate::check::template_names(campaign, plan);
    if names.has_errors() {
        return Err(Error::Campaign(names));
    }
    Ok(renderer)
}

/// What a selection picks: `--only` and `--limit`.
pub fn pick(sel: &Selection) -> Pick {
    Pick {
        only: sel.only.clone(),
        limit: sel.limit,
    }
}

/// `--only` that matched nothing is the user's mistake (exit 2).
pub fn none_picked(total: usize, sel: &Selection) -> Result<()> {
    if total == 0 && !sel.only.is_empty() {
        return Err(Error::Usage(format!(
            "--only {} matches no letter; ids look like VARIANT/KEY or VARIANT/KEY/SIGNATORY (see `lettermerge check`)",
            sel.only.join(", ")
        )));
    }
    Ok(())
}

/// A path as messages show it: `out/coalition`, not `./out/coalition` (`-C .` is the default).
pub fn shown(p: &std::path::Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
