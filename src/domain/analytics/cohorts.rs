//! Cohort analysis (seed 004 §5.1, issue 24): subscribers by the month of their first
//! successful top-up, and how many of them top up again in each month after it. Computed
//! nightly into `cohort_analysis`; the page reads it as a retention grid.

use serde::{Deserialize, Serialize};

pub const COHORTS_PATH: &str = "/analytics/cohorts";
/// `cohort_analysis.cohort_type` of these cohorts.
pub const FIRST_TOP_UP: &str = "first_top_up";
/// Cohort months the nightly computation covers, up to the current one.
pub const COHORT_MONTHS: i32 = 12;

/// One month of a cohort: `period` months after the cohort's own (0 = that month).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CohortCell {
    pub period: i32,
    pub active_users: i64,
    /// 0 to 1.
    pub retention_rate: f64,
    /// Đồng paid successfully by the cohort in that month.
    pub revenue: f64,
}

/// The subscribers whose first successful top-up fell in `month`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cohort {
    /// `YYYY-MM`.
    pub month: String,
    pub size: i64,
    /// Period 0 first, one per month up to the current one.
    pub cells: Vec<CohortCell>,
}

impl Cohort {
    pub fn revenue(&self) -> f64 {
        self.cells.iter().map(|cell| cell.revenue).sum()
    }
}

/// The organization's cohorts, oldest first, and when they were computed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CohortReport {
    pub cohorts: Vec<Cohort>,
    /// `YYYY-MM-DD HH:MM UTC`; `None` before the first computation.
    pub computed_at: Option<String>,
}

impl CohortReport {
    /// The longest row's length: the grid's number of columns.
    pub fn periods(&self) -> i32 {
        self.cohorts.iter().map(|cohort| cohort.cells.len() as i32).max().unwrap_or(0)
    }
}

/// `0.4567` → `"45.7%"` (en), `"45,7%"` (vi).
pub fn format_rate(language: crate::domain::language::Language, rate: f64) -> String {
    format!("{}%", crate::domain::format::format_decimal(language, rate * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_as_percentages() {
        use crate::domain::language::Language;
        assert_eq!(format_rate(Language::En, 1.0), "100.0%");
        assert_eq!(format_rate(Language::En, 0.45678), "45.7%");
        assert_eq!(format_rate(Language::Vi, 0.45678), "45,7%");
        assert_eq!(format_rate(Language::En, 0.0), "0.0%");
    }

    #[test]
    fn the_grid_is_as_wide_as_the_oldest_cohort() {
        let cell = |period| CohortCell { period, active_users: 1, retention_rate: 1.0, revenue: 10.0 };
        let report = CohortReport {
            cohorts: vec![
                Cohort { month: "2026-10".into(), size: 1, cells: vec![cell(0), cell(1), cell(2)] },
                Cohort { month: "2026-12".into(), size: 1, cells: vec![cell(0)] },
            ],
            computed_at: None,
        };
        assert_eq!(report.periods(), 3);
        assert_eq!(report.cohorts[0].revenue(), 30.0);
        assert_eq!(CohortReport::default().periods(), 0);
    }
}
