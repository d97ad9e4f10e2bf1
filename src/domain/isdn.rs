//! A subscriber number, checked before any lookup.

use serde::{Deserialize, Serialize};

/// A subscriber number as UT360 stores it (seed 001: an encrypted ISDN in base64,
/// e.g. `++/hZFPrCDRre55vsZqqxQ==`). Checked before any lookup.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Isdn(String);

impl Isdn {
    pub const MAX_CHARS: usize = 255;

    pub fn parse(value: &str) -> Result<Self, String> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-');
        if value.is_empty() {
            Err("an ISDN is required".into())
        } else if value.chars().count() > Self::MAX_CHARS {
            Err(format!("an ISDN has at most {} characters", Self::MAX_CHARS))
        } else if let Some(bad) = value.chars().find(|c| !allowed(*c)) {
            Err(format!("{value:?} is not an ISDN: {bad:?} is not allowed (letters, digits and + / = _ - are)"))
        } else {
            Ok(Self(value.to_owned()))
        }
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

/// In the OpenAPI document: a string of at most `MAX_CHARS` characters, described as
/// `parse` checks it.
#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for Isdn {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .max_length(Some(Self::MAX_CHARS))
            .description(Some(format!(
                "A subscriber number: letters, digits and + / = _ -, at most {} characters, e.g. \
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

    #[test]
    fn isdns_are_checked() {
        assert_eq!(Isdn::parse("++/hZFPrCDRre55vsZqqxQ==").unwrap().as_str(), "++/hZFPrCDRre55vsZqqxQ==");
        assert_eq!(Isdn::parse("84912345678").unwrap().as_str(), "84912345678");
        assert!(Isdn::parse("").is_err());
        assert!(Isdn::parse("abc def").unwrap_err().contains("' ' is not allowed"));
        assert!(Isdn::parse(&"a".repeat(256)).is_err());
    }
}
