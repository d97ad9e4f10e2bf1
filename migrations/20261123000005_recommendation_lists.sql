-- Lists by priority (seed 001 use cases 2 to 4) page by keyset on
-- (priority, isdn) within an organization; subscribers without a priority
-- score sort last. The expression matches the list query's ORDER BY.
CREATE INDEX idx_recommendations_org_priority
    ON recommendations (organization_id, (COALESCE(priority_score, -1)), isdn);
