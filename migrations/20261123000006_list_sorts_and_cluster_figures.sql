-- Lists filtered by PRE/POS and ARPU trend, and ordered by any shown column (the
-- list page's column headers), page by keyset on (column, isdn) within an
-- organization. Each sort expression matches the list query's ORDER BY, a missing
-- score sorting as -1. The filter columns close each key so a filter is checked in
-- the index, without visiting the table for the rows it rejects.
DROP INDEX idx_recommendations_org_priority;
DROP INDEX idx_recommendations_org_service_priority;
DROP INDEX idx_recommendations_org_risk_priority;
DROP INDEX idx_recommendations_org_cluster_priority;
CREATE INDEX idx_recommendations_org_priority ON recommendations (organization_id, (COALESCE(priority_score, -1)), isdn,
    customer_value_score, advance_readiness_score, subscriber_type, arpu_trend);
CREATE INDEX idx_recommendations_org_service_priority ON recommendations (organization_id, service_type,
    (COALESCE(priority_score, -1)), isdn, customer_value_score, advance_readiness_score, subscriber_type, arpu_trend);
CREATE INDEX idx_recommendations_org_risk_priority ON recommendations (organization_id, bad_debt_risk,
    (COALESCE(priority_score, -1)), isdn, customer_value_score, advance_readiness_score, subscriber_type, arpu_trend);
CREATE INDEX idx_recommendations_org_cluster_priority ON recommendations (organization_id, cluster_group,
    (COALESCE(priority_score, -1)), isdn, customer_value_score, advance_readiness_score, subscriber_type, arpu_trend);

-- Figures: every filter column trails the key.
CREATE INDEX idx_recommendations_org_advance ON recommendations (organization_id, advance_amount, isdn,
    service_type, bad_debt_risk, cluster_group, subscriber_type, arpu_trend, customer_value_score, advance_readiness_score);
CREATE INDEX idx_recommendations_org_value ON recommendations (organization_id, (COALESCE(customer_value_score, -1)), isdn,
    service_type, bad_debt_risk, cluster_group, subscriber_type, arpu_trend, customer_value_score, advance_readiness_score);
CREATE INDEX idx_recommendations_org_readiness ON recommendations (organization_id, (COALESCE(advance_readiness_score, -1)), isdn,
    service_type, bad_debt_risk, cluster_group, subscriber_type, arpu_trend, customer_value_score, advance_readiness_score);
CREATE INDEX idx_recommendations_org_arpu ON recommendations (organization_id, (COALESCE(arpu_avg_6m, -1)), isdn,
    service_type, bad_debt_risk, cluster_group, subscriber_type, arpu_trend, customer_value_score, advance_readiness_score);
CREATE INDEX idx_recommendations_org_cluster_isdn ON recommendations (organization_id, (COALESCE(cluster_group, -1)), isdn,
    service_type, bad_debt_risk, subscriber_type, arpu_trend, customer_value_score, advance_readiness_score);
-- Names: few distinct values, so these orders mostly walk one group.
CREATE INDEX idx_recommendations_org_service_isdn ON recommendations (organization_id, service_type, isdn);
CREATE INDEX idx_recommendations_org_risk_isdn ON recommendations (organization_id, bad_debt_risk, isdn);
CREATE INDEX idx_recommendations_org_trend_isdn ON recommendations (organization_id, (COALESCE(arpu_trend, '')), isdn);

-- The cluster dashboard's average ARPU per group (the seed's columns kept as they are).
ALTER TABLE recommendation_stats ADD COLUMN avg_arpu_6m DECIMAL(12,2);
