-- Issue 28: the first load. Every recommendation and monthly row a load writes updates
-- every index on its table, and these ten, from seed 001's schema, serve no query: the
-- app's queries all lead with the organization (and row-level security adds it where they
-- do not), and pg_stat_user_indexes showed none of them scanned after the demo, the
-- browser tests and the benchmarks. Most select a tenth to a half of the table (a risk
-- level, a cluster, a subscriber type), where a sequential scan is the plan anyway; the
-- others repeat the leading columns of an index that stays.
--
-- Kept for the seed's own SQL as outside systems run it, without an organization:
-- idx_service_priority (a service's top subscribers by priority) and idx_monthly_isdn_month
-- (one subscriber's months), besides the per-ISDN indexes.
DROP INDEX idx_recommendations_cluster;
DROP INDEX idx_recommendations_date;
DROP INDEX idx_recommendations_priority;
DROP INDEX idx_recommendations_risk;
DROP INDEX idx_recommendations_service;
DROP INDEX idx_recommendations_subscriber_type;
DROP INDEX idx_service_risk;
DROP INDEX idx_monthly_isdn;
DROP INDEX idx_monthly_month;
DROP INDEX idx_360_cluster;
