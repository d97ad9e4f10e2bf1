//! Subscriber lists: which subscribers a list holds, its URL parameters checked, its
//! order and its pages.

use crate::domain::field_error::{FieldError, NumberKind, Problem};
use crate::domain::query::query_string;
use crate::domain::recommendation::{ArpuTrend, Recommendation, RiskLevel, ServiceType, Spelled, SubscriberType};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Which subscribers a list holds: every filter given must match.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecommendationFilter {
    pub service: Option<ServiceType>,
    pub risk: Option<RiskLevel>,
    pub cluster: Option<i32>,
    pub subscriber_type: Option<SubscriberType>,
    pub trend: Option<ArpuTrend>,
    /// Lowest customer value score, 0 to 100.
    pub min_value: Option<f64>,
    /// Lowest advance readiness score, 0 to 100.
    pub min_readiness: Option<f64>,
}

/// A list's parameters as a URL query carries them, as text ("" when absent) so each
/// bad value gets a message naming its parameter. The API and the list page share
/// the names. In the OpenAPI document each is described with the type it is read as.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
#[serde(default, deny_unknown_fields)]
pub struct ListParams {
    #[cfg_attr(feature = "ssr", param(value_type = Option<ServiceType>, inline))]
    pub service: String,
    #[cfg_attr(feature = "ssr", param(value_type = Option<RiskLevel>, inline))]
    pub risk: String,
    #[cfg_attr(feature = "ssr", param(value_type = Option<i32>))]
    pub cluster: String,
    #[cfg_attr(feature = "ssr", param(value_type = Option<SubscriberType>, inline))]
    pub subscriber_type: String,
    /// arpu_trend
    #[cfg_attr(feature = "ssr", param(value_type = Option<ArpuTrend>, inline))]
    pub trend: String,
    /// Lowest customer_value_score
    #[cfg_attr(feature = "ssr", param(value_type = Option<f64>, minimum = 0, maximum = 100))]
    pub min_value: String,
    /// Lowest advance_readiness_score
    #[cfg_attr(feature = "ssr", param(value_type = Option<f64>, minimum = 0, maximum = 100))]
    pub min_readiness: String,
    /// Column to order by; ties by isdn in the same direction
    #[cfg_attr(feature = "ssr", param(value_type = Option<openapi::SortParam>, inline))]
    pub sort: String,
    /// Default desc for figures, asc for isdn, service, risk and trend
    #[cfg_attr(feature = "ssr", param(value_type = Option<openapi::OrderParam>, inline))]
    pub order: String,
    /// The `next` value of the previous page: opaque (base64url), valid only for a list
    /// in the same order. Any other value, a cursor of a list in another order, or
    /// `after` with `before`, is answered 400 naming the parameter
    #[cfg_attr(feature = "ssr", param(value_type = Option<String>, pattern = "^[A-Za-z0-9_-]*$", max_length = 1024))]
    pub after: String,
    /// The `previous` value of a page, for the page before it (not with `after`); opaque
    /// as `after`, and refused as it is
    #[cfg_attr(feature = "ssr", param(value_type = Option<String>, pattern = "^[A-Za-z0-9_-]*$", max_length = 1024))]
    pub before: String,
    #[cfg_attr(feature = "ssr", param(value_type = Option<openapi::LimitParam>, inline))]
    pub limit: String,
}

/// The list parameters whose OpenAPI schema is built from the code that reads them.
#[cfg(feature = "ssr")]
mod openapi {
    use super::SortColumn;
    use crate::data::lists::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::{ObjectBuilder, RefOr, Type};
    use utoipa::{PartialSchema, ToSchema};

    /// `sort`: the names `SortColumn` reads.
    pub struct SortParam;

    impl PartialSchema for SortParam {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(SortColumn::ALL.iter().map(|column| column.as_str())))
                .default(Some(SortColumn::Priority.as_str().into()))
                .into()
        }
    }

    impl ToSchema for SortParam {}

    /// `order`.
    pub struct OrderParam;

    impl PartialSchema for OrderParam {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["asc", "desc"])).into()
        }
    }

    impl ToSchema for OrderParam {}

    /// `limit`: a page's size.
    pub struct LimitParam;

    impl PartialSchema for LimitParam {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .maximum(Some(MAX_PAGE_SIZE))
                .default(Some(DEFAULT_PAGE_SIZE.into()))
                .into()
        }
    }

    impl ToSchema for LimitParam {}
}

/// A value a list parameter takes, read from its (trimmed, non-empty) text.
trait ListValue: Sized {
    fn read(text: &str) -> Result<Self, Problem>;
}

impl ListValue for f64 {
    fn read(text: &str) -> Result<Self, Problem> {
        text.parse().map_err(|_| Problem::NotANumber { text: text.to_owned(), kind: NumberKind::Decimal })
    }
}

impl ListValue for i32 {
    fn read(text: &str) -> Result<Self, Problem> {
        text.parse().map_err(|e| Problem::NotANumber { text: text.to_owned(), kind: NumberKind::of(&e) })
    }
}

macro_rules! spelled_list_values {
    ($($ty:ty),*) => {$(
        impl ListValue for $ty {
            fn read(text: &str) -> Result<Self, Problem> {
                text.parse().map_err(|_| Problem::Unknown {
                    what: <$ty as Spelled>::WHAT.to_owned(),
                    text: text.to_owned(),
                    allowed: <$ty as Spelled>::spellings(),
                })
            }
        }
    )*};
}

spelled_list_values!(ServiceType, RiskLevel, SubscriberType, ArpuTrend, SortColumn);

fn parsed<T: ListValue>(field: &'static str, text: &str) -> Result<Option<T>, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    T::read(text).map(Some).map_err(|problem| FieldError::new(field, problem))
}

/// The list's parameter names, as the page's URL and the API carry them.
pub const PARAMETER_NAMES: [&str; 12] = [
    "service",
    "risk",
    "cluster",
    "subscriber_type",
    "trend",
    "min_value",
    "min_readiness",
    "sort",
    "order",
    "after",
    "before",
    "limit",
];

impl ListParams {
    pub fn filter(&self) -> Result<RecommendationFilter, FieldError> {
        fn score(field: &'static str, text: &str) -> Result<Option<f64>, FieldError> {
            match parsed::<f64>(field, text)? {
                Some(score) if !(0.0..=100.0).contains(&score) => {
                    Err(FieldError::new(field, Problem::out_of_range(score, 0, 100)))
                }
                other => Ok(other),
            }
        }
        Ok(RecommendationFilter {
            service: parsed("service", &self.service)?,
            risk: parsed("risk", &self.risk)?,
            cluster: parsed("cluster", &self.cluster)?,
            subscriber_type: parsed("subscriber_type", &self.subscriber_type)?,
            trend: parsed("trend", &self.trend)?,
            min_value: score("min_value", &self.min_value)?,
            min_readiness: score("min_readiness", &self.min_readiness)?,
        })
    }

    /// Priority, highest first, unless `sort` / `order` say otherwise.
    pub fn sort(&self) -> Result<ListSort, FieldError> {
        let column = parsed::<SortColumn>("sort", &self.sort)?.unwrap_or(SortColumn::Priority);
        let descending = match self.order.trim() {
            "" => column.descending_by_default(),
            "desc" => true,
            "asc" => false,
            other => return Err(FieldError::new("order", Problem::not_one_of(other, ["asc", "desc"]))),
        };
        Ok(ListSort { column, descending })
    }

    /// `name=value&…` of the parameters that have a value, percent-encoded.
    pub fn query_string(&self) -> String {
        let pairs = [
            ("service", &self.service),
            ("risk", &self.risk),
            ("cluster", &self.cluster),
            ("subscriber_type", &self.subscriber_type),
            ("trend", &self.trend),
            ("min_value", &self.min_value),
            ("min_readiness", &self.min_readiness),
            ("sort", &self.sort),
            ("order", &self.order),
            ("after", &self.after),
            ("before", &self.before),
            ("limit", &self.limit),
        ];
        query_string(&pairs)
    }
}

/// The columns a list can be ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortColumn {
    Priority,
    Isdn,
    Service,
    Risk,
    Advance,
    CustomerValue,
    Readiness,
    ArpuAvg,
    Trend,
    Cluster,
}

impl SortColumn {
    pub const ALL: [SortColumn; 10] = [
        Self::Priority,
        Self::Isdn,
        Self::Service,
        Self::Risk,
        Self::Advance,
        Self::CustomerValue,
        Self::Readiness,
        Self::ArpuAvg,
        Self::Trend,
        Self::Cluster,
    ];

    /// The name in `sort=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Priority => "priority",
            Self::Isdn => "isdn",
            Self::Service => "service",
            Self::Risk => "risk",
            Self::Advance => "advance",
            Self::CustomerValue => "value",
            Self::Readiness => "readiness",
            Self::ArpuAvg => "arpu",
            Self::Trend => "trend",
            Self::Cluster => "cluster",
        }
    }

    /// Figures read best largest first; names A to Z.
    pub fn descending_by_default(self) -> bool {
        !matches!(self, Self::Isdn | Self::Service | Self::Risk | Self::Trend)
    }
}

crate::domain::recommendation::display_and_parse!(SortColumn => "sort column");

/// A list's order: the column, then ISDN in the same direction to break ties.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSort {
    pub column: SortColumn,
    pub descending: bool,
}

impl Default for ListSort {
    fn default() -> Self {
        Self { column: SortColumn::Priority, descending: true }
    }
}

/// How many subscribers a list holds: exact, or at least this many when counting
/// further would cost more than the page itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MatchCount {
    Exact(i64),
    AtLeast(i64),
}

/// A recommendation in a list, with the score the list is ordered by.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ListedRecommendation {
    #[serde(flatten)]
    pub recommendation: Recommendation,
    /// customer value x advance readiness / 100; the list's order
    pub priority_score: Option<f64>,
}

/// One page of a list, in the list's order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RecommendationPage {
    pub items: Vec<ListedRecommendation>,
    /// Pass as `after` for the next page; null on the last page.
    pub next: Option<String>,
    /// Pass as `before` for the page before this one; null on the first page.
    pub previous: Option<String>,
}

/// What a bulk lookup found, in the order asked, each ISDN once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BulkLookup {
    pub found: Vec<Recommendation>,
    pub not_found: Vec<String>,
}

#[cfg(test)]
pub(crate) mod properties {
    use super::ListParams;
    use proptest::prelude::*;

    pub(crate) const NAMES: [&str; 12] = super::PARAMETER_NAMES;

    /// Now and then a valid value, mostly anything.
    fn value(valid: &'static [&'static str]) -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(valid).prop_map(str::to_owned),
            any::<String>(),
            "[ -~]{0,12}",
            Just(String::new()),
        ]
    }

    pub(crate) fn params() -> impl Strategy<Value = ListParams> {
        let filters = (
            value(&["EasyCredit", "MBFG", "ungsanluong"]),
            value(&["LOW", "MEDIUM", "HIGH"]),
            value(&["0", "3", "-1", "2147483648"]),
            value(&["PRE", "POS"]),
            value(&["Tăng trưởng", "Ổn định", "Giảm"]),
            value(&["0", "70", "100", "100.5", "NaN", "inf", "-0"]),
            value(&["0", "80", "1e2", "-5"]),
        );
        let order = (
            value(&["priority", "isdn", "arpu", "cluster"]),
            value(&["asc", "desc"]),
            any::<String>(),
            any::<String>(),
        );
        let limit = value(&["1", "100", "1000", "1001", "0", "-1"]);
        (filters, order, limit).prop_map(
            |(
                (service, risk, cluster, subscriber_type, trend, min_value, min_readiness),
                (sort, order, after, before),
                limit,
            )| {
                ListParams {
                    service,
                    risk,
                    cluster,
                    subscriber_type,
                    trend,
                    min_value,
                    min_readiness,
                    sort,
                    order,
                    after,
                    before,
                    limit,
                }
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// No panic; a refusal names one of the list's parameters and says something.
        #[test]
        fn any_list_parameters_are_read_or_refused_by_name(params in params()) {
            if let Err(error) = params.filter() {
                prop_assert!(NAMES.contains(&error.field) && !error.message(crate::domain::language::Language::En).is_empty(), "{:?}", error);
            }
            if let Err(error) = params.sort() {
                prop_assert!(NAMES.contains(&error.field) && !error.message(crate::domain::language::Language::En).is_empty(), "{:?}", error);
            }
        }

        /// A filter read is one the page can show again: its scores are within 0 to 100.
        #[test]
        fn accepted_scores_are_scores(params in params()) {
            if let Ok(filter) = params.filter() {
                for score in [filter.min_value, filter.min_readiness].into_iter().flatten() {
                    prop_assert!((0.0..=100.0).contains(&score));
                }
            }
        }
    }
}
