-- Seed 004 §7.2 on UT360's own data (issue 24): `aggregate_hourly_data(org_id)` and
-- `aggregate_daily_data(org_id)` with the seed's names and signatures, computing the
-- channels and metrics of docs/seed-004.md ("Aggregates: metric definitions"), the
-- nightly cleanup of live sessions, and the claims that make each scheduled job run once
-- per slot however many `serve` processes run.
--
-- The functions that write the aggregates run as the tables' owner (the app's role may
-- only read them) and refuse any organization but the one the transaction acts for.
-- The helpers they call are not granted to anyone: they run as the owner only from
-- inside those functions.

-- A JSON number as a number, anything else as NULL: a summary row with a stray value
-- is skipped rather than stopping every organization's aggregation.
CREATE FUNCTION analytics_number(value JSONB) RETURNS NUMERIC
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT CASE WHEN jsonb_typeof(value) = 'number' THEN value::text::numeric END
$$;

-- The channels read from the app's own records, per `bucket` ('hour' or 'day', in the
-- database's time zone) of [from_time, until_time): campaigns, web, imports and lookups.
CREATE FUNCTION analytics_channel_figures(org_id UUID, from_time TIMESTAMPTZ, until_time TIMESTAMPTZ, bucket TEXT)
RETURNS TABLE (channel TEXT, metric TEXT, period_start TIMESTAMPTZ, value NUMERIC, metadata JSONB)
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    -- Campaigns: exports that completed (an interrupted download is recorded apart, as
    -- 'interrupted') and the members they delivered (`event_value`, src/data/exports.rs).
    WITH exports AS (
        SELECT date_trunc(bucket, e.timestamp) AS period, COUNT(*)::numeric AS exports,
               COALESCE(SUM(e.event_value), 0) AS members
        FROM public.event_tracking e
        WHERE e.organization_id = org_id AND e.event_name = 'export' AND e.metadata->>'status' = 'complete'
          AND e.timestamp >= from_time AND e.timestamp < until_time
        GROUP BY 1
    ),
    -- Lookups: the serve processes' per-minute summaries (source 'lookups').
    lookups AS MATERIALIZED (
        SELECT date_trunc(bucket, r.fetched_at) AS period, r.raw_data
        FROM public.raw_data_backup r
        WHERE r.organization_id = org_id AND r.source = 'lookups' AND r.fetched_at >= from_time AND r.fetched_at < until_time
    ),
    lookup_sums AS (
        SELECT l.period,
               COALESCE(SUM(public.analytics_number(l.raw_data->'metrics'->'api_calls')), 0) AS calls,
               COALESCE(SUM(public.analytics_number(l.raw_data->'metrics'->'cache_hits')), 0) AS hits,
               COALESCE(SUM(public.analytics_number(l.raw_data->'metrics'->'cache_misses')), 0) AS misses
        FROM lookups l GROUP BY l.period
    ),
    -- The windows' latency histograms added up: {"<upper bound in ms>": count}.
    latency_buckets AS (
        SELECT l.period, b.key::numeric AS bound, SUM(public.analytics_number(b.value)) AS calls
        FROM lookups l CROSS JOIN LATERAL jsonb_each(l.raw_data->'latency_ms_buckets') b
        WHERE jsonb_typeof(l.raw_data->'latency_ms_buckets') = 'object' AND b.key ~ '^[0-9]+(\.[0-9]+)?$'
        GROUP BY 1, 2
    ),
    latency_p99 AS (
        SELECT DISTINCT ON (c.period) c.period, c.bound, c.total
        FROM (SELECT b.period, b.bound, SUM(b.calls) OVER (PARTITION BY b.period ORDER BY b.bound) AS at_or_below,
                     SUM(b.calls) OVER (PARTITION BY b.period) AS total
              FROM latency_buckets b) c
        WHERE c.total > 0 AND c.at_or_below >= 0.99 * c.total
        ORDER BY c.period, c.bound
    )
    SELECT 'campaigns', m.metric, x.period, m.value, '{}'::jsonb
    FROM exports x CROSS JOIN LATERAL (VALUES ('exports', x.exports), ('members_exported', x.members)) AS m(metric, value)

    UNION ALL
    SELECT 'web', 'page_views', date_trunc(bucket, e.timestamp), COUNT(*)::numeric, '{}'::jsonb
    FROM public.event_tracking e
    WHERE e.organization_id = org_id AND e.event_name = 'page_view' AND e.timestamp >= from_time AND e.timestamp < until_time
    GROUP BY 3

    UNION ALL
    SELECT 'web', 'sessions', date_trunc(bucket, s.started_at), COUNT(*)::numeric, '{}'::jsonb
    FROM public.realtime_sessions s
    WHERE s.organization_id = org_id AND s.started_at >= from_time AND s.started_at < until_time
    GROUP BY 3

    UNION ALL
    SELECT 'web', 'sign_ins', date_trunc(bucket, v.occurred_at), COUNT(*)::numeric, '{}'::jsonb
    FROM public.security_events v
    WHERE v.organization_id = org_id AND v.kind = 'sign_in_succeeded' AND v.occurred_at >= from_time AND v.occurred_at < until_time
    GROUP BY 3

    -- Imports: each import's per-file summary (source 'imports') and each transaction
    -- load's (source 'transactions'), their numeric metrics summed.
    UNION ALL
    SELECT 'imports', m.key, date_trunc(bucket, r.fetched_at), SUM(public.analytics_number(m.value)), '{}'::jsonb
    FROM public.raw_data_backup r CROSS JOIN LATERAL jsonb_each(r.raw_data->'metrics') m
    WHERE r.organization_id = org_id AND r.source IN ('imports', 'transactions')
      AND r.fetched_at >= from_time AND r.fetched_at < until_time
      AND jsonb_typeof(r.raw_data->'metrics') = 'object' AND jsonb_typeof(m.value) = 'number'
    GROUP BY 2, 3

    UNION ALL
    SELECT 'lookups', 'api_calls', s.period, s.calls, '{}'::jsonb FROM lookup_sums s
    UNION ALL
    -- A rate from the period's own counts, never an average of rates.
    SELECT 'lookups', 'cache_hit_rate', s.period, ROUND(100.0 * s.hits / (s.hits + s.misses), 2),
           jsonb_build_object('numerator', s.hits, 'denominator', s.hits + s.misses)
    FROM lookup_sums s WHERE s.hits + s.misses > 0
    UNION ALL
    SELECT 'lookups', 'latency_p99_ms', p.period, p.bound, jsonb_build_object('calls', p.total, 'resolution', 'histogram bucket')
    FROM latency_p99 p
$$;

-- Transactions per hour of one day (the hour of `trans_date`, the operator's local time):
-- volume (paid amount of the successful ones), count (all), success rate, in total and
-- per payment mode and per merchant.
CREATE FUNCTION analytics_transaction_hours(org_id UUID, of_day DATE)
RETURNS TABLE (channel TEXT, metric TEXT, period_start TIMESTAMPTZ, value NUMERIC, metadata JSONB)
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    WITH day_rows AS (
        SELECT date_trunc('hour', t.trans_date)::timestamptz AS hour, COALESCE(t.payment_mode, '') AS payment_mode,
               COALESCE(t.client_code, '') AS client_code, t.client_name, t.status = 'SUCCESS' AS success,
               t.paid_amount
        FROM public.transaction_detail t
        WHERE t.organization_id = org_id AND t.trans_date >= of_day AND t.trans_date < of_day + 1
    ),
    segments AS (
        SELECT r.hour,
               CASE WHEN GROUPING(r.payment_mode) = 0 THEN '.payment_mode.' || r.payment_mode
                    WHEN GROUPING(r.client_code) = 0 THEN '.merchant.' || r.client_code
                    ELSE '' END AS suffix,
               CASE WHEN GROUPING(r.client_code) = 0 THEN MAX(r.client_name) END AS client_name,
               COUNT(*)::numeric AS transactions,
               COUNT(*) FILTER (WHERE r.success)::numeric AS successful,
               COALESCE(SUM(r.paid_amount) FILTER (WHERE r.success), 0) AS volume
        FROM day_rows r
        GROUP BY GROUPING SETS ((r.hour), (r.hour, r.payment_mode), (r.hour, r.client_code))
    )
    SELECT 'transactions', m.metric, s.hour, m.value, m.metadata
    FROM segments s CROSS JOIN LATERAL (VALUES
        ('volume' || s.suffix, s.volume, jsonb_strip_nulls(jsonb_build_object('client_name', s.client_name))),
        ('count' || s.suffix, s.transactions, jsonb_strip_nulls(jsonb_build_object('client_name', s.client_name))),
        ('success_rate' || s.suffix, ROUND(100.0 * s.successful / s.transactions, 2),
         jsonb_strip_nulls(jsonb_build_object('numerator', s.successful, 'denominator', s.transactions,
                                              'client_name', s.client_name)))
    ) AS m(metric, value, metadata)
$$;

-- Transactions per day from seed 003's daily summaries, which every load keeps equal to
-- the rows; the payment modes' volumes, which the summaries do not hold, from the rows.
CREATE FUNCTION analytics_transaction_days(org_id UUID, first_day DATE, last_day DATE)
RETURNS TABLE (channel TEXT, metric TEXT, on_day DATE, value NUMERIC, metadata JSONB)
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    WITH mode_volumes AS (
        SELECT t.trans_date::date AS day, COALESCE(t.payment_mode, '') AS payment_mode, SUM(t.paid_amount) AS volume
        FROM public.transaction_detail t
        WHERE t.organization_id = org_id AND t.status = 'SUCCESS'
          AND t.trans_date >= first_day AND t.trans_date < last_day + 1
        GROUP BY 1, 2
    ),
    segments AS (
        SELECT d.summary_date AS day, '' AS suffix, NULL::text AS client_name, d.total_transactions::numeric AS transactions,
               d.successful_transactions::numeric AS successful, d.success_volume AS volume
        FROM public.daily_trend_summary d
        WHERE d.organization_id = org_id AND d.summary_date BETWEEN first_day AND last_day
        UNION ALL
        SELECT m.summary_date, '.merchant.' || m.client_code, m.client_name, m.total_transactions,
               m.successful_transactions, m.success_amount
        FROM public.daily_merchant_summary m
        WHERE m.organization_id = org_id AND m.summary_date BETWEEN first_day AND last_day
        UNION ALL
        SELECT p.summary_date, '.payment_mode.' || p.payment_mode, NULL, p.total_transactions,
               p.successful_transactions, COALESCE(v.volume, 0)
        FROM public.daily_payment_summary p
        LEFT JOIN mode_volumes v ON v.day = p.summary_date AND v.payment_mode = p.payment_mode
        WHERE p.organization_id = org_id AND p.summary_date BETWEEN first_day AND last_day
    )
    SELECT 'transactions', m.metric, s.day, m.value, m.metadata
    FROM segments s CROSS JOIN LATERAL (VALUES
        ('volume' || s.suffix, s.volume, jsonb_strip_nulls(jsonb_build_object('client_name', s.client_name))),
        ('count' || s.suffix, s.transactions, jsonb_strip_nulls(jsonb_build_object('client_name', s.client_name))),
        ('success_rate' || s.suffix, CASE WHEN s.transactions > 0 THEN ROUND(100.0 * s.successful / s.transactions, 2) END,
         jsonb_strip_nulls(jsonb_build_object('numerator', s.successful, 'denominator', s.transactions,
                                              'client_name', s.client_name)))
    ) AS m(metric, value, metadata)
    WHERE m.value IS NOT NULL
$$;

-- Every channel's figures of the days [first_day, last_day] into daily_aggregates.
-- Returns the rows written or changed.
CREATE FUNCTION analytics_write_days(org_id UUID, first_day DATE, last_day DATE) RETURNS INTEGER
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    written INTEGER;
BEGIN
    INSERT INTO public.daily_aggregates AS d (organization_id, channel, metric, value, date, metadata)
    SELECT org_id, f.channel, f.metric, f.value, f.on_day, f.metadata
    FROM (SELECT * FROM public.analytics_transaction_days(org_id, first_day, last_day)
          UNION ALL
          SELECT c.channel, c.metric, c.period_start::date, c.value, c.metadata
          FROM public.analytics_channel_figures(org_id, first_day::timestamptz, (last_day + 1)::timestamptz, 'day') c) f
    ON CONFLICT (organization_id, channel, metric, date) DO UPDATE
        SET value = EXCLUDED.value, metadata = EXCLUDED.metadata, updated_at = NOW()
        WHERE d.value IS DISTINCT FROM EXCLUDED.value OR d.metadata IS DISTINCT FROM EXCLUDED.metadata;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END $$;

REVOKE ALL ON FUNCTION analytics_number(JSONB), analytics_channel_figures(UUID, TIMESTAMPTZ, TIMESTAMPTZ, TEXT),
    analytics_transaction_hours(UUID, DATE), analytics_transaction_days(UUID, DATE, DATE),
    analytics_write_days(UUID, DATE, DATE) FROM PUBLIC;

-- Seed 004 §7.2: today's hours (the seed's `>= CURRENT_DATE`), recomputed from the
-- sources on each run, so a late row or a second run changes nothing but what it must.
CREATE FUNCTION aggregate_hourly_data(org_id UUID) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF org_id IS NULL OR org_id IS DISTINCT FROM public.current_organization() THEN
        RAISE EXCEPTION 'aggregate_hourly_data: organization % is not the one this transaction acts for', org_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO public.hourly_aggregates AS h (organization_id, channel, metric, value, timestamp, metadata)
    SELECT org_id, f.channel, f.metric, f.value, f.period_start, f.metadata
    FROM (SELECT * FROM public.analytics_transaction_hours(org_id, CURRENT_DATE)
          UNION ALL
          SELECT * FROM public.analytics_channel_figures(org_id, CURRENT_DATE::timestamptz,
                                                         (CURRENT_DATE + 1)::timestamptz, 'hour')) f
    ON CONFLICT (organization_id, channel, metric, timestamp) DO UPDATE
        SET value = EXCLUDED.value, metadata = EXCLUDED.metadata, updated_at = NOW()
        WHERE h.value IS DISTINCT FROM EXCLUDED.value OR h.metadata IS DISTINCT FROM EXCLUDED.metadata;
END $$;

-- Seed 004 §7.2: yesterday and today (the seed's `>= CURRENT_DATE - INTERVAL '1 day'`),
-- from the sources rather than from averages of the hours: sums stay sums and rates
-- are the day's numerator over its denominator.
CREATE FUNCTION aggregate_daily_data(org_id UUID) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF org_id IS NULL OR org_id IS DISTINCT FROM public.current_organization() THEN
        RAISE EXCEPTION 'aggregate_daily_data: organization % is not the one this transaction acts for', org_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM public.analytics_write_days(org_id, CURRENT_DATE - 1, CURRENT_DATE);
END $$;

-- The last `days` days (today included) at once, for a history after a first load.
CREATE FUNCTION backfill_daily_aggregates(org_id UUID, days INTEGER) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF org_id IS NULL OR org_id IS DISTINCT FROM public.current_organization() THEN
        RAISE EXCEPTION 'backfill_daily_aggregates: organization % is not the one this transaction acts for', org_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF days IS NULL OR days < 1 OR days > 366 THEN
        RAISE EXCEPTION 'backfill_daily_aggregates: days must be 1 to 366, not %', days
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN public.analytics_write_days(org_id, CURRENT_DATE - (days - 1), CURRENT_DATE);
END $$;

REVOKE ALL ON FUNCTION aggregate_hourly_data(UUID), aggregate_daily_data(UUID), backfill_daily_aggregates(UUID, INTEGER)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION aggregate_hourly_data(UUID), aggregate_daily_data(UUID), backfill_daily_aggregates(UUID, INTEGER)
    TO ut360_app;

-- Live sessions idle for a day are over (migration 10's "TTL index" cannot delete them
-- by itself): every organization's, by the nightly job. Returns the sessions deleted.
CREATE FUNCTION cleanup_idle_realtime_sessions() RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    deleted INTEGER;
BEGIN
    DELETE FROM public.realtime_sessions WHERE last_activity < NOW() - INTERVAL '24 hours';
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END $$;

-- Which `serve` process runs each slot of each scheduled job (the hour of the hourly
-- aggregation, the night of the nightly one…): the first to insert the row. Not an
-- organization's data: the app's role reaches it only through the functions below.
CREATE TABLE scheduled_job_runs (
    job VARCHAR(100) NOT NULL,
    slot TIMESTAMP WITH TIME ZONE NOT NULL,
    claimed_by VARCHAR(255) NOT NULL,
    claimed_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(),
    finished_at TIMESTAMP WITH TIME ZONE,
    status VARCHAR(20) NOT NULL DEFAULT 'running',
    error TEXT,
    PRIMARY KEY (job, slot),
    CONSTRAINT chk_scheduled_job_runs_status CHECK (status IN ('running', 'completed', 'failed'))
);
REVOKE ALL ON scheduled_job_runs FROM ut360_app;

-- True for the one caller that claims the slot first.
CREATE FUNCTION claim_scheduled_slot(job_name TEXT, slot_at TIMESTAMPTZ, holder TEXT) RETURNS BOOLEAN
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    WITH claimed AS (
        INSERT INTO public.scheduled_job_runs (job, slot, claimed_by) VALUES (job_name, slot_at, holder)
        ON CONFLICT (job, slot) DO NOTHING
        RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM claimed)
$$;

-- The holder's run of the slot ended (`failure` NULL when it succeeded).
CREATE FUNCTION finish_scheduled_slot(job_name TEXT, slot_at TIMESTAMPTZ, holder TEXT, failure TEXT) RETURNS VOID
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    UPDATE public.scheduled_job_runs
    SET finished_at = clock_timestamp(), status = CASE WHEN failure IS NULL THEN 'completed' ELSE 'failed' END,
        error = failure
    WHERE job = job_name AND slot = slot_at AND claimed_by = holder
$$;

-- Claims older than 30 days, by the nightly job.
CREATE FUNCTION cleanup_old_scheduled_job_runs() RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    deleted INTEGER;
BEGIN
    DELETE FROM public.scheduled_job_runs WHERE slot < NOW() - INTERVAL '30 days';
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END $$;

REVOKE ALL ON FUNCTION cleanup_idle_realtime_sessions(), claim_scheduled_slot(TEXT, TIMESTAMPTZ, TEXT),
    finish_scheduled_slot(TEXT, TIMESTAMPTZ, TEXT, TEXT), cleanup_old_scheduled_job_runs() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cleanup_idle_realtime_sessions(), claim_scheduled_slot(TEXT, TIMESTAMPTZ, TEXT),
    finish_scheduled_slot(TEXT, TIMESTAMPTZ, TEXT, TEXT), cleanup_old_scheduled_job_runs() TO ut360_app;
