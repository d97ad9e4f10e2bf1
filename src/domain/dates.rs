//! Dates as the pages and URLs carry them: `YYYY-MM-DD`, periods `YYYY-MM`.

/// Whether `text` is a calendar date written `YYYY-MM-DD`.
pub fn is_date(text: &str) -> bool {
    let Some(_) = period_of(text) else { return false };
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1900 && (1..=days_in_month).contains(&day)
}

/// Whether `text` is a calendar month written `YYYY-MM`.
pub fn is_month(text: &str) -> bool {
    is_date(&format!("{text}-01"))
}

/// `YYYY-MM` of a `YYYY-MM-DD` date, or `None` if it is not one.
pub fn period_of(date: &str) -> Option<&str> {
    let bytes = date.as_bytes();
    let is_date = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    is_date.then(|| &date[..7])
}
