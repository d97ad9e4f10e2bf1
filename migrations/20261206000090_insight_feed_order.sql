-- Issue 24: the /insights feed. It read every unexpired insight of the organization and
-- sorted them for each page, and expired insights were never deleted (each night's
-- anomalies stayed forever, read past by every page). Now:
--   * an index in the feed's own order (most severe, unread, newest first), so a page is
--     the first rows of one index range instead of a sort of them all;
--   * insights are deleted once expired, when the organization's insights are generated
--     (every hour): nothing shows them after expiry (the feed and the anomalies' alerts
--     read only unexpired ones), and an alert keeps its own title as history
--     (performance_alerts.insight_id is ON DELETE SET NULL).
DROP INDEX idx_ai_insights_feed;
CREATE INDEX idx_ai_insights_feed ON ai_insights (
    organization_id,
    (CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END),
    (COALESCE(is_read, FALSE)),
    created_at DESC,
    id
);

CREATE OR REPLACE FUNCTION generate_ai_insights(org_id UUID, on_day DATE) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    written INTEGER := 0;
BEGIN
    PERFORM public.insight_refuse_other_organization(org_id, 'generate_ai_insights');
    -- One generation at a time per organization: two would race on the same keys.
    PERFORM pg_advisory_xact_lock(hashtext('ut360:ai_insights'), hashtext(org_id::text));
    DELETE FROM public.ai_insights i WHERE i.organization_id = org_id AND i.expires_at <= NOW();
    written := written + public.generate_anomaly_insights(org_id, on_day);
    written := written + public.generate_trend_insights(org_id, on_day);
    written := written + public.generate_opportunity_insights(org_id, on_day);
    PERFORM public.sync_anomaly_alerts(org_id);
    RETURN written;
END $$;
