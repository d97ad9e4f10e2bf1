-- Security events (issue 29): what an organization's admins see at
-- /admin/security-events. Sign-ins (succeeded, failed, locked out) and password
-- changes concern an account, not one organization: the account is signed in to
-- none yet when it fails, and a sign-in opens every organization it belongs to. So
-- they are recorded once for every organization the account is a member of (an
-- email with no account, or one without memberships, is only logged). Member and API
-- key changes belong to the organization they were made in. Kept 180 days.
CREATE TYPE security_event_kind AS ENUM (
    'sign_in_succeeded',
    'sign_in_failed',
    'locked_out',
    'password_changed',
    'role_changed',
    'member_invited',
    'member_removed',
    'api_key_created',
    'api_key_revoked',
    'api_key_new_address'
);

CREATE TABLE security_events (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    occurred_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    kind security_event_kind NOT NULL,
    -- The account the event is about (the member changed, the one signing in).
    user_id UUID REFERENCES users(id) ON DELETE SET NULL,
    email VARCHAR(255),
    ip INET,
    user_agent VARCHAR(512),
    -- Who did it (an admin's email) and what changed (a role, a key's name).
    detail JSONB NOT NULL DEFAULT '{}'
);
-- Newest first, all kinds or one: the admin page's keyset pages.
CREATE INDEX idx_security_events_page ON security_events (organization_id, occurred_at DESC, id DESC);
CREATE INDEX idx_security_events_kind_page ON security_events (organization_id, kind, occurred_at DESC, id DESC);
SELECT isolate_tenant('security_events');

-- The addresses each API key was used from, so a new one is an event once, not on
-- every request.
CREATE TABLE api_key_addresses (
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    api_key_id UUID NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    ip INET NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (api_key_id, ip)
);
SELECT isolate_tenant('api_key_addresses');

-- An event about an account, for each organization it is a member of: called before
-- any organization is chosen (sign-in), so it runs as the owner and writes only rows
-- of the account's own organizations. Returns how many rows it wrote.
CREATE FUNCTION record_account_security_event(
    account_email TEXT, event_kind security_event_kind, event_ip INET, event_user_agent TEXT, event_detail JSONB
) RETURNS INTEGER
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    WITH written AS (
        INSERT INTO public.security_events (organization_id, kind, user_id, email, ip, user_agent, detail)
        SELECT m.organization_id, event_kind, u.id, u.email, event_ip, left(event_user_agent, 512), event_detail
        FROM public.users u
        JOIN public.organization_members m ON m.user_id = u.id
        WHERE u.email = account_email
        RETURNING 1
    )
    SELECT count(*)::integer FROM written
$$;

REVOKE ALL ON FUNCTION record_account_security_event(TEXT, security_event_kind, INET, TEXT, JSONB) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION record_account_security_event(TEXT, security_event_kind, INET, TEXT, JSONB) TO ut360_app;
GRANT USAGE ON TYPE security_event_kind TO ut360_app;
