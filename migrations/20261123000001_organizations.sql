-- Seed 004's organizations. Every tenant-owned table references it; the default
-- organization owns the demo data and keeps the seed 001 Redis prefix `ut360`.
CREATE TABLE organizations (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name VARCHAR(255) NOT NULL,
    slug VARCHAR(100) NOT NULL UNIQUE,
    redis_prefix VARCHAR(50) NOT NULL UNIQUE,
    settings JSONB DEFAULT '{}',
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    CONSTRAINT chk_redis_prefix CHECK (redis_prefix ~ '^[a-z0-9_-]+$')
);

INSERT INTO organizations (id, name, slug, redis_prefix)
VALUES ('00000000-0000-0000-0000-000000000001', 'UT360', 'default', 'ut360');
