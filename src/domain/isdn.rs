//! A subscriber number, checked before any lookup.

use crate::domain::field_error::{IsdnFault, Problem};
use serde::{Deserialize, Serialize};

/// A subscriber number as UT360 stores it: seed 001's encrypted ISDN in base64 (e.g.
/// `++/hZFPrCDRre55vsZqqxQ==`, 16 bytes) or a plain number (`84912345678`). Every way in
/// (import files, the API, pages, lists and the bulk lookup) checks it here, so what one
/// refuses no other accepts.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Isdn(String);

impl Isdn {
    pub const MAX_CHARS: usize = 255;
    /// A plain number: E.164 allows 15 digits; 8 is the shortest national number kept.
    pub const DIGITS: std::ops::RangeInclusive<usize> = 8..=15;

    /// Digits only, 8 to 15 of them; or base64 (letters, digits, `+` and `/`) in whole
    /// groups of four characters, `=` only as the last one or two (padding).
    pub fn parse(value: &str) -> Result<Self, Problem> {
        let not_one = |fault| Problem::NotAnIsdn { text: value.to_owned(), fault };
        let base64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/');
        if value.is_empty() {
            return Err(not_one(IsdnFault::Missing));
        }
        if value.chars().count() > Self::MAX_CHARS {
            return Err(not_one(IsdnFault::TooLong(Self::MAX_CHARS)));
        }
        if let Some(bad) = value.chars().find(|c| !base64(*c) && *c != '=') {
            return Err(not_one(IsdnFault::Character(bad)));
        }
        if value.bytes().all(|b| b.is_ascii_digit()) {
            return if Self::DIGITS.contains(&value.len()) {
                Ok(Self(value.to_owned()))
            } else {
                Err(not_one(IsdnFault::Digits))
            };
        }
        let data = value.trim_end_matches('=');
        if value.len() - data.len() > 2 || data.contains('=') {
            return Err(not_one(IsdnFault::Padding));
        }
        if !value.len().is_multiple_of(4) {
            return Err(not_one(IsdnFault::Groups));
        }
        Ok(Self(value.to_owned()))
    }

    /// An ISDN read back from PostgreSQL or Redis, which hold only ISDNs checked on
    /// their way in.
    pub fn from_store(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `parse`'s rule as a regular expression (ECMA-262 and Rust's `regex` alike, no
/// look-around), for the OpenAPI document: 8 to 15 digits, or base64 in groups of four
/// with at least one character that is not a digit (a group with a letter, `+` or `/`,
/// or the padded last group).
#[cfg(feature = "ssr")]
pub const ISDN_PATTERN: &str = concat!(
    "^(?:[0-9]{8,15}|(?:[A-Za-z0-9+/]{4})*(?:",
    "(?:[A-Za-z+/][A-Za-z0-9+/]{3}|[0-9][A-Za-z+/][A-Za-z0-9+/]{2}|[0-9]{2}[A-Za-z+/][A-Za-z0-9+/]|[0-9]{3}[A-Za-z+/])",
    "(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?",
    "|[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=))$"
);

/// The shortest ISDN: one group of base64.
#[cfg(feature = "ssr")]
const MIN_CHARS: usize = 4;

/// In the OpenAPI document: `parse`'s rule as a pattern, so what the document allows
/// the API accepts and what it refuses the API refuses.
#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for Isdn {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .min_length(Some(MIN_CHARS))
            .max_length(Some(Self::MAX_CHARS))
            .pattern(Some(ISDN_PATTERN))
            .description(Some(format!(
                "A subscriber number: 8 to 15 digits (84912345678), or base64 in groups of four characters \
                 (letters, digits, + and /, = only as the last one or two), at most {} characters, e.g. \
                 ++/hZFPrCDRre55vsZqqxQ==",
                Self::MAX_CHARS
            )))
            .into()
    }
}

#[cfg(feature = "ssr")]
impl utoipa::ToSchema for Isdn {}

impl std::fmt::Display for Isdn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document's pattern and `parse` agree on every string of ISDN-like characters.
    #[cfg(feature = "ssr")]
    mod pattern {
        use super::super::{Isdn, ISDN_PATTERN};
        use proptest::prelude::*;

        fn agree(text: &str) -> Result<(), TestCaseError> {
            let pattern = regex::Regex::new(ISDN_PATTERN).unwrap();
            let by_pattern = pattern.is_match(text) && text.chars().count() <= Isdn::MAX_CHARS;
            prop_assert_eq!(by_pattern, Isdn::parse(text).is_ok(), "{:?}", text);
            Ok(())
        }

        #[test]
        fn on_known_cases() {
            for text in [
                "++/hZFPrCDRre55vsZqqxQ==",
                "84912345678",
                "12345678",
                "123456789012345",
                "1234567",
                "1234567890123456",
                "0000",
                "00000000000000000000",
                "abcd",
                "123=",
                "12==",
                "1=2=",
                "====",
                "",
                "ab=c",
                "abc",
                "A+/0AAAA",
            ] {
                agree(text).unwrap();
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]
            #[test]
            fn on_generated_strings(text in "[0-9A-Za-z+/=]{0,24}|[0-9]{0,20}|[0-9]{0,9}[a+/][0-9]{0,10}={0,3}") {
                agree(&text)?;
            }
        }
    }

    fn english(parsed: Result<Isdn, Problem>) -> String {
        parsed.unwrap_err().message(crate::domain::language::Language::En, "isdn")
    }

    #[test]
    fn isdns_are_checked() {
        assert_eq!(Isdn::parse("++/hZFPrCDRre55vsZqqxQ==").unwrap().as_str(), "++/hZFPrCDRre55vsZqqxQ==");
        assert_eq!(Isdn::parse("84912345678").unwrap().as_str(), "84912345678");
        assert!(Isdn::parse("").is_err());
        assert!(english(Isdn::parse("abc def")).starts_with("\"abc def\" is not an ISDN: ' ' is not allowed"));
        assert!(Isdn::parse(&"a".repeat(256)).is_err());
    }

    #[test]
    fn one_rule_numbers_or_base64() {
        let accepted =
            ["AAAAAAAAAAAAAAAAAAAAAA==", "+++8cSwyjkh9Cey4SuLVag==", "abcd", "abcdef1=", "12345678", "123456789012345"];
        for isdn in accepted {
            assert!(Isdn::parse(isdn).is_ok(), "{isdn}");
        }
        let refused = [
            ("=1+2", "padding"),
            ("ab=c", "padding"),
            ("abc===", "padding"),
            ("abc", "groups of 4"),
            ("abcde", "groups of 4"),
            ("1234567", "8 to 15 digits"),
            ("1234567890123456", "8 to 15 digits"),
            ("ab_cd-ef", "not allowed"),
            ("84912345678\n", "not allowed"),
            ("８４９１２３４５", "not allowed"),
        ];
        for (isdn, why) in refused {
            let message = english(Isdn::parse(isdn));
            assert!(message.contains(why) && message.contains("is not an ISDN"), "{isdn}: {message}");
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_demo_generators_isdns_pass() {
        for record in crate::server::generate::generate(7, 0.001) {
            assert!(Isdn::parse(&record.isdn).is_ok(), "{}", record.isdn);
        }
    }

    mod properties {
        use super::Isdn;
        use crate::domain::language::Language;
        use proptest::prelude::*;

        const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

        /// The rule as the README states it, written apart from `parse`.
        fn follows_the_rule(value: &str) -> bool {
            let digits = value.bytes().all(|b| b.is_ascii_digit());
            let data = value.trim_end_matches('=');
            let base64 = !data.is_empty()
                && data.bytes().all(|b| BASE64.contains(&b))
                && value.len() - data.len() <= 2
                && value.len().is_multiple_of(4);
            value.len() <= Isdn::MAX_CHARS && if digits { (8..=15).contains(&value.len()) } else { base64 }
        }

        fn base64_text() -> impl Strategy<Value = String> {
            (proptest::collection::vec(proptest::sample::select(BASE64), 1..=16), 0..=2usize)
                .prop_map(|(groups, pad)| {
                    let mut text: String = groups.iter().map(|b| char::from(*b)).collect::<String>().repeat(4);
                    text.truncate(text.len() - pad);
                    text + &"=".repeat(pad)
                })
                // All digits is a number, held to the number's length.
                .prop_filter("some base64 that is not a number", |text| !text.bytes().all(|b| b.is_ascii_digit()))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn any_text_is_parsed_by_the_rule_without_panicking(value in any::<String>()) {
                prop_assert_eq!(Isdn::parse(&value).is_ok(), follows_the_rule(&value));
            }

            #[test]
            fn near_misses_are_parsed_by_the_rule(value in "[0-9A-Za-z+/=_ -]{0,30}") {
                let parsed = Isdn::parse(&value);
                prop_assert_eq!(parsed.is_ok(), follows_the_rule(&value), "{:?}", parsed);
                if let Err(problem) = parsed {
                    prop_assert!(!problem.message(Language::En, "isdn").is_empty());
                }
            }

            #[test]
            fn base64_and_numbers_pass(base64 in base64_text(), number in "[0-9]{8,15}") {
                prop_assert_eq!(Isdn::parse(&base64).map(|i| i.as_str().to_owned()), Ok(base64.clone()));
                prop_assert_eq!(Isdn::parse(&number).map(|i| i.as_str().to_owned()), Ok(number.clone()));
            }
        }
    }
}
