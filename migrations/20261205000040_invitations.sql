-- Invitations with consent (issue 23): an admin no longer adds an existing account to
-- the organization; the person accepts or declines the invitation after signing in.
-- Accepting makes the membership and removes the invitation; declining removes it.
CREATE TABLE invitations (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email VARCHAR(255) NOT NULL,
    role VARCHAR(20) NOT NULL CHECK (role IN ('admin', 'manager', 'marketing', 'analyst')),
    invited_by UUID REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    expires_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT uq_invitations_org_email UNIQUE (organization_id, email)
);
CREATE INDEX idx_invitations_email ON invitations (email);
SELECT isolate_tenant('invitations');

-- The organization a session last chose, offered first at the next sign-in.
ALTER TABLE users ADD COLUMN last_organization_id UUID REFERENCES organizations(id) ON DELETE SET NULL;

-- The invitee acts outside the inviting organization: these run as the owner and
-- answer only for invitations addressed to the account's own email.
CREATE FUNCTION invitations_of(account UUID)
RETURNS TABLE (id UUID, organization_slug VARCHAR, organization_name VARCHAR, role VARCHAR, invited_by VARCHAR,
               expires_at TIMESTAMPTZ)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT i.id, o.slug, o.name, i.role, inviter.email, i.expires_at
    FROM invitations i
    JOIN users u ON u.email = i.email
    JOIN organizations o ON o.id = i.organization_id
    LEFT JOIN users inviter ON inviter.id = i.invited_by
    WHERE u.id = account AND i.expires_at > NOW()
      AND NOT EXISTS (SELECT 1 FROM organization_members m WHERE m.organization_id = i.organization_id AND m.user_id = u.id)
    ORDER BY i.created_at, i.id
$$;

-- Accepts (`accept`) or declines an invitation of the account's own; returns the
-- inviting organization, or NULL when there is no such invitation (or it expired).
CREATE FUNCTION answer_invitation(account UUID, invitation UUID, accept BOOLEAN) RETURNS UUID
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    found invitations%ROWTYPE;
BEGIN
    DELETE FROM invitations i USING users u
    WHERE i.id = invitation AND u.id = account AND u.email = i.email AND i.expires_at > NOW()
    RETURNING i.* INTO found;
    IF found.id IS NULL THEN
        RETURN NULL;
    END IF;
    IF NOT accept THEN
        RETURN found.organization_id;
    END IF;
    INSERT INTO organization_members (organization_id, user_id, role)
    VALUES (found.organization_id, account, found.role)
    ON CONFLICT (organization_id, user_id) DO NOTHING;
    RETURN found.organization_id;
END $$;

REVOKE ALL ON FUNCTION invitations_of(UUID) FROM PUBLIC;
REVOKE ALL ON FUNCTION answer_invitation(UUID, UUID, BOOLEAN) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION invitations_of(UUID) TO ut360_app;
GRANT EXECUTE ON FUNCTION answer_invitation(UUID, UUID, BOOLEAN) TO ut360_app;
