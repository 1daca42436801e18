//! Letters in bounded batches: the primary table is read again, variant after variant, and each batch owns the rows
//! of at most [`BATCH`] letters; a command renders, writes or sends them, and drops the batch before the next one
//! is read. Memory therefore stays the same for ten letters and for a million.
//!
//! Order is the plan's: variants in manifest order, each variant's letters in the order of their first row (a
//! group's letter where its first row is), one letter per signatory in list order for `per_signatory`. A letter's
//! `index` and `count` are over the whole variant, whatever `--only` and `--limit` pick.

use crate::diag::Problem;
use crate::load::manifest::Where;
use crate::load::table::{Primary, Rows};

use super::facts::Groups;
use super::spill::Spill;
use super::{Letter, Plan, Recipients, Unit, Variant};

/// Letters per batch: enough to keep every core busy, few enough that a batch of letters with their PDFs stays
/// small.
pub const BATCH: usize = 1024;

/// Which letters a stream hands out: `--only` patterns (none: every letter) and `--limit`.
#[derive(Debug, Clone, Default)]
pub struct Pick {
    pub only: Vec<String>,
    pub limit: Option<usize>,
}

impl Pick {
    pub fn all() -> Pick {
        Pick::default()
    }
}

/// Up to [`BATCH`] letters of one variant, with the rows they need.
#[derive(Debug)]
pub struct Batch<'p, 'c> {
    pub variant: &'p Variant<'c>,
    /// (the unit's number in the variant from 0, the unit).
    units: Vec<(usize, Unit)>,
    /// Per letter picked: (its unit's place in `units`, its signatory's number).
    picks: Vec<(usize, usize)>,
}

impl<'c> Batch<'_, 'c> {
    /// The letters picked, in plan order.
    pub fn letters(&self) -> Vec<Letter<'_, 'c>> {
        self.picks
            .iter()
            .filter_map(|&(slot, s)| {
                let (n, unit) = &self.units[slot];
                self.variant.letters_of(unit, *n).nth(s)
            })
            .collect()
    }

    /// The units of the letters picked, each once, in plan order.
    pub fn units(&self) -> impl Iterator<Item = &Unit> {
        self.units.iter().map(|(_, u)| u)
    }

    pub fn len(&self) -> usize {
        self.picks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.picks.is_empty()
    }
}

/// The batches of a plan.
pub struct Batches<'p, 'c> {
    plan: &'p Plan<'c>,
    pick: Pick,
    size: usize,
    variant: usize,
    units: Option<Units<'p>>,
    unit_no: usize,
    picked: usize,
    done: bool,
}

impl<'c> Plan<'c> {
    /// Every letter `pick` picks, in batches of at most `size` letters.
    pub fn batches<'p>(&'p self, pick: &Pick, size: usize) -> Batches<'p, 'c> {
        Batches {
            plan: self,
            pick: pick.clone(),
            size: size.max(1),
            variant: 0,
            units: None,
            unit_no: 0,
            picked: 0,
            done: false,
        }
    }

    /// The variant's units (letters before the per-signatory split), read from the table one by one.
    pub fn units<'p>(&'p self, variant: &'p Variant<'c>) -> Result<Units<'p>, Problem> {
        Units::new(self, variant)
    }

    /// The variant's first unit: what `approve` and the proof show as its letter.
    pub fn first_unit(&self, variant: &Variant<'c>) -> Result<Option<Unit>, Problem> {
        self.units(variant)?.next().transpose()
    }

    /// `f` of the variant's first letter, if it has one.
    pub fn with_first_letter<R>(
        &self,
        variant: &Variant<'c>,
        f: impl FnOnce(&Letter<'_, 'c>) -> R,
    ) -> Result<Option<R>, Problem> {
        let Some(unit) = self.first_unit(variant)? else {
            return Ok(None);
        };
        let first = variant.letters_of(&unit, 0).next().map(|l| f(&l));
        Ok(first)
    }

    /// Whether a letter of the variant is addressed to the row on `line` of the primary table (reads the table).
    pub fn has_row_at(&self, variant: &Variant<'c>, line: usize) -> bool {
        self.units(variant).is_ok_and(|mut units| {
            units.any(|u| u.is_ok_and(|u| u.rows.iter().any(|r| r.line == line)))
        })
    }
}

impl<'p, 'c> Iterator for Batches<'p, 'c> {
    type Item = Result<Batch<'p, 'c>, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done || self.pick.limit.is_some_and(|l| self.picked >= l) {
                self.done = true;
                return None;
            }
            let Some(variant) = self.plan.variants.get(self.variant) else {
                self.done = true;
                return None;
            };
            if self.units.is_none() {
                match self.plan.units(variant) {
                    Ok(u) => self.units = Some(u),
                    Err(p) => {
                        self.done = true;
                        return Some(Err(p));
                    }
                }
                self.unit_no = 0;
            }
            let mut batch = Batch {
                variant,
                units: Vec::new(),
                picks: Vec::new(),
            };
            while batch.picks.len() < self.size && batch.units.len() < self.size {
                if self.pick.limit.is_some_and(|l| self.picked >= l) {
                    break;
                }
                let next = self.units.as_mut().and_then(Iterator::next);
                let unit = match next {
                    None => {
                        self.variant += 1;
                        self.units = None;
                        break;
                    }
                    Some(Err(p)) => {
                        self.done = true;
                        return Some(Err(p));
                    }
                    Some(Ok(u)) => u,
                };
                let n = self.unit_no;
                self.unit_no += 1;
                let picked: Vec<usize> = variant
                    .letters_of(&unit, n)
                    .enumerate()
                    .filter(|(_, l)| l.selected_by(&self.pick.only))
                    .map(|(s, _)| s)
                    .collect();
                if picked.is_empty() {
                    continue;
                }
                let slot = batch.units.len();
                for s in picked {
                    if self.pick.limit.is_some_and(|l| self.picked >= l) {
                        break;
                    }
                    batch.picks.push((slot, s));
                    self.picked += 1;
                }
                batch.units.push((n, unit));
            }
            if !batch.picks.is_empty() {
                return Some(Ok(batch));
            }
        }
    }
}

/// A variant's units as the table is read.
pub struct Units<'p> {
    rows: Option<Rows<'p>>,
    public: Option<Unit>,
    table: &'p Primary,
    filter: Option<&'p Where>,
    group: Option<(usize, Option<&'p Groups>, Option<&'p Spill>)>,
    /// The table position (from 0) of the next row.
    at: u32,
    next_group: usize,
}

impl<'p> Units<'p> {
    fn new<'c>(plan: &'p Plan<'c>, variant: &'p Variant<'c>) -> Result<Units<'p>, Problem> {
        let campaign = plan.campaign;
        let table = &campaign.recipients;
        let mut units = Units {
            rows: None,
            public: None,
            table,
            filter: None,
            group: None,
            at: 0,
            next_group: 0,
        };
        match &variant.recipients {
            Recipients::Public => {
                units.public = Some(Unit {
                    key: variant.name.clone(),
                    rows: Vec::new(),
                });
                return Ok(units);
            }
            Recipients::Where(w) => units.filter = Some(w),
            Recipients::All => {}
        }
        let found = campaign.facts();
        if let Some(c) = campaign
            .manifest
            .manifest
            .letter
            .group
            .as_deref()
            .and_then(|g| table.column(g))
        {
            let groups = found
                .variants
                .get(&variant.name)
                .and_then(|f| f.groups.as_ref());
            units.group = Some((c, groups, found.spill.as_ref()));
        }
        units.rows = Some(table.rows()?);
        Ok(units)
    }
}

impl Iterator for Units<'_> {
    type Item = Result<Unit, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(u) = self.public.take() {
            return Some(Ok(u));
        }
        let rows = self.rows.as_mut()?;
        loop {
            let row = match rows.next()? {
                Ok(r) => r,
                Err(p) => return Some(Err(p)),
            };
            let at = self.at;
            self.at += 1;
            if self
                .filter
                .is_some_and(|w| !super::select::matches(self.table, &row, w))
            {
                continue;
            }
            let Some((c, groups, spill)) = self.group else {
                return Some(Ok(Unit {
                    key: self.table.key(&row).to_string(),
                    rows: vec![row],
                }));
            };
            let value = row.get(c).trim();
            if value.is_empty() {
                // An empty group cell is a letter of its own, keyed by the row.
                return Some(Ok(Unit {
                    key: self.table.key(&row).to_string(),
                    rows: vec![row],
                }));
            }
            let (Some(groups), Some(spill)) = (groups, spill) else {
                return Some(Err(changed(self.table)));
            };
            if self.next_group < groups.len() && groups.first(self.next_group) == at {
                // The group's letter goes where its first row is, with every row of the group.
                let g = self.next_group;
                self.next_group += 1;
                return Some(
                    spill
                        .read(groups.members(g))
                        .map(|rows| Unit {
                            key: value.to_string(),
                            rows,
                        })
                        .map_err(|e| {
                            Problem::error(format!(
                                "cannot read grouped rows back from their temporary file: {e}"
                            ))
                            .help("check the free space of the temporary folder (TMPDIR)")
                        }),
                );
            }
            // A later row of a group whose letter was handed out at its first row.
        }
    }
}

fn changed(table: &Primary) -> Problem {
    Problem::error(format!(
        "{} changed while lettermerge was reading it: its groups are not those counted",
        table.path.display()
    ))
    .in_file(&table.path)
    .help("let the spreadsheet finish saving, then run the command again")
}
