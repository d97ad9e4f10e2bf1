-- The usage page (issue 24) reads an organization's page views of the last 30 days,
-- per page and per day, and its sessions active in the last minutes; the nightly
-- cleanup finds its idle sessions. Seed 004's indexes lead with the event name or
-- the time alone, which every organization's rows share.
CREATE INDEX idx_event_tracking_page_views ON event_tracking (organization_id, timestamp)
    WHERE event_name = 'page_view';
CREATE INDEX idx_realtime_sessions_org_last_activity ON realtime_sessions (organization_id, last_activity DESC);
-- The data sources page: an organization's runs, or one source's, newest first.
CREATE INDEX idx_sync_logs_org_started ON sync_logs (organization_id, started_at DESC);
CREATE INDEX idx_sync_logs_source_started ON sync_logs (data_source_id, started_at DESC);
