//! Grouped rows set aside: a temporary file of the rows whose `group` cell is filled, written once by the facts pass
//! and read back by offset when a group's letter is made. A group's rows may be anywhere in the table (a committee's
//! chair on line 3, its ranking member on line 900,000), and holding them until the group is complete could hold the
//! whole table; the file holds them instead, at one read per row.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::sync::Mutex;

use crate::load::table::Row;

/// Rows written as `line, field count, (length, bytes)*`, little-endian u64 lengths.
#[derive(Debug)]
pub struct Spill {
    file: Mutex<File>,
    offsets: Vec<u64>,
}

/// A spill being written.
pub struct SpillWriter {
    out: BufWriter<File>,
    at: u64,
    offsets: Vec<u64>,
}

impl SpillWriter {
    pub fn new() -> io::Result<SpillWriter> {
        Ok(SpillWriter {
            out: BufWriter::with_capacity(1 << 16, tempfile::tempfile()?),
            at: 0,
            offsets: Vec::new(),
        })
    }

    /// Writes `row`; returns its number in the spill.
    pub fn push(&mut self, row: &Row) -> io::Result<u32> {
        self.offsets.push(self.at);
        let mut put = |bytes: &[u8], at: &mut u64| -> io::Result<()> {
            self.out.write_all(bytes)?;
            *at += bytes.len() as u64;
            Ok(())
        };
        let fields: Vec<&str> = row.fields().collect();
        put(&(row.line as u64).to_le_bytes(), &mut self.at)?;
        put(&(fields.len() as u64).to_le_bytes(), &mut self.at)?;
        for f in fields {
            put(&(f.len() as u64).to_le_bytes(), &mut self.at)?;
            put(f.as_bytes(), &mut self.at)?;
        }
        Ok((self.offsets.len() - 1) as u32)
    }

    pub fn finish(self) -> io::Result<Spill> {
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        Ok(Spill {
            file: Mutex::new(file),
            offsets: self.offsets,
        })
    }
}

impl Spill {
    /// The rows numbered `which`, in that order.
    pub fn read(&self, which: &[u32]) -> io::Result<Vec<Row>> {
        let mut file = self
            .file
            .lock()
            .map_err(|_| io::Error::other("the spill file's lock was poisoned"))?;
        let mut rows = Vec::with_capacity(which.len());
        for &n in which {
            let at = *self
                .offsets
                .get(n as usize)
                .ok_or_else(|| io::Error::other("no such row in the spill file"))?;
            file.seek(SeekFrom::Start(at))?;
            let mut reader = io::BufReader::with_capacity(4096, &mut *file);
            let line = word(&mut reader)? as usize;
            let count = word(&mut reader)? as usize;
            let mut fields = Vec::with_capacity(count);
            for _ in 0..count {
                let mut text = vec![0u8; word(&mut reader)? as usize];
                reader.read_exact(&mut text)?;
                fields.push(
                    String::from_utf8(text)
                        .map_err(io::Error::other)?
                        .into_boxed_str(),
                );
            }
            rows.push(Row::new(line, fields));
        }
        Ok(rows)
    }
}

fn word(reader: &mut impl Read) -> io::Result<u64> {
    let mut b = [0u8; 8];
    reader.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_come_back_as_written_in_any_order() {
        let mut w = SpillWriter::new().unwrap();
        let a = Row::new(2, ["a", "Ünïcode\nline"]);
        let b = Row::new(900_000, ["", "b"]);
        assert_eq!(w.push(&a).unwrap(), 0);
        assert_eq!(w.push(&b).unwrap(), 1);
        let spill = w.finish().unwrap();
        assert_eq!(spill.read(&[1, 0, 1]).unwrap(), [b.clone(), a, b]);
    }
}
