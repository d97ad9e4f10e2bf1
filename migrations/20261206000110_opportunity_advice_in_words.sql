-- Issue 26: the opportunity's advice named its risk level by its stored code ("rủi ro LOW",
-- "LOW risk"); a reader sees words, so it says "rủi ro thấp" / "low risk". The function is
-- migration 20261206000050's with that text alone changed; insights already written get
-- the same words.
CREATE OR REPLACE FUNCTION generate_opportunity_insights(org_id UUID, on_day DATE) RETURNS INTEGER
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
                    jsonb_build_object('vi', 'Tạo chiến dịch với quy tắc đi kèm (rủi ro thấp, giá trị ≥ 70, loại trừ các chiến dịch đã xuất gần đây).',
                                       'en', 'Create a campaign with the rule given (low risk, value ≥ 70, leaving out recently exported campaigns).'),
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


UPDATE ai_insights
SET recommendations = replace(replace(recommendations::text, '(rủi ro LOW, giá trị', '(rủi ro thấp, giá trị'),
                              '(LOW risk, value', '(low risk, value')::jsonb
WHERE insight_type = 'opportunity' AND recommendations::text LIKE '%LOW%';
