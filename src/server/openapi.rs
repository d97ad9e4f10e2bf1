//! The OpenAPI 3 document of `/api/v1`, served at `/api/v1/openapi.json`. It is derived,
//! not written: each handler's `#[utoipa::path]` in `api` gives its operation, and the
//! schemas come from the types the handlers answer with (`Recommendation`,
//! `SubscriberView`, …, derived with `utoipa::ToSchema` under the `ssr` feature), so a
//! field added to a type is in the document without anyone editing it.

use super::api;
use super::error::ErrorBody;
use crate::data::bulk::MAX_BULK_ISDNS;
use crate::domain::isdn::Isdn;
use std::sync::LazyLock;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::PathItem;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ArrayBuilder, ContentBuilder, ObjectBuilder, Ref, RefOr, Response, ResponseBuilder, Type};
use utoipa::{Modify, OpenApi, PartialSchema, ToResponse, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "UT360 API",
        version = "1.0.0",
        description = "What the advance-request system and campaign tools ask UT360 (seed 001 use cases 1 to 6). \
            Every call but this description sends an API key of its organization as `Authorization: Bearer <key>` \
            (created with `ut360 api-key create --org <slug> --name <name>`); a key reads its own organization's \
            data only. ISDNs containing '/' or '+' are sent percent-encoded in paths (%2F, %2B). Reads are served \
            from Redis, falling back to PostgreSQL."
    ),
    paths(api::list, api::bulk, api::recommendation, api::profile, api::stats),
    components(
        schemas(ErrorBody),
        responses(BadRequest, NotFound, TooLarge, Unavailable, Unauthorized),
    ),
    modifiers(&BearerKeyAndNoDefaults),
    security(("bearerKey" = [])),
)]
pub struct ApiDoc;

/// The document as JSON, built once.
static DOCUMENT: LazyLock<String> =
    LazyLock::new(|| ApiDoc::openapi().to_pretty_json().expect("the OpenAPI document serializes"));

/// The document as JSON.
pub fn document() -> &'static str {
    DOCUMENT.as_str()
}

pub(super) async fn serve() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], document())
}

/// The `isdn` path parameter's description.
pub(super) const ISDN_IN_PATH: &str = "8 to 15 digits, or base64 in groups of four (letters, digits, + / and = \
    padding), e.g. ++/hZFPrCDRre55vsZqqxQ== sent as %2B%2B%2FhZFPrCDRre55vsZqqxQ==";

/// The bulk lookup's body: a JSON array of 1 to `MAX_BULK_ISDNS` ISDNs.
pub(super) struct BulkIsdns;

impl PartialSchema for BulkIsdns {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new().items(Isdn::schema()).min_items(Some(1)).max_items(Some(MAX_BULK_ISDNS)).into()
    }
}

impl ToSchema for BulkIsdns {}

/// An error answer: `description`, with the `Error` body.
fn error_response(description: &str) -> ResponseBuilder {
    let body = ContentBuilder::new().schema(Some(Ref::from_schema_name(ErrorBody::name()))).build();
    ResponseBuilder::new().description(description).content("application/json", body)
}

/// The error answers the operations share, each once in `components/responses`.
macro_rules! error_responses {
    ($($name:ident => $description:literal),* $(,)?) => {$(
        pub(super) struct $name;

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                (stringify!($name), error_response($description).build().into())
            }
        }
    )*};
}

error_responses!(
    BadRequest => "A malformed parameter",
    NotFound => "No such subscriber",
    Unavailable => "PostgreSQL is unavailable; try again shortly",
    TooLarge => "The body is over the limit; it was not read",
);

pub(super) struct Unauthorized;

impl<'r> ToResponse<'r> for Unauthorized {
    fn response() -> (&'r str, RefOr<Response>) {
        let challenge =
            HeaderBuilder::new().schema(ObjectBuilder::new().schema_type(Type::String).examples(["Bearer"])).build();
        let response =
            error_response("No API key, or one that is unknown or revoked").header("WWW-Authenticate", challenge);
        ("Unauthorized", response.build().into())
    }
}

/// The `bearerKey` scheme every operation names; and none of what utoipa fills in by
/// default that says nothing here (the crate's empty license, the module's name as
/// every operation's tag).
struct BearerKeyAndNoDefaults;

impl Modify for BearerKeyAndNoDefaults {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("An organization's API key (ut360_…)"))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearerKey", SecurityScheme::Http(scheme));
        openapi.info.license = None;
        for item in openapi.paths.paths.values_mut() {
            let PathItem { get, put, post, delete, options, head, patch, trace, .. } = item;
            for operation in [get, put, post, delete, options, head, patch, trace].into_iter().flatten() {
                operation.tags = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::figures::MetaStats;
    use crate::domain::lists::ListedRecommendation;
    use crate::domain::profile::{Profile, SubscriberView};
    use crate::domain::recommendation::Recommendation;
    use serde::Serialize;
    use serde_json::Value;
    use std::collections::BTreeSet;

    fn document_json() -> Value {
        serde_json::from_str(document()).unwrap()
    }

    /// A schema's property names, following `$ref` and merging `allOf` (a flattened field).
    fn property_names(document: &Value, schema: &Value) -> BTreeSet<String> {
        if let Some(reference) = schema["$ref"].as_str() {
            let name = reference.trim_start_matches("#/components/schemas/");
            return property_names(document, &document["components"]["schemas"][name]);
        }
        let mut names: BTreeSet<String> =
            schema["properties"].as_object().map(|properties| properties.keys().cloned().collect()).unwrap_or_default();
        for part in schema["allOf"].as_array().into_iter().flatten() {
            names.extend(property_names(document, part));
        }
        names
    }

    fn schema_names(name: &str) -> BTreeSet<String> {
        let document = document_json();
        let schema = &document["components"]["schemas"][name];
        assert!(schema.is_object(), "no schema {name}");
        property_names(&document, schema)
    }

    fn json_keys(value: &impl Serialize) -> BTreeSet<String> {
        serde_json::to_value(value).unwrap().as_object().unwrap().keys().cloned().collect()
    }

    fn recommendation() -> Recommendation {
        Recommendation::from_fields([
            ("isdn", "++/hZFPrCDRre55vsZqqxQ=="),
            ("subscriber_type", "PRE"),
            ("service_type", "EasyCredit"),
            ("advance_amount", "25000"),
            ("bad_debt_risk", "LOW"),
            ("recommendation_date", "2026-11-01"),
            ("priority", "HIGH"),
        ])
        .unwrap()
    }

    #[test]
    fn the_recommendation_schema_lists_exactly_the_fields_the_api_writes() {
        let written = json_keys(&recommendation());
        assert_eq!(written.len(), 14, "seed 001's 14 fields: {written:?}");
        assert_eq!(schema_names("Recommendation"), written);
        let listed = ListedRecommendation { recommendation: recommendation(), priority_score: Some(56.35) };
        assert_eq!(schema_names("ListedRecommendation"), json_keys(&listed));
    }

    #[test]
    fn the_other_schemas_list_exactly_the_fields_the_api_writes() {
        let stats = MetaStats {
            total_subscribers: 1,
            total_easycredit: 1,
            total_mbfg: 0,
            total_ungsanluong: 0,
            total_low_risk: 1,
            total_medium_risk: 0,
            avg_advance_amount: 25000,
            total_revenue_potential: 2757,
            last_updated: "2026-11-01T00:00:00".into(),
            data_version: MetaStats::DATA_VERSION.into(),
        };
        assert_eq!(schema_names("MetaStats"), json_keys(&stats));

        // Every section with its optional fields set, so each is written.
        let mut profile = Profile::default();
        profile.basic.cluster = Some(3);
        profile.basic.cluster_label = Some("Khách hàng tiềm năng".into());
        profile.arpu_stats.first_month = Some(1.0);
        profile.arpu_stats.last_month = Some(2.0);
        profile.topup_behavior.min_amount = Some(10000.0);
        profile.topup_behavior.max_amount = Some(50000.0);
        profile.monthly_arpu = vec![Default::default()];
        let view = SubscriberView { recommendation: recommendation(), profile: Some(profile.clone()) };
        assert_eq!(schema_names("SubscriberView"), json_keys(&view));
        assert_eq!(schema_names("Profile"), json_keys(&profile));
        let document = document_json();
        let sections = &document["components"]["schemas"]["Profile"]["properties"];
        let written = serde_json::to_value(&profile).unwrap();
        for section in Profile::FIELDS.into_iter().filter(|field| *field != "updated_at") {
            let schema = match section {
                "monthly_arpu" => &sections[section]["items"],
                _ => &sections[section],
            };
            let value = match section {
                "monthly_arpu" => &written[section][0],
                _ => &written[section],
            };
            let keys: BTreeSet<String> = value.as_object().unwrap().keys().cloned().collect();
            assert_eq!(property_names(&document, schema), keys, "{section}");
        }
    }

    #[test]
    fn the_error_schema_is_what_errors_write() {
        let names = schema_names("Error");
        assert_eq!(names, ["error", "field", "message"].map(String::from).into());
        let document = document_json();
        let codes = &document["components"]["schemas"]["Error"]["properties"]["error"]["enum"];
        assert!(codes.as_array().unwrap().contains(&Value::from("bad_request")), "{codes}");
    }

    #[test]
    fn the_document_is_openapi_3_with_the_bearer_key() {
        let document = document_json();
        assert!(document["openapi"].as_str().unwrap().starts_with("3."), "{}", document["openapi"]);
        assert_eq!(document["components"]["securitySchemes"]["bearerKey"]["scheme"], "bearer");
        assert_eq!(document["security"], serde_json::json!([{"bearerKey": []}]));
        let limit = document["paths"]["/api/v1/recommendations"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|parameter| parameter["name"] == "limit")
            .unwrap();
        assert_eq!(limit["schema"]["maximum"], crate::data::lists::MAX_PAGE_SIZE);
    }
}
