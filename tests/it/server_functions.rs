//! Every server function the app registers, called with a bad parameter: it answers 400
//! and names the parameter, never 500. A server function added without a case here
//! fails the test, so the rule cannot silently stop holding.

use crate::common::TestApp;
use reqwest::StatusCode;
use serde_json::json;
use ut360::domain::access::{Role, SERVER_FUNCTIONS};

/// How to call a server function wrongly, and the field its answer must name.
enum BadCall {
    Form(&'static [(&'static str, &'static str)], &'static str),
    Json(serde_json::Value, &'static str),
    /// Takes no parameter: nothing can be bad; junk sent along is ignored.
    NoParameters,
}

fn bad_call(name: &str) -> BadCall {
    use BadCall::*;
    match name {
        "get_subscriber_list" => Form(&[("params[risk]", "low")], "risk"),
        "get_subscriber" => Form(&[("isdn", "not an isdn")], "isdn"),
        "get_recent_transactions" => Form(&[("isdn", "abc;def")], "isdn"),
        "get_transaction_dashboard" => Form(&[("params[range]", "decade")], "range"),
        "campaign_preview" => Json(json!({"rules": {"limit": 0}}), "limit"),
        "save_campaign" => Json(json!({"name": "", "owner": "x", "rules": {}}), "name"),
        "campaign_exports" => Form(&[("id", "not-a-uuid")], "id"),
        "create_suppression_list" => Form(&[("name", "empty"), ("text", "")], "isdns"),
        "lookup_isdn_list" => Form(&[("text", "")], "isdns"),
        "search_network" => Form(&[], "text"),
        "get_network" => Form(&[], "ma_ctv"),
        "get_customers" => Form(&[("params[status]", "Nope")], "status"),
        "enter_customer" => Form(
            &[
                ("name", "Khách"),
                ("phone", "12"),
                ("ordered_on", "2026-01-01"),
                ("appointment_on", ""),
                ("status", "Da den lam"),
                ("closer", ""),
                ("service", ""),
                ("amount", "0"),
            ],
            "phone",
        ),
        "change_customer_status" => Form(&[("id", "first"), ("status", "Huy")], "id"),
        "get_commission_report" => Form(&[("params[period]", "2026-13")], "period"),
        "get_commission_statement" => Form(&[("period", "last month"), ("ma_ctv", "CTV1")], "period"),
        "get_collaborator_statement" => Form(&[("ctv", "CTV1"), ("period", "2026-13")], "period"),
        "preview_commission_rate" => Form(&[("level", "5"), ("rate", "10"), ("effective_from", "2099-01-01")], "level"),
        "add_commission_rate" => Form(&[("level", "0"), ("rate", "101"), ("effective_from", "2099-01-01")], "rate"),
        "close_commission_period" => Form(&[("period", "2026-13")], "period"),
        "reopen_commission_period" => Form(&[("period", "2026-10"), ("reason", " ")], "reason"),
        "recalculate_commission_period" => Form(&[("period", "October")], "period"),
        "record_commission_adjustment" => {
            Form(&[("period", "2026-10"), ("ma_ctv", "CTV1"), ("amount", "0"), ("reason", "why not")], "amount")
        }
        "save_member" => Form(&[("email", "someone@ut360.test"), ("role", "owner")], "role"),
        "remove_member" => Form(&[("email", "nobody@ut360.test")], "email"),
        "create_api_key" => Form(&[("name", "")], "name"),
        "revoke_api_key" => Form(&[("name", "no such key")], "name"),
        "rename_organization" => Form(&[("name", "")], "name"),
        "get_security_events" => Form(&[("kind", "everything"), ("before", "")], "kind"),
        "get_usage" => Form(&[("page", "0")], "page"),
        "get_sync_history" => Form(&[("source", "not-a-source"), ("page", "")], "source"),
        "sync_data_source" => Form(&[("source_type", "file_import")], "source_type"),
        "get_insights" => Form(&[("kind", "everything"), ("page", "")], "kind"),
        "mark_insight_read" => Form(&[("id", "first")], "id"),
        "acknowledge_alert" => Form(&[("id", "first")], "id"),
        "save_alert_rule" => Form(
            &[
                ("id", ""),
                ("channel", "television"),
                ("metric", "volume"),
                ("period", "day"),
                ("threshold_type", "above"),
                ("threshold_value", "1"),
            ],
            "channel",
        ),
        "set_alert_rule_enabled" => Form(&[("id", "first"), ("enabled", "true")], "id"),
        "delete_alert_rule" => Form(&[("id", "first")], "id"),
        "get_funnel_analysis" => Form(&[("params[campaign]", "1; DROP")], "campaign"),
        "cancel_invitation" => Form(&[("email", "never-invited@ut360.test")], "email"),
        "set_language" => Form(&[("language", "fr")], "language"),
        "change_password" => Form(&[("current_password", "whatever"), ("new_password", "short")], "new_password"),
        "get_viewer"
        | "get_overview"
        | "get_dashboards"
        | "campaign_workspace"
        | "get_members"
        | "get_api_keys"
        | "get_organization_settings"
        | "get_invitations"
        | "get_data_sources"
        | "get_commission_rates"
        | "get_commission_periods"
        | "get_network_overview"
        | "get_alerts"
        | "get_cohort_analysis"
        | "get_your_organizations" => NoParameters,
        other => panic!("{other} has no bad call in tests/it/server_functions.rs: add one"),
    }
}

#[tokio::test]
async fn every_server_function_answers_a_bad_parameter_with_400_naming_it() {
    let app = TestApp::signed_in_as(Role::Admin).await;
    let mut wrong = Vec::new();
    for (name, _) in SERVER_FUNCTIONS {
        let answer = match bad_call(name) {
            BadCall::Form(form, _) => app.post_server_fn(name, form).await,
            BadCall::Json(body, _) => app.post_server_fn_json(name, &body).await,
            BadCall::NoParameters => {
                let answer = app.post_server_fn(name, &[("unexpected", "x")]).await;
                if answer.status != StatusCode::OK {
                    wrong.push(format!("{name}: {} {}", answer.status, answer.text));
                }
                continue;
            }
        };
        let field = match bad_call(name) {
            BadCall::Form(_, field) | BadCall::Json(_, field) => field,
            BadCall::NoParameters => unreachable!(),
        };
        let named = answer.body["field"].as_str() == Some(field) && answer.body["error"] == "bad_request";
        if answer.status != StatusCode::BAD_REQUEST || !named {
            wrong.push(format!("{name}: {} {} (expected 400 naming {field:?})", answer.status, answer.text));
        }
    }
    assert!(wrong.is_empty(), "server functions that mishandle a bad parameter:\n{}", wrong.join("\n"));
    app.cleanup().await;
}

#[tokio::test]
async fn a_missing_parameter_is_a_400_naming_it() {
    let app = TestApp::signed_in_as(Role::Admin).await;
    let answer = app.post_server_fn("get_subscriber", &[]).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
    assert_eq!(answer.body["field"], "isdn", "{}", answer.text);
    // The page shows the message: it says what was missing.
    assert!(answer.body["message"].as_str().is_some_and(|m| m.contains("isdn")), "{}", answer.text);
    app.cleanup().await;
}
