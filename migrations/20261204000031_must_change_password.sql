-- A password an admin or the command line made up must be changed at first sign-in
-- (issue 29): until then every page sends the person to /account/password.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT false;
