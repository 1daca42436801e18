//! Repeated values among a million rows without holding the values: a 64-bit hash of each as it streams by, then an
//! exact second look at the few values whose hashes repeat. A repeat found this way is certain (the second look
//! compares the values themselves), and a value is never taken for another because their hashes collide.
//!
//! The hashes are keyed afresh for every run (std's SipHash with a random key), so no table can be written to make
//! its values collide on purpose.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::sync::LazyLock;

static KEYS: LazyLock<RandomState> = LazyLock::new(RandomState::new);

/// A value's hash for this run.
pub fn hash(value: &str) -> u64 {
    KEYS.hash_one(value)
}

/// The hashes of values as they stream by: 8 bytes each.
#[derive(Debug, Clone)]
pub struct Hashes {
    hash: fn(&str) -> u64,
    seen: Vec<u64>,
    sorted: bool,
}

impl Default for Hashes {
    fn default() -> Self {
        Hashes::with(hash)
    }
}

impl Hashes {
    pub fn new() -> Hashes {
        Hashes::default()
    }

    /// With another hash function: tests force collisions with a weak one.
    pub fn with(hash: fn(&str) -> u64) -> Hashes {
        Hashes {
            hash,
            seen: Vec::new(),
            sorted: true,
        }
    }

    pub fn push(&mut self, value: &str) {
        self.seen.push((self.hash)(value));
        self.sorted = false;
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    fn sort(&mut self) {
        if !self.sorted {
            self.seen.sort_unstable();
            self.sorted = true;
        }
    }

    /// The hashes seen more than once: the values worth a second look (none, nearly always).
    pub fn repeated(&mut self) -> Suspects {
        self.sort();
        let set = self
            .seen
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        self.seen.shrink_to_fit();
        Suspects {
            hash: self.hash,
            set,
        }
    }

    /// Whether `value` may have been seen, on hashes already sorted (after [`Hashes::repeated`]): `false` is
    /// certain, `true` needs a second look.
    pub fn may_contain_sorted(&self, value: &str) -> bool {
        debug_assert!(self.sorted);
        self.seen.binary_search(&(self.hash)(value)).is_ok()
    }
}

/// Hashes seen more than once.
#[derive(Debug, Clone)]
pub struct Suspects {
    hash: fn(&str) -> u64,
    set: HashSet<u64>,
}

impl Suspects {
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Whether `value` must be looked at again.
    pub fn contains(&self, value: &str) -> bool {
        !self.set.is_empty() && self.set.contains(&(self.hash)(value))
    }
}

/// A value met again, exactly: where, where first, and where just before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeat<T> {
    pub value: String,
    pub at: T,
    pub first: T,
    pub previous: T,
}

/// The repeats among values picked up by the second look, in the order given (the order of the stream).
pub fn repeats<T: Clone>(seen: impl IntoIterator<Item = (String, T)>) -> Vec<Repeat<T>> {
    let mut met: HashMap<String, (T, T)> = HashMap::new();
    let mut out = Vec::new();
    for (value, at) in seen {
        match met.get_mut(&value) {
            Some((first, previous)) => {
                out.push(Repeat {
                    value,
                    at: at.clone(),
                    first: first.clone(),
                    previous: std::mem::replace(previous, at),
                });
            }
            None => {
                met.insert(value, (at.clone(), at));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value of the same length collides.
    fn weak(value: &str) -> u64 {
        value.len() as u64
    }

    fn second_look(values: &[&str], hashes: fn(&str) -> u64) -> Vec<Repeat<usize>> {
        let mut h = Hashes::with(hashes);
        for v in values {
            h.push(v);
        }
        let suspects = h.repeated();
        repeats(
            values
                .iter()
                .enumerate()
                .filter(|(_, v)| suspects.contains(v))
                .map(|(i, v)| (v.to_string(), i)),
        )
    }

    #[test]
    fn colliding_hashes_are_not_repeats_the_second_look_compares_values() {
        // "ab", "cd" and "ef" share a hash under `weak`; only "cd" is really there twice.
        let found = second_look(&["ab", "cd", "xyz", "ef", "cd"], weak);
        assert_eq!(
            found,
            [Repeat {
                value: "cd".into(),
                at: 4,
                first: 1,
                previous: 1
            }]
        );
        assert!(second_look(&["ab", "cd", "ef"], weak).is_empty());
    }

    #[test]
    fn a_third_occurrence_names_the_first_and_the_one_before() {
        let found = second_look(&["a", "b", "a", "a"], hash);
        assert_eq!(found.len(), 2);
        assert_eq!((found[1].at, found[1].first, found[1].previous), (3, 0, 2));
    }

    #[test]
    fn no_repeat_no_suspect_and_membership_is_exact_when_absent() {
        let mut h = Hashes::new();
        for i in 0..10_000 {
            h.push(&format!("key{i}"));
        }
        assert!(h.repeated().is_empty());
        assert!(h.may_contain_sorted("key42"));
        assert!(!h.may_contain_sorted("key10000"));
        assert_eq!(h.len(), 10_000);
    }
}
