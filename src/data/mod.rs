//! The data layer: the only code that speaks SQL or Redis.
//!
//! Postgres is the source of truth; Redis holds what can be rebuilt from it.

pub mod analytics;
pub mod api_keys;
pub mod bulk;
pub mod cache_entries;
pub mod cache_sync;
pub mod campaigns;
pub mod ctv;
pub mod dashboards;
pub mod dataset;
pub mod exports;
mod first_load;
pub mod invitations;
pub mod lists;
pub mod lookups;
pub mod organization_lifecycle;
pub mod organizations;
pub mod overview;
mod recommendation_rows;
pub mod records;
pub mod redis_connection;
pub mod refresh_lock;
mod remembered;
pub mod replicas;
pub mod resilience;
pub mod security_events;
pub mod subscribers;
pub mod sync_logs;
pub mod tables;
mod transaction_summaries;
pub mod transactions;
pub mod users;

mod copy;
mod copy_binary;
mod sql;

use redis_connection::{KeyLayout, RedisClient, RedisConnection};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::ConnectOptions;
use sqlx::{PgPool, Postgres};
use std::str::FromStr;
use std::time::Duration;
use uuid::Uuid;

pub use organizations::Organization;

/// How to reach the two stores.
#[derive(Clone, Debug)]
pub struct StoreSettings {
    /// The shared pool's server: PostgreSQL itself, or a PgBouncer in transaction
    /// pooling mode in front of it.
    pub database_url: String,
    /// PostgreSQL itself, for what needs a session of its own (migrations, the
    /// refresh lock, LISTEN, the session store); `None`: `database_url`.
    pub direct_database_url: Option<String>,
    /// Named statements, prepared once per connection and cached. `false` sends every
    /// statement unnamed (parsed on each execution), as PgBouncer 1.18's transaction
    /// pooling needs: a named statement may be bound on another server connection.
    pub prepared_statements: bool,
    pub redis_url: String,
    /// Nodes of a Redis Cluster (any of them: the client finds the others); empty: the
    /// server at `redis_url`, which may itself be a node of a cluster (asked at start).
    pub redis_cluster_nodes: Vec<String>,
    pub max_connections: u32,
    pub connect_timeout: Duration,
    /// Streaming replicas that lists, dashboards, Customer360 and reports may read from
    /// (see `replicas`); empty: the primary answers everything.
    pub replica_urls: Vec<String>,
    /// A replica further behind the primary than this is skipped.
    pub replica_max_lag: Duration,
}

impl StoreSettings {
    pub fn direct_url(&self) -> &str {
        self.direct_database_url.as_deref().unwrap_or(&self.database_url)
    }
}

/// A failure to reach a store at start-up, worded for the operator.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot reach PostgreSQL at {url}: {reason}")]
    Postgres { url: String, reason: String },
    #[error("cannot reach Redis at {url}: {reason}")]
    Redis { url: String, reason: String },
    #[error("cannot apply database migrations: {0}")]
    Migrate(String),
}

/// Handles to Postgres and Redis, cheap to clone. `for_organization` gives the
/// same store acting for one organization (an [`OrganizationStore`]).
///
/// Every organization shares one pool. A connection carries no organization: each
/// transaction of the data layer sets its own (`begin`), so what a request sees ends
/// with its transaction, also through PgBouncer's transaction pooling.
#[derive(Clone)]
pub struct Store {
    pg: PgPool,
    /// Sessions of their own on PostgreSQL itself (see `StoreSettings::direct_database_url`);
    /// `None` when nothing stands between the app and PostgreSQL: then `pg` serves them.
    direct: Option<PgPool>,
    /// The organization every transaction acts for; `None` sees no organization's rows
    /// under row-level security (only what the owner or a `SECURITY DEFINER` function reads).
    organization_id: Option<Uuid>,
    /// One server's connection manager or a cluster connection (`redis_connection`).
    redis: RedisConnection,
    /// For long bulk work (cache syncs) on a connection of its own, without the
    /// request path's short response timeout.
    /// Shared: cloning a client copies its connection settings' strings, and a `Store` is
    /// cloned on every request.
    redis_client: std::sync::Arc<RedisClient>,
    cache: std::sync::Arc<lookups::CacheState>,
    api_keys_known: std::sync::Arc<api_keys::KnownKeys>,
    /// Sessions' members, so a page does not read its member from PostgreSQL each time.
    members_known: std::sync::Arc<users::KnownMembers>,
    watching_changes: std::sync::Arc<remembered::Watching>,
    /// Connections of their own for bulk lookups, opened on the first one.
    bulk_lookup_redis: std::sync::Arc<tokio::sync::OnceCell<Vec<RedisConnection>>>,
    replicas: Option<std::sync::Arc<replicas::Replicas>>,
    /// Set on the copy `Store::on_replica` hands a read: its transactions go to this
    /// replica's pool instead of `pg`.
    read_pool: Option<PgPool>,
    /// The API's lookups per organization since they were last written (`analytics::aggregates`).
    lookup_counts: std::sync::Arc<analytics::aggregates::LookupCounts>,
}

impl replicas::ReadRouted for Store {
    fn reading_from(&self, pool: &PgPool) -> Self {
        Store { read_pool: Some(pool.clone()), ..self.clone() }
    }

    fn reading_from_primary(&self) -> Self {
        Store { read_pool: None, ..self.clone() }
    }
}

impl replicas::ReadRouted for OrganizationStore {
    fn reading_from(&self, pool: &PgPool) -> Self {
        OrganizationStore { store: self.store.reading_from(pool), organization: self.organization.clone() }
    }

    fn reading_from_primary(&self) -> Self {
        OrganizationStore { store: self.store.reading_from_primary(), organization: self.organization.clone() }
    }
}

impl OrganizationStore {
    /// `read` on a caught-up replica, else the primary (see `Store::on_replica`).
    pub async fn on_replica<T, E, F, Fut>(&self, read: F) -> Result<T, E>
    where
        E: replicas::ServerUnavailable,
        F: Fn(OrganizationStore) -> Fut,
        Fut: std::future::Future<Output = Result<T, E>>,
    {
        self.store.on_replica(self, read).await
    }
}

/// The store acting for one organization: every read and write of the organization's
/// data is a method of this type, so no call can name another organization's rows
/// by mistake. The shared handles (pools, Redis, caches) are the `Store`'s, reached
/// through `Deref`.
#[derive(Clone)]
pub struct OrganizationStore {
    store: Store,
    organization: Organization,
}

impl OrganizationStore {
    pub fn organization(&self) -> &Organization {
        &self.organization
    }
}

impl std::ops::Deref for OrganizationStore {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}

/// Whether each store answered a ping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Readiness {
    pub postgres: bool,
    pub redis: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolUsage {
    pub open: u32,
    pub idle: u32,
}

impl Readiness {
    pub fn is_ready(self) -> bool {
        self.postgres && self.redis
    }
}

/// A transaction of the data layer (see `Store::begin`).
pub type Tx = sqlx::Transaction<'static, Postgres>;

impl Store {
    /// Connects to both stores, failing fast with a one-line reason if either is unreachable.
    pub async fn connect(settings: &StoreSettings) -> Result<Self, ConnectError> {
        sql::use_named_statements(settings.prepared_statements);
        let pg = connect_postgres(settings, &settings.database_url).await?;
        // Connected now, so a wrong DATABASE_DIRECT_URL stops `serve` at start, not at
        // the first request's session.
        let direct = match &settings.direct_database_url {
            Some(url) if *url != settings.database_url => Some(connect_postgres(settings, url).await?),
            _ => None,
        };
        let (redis_client, redis) = connect_redis(settings).await?;
        let mut store = Self {
            pg,
            direct,
            organization_id: None,
            redis,
            redis_client: std::sync::Arc::new(redis_client),
            cache: Default::default(),
            api_keys_known: Default::default(),
            members_known: std::sync::Arc::new(remembered::Remembered::new(users::REMEMBER_MEMBER_FOR)),
            watching_changes: Default::default(),
            bulk_lookup_redis: Default::default(),
            replicas: None,
            read_pool: None,
            lookup_counts: Default::default(),
        };
        if !settings.replica_urls.is_empty() {
            // Connected on first use: a replica that is down at start is skipped, not fatal.
            let pools = settings
                .replica_urls
                .iter()
                .map(|url| Ok((redact(url), lazy_pool(&store.pg, parse_options(url)?))))
                .collect::<Result<Vec<_>, ConnectError>>()?;
            let watched = std::sync::Arc::new(replicas::Replicas::new(pools, settings.replica_max_lag));
            // The watcher's copy holds no replicas, so dropping the store ends it.
            replicas::watch(store.clone(), watched.clone());
            store.replicas = Some(watched);
        }
        Ok(store)
    }

    /// This store acting for `organization`: what it reads and writes is that
    /// organization's, and each of its transactions says so (see `begin`).
    pub fn for_organization(&self, organization: &Organization) -> OrganizationStore {
        OrganizationStore { store: self.for_organization_id(organization.id), organization: organization.clone() }
    }

    /// Transactions that act for `organization_id`, for what must be read before the
    /// organization itself is (a signed-in member's record).
    pub fn for_organization_id(&self, organization_id: Uuid) -> Store {
        Store { organization_id: Some(organization_id), ..self.clone() }
    }

    /// A transaction on the shared pool acting for this store's organization: BEGIN and
    /// `set_config('app.organization_id', …, true)` in one round trip (one simple query,
    /// so nothing is prepared). The setting is local to the transaction, so the
    /// connection goes back to the pool carrying no organization, and a server
    /// connection PgBouncer hands to someone else next has none either. An unscoped
    /// store sets it empty, so row-level security denies whatever the session might
    /// carry. Every statement of the data layer runs in one of these: reads drop it
    /// (rolled back as the connection returns to the pool), writes commit. Public for
    /// the tests' probes; the app's SQL stays in the data layer.
    ///
    /// JIT compilation is off in them, the same way: PostgreSQL compiles any statement
    /// its planner costs above `jit_above_cost`, and for the app's statements, each run
    /// once, compiling took longer than it saved. A commission rate's preview over a
    /// month's 35,000 customers spent 1.1–1.7 s of its 1.3–2.1 s compiling (0.22–0.40 s
    /// without); a full recalculation compiled 140 functions (docs/benchmarks-history.md).
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        // A UUID's text is hex digits and dashes: nothing to quote.
        let organization = self.organization_id.map(|id| id.to_string()).unwrap_or_default();
        let pool = self.read_pool.as_ref().unwrap_or(&self.pg);
        pool.begin_with(format!(
            "BEGIN; SELECT set_config('app.organization_id', '{organization}', true), set_config('jit', 'off', true)"
        ))
        .await
    }

    /// Two transactions at once, for two queries sent in parallel.
    pub(crate) async fn begin_two(&self) -> Result<(Tx, Tx), sqlx::Error> {
        tokio::try_join!(self.begin(), self.begin())
    }

    /// The same store connected to Postgres as `role` instead (same servers, database
    /// and Redis): how tests run the app as `APP_ROLE`. Needs trust authentication.
    pub fn as_database_role(&self, role: &str) -> Store {
        let as_role = |pool: &PgPool| lazy_pool(pool, pool.connect_options().as_ref().clone().username(role));
        Store { pg: as_role(&self.pg), direct: self.direct.as_ref().map(as_role), ..self.clone() }
    }

    /// Creates the database if it does not exist yet, then applies pending migrations,
    /// on PostgreSQL itself (a migration holds a session-level advisory lock).
    pub async fn create_and_migrate(settings: &StoreSettings) -> Result<(), ConnectError> {
        use sqlx::migrate::MigrateDatabase;
        let url = settings.direct_url();
        let unreachable =
            |error: sqlx::Error| ConnectError::Postgres { url: redact(url), reason: describe_sqlx_error(&error) };
        if !sqlx::Postgres::database_exists(url).await.map_err(unreachable)? {
            sqlx::Postgres::create_database(url).await.map_err(unreachable)?;
        }
        let pg = connect_postgres(settings, url).await?;
        sqlx::migrate!("./migrations").run(&pg).await.map_err(|e| ConnectError::Migrate(e.to_string()))?;
        pg.close().await;
        Ok(())
    }

    pub async fn readiness(&self) -> Readiness {
        let postgres = match self.begin().await {
            Ok(mut tx) => sql::query("SELECT 1").execute(&mut *tx).await.is_ok(),
            Err(_) => false,
        };
        let redis = redis::cmd("PING").query_async::<String>(&mut self.redis.clone()).await.is_ok();
        Readiness { postgres, redis }
    }

    /// How Redis keys are named here: seed 001's names on one server, hash-tagged
    /// grouped keys on a cluster (`redis_connection::KeyLayout`).
    pub fn redis_layout(&self) -> KeyLayout {
        self.redis_client.layout()
    }

    /// Postgres connections open and idle in the pool.
    pub fn pool_usage(&self) -> PoolUsage {
        PoolUsage { open: self.pg.size(), idle: self.pg.num_idle() as u32 }
    }

    /// What a connection of the shared pool carries between transactions: its server
    /// process and `app.organization_id` read outside any transaction (`None` or empty
    /// when nothing was left behind). For tests and probes: run through PgBouncer the
    /// statement gets whichever server connection is free.
    pub async fn pooled_connection_setting(&self) -> Result<(i32, Option<String>), sqlx::Error> {
        // A simple query: no statement to prepare, so it is safe outside a transaction.
        use sqlx::Row;
        let row = sqlx::raw_sql("SELECT pg_backend_pid(), current_setting('app.organization_id', true)")
            .fetch_one(&self.pg)
            .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    /// The pool for sessions of their own on PostgreSQL itself: the refresh lock,
    /// LISTEN, the session store.
    pub(crate) fn direct(&self) -> &PgPool {
        self.direct.as_ref().unwrap_or(&self.pg)
    }

    pub async fn close(&self) {
        self.pg.close().await;
        if let Some(direct) = &self.direct {
            direct.close().await;
        }
    }
}

/// Rows a load must change before it VACUUMs the tables it wrote. The tables hold every
/// organization's rows: a small organization's load leaves them to autovacuum rather
/// than make every load pay seconds for the largest organization's rows.
pub const VACUUM_AFTER_ROWS: u64 = 20_000;

/// The role the web app connects as (migration 13): it owns no table, so row-level
/// security always applies to it.
pub const APP_ROLE: &str = "ut360_app";

fn parse_options(url: &str) -> Result<PgConnectOptions, ConnectError> {
    PgConnectOptions::from_str(url)
        .map_err(|e| ConnectError::Postgres { url: redact(url), reason: describe_sqlx_error(&e) })
        // Bulk loads and syncs run long on purpose; RUST_LOG=sqlx=info shows slow statements.
        .map(|options| options.log_slow_statements(log::LevelFilter::Info, Duration::from_secs(1)))
}

/// A pool like `like` (size, timeout) on other connect options, connecting on first use.
fn lazy_pool(like: &PgPool, options: PgConnectOptions) -> PgPool {
    PgPoolOptions::new()
        .max_connections(like.options().get_max_connections())
        .acquire_timeout(like.options().get_acquire_timeout())
        .connect_lazy_with(options)
}

async fn connect_postgres(settings: &StoreSettings, url: &str) -> Result<PgPool, ConnectError> {
    let options = parse_options(url)?;
    PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.connect_timeout)
        .connect_with(options)
        .await
        .map_err(|e| ConnectError::Postgres { url: redact(url), reason: describe_sqlx_error(&e) })
}

async fn connect_redis(settings: &StoreSettings) -> Result<(RedisClient, RedisConnection), ConnectError> {
    let url = match settings.redis_cluster_nodes.as_slice() {
        [] => redact(&settings.redis_url),
        nodes => nodes.iter().map(|node| redact(node)).collect::<Vec<_>>().join(","),
    };
    let error = |reason: String| ConnectError::Redis { url: url.clone(), reason };
    let connect = async {
        let client =
            RedisClient::open(&settings.redis_url, &settings.redis_cluster_nodes, settings.connect_timeout).await?;
        let connection = client.managed(settings.connect_timeout, Duration::from_millis(500)).await?;
        Ok::<_, redis::RedisError>((client, connection))
    };
    match tokio::time::timeout(settings.connect_timeout, connect).await {
        Ok(Ok(connected)) => Ok(connected),
        Ok(Err(e)) => Err(error(e.to_string())),
        Err(_) => Err(error(format!("no answer within {:?}", settings.connect_timeout))),
    }
}

/// The innermost cause of a sqlx error, without its debug noise.
fn describe_sqlx_error(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::Database(db) => db.message().to_owned(),
        sqlx::Error::PoolTimedOut => "timed out waiting for a connection".to_owned(),
        other => other.to_string(),
    }
}

/// A connection URL with its password replaced, fit for logs and messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _password)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// `url` with its user and password replaced.
pub fn with_user(url: &str, user: &str, password: Option<&str>) -> String {
    let credentials = match password {
        Some(password) => {
            format!("{user}:{}", percent_encoding::utf8_percent_encode(password, percent_encoding::NON_ALPHANUMERIC))
        }
        None => user.to_owned(),
    };
    match url.find("://") {
        Some(scheme_end) => {
            let rest = &url[scheme_end + 3..];
            let host_and_path =
                rest.find('/').map_or(rest, |slash| &rest[..slash]).rfind('@').map_or(rest, |at| &rest[at + 1..]);
            format!("{}{credentials}@{host_and_path}", &url[..scheme_end + 3])
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{redact, with_user};

    #[test]
    fn the_app_role_url_keeps_everything_but_the_user() {
        assert_eq!(
            with_user("postgres://postgres@127.0.0.1:5432/ut360", "ut360_app", None),
            "postgres://ut360_app@127.0.0.1:5432/ut360"
        );
        assert_eq!(
            with_user("postgres://u:p@db/ut360?sslmode=require", "app", Some("s/1")),
            "postgres://app:s%2F1@db/ut360?sslmode=require"
        );
        assert_eq!(with_user("postgres://127.0.0.1/ut360", "ut360_app", None), "postgres://ut360_app@127.0.0.1/ut360");
    }

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(redact("postgres://app:s3cret@db:5432/ut360"), "postgres://app:***@db:5432/ut360");
        assert_eq!(redact("postgres://postgres@127.0.0.1/ut360"), "postgres://postgres@127.0.0.1/ut360");
        assert_eq!(redact("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
    }
}
