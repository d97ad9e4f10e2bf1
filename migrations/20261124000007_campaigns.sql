-- Marketing's campaigns (issue 6): saved rules, the lists that suppress members,
-- and every export, recorded in seed 004's event_tracking for audit.

-- Seed 004, section 3 ("setup-event-tracking.sql"), as written there.
CREATE TABLE event_tracking (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    session_id VARCHAR(255) NOT NULL,
    event_name VARCHAR(100) NOT NULL,
    event_category VARCHAR(50),
    event_action VARCHAR(50),
    event_label VARCHAR(100),
    event_value DECIMAL(15,2),
    page_url TEXT,
    timestamp TIMESTAMP WITH TIME ZONE NOT NULL,
    metadata JSONB DEFAULT '{}'
);

CREATE INDEX idx_event_tracking_org_event ON event_tracking(organization_id, event_name);
CREATE INDEX idx_event_tracking_session ON event_tracking(session_id);
CREATE INDEX idx_event_tracking_timestamp ON event_tracking(timestamp);
-- A campaign's export history, newest first.
CREATE INDEX idx_event_tracking_campaign ON event_tracking(organization_id, (metadata->>'campaign_id'), timestamp DESC)
    WHERE event_name = 'export';

CREATE TABLE campaigns (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name VARCHAR(100) NOT NULL,
    owner VARCHAR(100) NOT NULL,
    -- `CampaignRules` as JSON: what the campaign selects, its limit and suppressions.
    rules JSONB NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    CONSTRAINT chk_campaign_name CHECK (length(trim(name)) > 0),
    CONSTRAINT chk_campaign_owner CHECK (length(trim(owner)) > 0)
);
CREATE UNIQUE INDEX uq_campaigns_org_name ON campaigns(organization_id, lower(name));

-- Who a completed campaign export held, so a later campaign can leave them out.
CREATE TABLE campaign_export_members (
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    campaign_id UUID NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    export_id UUID NOT NULL REFERENCES event_tracking(id) ON DELETE CASCADE,
    isdn VARCHAR(255) NOT NULL,
    PRIMARY KEY (export_id, isdn)
);
CREATE INDEX idx_campaign_export_members_campaign ON campaign_export_members(organization_id, campaign_id, isdn);

-- Uploaded lists of ISDNs to leave out of campaigns (opt-outs, complaints…).
CREATE TABLE suppression_lists (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name VARCHAR(100) NOT NULL,
    isdn_count INTEGER NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    CONSTRAINT chk_suppression_list_name CHECK (length(trim(name)) > 0)
);
CREATE UNIQUE INDEX uq_suppression_lists_org_name ON suppression_lists(organization_id, lower(name));

CREATE TABLE suppression_list_members (
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    list_id UUID NOT NULL REFERENCES suppression_lists(id) ON DELETE CASCADE,
    isdn VARCHAR(255) NOT NULL,
    PRIMARY KEY (list_id, isdn)
);
