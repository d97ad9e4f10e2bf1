-- Seed 004 §5 (issue 24): what fills `cohort_analysis` and `funnel_analysis`, run
-- nightly per organization. Both run as the tables' owner (the app's role may only
-- read them) and refuse any organization but the one the transaction acts for.

-- Subscribers by the month of their first successful top-up within the `months` months
-- up to the current one (`transaction_detail`, status SUCCESS): for each cohort month
-- and each month since (period 0 = the cohort month), how many of the cohort topped up
-- successfully and how much they paid. Replaces the organization's `first_top_up` rows.
--
-- One read of the covered months' partitions (the bounds prune the others): a
-- subscriber-month per group, the cohort as the subscriber's first month among them.
-- "First" is therefore first within the covered months: a subscriber who also topped
-- up before them counts in the oldest cohort (docs/seed-004.md).
CREATE FUNCTION compute_cohort_analysis(org_id UUID, months INTEGER) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
-- The subscriber-months of a year of millions of rows aggregate in memory.
SET work_mem = '256MB'
AS $$
DECLARE
    last_month CONSTANT DATE := date_trunc('month', CURRENT_DATE)::date;
    first_month DATE;
    written INTEGER;
BEGIN
    IF org_id IS DISTINCT FROM public.current_organization() THEN
        RAISE EXCEPTION 'compute_cohort_analysis: % is not the organization this transaction acts for', org_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF months IS NULL OR months < 1 OR months > 120 THEN
        RAISE EXCEPTION 'compute_cohort_analysis: months must be 1 to 120, not %', months
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    first_month := (last_month - make_interval(months => months - 1))::date;

    DELETE FROM public.cohort_analysis
    WHERE organization_id = org_id AND cohort_type = 'first_top_up' AND period_type = 'month';

    WITH subscriber_months AS (
        SELECT t.isdn, date_trunc('month', t.trans_date)::date AS month, SUM(t.paid_amount) AS revenue
        FROM public.transaction_detail t
        WHERE t.organization_id = org_id AND t.status = 'SUCCESS' AND t.isdn IS NOT NULL
          AND t.trans_date >= first_month::timestamp
          AND t.trans_date < (last_month + INTERVAL '1 month')::timestamp
        GROUP BY t.isdn, date_trunc('month', t.trans_date)::date
    ),
    with_cohort AS (
        SELECT month, revenue, MIN(month) OVER (PARTITION BY isdn) AS cohort FROM subscriber_months
    ),
    cells AS (
        SELECT cohort,
               ((EXTRACT(YEAR FROM month) - EXTRACT(YEAR FROM cohort)) * 12
                + EXTRACT(MONTH FROM month) - EXTRACT(MONTH FROM cohort))::integer AS period,
               COUNT(*)::integer AS active, COALESCE(SUM(revenue), 0) AS revenue
        FROM with_cohort
        GROUP BY 1, 2
    ),
    -- Every month from the cohort's to the current one, so a month nobody came back in
    -- is a 0 rather than a gap.
    grid AS (
        SELECT c.cohort, c.active AS size, p.period
        FROM cells c
        CROSS JOIN LATERAL generate_series(0, ((EXTRACT(YEAR FROM last_month) - EXTRACT(YEAR FROM c.cohort)) * 12
                                             + EXTRACT(MONTH FROM last_month) - EXTRACT(MONTH FROM c.cohort))::integer) AS p(period)
        WHERE c.period = 0
    )
    INSERT INTO public.cohort_analysis (organization_id, cohort_date, cohort_type, period_number, period_type,
                                        cohort_size, active_users, retention_rate, revenue)
    SELECT org_id, g.cohort, 'first_top_up', g.period, 'month', g.size, COALESCE(c.active, 0),
           ROUND(COALESCE(c.active, 0)::numeric / g.size, 4), COALESCE(c.revenue, 0)
    FROM grid g
    LEFT JOIN cells c ON c.cohort = g.cohort AND c.period = g.period;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END $$;
REVOKE ALL ON FUNCTION compute_cohort_analysis(UUID, INTEGER) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION compute_cohort_analysis(UUID, INTEGER) TO ut360_app;

-- A campaign's funnel per day of export: `funnel_name` is the campaign's id (a name can
-- change or be reused; pages show the current name). Four steps, each with who reached
-- the step before it (`visitors`) and who passed it (`conversions`):
--   1 Matched the rules          matched           → matched
--   2 Left after suppression     matched           → after_suppression
--   3 Exported                   after_suppression → exported (the campaign's limit)
--   4 Topped up within 30 days   exported          → exported members with a successful
--                                                     top-up in the 30 days after the export
-- from the completed exports (`event_tracking`, event_name 'export') whose metadata holds
-- `matched` and `after_suppression` (recorded since this migration; older exports are
-- left out), their members (`campaign_export_members`) and `transaction_detail`.
-- Exports of one campaign on one day add up. The export's time is read in the session's
-- time zone, the one `trans_date` (the operator's local time) is written in.
CREATE FUNCTION compute_funnel_analysis(org_id UUID) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    written INTEGER;
BEGIN
    IF org_id IS DISTINCT FROM public.current_organization() THEN
        RAISE EXCEPTION 'compute_funnel_analysis: % is not the organization this transaction acts for', org_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;

    DELETE FROM public.funnel_analysis WHERE organization_id = org_id;

    WITH exports AS MATERIALIZED (
        SELECT e.id, c.id AS campaign_id, e.timestamp::timestamp AS exported_at, e.timestamp::date AS day,
               (e.metadata->>'matched')::bigint AS matched, (e.metadata->>'after_suppression')::bigint AS kept,
               COALESCE(e.event_value, 0)::bigint AS exported
        FROM public.event_tracking e
        JOIN public.campaigns c ON c.organization_id = e.organization_id AND c.id::text = e.metadata->>'campaign_id'
        WHERE e.organization_id = org_id AND e.event_name = 'export' AND e.metadata->>'status' = 'complete'
          AND jsonb_typeof(e.metadata->'matched') = 'number'
          AND jsonb_typeof(e.metadata->'after_suppression') = 'number'
    ),
    topped_up AS (
        SELECT x.id, COUNT(*) AS members
        FROM exports x
        JOIN public.campaign_export_members m
          ON m.organization_id = org_id AND m.campaign_id = x.campaign_id AND m.export_id = x.id
        WHERE EXISTS (SELECT 1 FROM public.transaction_detail t
                      WHERE t.isdn = m.isdn AND t.organization_id = org_id AND t.status = 'SUCCESS'
                        AND t.trans_date > x.exported_at AND t.trans_date <= x.exported_at + INTERVAL '30 days')
        GROUP BY x.id
    ),
    days AS (
        SELECT x.campaign_id, x.day, SUM(x.matched) AS matched, SUM(x.kept) AS kept, SUM(x.exported) AS exported,
               SUM(COALESCE(u.members, 0)) AS topped_up
        FROM exports x
        LEFT JOIN topped_up u ON u.id = x.id
        GROUP BY x.campaign_id, x.day
    ),
    steps AS (
        SELECT d.campaign_id, d.day, s.step_order, s.step_name, s.visitors::integer AS visitors,
               s.conversions::integer AS conversions
        FROM days d
        CROSS JOIN LATERAL (VALUES
            (1, 'Matched the rules', d.matched, d.matched),
            (2, 'Left after suppression', d.matched, d.kept),
            (3, 'Exported', d.kept, d.exported),
            (4, 'Topped up within 30 days', d.exported, d.topped_up)
        ) AS s(step_order, step_name, visitors, conversions)
    )
    INSERT INTO public.funnel_analysis (organization_id, funnel_name, step_name, step_order, date,
                                        visitors, conversions, conversion_rate, drop_off_rate)
    -- Counts taken at export time can differ a little from the rows exported (a load in
    -- between): rates stay within 0 to 1.
    SELECT org_id, s.campaign_id::text, s.step_name, s.step_order, s.day, s.visitors, s.conversions,
           CASE WHEN s.visitors > 0 THEN LEAST(1, ROUND(s.conversions::numeric / s.visitors, 4)) ELSE 0 END,
           CASE WHEN s.visitors > 0 THEN GREATEST(0, ROUND((s.visitors - s.conversions)::numeric / s.visitors, 4)) ELSE 0 END
    FROM steps s;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END $$;
REVOKE ALL ON FUNCTION compute_funnel_analysis(UUID) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION compute_funnel_analysis(UUID) TO ut360_app;
