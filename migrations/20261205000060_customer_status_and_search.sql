-- Customers (issue 25, item 3): a name search that finds "Nguyễn Văn An" by
-- "nguyen van an" as well as by "Nguyễn", and the appointment-date filter.
--
-- Seed 000's MySQL FULLTEXT index on `ten_khach` becomes a trigram index over the
-- name with its accents and case folded: unaccent drops the Vietnamese diacritics
-- (đ becomes d), pg_trgm answers `LIKE '%…%'` from the index. Both extensions are
-- "trusted" since PostgreSQL 13, so a role with CREATE on the database may create
-- them; a superuser (the migrations' usual role) always may.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- unaccent() is only STABLE (it finds its dictionary through search_path), and an index
-- expression must be IMMUTABLE: naming the dictionary with its schema makes the result
-- depend on the text alone. The search compares with this same function, so the
-- planner matches the index.
CREATE FUNCTION customer_name_key(name TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, name)) $$;
GRANT EXECUTE ON FUNCTION customer_name_key(TEXT) TO ut360_app;

CREATE INDEX idx_khach_hang_name_key ON khach_hang USING gin (customer_name_key(ten_khach) gin_trgm_ops);

-- Seed 000 filters on `ngay_hen_lam` within an organization; its own index
-- (ngay_hen_lam, trang_thai) has no organization in front, so a range of one
-- organization's appointments would read every organization's.
CREATE INDEX idx_khach_hang_org_appointment ON khach_hang (organization_id, ngay_hen_lam);
CREATE INDEX idx_khach_hang_org_ordered ON khach_hang (organization_id, ngay_nhap_don);
