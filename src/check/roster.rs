//! The roster check: every Senator and Representative among the recipients against `[roster] us_congress`.

use std::time::SystemTime;

use serde_json::Value;

use crate::diag::{Problem, Problems};
use crate::load::roster::{find, Match, Member, Roster, Wanted};
use crate::load::table::{Row, Shape, Table};
use crate::load::Campaign;
use crate::render::address::{self, Cells, Chamber};

/// A roster older than this is probably out of date (members resign, die, are sworn in).
const STALE_DAYS: u64 = 30;

/// The recipients that hold a seat in Congress, with what their rows say.
pub struct Seat<'t> {
    pub row: &'t Row,
    pub key: &'t str,
    pub cells: Cells,
    pub chamber: Option<Chamber>,
    pub state: &'t str,
    pub bioguide_id: &'t str,
}

impl Seat<'_> {
    pub fn wanted(&self) -> Wanted<'_> {
        let p = self.cells.person();
        Wanted {
            first_name: p.first_name,
            last_name: p.last_name,
            chamber: self.chamber,
            state: self.state,
            bioguide_id: self.bioguide_id,
        }
    }
}

/// Rows whose title is a congressional office (Senator, Representative, committee chair…), read in English.
pub fn seats(t: &Table) -> Vec<Seat<'_>> {
    t.rows.iter().filter_map(|row| seat(t, row)).collect()
}

/// The row's seat in Congress, if its title is a congressional office.
pub fn seat<'t>(t: &Shape, row: &'t Row) -> Option<Seat<'t>> {
    let col = |name: &str| t.column(name);
    let (state, bioguide) = (col("state"), col("bioguide_id"));
    let cells = Cells::of_row(&Value::Object(t.row_json(row)), "en");
    let view = address::view(&cells.person())?;
    view.congress.then(|| Seat {
        row,
        key: row.get(t.key_column),
        chamber: view.chamber,
        state: state.map_or("", |c| row.get(c)),
        bioguide_id: bioguide.map_or("", |c| row.get(c)),
        cells,
    })
}

/// Loads the manifest's roster, if it names one.
pub fn load(campaign: &Campaign) -> Option<Result<Roster, Problems>> {
    let rel = campaign
        .manifest
        .manifest
        .roster
        .us_congress
        .as_ref()
        .map(|p| p.as_str())?;
    Some(Roster::load(&campaign.dir, rel).map_err(|problems| {
        let mut out = Problems::new();
        for p in problems {
            // The table loader's help speaks of `[tables]`; this file comes from `[roster]`.
            let speaks_of_tables = p.help.as_deref().is_some_and(|h| h.contains("[tables]"));
            out.push(match p.help {
                Some(_) if !speaks_of_tables => p,
                _ => p.help(format!(
                    "`[roster] us_congress = \"{rel}\"` in lettermerge.toml names this file: download legislators-current.csv from the congress-legislators project there"
                )),
            });
        }
        out
    }))
}

/// The roster, ready to check rows against, with what it says about itself (a stale file).
pub struct Checker {
    roster: Roster,
    dated: String,
}

/// Loads the manifest's roster for checking rows; `None` when it names none, `Err` with the problems when it cannot
/// be read.
pub fn checker(campaign: &Campaign) -> Option<Result<(Checker, Problems), Problems>> {
    let mut problems = Problems::new();
    let roster = match load(campaign)? {
        Err(p) => return Some(Err(p)),
        Ok(r) => r,
    };
    let dated = match roster.age(SystemTime::now()) {
        Some((days, date)) => {
            if days > STALE_DAYS {
                problems.push(
                    Problem::warning(format!(
                        "the roster is {days} days old (file date {date}): members may have left or joined Congress since"
                    ))
                    .in_file(&roster.path)
                    .help("download a fresh legislators-current.csv from the congress-legislators project"),
                );
            }
            format!(
                "roster ({} of {date}, {days} days old)",
                roster.path.display()
            )
        }
        None => format!("roster ({})", roster.path.display()),
    };
    Some(Ok((Checker { roster, dated }, problems)))
}

impl Checker {
    /// The row's problem, when it holds a seat in Congress the roster does not confirm.
    pub fn row(&self, t: &Shape, row: &Row) -> Option<Problem> {
        let seat = seat(t, row)?;
        let (roster, dated) = (&self.roster, &self.dated);
        let mut problems = Problems::new();
        let w = seat.wanted();
        let at =
            |message: String| t.at(Problem::warning(message), seat.row.line, Some(t.key_column));
        let who = format!(
            "`{}` ({} {})",
            seat.key,
            w.first_name.trim(),
            w.last_name.trim()
        );
        match find(roster, &w) {
            Match::Exact(_) => {}
            Match::Name(m) => problems.push(
                at(format!(
                    "{who} is “{}”{} in the {dated}: the name differs",
                    m.name(),
                    nickname(m)
                ))
                .help(format!("check the spelling the office uses; {}", office(m, seat.key))),
            ),
            Match::Differs {
                member,
                chamber,
                state,
            } => {
                let mut what = Vec::new();
                if chamber {
                    what.push(format!(
                        "the row says {}, the roster {}",
                        chamber_name(w.chamber),
                        chamber_name(member.chamber)
                    ));
                }
                if state {
                    what.push(format!(
                        "the row’s state is {}, the roster’s {}",
                        w.state.trim(),
                        member.state
                    ));
                }
                problems.push(
                    at(format!(
                        "{who} is in the {dated} as {} ({}), but {}",
                        member.name(),
                        roster_place(roster, member),
                        what.join(" and ")
                    ))
                    .help(format!("correct the row's title or state; {}", office(member, seat.key))),
                );
            }
            Match::Ambiguous(ms) => problems.push(
                at(format!(
                    "{who} fits several members of the {dated}: {}",
                    ms.iter()
                        .map(|m| format!("{} ({}, {})", m.name(), m.state, m.bioguide_id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .help("add a `bioguide_id` column with the member's id (or a `state` column)"),
            ),
            Match::UnknownId => problems.push(
                at(format!(
                    "{who}: `bioguide_id` “{}” is not in the {dated}: no longer in office?",
                    w.bioguide_id.trim()
                ))
                .help("check the id at bioguide.congress.gov; a member who left office needs another recipient"),
            ),
            Match::Missing => problems.push(
                at(format!("{who} is not in the {dated}: no longer in office?"))
                .help(match namesakes(roster, w.last_name) {
                    Some(list) => format!("the roster has {list}; if the person left office, address the successor"),
                    None => "check the name; if the person left office, address the successor".to_owned(),
                }),
            ),
        }
        problems.into_iter().next()
    }
}

fn nickname(m: &Member) -> String {
    if m.nickname.is_empty() {
        String::new()
    } else {
        format!(" (nickname “{}”)", m.nickname)
    }
}

fn chamber_name(c: Option<Chamber>) -> &'static str {
    match c {
        Some(Chamber::Senate) => "Senate",
        Some(Chamber::House) => "House",
        None => "no chamber",
    }
}

fn roster_place(roster: &Roster, m: &Member) -> String {
    format!("{}:{}", roster.path.display(), m.line)
}

/// The office details the roster has, and the command that writes them.
fn office(m: &Member, key: &str) -> String {
    let mut parts = vec![format!("office: {}", m.address_block().replace('\n', ", "))];
    if !m.phone.is_empty() {
        parts.push(format!("phone {}", m.phone));
    }
    if !m.contact_form.is_empty() {
        parts.push(format!("contact form {}", m.contact_form));
    }
    format!(
        "the roster has {}; `lettermerge roster fill {key}` writes them into the table",
        parts.join(", ")
    )
}

fn namesakes(roster: &Roster, last: &str) -> Option<String> {
    let last = crate::check::rows::fold(last);
    let list: Vec<String> = roster
        .members
        .iter()
        .filter(|m| crate::check::rows::fold(&m.last_name) == last)
        .map(|m| format!("{} ({}, {})", m.name(), m.state, chamber_name(m.chamber)))
        .collect();
    (!list.is_empty()).then(|| list.join(", "))
}
