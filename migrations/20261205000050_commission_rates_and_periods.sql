-- Commission rates and periods for managers (issue 25, items 1 and 2).
--
-- 1. Who closed a month. A row of `commission_periods` still means "closed" (the engine
-- reads it so); reopening deletes the row, and the history of closes and reopens, with
-- each reopen's reason, is kept in `commission_period_events`. Emails are kept as text:
-- the history outlives the account. NULL: a command (the demo generator, a benchmark).
ALTER TABLE commission_periods ADD COLUMN closed_by VARCHAR(255);

CREATE TABLE commission_period_events (
    id BIGSERIAL PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    period DATE NOT NULL,
    action VARCHAR(10) NOT NULL,
    actor VARCHAR(255),
    reason TEXT,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    CONSTRAINT chk_commission_period_events_action CHECK (action IN ('closed', 'reopened')),
    CONSTRAINT chk_commission_period_events_month CHECK (period = date_trunc('month', period)::date),
    -- A month is reopened only for a stated reason.
    CONSTRAINT chk_commission_period_events_reason CHECK (action <> 'reopened' OR length(btrim(reason)) > 0)
);
CREATE INDEX idx_commission_period_events_org_period ON commission_period_events (organization_id, period, id);
SELECT isolate_tenant('commission_period_events');

-- 2. Prior-period adjustments a manager records: a line of the open month that corrects
-- a closed one (`adjusts_period`), with its reason and who recorded it. It belongs to no
-- customer (the engine's lines always do), so the engine, which compares what each
-- customer owes with its lines, neither counts nor reverses it.
ALTER TABLE commissions ALTER COLUMN khach_hang_id DROP NOT NULL;
ALTER TABLE commissions ADD COLUMN adjusts_period DATE;
ALTER TABLE commissions ADD COLUMN reason TEXT;
ALTER TABLE commissions ADD COLUMN entered_by VARCHAR(255);
ALTER TABLE commissions ADD CONSTRAINT chk_commissions_manual_adjustment CHECK (
    khach_hang_id IS NOT NULL
    OR (kind = 'adjustment' AND length(btrim(reason)) > 0 AND adjusts_period = date_trunc('month', adjusts_period)::date)
);
