//! The first load of a set of tables into a new database, as pg_restore does it: the
//! rows go in first and the indexes, unique constraints and foreign keys after them.
//! Building a B-tree from the loaded rows, and checking a foreign key in one join, is
//! much faster than doing both row by row (docs/benchmarks-history.md).

use crate::data::sql;
use sqlx::PgConnection;

/// Locks `tables` (readers may read, nobody else writes) until the transaction ends.
pub(super) async fn lock(conn: &mut PgConnection, tables: &[&str]) -> Result<(), sqlx::Error> {
    sql::query(&format!("LOCK TABLE {} IN EXCLUSIVE MODE", tables.join(", "))).execute(&mut *conn).await?;
    Ok(())
}

/// Whether `tables` hold no row of any organization (the first load of a new database).
/// Tables that look empty are locked (nobody has rows to read meanwhile) and asked again,
/// so a first load begun meanwhile has committed; they stay locked either way.
///
/// Only a connection that owns the tables, and that row-level security does not filter,
/// can tell that no organization has a row: the CLI's loads can, the web app's role never.
pub(super) async fn lock_if_first_load(conn: &mut PgConnection, tables: &[&str]) -> Result<bool, sqlx::Error> {
    let all_empty = tables
        .iter()
        .map(|table| {
            format!(
                "pg_has_role((SELECT relowner FROM pg_class WHERE oid = '{table}'::regclass), 'USAGE')
                 AND NOT row_security_active('{table}') AND NOT EXISTS (SELECT FROM {table})"
            )
        })
        .collect::<Vec<_>>()
        .join(" AND ");
    let all_empty = format!("SELECT {all_empty}");
    let looks_empty: bool = sql::query_scalar(&all_empty).fetch_one(&mut *conn).await?;
    if !looks_empty {
        return Ok(false);
    }
    lock(conn, tables).await?;
    sql::query_scalar(&all_empty).fetch_one(&mut *conn).await
}

/// On a first load, drops what makes each inserted row expensive and returns the
/// statements that restore it: the secondary indexes, the unique constraints no foreign
/// key depends on, and the tables' own foreign keys. The primary keys stay.
///
/// Until the load commits, readers of the tables wait for it (where otherwise they would
/// read empty tables), and so do writers of the tables their foreign keys reference
/// (restoring one locks the table it references); a failed load rolls everything back
/// with the rows.
pub(super) async fn set_constraints_aside(
    conn: &mut PgConnection,
    tables: &[&str],
) -> Result<Vec<String>, sqlx::Error> {
    // In the order they are restored: foreign keys last, once the keys they check are back.
    let (drops, restores): (Vec<String>, Vec<String>) = sql::query_as(
        "SELECT format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid), 1 AS step
         FROM pg_index i
         WHERE i.indrelid = ANY($1::text[]::regclass[]) AND NOT i.indisunique
           AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
         UNION ALL
         SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
                format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)),
                CASE c.contype WHEN 'u' THEN 1 ELSE 2 END
         FROM pg_constraint c
         WHERE c.conrelid = ANY($1::text[]::regclass[])
           AND (c.contype = 'f' OR c.contype = 'u' AND NOT EXISTS (
                  SELECT FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid))
         ORDER BY step",
    )
    .bind(tables)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(drop, restore, _): (String, String, i32)| (drop, restore))
    .unzip();
    for drop in drops.iter().rev() {
        sql::query(drop).execute(&mut *conn).await?;
    }
    Ok(restores)
}

/// On a first load of `tables` (see `lock_if_first_load`), sets their indexes and
/// constraints aside and returns the statements that restore them; otherwise none.
pub(super) async fn set_aside_if_first_load(
    conn: &mut PgConnection,
    tables: &[&str],
) -> Result<Vec<String>, sqlx::Error> {
    if lock_if_first_load(conn, tables).await? {
        set_constraints_aside(conn, tables).await
    } else {
        Ok(Vec::new())
    }
}

/// Runs the statements `set_constraints_aside` returned (none: nothing to do).
pub(super) async fn restore_constraints(conn: &mut PgConnection, restores: &[String]) -> Result<(), sqlx::Error> {
    if restores.is_empty() {
        return Ok(());
    }
    // The largest sort (the monthly rows' keys at seed scale) fits in memory.
    sql::query("SET LOCAL maintenance_work_mem = '256MB'").execute(&mut *conn).await?;
    for restore in restores {
        sql::query(restore).execute(&mut *conn).await?;
    }
    Ok(())
}
