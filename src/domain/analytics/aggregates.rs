//! Seed 004's hourly and daily aggregates on UT360's own data: the channels and metric
//! names every part of the analytics layer shares (docs/seed-004.md, "Aggregates").
//! Values are decimals; rates are percentages from 0 to 100.

use serde::{Deserialize, Serialize};

/// What an aggregate measures, the `channel` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    /// Seed 003's transactions: `volume`, `count`, `success_rate`, also per segment.
    Transactions,
    /// The API's lookups: `api_calls`, `cache_hit_rate`, `latency_p99_ms`.
    Lookups,
    /// Exports: `exports`, `members_exported`.
    Campaigns,
    /// The web app: `page_views`, `sessions`, `sign_ins`.
    Web,
    /// What loads brought in: `rows_imported`, `rows_rejected`, `transactions_loaded`.
    Imports,
}

impl Channel {
    pub const ALL: [Channel; 5] = [Self::Transactions, Self::Lookups, Self::Campaigns, Self::Web, Self::Imports];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transactions => "transactions",
            Self::Lookups => "lookups",
            Self::Campaigns => "campaigns",
            Self::Web => "web",
            Self::Imports => "imports",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|channel| channel.as_str() == text)
    }

    /// The channel's metrics over all its data (transactions also have them per segment,
    /// see [`segment_metric`]).
    pub fn metrics(self) -> &'static [&'static str] {
        match self {
            Self::Transactions => &[metric::VOLUME, metric::COUNT, metric::SUCCESS_RATE],
            Self::Lookups => &[metric::API_CALLS, metric::CACHE_HIT_RATE, metric::LATENCY_P99_MS],
            Self::Campaigns => &[metric::EXPORTS, metric::MEMBERS_EXPORTED],
            Self::Web => &[metric::PAGE_VIEWS, metric::SESSIONS, metric::SIGN_INS],
            Self::Imports => &[metric::ROWS_IMPORTED, metric::ROWS_REJECTED, metric::TRANSACTIONS_LOADED],
        }
    }
}

/// The metric names of the shared contract.
pub mod metric {
    pub const VOLUME: &str = "volume";
    pub const COUNT: &str = "count";
    pub const SUCCESS_RATE: &str = "success_rate";
    pub const API_CALLS: &str = "api_calls";
    pub const CACHE_HIT_RATE: &str = "cache_hit_rate";
    pub const LATENCY_P99_MS: &str = "latency_p99_ms";
    pub const EXPORTS: &str = "exports";
    pub const MEMBERS_EXPORTED: &str = "members_exported";
    pub const PAGE_VIEWS: &str = "page_views";
    pub const SESSIONS: &str = "sessions";
    pub const SIGN_INS: &str = "sign_ins";
    pub const ROWS_IMPORTED: &str = "rows_imported";
    pub const ROWS_REJECTED: &str = "rows_rejected";
    pub const TRANSACTIONS_LOADED: &str = "transactions_loaded";
}

/// The segments transactions are also measured by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Segment {
    PaymentMode,
    Merchant,
}

impl Segment {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PaymentMode => "payment_mode",
            Self::Merchant => "merchant",
        }
    }
}

/// `volume.payment_mode.MOMO`, `success_rate.merchant.<client_code>`…
pub fn segment_metric(metric: &str, segment: Segment, key: &str) -> String {
    format!("{metric}.{}.{key}", segment.as_str())
}

/// Where `ut360 import` and transaction loads leave their summaries (`raw_data_backup.source`).
pub mod source {
    /// One row per file of each `ut360 import`: `rows_imported`, `rows_rejected`.
    pub const IMPORTS: &str = "imports";
    /// One row per batch of each transaction load: `transactions_loaded`.
    pub const TRANSACTIONS: &str = "transactions";
    /// One row per organization and minute of each `serve` process: the API's counters.
    pub const LOOKUPS: &str = "lookups";
}

/// The longest backfill: a year and a day (daily aggregates are kept 365 days).
pub const MAX_BACKFILL_DAYS: u32 = 366;

/// One aggregate, as read back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AggregatePoint {
    pub channel: String,
    pub metric: String,
    /// The hour (RFC 3339) or the day (YYYY-MM-DD).
    pub period: String,
    pub value: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_and_segment_metrics_read_as_the_contract_names_them() {
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
        }
        assert_eq!(Channel::parse("sales"), None);
        assert_eq!(segment_metric(metric::VOLUME, Segment::PaymentMode, "MOMO"), "volume.payment_mode.MOMO");
        assert_eq!(segment_metric(metric::SUCCESS_RATE, Segment::Merchant, "M01"), "success_rate.merchant.M01");
    }
}
