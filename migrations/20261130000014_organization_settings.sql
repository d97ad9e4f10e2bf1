-- Organization settings (issue 9): an admin renames their organization. The list of
-- organizations stays readable to the app (sign-in and API keys name theirs before one
-- is set), but a connection may change only the organization it acts for.
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY organizations_are_listed ON organizations FOR SELECT USING (true);
CREATE POLICY organization_changes_itself ON organizations FOR UPDATE
    USING (id = current_organization()) WITH CHECK (id = current_organization());
GRANT UPDATE (name, updated_at) ON organizations TO ut360_app;
