-- Issue 24: anomalies of tiny merchants were noise. A merchant selling 2 a day that sold
-- none one day, or had 1 of its 2 fail, was 20 or 50 standard deviations from a flat
-- history and opened a "critical" alert. Two changes to generate_anomaly_insights
-- (migration 20261206000050), the rest as it was:
--   * a series needs `min_history_transactions` (280: 10 a day on average) in its
--     previous 28 days before its day can be an anomaly;
--   * a success rate's spread is at least one transaction's weight in the day's rate
--     (100 / the day's transactions, points), beside the 1 point it already had.
-- Both figures are in the insight's data_points. The alerts follow the insights
-- (sync_anomaly_alerts), so no change there: an insight not raised opens no alert, and
-- an alert of an insight no longer found closes at the next generation.

CREATE OR REPLACE FUNCTION generate_anomaly_insights(org_id UUID, on_day DATE) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    k CONSTANT DOUBLE PRECISION := 3;
    window_days CONSTANT INTEGER := 28;
    -- Transactions a merchant's or mode's previous 28 days must hold (10 a day on average)
    -- before its day can be an anomaly. At 10 a day a day with none has a Poisson chance
    -- of e^-10 (0.005 %): news. At 2 a day it is e^-2 (13.5 %): chance, yet a flat history
    -- made it a "critical" collapse; and one failure of 2 made a 50 % success rate.
    min_history_transactions CONSTANT INTEGER := 280;
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
        -- (segment, code, name, metric, day, value, active, transactions): one value a day, 0-filled.
        series AS (
            SELECT 'merchant' AS segment, g.client_code AS code, g.client_name AS name, metric, d.day, value, active,
                   COALESCE(m.total_transactions, 0) AS transactions
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
            SELECT 'payment_mode', g.payment_mode, g.payment_mode, metric, d.day, value, active,
                   COALESCE(p.total_transactions, 0)
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
                   COALESCE(SUM(transactions) FILTER (WHERE day < on_day), 0) AS history_transactions,
                   MAX(transactions) FILTER (WHERE day = on_day) AS day_transactions,
                   AVG(value) FILTER (WHERE day < on_day) AS mean,
                   COALESCE(STDDEV_SAMP(value) FILTER (WHERE day < on_day), 0) AS stddev
            FROM series
            GROUP BY segment, code, metric
        ),
        scored AS (
            SELECT s.*, spread.used AS stddev_used, (s.value - s.mean) / spread.used AS z
            FROM stats s
            -- A rate's spread is also at least one transaction's weight in the day's rate
            -- (100 / the day's count): one failure among 20 is no anomaly.
            CROSS JOIN LATERAL (SELECT GREATEST(s.stddev,
                                                CASE WHEN s.metric = 'success_rate'
                                                     THEN GREATEST(1.0, 100.0 / GREATEST(s.day_transactions, 1))
                                                     ELSE 0.05 * abs(s.mean) END)
                                AS used) spread
            WHERE s.value IS NOT NULL AND s.history_days >= 14 AND spread.used > 0
              AND s.history_transactions >= min_history_transactions
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
                       'history_days', f.history_days, 'history_transactions', f.history_transactions,
                       'min_history_transactions', min_history_transactions,
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
