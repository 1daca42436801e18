//! Plan: which letters a run makes — variants × recipients (× signatories) — before any template runs.
//!
//! A [`Letter`] borrows its rows from the loaded campaign and is cheap to make, so rendering can stream over
//! letters without holding their text.

pub mod channel;
pub mod reads;
pub mod select;

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::diag::{Problem, Problems};
use crate::load::manifest::{OneOrMany, RecipientsOverride, Where};
use crate::load::table::{Row, Table};
use crate::load::Campaign;
use channel::{Channel, UnknownChannel};
use reads::{Parsed, Reads};

pub const DEFAULT_VARIANT: &str = "default";

#[derive(Debug)]
pub enum Recipients {
    All,
    Where(Where),
    /// `recipients = false`: one copy with no recipient, never sent.
    Public,
}

/// A variant with its overrides applied to the campaign's defaults.
#[derive(Debug)]
pub struct Variant<'c> {
    pub name: String,
    pub template: String,
    pub recipients: Recipients,
    /// The selected signatory rows, sorted.
    pub signatories: Vec<&'c Row>,
    pub signatory_table: Option<&'c Table>,
    pub vars: Map<String, Value>,
    pub lang: String,
    pub per_signatory: bool,
    pub not_before: Option<String>,
    pub translation_of: Option<String>,
    pub today: NaiveDate,
    /// One entry per letter before the per-signatory split: its key and its addressee rows.
    pub units: Vec<Unit<'c>>,
    /// What its letter reads (partials, tables, signatory columns).
    pub reads: Reads,
}

#[derive(Debug)]
pub struct Unit<'c> {
    pub key: String,
    pub rows: Vec<&'c Row>,
}

/// One letter to render.
#[derive(Debug, Clone, Copy)]
pub struct Letter<'p, 'c> {
    pub variant: &'p Variant<'c>,
    pub unit: &'p Unit<'c>,
    pub signatory: Option<&'c Row>,
    /// From 1, over the whole variant.
    pub index: usize,
    pub count: usize,
}

impl Letter<'_, '_> {
    pub fn key(&self) -> &str {
        &self.unit.key
    }

    pub fn signatory_key(&self) -> Option<&str> {
        let table = self.variant.signatory_table?;
        self.signatory.map(|r| table.key(r))
    }

    /// `VARIANT/KEY[/SIGNATORY]`.
    pub fn id(&self) -> String {
        match self.signatory_key() {
            Some(s) => format!("{}/{}/{}", self.variant.name, self.unit.key, s),
            None => format!("{}/{}", self.variant.name, self.unit.key),
        }
    }

    /// The first addressee row, whose columns sit at the top of the context.
    pub fn row(&self) -> Option<&Row> {
        self.unit.rows.first().copied()
    }

    /// How the letter reaches its office: the first addressee row's `channel` (a public copy: email, never sent).
    pub fn channel(&self, recipients: &Table) -> Result<Channel, UnknownChannel> {
        self.row()
            .map_or(Ok(Channel::Email), |r| Channel::of(recipients, r))
    }

    /// Whether `--only` patterns pick this letter: a full id, `KEY`, or `KEY/SIGNATORY`.
    pub fn selected_by(&self, patterns: &[String]) -> bool {
        if patterns.is_empty() {
            return true;
        }
        let id = self.id();
        let short = match self.signatory_key() {
            Some(s) => format!("{}/{}", self.unit.key, s),
            None => self.unit.key.clone(),
        };
        patterns
            .iter()
            .any(|p| *p == id || *p == short || *p == self.unit.key)
    }
}

impl<'c> Variant<'c> {
    pub fn letter_count(&self) -> usize {
        if self.per_signatory {
            self.units.len() * self.signatories.len()
        } else {
            self.units.len()
        }
    }

    pub fn letters<'p>(&'p self) -> impl Iterator<Item = Letter<'p, 'c>> + 'p {
        let count = self.letter_count();
        let sigs: Vec<Option<&'c Row>> = if self.per_signatory {
            self.signatories.iter().map(|r| Some(*r)).collect()
        } else {
            vec![None]
        };
        self.units
            .iter()
            .flat_map(move |unit| {
                sigs.clone()
                    .into_iter()
                    .map(move |signatory| (unit, signatory))
            })
            .enumerate()
            .map(move |(i, (unit, signatory))| Letter {
                variant: self,
                unit,
                signatory,
                index: i + 1,
                count,
            })
    }
}

/// Which variants to plan and what day it is.
#[derive(Debug, Default, Clone)]
pub struct PlanOptions {
    pub variants: Vec<String>,
    pub date: Option<NaiveDate>,
}

#[derive(Debug)]
pub struct Plan<'c> {
    pub campaign: &'c Campaign,
    pub variants: Vec<Variant<'c>>,
    /// Every template, parsed once.
    pub parsed: Parsed,
}

impl<'c> Plan<'c> {
    pub fn new(campaign: &'c Campaign, opts: &PlanOptions) -> Result<Plan<'c>, Problems> {
        let m = &campaign.manifest;
        let mut problems = Problems::new();
        let names: Vec<String> = if m.manifest.variants.is_empty() {
            vec![DEFAULT_VARIANT.to_string()]
        } else {
            m.manifest.variants.keys().cloned().collect()
        };
        for wanted in &opts.variants {
            if !names.contains(wanted) {
                problems.push(
                    Problem::error(format!("there is no variant `{wanted}`"))
                        .help(format!("the variants are: {}", names.join(", "))),
                );
            }
        }
        let run_date = chrono::Local::now().date_naive();
        let parsed = Parsed::new(campaign);
        let mut variants = Vec::new();
        for name in &names {
            if !opts.variants.is_empty() && !opts.variants.contains(name) {
                continue;
            }
            // The approval date is the letter's date, so a re-send tomorrow neither redates the letter nor changes its hash.
            let approved = campaign
                .approvals
                .as_ref()
                .and_then(|a| a.variants.get(name))
                .and_then(|a| NaiveDate::parse_from_str(&a.date, "%Y-%m-%d").ok());
            let today = opts.date.or(approved).unwrap_or(run_date);
            match resolve_variant(campaign, name, today) {
                Ok(mut v) => match Reads::of(&parsed, &v.template, &v.vars) {
                    Ok(r) => {
                        v.reads = r;
                        variants.push(v);
                    }
                    Err(p) => {
                        // Variants sharing a template find the same fault: say it once.
                        for p in p {
                            if !problems.iter().any(|q| *q == p) {
                                problems.push(p);
                            }
                        }
                    }
                },
                Err(p) => problems.extend(p),
            }
        }
        if problems.has_errors() {
            Err(problems)
        } else {
            Ok(Plan {
                campaign,
                variants,
                parsed,
            })
        }
    }

    pub fn letters<'p>(&'p self) -> impl Iterator<Item = Letter<'p, 'c>> + 'p {
        self.variants.iter().flat_map(|v| v.letters())
    }

    pub fn variant(&self, name: &str) -> Option<&Variant<'c>> {
        self.variants.iter().find(|v| v.name == name)
    }
}

fn resolve_variant<'c>(
    campaign: &'c Campaign,
    name: &str,
    today: NaiveDate,
) -> Result<Variant<'c>, Problems> {
    let mf = &campaign.manifest;
    let m = &mf.manifest;
    let spec = m.variants.get(name).cloned().unwrap_or_default();
    let section = format!("variants.{name}");
    let mut problems = Problems::new();

    let recipients = match &spec.recipients {
        None | Some(RecipientsOverride::Enabled(true)) => Recipients::All,
        Some(RecipientsOverride::Enabled(false)) => Recipients::Public,
        Some(RecipientsOverride::Filter(f)) => Recipients::Where(f.filter.clone()),
    };

    // Signatories: the variant's `where` and `sort` replace the campaign's, each on its own.
    let mut signatories = Vec::new();
    let mut signatory_table = None;
    let base = m.signatories.as_ref();
    if base.is_some() || spec.signatories.is_some() {
        match base.map(|b| b.table.as_str()) {
            None => problems.push(mf.problem(
                &section,
                Some("signatories"),
                format!("variant `{name}` selects signatories but [signatories] names no table"),
            )),
            Some(table_name) => match campaign.table(table_name) {
                None => problems.push(mf.problem(
                    "signatories",
                    Some("table"),
                    format!("[signatories] table `{table_name}` is not in [tables]"),
                )),
                Some(table) => {
                    let over = spec.signatories.clone().unwrap_or_default();
                    let filter = over
                        .filter
                        .or_else(|| base.map(|b| b.filter.clone()))
                        .unwrap_or_default();
                    let sort = over.sort.or_else(|| base.and_then(|b| b.sort.clone()));
                    let (sec, key) = if spec.signatories.is_some() {
                        (section.as_str(), "signatories")
                    } else {
                        ("signatories", "where")
                    };
                    for col in select::missing_columns(table, &filter) {
                        problems.push(
                            mf.problem(
                                sec,
                                Some(key),
                                format!("`{col}` is not a column of {}", table.path.display()),
                            )
                            .help(table.columns_help(col)),
                        );
                    }
                    let sort_cols: Vec<String> = sort
                        .as_ref()
                        .map(|s| s.as_slice().to_vec())
                        .unwrap_or_default();
                    for col in &sort_cols {
                        if table.column(col).is_none() {
                            problems.push(
                                mf.problem(
                                    sec,
                                    Some("sort"),
                                    format!(
                                        "cannot sort by `{col}`: not a column of {}",
                                        table.path.display()
                                    ),
                                )
                                .help(table.columns_help(col)),
                            );
                        }
                    }
                    let mut rows: Vec<&Row> = table
                        .rows
                        .iter()
                        .filter(|r| select::matches(table, r, &filter))
                        .collect();
                    if rows.is_empty() && !problems.has_errors() {
                        problems.push(
                            mf.problem(
                                sec,
                                Some(key),
                                format!("the signatory filter of `{name}` selects no row"),
                            )
                            .help(format!("check the values against {}", table.path.display())),
                        );
                    }
                    select::sort_rows(table, &mut rows, &sort_cols);
                    signatories = rows;
                    signatory_table = Some(table);
                }
            },
        }
    }
    if spec.per_signatory && signatory_table.is_none() {
        problems.push(mf.problem(
            &section,
            Some("per_signatory"),
            "per_signatory needs a [signatories] table",
        ));
    }

    let mut vars = m.vars.clone();
    for (k, v) in &spec.vars {
        vars.insert(k.clone(), v.clone());
    }
    let lang = vars
        .get("lang")
        .and_then(Value::as_str)
        .unwrap_or("en")
        .to_string();
    vars.insert("lang".into(), Value::String(lang.clone()));

    if let Some(source) = &spec.translation_of {
        if !m.variants.contains_key(source) || source == name {
            problems.push(mf.problem(
                &section,
                Some("translation_of"),
                format!("`translation_of = \"{source}\"` names no other variant"),
            ));
        }
    }

    let units = match plan_units(campaign, name, &recipients) {
        Ok(u) => u,
        Err(p) => {
            problems.extend(p);
            Vec::new()
        }
    };

    if problems.has_errors() {
        return Err(problems);
    }
    Ok(Variant {
        name: name.to_string(),
        template: spec
            .template
            .as_ref()
            .unwrap_or(&m.letter.template)
            .as_str()
            .to_string(),
        recipients,
        signatories,
        signatory_table,
        vars,
        lang,
        per_signatory: spec.per_signatory,
        not_before: spec.not_before.map(|d| d.to_string()),
        translation_of: spec.translation_of.clone(),
        today,
        units,
        reads: Reads::default(),
    })
}

/// The variant's letters before any per-signatory split: one per recipient row, or per `group` value.
fn plan_units<'c>(
    campaign: &'c Campaign,
    name: &str,
    recipients: &Recipients,
) -> Result<Vec<Unit<'c>>, Problems> {
    let mf = &campaign.manifest;
    let table = &campaign.recipients;
    let section = format!("variants.{name}");
    let filter = match recipients {
        Recipients::Public => {
            return Ok(vec![Unit {
                key: name.to_string(),
                rows: Vec::new(),
            }])
        }
        Recipients::All => None,
        Recipients::Where(w) => Some(w),
    };
    if let Some(w) = filter {
        let missing = select::missing_columns(table, w);
        if !missing.is_empty() {
            return Err(missing
                .into_iter()
                .map(|c| {
                    mf.problem(
                        &section,
                        Some("recipients"),
                        format!("`{c}` is not a column of {}", table.path.display()),
                    )
                    .help(table.columns_help(c))
                })
                .fold(Problems::new(), |mut ps, p| {
                    ps.push(p);
                    ps
                }));
        }
    }
    let rows = table
        .rows
        .iter()
        .filter(|r| filter.is_none_or(|w| select::matches(table, r, w)));
    let group = mf.manifest.letter.group.as_deref();
    let units = match group {
        None => rows
            .map(|r| Unit {
                key: table.key(r).to_string(),
                rows: vec![r],
            })
            .collect(),
        Some(col) => {
            let Some(c) = table.column(col) else {
                return Err(mf
                    .problem(
                        "letter",
                        Some("group"),
                        format!(
                            "`group = \"{col}\"` is not a column of {}",
                            table.path.display()
                        ),
                    )
                    .help(table.columns_help(col))
                    .into());
            };
            // Rows sharing a value become one letter, in the order their first row appears; an empty cell is a
            // letter of its own, keyed by the row.
            let mut units: Vec<Unit> = Vec::new();
            let mut at: HashMap<&str, usize> = HashMap::new();
            for r in rows {
                let g = r.get(c).trim();
                if g.is_empty() {
                    units.push(Unit {
                        key: table.key(r).to_string(),
                        rows: vec![r],
                    });
                } else if let Some(&i) = at.get(g) {
                    units[i].rows.push(r);
                } else {
                    at.insert(g, units.len());
                    units.push(Unit {
                        key: g.to_string(),
                        rows: vec![r],
                    });
                }
            }
            let keys: BTreeSet<&str> = table.rows.iter().map(|r| table.key(r)).collect();
            for (g, &i) in &at {
                if keys.contains(g) && units[i].rows.iter().all(|r| table.key(r) != *g) {
                    return Err(mf
                        .problem("letter", Some("group"), format!("group `{g}` has the same name as a recipient key; the two letters would share an id"))
                        .into());
                }
            }
            units
        }
    };
    if units.is_empty() {
        if let Recipients::Where(_) = recipients {
            return Err(mf
                .problem(
                    &section,
                    Some("recipients"),
                    format!("the recipient filter of `{name}` selects no row"),
                )
                .help(format!("check the values against {}", table.path.display()))
                .into());
        }
    }
    Ok(units)
}

/// `OneOrMany` as a list of owned strings.
pub fn list(v: &Option<OneOrMany>) -> Vec<String> {
    v.as_ref()
        .map(|s| s.as_slice().to_vec())
        .unwrap_or_default()
}
