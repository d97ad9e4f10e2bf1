-- Issue 24: seed 004's ai_insights and performance_alerts, computed from UT360's own
-- data, no outside service. What each rule reads and why is in docs/seed-004.md
-- ("Insights and alerts"). Everything here that writes runs as the tables' owner and
-- refuses any organization but the one the transaction acts for.

-- An insight's identity, so regenerating replaces instead of duplicating (and keeps
-- the read mark), and its English beside the Vietnamese of the seed's columns.
ALTER TABLE ai_insights
    ADD COLUMN insight_key VARCHAR(255),
    ADD COLUMN insight_date DATE,
    ADD COLUMN title_en VARCHAR(255),
    ADD COLUMN description_en TEXT;
CREATE UNIQUE INDEX uq_ai_insights_key ON ai_insights (organization_id, insight_key);
-- The feed: unexpired insights, most severe first.
CREATE INDEX idx_ai_insights_feed ON ai_insights (organization_id, expires_at);

-- Managers' and admins' rules: a channel's metric (the names of hourly_aggregates /
-- daily_aggregates) against a threshold. Written by the app under row-level security.
CREATE TABLE performance_alert_rules (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    channel VARCHAR(50) NOT NULL,
    metric VARCHAR(100) NOT NULL,
    -- Which aggregates the rule reads: the latest hour or the latest day.
    period VARCHAR(10) NOT NULL DEFAULT 'day',
    threshold_type VARCHAR(20) NOT NULL,
    threshold_value DECIMAL(15,2) NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created_by UUID REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    CONSTRAINT chk_alert_rules_period CHECK (period IN ('hour', 'day')),
    CONSTRAINT chk_alert_rules_threshold_type CHECK (threshold_type IN ('above', 'below', 'percentage_change')),
    CONSTRAINT chk_alert_rules_change CHECK (threshold_type <> 'percentage_change' OR threshold_value > 0)
);
CREATE INDEX idx_alert_rules_org ON performance_alert_rules (organization_id, channel, metric);
SELECT isolate_tenant('performance_alert_rules');

-- Which rule or insight an alert stands for, and when the value it reports was measured.
-- A rule deleted leaves its alerts as history; the next evaluation closes them.
ALTER TABLE performance_alerts
    ADD COLUMN rule_id UUID REFERENCES performance_alert_rules(id) ON DELETE SET NULL,
    ADD COLUMN insight_id UUID REFERENCES ai_insights(id) ON DELETE SET NULL,
    ADD COLUMN measured_at TIMESTAMP WITH TIME ZONE;
-- At most one open alert per rule, and one alert per anomaly.
CREATE UNIQUE INDEX uq_performance_alerts_open_rule ON performance_alerts (rule_id) WHERE is_active AND rule_id IS NOT NULL;
CREATE UNIQUE INDEX uq_performance_alerts_insight ON performance_alerts (insight_id) WHERE insight_id IS NOT NULL;
CREATE INDEX idx_performance_alerts_history ON performance_alerts (organization_id, created_at DESC);

-- Φ(z), the standard normal distribution function (Abramowitz & Stegun 26.2.17,
-- error below 1e-7): PostgreSQL has no erf.
CREATE FUNCTION insight_normal_cdf(z DOUBLE PRECISION) RETURNS DOUBLE PRECISION
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
    -- Beyond 30 deviations the tail is 0 to double precision (and exp() would underflow).
    SELECT CASE WHEN z >= 0 THEN 1 - tail ELSE tail END
    FROM (SELECT LEAST(abs(z), 30) AS x) a,
         LATERAL (SELECT 1 / (1 + 0.2316419 * a.x) AS t) s,
         LATERAL (SELECT exp(-a.x * a.x / 2) / sqrt(2 * pi())
                         * s.t * (0.319381530 + s.t * (-0.356563782 + s.t * (1.781477937 + s.t * (-1.821255978 + s.t * 1.330274429))))
                  AS tail) u
$$;

-- A number as Vietnamese writes it: 1.234.567 (decimals with a comma).
CREATE FUNCTION insight_number_vi(value NUMERIC, decimals INTEGER) RETURNS TEXT
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
    SELECT translate(to_char(round(value, decimals),
                             'FM999,999,999,999,990' || CASE WHEN decimals > 0 THEN '.' || repeat('0', decimals) ELSE '' END),
                     ',.', '.,')
$$;

CREATE FUNCTION insight_number_en(value NUMERIC, decimals INTEGER) RETURNS TEXT
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
    SELECT to_char(round(value, decimals),
                   'FM999,999,999,999,990' || CASE WHEN decimals > 0 THEN '.' || repeat('0', decimals) ELSE '' END)
$$;

CREATE FUNCTION insight_refuse_other_organization(org_id UUID, caller TEXT) RETURNS VOID
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF org_id IS NULL OR org_id IS DISTINCT FROM public.current_organization() THEN
        RAISE EXCEPTION '%: organization % is not the one this transaction acts for', caller, org_id
            USING ERRCODE = '42501';
    END IF;
END $$;

-- Anomalies: a merchant's daily volume (đồng) or success rate, a payment mode's daily
-- count or success rate, more than 3 standard deviations from its own previous 28
-- days. Days without a merchant's or mode's rows count as 0 for volume and count (the
-- rate has no value then). A series needs 14 days with transactions in its history;
-- a history that hardly varies counts as varying by at least 5 % of its mean (1 point
-- for a rate). Evaluated only when the day has transactions at all (a day not loaded
-- yet is not a collapse). Replaces the day's anomalies; returns how many it wrote.
CREATE FUNCTION generate_anomaly_insights(org_id UUID, on_day DATE) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    k CONSTANT DOUBLE PRECISION := 3;
    window_days CONSTANT INTEGER := 28;
    written INTEGER := 0;
    keys TEXT[];
BEGIN
    PERFORM public.insight_refuse_other_organization(org_id, 'generate_anomaly_insights');
    IF EXISTS (SELECT 1 FROM public.daily_trend_summary t
               WHERE t.organization_id = org_id AND t.summary_date = on_day AND t.total_transactions > 0) THEN
        WITH days AS (
            SELECT d::date AS day FROM generate_series(on_day - window_days, on_day, INTERVAL '1 day') d
        ),
        merchants AS (
            SELECT m.client_code, MAX(m.client_name) AS client_name
            FROM public.daily_merchant_summary m
            WHERE m.organization_id = org_id AND m.summary_date BETWEEN on_day - window_days AND on_day
            GROUP BY m.client_code
        ),
        modes AS (
            SELECT DISTINCT p.payment_mode
            FROM public.daily_payment_summary p
            WHERE p.organization_id = org_id AND p.summary_date BETWEEN on_day - window_days AND on_day
        ),
        -- (segment, code, name, metric, day, value, active): one value a day, 0-filled.
        series AS (
            SELECT 'merchant' AS segment, g.client_code AS code, g.client_name AS name, metric, d.day, value, active
            FROM merchants g CROSS JOIN days d
            LEFT JOIN public.daily_merchant_summary m
              ON m.organization_id = org_id AND m.summary_date = d.day AND m.client_code = g.client_code
            CROSS JOIN LATERAL (VALUES
                ('volume', COALESCE(m.total_amount, 0)::double precision),
                ('success_rate', CASE WHEN m.total_transactions > 0
                                      THEN 100.0 * m.successful_transactions / m.total_transactions END)
            ) v(metric, value)
            CROSS JOIN LATERAL (SELECT COALESCE(m.total_transactions, 0) > 0 AS active) a
            UNION ALL
            SELECT 'payment_mode', g.payment_mode, g.payment_mode, metric, d.day, value, active
            FROM modes g CROSS JOIN days d
            LEFT JOIN public.daily_payment_summary p
              ON p.organization_id = org_id AND p.summary_date = d.day AND p.payment_mode = g.payment_mode
            CROSS JOIN LATERAL (VALUES
                ('count', COALESCE(p.total_transactions, 0)::double precision),
                ('success_rate', CASE WHEN p.total_transactions > 0
                                      THEN 100.0 * p.successful_transactions / p.total_transactions END)
            ) v(metric, value)
            CROSS JOIN LATERAL (SELECT COALESCE(p.total_transactions, 0) > 0 AS active) a
        ),
        stats AS (
            SELECT segment, code, MAX(name) AS name, metric,
                   MAX(value) FILTER (WHERE day = on_day) AS value,
                   COUNT(*) FILTER (WHERE day < on_day AND active) AS history_days,
                   AVG(value) FILTER (WHERE day < on_day) AS mean,
                   COALESCE(STDDEV_SAMP(value) FILTER (WHERE day < on_day), 0) AS stddev
            FROM series
            GROUP BY segment, code, metric
        ),
        scored AS (
            SELECT s.*, spread.used AS stddev_used, (s.value - s.mean) / spread.used AS z
            FROM stats s
            CROSS JOIN LATERAL (SELECT GREATEST(s.stddev,
                                                CASE WHEN s.metric = 'success_rate' THEN 1.0 ELSE 0.05 * abs(s.mean) END)
                                AS used) spread
            WHERE s.value IS NOT NULL AND s.history_days >= 14 AND spread.used > 0
        ),
        found AS (
            SELECT s.*,
                   CASE WHEN abs(s.z) >= 7 THEN 'critical' WHEN abs(s.z) >= 5 THEN 'high'
                        WHEN abs(s.z) >= 4 THEN 'medium' ELSE 'low' END AS severity,
                   -- The two-sided normal probability that the day is not chance, times
                   -- the share of the window that had transactions; never certain.
                   LEAST(0.99, (1 - 2 * (1 - public.insight_normal_cdf(abs(s.z))))
                               * LEAST(1.0, s.history_days::double precision / window_days)) AS confidence,
                   s.z > 0 AS higher,
                   format('anomaly:%s:%s:%s:%s', on_day, s.segment, s.metric, s.code) AS key,
                   CASE s.segment WHEN 'merchant' THEN 'đại lý ' ELSE 'phương thức thanh toán ' END
                       || COALESCE(NULLIF(s.name, ''), s.code) AS subject_vi,
                   CASE s.segment WHEN 'merchant' THEN 'merchant ' ELSE 'payment mode ' END
                       || COALESCE(NULLIF(s.name, ''), s.code) AS subject_en,
                   CASE s.metric WHEN 'volume' THEN 'Doanh số' WHEN 'count' THEN 'Số giao dịch'
                                 ELSE 'Tỷ lệ thành công' END AS metric_vi,
                   CASE s.metric WHEN 'volume' THEN 'Volume' WHEN 'count' THEN 'Transaction count'
                                 ELSE 'Success rate' END AS metric_en,
                   CASE s.metric WHEN 'volume' THEN ' ₫' WHEN 'count' THEN '' ELSE ' %' END AS unit,
                   CASE s.metric WHEN 'success_rate' THEN 1 ELSE 0 END AS decimals
            FROM scored s
            WHERE abs(s.z) >= k
        ),
        written_rows AS (
            INSERT INTO public.ai_insights AS i (organization_id, insight_type, insight_key, insight_date, title, description,
                                                 title_en, description_en, severity, confidence_score, data_points,
                                                 recommendations, is_actionable, expires_at)
            SELECT org_id, 'anomaly', f.key, on_day,
                   format('%s của %s ngày %s bất thường (%s)', f.metric_vi, f.subject_vi, to_char(on_day, 'DD/MM/YYYY'),
                          CASE WHEN f.higher THEN 'cao bất thường' ELSE 'thấp bất thường' END),
                   format('%s ngày %s là %s%s, %s mức trung bình %s%s của %s ngày trước (độ lệch chuẩn %s, z = %s, ngưỡng ±%s).',
                          f.metric_vi, to_char(on_day, 'DD/MM/YYYY'),
                          public.insight_number_vi(f.value::numeric, f.decimals), f.unit,
                          CASE WHEN f.higher THEN 'cao hơn' ELSE 'thấp hơn' END,
                          public.insight_number_vi(f.mean::numeric, f.decimals), f.unit, window_days,
                          public.insight_number_vi(f.stddev_used::numeric, 2),
                          public.insight_number_vi(f.z::numeric, 1), k),
                   format('%s of %s on %s is unusually %s', f.metric_en, f.subject_en, on_day,
                          CASE WHEN f.higher THEN 'high' ELSE 'low' END),
                   format('%s on %s was %s%s, %s the average of %s%s over the previous %s days (standard deviation %s, z = %s, threshold ±%s).',
                          f.metric_en, on_day, public.insight_number_en(f.value::numeric, f.decimals), f.unit,
                          CASE WHEN f.higher THEN 'above' ELSE 'below' END,
                          public.insight_number_en(f.mean::numeric, f.decimals), f.unit, window_days,
                          public.insight_number_en(f.stddev_used::numeric, 2),
                          public.insight_number_en(f.z::numeric, 1), k),
                   f.severity, round(f.confidence::numeric, 2),
                   jsonb_build_object(
                       'segment', f.segment, 'code', f.code, 'name', f.name, 'metric', f.metric,
                       'aggregate_metric', format('%s.%s.%s', f.metric, f.segment, f.code),
                       'day', on_day, 'window_from', on_day - window_days, 'value', round(f.value::numeric, 2), 'mean', round(f.mean::numeric, 2),
                       'stddev', round(f.stddev::numeric, 2), 'stddev_used', round(f.stddev_used::numeric, 2),
                       'z_score', round(f.z::numeric, 2), 'k', k, 'window_days', window_days,
                       'history_days', f.history_days,
                       'lower_bound', round((f.mean - k * f.stddev_used)::numeric, 2),
                       'upper_bound', round((f.mean + k * f.stddev_used)::numeric, 2)),
                   CASE WHEN f.higher THEN jsonb_build_array(
                       jsonb_build_object('vi', format('Kiểm tra các giao dịch của %s ngày %s: trùng lặp, thử lại hay gian lận.', f.subject_vi, to_char(on_day, 'DD/MM/YYYY')),
                                          'en', format('Check the transactions of %s on %s for duplicates, retries or fraud.', f.subject_en, on_day)),
                       jsonb_build_object('vi', 'Nếu là tăng trưởng thật, xác nhận nguyên nhân (khuyến mãi, sự kiện) với đối tác.',
                                          'en', 'If the growth is real, confirm its cause (a promotion, an event) with the partner.'))
                   ELSE jsonb_build_array(
                       jsonb_build_object('vi', format('Liên hệ %s để kiểm tra sự cố kết nối hoặc thanh toán ngày %s.', f.subject_vi, to_char(on_day, 'DD/MM/YYYY')),
                                          'en', format('Contact %s to check for a connection or payment outage on %s.', f.subject_en, on_day)),
                       jsonb_build_object('vi', 'Đối chiếu dữ liệu đã nạp của ngày này với nguồn để loại trừ thiếu dữ liệu.',
                                          'en', 'Compare the day''s loaded data with its source to rule out missing rows.'))
                   END,
                   TRUE, (on_day + 8)::timestamptz
            FROM found f
            ON CONFLICT (organization_id, insight_key) DO UPDATE SET
                title = EXCLUDED.title, description = EXCLUDED.description, title_en = EXCLUDED.title_en,
                description_en = EXCLUDED.description_en, severity = EXCLUDED.severity,
                confidence_score = EXCLUDED.confidence_score, data_points = EXCLUDED.data_points,
                recommendations = EXCLUDED.recommendations, expires_at = EXCLUDED.expires_at, updated_at = NOW()
            RETURNING i.insight_key
        )
        SELECT array_agg(insight_key) INTO keys FROM written_rows;
    END IF;
    keys := COALESCE(keys, ARRAY[]::TEXT[]);
    DELETE FROM public.ai_insights i
    WHERE i.organization_id = org_id AND i.insight_type = 'anomaly' AND i.insight_date = on_day
      AND NOT (i.insight_key = ANY(keys));
    RETURN cardinality(keys);
END $$;

-- Trends: per segment of the dashboards (service × cluster), the share of subscribers
-- whose ARPU trend is `Giảm` (growth from their first month below -10 %, the
-- pipeline's rule) at the latest month of subscriber_monthly_arpu against the month
-- before, among the segment's subscribers with ARPU in both months. A rise of at least
-- 5 points in a segment of at least 20 such subscribers is an insight; its confidence
-- is the one-sided two-proportion z-test's. Replaces the trend insights.
CREATE FUNCTION generate_trend_insights(org_id UUID, on_day DATE) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    latest TEXT;
    previous TEXT;
    keys TEXT[];
BEGIN
    PERFORM public.insight_refuse_other_organization(org_id, 'generate_trend_insights');
    SELECT MAX(a.data_month) INTO latest FROM public.subscriber_monthly_arpu a WHERE a.organization_id = org_id;
    IF latest IS NOT NULL AND latest ~ '^[0-9]{6}$' THEN
        previous := to_char(to_date(latest, 'YYYYMM') - INTERVAL '1 month', 'YYYYMM');
        WITH subscribers AS (
            SELECT a.isdn,
                   (array_agg(a.arpu_total ORDER BY a.data_month))[1] AS first_total,
                   MAX(a.arpu_total) FILTER (WHERE a.data_month = latest) AS latest_total,
                   MAX(a.arpu_total) FILTER (WHERE a.data_month = previous) AS previous_total
            FROM public.subscriber_monthly_arpu a
            WHERE a.organization_id = org_id AND a.data_month <= latest
            GROUP BY a.isdn
        ),
        trends AS (
            SELECT r.service_type, COALESCE(r.cluster_group, -1) AS cluster,
                   COALESCE(s.first_total, 0) > 0 AND (s.latest_total - s.first_total) / s.first_total * 100 < -10 AS declining_now,
                   COALESCE(s.first_total, 0) > 0 AND (s.previous_total - s.first_total) / s.first_total * 100 < -10 AS declining_before
            FROM subscribers s
            JOIN public.recommendations r ON r.organization_id = org_id AND r.isdn = s.isdn
            WHERE s.latest_total IS NOT NULL AND s.previous_total IS NOT NULL
        ),
        segments AS (
            SELECT service_type, cluster, COUNT(*) AS subscribers,
                   COUNT(*) FILTER (WHERE declining_now) AS declining_now,
                   COUNT(*) FILTER (WHERE declining_before) AS declining_before
            FROM trends GROUP BY service_type, cluster
        ),
        found AS (
            SELECT g.*, 100.0 * g.declining_now / g.subscribers AS share_now,
                   100.0 * g.declining_before / g.subscribers AS share_before,
                   100.0 * (g.declining_now - g.declining_before) / g.subscribers AS rise,
                   z.z,
                   format('trend:%s:%s:%s', latest, g.service_type, g.cluster) AS key,
                   CASE WHEN g.cluster < 0 THEN 'chưa phân cụm' ELSE 'cụm ' || g.cluster END AS cluster_vi,
                   CASE WHEN g.cluster < 0 THEN 'no cluster' ELSE 'cluster ' || g.cluster END AS cluster_en
            FROM segments g
            CROSS JOIN LATERAL (
                SELECT (g.declining_now + g.declining_before)::double precision / (2 * g.subscribers) AS pooled
            ) p
            CROSS JOIN LATERAL (
                SELECT CASE WHEN p.pooled > 0 AND p.pooled < 1
                            THEN ((g.declining_now - g.declining_before)::double precision / g.subscribers)
                                 / sqrt(p.pooled * (1 - p.pooled) * 2.0 / g.subscribers)
                            ELSE 0 END AS z
            ) z
            WHERE g.subscribers >= 20 AND 100.0 * (g.declining_now - g.declining_before) / g.subscribers >= 5
        ),
        written_rows AS (
            INSERT INTO public.ai_insights AS i (organization_id, insight_type, insight_key, insight_date, title, description,
                                                 title_en, description_en, severity, confidence_score, data_points,
                                                 recommendations, is_actionable, expires_at)
            SELECT org_id, 'trend', f.key, on_day,
                   format('ARPU giảm lan rộng: %s, %s', f.service_type, f.cluster_vi),
                   format('Tỷ lệ thuê bao có xu hướng ARPU “Giảm” trong nhóm %s, %s tăng từ %s %% (tháng %s) lên %s %% (tháng %s), thêm %s điểm, trên %s thuê bao có ARPU cả hai tháng.',
                          f.service_type, f.cluster_vi, public.insight_number_vi(f.share_before, 1),
                          to_char(to_date(previous, 'YYYYMM'), 'MM/YYYY'), public.insight_number_vi(f.share_now, 1),
                          to_char(to_date(latest, 'YYYYMM'), 'MM/YYYY'), public.insight_number_vi(f.rise, 1),
                          public.insight_number_vi(f.subscribers, 0)),
                   format('Declining ARPU spreads: %s, %s', f.service_type, f.cluster_en),
                   format('The share of subscribers whose ARPU trend is “Giảm” (declining) in %s, %s rose from %s %% (%s) to %s %% (%s), %s points, among %s subscribers with ARPU in both months.',
                          f.service_type, f.cluster_en, public.insight_number_en(f.share_before, 1),
                          to_char(to_date(previous, 'YYYYMM'), 'YYYY-MM'), public.insight_number_en(f.share_now, 1),
                          to_char(to_date(latest, 'YYYYMM'), 'YYYY-MM'), public.insight_number_en(f.rise, 1),
                          public.insight_number_en(f.subscribers, 0)),
                   CASE WHEN f.rise >= 30 THEN 'critical' WHEN f.rise >= 20 THEN 'high'
                        WHEN f.rise >= 10 THEN 'medium' ELSE 'low' END,
                   round(LEAST(0.99, public.insight_normal_cdf(f.z))::numeric, 2),
                   jsonb_build_object(
                       'service', f.service_type, 'cluster', CASE WHEN f.cluster < 0 THEN NULL ELSE f.cluster END,
                       'month', latest, 'previous_month', previous, 'subscribers', f.subscribers,
                       'declining', f.declining_now, 'declining_before', f.declining_before,
                       'share_pct', round(f.share_now, 2), 'share_before_pct', round(f.share_before, 2),
                       'rise_points', round(f.rise, 2), 'z_score', round(f.z::numeric, 2),
                       'decline_below_pct', -10, 'min_rise_points', 5, 'min_subscribers', 20),
                   jsonb_build_array(
                       jsonb_build_object('vi', format('Xem danh sách thuê bao %s, %s có ARPU giảm và tìm nguyên nhân chung.', f.service_type, f.cluster_vi),
                                          'en', format('Open the list of %s, %s subscribers with declining ARPU and look for a common cause.', f.service_type, f.cluster_en)),
                       jsonb_build_object('vi', 'Cân nhắc hạ hạn mức ứng tiền cho nhóm này cho đến khi ARPU ổn định lại.',
                                          'en', 'Consider lowering advance amounts for this segment until ARPU stabilises.')),
                   TRUE, (on_day + 32)::timestamptz
            FROM found f
            ON CONFLICT (organization_id, insight_key) DO UPDATE SET
                insight_date = EXCLUDED.insight_date, title = EXCLUDED.title, description = EXCLUDED.description,
                title_en = EXCLUDED.title_en, description_en = EXCLUDED.description_en, severity = EXCLUDED.severity,
                confidence_score = EXCLUDED.confidence_score, data_points = EXCLUDED.data_points,
                recommendations = EXCLUDED.recommendations, expires_at = EXCLUDED.expires_at, updated_at = NOW()
            RETURNING i.insight_key
        )
        SELECT array_agg(insight_key) INTO keys FROM written_rows;
    END IF;
    keys := COALESCE(keys, ARRAY[]::TEXT[]);
    DELETE FROM public.ai_insights i
    WHERE i.organization_id = org_id AND i.insight_type = 'trend' AND NOT (i.insight_key = ANY(keys));
    RETURN cardinality(keys);
END $$;

-- Opportunities: LOW-risk subscribers with a customer value of 70 or more (seed 002's
-- campaign template) that no campaign exported in the 30 days up to the day holds
-- (campaign_export_members of the campaigns with an `export` event then). The campaign
-- rule that reaches exactly them excludes those campaigns. One insight, the first 100 by
-- priority listed. Replaces the opportunity insight.
CREATE FUNCTION generate_opportunity_insights(org_id UUID, on_day DATE) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    min_value_score CONSTANT NUMERIC := 70;
    window_days CONSTANT INTEGER := 30;
    listed CONSTANT INTEGER := 100;
    window_end TIMESTAMPTZ := (on_day + 1)::timestamptz;
    exported UUID[];
    found_count BIGINT;
    fresh_count BIGINT;
    by_service JSONB;
    listed_rows JSONB;
    opportunity_key CONSTANT TEXT := 'opportunity:low_risk_high_value';
    chosen_severity TEXT;
    campaign_rule JSONB;
BEGIN
    PERFORM public.insight_refuse_other_organization(org_id, 'generate_opportunity_insights');
    SELECT COALESCE(array_agg(DISTINCT c.id ORDER BY c.id), ARRAY[]::UUID[]) INTO exported
    FROM public.event_tracking e
    JOIN public.campaigns c ON c.organization_id = org_id AND c.id::text = e.metadata->>'campaign_id'
    WHERE e.organization_id = org_id AND e.event_name = 'export'
      AND e.timestamp >= window_end - make_interval(days => window_days) AND e.timestamp < window_end;

    WITH targets AS MATERIALIZED (
        SELECT r.isdn, r.service_type, r.priority_score, r.customer_value_score,
               r.recommendation_date > on_day - 31 AS fresh
        FROM public.recommendations r
        WHERE r.organization_id = org_id AND r.bad_debt_risk = 'LOW'
          AND COALESCE(r.customer_value_score, -1) >= min_value_score
          AND NOT EXISTS (SELECT 1 FROM public.campaign_export_members m
                          WHERE m.organization_id = org_id AND m.campaign_id = ANY(exported) AND m.isdn = r.isdn)
    ),
    ranked AS (
        SELECT * FROM targets ORDER BY COALESCE(priority_score, -1) DESC, isdn DESC LIMIT listed
    )
    SELECT (SELECT COUNT(*) FROM targets), (SELECT COUNT(*) FROM targets WHERE fresh),
           (SELECT jsonb_object_agg(service_type, n)
            FROM (SELECT service_type, COUNT(*) AS n FROM targets GROUP BY service_type) s),
           (SELECT jsonb_agg(jsonb_build_object('isdn', t.isdn, 'service', t.service_type,
                                                'priority_score', t.priority_score,
                                                'customer_value_score', t.customer_value_score)
                             ORDER BY COALESCE(t.priority_score, -1) DESC, t.isdn DESC)
            FROM ranked t)
    INTO found_count, fresh_count, by_service, listed_rows;
    IF found_count > 0 THEN
        chosen_severity := CASE WHEN found_count >= 10000 THEN 'high' WHEN found_count >= 1000 THEN 'medium' ELSE 'low' END;
        campaign_rule := jsonb_build_object('risks', jsonb_build_array('LOW'), 'min_value', min_value_score,
                                   'exclude_campaigns', to_jsonb(exported));
        INSERT INTO public.ai_insights AS i (organization_id, insight_type, insight_key, insight_date, title, description,
                                             title_en, description_en, severity, confidence_score, data_points,
                                             recommendations, is_actionable, expires_at)
        VALUES (org_id, 'opportunity', opportunity_key, on_day,
                format('%s thuê bao rủi ro thấp, giá trị cao chưa được tiếp cận trong %s ngày',
                       public.insight_number_vi(found_count, 0), window_days),
                format('%s thuê bao rủi ro THẤP có điểm giá trị khách hàng từ %s trở lên không nằm trong chiến dịch nào được xuất trong %s ngày đến %s (%s chiến dịch đã xuất). Quy tắc chiến dịch bên dưới chọn đúng những thuê bao này.',
                       public.insight_number_vi(found_count, 0), min_value_score, window_days, to_char(on_day, 'DD/MM/YYYY'),
                       cardinality(exported)),
                format('%s low-risk, high-value subscribers not reached in %s days',
                       public.insight_number_en(found_count, 0), window_days),
                format('%s LOW-risk subscribers with a customer value of %s or more are in no campaign exported in the %s days up to %s (%s campaigns exported). The campaign rule below selects exactly them.',
                       public.insight_number_en(found_count, 0), min_value_score, window_days, on_day, cardinality(exported)),
                chosen_severity,
                -- How fresh the scores behind it are: the share scored in the last 31 days.
                round(LEAST(0.99, fresh_count::numeric / found_count), 2),
                jsonb_build_object('count', found_count, 'by_service', by_service, 'risk', 'LOW',
                                   'min_value', min_value_score, 'window_days', window_days, 'day', on_day,
                                   'excluded_campaigns', to_jsonb(exported), 'fresh_scores', fresh_count,
                                   'listed', listed_rows, 'rule', campaign_rule),
                jsonb_build_array(
                    jsonb_build_object('vi', 'Tạo chiến dịch với quy tắc đi kèm (rủi ro LOW, giá trị ≥ 70, loại trừ các chiến dịch đã xuất gần đây).',
                                       'en', 'Create a campaign with the rule given (LOW risk, value ≥ 70, leaving out recently exported campaigns).'),
                    jsonb_build_object('vi', 'Ưu tiên những thuê bao có điểm ưu tiên cao nhất trong danh sách.',
                                       'en', 'Start with the subscribers of highest priority in the list.')),
                TRUE, (on_day + 8)::timestamptz)
        ON CONFLICT (organization_id, insight_key) DO UPDATE SET
            insight_date = EXCLUDED.insight_date, title = EXCLUDED.title, description = EXCLUDED.description,
            title_en = EXCLUDED.title_en, description_en = EXCLUDED.description_en, severity = EXCLUDED.severity,
            confidence_score = EXCLUDED.confidence_score, data_points = EXCLUDED.data_points,
            recommendations = EXCLUDED.recommendations, expires_at = EXCLUDED.expires_at, updated_at = NOW();
    END IF;
    DELETE FROM public.ai_insights i
    WHERE i.organization_id = org_id AND i.insight_type = 'opportunity' AND (found_count = 0 OR i.insight_key <> opportunity_key);
    RETURN CASE WHEN found_count > 0 THEN 1 ELSE 0 END;
END $$;

-- An alert for each unexpired anomaly of high or critical severity (once per insight),
-- and closes those whose anomaly is gone, expired or no longer that severe.
CREATE FUNCTION sync_anomaly_alerts(org_id UUID) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    opened INTEGER;
BEGIN
    PERFORM public.insight_refuse_other_organization(org_id, 'sync_anomaly_alerts');
    UPDATE public.performance_alerts a SET is_active = FALSE, updated_at = NOW()
    WHERE a.organization_id = org_id AND a.alert_type = 'anomaly_detected' AND a.is_active
      AND NOT EXISTS (SELECT 1 FROM public.ai_insights i
                      WHERE i.id = a.insight_id AND i.severity IN ('high', 'critical')
                        AND (i.expires_at IS NULL OR i.expires_at > NOW()));
    INSERT INTO public.performance_alerts (organization_id, alert_type, channel, metric, current_value, threshold_value,
                                           threshold_type, message, insight_id, measured_at)
    SELECT org_id, 'anomaly_detected', 'transactions', i.data_points->>'aggregate_metric',
           (i.data_points->>'value')::numeric,
           CASE WHEN (i.data_points->>'z_score')::numeric > 0 THEN (i.data_points->>'upper_bound')::numeric
                ELSE (i.data_points->>'lower_bound')::numeric END,
           CASE WHEN (i.data_points->>'z_score')::numeric > 0 THEN 'above' ELSE 'below' END,
           i.title, i.id, (i.insight_date)::timestamptz
    FROM public.ai_insights i
    WHERE i.organization_id = org_id AND i.insight_type = 'anomaly' AND i.severity IN ('high', 'critical')
      AND (i.expires_at IS NULL OR i.expires_at > NOW())
      AND NOT EXISTS (SELECT 1 FROM public.performance_alerts a WHERE a.insight_id = i.id);
    GET DIAGNOSTICS opened = ROW_COUNT;
    RETURN opened;
END $$;

-- What the scheduler calls for an organization after each aggregation, before
-- evaluate_performance_alerts: every kind of insight for `on_day` (the last complete
-- day), then the anomalies' alerts. Returns how many insights it wrote.
CREATE FUNCTION generate_ai_insights(org_id UUID, on_day DATE) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    written INTEGER := 0;
BEGIN
    PERFORM public.insight_refuse_other_organization(org_id, 'generate_ai_insights');
    -- One generation at a time per organization: two would race on the same keys.
    PERFORM pg_advisory_xact_lock(hashtext('ut360:ai_insights'), hashtext(org_id::text));
    written := written + public.generate_anomaly_insights(org_id, on_day);
    written := written + public.generate_trend_insights(org_id, on_day);
    written := written + public.generate_opportunity_insights(org_id, on_day);
    PERFORM public.sync_anomaly_alerts(org_id);
    RETURN written;
END $$;

-- Every enabled rule against the latest value of its channel's metric (the latest hour
-- or day of the aggregates; `percentage_change` compares it with the one before, in
-- either direction): one open alert per breached rule (kept, its value refreshed, while
-- the breach lasts, acknowledged or not), and alerts of rules no longer breached
-- (recovered, disabled, deleted, no data) closed. Then the anomalies' alerts.
CREATE FUNCTION evaluate_performance_alerts(org_id UUID) RETURNS TABLE (opened INTEGER, closed INTEGER)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    rules_opened INTEGER;
    rules_closed INTEGER;
    anomalies_opened INTEGER;
BEGIN
    PERFORM public.insight_refuse_other_organization(org_id, 'evaluate_performance_alerts');
    PERFORM pg_advisory_xact_lock(hashtext('ut360:performance_alerts'), hashtext(org_id::text));
    WITH measured AS (
        SELECT r.*, v.value, v.previous, v.measured_at
        FROM public.performance_alert_rules r
        CROSS JOIN LATERAL (
            SELECT (array_agg(x.value ORDER BY x.at DESC))[1] AS value,
                   (array_agg(x.value ORDER BY x.at DESC))[2] AS previous,
                   MAX(x.at) AS measured_at
            FROM (
                (SELECT h.value, h.timestamp AS at FROM public.hourly_aggregates h
                 WHERE r.period = 'hour' AND h.organization_id = org_id AND h.channel = r.channel AND h.metric = r.metric
                 ORDER BY h.timestamp DESC LIMIT 2)
                UNION ALL
                (SELECT d.value, d.date::timestamptz AS at FROM public.daily_aggregates d
                 WHERE r.period = 'day' AND d.organization_id = org_id AND d.channel = r.channel AND d.metric = r.metric
                 ORDER BY d.date DESC LIMIT 2)
            ) x
        ) v
        WHERE r.organization_id = org_id AND r.enabled AND v.value IS NOT NULL
    ),
    evaluated AS (
        SELECT m.*, c.current_value,
               CASE m.threshold_type
                   WHEN 'above' THEN m.value > m.threshold_value
                   WHEN 'below' THEN m.value < m.threshold_value
                   ELSE c.current_value IS NOT NULL AND abs(c.current_value) >= m.threshold_value
               END AS breached
        FROM measured m
        CROSS JOIN LATERAL (
            SELECT CASE WHEN m.threshold_type <> 'percentage_change' THEN m.value
                        WHEN m.previous IS NOT NULL AND m.previous <> 0
                        THEN round((m.value - m.previous) / abs(m.previous) * 100, 2) END AS current_value
        ) c
    ),
    breached AS (SELECT * FROM evaluated WHERE breached),
    closed_rows AS (
        UPDATE public.performance_alerts a SET is_active = FALSE, updated_at = NOW()
        WHERE a.organization_id = org_id AND a.alert_type = 'threshold_breach' AND a.is_active
          AND NOT EXISTS (SELECT 1 FROM breached b WHERE b.id = a.rule_id)
        RETURNING 1
    ),
    refreshed AS (
        UPDATE public.performance_alerts a
        SET current_value = b.current_value, measured_at = b.measured_at, updated_at = NOW()
        FROM breached b
        WHERE a.organization_id = org_id AND a.rule_id = b.id AND a.is_active
          AND (a.current_value, a.measured_at) IS DISTINCT FROM (b.current_value, b.measured_at)
        RETURNING 1
    ),
    opened_rows AS (
        INSERT INTO public.performance_alerts (organization_id, alert_type, channel, metric, current_value,
                                               threshold_value, threshold_type, message, rule_id, measured_at)
        SELECT org_id, 'threshold_breach', b.channel, b.metric, b.current_value, b.threshold_value, b.threshold_type,
               format('%s / %s (%s): %s%s',
                      b.channel, b.metric, CASE b.period WHEN 'hour' THEN 'theo giờ' ELSE 'theo ngày' END,
                      CASE b.threshold_type
                          WHEN 'percentage_change' THEN 'thay đổi ' || public.insight_number_vi(b.current_value, 2)
                                                        || ' % so với kỳ trước, vượt ngưỡng ±'
                          WHEN 'above' THEN public.insight_number_vi(b.current_value, 2) || ' vượt trên ngưỡng '
                          ELSE public.insight_number_vi(b.current_value, 2) || ' xuống dưới ngưỡng ' END,
                      public.insight_number_vi(b.threshold_value, 2)
                          || CASE WHEN b.threshold_type = 'percentage_change' THEN ' %' ELSE '' END),
               b.id, b.measured_at
        FROM breached b
        WHERE NOT EXISTS (SELECT 1 FROM public.performance_alerts a WHERE a.rule_id = b.id AND a.is_active)
        RETURNING 1
    )
    SELECT (SELECT COUNT(*) FROM opened_rows), (SELECT COUNT(*) FROM closed_rows)
    INTO rules_opened, rules_closed;
    anomalies_opened := public.sync_anomaly_alerts(org_id);
    opened := rules_opened + anomalies_opened;
    closed := rules_closed;
    RETURN NEXT;
END $$;

REVOKE ALL ON FUNCTION insight_refuse_other_organization(UUID, TEXT),
    generate_anomaly_insights(UUID, DATE), generate_trend_insights(UUID, DATE),
    generate_opportunity_insights(UUID, DATE), sync_anomaly_alerts(UUID),
    generate_ai_insights(UUID, DATE), evaluate_performance_alerts(UUID) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION insight_refuse_other_organization(UUID, TEXT),
    generate_anomaly_insights(UUID, DATE), generate_trend_insights(UUID, DATE),
    generate_opportunity_insights(UUID, DATE), sync_anomaly_alerts(UUID),
    generate_ai_insights(UUID, DATE), evaluate_performance_alerts(UUID) TO ut360_app;
