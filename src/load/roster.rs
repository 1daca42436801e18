//! The U.S. Congress roster: the public-domain `legislators-current.csv` of the unitedstates/congress-legislators
//! project, which a coalition downloads and names in `[roster] us_congress`. lettermerge never fetches it: the file's
//! own date (its modification time) is the roster's date, and `check` says how old it is.
//!
//! Recipients are matched to members by `bioguide_id` when the row has one, else by surname, chamber and state, with
//! the first name compared through the roster's nickname column and common English diminutives ("Bob" Menendez is
//! Robert Menendez), ignoring case and accents.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::diag::{Problem, Problems};
use crate::load::table::{fold, Row, Table, TableSpec};

/// A chamber of the U.S. Congress: the roster's `type` (`sen`, `rep`), and the forms-of-address table's `chamber`.
#[derive(Clone, Copy, Debug, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Chamber {
    Senate,
    House,
}

/// Columns the roster must have; the export has many more.
pub const REQUIRED: &[&str] = &[
    "last_name",
    "first_name",
    "type",
    "state",
    "address",
    "phone",
    "contact_form",
    "bioguide_id",
];

/// The roster named in the manifest, loaded.
#[derive(Debug)]
pub struct Roster {
    /// As written in the manifest, relative to the campaign.
    pub path: PathBuf,
    pub modified: Option<SystemTime>,
    pub members: Vec<Member>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub line: usize,
    pub last_name: String,
    pub first_name: String,
    pub nickname: String,
    pub full_name: String,
    pub chamber: Option<Chamber>,
    pub state: String,
    pub district: String,
    pub address: String,
    pub phone: String,
    pub contact_form: String,
    pub bioguide_id: String,
}

impl Roster {
    /// Reads the roster at `rel` inside `dir`; a missing file or column is an error naming both.
    pub fn load(dir: &Path, rel: &str) -> Result<Roster, Problems> {
        if let Err(e) = crate::load::paths::resolve(dir, rel) {
            return Err(Problem::error(e.message(rel))
                .in_file(crate::load::manifest::FILE)
                .help(e.help())
                .into());
        }
        let mut spec = TableSpec::new(rel);
        spec.key = "bioguide_id".into();
        let table = Table::load(dir, "roster", &spec)?;
        let missing: Vec<&str> = REQUIRED
            .iter()
            .copied()
            .filter(|c| table.column(c).is_none())
            .collect();
        if !missing.is_empty() {
            let list = missing
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(Problem::error(format!(
                "the roster has no column {list}: it is not the unitedstates/congress-legislators export"
            ))
            .in_file(rel)
            .at(1, None)
            .help("download legislators-current.csv from the congress-legislators project again (its header starts `last_name,first_name,middle_name,…`)")
            .into());
        }
        let modified = std::fs::metadata(dir.join(rel))
            .and_then(|m| m.modified())
            .ok();
        let members = table.rows.iter().map(|r| member(&table, r)).collect();
        Ok(Roster {
            path: PathBuf::from(rel),
            modified,
            members,
        })
    }

    /// The roster's age in whole days, and its date (UTC), from the file's modification time.
    pub fn age(&self, now: SystemTime) -> Option<(u64, String)> {
        let modified = self.modified?;
        let days = now.duration_since(modified).ok()?.as_secs() / 86_400;
        let date = chrono::DateTime::<chrono::Utc>::from(modified)
            .format("%Y-%m-%d")
            .to_string();
        Some((days, date))
    }
}

fn member(t: &Table, r: &Row) -> Member {
    let get = |c: &str| t.value(r, c).unwrap_or("").trim().to_owned();
    Member {
        line: r.line,
        last_name: get("last_name"),
        first_name: get("first_name"),
        nickname: get("nickname"),
        full_name: get("full_name"),
        chamber: match get("type").as_str() {
            "sen" => Some(Chamber::Senate),
            "rep" => Some(Chamber::House),
            _ => None,
        },
        state: get("state"),
        district: get("district"),
        address: get("address"),
        phone: get("phone"),
        contact_form: get("contact_form"),
        bioguide_id: get("bioguide_id"),
    }
}

impl Member {
    /// "Robert Menendez", or the export's full name.
    pub fn name(&self) -> String {
        if self.full_name.is_empty() {
            format!("{} {}", self.first_name, self.last_name)
        } else {
            self.full_name.clone()
        }
    }

    /// The office address as an address block: "528 Hart Senate Office Building\nWashington, DC 20510".
    pub fn address_block(&self) -> String {
        let a = self.address.replace(';', "");
        match a.find(" Washington DC ") {
            Some(i) => format!(
                "{}\nWashington, DC {}",
                a[..i].trim(),
                a[i + " Washington DC ".len()..].trim()
            ),
            None => a.split_whitespace().collect::<Vec<_>>().join(" "),
        }
    }
}

/// What the recipient row says about a member of Congress.
#[derive(Clone, Debug, Default)]
pub struct Wanted<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub chamber: Option<Chamber>,
    pub state: &'a str,
    pub bioguide_id: &'a str,
}

/// How a recipient row met the roster.
#[derive(Debug)]
pub enum Match<'r> {
    /// The same member, the same name.
    Exact(&'r Member),
    /// The same member under another form of the name ("Bob"/"Robert", "Menendez"/"Menéndez").
    Name(&'r Member),
    /// A member of that name, in another chamber or state.
    Differs {
        member: &'r Member,
        chamber: bool,
        state: bool,
    },
    /// Several members fit; a `bioguide_id` column would tell.
    Ambiguous(Vec<&'r Member>),
    /// The row's `bioguide_id` is not in the roster.
    UnknownId,
    /// Nobody of that name: left office, or misspelt.
    Missing,
}

/// Diminutives of English first names, both ways; the roster's `nickname` column covers most members already.
const DIMINUTIVES: &[(&str, &str)] = &[
    ("bob", "robert"),
    ("bobby", "robert"),
    ("rob", "robert"),
    ("bill", "william"),
    ("will", "william"),
    ("mike", "michael"),
    ("jim", "james"),
    ("jimmy", "james"),
    ("chuck", "charles"),
    ("charlie", "charles"),
    ("dick", "richard"),
    ("rick", "richard"),
    ("joe", "joseph"),
    ("tom", "thomas"),
    ("ted", "edward"),
    ("ted", "theodore"),
    ("ted", "rafael"),
    ("ed", "edward"),
    ("dan", "daniel"),
    ("dave", "david"),
    ("chris", "christopher"),
    ("ben", "benjamin"),
    ("tim", "timothy"),
    ("tony", "anthony"),
    ("jack", "john"),
    ("pat", "patrick"),
    ("pat", "patricia"),
    ("liz", "elizabeth"),
    ("beth", "elizabeth"),
    ("kate", "katherine"),
    ("cathy", "catherine"),
    ("sue", "susan"),
    ("debbie", "deborah"),
    ("jeff", "jeffrey"),
    ("steve", "steven"),
    ("steve", "stephen"),
    ("greg", "gregory"),
    ("ron", "ronald"),
    ("don", "donald"),
    ("larry", "lawrence"),
    ("andy", "andrew"),
    ("matt", "matthew"),
    ("nick", "nicholas"),
    ("sam", "samuel"),
    ("alex", "alexander"),
    ("bernie", "bernard"),
    ("mitch", "addison"),
];

/// Whether two first names are one person's: equal once folded, the roster's nickname, or a diminutive.
fn same_first(row: &str, m: &Member) -> bool {
    let row = fold(row);
    let row = row.split(' ').next().unwrap_or("");
    if row.is_empty() {
        return true;
    }
    let names = [fold(&m.first_name), fold(&m.nickname)];
    let diminutive = |a: &str, b: &str| {
        DIMINUTIVES
            .iter()
            .any(|(d, f)| (*d == a && *f == b) || (*d == b && *f == a))
    };
    names.iter().filter(|n| !n.is_empty()).any(|n| {
        let n = n.split(' ').next().unwrap_or("");
        n == row || diminutive(row, n)
    })
}

/// The name as the roster writes it, exactly (accents and case included).
fn same_name_exactly(w: &Wanted, m: &Member) -> bool {
    w.last_name.trim() == m.last_name && w.first_name.trim() == m.first_name
}

pub fn find<'r>(roster: &'r Roster, w: &Wanted) -> Match<'r> {
    let judged = |m: &'r Member| {
        let chamber = w.chamber.is_some() && m.chamber.is_some() && w.chamber != m.chamber;
        let state = !w.state.trim().is_empty() && !w.state.trim().eq_ignore_ascii_case(&m.state);
        if chamber || state {
            Match::Differs {
                member: m,
                chamber,
                state,
            }
        } else if same_name_exactly(w, m) {
            Match::Exact(m)
        } else {
            Match::Name(m)
        }
    };
    let id = w.bioguide_id.trim();
    if !id.is_empty() {
        return match roster.members.iter().find(|m| m.bioguide_id == id) {
            Some(m) => judged(m),
            None => Match::UnknownId,
        };
    }
    let last = fold(w.last_name);
    let named: Vec<&Member> = roster
        .members
        .iter()
        .filter(|m| fold(&m.last_name) == last && same_first(w.first_name, m))
        .collect();
    let fitting: Vec<&Member> = named
        .iter()
        .copied()
        .filter(|m| matches!(judged(m), Match::Exact(_) | Match::Name(_)))
        .collect();
    match (fitting.as_slice(), named.as_slice()) {
        ([m], _) => judged(m),
        ([], []) => Match::Missing,
        ([], [m]) => judged(m),
        ([], several) | (several, _) => Match::Ambiguous(several.to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(first: &str, nick: &str, last: &str, chamber: Chamber, state: &str) -> Member {
        Member {
            line: 2,
            last_name: last.into(),
            first_name: first.into(),
            nickname: nick.into(),
            full_name: String::new(),
            chamber: Some(chamber),
            state: state.into(),
            district: String::new(),
            address: "528 Hart Senate Office Building Washington DC 20510".into(),
            phone: String::new(),
            contact_form: String::new(),
            bioguide_id: format!("{last}1"),
        }
    }

    fn roster() -> Roster {
        Roster {
            path: "r.csv".into(),
            modified: None,
            members: vec![
                m("Robert", "Bob", "Menéndez", Chamber::Senate, "NJ"),
                m("Marco", "", "Rubio", Chamber::Senate, "FL"),
                m("Joaquin", "", "Castro", Chamber::House, "TX"),
                m("Kathy", "", "Castor", Chamber::House, "FL"),
            ],
        }
    }

    fn wanted<'a>(first: &'a str, last: &'a str, chamber: Chamber, state: &'a str) -> Wanted<'a> {
        Wanted {
            first_name: first,
            last_name: last,
            chamber: Some(chamber),
            state,
            bioguide_id: "",
        }
    }

    #[test]
    fn a_nickname_and_a_missing_accent_find_the_member_and_say_the_name_differs() {
        let r = roster();
        let found = find(&r, &wanted("Bob", "Menendez", Chamber::Senate, "NJ"));
        assert!(
            matches!(found, Match::Name(m) if m.first_name == "Robert"),
            "{found:?}"
        );
        let exact = find(&r, &wanted("Marco", "Rubio", Chamber::Senate, ""));
        assert!(matches!(exact, Match::Exact(_)), "{exact:?}");
    }

    #[test]
    fn chamber_and_state_are_compared() {
        let r = roster();
        let found = find(&r, &wanted("Joaquin", "Castro", Chamber::Senate, "TX"));
        assert!(
            matches!(
                found,
                Match::Differs {
                    chamber: true,
                    state: false,
                    ..
                }
            ),
            "{found:?}"
        );
        let found = find(&r, &wanted("Marco", "Rubio", Chamber::Senate, "TX"));
        assert!(
            matches!(
                found,
                Match::Differs {
                    chamber: false,
                    state: true,
                    ..
                }
            ),
            "{found:?}"
        );
        let gone = find(&r, &wanted("Bob", "Corker", Chamber::Senate, "TN"));
        assert!(matches!(gone, Match::Missing), "{gone:?}");
        let other = find(&r, &wanted("Marco", "Castro", Chamber::House, "TX"));
        assert!(
            matches!(other, Match::Missing),
            "a first name that fits nobody: {other:?}"
        );
    }

    #[test]
    fn a_bioguide_id_wins_over_the_name() {
        let r = roster();
        let w = Wanted {
            bioguide_id: "Rubio1",
            ..wanted("Someone", "Else", Chamber::Senate, "")
        };
        assert!(matches!(find(&r, &w), Match::Name(m) if m.last_name == "Rubio"));
        let w = Wanted {
            bioguide_id: "X000000",
            ..w
        };
        assert!(matches!(find(&r, &w), Match::UnknownId));
    }

    #[test]
    fn the_office_address_becomes_an_address_block() {
        let r = roster();
        assert_eq!(
            r.members[0].address_block(),
            "528 Hart Senate Office Building\nWashington, DC 20510"
        );
        let mut house = r.members[2].clone();
        house.address = "1221 Longworth House Office Building; Washington DC 20515-4320".into();
        assert_eq!(
            house.address_block(),
            "1221 Longworth House Office Building\nWashington, DC 20515-4320"
        );
    }
}
