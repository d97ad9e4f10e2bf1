//! Every statement of the data layer is made here, so whether it is prepared once per
//! connection (named, cached) or on each execution (unnamed) is decided in one place.
//! Through PgBouncer's transaction pooling (1.18) only unnamed statements are safe: a
//! named one may be bound on another server connection, to another query's parameters.
//! clippy.toml refuses `sqlx::query*` elsewhere.
#![allow(clippy::disallowed_methods)]

use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::{FromRow, Postgres};
use std::sync::atomic::{AtomicBool, Ordering};

/// Named statements, until a store of this process is configured without them. It only
/// ever turns off: a store that sends unnamed statements must never see named ones,
/// while one that could name them loses only speed.
static NAMED: AtomicBool = AtomicBool::new(true);

pub(super) fn use_named_statements(named: bool) {
    if !named {
        NAMED.store(false, Ordering::Relaxed);
    }
}

/// Whether statements are named now (for `QueryBuilder`'s queries: `.persistent(named())`).
pub(crate) fn named() -> bool {
    NAMED.load(Ordering::Relaxed)
}

pub(crate) fn query(sql: &str) -> Query<'_, Postgres, PgArguments> {
    sqlx::query(sql).persistent(named())
}

pub(crate) fn query_as<'q, O>(sql: &'q str) -> QueryAs<'q, Postgres, O, PgArguments>
where
    O: for<'r> FromRow<'r, PgRow>,
{
    sqlx::query_as(sql).persistent(named())
}

pub(crate) fn query_scalar<'q, O>(sql: &'q str) -> QueryScalar<'q, Postgres, O, PgArguments>
where
    (O,): for<'r> FromRow<'r, PgRow>,
{
    sqlx::query_scalar(sql).persistent(named())
}
