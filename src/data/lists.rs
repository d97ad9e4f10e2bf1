//! Lists of recommendations by priority (seed 001 use cases 2 to 4), a page at a
//! time. Pages continue from the last row seen (keyset), so page 2,000 costs what
//! page 1 costs.
//!
//! Lists are read from PostgreSQL: seed 001's Redis indexes cannot order risk or
//! cluster members by priority nor combine filters, and the index below answers a
//! page in about a millisecond.

use super::recommendation_rows::{RecFields, REC_FIELDS_SQL};
use super::{Organization, Store};
use crate::domain::{ListedRecommendation, MatchCount, RecommendationFilter, RecommendationPage};
use base64::Engine;
use sqlx::{Postgres, QueryBuilder};

pub const MAX_PAGE_SIZE: u32 = 1000;
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// Counting beyond this costs more than a page; past it a list says "2,000 or more".
const COUNT_CAP: i64 = 2_000;

/// Recommendations without a priority score sort last, as if it were -1; the
/// expression matches `idx_recommendations_org_priority`.
const SORT_PRIORITY: &str = "COALESCE(r.priority_score, -1)";

/// Where a page ends: the last row's sort priority (numeric text) and ISDN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageCursor {
    sort_priority: String,
    isdn: String,
}

impl PageCursor {
    /// Opaque to clients, so its layout can change.
    pub fn encode(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{}|{}", self.sort_priority, self.isdn))
    }

    pub fn decode(text: &str) -> Result<Self, String> {
        let invalid = || format!("{text:?} is not a page cursor; pass the `next` value of the previous page");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
        let decoded = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (sort_priority, isdn) = decoded.split_once('|').ok_or_else(invalid)?;
        let is_number = sort_priority.parse::<f64>().is_ok_and(f64::is_finite)
            && sort_priority.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-');
        if !is_number || crate::domain::Isdn::parse(isdn).is_err() {
            return Err(invalid());
        }
        Ok(Self { sort_priority: sort_priority.to_owned(), isdn: isdn.to_owned() })
    }
}

#[derive(sqlx::FromRow)]
struct ListedRow {
    #[sqlx(flatten)]
    rec: RecFields,
    sort_priority: String,
}

impl Store {
    /// Up to `limit` recommendations matching `filter` after `after`, highest
    /// priority first (ties by ISDN, descending).
    pub async fn recommendation_page(
        &self,
        organization: &Organization,
        filter: &RecommendationFilter,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<RecommendationPage, sqlx::Error> {
        let limit = limit.clamp(1, MAX_PAGE_SIZE);
        let mut query = QueryBuilder::<Postgres>::new(format!(
            "SELECT {REC_FIELDS_SQL}, {SORT_PRIORITY}::text AS sort_priority FROM recommendations r"
        ));
        push_filter(&mut query, organization, filter);
        if let Some(cursor) = after {
            query
                .push(format!(" AND ({SORT_PRIORITY}, r.isdn) < ("))
                .push_bind(&cursor.sort_priority)
                .push("::numeric, ")
                .push_bind(&cursor.isdn)
                .push(")");
        }
        query.push(format!(" ORDER BY {SORT_PRIORITY} DESC, r.isdn DESC LIMIT "));
        query.push_bind(i64::from(limit) + 1);

        let mut rows: Vec<ListedRow> = query.build_query_as().fetch_all(&self.pg).await?;
        let has_more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next = has_more
            .then(|| rows.last())
            .flatten()
            .map(|last| PageCursor { sort_priority: last.sort_priority.clone(), isdn: last.rec.isdn.clone() }.encode());
        let items = rows
            .into_iter()
            .filter_map(|row| {
                let priority_score = row.rec.priority_score;
                Some(ListedRecommendation { recommendation: row.rec.into_recommendation()?, priority_score })
            })
            .collect();
        Ok(RecommendationPage { items, next })
    }
}

/// `WHERE` for the organization and the filters given; only those become SQL, so
/// each shape of list gets its own plan.
fn push_filter(query: &mut QueryBuilder<'_, Postgres>, organization: &Organization, filter: &RecommendationFilter) {
    query.push(" WHERE r.organization_id = ").push_bind(organization.id);
    if let Some(service) = filter.service {
        query.push(" AND r.service_type = ").push_bind(service.as_str());
    }
    if let Some(risk) = filter.risk {
        query.push(" AND r.bad_debt_risk = ").push_bind(risk.as_str());
    }
    if let Some(cluster) = filter.cluster {
        query.push(" AND r.cluster_group = ").push_bind(cluster);
    }
    if let Some(min_value) = filter.min_value {
        query.push(" AND r.customer_value_score >= ").push_bind(min_value).push("::numeric");
    }
    if let Some(min_readiness) = filter.min_readiness {
        query.push(" AND r.advance_readiness_score >= ").push_bind(min_readiness).push("::numeric");
    }
}

/// The `recommendation_stats` row that counts exactly the filter's list, when there is one.
fn stats_dimension(filter: &RecommendationFilter) -> Option<(&'static str, String)> {
    if filter.min_value.is_some() || filter.min_readiness.is_some() {
        return None;
    }
    match (filter.service, filter.risk, filter.cluster) {
        (None, None, None) => Some(("all", "all".into())),
        (Some(service), None, None) => Some(("service", service.as_str().into())),
        (None, Some(risk), None) => Some(("risk", risk.as_str().into())),
        (None, None, Some(cluster)) => Some(("cluster", cluster.to_string())),
        (Some(service), Some(risk), None) => Some(("service_risk", format!("{service}|{risk}"))),
        _ => None,
    }
}

impl Store {
    /// How many recommendations match: from the precomputed statistics when they hold
    /// the answer, else counted up to `COUNT_CAP` in the list's index.
    pub async fn recommendation_count(
        &self,
        organization: &Organization,
        filter: &RecommendationFilter,
    ) -> Result<MatchCount, sqlx::Error> {
        if let Some((dimension, value)) = stats_dimension(filter) {
            let count: Option<i64> = sqlx::query_scalar(
                "SELECT COALESCE(SUM(total_count), 0)::int8 FROM recommendation_stats
                 WHERE organization_id = $1 AND dimension_type = $2 AND dimension_value = $3
                   AND stats_date = (SELECT MAX(stats_date) FROM recommendation_stats WHERE organization_id = $1)",
            )
            .bind(organization.id)
            .bind(dimension)
            .bind(value)
            .fetch_one(&self.pg)
            .await?;
            return Ok(MatchCount::Exact(count.unwrap_or(0)));
        }
        let mut query = QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM (SELECT 1 FROM recommendations r");
        push_filter(&mut query, organization, filter);
        query.push(" LIMIT ").push_bind(COUNT_CAP + 1).push(") AS capped");
        let count: i64 = query.build_query_scalar().fetch_one(&self.pg).await?;
        Ok(if count > COUNT_CAP { MatchCount::AtLeast(COUNT_CAP) } else { MatchCount::Exact(count) })
    }
}

#[cfg(test)]
mod tests {
    use super::PageCursor;

    #[test]
    fn cursors_round_trip_and_reject_anything_else() {
        let cursor = PageCursor { sort_priority: "56.25".into(), isdn: "++/hZFPrCDRre55vsZqqxQ==".into() };
        assert_eq!(PageCursor::decode(&cursor.encode()), Ok(cursor));
        let no_priority = PageCursor { sort_priority: "-1".into(), isdn: "abc".into() };
        assert_eq!(PageCursor::decode(&no_priority.encode()), Ok(no_priority));
        for bad in ["", "!!", "bm90IGEgY3Vyc29y", "MSkgT1IgMT0xfGFiYw"] {
            assert!(PageCursor::decode(bad).unwrap_err().contains("is not a page cursor"), "{bad}");
        }
    }
}
