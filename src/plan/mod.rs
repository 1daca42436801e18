//! Plan: which letters a run makes — variants × recipients (× signatories) — before any template runs.
//!
//! The primary table is never held: [`facts`] counts each variant's letters in one pass, and [`stream`] reads the
//! table again to hand out letters in bounded batches, each [`Unit`] owning its rows until the batch is dropped.

pub(crate) mod channel;
pub(crate) mod facts;
mod options;
pub(crate) mod reads;
pub(crate) mod select;
mod spill;
pub mod stream;

use chrono::NaiveDate;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::diag::Problems;
use crate::load::manifest::{RecipientsOverride, Where};
use crate::load::table::{Row, Shape, Table};
use crate::load::Campaign;
use channel::{Channel, UnknownChannel};
pub use options::{PlanOptions, UnknownVariant};
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
    /// Letters before the per-signatory split (from [`facts`]); [`stream`] hands them out.
    pub unit_count: usize,
    /// What its letter reads (partials, tables, signatory columns).
    pub reads: Reads,
}

/// One letter before the per-signatory split: its key and its addressee rows, owned for as long as its batch lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub key: String,
    pub rows: Vec<Row>,
}

/// One letter to render.
#[derive(Debug, Clone, Copy)]
pub struct Letter<'p, 'c> {
    pub variant: &'p Variant<'c>,
    pub unit: &'p Unit,
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

    /// In a per-signatory letter, short fingerprints that know the signing organization without its key: one of its
    /// row's other values (sorted), one of each email address in the row and one of each organization name (lower
    /// case). A key, or the key column, renamed leaves the first the same; an edit of the row besides (a title
    /// corrected, a new address) leaves the others. So the journal knows the organization under its new key
    /// (`deliver::moved`), as long as its old key is gone.
    pub fn signer_prints(&self) -> Vec<String> {
        let (Some(table), Some(row)) = (self.variant.signatory_table, self.signatory) else {
            return Vec::new();
        };
        let print = |values: &[&str]| {
            let mut d = Sha256::new();
            for v in values {
                d.update((v.len() as u64).to_le_bytes());
                d.update(v.as_bytes());
            }
            format!("{:x}", d.finalize())[..16].to_string()
        };
        let mut values: Vec<&str> = (0..table.headers.len())
            .filter(|&c| c != table.key_column)
            .map(|c| row.get(c).trim())
            .collect();
        values.sort_unstable();
        let mut prints = vec![print(&values)];
        let mut emails: Vec<String> = values
            .iter()
            .filter(|v| v.contains('@') && !v.contains(char::is_whitespace))
            .map(|v| v.to_lowercase())
            .collect();
        emails.dedup();
        prints.extend(emails.iter().map(|e| print(&["@", e])));
        // Its name, in any language column (`organization`, `organization_es`): a sheet cleaned up may change the
        // key and the address together.
        for (c, header) in table.headers.iter().enumerate() {
            let h = header.to_lowercase();
            let name = row.get(c).trim();
            if c != table.key_column
                && (h.starts_with("organization") || h.starts_with("organisation"))
                && !name.is_empty()
            {
                prints.push(print(&["organization", &name.to_lowercase()]));
            }
        }
        prints.sort();
        prints.dedup();
        prints
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
        self.unit.rows.first()
    }

    /// How the letter reaches its office: the first addressee row's `channel` (a public copy: email, never sent).
    pub fn channel(&self, recipients: &Shape) -> Result<Channel, UnknownChannel> {
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
            self.unit_count * self.signatories.len()
        } else {
            self.unit_count
        }
    }

    /// The letters of a unit, the `n`th (from 0) of the variant: one, or one per signatory.
    pub fn letters_of<'p>(
        &'p self,
        unit: &'p Unit,
        n: usize,
    ) -> impl Iterator<Item = Letter<'p, 'c>> + 'p {
        let count = self.letter_count();
        let sigs: Vec<Option<&'c Row>> = if self.per_signatory {
            self.signatories.iter().map(|r| Some(*r)).collect()
        } else {
            vec![None]
        };
        let per = sigs.len();
        sigs.into_iter()
            .enumerate()
            .map(move |(s, signatory)| Letter {
                variant: self,
                unit,
                signatory,
                index: n * per + s + 1,
                count,
            })
    }

    pub fn is_public(&self) -> bool {
        matches!(self.recipients, Recipients::Public)
    }
}

#[derive(Debug)]
pub struct Plan<'c> {
    pub campaign: &'c Campaign,
    pub variants: Vec<Variant<'c>>,
    /// Every template, parsed once.
    pub parsed: Parsed,
}

/// The variants the manifest declares, in its order (`default` when it declares none).
pub fn variant_names(campaign: &Campaign) -> Vec<String> {
    let variants = &campaign.manifest.manifest.variants;
    if variants.is_empty() {
        vec![DEFAULT_VARIANT.to_string()]
    } else {
        variants.keys().cloned().collect()
    }
}

impl<'c> Plan<'c> {
    pub fn new(campaign: &'c Campaign, opts: &PlanOptions) -> Result<Plan<'c>, Problems> {
        let mut problems = Problems::new();
        let names = variant_names(campaign);
        for unknown in opts.unknown_variants(&names) {
            problems.push(unknown.problem());
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
                .map(|a| a.date);
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
                    // A signatory's key is the last part of a per-signatory letter's id: a `/` would let two
                    // letters share one.
                    if let Some(r) = rows.iter().find(|r| table.key(r).contains('/')) {
                        problems.push(
                            crate::diag::Problem::error(format!(
                                "line {} has a `/` in its key {:?}",
                                r.line,
                                table.key(r)
                            ))
                            .in_file(&table.path)
                            .at(r.line, None)
                            .help(
                                "`/` separates the parts of a letter's id (VARIANT/KEY/SIGNATORY): use `-` or `_` \
                                 in the signatories' keys",
                            ),
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

    let unit_count = match plan_units(campaign, name, &recipients) {
        Ok(u) => u,
        Err(p) => {
            problems.extend(p);
            0
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
        unit_count,
        reads: Reads::default(),
    })
}

/// How many letters the variant makes before any per-signatory split: one per recipient row, or per `group`
/// value, as the facts pass counted them; the plan's problems with `where` and `group` here.
fn plan_units(campaign: &Campaign, name: &str, recipients: &Recipients) -> Result<usize, Problems> {
    let mf = &campaign.manifest;
    let table = &campaign.recipients;
    let section = format!("variants.{name}");
    let filter = match recipients {
        Recipients::Public => return Ok(1),
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
                .collect());
        }
    }
    if let Some(col) = mf.manifest.letter.group.as_deref() {
        if table.column(col).is_none() {
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
        }
    }
    let found = campaign.facts();
    if let Some(p) = &found.problem {
        return Err(p.clone().into());
    }
    if let Some(g) = found.clashes.get(name) {
        return Err(mf
            .problem("letter", Some("group"), format!("group `{g}` has the same name as a recipient key; the two letters would share an id"))
            .into());
    }
    let units = found.variants.get(name).map_or(0, |f| f.units);
    if units == 0 {
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
