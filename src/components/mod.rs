mod chart;
mod stat_card;

pub use chart::EChart;
pub use stat_card::StatCard;
