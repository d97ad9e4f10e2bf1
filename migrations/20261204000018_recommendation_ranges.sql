-- Issue 29. The view of migration 15 ran with its owner's rights and was no security
-- barrier: a caller's cheap condition (`isdn::int > 0`) could be evaluated before the
-- view's organization filter, and its error showed another organization's ISDN. As a
-- barrier (or under the caller's rights, with the policy) it is safe but slow again:
-- PostgreSQL then keeps the score ranges and page positions (numeric comparisons, not
-- marked leak-proof) out of the index scan, which is why the view existed.
--
-- So the app's range reads go through two functions instead. They run as the tables'
-- owner (no policy, every condition an index condition) but take no SQL from the
-- caller: each condition is a parameter, the organization is the one set on the
-- connection, and a caller's own conditions on their result apply only to the rows
-- they return.
ALTER VIEW organization_recommendations SET (security_barrier = true, security_invoker = true);

-- The conditions of a range of the organization's recommendations, over `recommendations r`,
-- as SQL whose parameters are, in order: $1 the organization, then these arguments ($2 to
-- $12). Only the conditions given become SQL, so each shape gets the plan of its index;
-- one value is compared with `=` (an `= ANY` past an index's first column loses its order).
CREATE FUNCTION recommendation_range_conditions(
    services TEXT[], risks TEXT[], clusters INTEGER[], subscriber_types TEXT[], trends TEXT[],
    min_value NUMERIC, min_readiness NUMERIC, min_advance NUMERIC, max_advance NUMERIC,
    exclude_campaigns UUID[], exclude_lists UUID[]
) RETURNS TEXT LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    conditions TEXT := 'r.organization_id = $1';
    one_of CONSTANT TEXT[] := ARRAY['r.service_type', 'r.bad_debt_risk', 'r.cluster_group', 'r.subscriber_type', 'r.arpu_trend'];
    sizes INTEGER[] := ARRAY[cardinality(services), cardinality(risks), cardinality(clusters),
                             cardinality(subscriber_types), cardinality(trends)];
BEGIN
    FOR i IN 1 .. 5 LOOP
        IF sizes[i] = 1 THEN
            conditions := conditions || format(' AND %s = ($%s)[1]', one_of[i], i + 1);
        ELSIF sizes[i] > 1 THEN
            conditions := conditions || format(' AND %s = ANY($%s)', one_of[i], i + 1);
        END IF;
    END LOOP;
    -- Scores as the list indexes key them (a missing score is -1; minimums are 0-100).
    IF min_value IS NOT NULL THEN
        conditions := conditions || ' AND COALESCE(r.customer_value_score, -1) >= $7';
    END IF;
    IF min_readiness IS NOT NULL THEN
        conditions := conditions || ' AND COALESCE(r.advance_readiness_score, -1) >= $8';
    END IF;
    IF min_advance IS NOT NULL THEN
        conditions := conditions || ' AND r.advance_amount >= $9';
    END IF;
    IF max_advance IS NOT NULL THEN
        conditions := conditions || ' AND r.advance_amount <= $10';
    END IF;
    IF cardinality(exclude_campaigns) > 0 THEN
        conditions := conditions || ' AND NOT EXISTS (SELECT 1 FROM campaign_export_members m WHERE m.organization_id = r.organization_id'
                                 || ' AND m.campaign_id = ANY($11) AND m.isdn = r.isdn)';
    END IF;
    IF cardinality(exclude_lists) > 0 THEN
        conditions := conditions || ' AND NOT EXISTS (SELECT 1 FROM suppression_list_members s WHERE s.organization_id = r.organization_id'
                                 || ' AND s.list_id = ANY($12) AND s.isdn = r.isdn)';
    END IF;
    RETURN conditions;
END $$;

-- Up to `row_limit` of the organization's recommendations in the range, in the order of
-- `sort_column` (a list's sort name) then ISDN, after the row (`after_value`, `after_isdn`)
-- when given. `organization` must be the one set on the connection, else nothing.
CREATE FUNCTION organization_recommendation_rows(
    organization UUID,
    services TEXT[], risks TEXT[], clusters INTEGER[], subscriber_types TEXT[], trends TEXT[],
    min_value NUMERIC, min_readiness NUMERIC, min_advance NUMERIC, max_advance NUMERIC,
    exclude_campaigns UUID[], exclude_lists UUID[],
    sort_column TEXT, descending BOOLEAN, after_value TEXT, after_isdn TEXT, row_limit BIGINT
) RETURNS SETOF recommendations
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    sort_expression TEXT;
    sort_type TEXT;
    direction CONSTANT TEXT := CASE WHEN descending THEN 'DESC' ELSE 'ASC' END;
    past CONSTANT TEXT := CASE WHEN descending THEN '<' ELSE '>' END;
    query TEXT := 'SELECT r.* FROM recommendations r WHERE '
        || recommendation_range_conditions(services, risks, clusters, subscriber_types, trends,
                                           min_value, min_readiness, min_advance, max_advance,
                                           exclude_campaigns, exclude_lists);
BEGIN
    -- Each expression matches an index of migrations 05 and 06 (src/data/lists.rs: sort_sql).
    SELECT s.expression, s.type INTO sort_expression, sort_type
    FROM (VALUES ('priority', 'COALESCE(r.priority_score, -1)', 'numeric'),
                 ('isdn', 'r.isdn', 'text'),
                 ('service', 'r.service_type', 'text'),
                 ('risk', 'r.bad_debt_risk', 'text'),
                 ('advance', 'r.advance_amount', 'numeric'),
                 ('value', 'COALESCE(r.customer_value_score, -1)', 'numeric'),
                 ('readiness', 'COALESCE(r.advance_readiness_score, -1)', 'numeric'),
                 ('arpu', 'COALESCE(r.arpu_avg_6m, -1)', 'numeric'),
                 ('trend', 'COALESCE(r.arpu_trend, '''')', 'text'),
                 ('cluster', 'COALESCE(r.cluster_group, -1)', 'int4')) AS s (name, expression, type)
    WHERE s.name = sort_column;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no sort column %', sort_column USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF after_isdn IS NOT NULL AND sort_column = 'isdn' THEN
        query := query || format(' AND r.isdn %s $14', past);
    ELSIF after_isdn IS NOT NULL THEN
        query := query || format(' AND (%s, r.isdn) %s ($13::%s, $14)', sort_expression, past, sort_type);
    END IF;
    IF sort_column = 'isdn' THEN
        query := query || format(' ORDER BY r.isdn %s', direction);
    ELSE
        query := query || format(' ORDER BY %s %s, r.isdn %s', sort_expression, direction, direction);
    END IF;
    RETURN QUERY EXECUTE query || ' LIMIT $15'
        USING CASE WHEN organization = current_organization() THEN organization END,
              services, risks, clusters, subscriber_types, trends, min_value, min_readiness, min_advance,
              max_advance, exclude_campaigns, exclude_lists, after_value, after_isdn, row_limit;
END $$;

-- How many of the organization's recommendations are in the range, up to `cap` (none: all).
CREATE FUNCTION organization_recommendation_count(
    organization UUID,
    services TEXT[], risks TEXT[], clusters INTEGER[], subscriber_types TEXT[], trends TEXT[],
    min_value NUMERIC, min_readiness NUMERIC, min_advance NUMERIC, max_advance NUMERIC,
    exclude_campaigns UUID[], exclude_lists UUID[], cap BIGINT
) RETURNS BIGINT
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    conditions CONSTANT TEXT := recommendation_range_conditions(services, risks, clusters, subscriber_types, trends,
                                                                min_value, min_readiness, min_advance, max_advance,
                                                                exclude_campaigns, exclude_lists);
    counted BIGINT;
BEGIN
    EXECUTE CASE WHEN cap IS NULL THEN 'SELECT COUNT(*) FROM recommendations r WHERE ' || conditions
                 ELSE 'SELECT COUNT(*) FROM (SELECT 1 FROM recommendations r WHERE ' || conditions || ' LIMIT $13) AS capped'
            END
        INTO counted
        USING CASE WHEN organization = current_organization() THEN organization END,
              services, risks, clusters, subscriber_types, trends, min_value, min_readiness, min_advance,
              max_advance, exclude_campaigns, exclude_lists, cap;
    RETURN counted;
END $$;

REVOKE ALL ON FUNCTION organization_recommendation_rows(UUID, TEXT[], TEXT[], INTEGER[], TEXT[], TEXT[], NUMERIC, NUMERIC,
    NUMERIC, NUMERIC, UUID[], UUID[], TEXT, BOOLEAN, TEXT, TEXT, BIGINT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION organization_recommendation_rows(UUID, TEXT[], TEXT[], INTEGER[], TEXT[], TEXT[], NUMERIC, NUMERIC,
    NUMERIC, NUMERIC, UUID[], UUID[], TEXT, BOOLEAN, TEXT, TEXT, BIGINT) TO ut360_app;
REVOKE ALL ON FUNCTION organization_recommendation_count(UUID, TEXT[], TEXT[], INTEGER[], TEXT[], TEXT[], NUMERIC, NUMERIC,
    NUMERIC, NUMERIC, UUID[], UUID[], BIGINT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION organization_recommendation_count(UUID, TEXT[], TEXT[], INTEGER[], TEXT[], TEXT[], NUMERIC, NUMERIC,
    NUMERIC, NUMERIC, UUID[], UUID[], BIGINT) TO ut360_app;

-- A function running as the owner with `search_path = public` still looks for tables in
-- pg_temp first, where any caller may create one named like ours. Now temporary objects
-- come last. The partition maker creates tables, which go to the path's first schema:
-- public comes first there (pg_catalog is still searched before it, implicitly).
ALTER FUNCTION ensure_transaction_partitions(DATE, DATE) SET search_path = public, pg_temp;
ALTER FUNCTION memberships_of(UUID) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION use_api_key(BYTEA) SET search_path = pg_catalog, public, pg_temp;
