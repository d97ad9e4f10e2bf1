-- Seed 004, sections 4.1 and 4.2, verbatim: where data comes from and every run that
-- moved it (file imports into PostgreSQL, syncs from PostgreSQL to Redis).
CREATE TABLE IF NOT EXISTS data_sources (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    source_type VARCHAR(50) NOT NULL, -- 'google_analytics', 'meta_ads', 'woocommerce', 'shopify'
    source_name VARCHAR(255) NOT NULL,
    connection_config JSONB NOT NULL, -- OAuth tokens, API keys, etc.
    is_active BOOLEAN DEFAULT TRUE,
    last_sync_at TIMESTAMP WITH TIME ZONE,
    sync_frequency_minutes INTEGER DEFAULT 15,
    sync_status VARCHAR(20) DEFAULT 'idle', -- 'idle', 'running', 'failed', 'success'
    last_error TEXT,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE INDEX idx_data_sources_org_type ON data_sources(organization_id, source_type);
CREATE INDEX idx_data_sources_active ON data_sources(is_active);
CREATE INDEX idx_data_sources_sync_status ON data_sources(sync_status);

-- One row per kind of source and organization, so runs find their source by name.
CREATE UNIQUE INDEX uq_data_sources_org_type_name ON data_sources(organization_id, source_type, source_name);

CREATE TABLE IF NOT EXISTS sync_logs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    data_source_id UUID NOT NULL REFERENCES data_sources(id) ON DELETE CASCADE,
    sync_type VARCHAR(50) NOT NULL, -- 'full', 'incremental', 'backfill'
    status VARCHAR(20) NOT NULL, -- 'started', 'completed', 'failed'
    records_processed INTEGER DEFAULT 0,
    records_created INTEGER DEFAULT 0,
    records_updated INTEGER DEFAULT 0,
    records_failed INTEGER DEFAULT 0,
    started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    completed_at TIMESTAMP WITH TIME ZONE,
    duration_seconds INTEGER,
    error_message TEXT,
    metadata JSONB DEFAULT '{}'
);

CREATE INDEX idx_sync_logs_source_status ON sync_logs(data_source_id, status);
CREATE INDEX idx_sync_logs_started ON sync_logs(started_at);
