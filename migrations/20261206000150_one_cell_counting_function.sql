-- Migration 130's cells were kept by two functions that differed only in the sign of the
-- count and in removing emptied cells. One function does both now: each trigger names its
-- transition table `changed` and passes the sign (+1 for the rows a statement put in, -1
-- for the rows it took out). PL/pgSQL compiles a trigger function once per trigger, so
-- each keeps its own plan over its own `changed`.

CREATE FUNCTION count_recommendation_cells() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign CONSTANT BIGINT := TG_ARGV[0]::bigint;
BEGIN
    -- ON CONFLICT finds each cell by its unique index (a join on the nullable columns
    -- could only compare every cell with every group).
    INSERT INTO recommendation_cells AS c (organization_id, service_type, bad_debt_risk, cluster_group, subscriber_type,
                                           arpu_trend, advance_amount, value_band, readiness_band, subscribers)
    SELECT organization_id, service_type, bad_debt_risk, cluster_group, subscriber_type, arpu_trend, advance_amount,
           recommendation_score_band(customer_value_score), recommendation_score_band(advance_readiness_score),
           sign * COUNT(*)
    FROM changed
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
    ON CONFLICT ON CONSTRAINT uq_recommendation_cells DO UPDATE SET subscribers = c.subscribers + EXCLUDED.subscribers;
    IF sign < 0 THEN
        DELETE FROM recommendation_cells c
        USING (SELECT DISTINCT organization_id FROM changed) r
        WHERE c.organization_id = r.organization_id AND c.subscribers <= 0;
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER trg_recommendations_cells_added ON recommendations;
DROP TRIGGER trg_recommendations_cells_removed ON recommendations;
DROP TRIGGER trg_recommendations_cells_updated_1 ON recommendations;
DROP TRIGGER trg_recommendations_cells_updated_2 ON recommendations;
DROP FUNCTION add_recommendation_cells();
DROP FUNCTION remove_recommendation_cells();

CREATE TRIGGER trg_recommendations_cells_added AFTER INSERT ON recommendations
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_recommendation_cells('+1');
CREATE TRIGGER trg_recommendations_cells_removed AFTER DELETE ON recommendations
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_recommendation_cells('-1');
-- An UPDATE takes the old row out and puts the new one in (triggers fire in name order).
CREATE TRIGGER trg_recommendations_cells_updated_1 AFTER UPDATE ON recommendations
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_recommendation_cells('-1');
CREATE TRIGGER trg_recommendations_cells_updated_2 AFTER UPDATE ON recommendations
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_recommendation_cells('+1');
