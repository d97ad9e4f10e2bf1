//! A value refused, and where: the form field, URL parameter or file column it came in
//! and what is wrong with it, in words the person who typed it can act on. Every check
//! of the domain answers with one, so the server can name the field in a 400.
//!
//! What is wrong is kept as a [`Problem`] with the values it names, not as words: the
//! same refusal reads in English in the logs, the CLI and `/api/v1`, and in the
//! language of the person who typed the value on a page (`locales/*.json`, group
//! `field_errors` for the problems and `fields` for the fields' names).

use crate::components::fill;
use crate::domain::language::Language;
use crate::i18n::{td_string, Locale};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::num::{IntErrorKind, ParseIntError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field's machine name, as the form, the URL or the file spells it.
    pub field: &'static str,
    pub problem: Problem,
}

/// What is wrong with a value, with the values the message names (as the person typed
/// them, or as they read: a number's own text, a limit).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    /// Nothing given where something must be.
    Required,
    /// Longer than the field holds.
    TooLong {
        length: usize,
        max: usize,
    },
    /// Shorter or longer than the field takes.
    LengthOutside {
        length: usize,
        min: usize,
        max: usize,
    },
    /// Not a number of the kind the field takes.
    NotANumber {
        text: String,
        kind: NumberKind,
    },
    NotADate {
        text: String,
    },
    NotAMonth {
        text: String,
    },
    OutOfRange {
        value: String,
        min: String,
        max: String,
    },
    TooManyDecimals {
        value: String,
        max: u32,
    },
    /// Not one of the few words the field takes.
    NotOneOf {
        text: String,
        allowed: Vec<String>,
    },
    /// Not one of the spellings of a seed value (a service type, a risk level…), `what` it is
    /// said in English, as `/api/v1` has always answered.
    Unknown {
        what: String,
        text: String,
        allowed: Vec<String>,
    },
    /// A day or an amount that ends a range before the range starts.
    Before {
        value: String,
        earlier: String,
    },
    RangeTooLong {
        max_days: i64,
    },
    /// Not an amount in đồng of 0 or more.
    NotAnAmount {
        text: String,
    },
    /// Not an amount in đồng other than 0 (a negative one takes back).
    NotAnAdjustment {
        text: String,
    },
    NotACollaboratorCode {
        text: String,
    },
    /// Not a commission level: 0 for the closer, 1 to `max` for its upline.
    NotALevel {
        text: String,
        max: i32,
    },
    NotAPercentage {
        text: String,
    },
    /// Not a phone number of 9 to 11 digits.
    NotAPhone {
        text: String,
    },
    /// Not a page number; with `max`, one the list has.
    NotAPage {
        text: String,
        max: Option<u32>,
    },
    NotACluster {
        value: String,
    },
    SearchTooLong {
        words: usize,
        characters: usize,
    },
    /// A customer's status that cannot follow the current one.
    StatusChange {
        from: String,
        to: String,
        allowed: Vec<String>,
    },
    /// A slug with a character other than a-z, 0-9 and `-`.
    SlugCharacter {
        text: String,
        character: char,
    },
    SlugEnds {
        text: String,
    },
    ControlCharacters,
    NotAMetric {
        text: String,
        channel: String,
    },
    PercentageChangeNotPositive,
    NotAPageCursor {
        text: String,
    },
    /// A page cursor of a list sorted another way.
    CursorOfAnotherSort {
        cursor_sort: String,
        sort: String,
    },
    /// Given together with `other`, which excludes it.
    NotBoth {
        other: String,
    },
    /// Not the identifier of a saved thing.
    NotAnId {
        text: String,
    },
    /// A range whose end comes before its start.
    EndsBeforeStart {
        end: String,
        start: String,
    },
    NotAnIsdn {
        text: String,
        fault: IsdnFault,
    },
    /// Seen already, first at `first` (a file's line).
    Twice {
        first: String,
    },
    /// A month seen already for the same ISDN, first at `first`.
    TwiceForIsdn {
        first: String,
    },
    /// An ISDN of a file without a row in the recommendations file.
    NoRecommendation,
    /// A rate starting in or before a closed month.
    InClosedMonth {
        day: String,
        month: String,
    },
}

/// Which number a text failed to be. English words are Rust's own parse errors, which
/// `/api/v1` has always answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NumberKind {
    /// Any number (`"x" is not a number`).
    Any,
    /// A decimal number.
    Decimal,
    /// A whole number.
    Whole,
    /// A whole number too large for the field.
    WholeTooLarge,
    /// A whole number too small for the field.
    WholeTooSmall,
}

impl NumberKind {
    /// What went wrong reading a whole number.
    pub fn of(error: &ParseIntError) -> Self {
        match error.kind() {
            IntErrorKind::PosOverflow => Self::WholeTooLarge,
            IntErrorKind::NegOverflow => Self::WholeTooSmall,
            _ => Self::Whole,
        }
    }
}

/// Why a text is not an ISDN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IsdnFault {
    /// Nothing given.
    Missing,
    /// Longer than any ISDN.
    TooLong(usize),
    /// A character that is neither a digit nor base64's.
    Character(char),
    /// All digits, but not 8 to 15 of them.
    Digits,
    /// `=` other than at most two at the end.
    Padding,
    /// Base64 not in groups of 4 characters.
    Groups,
}

impl FieldError {
    pub fn new(field: &'static str, problem: Problem) -> Self {
        Self { field, problem }
    }

    /// What is wrong, without the field's name: as `/api/v1` says it (`field` is a
    /// member of its answer) in English.
    pub fn message(&self, language: Language) -> String {
        self.problem.message(language, self.field)
    }

    /// The field's name and what is wrong, as a person reads it: "Điểm tối thiểu: 120
    /// nằm ngoài khoảng 0 đến 100".
    pub fn for_people(&self, language: Language) -> String {
        format!("{}: {}", field_label(language, self.field), self.message(language))
    }
}

impl Problem {
    /// `value` is outside `min` to `max`.
    pub fn out_of_range(value: impl fmt::Display, min: impl fmt::Display, max: impl fmt::Display) -> Self {
        Self::OutOfRange { value: value.to_string(), min: min.to_string(), max: max.to_string() }
    }

    /// `text` is not one of `allowed`.
    pub fn not_one_of<'a>(text: &str, allowed: impl IntoIterator<Item = &'a str>) -> Self {
        Self::NotOneOf { text: text.to_owned(), allowed: allowed.into_iter().map(str::to_owned).collect() }
    }

    /// `text` is not a whole number.
    pub fn not_whole(text: &str, error: &ParseIntError) -> Self {
        Self::NotANumber { text: text.to_owned(), kind: NumberKind::of(error) }
    }
}

/// A list of words as the messages name them: `a, b, c`.
fn listed(words: &[String]) -> String {
    words.join(", ")
}

fn quoted(text: &str) -> String {
    format!("{text:?}")
}

impl Problem {
    /// In `language`; `field` is the machine name, for the messages that name another
    /// parameter beside it.
    pub fn message(&self, language: Language, field: &str) -> String {
        let locale = Locale::from(language);
        macro_rules! say {
            ($key:ident) => {
                td_string!(locale, field_errors.$key).to_owned()
            };
            ($key:ident, $($name:ident = $value:expr),+) => {
                fill(td_string!(locale, field_errors.$key), &[$((stringify!($name), &$value as &dyn fmt::Display)),+])
            };
        }
        match self {
            Self::Required => say!(required),
            Self::TooLong { length, max } => say!(too_long, length = length, max = max),
            Self::LengthOutside { length, min, max } => say!(length_outside, length = length, min = min, max = max),
            Self::NotANumber { text, kind } => {
                let text = quoted(text);
                match kind {
                    NumberKind::Any => say!(not_a_number, text = text),
                    NumberKind::Decimal => say!(not_a_decimal, text = text),
                    NumberKind::Whole => say!(not_a_whole_number, text = text),
                    NumberKind::WholeTooLarge => say!(number_too_large, text = text),
                    NumberKind::WholeTooSmall => say!(number_too_small, text = text),
                }
            }
            Self::NotADate { text } => say!(not_a_date, text = quoted(text)),
            Self::NotAMonth { text } => say!(not_a_month, text = quoted(text)),
            Self::OutOfRange { value, min, max } => say!(out_of_range, value = value, min = min, max = max),
            Self::TooManyDecimals { value, max } => say!(too_many_decimals, value = value, max = max),
            Self::NotOneOf { text, allowed } => match allowed.as_slice() {
                [first, second] => say!(not_either, text = quoted(text), first = first, second = second),
                _ => say!(not_one_of, text = quoted(text), allowed = listed(allowed)),
            },
            Self::Unknown { what, text, allowed } => {
                let what = match what.as_str() {
                    "service type" => say!(what_service_type),
                    "risk level" => say!(what_risk_level),
                    "subscriber type" => say!(what_subscriber_type),
                    "ARPU trend" => say!(what_arpu_trend),
                    "priority" => say!(what_priority),
                    "sort column" => say!(what_sort_column),
                    other => other.to_owned(),
                };
                say!(unknown, text = quoted(text), what = what, allowed = listed(allowed))
            }
            Self::Before { value, earlier } => say!(before, value = value, earlier = earlier),
            Self::RangeTooLong { max_days } => say!(range_too_long, max = max_days),
            Self::NotAnAmount { text } => say!(not_an_amount, text = text),
            Self::NotAnAdjustment { text } => say!(not_an_adjustment, text = quoted(text)),
            Self::NotACollaboratorCode { text } => say!(not_a_collaborator_code, text = quoted(text)),
            Self::NotALevel { text, max } => say!(not_a_level, text = quoted(text), max = max),
            Self::NotAPercentage { text } => say!(not_a_percentage, text = quoted(text)),
            Self::NotAPhone { text } => say!(not_a_phone, text = quoted(text)),
            Self::NotAPage { text, max: None } => say!(not_a_page, text = quoted(text)),
            Self::NotAPage { text, max: Some(max) } => say!(not_a_listed_page, text = quoted(text), max = max),
            Self::NotACluster { value } => say!(not_a_cluster, value = value),
            Self::SearchTooLong { words, characters } => {
                say!(search_too_long, words = words, characters = characters)
            }
            Self::StatusChange { from, to, allowed } if allowed.is_empty() => say!(status_final, from = from, to = to),
            Self::StatusChange { from, to, allowed } => {
                say!(status_change, from = from, to = to, allowed = listed(allowed))
            }
            Self::SlugCharacter { text, character } => {
                say!(slug_character, text = quoted(text), character = format!("{character:?}"))
            }
            Self::SlugEnds { text } => say!(slug_ends, text = quoted(text)),
            Self::ControlCharacters => say!(control_characters),
            Self::NotAMetric { text, channel } => say!(not_a_metric, text = quoted(text), channel = channel),
            Self::PercentageChangeNotPositive => say!(percentage_change_not_positive),
            Self::NotAPageCursor { text } => say!(not_a_page_cursor, text = quoted(text)),
            Self::CursorOfAnotherSort { cursor_sort, sort } => {
                say!(cursor_of_another_sort, cursor_sort = cursor_sort, sort = sort)
            }
            Self::NotBoth { other } => say!(not_both, other = other, field = field),
            Self::NotAnId { text } => say!(not_an_id, text = quoted(text)),
            Self::EndsBeforeStart { end, start } => say!(ends_before_start, end = end, start = start),
            Self::NotAnIsdn { text, fault } => {
                let text = quoted(text);
                match fault {
                    IsdnFault::Character(bad) => {
                        say!(isdn_character, text = text, character = format!("{bad:?}"))
                    }
                    IsdnFault::Missing => say!(isdn_missing),
                    IsdnFault::TooLong(max) => say!(isdn_too_long, max = max),
                    IsdnFault::Digits => say!(isdn_digits, text = text),
                    IsdnFault::Padding => say!(isdn_padding, text = text),
                    IsdnFault::Groups => say!(isdn_groups, text = text),
                }
            }
            Self::Twice { first } => say!(twice, first = first),
            Self::TwiceForIsdn { first } => say!(twice_for_isdn, first = first),
            Self::NoRecommendation => say!(no_recommendation),
            Self::InClosedMonth { day, month } => {
                fill(td_string!(locale, rates.closed_month), &[("from", day as &dyn fmt::Display), ("month", month)])
            }
        }
    }
}

/// A field's name as people read it, in `language`; the machine name for a field
/// without one.
pub fn field_label(language: Language, field: &str) -> &str {
    let locale = Locale::from(language);
    macro_rules! labels {
        ($($name:literal => $key:ident),+ $(,)?) => {
            match field {
                $($name => td_string!(locale, fields.$key),)+
                other => other,
            }
        };
    }
    labels! {
        "service" => service,
        "risk" => risk,
        "cluster" => cluster,
        "subscriber_type" => subscriber_type,
        "trend" => trend,
        "min_value" => min_value,
        "min_readiness" => min_readiness,
        "min_advance" => min_advance,
        "max_advance" => max_advance,
        "clusters" => clusters,
        "exclude_campaigns" => exclude_campaigns,
        "exclude_lists" => exclude_lists,
        "sort" => sort,
        "order" => order,
        "after" => after,
        "before" => before,
        "limit" => limit,
        "page" => page,
        "isdn" => isdn,
        "isdns" => isdns,
        "data_month" => data_month,
        "range" => range,
        "from" => from,
        "ordered_on" => ordered_on,
        "appointment_on" => appointment_on,
        "appointment_from" => appointment_from,
        "appointment_until" => appointment_until,
        "until" => until,
        "merchant" => merchant,
        "ctv" => ctv,
        "ma_ctv" => ctv,
        "closer" => closer,
        "period" => period,
        "reason" => reason,
        "amount" => amount,
        "level" => level,
        "rate" => rate,
        "effective_from" => effective_from,
        "status" => status,
        "q" => q,
        "name" => name,
        "phone" => phone,
        "slug" => slug,
        "channel" => channel,
        "metric" => metric,
        "threshold_type" => threshold_type,
        "threshold_value" => threshold_value,
        "campaign" => campaign,
        "id" => id,
        "language" => language,
    }
}

impl fmt::Display for FieldError {
    /// In English with the machine name, for the logs and the CLI.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message(Language::En))
    }
}

impl std::error::Error for FieldError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(error: &FieldError) -> (String, String) {
        (error.for_people(Language::Vi), error.for_people(Language::En))
    }

    #[test]
    fn a_value_out_of_range_names_itself_and_the_range_in_both_languages() {
        let error = FieldError::new(
            "min_value",
            Problem::OutOfRange { value: "120".into(), min: "0".into(), max: "100".into() },
        );
        let (vi, en) = both(&error);
        assert_eq!(en, "Minimum customer value: 120 is outside 0 to 100");
        assert!(vi.starts_with("Giá trị khách hàng tối thiểu: 120 "), "{vi}");
        assert!(vi.contains("0") && vi.contains("100") && !vi.contains("outside"), "{vi}");
        assert_eq!(error.message(Language::En), "120 is outside 0 to 100");
        assert_eq!(error.to_string(), "min_value: 120 is outside 0 to 100");
    }

    #[test]
    fn a_number_that_is_not_one_keeps_rusts_english_and_reads_in_vietnamese() {
        let error = "x".parse::<u32>().unwrap_err();
        let error = FieldError::new("limit", Problem::NotANumber { text: "x".into(), kind: NumberKind::of(&error) });
        assert_eq!(error.message(Language::En), "\"x\": invalid digit found in string");
        let (vi, en) = both(&error);
        assert!(vi.contains("\"x\"") && vi.contains("số nguyên"), "{vi}");
        assert!(en.starts_with("Rows per page: "), "{en}");
        let huge = "99999999999".parse::<u32>().unwrap_err();
        assert_eq!(NumberKind::of(&huge), NumberKind::WholeTooLarge);
        let decimal =
            FieldError::new("min_value", Problem::NotANumber { text: "abc".into(), kind: NumberKind::Decimal });
        assert_eq!(decimal.message(Language::En), "\"abc\": invalid float literal");
    }

    #[test]
    fn a_word_out_of_a_list_names_what_is_taken() {
        let order = FieldError::new(
            "order",
            Problem::NotOneOf { text: "up".into(), allowed: vec!["asc".into(), "desc".into()] },
        );
        assert_eq!(order.message(Language::En), "\"up\": expected asc or desc");
        assert!(order.message(Language::Vi).contains("asc") && order.message(Language::Vi).contains("desc"));
        assert_ne!(order.message(Language::Vi), order.message(Language::En));
        let status = FieldError::new(
            "status",
            Problem::NotOneOf { text: "x".into(), allowed: vec!["a".into(), "b".into(), "c".into()] },
        );
        assert_eq!(status.message(Language::En), "\"x\": expected one of a, b, c");
        let service = FieldError::new(
            "service",
            Problem::Unknown { what: "service type".into(), text: "Foo".into(), allowed: vec!["MBFG".into()] },
        );
        assert_eq!(service.message(Language::En), "\"Foo\": unknown service type \"Foo\"; expected one of MBFG");
        assert!(service.for_people(Language::Vi).contains("MBFG"));
    }

    #[test]
    fn dates_months_and_isdns_read_in_both_languages() {
        let until =
            FieldError::new("until", Problem::Before { value: "2026-01-01".into(), earlier: "2026-02-01".into() });
        assert_eq!(until.message(Language::En), "2026-01-01 is before 2026-02-01");
        assert!(until.for_people(Language::Vi).contains("2026-01-01"), "{}", until.for_people(Language::Vi));
        let month = FieldError::new("period", Problem::NotAMonth { text: "2026-13".into() });
        assert_eq!(month.message(Language::En), "\"2026-13\" is not a month (YYYY-MM)");
        assert!(month.message(Language::Vi).contains("không phải là tháng"));
        let isdn = FieldError::new("isdn", Problem::NotAnIsdn { text: "a b".into(), fault: IsdnFault::Character(' ') });
        assert!(isdn.message(Language::En).starts_with("\"a b\" is not an ISDN: ' ' is not allowed"));
        assert!(isdn.message(Language::Vi).contains("không phải là ISDN"));
        let both = FieldError::new("before", Problem::NotBoth { other: "after".into() });
        assert_eq!(both.message(Language::En), "give `after` or `before`, not both");
    }

    #[test]
    fn a_field_without_a_label_keeps_its_name() {
        assert_eq!(field_label(Language::Vi, "colour"), "colour");
        assert_eq!(field_label(Language::Vi, "ctv"), field_label(Language::Vi, "ma_ctv"));
    }
}
