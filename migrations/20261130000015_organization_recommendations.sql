-- Row-level security keeps a condition out of an index scan unless PostgreSQL knows it
-- cannot leak rows of other organizations: comparisons of numeric and COALESCE(...) are
-- not so marked, and only a superuser may mark them. Under the policy, the campaign count
-- and the list pages (score ranges, keyset positions) read every row of the organization
-- instead of one index range.
--
-- This view is the organization's recommendations for the app's range reads: it filters by
-- the same `current_organization()` as the policy (unset, it is empty), but as an ordinary
-- view owned by the tables' owner the policy is not applied again under it, so all of a
-- query's conditions can be index conditions. It is read-only for the app: every write
-- still goes to the table, under its policy. (Its columns are the table's as of now.)
CREATE VIEW organization_recommendations AS
    SELECT * FROM recommendations WHERE organization_id = current_organization();

REVOKE ALL ON organization_recommendations FROM ut360_app;
GRANT SELECT ON organization_recommendations TO ut360_app;
