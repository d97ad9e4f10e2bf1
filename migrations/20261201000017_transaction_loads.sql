-- Loads spend most of their time adding entries to the per-subscriber index
-- (BENCHMARKS.md, "Transactions: the load rate"). Three ways to make each entry cheaper:
-- * ISDNs are digits, compared byte by byte: under the "C" collation PostgreSQL compares
--   them with memcmp instead of the locale's strcoll (which first copies both strings).
-- * The organization is left out of the key: the index finds a subscriber's rows by ISDN
--   and the organization is checked on those few rows (an ISDN seldom belongs to two
--   organizations); every entry is 16 bytes shorter.
-- * An ISDN and a time are nearly unique together, so deduplication of equal keys,
--   tried on every full leaf page before it splits, would only cost.
DROP INDEX idx_transaction_detail_org_isdn;
ALTER TABLE transaction_detail ALTER COLUMN isdn TYPE VARCHAR(255) COLLATE "C";
CREATE INDEX idx_transaction_detail_isdn ON transaction_detail (isdn, trans_date DESC) WITH (deduplicate_items = off);
-- Each backend takes identity values a thousand at a time instead of one by one.
ALTER TABLE transaction_detail ALTER COLUMN id SET CACHE 1000;

-- Every load calls this in its own transaction, and its lock is held to that
-- transaction's end: two loads at once waited for each other's commit even when every
-- month had its partition. Now the lock is taken only when a partition is missing.
CREATE OR REPLACE FUNCTION ensure_transaction_partitions(first_month DATE, last_month DATE) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    month DATE := date_trunc('month', first_month)::date;
    created INTEGER := 0;
    partition_name TEXT;
BEGIN
    WHILE month <= last_month AND to_regclass(format('transaction_detail_%s', to_char(month, 'YYYY_MM'))) IS NOT NULL LOOP
        month := (month + INTERVAL '1 month')::date;
    END LOOP;
    IF month > last_month THEN
        RETURN 0;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('ut360:transaction_partitions'));
    WHILE month <= last_month LOOP
        partition_name := format('transaction_detail_%s', to_char(month, 'YYYY_MM'));
        IF to_regclass(partition_name) IS NULL THEN
            -- The lookups above may have read the catalog before a load holding the lock
            -- made this partition (an advisory lock does not refresh what the catalog
            -- lookups see); that load's partition stands.
            BEGIN
                EXECUTE format('CREATE TABLE %I PARTITION OF transaction_detail FOR VALUES FROM (%L) TO (%L)',
                               partition_name, month, (month + INTERVAL '1 month')::date);
                PERFORM isolate_tenant(partition_name);
                created := created + 1;
            EXCEPTION WHEN duplicate_table OR unique_violation THEN
                NULL;
            END;
        END IF;
        month := (month + INTERVAL '1 month')::date;
    END LOOP;
    RETURN created;
END $$;
