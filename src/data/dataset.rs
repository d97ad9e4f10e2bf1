//! A whole subscriber dataset ready to load: the rows of the three tables, already
//! validated and held in PostgreSQL's COPY text format (compact, and streamed to
//! the database as is).

use super::copy::{split_line, CopyBuffer};
use super::records::SubscriberRecord;
use super::tables::SubscriberTable;

/// The rows of one table, in the order of [`SubscriberTable::columns`].
#[derive(Default)]
pub struct TableRows {
    buffer: CopyBuffer,
    rows: u64,
}

impl TableRows {
    pub fn len(&self) -> u64 {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Appends one row of canonical values (see `Column::normalize`), `None` for NULL.
    pub fn push<'a>(&mut self, values: impl IntoIterator<Item = Option<&'a str>>) {
        for value in values {
            self.buffer.optional_text(value);
        }
        self.buffer.end_row();
        self.rows += 1;
    }

    /// Each row's values, `None` for NULL.
    pub fn iter(&self) -> impl Iterator<Item = Vec<Option<String>>> + '_ {
        self.buffer.as_str().lines().map(|line| split_line(line).collect())
    }

    pub(super) fn copy_text(&self) -> &str {
        self.buffer.as_str()
    }
}

/// Everything an import or the generator loads for one organization.
#[derive(Default)]
pub struct Dataset {
    pub recommendations: TableRows,
    pub profiles: TableRows,
    pub monthly_arpu: TableRows,
}

impl Dataset {
    pub fn table(&self, table: SubscriberTable) -> &TableRows {
        match table {
            SubscriberTable::Recommendations => &self.recommendations,
            SubscriberTable::Profiles => &self.profiles,
            SubscriberTable::MonthlyArpu => &self.monthly_arpu,
        }
    }

    pub fn table_mut(&mut self, table: SubscriberTable) -> &mut TableRows {
        match table {
            SubscriberTable::Recommendations => &mut self.recommendations,
            SubscriberTable::Profiles => &mut self.profiles,
            SubscriberTable::MonthlyArpu => &mut self.monthly_arpu,
        }
    }

    pub fn total_rows(&self) -> u64 {
        SubscriberTable::ALL.iter().map(|t| self.table(*t).len()).sum()
    }

    /// The generator's records as table rows, with the derived columns
    /// (priority, user type, frequency class) computed the way the pipeline does.
    pub fn from_records(records: &[SubscriberRecord]) -> Self {
        let mut dataset = Self::default();
        for r in records {
            let date = r.recommendation_date.to_string();

            let row = &mut dataset.recommendations.buffer;
            row.text(&r.isdn).text(r.subscriber_type.as_str());
            row.text(r.service_type.as_str()).decimal(r.advance_amount).decimal(r.revenue_per_advance);
            row.int(r.cluster_group.into()).text(r.bad_debt_risk.as_str());
            row.decimal(r.arpu.avg).decimal(r.arpu.std).decimal(r.arpu.min).decimal(r.arpu.max);
            row.decimal(r.arpu.growth_rate).text(r.arpu.trend.as_str());
            row.cents(r.revenue.call_bp)
                .cents(r.revenue.sms_bp)
                .cents(r.revenue.data_bp)
                .text(r.revenue.user_type().as_str());
            row.decimal(r.topup.frequency).decimal(r.topup.avg_amount).decimal4(r.topup.advance_ratio);
            row.text(r.topup.frequency_class().as_str())
                .decimal(r.customer_value_score)
                .decimal(r.advance_readiness_score);
            row.decimal(r.priority_score()).text(&date);
            row.end_row();
            dataset.recommendations.rows += 1;

            let row = &mut dataset.profiles.buffer;
            row.text(&r.isdn).text(r.subscriber_type.as_str());
            row.text(r.service_type.as_str()).decimal(r.advance_amount).decimal(r.revenue_per_advance);
            row.decimal(r.arpu.avg).decimal(r.arpu.std).decimal(r.arpu.min).decimal(r.arpu.max);
            row.decimal(r.arpu.first_month).decimal(r.arpu.last_month).decimal(r.arpu.growth_rate);
            row.text(r.arpu.trend.as_str());
            row.cents(r.revenue.call_bp)
                .cents(r.revenue.sms_bp)
                .cents(r.revenue.data_bp)
                .text(r.revenue.user_type().as_str());
            row.decimal(r.topup.frequency).decimal(r.topup.avg_amount).decimal(r.topup.min_amount);
            row.decimal(r.topup.max_amount).decimal4(r.topup.advance_ratio).text(r.topup.frequency_class().as_str());
            row.text(r.bad_debt_risk.as_str()).decimal(r.risk_score).json(&r.risk_factors);
            row.decimal(r.customer_value_score).decimal(r.advance_readiness_score).decimal(r.revenue_potential);
            row.int(r.cluster_group.into()).text(&r.cluster_label).text(&r.classification_reason);
            row.json(&r.strengths).json(&r.recommendations_text).text(&date);
            row.end_row();
            dataset.profiles.rows += 1;

            for month in &r.monthly {
                let row = &mut dataset.monthly_arpu.buffer;
                row.text(&r.isdn).text(&month.data_month);
                row.cents(month.arpu_call).cents(month.arpu_sms).cents(month.arpu_data).cents(month.arpu_total());
                row.end_row();
                dataset.monthly_arpu.rows += 1;
            }
        }
        dataset
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::tables::SubscriberTable;

    #[test]
    fn generated_rows_are_what_an_import_would_accept() {
        let records = crate::server::generate::generate(7, 0.01);
        let dataset = Dataset::from_records(&records);
        assert_eq!(dataset.recommendations.len(), records.len() as u64);
        assert_eq!(dataset.profiles.len(), records.len() as u64);
        assert_eq!(dataset.monthly_arpu.len(), records.iter().map(|r| r.monthly.len() as u64).sum::<u64>());
        for table in SubscriberTable::ALL {
            let columns = table.columns();
            for row in dataset.table(table).iter() {
                assert_eq!(row.len(), columns.len(), "{table:?}");
                for (value, column) in row.iter().zip(columns) {
                    let raw = value.as_deref().unwrap_or("");
                    let canonical = column.normalize(raw).unwrap_or_else(|e| panic!("{}: {raw:?} {e}", column.name));
                    assert_eq!(canonical.as_deref(), value.as_deref(), "{} is not canonical", column.name);
                }
            }
        }
    }
}
