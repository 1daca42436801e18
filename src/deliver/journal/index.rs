//! The journal, read once into a compact index: per letter 48 bytes (a 128-bit key of its id, where its records are,
//! its last send state, the short hash of what was sent), never its records. A million letters sent make a 1 GB
//! journal and a 48 MB index; a record is read back from the file, by its offset, only when it is shown.
//!
//! The key is two 64-bit SipHashes of the id with keys drawn at random for each run: two ids of a campaign sharing
//! one is as likely as guessing a 128-bit secret, and no journal can be written to make them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasher, RandomState};
use std::sync::LazyLock;

use super::{Record, SendState, State};

static KEYS: LazyLock<(RandomState, RandomState)> =
    LazyLock::new(|| (RandomState::new(), RandomState::new()));

/// A letter id's key for this run.
pub fn key(id: &str) -> u128 {
    let (a, b) = &*KEYS;
    ((a.hash_one(id) as u128) << 64) | b.hash_one(id) as u128
}

const NONE: u64 = u64::MAX;
const NO_MARKS: u32 = u32::MAX;

/// One letter in the index.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub key: u128,
    /// Offset of its first record, for the order letters first appear in.
    pub first: u64,
    /// Offset of its last send-state record (`NONE`: never handed over).
    pub send: u64,
    /// The short hash of that record's message.
    pub hash: u64,
    /// Its marks since that record, in `Index::marks` (`NO_MARKS`: none).
    marks: u32,
    variant: u16,
    state: u8,
    flags: u8,
}

const OFFICE_HAS_IT: u8 = 1;
const EVER_SENT: u8 = 2;

impl Entry {
    /// The last send state, if it was ever handed to a server.
    pub fn send_state(&self) -> Option<SendState> {
        match self.state {
            1 => Some(SendState::Sending),
            2 => Some(SendState::Sent),
            3 => Some(SendState::Failed),
            4 => Some(SendState::Uncertain),
            _ => None,
        }
    }

    /// A mark since the last send says the office has the letter.
    pub fn office_has_it(&self) -> bool {
        self.flags & OFFICE_HAS_IT != 0
    }

    /// Where to read a record that names the letter: its last send, else its first record.
    pub fn some_record(&self) -> u64 {
        if self.send != NONE {
            self.send
        } else {
            self.first
        }
    }
}

fn state_code(s: SendState) -> u8 {
    match s {
        SendState::Sending => 1,
        SendState::Sent => 2,
        SendState::Failed => 3,
        SendState::Uncertain => 4,
    }
}

/// Every letter the journal names.
#[derive(Debug, Default)]
pub struct Index {
    /// By key.
    sorted: Vec<Entry>,
    /// Letters met since `sorted` was last rebuilt, by key: merged into it when it grows.
    recent: HashMap<u128, Entry>,
    /// Offsets of marks since the last send, for letters that have some.
    marks: Vec<Vec<u64>>,
    variants: Vec<String>,
    /// Per variant, the time of its last `sent` record (RFC 3339, as approvals.toml keeps it).
    sent_last: BTreeMap<String, chrono::DateTime<chrono::Utc>>,
    /// Every signatory key any record carried.
    pub signatories: BTreeSet<String>,
    /// A letter was sent under an approval.
    pub approved_sends: bool,
    pub records: usize,
}

impl Index {
    /// Takes `record`, found at `offset`, into the index.
    pub fn add(&mut self, record: &Record, offset: u64) {
        self.records += 1;
        if record.approval.is_some() {
            self.approved_sends = true;
        }
        for s in &record.signatories {
            if !self.signatories.contains(s) {
                self.signatories.insert(s.clone());
            }
        }
        let variant = match self.variants.iter().position(|v| *v == record.variant) {
            Some(v) => v,
            None => {
                self.variants.push(record.variant.clone());
                self.variants.len() - 1
            }
        } as u16;
        let k = key(&record.id);
        let fresh = Entry {
            key: k,
            first: offset,
            send: NONE,
            hash: 0,
            marks: NO_MARKS,
            variant,
            state: 0,
            flags: 0,
        };
        let entry = match self.sorted.binary_search_by_key(&k, |e| e.key) {
            Ok(i) => &mut self.sorted[i],
            Err(_) => self.recent.entry(k).or_insert(fresh),
        };
        match record.state {
            State::Send(s) => {
                entry.send = offset;
                entry.hash = crate::deliver::send::short_hash(&record.hash);
                entry.state = state_code(s);
                entry.flags &= !OFFICE_HAS_IT;
                entry.marks = NO_MARKS;
                if s == SendState::Sent {
                    entry.flags |= EVER_SENT;
                    let last = self
                        .sent_last
                        .entry(record.variant.clone())
                        .or_insert(record.at);
                    *last = (*last).max(record.at);
                }
            }
            State::Mark(m) => {
                if m.office_has_it() {
                    entry.flags |= OFFICE_HAS_IT;
                }
                if entry.marks == NO_MARKS {
                    entry.marks = self.marks.len() as u32;
                    self.marks.push(Vec::new());
                }
                self.marks[entry.marks as usize].push(offset);
            }
        }
        if self.recent.len() > 4096 && self.recent.len() > self.sorted.len() / 4 {
            self.merge();
        }
    }

    /// `recent` into `sorted`.
    fn merge(&mut self) {
        self.sorted.reserve_exact(self.recent.len());
        self.sorted.extend(self.recent.drain().map(|(_, e)| e));
        self.sorted.sort_unstable_by_key(|e| e.key);
        self.recent.shrink_to_fit();
    }

    /// Done adding: everything sorted, spare room given back.
    pub fn seal(&mut self) {
        self.merge();
        self.sorted.shrink_to_fit();
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        let k = key(id);
        match self.sorted.binary_search_by_key(&k, |e| e.key) {
            Ok(i) => Some(&self.sorted[i]),
            Err(_) => self.recent.get(&k),
        }
    }

    /// Offsets of the letter's marks since its last send.
    pub fn marks(&self, e: &Entry) -> &[u64] {
        if e.marks == NO_MARKS {
            &[]
        } else {
            &self.marks[e.marks as usize]
        }
    }

    /// Every entry, in no particular order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.sorted.iter().chain(self.recent.values())
    }

    /// Per variant, how many letters were ever recorded `sent`, and when the last one was.
    pub fn sent(&self) -> BTreeMap<String, (usize, chrono::DateTime<chrono::Utc>)> {
        let mut out: BTreeMap<String, (usize, chrono::DateTime<chrono::Utc>)> = BTreeMap::new();
        for e in self.entries().filter(|e| e.flags & EVER_SENT != 0) {
            let name = &self.variants[e.variant as usize];
            let slot = out
                .entry(name.clone())
                .or_insert_with(|| (0, self.sent_last.get(name).copied().unwrap_or_default()));
            slot.0 += 1;
        }
        out
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.sorted.len() + self.recent.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_for_different_ids_and_agree_for_one() {
        assert_eq!(key("default/sos"), key("default/sos"));
        assert_ne!(key("default/sos"), key("default/SOS"));
        assert_ne!(key("a/b"), key("a/b "));
    }

    #[test]
    fn the_index_stays_one_entry_per_letter_across_merges() {
        let mut index = Index::default();
        let record = |id: String, state: State| Record {
            at: chrono::Utc::now(),
            id,
            variant: "v".into(),
            key: "k".into(),
            signatory: None,
            signer: Vec::new(),
            signatories: vec!["ana".into()],
            approval: None,
            hash: "ab".repeat(32),
            to: Vec::new(),
            state,
            reply: None,
            message_id: None,
            note: None,
            channel: None,
        };
        for i in 0..20_000u64 {
            index.add(&record(format!("v/{i}"), SendState::Sending.into()), i * 2);
            index.add(&record(format!("v/{i}"), SendState::Sent.into()), i * 2 + 1);
        }
        index.seal();
        assert_eq!(index.len(), 20_000);
        let e = index.get("v/777").unwrap();
        assert_eq!((e.first, e.send), (1554, 1555));
        assert_eq!(e.send_state(), Some(SendState::Sent));
        assert_eq!(index.sent()["v"].0, 20_000);
        assert!(index.get("v/20000").is_none());
    }
}
