-- Machine clients (the advance-request system) call /api/v1 with a key per
-- organization. Only a SHA-256 of the key is kept: keys are 240 random bits, so a
-- fast hash is as safe as a slow one and keeps the check off the latency budget.
CREATE TABLE api_keys (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name VARCHAR(100) NOT NULL,
    -- The key's first characters, so people can tell their keys apart in lists.
    key_prefix VARCHAR(16) NOT NULL,
    key_hash BYTEA NOT NULL UNIQUE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    last_used_at TIMESTAMP WITH TIME ZONE,
    revoked_at TIMESTAMP WITH TIME ZONE,
    CONSTRAINT chk_api_key_name CHECK (length(trim(name)) > 0)
);

-- A name is reused only once its earlier key is revoked.
CREATE UNIQUE INDEX uq_api_keys_org_active_name ON api_keys(organization_id, name) WHERE revoked_at IS NULL;
CREATE INDEX idx_api_keys_org ON api_keys(organization_id);
