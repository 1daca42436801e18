//! Byte-level checks over the stream fed to the CSV parser: physical lines, UTF-8 validity, NUL bytes and other
//! control characters (an ESC that would colour a terminal, a form feed that breaks the HTML), with the
//! exact place of the first fault. Done on the raw stream rather than on fields because CSV's structural bytes are
//! ASCII: a stream is valid UTF-8 exactly when its fields are, and here the offsets are the file's own.

/// A place in the stream: line and column from 1 (column in characters), byte offset from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Pos {
    pub line: usize,
    pub column: usize,
    pub offset: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fault {
    /// `byte` starts a sequence that is not UTF-8.
    Utf8 {
        at: Pos,
        byte: u8,
    },
    Nul {
        at: Pos,
    },
    /// A C0 control other than tab and the line breaks, DEL, or a C1 control (U+0080–U+009F).
    Control {
        at: Pos,
        ch: char,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quoting {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: either the closing one or the first of a doubled `""`.
    QuoteInQuoted,
}

#[derive(Debug, PartialEq, Eq)]
pub(super) struct Scanner {
    line: usize,
    /// Characters before the current one on this line.
    column: usize,
    offset: u64,
    prev_cr: bool,
    /// Continuation bytes still owed by the sequence that started at `seq`, and the range the next one must be in.
    need: u8,
    lo: u8,
    hi: u8,
    seq: Pos,
    seq_byte: u8,
    raw: bool,
    /// csv_core's quoting rules, mirrored to tell an unclosed quote at the end of the file (which csv_core quietly
    /// turns into a last field holding the rest of the file) from a legitimately quoted last field.
    delimiter: u8,
    quoting: Quoting,
    quote_at: Pos,
    /// The first fault since the caller last took it.
    pub fault: Option<Fault>,
}

impl Scanner {
    pub fn new(offset: u64, raw: bool, delimiter: u8) -> Self {
        let start = Pos {
            line: 1,
            column: 1,
            offset,
        };
        Scanner {
            line: 1,
            column: 0,
            offset,
            prev_cr: false,
            need: 0,
            lo: 0x80,
            hi: 0xBF,
            seq: start,
            seq_byte: 0,
            raw,
            delimiter,
            quoting: Quoting::FieldStart,
            quote_at: start,
            fault: None,
        }
    }

    pub fn line(&self) -> usize {
        self.line
    }

    pub fn raw(&self) -> bool {
        self.raw
    }

    fn here(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.column + 1,
            offset: self.offset,
        }
    }

    fn report(&mut self, fault: Fault) {
        self.fault.get_or_insert(fault);
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() {
            if self.need == 0 {
                // Most of a table is printable ASCII: a run of it moves the column and the offset and, the quoting
                // aside, changes nothing, so it is skipped eight bytes at a time.
                let run = crate::ascii::printable_run(&bytes[i..], b'"');
                if run > 0 {
                    i += run;
                    self.column += run;
                    self.offset += run as u64;
                    self.prev_cr = false;
                    // No quote in the run: a quoted field stays open; otherwise the run ends in a field, or just
                    // after a delimiter.
                    if self.quoting != Quoting::Quoted {
                        self.quoting = if bytes[i - 1] == self.delimiter {
                            Quoting::FieldStart
                        } else {
                            Quoting::Unquoted
                        };
                    }
                    continue;
                }
            }
            self.step(bytes[i]);
            i += 1;
        }
    }

    /// One byte, the slow way: everything [`Scanner::feed`] does not skip.
    fn step(&mut self, b: u8) {
        self.quoting = match (self.quoting, b) {
            (Quoting::FieldStart, b'"') => {
                self.quote_at = self.here();
                Quoting::Quoted
            }
            (Quoting::Quoted, b'"') => Quoting::QuoteInQuoted,
            (Quoting::Quoted, _) => Quoting::Quoted,
            (Quoting::QuoteInQuoted, b'"') => Quoting::Quoted,
            (_, b'\r' | b'\n') => Quoting::FieldStart,
            (_, b) if b == self.delimiter => Quoting::FieldStart,
            _ => Quoting::Unquoted,
        };
        if self.need > 0 {
            if self.seq_byte == 0xC2 && (0x80..=0x9F).contains(&b) {
                let at = self.seq;
                self.report(Fault::Control {
                    at,
                    ch: char::from(b),
                });
            }
            if (self.lo..=self.hi).contains(&b) {
                self.need -= 1;
                self.lo = 0x80;
                self.hi = 0xBF;
                self.offset += 1;
                return;
            }
            self.broken();
        }
        match b {
            0 => {
                self.report(Fault::Nul { at: self.here() });
                self.column += 1;
            }
            // LF, CRLF and a lone CR (old Mac exports) each end one physical line.
            b'\n' => {
                if !self.prev_cr {
                    self.line += 1;
                }
                self.column = 0;
            }
            b'\r' => {
                self.line += 1;
                self.column = 0;
            }
            b'\t' | 0x20..=0x7E => self.column += 1,
            0x01..=0x1F | 0x7F => {
                self.report(Fault::Control {
                    at: self.here(),
                    ch: char::from(b),
                });
                self.column += 1;
            }
            0xC2..=0xF4 => {
                self.seq = self.here();
                self.seq_byte = b;
                self.column += 1;
                (self.need, self.lo, self.hi) = match b {
                    0xC2..=0xDF => (1, 0x80, 0xBF),
                    0xE0 => (2, 0xA0, 0xBF),
                    0xED => (2, 0x80, 0x9F),
                    0xE1..=0xEF => (2, 0x80, 0xBF),
                    0xF0 => (3, 0x90, 0xBF),
                    0xF4 => (3, 0x80, 0x8F),
                    _ => (3, 0x80, 0xBF),
                };
            }
            _ => {
                self.report(Fault::Utf8 {
                    at: self.here(),
                    byte: b,
                });
                self.column += 1;
            }
        }
        self.prev_cr = b == b'\r';
        self.offset += 1;
    }

    /// Where the quote that is still open was opened, if one is.
    pub fn open_quote(&self) -> Option<Pos> {
        (self.quoting == Quoting::Quoted).then_some(self.quote_at)
    }

    fn broken(&mut self) {
        self.report(Fault::Utf8 {
            at: self.seq,
            byte: self.seq_byte,
        });
        self.need = 0;
        self.lo = 0x80;
        self.hi = 0xBF;
    }

    /// At the end of the stream: a sequence cut short is a fault too.
    pub fn finish(&mut self) {
        if self.need > 0 {
            self.broken();
        }
    }
}

/// Line breaks inside a value, counted as physical lines are (CRLF is one).
pub(super) fn count_breaks(bytes: &[u8]) -> usize {
    let mut n = 0;
    let mut prev_cr = false;
    for &b in bytes {
        if b == b'\r' || (b == b'\n' && !prev_cr) {
            n += 1;
        }
        prev_cr = b == b'\r';
    }
    n
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::Scanner;

    /// Bytes a table is made of, its structural ones and its faults more often than chance would give them.
    fn table_bytes() -> impl Strategy<Value = Vec<u8>> {
        let byte = prop_oneof![
            8 => b'a'..=b'z',
            2 => Just(b','),
            2 => Just(b'"'),
            1 => Just(b'\n'),
            1 => Just(b'\r'),
            1 => Just(b'\t'),
            1 => Just(b';'),
            1 => any::<u8>(),
            1 => prop::sample::select(vec![0xC2, 0x85, 0xC3, 0xB1, 0xE2, 0x80, 0x9C, 0xF0, 0x9F, 0xED, 0xA0]),
        ];
        prop::collection::vec(byte, 0..200)
    }

    proptest! {
        /// The runs `feed` skips leave the scanner as stepping through them byte by byte does, however the stream is
        /// cut into pieces.
        #[test]
        fn feeding_runs_is_stepping_byte_by_byte(bytes in table_bytes(), cut in 0usize..200, tab in any::<bool>()) {
            let delimiter = if tab { b'\t' } else { b',' };
            let mut stepped = Scanner::new(7, false, delimiter);
            for &b in &bytes {
                stepped.step(b);
            }
            stepped.finish();
            let mut fed = Scanner::new(7, false, delimiter);
            let (a, b) = bytes.split_at(cut.min(bytes.len()));
            fed.feed(a);
            fed.feed(b);
            fed.finish();
            prop_assert_eq!(fed, stepped);
        }
    }
}
