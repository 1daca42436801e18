//! A cell as the text a person reads in it. A table's values are text (README, "Your spreadsheet"), so a workbook's
//! typed cells are written the way the sheet shows them in its plainest format, and the same data saved as CSV or as a
//! workbook gives the same letters:
//!
//! - text exactly as typed (line breaks inside a cell as LF);
//! - whole numbers without `.0` (`2018`, `5551234567`), other numbers with at most 15 significant digits, as Excel
//!   shows them, which drops binary noise (`0.1 + 0.2` is `0.3`); number formats (%, currency, thousands separators,
//!   leading zeros) are not applied;
//! - dates as `YYYY-MM-DD`, date-times as `YYYY-MM-DD HH:MM` (`:SS` when the seconds are not zero), times of day
//!   as `HH:MM`, durations as `H:MM:SS`;
//! - booleans as `TRUE` / `FALSE`;
//! - an error value (`#N/A`, `#DIV/0!`) is a problem, never text a letter could print.

use calamine::{Data, ExcelDateTime};

/// A cell that has no text to give.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Unreadable {
    /// The cell holds a spreadsheet error, as the sheet shows it (`#DIV/0!`).
    Error(String),
}

pub(super) fn text(value: &Data) -> Result<String, Unreadable> {
    Ok(match value {
        Data::Empty => String::new(),
        Data::String(s) => lf(s),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(d) if d.is_duration() => duration_seconds((d.as_f64() * 86_400.0).round()),
        Data::DateTime(d) => datetime(d),
        Data::DateTimeIso(s) => iso_datetime(s),
        Data::DurationIso(s) => iso_duration(s).unwrap_or_else(|| s.clone()),
        Data::Error(e) => return Err(Unreadable::Error(e.to_string())),
    })
}

/// Excel's CRLF (and a lone CR) inside a value made LF, as the CSV reader does.
fn lf(s: &str) -> String {
    if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        s.to_owned()
    }
}

/// At most 15 significant digits, as Excel displays a number; whole numbers without a decimal point.
pub(super) fn number(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    let shown: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    if shown.fract() == 0.0 && shown.abs() < 1e15 {
        // `as` is exact here: a whole number below 10^15.
        return (shown as i64).to_string();
    }
    shown.to_string()
}

fn datetime(d: &ExcelDateTime) -> String {
    let serial = d.as_f64();
    // To the nearest second: a stored 12:34:55.9999 is the 12:34:56 the sheet shows.
    let seconds_of_day = ((serial - serial.floor()) * 86_400.0).round() as u32;
    let (mut y, mut mo, mut da, ..) = d.to_ymd_hms_milli();
    if seconds_of_day >= 86_400 {
        // Rounded up to midnight: the next day (the sheet's 1904 system is already in y-m-d).
        let next = chrono::NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(da))
            .and_then(|d| d.succ_opt());
        if let Some(n) = next {
            use chrono::Datelike;
            (y, mo, da) = (n.year() as u16, n.month() as u8, n.day() as u8);
        }
    }
    let seconds_of_day = seconds_of_day % 86_400;
    let time = clock(seconds_of_day);
    if (0.0..1.0).contains(&serial) {
        // A time of day alone: Excel stores it as a fraction of day 0.
        return time;
    }
    if seconds_of_day == 0 {
        format!("{y:04}-{mo:02}-{da:02}")
    } else {
        format!("{y:04}-{mo:02}-{da:02} {time}")
    }
}

/// `HH:MM`, or `HH:MM:SS` when the seconds are not zero.
fn clock(seconds_of_day: u32) -> String {
    let (h, m, s) = (
        seconds_of_day / 3600,
        seconds_of_day / 60 % 60,
        seconds_of_day % 60,
    );
    if s == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

fn duration_seconds(total: f64) -> String {
    let sign = if total < 0.0 { "-" } else { "" };
    let t = total.abs() as u64;
    format!("{sign}{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
}

/// An ISO 8601 date or date-time as the other cells write it: `2018-07-11`, `2018-07-11 09:30`.
fn iso_datetime(s: &str) -> String {
    let Some((date, time)) = s.split_once('T') else {
        return s.to_owned();
    };
    let time = time.trim_end_matches('Z');
    let mut parts = time.split(':');
    let (Some(h), Some(m)) = (parts.next(), parts.next()) else {
        return s.replacen('T', " ", 1);
    };
    let sec: f64 = parts.next().and_then(|x| x.parse().ok()).unwrap_or(0.0);
    let (Ok(h), Ok(m)) = (h.parse::<u32>(), m.parse::<u32>()) else {
        return s.replacen('T', " ", 1);
    };
    let seconds_of_day = h * 3600 + m * 60 + sec.round() as u32;
    if seconds_of_day == 0 {
        date.to_owned()
    } else {
        format!("{date} {}", clock(seconds_of_day))
    }
}

/// An ODS time (`PT09H30M00S`) as a time of day, `09:30`.
fn iso_duration(s: &str) -> Option<String> {
    let rest = s.strip_prefix("PT")?;
    let (h, rest) = rest.split_once('H')?;
    let (m, rest) = rest.split_once('M')?;
    let sec = rest.strip_suffix('S').unwrap_or(rest);
    let sec: f64 = if sec.is_empty() {
        0.0
    } else {
        sec.parse().ok()?
    };
    let total = h.parse::<u32>().ok()? * 3600 + m.parse::<u32>().ok()? * 60 + sec.round() as u32;
    if total < 86_400 {
        Some(clock(total))
    } else {
        Some(duration_seconds(f64::from(total)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{CellErrorType, ExcelDateTimeType};

    fn date(serial: f64) -> Data {
        Data::DateTime(ExcelDateTime::new(
            serial,
            ExcelDateTimeType::DateTime,
            false,
        ))
    }

    #[test]
    fn numbers_read_as_the_sheet_shows_them() {
        assert_eq!(number(2018.0), "2018");
        assert_eq!(number(5551234567.0), "5551234567");
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(number(0.1), "0.1");
        assert_eq!(number(-3.25), "-3.25");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(1.0 / 3.0), "0.333333333333333");
        assert_eq!(text(&Data::Int(7)).unwrap(), "7");
    }

    #[test]
    fn dates_times_and_booleans() {
        // 2018-07-11 is serial 43292 in the 1900 system.
        assert_eq!(text(&date(43292.0)).unwrap(), "2018-07-11");
        assert_eq!(text(&date(43292.375)).unwrap(), "2018-07-11 09:00");
        assert_eq!(
            text(&date(43292.0 + 45296.0 / 86400.0)).unwrap(),
            "2018-07-11 12:34:56"
        );
        assert_eq!(
            text(&date(43292.0 + 45295.9996 / 86400.0)).unwrap(),
            "2018-07-11 12:34:56"
        );
        assert_eq!(text(&date(43292.99999999)).unwrap(), "2018-07-12");
        assert_eq!(text(&date(0.5)).unwrap(), "12:00");
        assert_eq!(
            text(&Data::DateTimeIso("2018-07-11".into())).unwrap(),
            "2018-07-11"
        );
        assert_eq!(
            text(&Data::DateTimeIso("2018-07-11T09:30:00".into())).unwrap(),
            "2018-07-11 09:30"
        );
        assert_eq!(
            text(&Data::DateTimeIso("2018-07-11T00:00:00".into())).unwrap(),
            "2018-07-11"
        );
        assert_eq!(
            text(&Data::DurationIso("PT09H30M00S".into())).unwrap(),
            "09:30"
        );
        assert_eq!(text(&Data::Bool(true)).unwrap(), "TRUE");
        assert_eq!(text(&Data::String("a\r\nb".into())).unwrap(), "a\nb");
        assert_eq!(
            text(&Data::Error(CellErrorType::Div0)),
            Err(Unreadable::Error("#DIV/0!".into()))
        );
    }
}
