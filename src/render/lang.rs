//! Language-dependent words (placeholder until the full module lands).
use chrono::{Datelike, NaiveDate};

pub fn join(items: &[&str], lang: &str, sep: Option<&str>, last: Option<&str>) -> String {
    let es = lang.starts_with("es");
    let sep = sep.unwrap_or(", ");
    let last = last.map(str::to_string).unwrap_or_else(|| {
        if es {
            " y ".into()
        } else if items.len() > 2 {
            ", and ".into()
        } else {
            " and ".into()
        }
    });
    match items {
        [] => String::new(),
        [a] => a.to_string(),
        [init @ .., z] => format!("{}{}{}", init.join(sep), last, z),
    }
}

pub fn format_date(date: NaiveDate, lang: &str, format: Option<&str>) -> String {
    if let Some(f) = format {
        return date.format(f).to_string();
    }
    if lang.starts_with("es") {
        const M: [&str; 12] = [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ];
        format!(
            "{} de {} de {}",
            date.day(),
            M[date.month0() as usize],
            date.year()
        )
    } else {
        date.format("%B %-d, %Y").to_string()
    }
}

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date written YYYY-MM-DD"))
}
