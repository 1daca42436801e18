//! Offices one run sends letters of several variants. Variants may go to the same office on purpose (a letter and
//! its per-signatory copies), but a coordinator who runs `send` for every variant of a campaign built that way may
//! not mean to: the summary says which offices get more than one variant's letter before the question is asked.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// Offices named in the note; the rest are counted.
const NAMED: usize = 3;

#[derive(Default)]
pub struct Overlap {
    variants: Vec<String>,
    /// By a hash of the envelope (addresses lower case, sorted): a bit per variant, for the first 64 variants.
    seen: HashMap<u64, u64>,
    /// Envelopes that got a second variant: a hash and an address to name it by.
    several: Vec<(u64, String)>,
}

impl Overlap {
    pub fn add(&mut self, variant: &str, to: &[String]) {
        let Some(first) = to.first() else { return };
        let i = match self.variants.iter().position(|v| v == variant) {
            Some(i) => i,
            None => {
                self.variants.push(variant.to_string());
                self.variants.len() - 1
            }
        };
        if i >= 64 {
            return;
        }
        let mut addresses: Vec<String> = to.iter().map(|a| a.trim().to_lowercase()).collect();
        addresses.sort();
        addresses.dedup();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        addresses.hash(&mut h);
        let key = h.finish();
        let mask = self.seen.entry(key).or_default();
        let before = *mask;
        *mask |= 1 << i;
        if before != 0 && before.count_ones() == 1 && *mask != before {
            self.several.push((key, first.clone()));
        }
    }

    /// The note for the summary, when some office gets letters of more than one variant.
    pub fn note(&self) -> Option<String> {
        if self.several.is_empty() {
            return None;
        }
        let named: Vec<String> = self
            .several
            .iter()
            .take(NAMED)
            .map(|(key, address)| {
                let mask = self.seen.get(key).copied().unwrap_or_default();
                let names: Vec<&str> = (0..self.variants.len().min(64))
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| self.variants[i].as_str())
                    .collect();
                format!("{address} ({})", names.join(", "))
            })
            .collect();
        let more = self.several.len().saturating_sub(NAMED);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let n = self.several.len();
        let verb = if n == 1 { "gets" } else { "get" };
        Some(format!(
            "Note: {} {verb} letters of more than one variant: {}{more}. If that is not meant, send one variant at a \
             time (--variant NAME).\n",
            crate::error::count(n, "office"),
            named.join("; ")
        ))
    }
}
