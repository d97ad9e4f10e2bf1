//! What makes an organization's slug and name acceptable, and the Redis prefix a new
//! organization gets: checked once here, for the command line and any page alike.

use super::admin::ORGANIZATION_NAME_MAX;
use super::field_error::{FieldError, Problem};

pub const SLUG_MIN: usize = 2;
pub const SLUG_MAX: usize = 63;
/// `organizations.redis_prefix` is a VARCHAR(50) of `[a-z0-9_-]`.
pub const REDIS_PREFIX_MAX: usize = 50;
/// Every prefix this code derives starts so; the default organization's is the seed's
/// `ut360` (keys `ut360:…`), so `{prefix}:*` of one never matches another's keys.
const REDIS_PREFIX_START: &str = "ut360-";

/// A slug names the organization in URLs, commands and its Redis prefix: lowercase
/// letters, digits and hyphens, 2 to 63 of them, starting and ending with a letter or
/// digit (as a DNS label, so it can become a host name later).
pub fn check_slug(slug: &str) -> Result<String, FieldError> {
    let slug = slug.trim();
    let length = slug.chars().count();
    if !(SLUG_MIN..=SLUG_MAX).contains(&length) {
        return Err(FieldError::new("slug", Problem::LengthOutside { length, min: SLUG_MIN, max: SLUG_MAX }));
    }
    if let Some(bad) = slug.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')) {
        return Err(FieldError::new("slug", Problem::SlugCharacter { text: slug.to_owned(), character: bad }));
    }
    if slug.starts_with('-') || slug.ends_with('-') {
        return Err(FieldError::new("slug", Problem::SlugEnds { text: slug.to_owned() }));
    }
    Ok(slug.to_owned())
}

/// The name people read: 1 to 255 characters, surrounding spaces dropped.
pub fn check_name(name: &str) -> Result<String, FieldError> {
    let name = name.trim();
    let length = name.chars().count();
    if length == 0 || length > ORGANIZATION_NAME_MAX {
        return Err(FieldError::new("name", Problem::LengthOutside { length, min: 1, max: ORGANIZATION_NAME_MAX }));
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError::new("name", Problem::ControlCharacters));
    }
    Ok(name.to_owned())
}

/// The Redis prefix of a new organization with a checked `slug`: `ut360-{slug}`. A slug
/// too long for the column keeps its first characters and gets a hash of the whole, so
/// two long slugs that share a beginning still get different prefixes.
pub fn redis_prefix_for(slug: &str) -> String {
    let whole = format!("{REDIS_PREFIX_START}{slug}");
    if whole.len() <= REDIS_PREFIX_MAX {
        return whole;
    }
    // FNV-1a: stable across builds and platforms, unlike std's hasher.
    let hash = slug.bytes().fold(0x811c_9dc5_u32, |hash, byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193));
    let keep = REDIS_PREFIX_MAX - REDIS_PREFIX_START.len() - 9;
    let beginning = slug[..keep].trim_end_matches('-');
    format!("{REDIS_PREFIX_START}{beginning}-{hash:08x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_letters_digits_and_hyphens() {
        assert_eq!(check_slug(" acme-vn2 ").unwrap(), "acme-vn2");
        assert_eq!(check_slug("ab").unwrap(), "ab");
        assert_eq!(check_slug(&"a".repeat(63)).unwrap().len(), 63);
        for (bad, says) in [
            ("a", "2 to 63"),
            (&"a".repeat(64) as &str, "2 to 63"),
            ("Acme", "'A'"),
            ("acme_vn", "'_'"),
            ("acme vn", "' '"),
            ("thương", "'ư'"),
            ("-acme", "start and end"),
            ("acme-", "start and end"),
        ] {
            let error = check_slug(bad).unwrap_err();
            assert_eq!(error.field, "slug");
            assert!(error.message(crate::domain::language::Language::En).contains(says), "{bad:?}: {error}");
        }
    }

    #[test]
    fn names_are_one_to_255_characters() {
        assert_eq!(check_name("  Công ty Ứng Tiền  ").unwrap(), "Công ty Ứng Tiền");
        assert!(check_name(&"ư".repeat(255)).is_ok());
        assert_eq!(check_name("   ").unwrap_err().to_string(), "name: give 1 to 255 characters (this has 0)");
        assert!(check_name(&"a".repeat(256)).unwrap_err().to_string().contains("this has 256"));
        assert_eq!(check_name("a\nb").unwrap_err().field, "name");
    }

    #[test]
    fn prefixes_fit_the_column_and_differ_for_long_slugs_alike_at_the_start() {
        assert_eq!(redis_prefix_for("acme"), "ut360-acme");
        let long_a = format!("{}-a", "x".repeat(60));
        let long_b = format!("{}-b", "x".repeat(60));
        let (a, b) = (redis_prefix_for(&long_a), redis_prefix_for(&long_b));
        assert_ne!(a, b);
        for prefix in [&a, &b, &redis_prefix_for(&"y".repeat(63))] {
            assert!(prefix.len() <= REDIS_PREFIX_MAX, "{prefix}");
            assert!(prefix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'));
        }
        // The column holds exactly what fits: 44 characters of slug and no hash.
        assert_eq!(redis_prefix_for(&"z".repeat(44)), format!("ut360-{}", "z".repeat(44)));
    }
}
