//! Test support: every test gets a fresh database (migrated) and its own Redis prefix.

use sqlx::PgPool;
use std::time::Duration;
use ut360::data::dataset::Dataset;
use ut360::data::records::SubscriberRecord;
use ut360::data::{Organization, Store, StoreSettings};
use ut360::domain::access::Role;

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/ut360";
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";

pub fn base_database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned())
}

/// Set (scripts/test.sh's second run: `postgres://postgres@127.0.0.1:6432/ut360`), the
/// code under test reaches each test database through this server, a PgBouncer in
/// transaction pooling mode, with unnamed statements; databases are still created,
/// migrated, checked and dropped on `DATABASE_URL` directly.
pub fn pooled_database_url() -> Option<String> {
    std::env::var("UT360_TEST_DATABASE_URL").ok().filter(|url| !url.is_empty())
}

pub fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| DEFAULT_REDIS_URL.to_owned())
}

/// `postgres://u@h:p/db?x` with its database replaced by `database`.
pub fn with_database(url: &str, database: &str) -> String {
    let without_query = url.split('?').next().unwrap_or(url);
    let server = without_query.rsplit_once('/').map_or(without_query, |(server, _)| server);
    format!("{server}/{database}")
}

/// A migrated database of its own, dropped by `cleanup` (leftovers from failed runs
/// are dropped by scripts/test.sh).
pub struct TestDb {
    pub name: String,
    pub settings: StoreSettings,
    pub store: Store,
    /// For assertions in SQL; the code under test goes through `store`.
    pub pool: PgPool,
    /// The PostgreSQL server it was created on (a URL naming any database).
    server: String,
    dropped: bool,
}

impl TestDb {
    pub async fn new() -> Self {
        Self::create(&base_database_url(), None, Vec::new()).await
    }

    /// A database whose store uses the Redis Cluster of which `nodes` are nodes.
    pub async fn with_redis_cluster(nodes: &[String]) -> Self {
        Self::create(&base_database_url(), None, nodes.to_vec()).await
    }

    /// A database on the private primary that `scripts/lib.sh ensure_replica` starts,
    /// whose store reads from the primary's streaming replica (`replica` names that server).
    pub async fn with_replica(primary: &str, replica: &str, max_lag: Duration) -> Self {
        Self::create(primary, Some((replica, max_lag)), Vec::new()).await
    }

    async fn create(server: &str, replica: Option<(&str, Duration)>, redis_cluster_nodes: Vec<String>) -> Self {
        let name = format!("ut360_test_{}", uuid::Uuid::new_v4().simple());
        let direct = with_database(server, &name);
        let pooled = pooled_database_url().filter(|_| replica.is_none());
        let mut settings = match pooled {
            Some(pooled) => StoreSettings {
                database_url: with_database(&pooled, &name),
                direct_database_url: Some(direct),
                prepared_statements: false,
                redis_url: redis_url(),
                redis_cluster_nodes,
                max_connections: 5,
                connect_timeout: Duration::from_secs(5),
                replica_urls: Vec::new(),
                replica_max_lag: Duration::from_secs(2),
            },
            None => StoreSettings {
                database_url: direct,
                direct_database_url: None,
                prepared_statements: true,
                redis_url: redis_url(),
                redis_cluster_nodes,
                max_connections: 5,
                connect_timeout: Duration::from_secs(5),
                replica_urls: Vec::new(),
                replica_max_lag: Duration::from_secs(2),
            },
        };
        if let Some((replica, max_lag)) = replica {
            settings.replica_urls = vec![with_database(replica, &name)];
            settings.replica_max_lag = max_lag;
        }
        Store::create_and_migrate(&settings).await.expect("create and migrate the test database");
        let store = Store::connect(&settings).await.expect("connect to the test database");
        let pool = PgPool::connect(settings.direct_url()).await.expect("assertion pool");
        Self { name, settings, store, pool, server: server.to_owned(), dropped: false }
    }

    /// The database settings of `ut360` run as a command on this database (through
    /// PgBouncer too when the tests are).
    pub fn command_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("DATABASE_URL", self.settings.database_url.clone()),
            ("DATABASE_DIRECT_URL", self.settings.direct_url().to_owned()),
            ("UT360_DB_PREPARED_STATEMENTS", self.settings.prepared_statements.to_string()),
        ]
    }

    pub async fn default_organization(&self) -> Organization {
        self.store.organization_by_slug(Organization::DEFAULT_SLUG).await.unwrap().expect("default organization")
    }

    /// A new organization whose Redis prefix no other test uses.
    pub async fn organization_with_own_prefix(&self) -> Organization {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let prefix = format!("ut360test_{}", &unique[..12]);
        self.store.create_organization(&prefix, "Test organization", &prefix).await.unwrap()
    }

    pub async fn load(&self, organization: &Organization, records: &[SubscriberRecord]) {
        let dataset = Dataset::from_records(records);
        self.store.for_organization(organization).replace_dataset(&dataset, |_| {}).await.expect("load subscribers");
    }

    pub async fn cleanup(mut self) {
        // Closing waits for connections still checked out; a task the test left behind
        // (the app's background writers) may hold one until its next round. The
        // database is dropped WITH (FORCE) after at most this long either way.
        let closing = async {
            self.store.close().await;
            self.pool.close().await;
        };
        if tokio::time::timeout(Duration::from_secs(10), closing).await.is_err() {
            eprintln!("{}: a connection was still in use after 10 s; dropping the database anyway", self.name);
        }
        drop_database(&self.server, &self.name).await;
        self.dropped = true;
    }
}

async fn drop_database(server: &str, name: &str) {
    let admin = PgPool::connect(&with_database(server, "postgres")).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&admin).await.unwrap();
    admin.close().await;
}

/// A test that panics before `cleanup` still leaves no database behind. Drop cannot
/// await, so a thread of its own runs the drop on a runtime of its own.
impl Drop for TestDb {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (server, name) = (self.server.clone(), self.name.clone());
        let dropping = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            runtime.block_on(drop_database(&server, &name));
        });
        let _ = dropping.join();
    }
}

pub async fn scalar_i64(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().port()
}

/// The app's router on a port of its own; returns its base URL. Pages act for the
/// organization of whoever signs in (`signed_in_client`).
pub async fn spawn_app(store: Store) -> String {
    spawn_app_with(store, Default::default()).await
}

/// The app with its own session lifetimes.
pub async fn spawn_app_with(store: Store, session_policy: ut360::server::auth::SessionPolicy) -> String {
    spawn_app_configured(store, session_policy, Default::default(), Default::default()).await
}

/// The app with its own session lifetimes and sign-in limits.
pub async fn spawn_app_limited(
    store: Store,
    session_policy: ut360::server::auth::SessionPolicy,
    limits: ut360::server::auth::limits::SignInLimits,
) -> String {
    spawn_app_configured(store, session_policy, Default::default(), limits).await
}

/// The app with its own session lifetimes, HTTPS / metrics settings and sign-in limits.
pub async fn spawn_app_configured(
    store: Store,
    session_policy: ut360::server::auth::SessionPolicy,
    security: ut360::server::security::HttpSecurity,
    limits: ut360::server::auth::limits::SignInLimits,
) -> String {
    spawn_app_around(store, session_policy, |state| state.with_security(security).with_sign_in_limits(limits)).await
}

/// The app with its state as `configure` makes it from the default one.
pub async fn spawn_app_around(
    store: Store,
    session_policy: ut360::server::auth::SessionPolicy,
    configure: impl FnOnce(ut360::server::state::AppState) -> ut360::server::state::AppState,
) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    // The static files as the build copies them from public/ (ECharts is copied there by the scripts).
    let leptos_options = leptos::config::LeptosOptions::builder()
        .output_name("ut360")
        .site_root(concat!(env!("CARGO_MANIFEST_DIR"), "/public"))
        .site_addr(address)
        .build();
    // As in production: the app connects as the role row-level security applies to.
    let state = configure(ut360::server::state::AppState::new(
        leptos_options,
        store.as_database_role(ut360::data::APP_ROLE),
        session_policy,
    ));
    // As `serve` does: the peer's address on every request (a trusted proxy's header is
    // believed from it; sign-in attempts are limited per address).
    let app = ut360::server::serve::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

pub const TEST_PASSWORD: &str = "a long test password";

/// A new account of `organization` with `role`, its email returned.
pub async fn create_user(store: &Store, organization: &Organization, role: Role) -> String {
    let email = format!("{}-{}@ut360.test", role.as_str(), &uuid::Uuid::new_v4().simple().to_string()[..8]);
    ut360::server::users_cli::create(store, organization, &email, role, TEST_PASSWORD).await.expect("create the user");
    email
}

/// An HTTP client with cookies, not following redirects (so tests see them). It asks
/// for English, as the tests read the pages' words in English (`language` tests the
/// other languages and the default).
pub fn browser_like_client() -> reqwest::Client {
    browser_like_client_in("en")
}

/// The same, with `Accept-Language: accept_language` (none when empty).
pub fn browser_like_client_in(accept_language: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if !accept_language.is_empty() {
        headers.insert(reqwest::header::ACCEPT_LANGUAGE, accept_language.parse().unwrap());
    }
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .timeout(ANSWER_WITHIN)
        .build()
        .unwrap()
}

/// How long a test waits for the app's whole answer: a page that never finishes fails
/// its test, naming the address, instead of stalling the test command.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(60);

/// Signs `email` in through the sign-in form; returns the response to the form.
pub async fn sign_in(http: &reqwest::Client, base: &str, email: &str, password: &str) -> reqwest::Response {
    http.post(format!("{base}/auth/sign-in"))
        .form(&[("email", email), ("password", password), ("next", "/")])
        .send()
        .await
        .unwrap()
}

/// A client signed in as a new member of `organization` with `role`.
pub async fn signed_in_client(base: &str, store: &Store, organization: &Organization, role: Role) -> reqwest::Client {
    let email = create_user(store, organization, role).await;
    let http = browser_like_client();
    let response = sign_in(&http, base, &email, TEST_PASSWORD).await;
    assert_eq!(response.headers().get("location").and_then(|l| l.to_str().ok()), Some("/"), "{email} signs in");
    http
}

/// A redis-server of the test's own, so it can be stopped and started again.
pub struct PrivateRedis {
    pub port: u16,
    child: Option<std::process::Child>,
}

impl PrivateRedis {
    pub fn start(port: u16) -> Self {
        let mut redis = Self { port, child: None };
        redis.restart();
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn restart(&mut self) {
        self.stop();
        let child = std::process::Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server is installed (scripts/lib.sh installs it)");
        self.child = Some(child);
    }

    /// A store on `settings`' database and this Redis, once Redis answers.
    pub async fn connect(&self, settings: &StoreSettings) -> Store {
        let settings = StoreSettings { redis_url: self.url(), ..settings.clone() };
        for _ in 0..50 {
            if let Ok(store) = Store::connect(&settings).await {
                return store;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the private Redis on port {} did not come up", self.port);
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// An HTTP client that sends `secret` as its API key.
pub fn client_with_key(secret: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {secret}").parse().unwrap());
    reqwest::Client::builder().default_headers(headers).timeout(ANSWER_WITHIN).build().unwrap()
}

/// An HTTP client with a new API key of `organization`.
pub async fn api_client(store: &Store, organization: &Organization) -> reqwest::Client {
    let key = store
        .for_organization(organization)
        .create_api_key(&format!("test-{}", uuid::Uuid::new_v4().simple()))
        .await
        .unwrap();
    client_with_key(&key.secret)
}

/// `isdn` as a path segment (seed ISDNs hold `/` and `+`).
pub fn encoded(isdn: &str) -> String {
    isdn.replace('+', "%2B").replace('/', "%2F")
}

/// Every server function's address the app registered, sorted.
pub fn server_function_paths() -> Vec<String> {
    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_owned()).collect();
    paths.sort();
    paths
}

/// The address of the server function `name` (`/api/{name}{hash}`).
pub fn server_fn_url(base: &str, name: &str) -> String {
    let path = server_function_paths()
        .into_iter()
        .find(|path| ut360::domain::access::server_function(path).is_some_and(|(found, _)| found == name))
        .unwrap_or_else(|| panic!("no server function {name}"));
    format!("{base}{path}")
}

/// The app on a fresh database, served on a port of its own, with a client signed in
/// to the default organization. The database goes with it, even if the test panics.
pub struct TestApp {
    pub db: TestDb,
    pub base: String,
    pub http: reqwest::Client,
}

/// A server function's answer: its status and its body as JSON (`Null` if it is not).
pub struct Answer {
    pub status: reqwest::StatusCode,
    pub body: serde_json::Value,
    pub text: String,
}

impl TestApp {
    pub async fn signed_in_as(role: Role) -> Self {
        let db = TestDb::new().await;
        let organization = db.default_organization().await;
        let base = spawn_app(db.store.clone()).await;
        let http = signed_in_client(&base, &db.store, &organization, role).await;
        Self { db, base, http }
    }

    /// Calls the server function `name` with a URL-encoded form, as a page's form does.
    pub async fn post_server_fn(&self, name: &str, form: &[(&str, &str)]) -> Answer {
        Self::answer(self.http.post(server_fn_url(&self.base, name)).form(form).send().await.unwrap()).await
    }

    /// Calls a server function that takes JSON (`input = Json`).
    pub async fn post_server_fn_json(&self, name: &str, body: &serde_json::Value) -> Answer {
        Self::answer(self.http.post(server_fn_url(&self.base, name)).json(body).send().await.unwrap()).await
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status();
        let text = response.text().await.unwrap();
        Answer { status, body: serde_json::from_str(&text).unwrap_or(serde_json::Value::Null), text }
    }

    pub async fn cleanup(self) {
        self.db.cleanup().await;
    }
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct TableIndex {
    pub name: String,
    pub definition: String,
    /// New when the index is built again under the same name and definition.
    pub oid: i64,
    pub primary_key: bool,
}

/// The valid indexes of `tables`, by name.
pub async fn table_indexes(pool: &PgPool, tables: &[&str]) -> Vec<TableIndex> {
    sqlx::query_as(
        "SELECT c.relname::text AS name, pg_get_indexdef(i.indexrelid) AS definition, i.indexrelid::bigint AS oid,
                i.indisprimary AS primary_key
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid = ANY($1::text[]::regclass[]) AND i.indisvalid AND i.indisready
         ORDER BY 1",
    )
    .bind(tables)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// How many secondary indexes of `before` were built again in `after` (a first load sets
/// them aside and builds them after its rows); every index keeps its name and definition.
/// Primary keys and unique indexes stay where they are.
pub fn rebuilt_secondary_indexes(before: &[TableIndex], after: &[TableIndex]) -> usize {
    assert_eq!(after.len(), before.len(), "every index is back: {after:?}");
    let mut rebuilt = 0;
    for (after, before) in after.iter().zip(before) {
        assert_eq!((&after.name, &after.definition), (&before.name, &before.definition), "the index is as defined");
        if !before.primary_key && !before.definition.starts_with("CREATE UNIQUE INDEX") {
            assert_ne!(after.oid, before.oid, "{} was built again after the rows", before.name);
            rebuilt += 1;
        }
    }
    rebuilt
}

/// The constraints of `tables` as (name, definition), by name.
pub async fn table_constraints(pool: &PgPool, tables: &[&str]) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint
         WHERE conrelid = ANY($1::text[]::regclass[]) AND convalidated ORDER BY 1",
    )
    .bind(tables)
    .fetch_all(pool)
    .await
    .unwrap()
}
