-- Tenancy (issue 9): every tenant-owned table carries organization_id and lets a
-- connection see and write only the rows of the organization it acts for, read from
-- the setting `app.organization_id`; unset, it sees nothing (default deny).
-- The web app connects as `ut360_app`, which owns nothing, so the policies always
-- apply to it; migrations and the command line run as the tables' owner.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ut360_app') THEN
        CREATE ROLE ut360_app LOGIN;
    END IF;
EXCEPTION
    -- Another database's migration created it at the same moment.
    WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

-- seed 004's sync_logs reached its organization through data_sources only.
ALTER TABLE sync_logs ADD COLUMN organization_id UUID REFERENCES organizations(id) ON DELETE CASCADE;
UPDATE sync_logs l SET organization_id = d.organization_id FROM data_sources d WHERE d.id = l.data_source_id;
ALTER TABLE sync_logs ALTER COLUMN organization_id SET NOT NULL;
CREATE INDEX idx_sync_logs_org ON sync_logs (organization_id);

-- Sessions (tower-sessions' own table, as its store would create it), so that the app
-- role needs no right to create schemas.
CREATE SCHEMA IF NOT EXISTS tower_sessions;
CREATE TABLE IF NOT EXISTS tower_sessions.session (
    id TEXT PRIMARY KEY NOT NULL,
    data BYTEA NOT NULL,
    expiry_date TIMESTAMPTZ NOT NULL
);

CREATE FUNCTION current_organization() RETURNS UUID LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('app.organization_id', true), '')::uuid $$;

-- Row-level security on one table (a partition is a table of its own).
CREATE FUNCTION isolate_tenant(table_name TEXT) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', table_name);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (organization_id = current_organization())
                    WITH CHECK (organization_id = current_organization())', table_name);
END $$;

REVOKE ALL ON FUNCTION isolate_tenant(TEXT) FROM PUBLIC;

SELECT COUNT(isolate_tenant(c.relname)) AS isolated_tables
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public'
  AND c.relkind IN ('r', 'p')
  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped);

GRANT USAGE ON SCHEMA public, tower_sessions TO ut360_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ut360_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON tower_sessions.session TO ut360_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ut360_app;
-- The list of organizations is not an organization's data; the app reads it only.
REVOKE INSERT, UPDATE, DELETE ON organizations FROM ut360_app;
-- Tables later migrations create.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ut360_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ut360_app;

-- New monthly partitions are made by the tables' owner (the app may call this) and get
-- their own policy, so even a query naming a partition sees one organization.
CREATE OR REPLACE FUNCTION ensure_transaction_partitions(first_month DATE, last_month DATE) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    month DATE := date_trunc('month', first_month)::date;
    created INTEGER := 0;
    partition_name TEXT;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('ut360:transaction_partitions'));
    WHILE month <= last_month LOOP
        partition_name := format('transaction_detail_%s', to_char(month, 'YYYY_MM'));
        IF to_regclass(partition_name) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF transaction_detail FOR VALUES FROM (%L) TO (%L)',
                           partition_name, month, (month + INTERVAL '1 month')::date);
            PERFORM isolate_tenant(partition_name);
            created := created + 1;
        END IF;
        month := (month + INTERVAL '1 month')::date;
    END LOOP;
    RETURN created;
END $$;
REVOKE ALL ON FUNCTION ensure_transaction_partitions(DATE, DATE) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ensure_transaction_partitions(DATE, DATE) TO ut360_app;

-- What must be read before the organization is known runs as the owner and returns
-- only what the caller proves it may see.

-- At sign-in, the organizations an account (whose password was just checked) belongs to.
CREATE FUNCTION memberships_of(account UUID)
RETURNS TABLE (user_id UUID, email VARCHAR, role VARCHAR, organization_id UUID, slug VARCHAR, name VARCHAR, redis_prefix VARCHAR)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT u.id, u.email, m.role, o.id, o.slug, o.name, o.redis_prefix
    FROM organization_members m
    JOIN users u ON u.id = m.user_id
    JOIN organizations o ON o.id = m.organization_id
    WHERE m.user_id = account
    ORDER BY o.created_at, o.id
$$;
REVOKE ALL ON FUNCTION memberships_of(UUID) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION memberships_of(UUID) TO ut360_app;

-- An API request: the active key with this hash (marked used) and its organization.
CREATE FUNCTION use_api_key(hash BYTEA)
RETURNS TABLE (key_id UUID, key_name VARCHAR, id UUID, slug VARCHAR, name VARCHAR, redis_prefix VARCHAR)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
    UPDATE api_keys k SET last_used_at = NOW() FROM organizations o
    WHERE k.key_hash = hash AND k.revoked_at IS NULL AND o.id = k.organization_id
    RETURNING k.id, k.name, o.id, o.slug, o.name, o.redis_prefix
$$;
REVOKE ALL ON FUNCTION use_api_key(BYTEA) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION use_api_key(BYTEA) TO ut360_app;
