-- Issue 7's full recalculation writes 1.3 million ledger lines; each one enters every
-- index of the ledger, and the per-customer index was the dearest of them (measured in
-- BENCHMARKS.md). Customer ids are unique across organizations, so the organization
-- in front of the key narrowed nothing: the id alone serves a customer's
-- recalculation and the refusal to delete a paid customer, with a smaller key.
DROP INDEX idx_commissions_org_customer;
CREATE INDEX idx_commissions_customer ON commissions(khach_hang_id);
