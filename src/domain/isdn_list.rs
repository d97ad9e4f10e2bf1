//! A list of ISDNs as marketing pastes it (seed 001 use case 6): one per line, or the
//! first column of a CSV export, with or without a header line.

use crate::domain::field_error::Problem;
use crate::domain::isdn::Isdn;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A line that holds no ISDN, by its 1-based line number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MalformedLine {
    pub line: usize,
    pub text: String,
    /// Why, in words when shown (`Problem::message`).
    pub reason: Problem,
}

/// The ISDNs of a pasted list, each once in the order first given, and what was not one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IsdnList {
    pub isdns: Vec<Isdn>,
    pub malformed: Vec<MalformedLine>,
    /// Lines repeating an ISDN given earlier.
    pub duplicates: usize,
}

impl IsdnList {
    /// Blank lines are skipped; of a CSV line (`,` `;` or tab) the first field counts,
    /// quotes removed. A first line that is no ISDN but names the column (`isdn`,
    /// `ISDN;service`…) is a header.
    pub fn parse(text: &str) -> Self {
        let mut list = Self::default();
        let mut seen = HashSet::new();
        let mut first = true;
        for (index, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
            let field = line.split([',', ';', '\t']).next().unwrap_or_default().trim().trim_matches('"').trim();
            if field.is_empty() {
                continue;
            }
            if std::mem::replace(&mut first, false) && is_header(field) {
                continue;
            }
            match Isdn::parse(field) {
                Ok(isdn) if seen.insert(isdn.as_str().to_owned()) => list.isdns.push(isdn),
                Ok(_) => list.duplicates += 1,
                Err(reason) => {
                    list.malformed.push(MalformedLine { line: index + 1, text: line.trim().to_owned(), reason })
                }
            }
        }
        list
    }
}

/// A column name rather than a subscriber: `ISDN`, `msisdn`, `so_thue_bao`, `phone`.
fn is_header(field: &str) -> bool {
    let name = field.to_lowercase();
    name.contains("isdn") || matches!(name.as_str(), "so_thue_bao" | "số thuê bao" | "phone" | "subscriber" | "number")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_csv_columns_headers_duplicates_and_junk() {
        let text =
            "\u{feff}ISDN;service\r\n\"++/hZFPrCDRre55vsZqqxQ==\";EasyCredit\n\n  84900000001  \n84900000001,MBFG\nnot an isdn\n\tx\n";
        let list = IsdnList::parse(text);
        let isdns: Vec<&str> = list.isdns.iter().map(Isdn::as_str).collect();
        assert_eq!(isdns, ["++/hZFPrCDRre55vsZqqxQ==", "84900000001"]);
        assert_eq!(list.duplicates, 1);
        assert_eq!(list.malformed.len(), 1);
        assert_eq!((list.malformed[0].line, list.malformed[0].text.as_str()), (6, "not an isdn"));
        assert!(matches!(list.malformed[0].reason, Problem::NotAnIsdn { .. }), "{:?}", list.malformed[0]);
    }

    #[test]
    fn a_header_only_counts_on_the_first_line() {
        assert!(IsdnList::parse("isdn\n84900000001").malformed.is_empty());
        let later = IsdnList::parse("84900000001\nisdn number");
        assert_eq!(later.malformed.len(), 1);
        assert_eq!(later.malformed[0].line, 2);
        assert_eq!(IsdnList::parse("").isdns.len(), 0);
    }

    #[test]
    fn a_line_the_api_would_refuse_is_malformed() {
        let list = IsdnList::parse("84900000001\n=1+2\nab_cd-ef\n");
        assert_eq!(list.isdns.len(), 1);
        let lines: Vec<usize> = list.malformed.iter().map(|m| m.line).collect();
        assert_eq!(lines, [2, 3]);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            /// Any text: no panic; each ISDN once and valid; each refusal names a line of
            /// the text and says why; nothing counted twice.
            #[test]
            fn any_pasted_text_is_split_into_isdns_and_numbered_refusals(
                text in prop_oneof![any::<String>(), "([0-9A-Za-z+/=,;\t\" -]{0,30}(\r?\n)){0,20}"],
            ) {
                let list = IsdnList::parse(&text);
                let lines = text.trim_start_matches('\u{feff}').lines().count();
                let mut seen = HashSet::new();
                for isdn in &list.isdns {
                    prop_assert!(Isdn::parse(isdn.as_str()).is_ok());
                    prop_assert!(seen.insert(isdn.as_str()), "{} twice", isdn.as_str());
                }
                for bad in &list.malformed {
                    prop_assert!((1..=lines).contains(&bad.line), "line {} of {}", bad.line, lines);
                    prop_assert!(matches!(bad.reason, Problem::NotAnIsdn { .. }), "{:?}", bad.reason);
                }
                prop_assert!(list.isdns.len() + list.malformed.len() + list.duplicates <= lines);
            }
        }
    }
}
