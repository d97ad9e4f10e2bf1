//! The `ut360` command line. Every setting comes from a flag or its environment variable.

use super::{serve, telemetry};
use crate::data::refresh_lock::RefreshLock;
use crate::data::{Organization, Store, StoreSettings};
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(name = "ut360", version, about = "UT360: Customer 360 for airtime advances")]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    /// Defaults to `serve`.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Clone, Debug)]
pub struct Settings {
    /// PostgreSQL connection URL (or a PgBouncer in transaction pooling mode in front of it).
    #[arg(long, env = "DATABASE_URL", default_value = "postgres://postgres@127.0.0.1:5432/ut360", global = true)]
    pub database_url: String,
    /// PostgreSQL itself, when DATABASE_URL is a PgBouncer: migrations, the refresh lock,
    /// the listener for changes to API keys and members, and the session store need a
    /// session of their own.
    #[arg(long, env = "DATABASE_DIRECT_URL", global = true)]
    pub database_direct_url: Option<String>,
    /// Named, cached prepared statements; `false` sends every statement unnamed, as
    /// PgBouncer 1.18's transaction pooling needs.
    #[arg(long, env = "UT360_DB_PREPARED_STATEMENTS", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub db_prepared_statements: bool,
    /// The PostgreSQL role `serve` connects as (DATABASE_URL's server and database):
    /// one that owns no table, so row-level security applies. Migration 13 creates
    /// `ut360_app` without a password, for trust authentication.
    #[arg(long, env = "UT360_APP_DATABASE_USER", default_value = crate::data::APP_ROLE, global = true)]
    pub app_database_user: String,
    /// That role's password, if the server asks for one.
    #[arg(long, env = "UT360_APP_DATABASE_PASSWORD", hide_env_values = true, global = true)]
    pub app_database_password: Option<String>,
    /// Streaming replicas of DATABASE_URL's database (comma-separated) that lists,
    /// dashboards, Customer360 and reports read from while they keep up.
    #[arg(long, env = "DATABASE_REPLICA_URL", value_delimiter = ',', global = true)]
    pub database_replica_url: Vec<String>,
    /// Milliseconds a replica may be behind the primary before its reads go to the primary.
    #[arg(long, env = "UT360_REPLICA_MAX_LAG_MS", default_value_t = 2_000, global = true)]
    pub replica_max_lag_ms: u64,
    /// Redis connection URL.
    #[arg(long, env = "REDIS_URL", default_value = "redis://127.0.0.1:6379", global = true)]
    pub redis_url: String,
    /// Nodes of a Redis Cluster, comma-separated `redis://` URLs (any of its nodes will
    /// do: the others are found). Unset, `REDIS_URL` is used, itself a cluster node or not.
    #[arg(long, env = "REDIS_CLUSTER_NODES", value_delimiter = ',', global = true)]
    pub redis_cluster_nodes: Vec<String>,
    /// Largest number of Postgres connections in the pool.
    #[arg(long, env = "UT360_DB_MAX_CONNECTIONS", default_value_t = 16, global = true)]
    pub db_max_connections: u32,
    /// Seconds to wait for Postgres or Redis before giving up.
    #[arg(long, env = "UT360_CONNECT_TIMEOUT", default_value_t = 3, global = true)]
    pub connect_timeout_secs: u64,
    /// Log filter, e.g. `info` or `ut360=debug,tower_http=debug`.
    #[arg(long, env = "RUST_LOG", default_value = "info,sqlx=warn", global = true)]
    pub log: String,
    #[arg(long, env = "UT360_LOG_FORMAT", value_enum, default_value = "pretty", global = true)]
    pub log_format: telemetry::LogFormat,
}

impl Settings {
    /// What `serve` connects with (see `app_database_url`).
    pub fn app_store(&self) -> StoreSettings {
        let as_app =
            |url: &str| crate::data::with_user(url, &self.app_database_user, self.app_database_password.as_deref());
        StoreSettings {
            database_url: as_app(&self.database_url),
            direct_database_url: self.database_direct_url.as_deref().map(as_app),
            replica_urls: self.database_replica_url.iter().map(|url| as_app(url)).collect(),
            ..self.store()
        }
    }

    pub fn store(&self) -> StoreSettings {
        StoreSettings {
            database_url: self.database_url.clone(),
            direct_database_url: self.database_direct_url.clone(),
            prepared_statements: self.db_prepared_statements,
            redis_url: self.redis_url.clone(),
            redis_cluster_nodes: self.redis_cluster_nodes.clone(),
            max_connections: self.db_max_connections,
            connect_timeout: Duration::from_secs(self.connect_timeout_secs),
            replica_urls: self.database_replica_url.clone(),
            replica_max_lag: Duration::from_millis(self.replica_max_lag_ms),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web app and its API.
    Serve(ServeArgs),
    /// Create the database if needed and apply migrations.
    Migrate,
    /// Load deterministic demo data at the seeds' scale (or write it as data files).
    Generate(GenerateArgs),
    /// Load seed 002's three data files, all or nothing, then sync Redis.
    Import(super::import::ImportArgs),
    /// Rebuild the organization's Redis keys (seed 001's contract) from PostgreSQL.
    SyncCache(super::sync_cache::SyncCacheArgs),
    /// Create, list and revoke the API keys machine clients send to /api/v1.
    ApiKey(super::api_keys::ApiKeyArgs),
    /// The collaborator network's commissions: recalculate, a month's report.
    Ctv(super::ctv_cli::CtvArgs),
    /// Seed 003's transactions: generate, maintain (partitions ahead, dashboards cached).
    Transactions(super::transactions_cli::TransactionsArgs),
    /// Accounts and roles: create the first admin, list members.
    User(super::users_cli::UserArgs),
    /// Organizations: create (with its first admin), list, rename, delete.
    Organization(super::organizations_cli::OrganizationArgs),
    /// Seed 004's analytics: aggregate now (with a history), or run every scheduled job once.
    Analytics(super::analytics_cli::AnalyticsArgs),
}

#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,
    /// The built site (`cargo leptos build` writes it to target/site).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    #[command(flatten)]
    pub sign_in: SignInArgs,
    /// Exports and bulk lookups one organization may run at once; past it, "busy, try
    /// again" (so one organization cannot hold every database connection).
    #[arg(long, env = "UT360_HEAVY_WORK_PER_ORGANIZATION", default_value_t = super::heavy_work::DEFAULT_PER_ORGANIZATION)]
    pub heavy_work_per_organization: usize,
    /// Minutes without a request after which a session ends.
    #[arg(long, env = "UT360_SESSION_IDLE_MINUTES", default_value_t = 60)]
    pub session_idle_minutes: u64,
    /// Hours after signing in at which a session ends, however busy.
    #[arg(long, env = "UT360_SESSION_MAX_HOURS", default_value_t = 12)]
    pub session_max_hours: u64,
    /// Mark cookies Secure and name the session cookie `__Host-ut360_session` (serve
    /// behind HTTPS only).
    #[arg(long, env = "UT360_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Reverse proxies (IP addresses, comma-separated) whose `X-Forwarded-Proto: https`
    /// is believed: the session cookie is then Secure on that request.
    #[arg(long, env = "UT360_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Send `Strict-Transport-Security` (only when the site is reached over HTTPS alone).
    #[arg(long, env = "UT360_HSTS", default_value_t = false)]
    pub hsts: bool,
    /// When set, `/metrics` needs `Authorization: Bearer <token>`.
    #[arg(long, env = "UT360_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// A folder holding, for each organization, a folder named after its slug with seed
    /// 002's three files: imported each night at 02:00 when they changed. Unset: no such job.
    #[arg(long, env = "UT360_DROP_FOLDER")]
    pub drop_folder: Option<PathBuf>,
}

/// Limits on sign-in attempts (see `auth::limits`).
#[derive(Args, Clone, Debug)]
pub struct SignInArgs {
    /// Sign-in attempts one client address may make at once…
    #[arg(long, env = "UT360_SIGN_IN_BURST_PER_IP", default_value_t = 30)]
    pub sign_in_burst_per_ip: u32,
    /// …and then this many a minute.
    #[arg(long, env = "UT360_SIGN_IN_PER_IP_PER_MINUTE", default_value_t = 30)]
    pub sign_in_per_ip_per_minute: u32,
    /// Password checks (argon2, ~19 MiB each) running at once; 0: one per CPU.
    #[arg(long, env = "UT360_PASSWORD_CHECKS", default_value_t = 0)]
    pub password_checks: usize,
    /// Milliseconds a sign-in waits for a password check before it is asked to retry.
    #[arg(long, env = "UT360_PASSWORD_CHECK_WAIT_MS", default_value_t = 2000)]
    pub password_check_wait_ms: u64,
}

impl SignInArgs {
    pub fn limits(&self) -> super::auth::limits::SignInLimits {
        let defaults = super::auth::limits::SignInLimits::default();
        super::auth::limits::SignInLimits {
            per_ip_burst: self.sign_in_burst_per_ip,
            per_ip_per_minute: self.sign_in_per_ip_per_minute,
            concurrent_checks: if self.password_checks == 0 {
                defaults.concurrent_checks
            } else {
                self.password_checks
            },
            check_wait: Duration::from_millis(self.password_check_wait_ms),
        }
    }
}

impl ServeArgs {
    pub fn session_policy(&self) -> super::auth::SessionPolicy {
        super::auth::SessionPolicy {
            idle: Duration::from_secs(self.session_idle_minutes * 60),
            absolute: Duration::from_secs(self.session_max_hours * 60 * 60),
            secure_cookies: self.secure_cookies,
        }
    }

    pub fn scheduler(&self) -> super::scheduler::SchedulerSettings {
        super::scheduler::SchedulerSettings {
            hooks: super::scheduler::OrganizationHooks::standard(),
            drop_folder: self.drop_folder.clone(),
            schedule: super::jobs::Schedule::SERVER,
            retry: super::scheduler::Retry::SERVER,
        }
    }

    pub fn http_security(&self) -> super::security::HttpSecurity {
        super::security::HttpSecurity {
            hsts: self.hsts,
            trusted_proxies: self.trusted_proxies.clone(),
            metrics_token: self.metrics_token.clone().filter(|token| !token.trim().is_empty()),
        }
    }
}

#[derive(Args, Clone, Debug)]
pub struct GenerateArgs {
    /// Random seed: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Size relative to the seeds' 214,504 subscribers.
    #[arg(long, default_value_t = 1.0, value_parser = parse_scale)]
    pub scale: f64,
    /// Organization (slug) that receives the data.
    #[arg(long, default_value = Organization::DEFAULT_SLUG)]
    pub org: String,
    /// Do nothing if the organization already has subscribers.
    #[arg(long)]
    pub if_empty: bool,
    /// Write the three data files an import reads into this folder instead of loading.
    #[arg(long, value_name = "DIR")]
    pub export: Option<PathBuf>,
    /// Leave Redis as it is (by default it is synced after loading).
    #[arg(long)]
    pub no_sync: bool,
}

fn parse_scale(value: &str) -> Result<f64, String> {
    let scale: f64 = value.parse().map_err(|_| format!("{value:?} is not a number"))?;
    if scale > 0.0 && scale <= 50.0 {
        Ok(scale)
    } else {
        Err(format!("{scale} is out of range; use a scale above 0 and at most 50"))
    }
}

pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    if let Err(message) = telemetry::init(&cli.settings.log, cli.settings.log_format) {
        eprintln!("error: {message}");
        return ExitCode::FAILURE;
    }
    let command = cli.command.unwrap_or_else(|| Command::Serve(ServeArgs::parse_from_env()));
    let outcome = match command {
        Command::Serve(args) => serve::serve(&cli.settings, &args).await,
        Command::Migrate => migrate(&cli.settings).await,
        Command::Generate(args) => super::generate::run(&cli.settings, &args).await,
        Command::Import(args) => super::import::run(&cli.settings, &args).await,
        Command::SyncCache(args) => super::sync_cache::run(&cli.settings, &args).await,
        Command::ApiKey(args) => super::api_keys::run(&cli.settings, &args).await,
        Command::Ctv(args) => super::ctv_cli::run(&cli.settings, &args).await,
        Command::Transactions(args) => super::transactions_cli::run(&cli.settings, &args).await,
        Command::User(args) => super::users_cli::run(&cli.settings, &args).await,
        Command::Organization(args) => super::organizations_cli::run(&cli.settings, &args).await,
        Command::Analytics(args) => super::analytics_cli::run(&cli.settings, &args).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

impl ServeArgs {
    /// `serve`'s settings when no subcommand is given (as `cargo leptos serve` runs the binary).
    fn parse_from_env() -> Self {
        #[derive(Parser)]
        struct Wrapper {
            #[command(flatten)]
            args: ServeArgs,
        }
        Wrapper::parse_from(["ut360"]).args
    }
}

async fn migrate(settings: &Settings) -> Result<(), String> {
    Store::create_and_migrate(&settings.store()).await.map_err(|e| e.to_string())?;
    tracing::info!("database is up to date");
    Ok(())
}

/// Connects to both stores, with the reason on one line if either is away.
pub async fn connect(settings: &Settings) -> Result<Store, String> {
    Store::connect(&settings.store()).await.map_err(|e| e.to_string())
}

pub async fn organization(store: &Store, slug: &str) -> Result<Organization, String> {
    store
        .organization_by_slug(slug)
        .await
        .map_err(|e| format!("cannot read organizations: {e} (has `ut360 migrate` run?)"))?
        .ok_or_else(|| format!("no organization with slug {slug:?}"))
}

/// Takes the organization's refresh lock, or says who holds it.
pub async fn lock_refresh(store: &Store, organization: &Organization) -> Result<RefreshLock, String> {
    store.for_organization(organization).try_lock_refresh().await.map_err(|e| e.to_string())?.ok_or_else(|| {
        format!("another import or cache sync of {:?} is running; try again when it ends", organization.slug)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_must_be_positive_and_bounded() {
        assert_eq!(parse_scale("0.5"), Ok(0.5));
        assert!(parse_scale("0").unwrap_err().contains("out of range"));
        assert!(parse_scale("abc").unwrap_err().contains("not a number"));
        assert!(parse_scale("51").is_err());
    }

    #[test]
    fn no_subcommand_means_serve_with_defaults() {
        let cli = Cli::try_parse_from(["ut360"]).unwrap();
        assert!(cli.command.is_none());
        let cli = Cli::try_parse_from(["ut360", "generate", "--scale", "0.1", "--seed", "7"]).unwrap();
        match cli.command {
            Some(Command::Generate(args)) => assert_eq!((args.seed, args.scale), (7, 0.1)),
            other => panic!("unexpected {other:?}"),
        }
    }
}
