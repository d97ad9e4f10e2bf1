//! Lists of recommendations by priority or any shown column (seed 001 use cases 2
//! to 4), a page at a time. Pages continue from the last row seen (keyset), so page
//! 2,000 costs what page 1 costs.
//!
//! Lists are read from PostgreSQL: seed 001's Redis indexes cannot order risk or
//! cluster members by priority nor combine filters, and the indexes of migrations 05
//! and 06 answer a page in a millisecond or two.

use super::recommendation_rows::{RecFields, RecommendationRange, REC_FIELDS_SQL};
use super::Organization;
use crate::data::{sql, OrganizationStore};
use crate::domain::field_error::{FieldError, Problem};
use crate::domain::lists::{
    ListParams, ListSort, ListedRecommendation, MatchCount, RecommendationFilter, RecommendationPage, SortColumn,
};
use base64::Engine;
use sqlx::{Postgres, QueryBuilder};

pub const MAX_PAGE_SIZE: u32 = 1000;
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// Counting beyond this costs more than a page; past it a list says "2,000 or more".
const COUNT_CAP: i64 = 2_000;

/// The SQL a sort column orders by, and the type its cursor value is cast to. A
/// missing score sorts as -1, lowest; each expression matches an index of
/// migrations 05 and 06. Migration 18's `organization_recommendation_rows` holds the same table.
fn sort_sql(column: SortColumn) -> (&'static str, &'static str) {
    match column {
        SortColumn::Priority => ("COALESCE(r.priority_score, -1)", "numeric"),
        SortColumn::Isdn => ("r.isdn", "text"),
        SortColumn::Service => ("r.service_type", "text"),
        SortColumn::Risk => ("r.bad_debt_risk", "text"),
        SortColumn::Advance => ("r.advance_amount", "numeric"),
        SortColumn::CustomerValue => ("COALESCE(r.customer_value_score, -1)", "numeric"),
        SortColumn::Readiness => ("COALESCE(r.advance_readiness_score, -1)", "numeric"),
        SortColumn::ArpuAvg => ("COALESCE(r.arpu_avg_6m, -1)", "numeric"),
        SortColumn::Trend => ("COALESCE(r.arpu_trend, '')", "text"),
        SortColumn::Cluster => ("COALESCE(r.cluster_group, -1)", "int4"),
    }
}

/// Where a page ends: the list's sort column, the last row's value in it (as text)
/// and its ISDN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageCursor {
    column: SortColumn,
    value: String,
    isdn: String,
}

impl PageCursor {
    /// Opaque to clients, so its layout can change.
    pub fn encode(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{}|{}|{}", self.column, self.value, self.isdn))
    }

    /// A cursor of a list ordered by `column`; one from a list in another order is refused.
    pub fn decode(text: &str, column: SortColumn) -> Result<Self, Problem> {
        let invalid = || Problem::NotAPageCursor { text: text.to_owned() };
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
        let decoded = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (name, rest) = decoded.split_once('|').ok_or_else(invalid)?;
        let (value, isdn) = rest.rsplit_once('|').ok_or_else(invalid)?;
        let cursor_column: SortColumn = name.parse().map_err(|_| invalid())?;
        if cursor_column != column {
            return Err(Problem::CursorOfAnotherSort {
                cursor_sort: cursor_column.to_string(),
                sort: column.to_string(),
            });
        }
        let value_fits = match sort_sql(column).1 {
            "numeric" => {
                value.parse::<f64>().is_ok_and(f64::is_finite)
                    && value.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-')
            }
            "int4" => value.parse::<i32>().is_ok(),
            _ => true,
        };
        if !value_fits || crate::domain::isdn::Isdn::parse(isdn).is_err() {
            return Err(invalid());
        }
        Ok(Self { column, value: value.to_owned(), isdn: isdn.to_owned() })
    }
}

/// A list page asked for, checked: what it holds, its order, where it starts and
/// how many rows.
#[derive(Clone, Debug, PartialEq)]
pub struct ListRequest {
    pub filter: RecommendationFilter,
    pub sort: ListSort,
    pub start: PageStart,
    pub limit: u32,
}

/// Where a page starts.
#[derive(Clone, Debug, PartialEq)]
pub enum PageStart {
    First,
    /// Just after this row: the next page.
    After(PageCursor),
    /// Just before this row: the previous page.
    Before(PageCursor),
}

impl ListRequest {
    /// From the list's parameters; an error names the parameter at fault.
    pub fn from_params(params: &ListParams) -> Result<Self, FieldError> {
        let filter = params.filter()?;
        let sort = params.sort()?;
        let cursor = |field: &'static str, text: &str| {
            PageCursor::decode(text, sort.column).map_err(|problem| FieldError::new(field, problem))
        };
        let start = match (params.after.trim(), params.before.trim()) {
            ("", "") => PageStart::First,
            (after, "") => PageStart::After(cursor("after", after)?),
            ("", before) => PageStart::Before(cursor("before", before)?),
            _ => return Err(FieldError::new("before", Problem::NotBoth { other: "after".to_owned() })),
        };
        let limit = match params.limit.trim() {
            "" => DEFAULT_PAGE_SIZE,
            text => text.parse::<u32>().map_err(|e| FieldError::new("limit", Problem::not_whole(text, &e)))?,
        };
        if !(1..=MAX_PAGE_SIZE).contains(&limit) {
            return Err(FieldError::new("limit", Problem::out_of_range(limit, 1, MAX_PAGE_SIZE)));
        }
        Ok(Self { filter, sort, start, limit })
    }
}

#[derive(sqlx::FromRow)]
struct ListedRow {
    #[sqlx(flatten)]
    rec: RecFields,
    sort_value: String,
}

impl OrganizationStore {
    /// The request's page: up to `limit` recommendations matching its filter, in its
    /// order (ties by ISDN in the same direction), from its start.
    pub async fn recommendation_page(&self, request: &ListRequest) -> Result<RecommendationPage, sqlx::Error> {
        let organization = &self.organization;
        let ListRequest { filter, sort, start, limit } = request;
        let limit = (*limit).clamp(1, MAX_PAGE_SIZE);
        let (expression, _) = sort_sql(sort.column);
        // A previous page is read backwards from its cursor, then turned round.
        let backwards = matches!(start, PageStart::Before(_));
        let descending = sort.descending != backwards;
        let mut query =
            QueryBuilder::<Postgres>::new(format!("SELECT {REC_FIELDS_SQL}, ({expression})::text AS sort_value FROM "));
        let after = match start {
            PageStart::First => None,
            PageStart::After(cursor) | PageStart::Before(cursor) => Some((cursor.value.clone(), cursor.isdn.clone())),
        };
        let range = RecommendationRange::from(filter);
        range.push_rows(&mut query, organization, sort.column, descending, after, i64::from(limit) + 1);
        // The function returns its rows in this order; a set's order is kept only when asked.
        push_order(&mut query, sort.column, descending);

        let mut rows: Vec<ListedRow> =
            query.build_query_as().persistent(sql::named()).fetch_all(&mut *self.begin().await?).await?;
        let more_beyond = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        if backwards {
            rows.reverse();
        }
        let cursor_at = |row: &ListedRow| {
            PageCursor { column: sort.column, value: row.sort_value.clone(), isdn: row.rec.isdn.clone() }.encode()
        };
        let (has_next, has_previous) = match start {
            PageStart::First => (more_beyond, false),
            PageStart::After(_) => (more_beyond, true),
            PageStart::Before(_) => (true, more_beyond),
        };
        let next = rows.last().filter(|_| has_next).map(cursor_at);
        let previous = rows.first().filter(|_| has_previous).map(cursor_at);
        let items = rows
            .into_iter()
            .filter_map(|row| {
                let priority_score = row.rec.priority_score;
                Some(ListedRecommendation { recommendation: row.rec.into_recommendation()?, priority_score })
            })
            .collect();
        Ok(RecommendationPage { items, next, previous })
    }
}

/// `ORDER BY` the sort column, then ISDN, both in one direction.
pub(super) fn push_order(query: &mut QueryBuilder<'_, Postgres>, column: SortColumn, descending: bool) {
    let direction = if descending { "DESC" } else { "ASC" };
    if column == SortColumn::Isdn {
        query.push(format!(" ORDER BY r.isdn {direction}"));
    } else {
        query.push(format!(" ORDER BY {} {direction}, r.isdn {direction}", sort_sql(column).0));
    }
}

impl From<&RecommendationFilter> for RecommendationRange {
    fn from(filter: &RecommendationFilter) -> Self {
        let one = |value: Option<&str>| value.map(str::to_owned).into_iter().collect::<Vec<_>>();
        Self {
            services: one(filter.service.map(|s| s.as_str())),
            risks: one(filter.risk.map(|r| r.as_str())),
            clusters: filter.cluster.into_iter().collect(),
            subscriber_types: one(filter.subscriber_type.map(|t| t.as_str())),
            trends: one(filter.trend.map(|t| t.as_str())),
            min_value: filter.min_value,
            min_readiness: filter.min_readiness,
            ..Self::default()
        }
    }
}

/// `WHERE` for the organization and the filters given (exports, which read the table);
/// only those become SQL, so each shape of list gets its own plan.
pub(super) fn push_filter(
    query: &mut QueryBuilder<'_, Postgres>,
    organization: &Organization,
    filter: &RecommendationFilter,
) {
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
    if let Some(subscriber_type) = filter.subscriber_type {
        query.push(" AND r.subscriber_type = ").push_bind(subscriber_type.as_str());
    }
    if let Some(trend) = filter.trend {
        query.push(" AND r.arpu_trend = ").push_bind(trend.as_str());
    }
    if let Some(min_value) = filter.min_value {
        query.push(" AND r.customer_value_score >= ").push_bind(min_value).push("::numeric");
    }
    if let Some(min_readiness) = filter.min_readiness {
        query.push(" AND r.advance_readiness_score >= ").push_bind(min_readiness).push("::numeric");
    }
}

impl OrganizationStore {
    /// How many recommendations match: summed from the precomputed `segment`
    /// statistics when the filter only names values (at most a few hundred rows, one
    /// per service, risk, cluster, PRE/POS and trend that occurs), else counted up to
    /// `COUNT_CAP` in the list's index.
    pub async fn recommendation_count(&self, filter: &RecommendationFilter) -> Result<MatchCount, sqlx::Error> {
        let organization = &self.organization;
        if filter.min_value.is_none() && filter.min_readiness.is_none() {
            let mut query = QueryBuilder::<Postgres>::new(
                "SELECT COALESCE(SUM(total_count), 0)::int8 FROM recommendation_stats WHERE dimension_type = 'segment'
                   AND stats_date = (SELECT MAX(stats_date) FROM recommendation_stats WHERE organization_id = ",
            );
            query.push_bind(organization.id).push(") AND organization_id = ").push_bind(organization.id);
            // `segment` values are `service|risk|cluster|subscriber_type|trend`.
            let mut part = |position: i32, value: Option<String>| {
                if let Some(value) = value {
                    query.push(format!(" AND split_part(dimension_value, '|', {position}) = ")).push_bind(value);
                }
            };
            part(1, filter.service.map(|s| s.as_str().to_owned()));
            part(2, filter.risk.map(|r| r.as_str().to_owned()));
            part(3, filter.cluster.map(|c| c.to_string()));
            part(4, filter.subscriber_type.map(|t| t.as_str().to_owned()));
            part(5, filter.trend.map(|t| t.as_str().to_owned()));
            let count: i64 =
                query.build_query_scalar().persistent(sql::named()).fetch_one(&mut *self.begin().await?).await?;
            return Ok(MatchCount::Exact(count));
        }
        let mut query = QueryBuilder::<Postgres>::new("SELECT ");
        RecommendationRange::from(filter).push_count(&mut query, organization, Some(COUNT_CAP + 1));
        let count: i64 =
            query.build_query_scalar().persistent(sql::named()).fetch_one(&mut *self.begin().await?).await?;
        Ok(if count > COUNT_CAP { MatchCount::AtLeast(COUNT_CAP) } else { MatchCount::Exact(count) })
    }
}

#[cfg(test)]
mod tests {
    use super::PageCursor;
    use crate::domain::field_error::Problem;
    use crate::domain::lists::SortColumn;
    use base64::Engine;

    #[test]
    fn cursors_round_trip_and_reject_anything_else() {
        let cursor =
            PageCursor { column: SortColumn::Priority, value: "56.25".into(), isdn: "++/hZFPrCDRre55vsZqqxQ==".into() };
        assert_eq!(PageCursor::decode(&cursor.encode(), SortColumn::Priority), Ok(cursor.clone()));
        let trend = PageCursor { column: SortColumn::Trend, value: "Ổn định".into(), isdn: "84900000001".into() };
        assert_eq!(PageCursor::decode(&trend.encode(), SortColumn::Trend), Ok(trend));
        let other_order = PageCursor::decode(&cursor.encode(), SortColumn::Advance).unwrap_err();
        assert_eq!(
            other_order,
            Problem::CursorOfAnotherSort { cursor_sort: "priority".into(), sort: "advance".into() }
        );
        let encode = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
        let bad = [
            ("".to_owned(), SortColumn::Priority),
            ("!!".into(), SortColumn::Priority),
            (encode("not a cursor"), SortColumn::Priority),
            (encode("priority|1) OR 1=1|84900000001"), SortColumn::Priority),
            (encode("priority|1|=1+2"), SortColumn::Priority),
            (encode("cluster|1.5|84900000001"), SortColumn::Cluster),
        ];
        for (text, column) in bad {
            assert_eq!(PageCursor::decode(&text, column), Err(Problem::NotAPageCursor { text: text.clone() }));
        }
    }

    mod properties {
        use super::super::ListRequest;
        use crate::domain::lists::properties::{params, NAMES};
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            /// A whole list request (page cursors and size too): no panic, refusals named.
            #[test]
            fn any_list_request_is_read_or_refused_by_name(params in params()) {
                if let Err(error) = ListRequest::from_params(&params) {
                    prop_assert!(NAMES.contains(&error.field) && !error.message(crate::domain::language::Language::En).is_empty(), "{:?}", error);
                }
            }
        }
    }
}
