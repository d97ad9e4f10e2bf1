-- The insights' trend step starts from an organization's latest ARPU month: without this
-- index that is a scan of every organization's monthly rows (1.5 M at seed scale, ~1.5 s),
-- once per organization per hour. Measured with scripts/bench_analytics.sh (1,000 organizations).
CREATE INDEX idx_monthly_org_month ON subscriber_monthly_arpu (organization_id, data_month);
