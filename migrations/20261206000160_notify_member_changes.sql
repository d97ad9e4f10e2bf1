-- The gate remembers a session's member for a few seconds (`data::users::KnownMembers`).
-- Whatever changes what it remembers (a role, a removal, an account's email, language or
-- password, an organization's name or its deletion) tells every server to forget, at
-- commit, whoever made the change: the app, the CLI or plain SQL. One NOTIFY a statement;
-- PostgreSQL folds the same NOTIFY sent twice in one transaction into one.

CREATE FUNCTION notify_member_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ut360_members', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER organization_members_notify_change
    AFTER UPDATE OR DELETE ON organization_members
    FOR EACH STATEMENT EXECUTE FUNCTION notify_member_change();

-- Not `last_sign_in_at` nor `last_organization_id`: every sign-in writes those.
CREATE TRIGGER users_notify_change
    AFTER UPDATE OF email, language, password_hash, password_changed_at, must_change_password OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_member_change();

CREATE TRIGGER organizations_notify_change
    AFTER UPDATE OF slug, name, redis_prefix OR DELETE ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION notify_member_change();
