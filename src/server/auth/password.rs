//! Passwords are kept as argon2id hashes (PHC strings), never as typed.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::OnceLock;

pub const MIN_LENGTH: usize = 10;
/// Longer is refused: argon2 would hash any length, at a cost the sender chooses.
pub const MAX_LENGTH: usize = 128;

/// Why a new password is refused, worded for the person choosing it.
pub fn check_strength(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(format!("password: use at least {MIN_LENGTH} characters"));
    }
    if length > MAX_LENGTH {
        return Err(format!("password: use at most {MAX_LENGTH} characters"));
    }
    if is_common(password) {
        return Err("password: this is one of the most common passwords; choose another".to_owned());
    }
    Ok(())
}

/// Whether `password` is on the list of common passwords shipped with UT360
/// (`common-passwords.txt`, one a line), whatever its letters' case.
pub fn is_common(password: &str) -> bool {
    static COMMON: OnceLock<std::collections::HashSet<String>> = OnceLock::new();
    COMMON
        .get_or_init(|| {
            include_str!("common-passwords.txt")
                .lines()
                .map(|line| line.trim().to_lowercase())
                .filter(|line| !line.is_empty())
                .collect()
        })
        .contains(&password.trim().to_lowercase())
}

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters hashes any input")
        .to_string()
}

/// Whether `password` matches `stored`. Runs in the blocking pool: a check costs
/// tens of milliseconds of CPU on purpose.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        // An unknown account is checked against a hash of its own so that it takes
        // as long as a known one: the timing says nothing about which accounts exist.
        let (stored, known) = match stored {
            Some(stored) => (stored, true),
            None => (stand_in_hash().to_owned(), false),
        };
        let matches = PasswordHash::new(&stored)
            .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok());
        known && matches
    })
    .await
    .unwrap_or(false)
}

fn stand_in_hash() -> &'static str {
    static STAND_IN: OnceLock<String> = OnceLock::new();
    STAND_IN.get_or_init(|| hash("no account has this password"))
}

/// A password for a demo account: 16 letters and digits from the OS's randomness.
pub fn generate() -> String {
    use argon2::password_hash::rand_core::RngCore;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|byte| ALPHABET[*byte as usize % ALPHABET.len()] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_accepts_its_password_only() {
        let stored = hash("correct horse battery");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(stored.clone())).await);
        assert!(!verify("correct horse batterY".into(), Some(stored)).await);
        assert!(!verify("no account has this password".into(), None).await);
        assert_ne!(hash("same"), hash("same"), "each hash has its own salt");
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_strength("short").unwrap_err().contains("at least 10"));
        assert!(check_strength(&generate()).is_ok());
    }

    #[test]
    fn overlong_passwords_are_refused() {
        assert!(check_strength(&"x".repeat(MAX_LENGTH)).is_ok());
        assert!(check_strength(&"x".repeat(MAX_LENGTH + 1)).unwrap_err().contains("at most 128"));
        // Characters, not bytes: 128 two-byte letters are fine.
        assert!(check_strength(&"é".repeat(MAX_LENGTH)).is_ok());
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for common in ["1234567890", "Password123", "QWERTYUIOP", "iloveyou12", " qwerty123456 "] {
            assert!(check_strength(common).unwrap_err().contains("most common"), "{common}");
        }
        assert!(is_common("dragon"));
        assert!(!is_common("correct horse battery staple"));
        assert!(check_strength("correct horse battery staple").is_ok());
        let listed = include_str!("common-passwords.txt").lines().filter(|line| !line.trim().is_empty()).count();
        assert!(listed >= 300, "the list has {listed} entries");
    }
}
