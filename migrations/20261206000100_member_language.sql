-- The language a person reads UT360 in, chosen with the header's switcher; it follows
-- them to any browser and wins over the browser's own. NULL: not chosen, so the
-- language cookie, then the browser's Accept-Language, then Vietnamese decide.
ALTER TABLE users ADD COLUMN language VARCHAR(2)
    CONSTRAINT chk_users_language CHECK (language IN ('vi', 'en'));
