//! Issue 29: nothing the app's role can read lets a condition of its own see another
//! organization's rows, whatever plan PostgreSQL picks. A condition that PostgreSQL
//! evaluates before the organization filter (a cheap cast that fails on a value) names
//! the value in its error; row-level security and security barriers order the
//! organization filter first, an ordinary view of the owner's did not (migration 15).

use crate::common::{create_user, TestDb};
use sqlx::PgPool;
use ut360::data::api_keys::ApiClient;
use ut360::data::security_events::RequestOrigin;
use ut360::data::APP_ROLE;
use ut360::domain::access::Role;
use ut360::domain::campaign::CampaignRules;
use ut360::server::generate::generate;
use uuid::Uuid;

/// Readable by the app's role, holding no organization's rows: the list of organizations
/// (names and Redis prefixes, listed to all by migration 14's policy), accounts (one may
/// belong to several organizations; read at sign-in before an organization is known),
/// sessions, sign-in failures by email, and the migrations applied.
const GLOBAL: [&str; 5] = [
    "public._sqlx_migrations",
    "public.organizations",
    "public.sign_in_failures",
    "public.users",
    "tower_sessions.session",
];

struct Relation {
    name: String,
    /// The column holding the organization's id.
    organization: Option<String>,
    text_columns: Vec<String>,
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Every table, partition and view the app's role may SELECT, with its text columns.
async fn readable_relations(owner: &PgPool) -> Vec<Relation> {
    let rows: Vec<(String, String, Option<String>, Vec<String>)> = sqlx::query_as(
        "SELECT format('%s.%s', n.nspname, c.relname),
                format('%I.%I', n.nspname, c.relname),
                (SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND NOT a.attisdropped
                   AND a.attname = 'organization_id'),
                ARRAY(SELECT a.attname::text FROM pg_attribute a
                      WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                        AND a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype, 'name'::regtype)
                        AND has_column_privilege($1, c.oid, a.attname, 'SELECT')
                      ORDER BY a.attnum)
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
           AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
           AND has_table_privilege($1, c.oid, 'SELECT')
         ORDER BY 1",
    )
    .bind(APP_ROLE)
    .fetch_all(owner)
    .await
    .unwrap();
    let mut global: Vec<&str> =
        rows.iter().filter(|(_, _, column, _)| column.is_none()).map(|(n, ..)| n.as_str()).collect();
    global.sort_unstable();
    assert_eq!(global, GLOBAL, "a relation the app reads without an organization column: say whose rows it holds");
    rows.into_iter()
        .filter(|(_, _, column, _)| column.is_some())
        .map(|(_, name, organization, text_columns)| Relation { name, organization, text_columns })
        .collect()
}

/// The failures of `probe` on every text column of every relation, as the app's role
/// acting for `ours`: an error, or a count other than our own rows'.
async fn leaks(app: &PgPool, relations: &[Relation], ours: Uuid, sequential: bool) -> Vec<String> {
    let mut found = Vec::new();
    for relation in relations {
        let Some(organization) = &relation.organization else { continue };
        for column in &relation.text_columns {
            let mut tx = app.begin().await.unwrap();
            sqlx::query("SELECT set_config('app.organization_id', $1, true)")
                .bind(ours.to_string())
                .execute(&mut *tx)
                .await
                .unwrap();
            if sequential {
                sqlx::query("SET LOCAL enable_indexscan = off").execute(&mut *tx).await.unwrap();
                sqlx::query("SET LOCAL enable_bitmapscan = off").execute(&mut *tx).await.unwrap();
            }
            let (table, column_sql, organization_sql) = (&relation.name, quoted(column), quoted(organization));
            // Every row we see, a NULL in the column or not (the probe counts those too).
            let expected: i64 =
                sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut *tx).await.unwrap();
            // Our own rows pass before the cast, so only someone else's value can fail it.
            let probed: Result<i64, _> = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM {table} WHERE ({organization_sql} = $1 OR {column_sql}::int > 0)"
            ))
            .bind(ours)
            .fetch_one(&mut *tx)
            .await;
            match probed {
                Err(error) => found.push(format!("{table}.{column}: {error}")),
                Ok(count) if count != expected => {
                    found.push(format!("{table}.{column}: {count} rows, ours are {expected}"))
                }
                Ok(_) => {}
            }
            tx.rollback().await.unwrap();
        }
    }
    found
}

#[tokio::test]
async fn no_condition_on_any_readable_relation_sees_another_organizations_rows() {
    let db = TestDb::new().await;
    // Theirs: seed ISDNs (base64, never a number), an account, an API key, a campaign.
    let theirs = db.default_organization().await;
    let ours = db.organization_with_own_prefix().await;
    db.load(&theirs, &generate(5, 0.001)).await;
    db.load(&ours, &generate(6, 0.0005)).await;
    for organization in [&theirs, &ours] {
        create_user(&db.store, organization, Role::Marketing).await;
        let store = db.store.for_organization(organization);
        let key = store.create_api_key("leak probe").await.unwrap();
        // A security event and an API key's address (migration 80) of each.
        let origin = RequestOrigin { ip: Some("192.0.2.1".parse().unwrap()), user_agent: Some("probe".into()) };
        let client = ApiClient { key_id: key.info.id, key_name: key.info.name, organization: organization.clone() };
        assert!(store.record_api_key_address(&client, &origin).await.unwrap());
        let _ = store.save_campaign(None, "Probe", "marketing", &CampaignRules::seed_template()).await.unwrap();
    }

    let relations = readable_relations(&db.pool).await;
    let names: Vec<&str> = relations.iter().map(|r| r.name.as_str()).collect();
    assert!(names.contains(&"public.recommendations") && names.contains(&"public.organization_recommendations"));
    assert!(names.contains(&"public.security_events") && names.contains(&"public.api_key_addresses"));
    let theirs_held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recommendations WHERE organization_id = $1")
        .bind(theirs.id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(theirs_held > 100, "they hold rows to leak");

    let app = PgPool::connect(&ut360::data::with_user(db.settings.direct_url(), APP_ROLE, None)).await.unwrap();
    for sequential in [true, false] {
        let found = leaks(&app, &relations, ours.id, sequential).await;
        assert!(found.is_empty(), "sequential scans only: {sequential}; {found:#?}");
    }

    // The range functions (migration 18): a condition on their rows sees only ours, and
    // naming another organization than the connection's gives nothing.
    let range = |organization: Uuid| {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM organization_recommendation_rows($1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               NULL, NULL, NULL, 'priority', true, NULL, NULL, 1000000) r
             WHERE (r.organization_id = $2 OR r.isdn::int > 0)",
        )
        .bind(organization)
        .bind(ours.id)
    };
    let mut tx = app.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.organization_id', $1, true)")
        .bind(ours.id.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    let our_rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recommendations").fetch_one(&mut *tx).await.unwrap();
    assert!(our_rows > 0);
    assert_eq!(range(ours.id).fetch_one(&mut *tx).await.unwrap(), our_rows);
    assert_eq!(range(theirs.id).fetch_one(&mut *tx).await.unwrap(), 0, "not the connection's organization");
    let counted: i64 = sqlx::query_scalar(
        "SELECT organization_recommendation_count($1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
    )
    .bind(theirs.id)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert_eq!(counted, 0, "not the connection's organization");
    tx.rollback().await.unwrap();
    app.close().await;
    db.cleanup().await;
}

/// Every `SECURITY DEFINER` function runs with a search path that no caller's object
/// can come before: the catalog first, temporary objects last.
#[tokio::test]
async fn every_security_definer_function_fixes_its_search_path() {
    let db = TestDb::new().await;
    let functions: Vec<(String, Option<Vec<String>>)> = sqlx::query_as(
        "SELECT p.oid::regprocedure::text, p.proconfig::text[] FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert!(functions.len() >= 5, "{functions:?}");
    let unsafe_paths: Vec<&(String, Option<Vec<String>>)> = functions
        .iter()
        .filter(|(_, config)| {
            // pg_temp last; pg_catalog first, named or (when left out) implicitly.
            !config.iter().flatten().any(|setting| {
                setting == "search_path=pg_catalog, public, pg_temp" || setting == "search_path=public, pg_temp"
            })
        })
        .collect();
    assert!(unsafe_paths.is_empty(), "{unsafe_paths:#?}");
    db.cleanup().await;
}
