-- Accounts (issue 9). A person has one account (`users`) and a role in each
-- organization they belong to (`organization_members`, seed 004's name).
CREATE TABLE users (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    email VARCHAR(255) NOT NULL,
    -- argon2id, PHC string format.
    password_hash TEXT NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    last_sign_in_at TIMESTAMP WITH TIME ZONE,
    CONSTRAINT chk_users_email CHECK (email = lower(btrim(email)) AND email LIKE '_%@_%')
);
CREATE UNIQUE INDEX idx_users_email ON users (email);

CREATE TABLE organization_members (
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role VARCHAR(20) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    PRIMARY KEY (organization_id, user_id),
    CONSTRAINT chk_member_role CHECK (role IN ('admin', 'manager', 'marketing', 'analyst'))
);
CREATE INDEX idx_organization_members_user ON organization_members (user_id);

-- Failed sign-ins per email address typed, whether or not an account has it, so the
-- lockout says nothing about which accounts exist.
CREATE TABLE sign_in_failures (
    email VARCHAR(255) PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMP WITH TIME ZONE NOT NULL,
    locked_until TIMESTAMP WITH TIME ZONE
);
