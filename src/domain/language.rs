//! The UI's two languages, and which one a request gets: the member's own setting,
//! else the language cookie (the switcher's choice before signing in), else the
//! browser's `Accept-Language`, else Vietnamese, the language of the operator's staff.

use serde::{Deserialize, Serialize};

/// The cookie the switcher sets (the name leptos_i18n would give it).
pub const LANGUAGE_COOKIE: &str = "i18n_pref_locale";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Vi,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Self::Vi, Self::En];

    /// As stored in `users.language`, sent in the cookie and written in `<html lang>`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Vi => "vi",
            Self::En => "en",
        }
    }

    /// `vi` or `en`, in any case; nothing else.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|language| language.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// The language an `Accept-Language` header prefers among ours, by its weights
    /// (`en-US,en;q=0.9,vi;q=0.8` → English); `None` if it names neither.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, usize, Language)> = None;
        for (position, item) in header.split(',').enumerate() {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let weight = parts
                .find_map(|param| param.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())
                .unwrap_or(0.0);
            let primary = tag.split(['-', '_']).next().unwrap_or("");
            let Some(language) = Self::parse(primary) else { continue };
            if weight <= 0.0 {
                continue;
            }
            // The heavier wins; between equals, the one written first.
            if best.is_none_or(|(w, p, _)| weight > w || (weight == w && position < p)) {
                best = Some((weight, position, language));
            }
        }
        best.map(|(_, _, language)| language)
    }

    /// The value of the language cookie in a `Cookie` header, if it is one of ours.
    pub fn from_cookie_header(header: &str) -> Option<Self> {
        header.split(';').find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == LANGUAGE_COOKIE).then(|| Self::parse(value)).flatten()
        })
    }

    /// The language of a request: the member's setting, else the cookie, else
    /// `Accept-Language`, else Vietnamese.
    pub fn choose(member: Option<Language>, cookie: Option<&str>, accept_language: Option<&str>) -> Self {
        member
            .or_else(|| cookie.and_then(Self::from_cookie_header))
            .or_else(|| accept_language.and_then(Self::from_accept_language))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_member_setting_wins_then_the_cookie_then_the_browser_then_vietnamese() {
        let cookie = Some("ut360_session=abc; i18n_pref_locale=vi");
        assert_eq!(Language::choose(Some(Language::En), cookie, Some("vi")), Language::En);
        assert_eq!(Language::choose(None, cookie, Some("en")), Language::Vi);
        assert_eq!(Language::choose(None, Some("ut360_session=abc"), Some("en-US,en;q=0.9")), Language::En);
        assert_eq!(Language::choose(None, None, Some("fr-FR,fr;q=0.9")), Language::Vi);
        assert_eq!(Language::choose(None, None, None), Language::Vi);
    }

    #[test]
    fn accept_language_weights_decide() {
        assert_eq!(Language::from_accept_language("vi;q=0.5, en;q=0.8"), Some(Language::En));
        assert_eq!(Language::from_accept_language("fr, vi-VN, en"), Some(Language::Vi));
        assert_eq!(Language::from_accept_language("en;q=0, vi;q=0.1"), Some(Language::Vi));
        assert_eq!(Language::from_accept_language("de"), None);
        assert_eq!(Language::from_accept_language(""), None);
    }

    #[test]
    fn a_cookie_of_another_language_or_name_is_ignored() {
        assert_eq!(Language::from_cookie_header("i18n_pref_locale=fr"), None);
        assert_eq!(Language::from_cookie_header("other=en"), None);
        assert_eq!(Language::from_cookie_header("a=b; i18n_pref_locale=EN"), Some(Language::En));
    }
}
