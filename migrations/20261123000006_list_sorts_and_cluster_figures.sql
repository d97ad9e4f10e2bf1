-- Lists ordered by any shown column (the list page's column headers) page by keyset
-- on (column, isdn) within an organization; each expression matches the list
-- query's ORDER BY, a missing score sorting as -1.
CREATE INDEX idx_recommendations_org_advance ON recommendations (organization_id, advance_amount, isdn);
CREATE INDEX idx_recommendations_org_value ON recommendations (organization_id, (COALESCE(customer_value_score, -1)), isdn);
CREATE INDEX idx_recommendations_org_readiness ON recommendations (organization_id, (COALESCE(advance_readiness_score, -1)), isdn);
CREATE INDEX idx_recommendations_org_arpu ON recommendations (organization_id, (COALESCE(arpu_avg_6m, -1)), isdn);
CREATE INDEX idx_recommendations_org_cluster_isdn ON recommendations (organization_id, (COALESCE(cluster_group, -1)), isdn);
CREATE INDEX idx_recommendations_org_service_isdn ON recommendations (organization_id, service_type, isdn);
CREATE INDEX idx_recommendations_org_risk_isdn ON recommendations (organization_id, bad_debt_risk, isdn);
CREATE INDEX idx_recommendations_org_trend_isdn ON recommendations (organization_id, (COALESCE(arpu_trend, '')), isdn);

-- The cluster dashboard's average ARPU per group (the seed's columns kept as they are).
ALTER TABLE recommendation_stats ADD COLUMN avg_arpu_6m DECIMAL(12,2);
