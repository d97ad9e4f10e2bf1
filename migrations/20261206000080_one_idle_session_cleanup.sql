-- Issue 24: live sessions idle for a day were deleted twice each night, by this
-- cluster-wide function (after the daily aggregation) and by the per-organization nightly
-- hook `page_views::clean_up_sessions` (OrganizationStore::clean_up_sessions). The hook
-- stays: it also marks sessions idle for 5 minutes inactive, in the same transaction,
-- under the organization's row-level security as the app's role (no SECURITY DEFINER),
-- with the limits the usage page reads by (domain::analytics::usage::ACTIVE_MINUTES,
-- SESSION_KEPT_HOURS) instead of a second copy of "24 hours" here.
DROP FUNCTION cleanup_idle_realtime_sessions();
