//! `check`'s one pass over the primary table's rows: keys that differ only by case, each row's channel, the roster,
//! and addresses two rows share. The table is read once (a second time only when a hash repeats: the exact look
//! that names both rows), and what is kept per row is two 8-byte hashes.

use crate::diag::{Problem, Problems};
use crate::load::table::dups::{self, Hashes};
use crate::load::Campaign;
use crate::render::helpers::split_cell;

use super::{channels, filters, roster, rows};

/// The pass's problems, by the check that found them (`check` lists each where it always has).
#[derive(Default)]
pub struct Found {
    pub case_keys: Problems,
    pub roster: Problems,
    pub channels: Problems,
    pub addresses: Problems,
    /// Rows a variant's `where` misses only by spaces or case.
    pub filters: Problems,
}

pub fn pass(campaign: &Campaign) -> Found {
    let mut found = Found::default();
    if let Err(p) = read(campaign, &mut found) {
        found.case_keys.push(p);
    }
    found
}

fn read(campaign: &Campaign, found: &mut Found) -> Result<(), Problem> {
    let t = &campaign.recipients;
    let checker = match roster::checker(campaign) {
        None => None,
        Some(Err(p)) => {
            found.roster.extend(p);
            None
        }
        Some(Ok((c, p))) => {
            found.roster.extend(p);
            Some(c)
        }
    };
    let email = t.column("email");
    let (mut keys, mut addresses) = (Hashes::new(), Hashes::new());
    let mut near = filters::Recipients::new(campaign);
    for row in t.rows()? {
        let row = row?;
        near.row(t, &row);
        keys.push(&rows::fold_key(t.key(&row)));
        if let Some(c) = email {
            for addr in split_cell(row.get(c)) {
                addresses.push(&rows::fold_address(&addr));
            }
        }
        if let Some(c) = &checker {
            found.roster.extend(c.row(t, &row));
        }
        found.channels.extend(channels::row(t, &row));
    }
    found.filters = near.finish(t);
    let (keys, addresses) = (keys.repeated(), addresses.repeated());
    if keys.is_empty() && addresses.is_empty() {
        return Ok(());
    }
    // The exact look, at the rows whose hashes repeat.
    let (mut seen_keys, mut seen_addresses) = (Vec::new(), Vec::new());
    for row in t.rows()? {
        let row = row?;
        let key = t.key(&row);
        let lower = rows::fold_key(key);
        if keys.contains(&lower) {
            seen_keys.push((lower, (key.to_owned(), row.line)));
        }
        if let Some(c) = email {
            for addr in split_cell(row.get(c)) {
                let norm = rows::fold_address(&addr);
                if addresses.contains(&norm) {
                    seen_addresses.push((norm, (addr, row.line)));
                }
            }
        }
    }
    for r in dups::repeats(seen_keys) {
        let ((first, first_line), (key, line)) = (r.first, r.at);
        // Keys are unique, so a repeat of the folded key is two keys that differ by case.
        if first != key {
            found
                .case_keys
                .push(rows::case_key(t, &first, first_line, &key, line));
        }
    }
    for r in dups::repeats(seen_addresses) {
        let ((addr, line), (_, previous)) = (r.at, r.previous);
        found
            .addresses
            .push(rows::shared_address(t, &addr, line, previous));
    }
    Ok(())
}
