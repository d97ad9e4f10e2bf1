mod account;
mod chart;
mod sort_marks;
mod stat_card;
mod text_file_input;

pub use account::{get_viewer, TopBar};
pub use chart::{ChartLink, EChart};
pub use sort_marks::sort_marks;
pub use stat_card::StatCard;
pub use text_file_input::TextFileInput;
