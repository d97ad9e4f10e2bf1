//! Numbers for people: the UI (English) groups thousands with commas, the
//! Vietnamese insight texts with dots, as each audience reads them.

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

/// Whole đồng as a Vietnamese text writes them: `27575.5` → `"27.576"`.
pub fn format_dong(amount: f64) -> String {
    group_thousands(amount.round() as i64, '.')
}

/// A count in the UI: `214504` → `"214,504"`.
pub fn format_count(count: i64) -> String {
    group_thousands(count, ',')
}

/// An amount in the UI: `28500.4` → `"28,500 ₫"`.
pub fn format_vnd(amount: f64) -> String {
    format!("{} ₫", group_thousands(amount.round() as i64, ','))
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
    fn the_ui_uses_commas() {
        assert_eq!(format_count(214_504), "214,504");
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(-1_000), "-1,000");
        assert_eq!(format_vnd(28_500.4), "28,500 ₫");
    }
}
