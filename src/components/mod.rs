mod account;
mod chart;
mod hydrated;
mod language;
mod sort_marks;
mod stat_card;
mod text_file_input;

pub use account::{get_viewer, TopBar};
pub use chart::{axis_tooltip, series_tooltip, value_axis, value_label, ChartLink, EChart, Figure};
pub use hydrated::use_hydrated;
pub use language::{fill, language, language_options, role_label, set_language, LanguageSwitcher, LANGUAGE_PATH};
#[cfg(feature = "ssr")]
pub use language::{language_of, request_language};
pub use sort_marks::sort_marks;
pub use stat_card::StatCard;
pub use text_file_input::TextFileInput;
