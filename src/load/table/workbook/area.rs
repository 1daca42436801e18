//! `range = "A1:F200"`: the part of a sheet that is the table, in the A1 notation spreadsheets use.

/// Excel's limits, which every format here stays within.
const MAX_ROWS: u32 = 1_048_576;
const MAX_COLUMNS: u32 = 16_384;

/// Rows and columns from 0, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Area {
    pub rows: (u32, u32),
    pub columns: (u32, u32),
}

impl Area {
    pub const WHOLE: Area = Area {
        rows: (0, MAX_ROWS - 1),
        columns: (0, MAX_COLUMNS - 1),
    };

    pub fn contains(&self, row: u32, column: u32) -> bool {
        (self.rows.0..=self.rows.1).contains(&row)
            && (self.columns.0..=self.columns.1).contains(&column)
    }

    /// `A1:F200` (cells), `B:F` (whole columns) or `3:200` (whole rows); `$` signs are allowed and ignored.
    pub fn parse(text: &str) -> Option<Area> {
        let (a, b) = text.trim().split_once(':')?;
        let (c1, r1) = corner(a)?;
        let (c2, r2) = corner(b)?;
        let columns = match (c1, c2) {
            (Some(x), Some(y)) => (x, y),
            (None, None) => Area::WHOLE.columns,
            _ => return None,
        };
        let rows = match (r1, r2) {
            (Some(x), Some(y)) => (x, y),
            (None, None) => Area::WHOLE.rows,
            _ => return None,
        };
        (columns.0 <= columns.1 && rows.0 <= rows.1).then_some(Area { rows, columns })
    }
}

/// One end of a range: its column and row from 0, each absent in `B` or `7`.
fn corner(text: &str) -> Option<(Option<u32>, Option<u32>)> {
    let text = text.trim().replace('$', "");
    let split = text
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (letters, digits) = text.split_at(split);
    if letters.is_empty() && digits.is_empty() {
        return None;
    }
    let column = if letters.is_empty() {
        None
    } else {
        let mut n: u32 = 0;
        for c in letters.bytes() {
            n = n.checked_mul(26)? + u32::from(c.to_ascii_uppercase() - b'A') + 1;
            if n > MAX_COLUMNS {
                return None;
            }
        }
        Some(n - 1)
    };
    let row = if digits.is_empty() {
        None
    } else {
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let r: u32 = digits.parse().ok()?;
        if r == 0 || r > MAX_ROWS {
            return None;
        }
        Some(r - 1)
    };
    Some((column, row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_read_as_in_a_spreadsheet() {
        assert_eq!(
            Area::parse("A1:F200"),
            Some(Area {
                rows: (0, 199),
                columns: (0, 5)
            })
        );
        assert_eq!(
            Area::parse("$b$3:$aa$10"),
            Some(Area {
                rows: (2, 9),
                columns: (1, 26)
            })
        );
        assert_eq!(Area::parse("B:F").unwrap().rows, Area::WHOLE.rows);
        assert_eq!(Area::parse("3:200").unwrap().columns, Area::WHOLE.columns);
        for bad in [
            "A1", "A1:F", "F1:A9", "A0:B2", "A1:XFE2", "1A:B2", ":", "A1:B2:C3", "Ä1:B2",
        ] {
            assert_eq!(Area::parse(bad), None, "{bad}");
        }
    }
}
