//! One pass over the primary table for every variant of the manifest, before any letter is made: how many rows each
//! variant's `where` picks, how many letters they make (`letter.count` needs the number before the first letter is
//! written), and, with `[letter] group`, which rows go together.
//!
//! What stays in memory is small and known: per variant two counts; per group of rows its first row's number and its
//! members' numbers (4 bytes each), and per distinct group value the value once (a committee's name). The grouped
//! rows themselves go to a [`Spill`] file. A table with no `group` column, or with empty group cells, keeps nothing
//! per row at all.
//!
//! The pass runs once per campaign load (every `Plan` of a command reuses it).

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::diag::Problem;
use crate::load::manifest::{RecipientsOverride, Where};
use crate::load::Campaign;

use super::select;
use super::spill::{Spill, SpillWriter};
use super::DEFAULT_VARIANT;

/// What the pass found.
#[derive(Debug, Default)]
pub struct Found {
    pub variants: BTreeMap<String, Facts>,
    /// The rows with a filled `group` cell.
    pub spill: Option<Spill>,
    /// Why the pass could not finish (the file changed under it, the disk failed).
    pub problem: Option<Problem>,
    /// Per variant, the first group whose value is also the key of a row outside the group: two letters would share
    /// an id.
    pub clashes: BTreeMap<String, String>,
}

/// One variant's letters before any per-signatory split.
#[derive(Debug, Default)]
pub struct Facts {
    /// Rows its `where` picks.
    pub rows: usize,
    /// Letters: one per picked row with an empty group cell, one per group.
    pub units: usize,
    pub groups: Option<Groups>,
}

/// A variant's groups, in the order their first row appears.
#[derive(Debug, Default)]
pub struct Groups {
    /// Per group, the table position (from 0) of its first row.
    first: Vec<u32>,
    /// Per group, where its members start in `members`.
    starts: Vec<u32>,
    /// Spill numbers of the members, group after group, each group's in file order.
    members: Vec<u32>,
}

impl Groups {
    pub fn len(&self) -> usize {
        self.first.len()
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
    }

    /// The table position of group `g`'s first row.
    pub fn first(&self, g: usize) -> u32 {
        self.first[g]
    }

    /// The spill numbers of group `g`'s rows.
    pub fn members(&self, g: usize) -> &[u32] {
        let start = self.starts[g] as usize;
        let end = self
            .starts
            .get(g + 1)
            .map_or(self.members.len(), |&e| e as usize);
        &self.members[start..end]
    }
}

/// A variant as the pass sees it.
struct Picker<'m> {
    name: String,
    filter: Option<&'m Where>,
    facts: Facts,
    /// Global group number → this variant's, `u32::MAX` where none yet.
    local: Vec<u32>,
    /// Per local group: its global number, and whether one of its own rows has its value as key.
    global: Vec<u32>,
    self_keyed: Vec<bool>,
    /// (local group, spill number) per grouped row.
    pairs: Vec<(u32, u32)>,
}

/// Runs the pass.
pub fn find(campaign: &Campaign) -> Found {
    let m = &campaign.manifest.manifest;
    let table = &campaign.recipients;
    let names: Vec<String> = if m.variants.is_empty() {
        vec![DEFAULT_VARIANT.to_string()]
    } else {
        m.variants.keys().cloned().collect()
    };
    let mut pickers: Vec<Picker> = Vec::new();
    let mut found = Found::default();
    for name in names {
        let filter = match m.variants.get(&name).and_then(|v| v.recipients.as_ref()) {
            Some(RecipientsOverride::Enabled(false)) => {
                // One public copy, no rows.
                found.variants.insert(
                    name,
                    Facts {
                        rows: 0,
                        units: 1,
                        groups: None,
                    },
                );
                continue;
            }
            Some(RecipientsOverride::Filter(f)) => Some(&f.filter),
            _ => None,
        };
        // A filter naming a missing column is the plan's error to report.
        if filter.is_some_and(|w| !select::missing_columns(table, w).is_empty()) {
            continue;
        }
        pickers.push(Picker {
            name,
            filter,
            facts: Facts::default(),
            local: Vec::new(),
            global: Vec::new(),
            self_keyed: Vec::new(),
            pairs: Vec::new(),
        });
    }
    let group = m.letter.group.as_deref().and_then(|g| table.column(g));
    if group.is_none() && pickers.iter().all(|p| p.filter.is_none()) {
        // Every variant takes every row, one letter each: the load already counted them, and a pass would only read
        // the file once more before the first letter (a tenth of rendering ten thousand).
        for p in pickers {
            let facts = Facts {
                rows: table.len(),
                units: table.len(),
                groups: None,
            };
            found.variants.insert(p.name, facts);
        }
        return found;
    }
    let mut spill = None;
    let values = match pass(campaign, group, &mut pickers, &mut spill) {
        Ok(v) => v,
        Err(p) => {
            found.problem = Some(p);
            Values::default()
        }
    };
    found.spill = spill;
    // Candidates for a group named like another row's key, each looked at again exactly below.
    let mut candidates: Vec<(String, u32)> = Vec::new();
    for p in &mut pickers {
        if group.is_some() {
            let mut pairs = std::mem::take(&mut p.pairs);
            pairs.sort_by_key(|&(g, _)| g);
            let mut groups = Groups {
                first: std::mem::take(&mut p.facts.groups.take().unwrap_or_default().first),
                starts: Vec::with_capacity(p.global.len()),
                members: Vec::with_capacity(pairs.len()),
            };
            for (i, &(g, n)) in pairs.iter().enumerate() {
                if i == 0 || pairs[i - 1].0 != g {
                    groups.starts.push(groups.members.len() as u32);
                }
                groups.members.push(n);
            }
            p.facts.groups = Some(groups);
            for (g, &global) in p.global.iter().enumerate() {
                if !p.self_keyed[g] {
                    candidates.push((p.name.clone(), global));
                }
            }
        }
        found
            .variants
            .insert(p.name.clone(), std::mem::take(&mut p.facts));
    }
    if !candidates.is_empty() && found.problem.is_none() {
        if let Err(p) = clashes(campaign, &candidates, &values, &mut found) {
            found.problem = Some(p);
        }
    }
    found
}

/// Group values by global number, while the pass runs.
#[derive(Default)]
struct Values {
    ids: HashMap<Box<str>, u32>,
    by_id: Vec<Box<str>>,
}

fn pass(
    campaign: &Campaign,
    group: Option<usize>,
    pickers: &mut [Picker],
    spill: &mut Option<Spill>,
) -> Result<Values, Problem> {
    let table = &campaign.recipients;
    let mut writer = None;
    let mut values = Values::default();
    let spill_error = |e: std::io::Error| {
        Problem::error(format!(
            "cannot set grouped rows aside in a temporary file: {e}"
        ))
        .help("check the free space of the temporary folder (TMPDIR)")
    };
    for (i, row) in table.rows()?.enumerate() {
        let row = row?;
        let value = group.map(|c| row.get(c).trim()).filter(|v| !v.is_empty());
        // A group's value is its letter's key, a part of the letter's id.
        if let Some(v) = value.filter(|v| v.contains('/')) {
            return Err(Problem::error(format!(
                "line {} has a `/` in its group {v:?}",
                row.line
            ))
            .in_file(&table.path)
            .at(row.line, None)
            .help("`/` separates the parts of a letter's id (VARIANT/KEY/SIGNATORY): use `-` or `_` in the group"));
        }
        let mut spilled: Option<(u32, u32)> = None;
        for p in pickers.iter_mut() {
            if p.filter.is_some_and(|w| !select::matches(table, &row, w)) {
                continue;
            }
            p.facts.rows += 1;
            let Some(v) = value else {
                p.facts.units += 1;
                continue;
            };
            let (global, n) = match spilled {
                Some(s) => s,
                None => {
                    if writer.is_none() {
                        writer = Some(SpillWriter::new().map_err(spill_error)?);
                    }
                    let n = writer
                        .as_mut()
                        .map(|w| w.push(&row))
                        .transpose()
                        .map_err(spill_error)?
                        .unwrap_or_default();
                    let next = values.by_id.len() as u32;
                    let global = *values.ids.entry(v.into()).or_insert_with(|| next);
                    if global == next {
                        values.by_id.push(v.into());
                    }
                    spilled = Some((global, n));
                    (global, n)
                }
            };
            if p.local.len() <= global as usize {
                p.local.resize(global as usize + 1, u32::MAX);
            }
            let mut local = p.local[global as usize];
            if local == u32::MAX {
                local = p.global.len() as u32;
                p.local[global as usize] = local;
                p.global.push(global);
                p.self_keyed.push(false);
                p.facts
                    .groups
                    .get_or_insert_with(Groups::default)
                    .first
                    .push(i as u32);
                p.facts.units += 1;
            }
            if table.key(&row) == v {
                p.self_keyed[local as usize] = true;
            }
            p.pairs.push((local, n));
        }
    }
    if let Some(w) = writer {
        *spill = Some(w.finish().map_err(spill_error)?);
    }
    Ok(values)
}

/// The exact look at groups whose value may be another row's key: a second pass over the keys.
fn clashes(
    campaign: &Campaign,
    candidates: &[(String, u32)],
    values: &Values,
    found: &mut Found,
) -> Result<(), Problem> {
    let table = &campaign.recipients;
    let wanted: Vec<(&str, &str)> = candidates
        .iter()
        .map(|(v, g)| (v.as_str(), &*values.by_id[*g as usize]))
        .filter(|(_, value)| table.may_have_key(value))
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let names: HashSet<&str> = wanted.iter().map(|(_, value)| *value).collect();
    let mut keys: HashSet<String> = HashSet::new();
    for row in table.rows()? {
        let row = row?;
        let key = table.key(&row);
        if names.contains(key) {
            keys.insert(key.to_owned());
        }
    }
    for (variant, value) in wanted {
        if keys.contains(value) && !found.clashes.contains_key(variant) {
            found.clashes.insert(variant.to_owned(), value.to_owned());
        }
    }
    Ok(())
}
