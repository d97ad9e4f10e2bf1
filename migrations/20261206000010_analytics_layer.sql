-- Seed 004's analytics layer (issue 24): the eight tables it plans that UT360 did not
-- have yet, with the seed's names and columns. Where the seed's SQL cannot run as
-- written, the change is listed in docs/seed-004.md. `event_tracking`, `data_sources`
-- and `sync_logs` exist since migrations 3 and 7.
--
-- Who writes what (seed 004's policies, section 6): members read their organization's
-- aggregates, insights, alerts, cohorts and funnels; the web app's role (`ut360_app`)
-- may change only the read mark of an insight and the acknowledgement of an alert.
-- Aggregates, insights, alerts, cohorts and funnels are written by the system: functions
-- that run as the tables' owner and refuse any organization but the caller's own.

-- 1.1 / 1.2: partitioned by time as the seed's `*_2024 PARTITION OF` asks. A
-- partitioned table's primary key must hold the partition column, hence (id, timestamp).
CREATE TABLE hourly_aggregates (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    channel VARCHAR(50) NOT NULL,
    metric VARCHAR(100) NOT NULL,
    value DECIMAL(15,2) NOT NULL,
    timestamp TIMESTAMP WITH TIME ZONE NOT NULL,
    metadata JSONB DEFAULT '{}',
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    PRIMARY KEY (id, timestamp),
    -- The key of aggregate_hourly_data()'s ON CONFLICT.
    CONSTRAINT uq_hourly_aggregates_key UNIQUE (organization_id, channel, metric, timestamp)
) PARTITION BY RANGE (timestamp);
CREATE INDEX idx_hourly_aggregates_org_time ON hourly_aggregates(organization_id, timestamp);
CREATE INDEX idx_hourly_aggregates_channel_metric ON hourly_aggregates(channel, metric);
CREATE INDEX idx_hourly_aggregates_timestamp ON hourly_aggregates(timestamp);

CREATE TABLE daily_aggregates (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    channel VARCHAR(50) NOT NULL,
    metric VARCHAR(100) NOT NULL,
    value DECIMAL(15,2) NOT NULL,
    date DATE NOT NULL,
    metadata JSONB DEFAULT '{}',
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    PRIMARY KEY (id, date),
    CONSTRAINT uq_daily_aggregates_key UNIQUE (organization_id, channel, metric, date)
) PARTITION BY RANGE (date);
CREATE INDEX idx_daily_aggregates_org_date ON daily_aggregates(organization_id, date);
CREATE INDEX idx_daily_aggregates_channel_metric ON daily_aggregates(channel, metric);
CREATE INDEX idx_daily_aggregates_date ON daily_aggregates(date);

-- 1.3: what each import or load brought in, one summary per file or batch:
-- `raw_data` = {"metrics": {"<metric>": <number>, …}, …}, read by aggregate_hourly_data().
CREATE TABLE raw_data_backup (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    source VARCHAR(50) NOT NULL,
    raw_data JSONB NOT NULL,
    fetched_at TIMESTAMP WITH TIME ZONE NOT NULL,
    processed BOOLEAN DEFAULT FALSE,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);
CREATE INDEX idx_raw_data_backup_org_source ON raw_data_backup(organization_id, source);
CREATE INDEX idx_raw_data_backup_fetched ON raw_data_backup(fetched_at);
CREATE INDEX idx_raw_data_backup_processed ON raw_data_backup(processed);

-- 2.1
CREATE TABLE ai_insights (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    insight_type VARCHAR(50) NOT NULL,
    title VARCHAR(255) NOT NULL,
    description TEXT NOT NULL,
    severity VARCHAR(20) NOT NULL,
    confidence_score DECIMAL(3,2) DEFAULT 0.0,
    data_points JSONB DEFAULT '{}',
    recommendations JSONB DEFAULT '[]',
    is_actionable BOOLEAN DEFAULT TRUE,
    is_read BOOLEAN DEFAULT FALSE,
    expires_at TIMESTAMP WITH TIME ZONE,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    CONSTRAINT chk_ai_insights_type CHECK (insight_type IN ('anomaly', 'recommendation', 'trend', 'opportunity')),
    CONSTRAINT chk_ai_insights_severity CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    CONSTRAINT chk_ai_insights_confidence CHECK (confidence_score BETWEEN 0 AND 1)
);
CREATE INDEX idx_ai_insights_org_type ON ai_insights(organization_id, insight_type);
CREATE INDEX idx_ai_insights_severity ON ai_insights(severity);
CREATE INDEX idx_ai_insights_created ON ai_insights(created_at);
CREATE INDEX idx_ai_insights_unread ON ai_insights(organization_id, is_read) WHERE is_read = FALSE;

-- 2.2: `auth.users` is UT360's `users`.
CREATE TABLE performance_alerts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    alert_type VARCHAR(50) NOT NULL,
    channel VARCHAR(50) NOT NULL,
    metric VARCHAR(100) NOT NULL,
    current_value DECIMAL(15,2) NOT NULL,
    threshold_value DECIMAL(15,2) NOT NULL,
    threshold_type VARCHAR(20) NOT NULL,
    message TEXT NOT NULL,
    is_active BOOLEAN DEFAULT TRUE,
    is_acknowledged BOOLEAN DEFAULT FALSE,
    acknowledged_by UUID REFERENCES users(id) ON DELETE SET NULL,
    acknowledged_at TIMESTAMP WITH TIME ZONE,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    CONSTRAINT chk_performance_alerts_type CHECK (alert_type IN ('threshold_breach', 'anomaly_detected', 'goal_at_risk')),
    CONSTRAINT chk_performance_alerts_threshold_type CHECK (threshold_type IN ('above', 'below', 'percentage_change'))
);
CREATE INDEX idx_performance_alerts_org_active ON performance_alerts(organization_id, is_active);
CREATE INDEX idx_performance_alerts_type ON performance_alerts(alert_type);
CREATE INDEX idx_performance_alerts_created ON performance_alerts(created_at);

-- 3.1: one row per signed-in browser session, its latest page. The seed's "TTL index"
-- cannot put NOW() in its predicate (index predicates must be immutable): it indexes the
-- active sessions by last activity instead, and cleanup deletes after 24 hours.
CREATE TABLE realtime_sessions (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    session_id VARCHAR(255) NOT NULL,
    user_id VARCHAR(255),
    page_url TEXT NOT NULL,
    referrer TEXT,
    user_agent TEXT,
    ip_address INET,
    country VARCHAR(2),
    city VARCHAR(100),
    device_type VARCHAR(20),
    browser VARCHAR(50),
    os VARCHAR(50),
    started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    last_activity TIMESTAMP WITH TIME ZONE NOT NULL,
    duration_seconds INTEGER DEFAULT 0,
    is_active BOOLEAN DEFAULT TRUE,
    metadata JSONB DEFAULT '{}',
    CONSTRAINT uq_realtime_sessions_session UNIQUE (organization_id, session_id)
);
CREATE INDEX idx_realtime_sessions_org_active ON realtime_sessions(organization_id, is_active);
CREATE INDEX idx_realtime_sessions_started ON realtime_sessions(started_at);
CREATE INDEX idx_realtime_sessions_last_activity ON realtime_sessions(last_activity);
CREATE INDEX idx_realtime_sessions_ttl ON realtime_sessions(last_activity) WHERE is_active;

-- 5.1: subscribers by the month of their first successful top-up.
CREATE TABLE cohort_analysis (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    cohort_date DATE NOT NULL,
    cohort_type VARCHAR(50) NOT NULL,
    period_number INTEGER NOT NULL,
    period_type VARCHAR(20) NOT NULL,
    cohort_size INTEGER NOT NULL,
    active_users INTEGER NOT NULL,
    retention_rate DECIMAL(5,4) NOT NULL,
    revenue DECIMAL(15,2) DEFAULT 0,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    CONSTRAINT uq_cohort_analysis_cell UNIQUE (organization_id, cohort_type, period_type, cohort_date, period_number)
);
CREATE INDEX idx_cohort_analysis_org_date ON cohort_analysis(organization_id, cohort_date);
CREATE INDEX idx_cohort_analysis_type ON cohort_analysis(cohort_type);

-- 5.2: a campaign's funnel per day.
CREATE TABLE funnel_analysis (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    funnel_name VARCHAR(100) NOT NULL,
    step_name VARCHAR(100) NOT NULL,
    step_order INTEGER NOT NULL,
    date DATE NOT NULL,
    visitors INTEGER NOT NULL,
    conversions INTEGER NOT NULL,
    conversion_rate DECIMAL(5,4) NOT NULL,
    drop_off_rate DECIMAL(5,4) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    CONSTRAINT uq_funnel_analysis_step UNIQUE (organization_id, funnel_name, date, step_order)
);
CREATE INDEX idx_funnel_analysis_org_funnel ON funnel_analysis(organization_id, funnel_name);
CREATE INDEX idx_funnel_analysis_date ON funnel_analysis(date);

-- Yearly partitions, as the seed's `_2024`, kept a year ahead by the scheduler. Each
-- partition is a table of its own: it gets the same policies as its parent.
CREATE FUNCTION ensure_analytics_partitions(first_year INTEGER, last_year INTEGER) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    year INTEGER;
    parent TEXT;
    partition_name TEXT;
    created INTEGER := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('ut360:analytics_partitions'));
    FOR year IN first_year .. last_year LOOP
        FOREACH parent IN ARRAY ARRAY['hourly_aggregates', 'daily_aggregates'] LOOP
            partition_name := format('%s_%s', parent, year);
            IF to_regclass(partition_name) IS NULL THEN
                EXECUTE format('CREATE TABLE public.%I PARTITION OF public.%I FOR VALUES FROM (%L) TO (%L)',
                               partition_name, parent, make_date(year, 1, 1), make_date(year + 1, 1, 1));
                PERFORM public.members_read_system_writes(partition_name);
                created := created + 1;
            END IF;
        END LOOP;
    END LOOP;
    RETURN created;
END $$;

-- Seed 004 §6.1: members see their organization's rows ("Users can view … for their
-- organizations"); writing is the system's ("System can manage …"): the app's role
-- keeps SELECT only, and the functions that write run as the owner.
CREATE FUNCTION members_read_system_writes(table_name TEXT) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', table_name);
    EXECUTE format('CREATE POLICY "Users can view %s for their organizations" ON public.%I FOR SELECT
                    USING (organization_id = public.current_organization())', replace(table_name, '_', ' '), table_name);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON public.%I FROM ut360_app', table_name);
END $$;
REVOKE ALL ON FUNCTION members_read_system_writes(TEXT) FROM PUBLIC;

SELECT members_read_system_writes(t)
FROM unnest(ARRAY['hourly_aggregates', 'daily_aggregates', 'ai_insights',
                  'performance_alerts', 'cohort_analysis', 'funnel_analysis']) AS t;

SELECT ensure_analytics_partitions(2024, EXTRACT(YEAR FROM CURRENT_DATE)::INTEGER + 1);
REVOKE ALL ON FUNCTION ensure_analytics_partitions(INTEGER, INTEGER) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ensure_analytics_partitions(INTEGER, INTEGER) TO ut360_app;

-- Seed 004 §6.2, "Users can update AI insights read status": only the read mark.
CREATE POLICY "Users can update AI insights read status" ON ai_insights FOR UPDATE
    USING (organization_id = current_organization()) WITH CHECK (organization_id = current_organization());
GRANT UPDATE (is_read, updated_at) ON ai_insights TO ut360_app;
-- The same for an alert's acknowledgement (who and when).
CREATE POLICY "Users can acknowledge performance alerts" ON performance_alerts FOR UPDATE
    USING (organization_id = current_organization()) WITH CHECK (organization_id = current_organization());
GRANT UPDATE (is_acknowledged, acknowledged_by, acknowledged_at, updated_at) ON performance_alerts TO ut360_app;

-- The app's own page views and sessions, and the summaries of what loads brought in,
-- are written by the app for its organization.
SELECT isolate_tenant('realtime_sessions');
SELECT isolate_tenant('raw_data_backup');

-- Seed 004 §7.1, as written, run as the owner so the nightly job cleans every
-- organization's rows (retention is the same for all).
CREATE FUNCTION cleanup_old_hourly_aggregates() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    DELETE FROM public.hourly_aggregates WHERE timestamp < CURRENT_DATE;
    RAISE NOTICE 'Cleaned up old hourly aggregates';
END;
$$;

CREATE FUNCTION cleanup_old_daily_aggregates() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    DELETE FROM public.daily_aggregates WHERE date < CURRENT_DATE - INTERVAL '365 days';
    RAISE NOTICE 'Cleaned up old daily aggregates';
END;
$$;

CREATE FUNCTION cleanup_old_raw_data_backup() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    DELETE FROM public.raw_data_backup WHERE fetched_at < CURRENT_DATE - INTERVAL '30 days';
    RAISE NOTICE 'Cleaned up old raw data backup';
END;
$$;

REVOKE ALL ON FUNCTION cleanup_old_hourly_aggregates(), cleanup_old_daily_aggregates(), cleanup_old_raw_data_backup() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cleanup_old_hourly_aggregates(), cleanup_old_daily_aggregates(), cleanup_old_raw_data_backup() TO ut360_app;
