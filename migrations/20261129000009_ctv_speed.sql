-- Issue 7's budgets (scripts/bench_ctv.sh): the period report for all collaborators
-- < 200 ms, the upline and 4-level downline < 10 ms, a full recalculation of 500,000
-- customers < 30 s.

-- 1. The period report reads one row per collaborator and month instead of summing
-- that month's ledger lines (50,000-100,000 at demo scale) on every view. The sums are
-- kept by statement-level triggers on the ledger, so they change in the same
-- transaction as the lines and whoever writes them (the engine, a DELETE of an
-- organization's network, a hand-made correction) cannot make them disagree.
CREATE TABLE commission_summaries (
    organization_id UUID NOT NULL,
    period DATE NOT NULL,
    ma_ctv VARCHAR(50) NOT NULL,
    direct NUMERIC NOT NULL DEFAULT 0,       -- earnings at level 0
    level_1 NUMERIC NOT NULL DEFAULT 0,      -- earnings at levels 1-4 (overrides)
    level_2 NUMERIC NOT NULL DEFAULT 0,
    level_3 NUMERIC NOT NULL DEFAULT 0,
    level_4 NUMERIC NOT NULL DEFAULT 0,
    adjustments NUMERIC NOT NULL DEFAULT 0,  -- reversals and adjustments
    total NUMERIC NOT NULL DEFAULT 0,
    lines BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (organization_id, period, ma_ctv)
);

CREATE FUNCTION add_commission_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO commission_summaries AS s
        (organization_id, period, ma_ctv, direct, level_1, level_2, level_3, level_4, adjustments, total, lines)
    SELECT organization_id, period, ma_ctv,
           COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 0), 0),
           COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 1), 0),
           COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 2), 0),
           COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 3), 0),
           COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 4), 0),
           COALESCE(SUM(amount) FILTER (WHERE kind <> 'earning'), 0),
           SUM(amount), COUNT(*)
    FROM added
    GROUP BY organization_id, period, ma_ctv
    ON CONFLICT (organization_id, period, ma_ctv) DO UPDATE SET
        direct = s.direct + EXCLUDED.direct,
        level_1 = s.level_1 + EXCLUDED.level_1,
        level_2 = s.level_2 + EXCLUDED.level_2,
        level_3 = s.level_3 + EXCLUDED.level_3,
        level_4 = s.level_4 + EXCLUDED.level_4,
        adjustments = s.adjustments + EXCLUDED.adjustments,
        total = s.total + EXCLUDED.total,
        lines = s.lines + EXCLUDED.lines;
    RETURN NULL;
END $$;

CREATE FUNCTION remove_commission_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE commission_summaries s SET
        direct = s.direct - r.direct, level_1 = s.level_1 - r.level_1, level_2 = s.level_2 - r.level_2,
        level_3 = s.level_3 - r.level_3, level_4 = s.level_4 - r.level_4,
        adjustments = s.adjustments - r.adjustments, total = s.total - r.total, lines = s.lines - r.lines
    FROM (
        SELECT organization_id, period, ma_ctv,
               COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 0), 0) AS direct,
               COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 1), 0) AS level_1,
               COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 2), 0) AS level_2,
               COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 3), 0) AS level_3,
               COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 4), 0) AS level_4,
               COALESCE(SUM(amount) FILTER (WHERE kind <> 'earning'), 0) AS adjustments,
               SUM(amount) AS total, COUNT(*) AS lines
        FROM removed
        GROUP BY organization_id, period, ma_ctv
    ) r
    WHERE s.organization_id = r.organization_id AND s.period = r.period AND s.ma_ctv = r.ma_ctv;
    -- A collaborator without lines in a month is not in that month's report.
    DELETE FROM commission_summaries s
    USING (SELECT DISTINCT organization_id, period FROM removed) r
    WHERE s.organization_id = r.organization_id AND s.period = r.period AND s.lines <= 0;
    RETURN NULL;
END $$;

CREATE TRIGGER trg_commissions_sum_added AFTER INSERT ON commissions
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION add_commission_lines();
CREATE TRIGGER trg_commissions_sum_removed AFTER DELETE ON commissions
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION remove_commission_lines();
-- An UPDATE (the engine never updates; a correction by hand might) takes the old line
-- out and puts the new one in. Triggers fire in name order: removed before added.
CREATE TRIGGER trg_commissions_sum_updated_1 AFTER UPDATE ON commissions
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION remove_commission_lines();
CREATE TRIGGER trg_commissions_sum_updated_2 AFTER UPDATE ON commissions
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION add_commission_lines();

-- Ledgers written before this migration.
INSERT INTO commission_summaries
    (organization_id, period, ma_ctv, direct, level_1, level_2, level_3, level_4, adjustments, total, lines)
SELECT organization_id, period, ma_ctv,
       COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 0), 0),
       COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 1), 0),
       COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 2), 0),
       COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 3), 0),
       COALESCE(SUM(amount) FILTER (WHERE kind = 'earning' AND level = 4), 0),
       COALESCE(SUM(amount) FILTER (WHERE kind <> 'earning'), 0),
       SUM(amount), COUNT(*)
FROM commissions
GROUP BY organization_id, period, ma_ctv;

-- The report no longer scans a month of lines; what reads the ledger by collaborator
-- is one collaborator's statement (a month) and the trigger that refuses deleting a
-- paid collaborator (any month): collaborator before period serves both.
DROP INDEX idx_commissions_org_period_ctv;
CREATE INDEX idx_commissions_org_ctv_period ON commissions(organization_id, ma_ctv, period);

-- 2. The downline walks from a collaborator to those it introduced within one
-- organization: the seed's idx_ctv_parent (nguoi_gioi_thieu, ma_ctv) lacks the
-- organization and the columns shown, so each step visited the table.
CREATE INDEX idx_ctv_org_parent ON ctv(organization_id, nguoi_gioi_thieu) INCLUDE (ma_ctv);

-- 3. The ledger's foreign key to organizations checked each of a full recalculation's
-- 1.3 million lines on its own (a queued trigger event and a key-share lock per line,
-- about a quarter of the recalculation). The engine, the only writer, writes lines of
-- one organization per transaction and now takes that key-share lock on the
-- organization once, at the transaction's start (`recalculate_in`): the organization
-- cannot go away before the lines are committed, which is what the key guaranteed.
-- What ON DELETE CASCADE did, deleting an organization's ledger with it, the trigger
-- below does, once per DELETE statement.
ALTER TABLE commissions DROP CONSTRAINT commissions_organization_id_fkey;

CREATE FUNCTION delete_ledgers_of_deleted_organizations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM commissions l USING deleted d WHERE l.organization_id = d.id;
    -- Nothing is left to sum; rows the ledger's trigger did not reach go too.
    DELETE FROM commission_summaries s USING deleted d WHERE s.organization_id = d.id;
    RETURN NULL;
END $$;

CREATE TRIGGER trg_organizations_delete_ledgers AFTER DELETE ON organizations
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION delete_ledgers_of_deleted_organizations();

-- 4. The downline shows each member's own revenue (its served customers' amounts):
-- summed per member on every view, that was most of the tree's time (a top
-- collaborator's 4 levels hold hundreds of members and thousands of customers). The
-- sums are kept per collaborator by statement-level triggers on the customers, in the
-- same transaction as the change, whoever makes it (entry, status change, a load by COPY).
CREATE TABLE ctv_revenue (
    organization_id UUID NOT NULL,
    ma_ctv VARCHAR(50) NOT NULL,
    served_amount NUMERIC NOT NULL DEFAULT 0,    -- so_tien of its customers 'Da den lam'
    served_customers BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (organization_id, ma_ctv)
);

CREATE FUNCTION add_served_customers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ctv_revenue AS r (organization_id, ma_ctv, served_amount, served_customers)
    SELECT organization_id, nguoi_chot, SUM(so_tien), COUNT(*)
    FROM added
    WHERE trang_thai = 'Da den lam' AND nguoi_chot IS NOT NULL
    GROUP BY organization_id, nguoi_chot
    ON CONFLICT (organization_id, ma_ctv) DO UPDATE SET
        served_amount = r.served_amount + EXCLUDED.served_amount,
        served_customers = r.served_customers + EXCLUDED.served_customers;
    RETURN NULL;
END $$;

CREATE FUNCTION remove_served_customers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ctv_revenue r SET
        served_amount = r.served_amount - g.served_amount,
        served_customers = r.served_customers - g.served_customers
    FROM (
        SELECT organization_id, nguoi_chot, SUM(so_tien) AS served_amount, COUNT(*) AS served_customers
        FROM removed
        WHERE trang_thai = 'Da den lam' AND nguoi_chot IS NOT NULL
        GROUP BY organization_id, nguoi_chot
    ) g
    WHERE r.organization_id = g.organization_id AND r.ma_ctv = g.nguoi_chot;
    DELETE FROM ctv_revenue r
    USING (SELECT DISTINCT organization_id, nguoi_chot FROM removed WHERE trang_thai = 'Da den lam') g
    WHERE r.organization_id = g.organization_id AND r.ma_ctv = g.nguoi_chot AND r.served_customers <= 0;
    RETURN NULL;
END $$;

CREATE TRIGGER trg_khach_hang_revenue_added AFTER INSERT ON khach_hang
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION add_served_customers();
CREATE TRIGGER trg_khach_hang_revenue_removed AFTER DELETE ON khach_hang
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION remove_served_customers();
-- Old row out, new row in; triggers fire in name order.
CREATE TRIGGER trg_khach_hang_revenue_updated_1 AFTER UPDATE ON khach_hang
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION remove_served_customers();
CREATE TRIGGER trg_khach_hang_revenue_updated_2 AFTER UPDATE ON khach_hang
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION add_served_customers();

INSERT INTO ctv_revenue (organization_id, ma_ctv, served_amount, served_customers)
SELECT organization_id, nguoi_chot, SUM(so_tien), COUNT(*)
FROM khach_hang
WHERE trang_thai = 'Da den lam' AND nguoi_chot IS NOT NULL
GROUP BY organization_id, nguoi_chot;

-- The sums kept above, planned from real row counts from the start.
ANALYZE commission_summaries, ctv_revenue;
