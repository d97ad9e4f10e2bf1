//! Numbers, money and dates for people, as each language writes them: Vietnamese
//! groups thousands with dots and writes days first (`1.234.567 ₫`, `31/12/2026`),
//! English with commas and dates as ISO (`1,234,567 ₫`, `2026-12-31`). The operators'
//! command line speaks English.

use crate::domain::language::Language;

/// `1260000000` with `','` → `"1,260,000,000"`.
pub fn group_thousands(value: i64, separator: char) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        grouped.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    grouped
}

/// The thousands separator of a language.
fn thousands_separator(language: Language) -> char {
    match language {
        Language::Vi => '.',
        Language::En => ',',
    }
}

/// Whole đồng as a Vietnamese text writes them: `27575.5` → `"27.576"`.
pub fn format_dong(amount: f64) -> String {
    group_thousands(amount.round() as i64, thousands_separator(Language::Vi))
}

/// A count: `214504` → `"214.504"` (vi), `"214,504"` (en).
pub fn format_count(language: Language, count: i64) -> String {
    group_thousands(count, thousands_separator(language))
}

/// An amount in whole đồng: `28500.4` → `"28.500 ₫"` (vi), `"28,500 ₫"` (en).
pub fn format_vnd(language: Language, amount: f64) -> String {
    format!("{} ₫", group_thousands(amount.round() as i64, thousands_separator(language)))
}

/// A number with one decimal (a score, a share in percent): `12.5` (en), `12,5` (vi).
pub fn format_decimal(language: Language, value: f64) -> String {
    format_fixed(language, value, 1)
}

/// A number with `decimals` decimals, the decimal mark as the language writes it
/// (scores and ratios: no thousands grouping).
pub fn format_fixed(language: Language, value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    match language {
        Language::Vi => text.replace('.', ","),
        Language::En => text,
    }
}

/// A number as short as it reads (`10`, `2.5`), the decimal mark as the language writes
/// it: rates in percent.
pub fn format_plain(language: Language, value: f64) -> String {
    let text = value.to_string();
    match language {
        Language::Vi => text.replace('.', ","),
        Language::En => text,
    }
}

/// A `YYYY-MM-DD` date (or the date part of an RFC 3339 time): `31/12/2026` (vi),
/// `2026-12-31` (en). Anything else is shown as it is.
pub fn format_date(language: Language, date: &str) -> String {
    let day = date.get(..10).filter(|day| crate::domain::dates::is_date(day));
    match (language, day) {
        (Language::Vi, Some(day)) => format!("{}/{}/{}", &day[8..10], &day[5..7], &day[..4]),
        (Language::En, Some(day)) => day.to_owned(),
        (_, None) => date.to_owned(),
    }
}

/// A time written `YYYY-MM-DD HH:MM …`: its date as the language writes it, the rest
/// as it is (`31/12/2026 14:00 UTC`).
pub fn format_date_time(language: Language, text: &str) -> String {
    match text.split_once(' ') {
        Some((date, rest)) => format!("{} {rest}", format_date(language, date)),
        None => format_date(language, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_texts_use_dots_between_thousands() {
        assert_eq!(format_dong(25_000.0), "25.000");
        assert_eq!(format_dong(1_260_000_000.0), "1.260.000.000");
        assert_eq!(format_dong(999.6), "1.000");
        assert_eq!(format_dong(7.0), "7");
        assert_eq!(format_dong(-2_757.5), "-2.758");
    }

    #[test]
    fn english_uses_commas() {
        assert_eq!(format_count(Language::En, 214_504), "214,504");
        assert_eq!(format_count(Language::En, 0), "0");
        assert_eq!(format_count(Language::En, -1_000), "-1,000");
        assert_eq!(format_vnd(Language::En, 28_500.4), "28,500 ₫");
        assert_eq!(format_vnd(Language::En, 1_234_567.0), "1,234,567 ₫");
    }

    #[test]
    fn vietnamese_uses_dots() {
        assert_eq!(format_count(Language::Vi, 214_504), "214.504");
        assert_eq!(format_vnd(Language::Vi, 1_234_567.0), "1.234.567 ₫");
        assert_eq!(format_vnd(Language::Vi, -999.5), "-1.000 ₫");
    }

    #[test]
    fn decimals_by_language() {
        assert_eq!(format_decimal(Language::En, 12.46), "12.5");
        assert_eq!(format_decimal(Language::Vi, 12.46), "12,5");
        assert_eq!(format_fixed(Language::Vi, 0.456, 2), "0,46");
        assert_eq!(format_fixed(Language::En, 0.456, 2), "0.46");
        assert_eq!(format_plain(Language::Vi, 2.5), "2,5");
        assert_eq!(format_plain(Language::En, 10.0), "10");
    }

    #[test]
    fn dates_by_language() {
        assert_eq!(format_date(Language::Vi, "2026-12-31"), "31/12/2026");
        assert_eq!(format_date(Language::En, "2026-12-31"), "2026-12-31");
        assert_eq!(format_date(Language::Vi, "2026-12-31T08:00:00Z"), "31/12/2026");
        assert_eq!(format_date(Language::Vi, "soon"), "soon");
        assert_eq!(format_date(Language::Vi, "2026-02-30"), "2026-02-30");
        assert_eq!(format_date_time(Language::Vi, "2026-12-31 14:00 UTC"), "31/12/2026 14:00 UTC");
        assert_eq!(format_date_time(Language::En, "2026-12-31 14:00 UTC"), "2026-12-31 14:00 UTC");
    }
}
