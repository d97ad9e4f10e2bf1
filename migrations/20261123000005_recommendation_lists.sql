-- Lists by priority (seed 001 use cases 2 to 4) page by keyset on (priority, isdn)
-- within an organization, optionally narrowed to one service, risk level or cluster;
-- subscribers without a priority score sort last. The expression matches the list
-- query's ORDER BY. The two scores close each key so a minimum-score filter is
-- checked in the index, without visiting the table.
CREATE INDEX idx_recommendations_org_priority ON recommendations
    (organization_id, (COALESCE(priority_score, -1)), isdn, customer_value_score, advance_readiness_score);
CREATE INDEX idx_recommendations_org_service_priority ON recommendations
    (organization_id, service_type, (COALESCE(priority_score, -1)), isdn, customer_value_score, advance_readiness_score);
CREATE INDEX idx_recommendations_org_risk_priority ON recommendations
    (organization_id, bad_debt_risk, (COALESCE(priority_score, -1)), isdn, customer_value_score, advance_readiness_score);
CREATE INDEX idx_recommendations_org_cluster_priority ON recommendations
    (organization_id, cluster_group, (COALESCE(priority_score, -1)), isdn, customer_value_score, advance_readiness_score);
