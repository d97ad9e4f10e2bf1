-- Seed 000's collaborator (CTV) system (issue 7): collaborators and their referral
-- tree, the customers they bring in, the commission rates per level, and the
-- commission ledger with its monthly periods.
--
-- The seed names the tables and the columns its SQL uses (`ma_ctv`, `nguoi_gioi_thieu`,
-- `ten_khach`, `sdt`, `ngay_nhap_don`, `ngay_hen_lam`, `trang_thai`, `nguoi_chot`); they
-- are kept so its queries run unchanged. Columns the seed does not name follow its
-- Vietnamese spelling on `ctv` and `khach_hang`; the ledger, which is ours, is in English.
-- As everywhere, `organization_id` defaults to the default organization and keys are
-- unique per organization.

CREATE TABLE ctv (
    id BIGSERIAL PRIMARY KEY,
    organization_id UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000001'
        REFERENCES organizations(id) ON DELETE CASCADE,
    ma_ctv VARCHAR(50) NOT NULL,
    -- Who introduced this collaborator (their `ma_ctv`); NULL at the top of a tree.
    nguoi_gioi_thieu VARCHAR(50),
    ho_ten VARCHAR(255) NOT NULL,
    sdt VARCHAR(20),
    cap_bac VARCHAR(50) NOT NULL DEFAULT 'CTV',          -- rank
    ngay_tham_gia DATE NOT NULL DEFAULT CURRENT_DATE,   -- join date
    trang_thai VARCHAR(20) NOT NULL DEFAULT 'active',   -- active, inactive
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),

    CONSTRAINT uq_ctv_org_ma UNIQUE (organization_id, ma_ctv),
    CONSTRAINT fk_ctv_introducer FOREIGN KEY (organization_id, nguoi_gioi_thieu)
        REFERENCES ctv(organization_id, ma_ctv),
    CONSTRAINT chk_ctv_not_own_introducer CHECK (nguoi_gioi_thieu IS NULL OR nguoi_gioi_thieu <> ma_ctv),
    CONSTRAINT chk_ctv_status CHECK (trang_thai IN ('active', 'inactive'))
);

-- Seed 000's index for walking the tree down; its phone index for looking collaborators up.
CREATE INDEX idx_ctv_parent ON ctv(nguoi_gioi_thieu, ma_ctv);
CREATE INDEX idx_ctv_org_sdt ON ctv(organization_id, sdt);

CREATE TABLE khach_hang (
    id BIGSERIAL PRIMARY KEY,
    organization_id UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000001'
        REFERENCES organizations(id) ON DELETE CASCADE,
    ten_khach VARCHAR(255) NOT NULL,
    sdt VARCHAR(20) NOT NULL,
    ngay_nhap_don DATE NOT NULL,        -- the day the order was entered
    ngay_hen_lam DATE,                  -- the appointment; the day of service once 'Da den lam'
    trang_thai VARCHAR(30) NOT NULL DEFAULT 'Moi',
    -- The collaborator who closed the sale (their `ma_ctv`): commission level 0.
    nguoi_chot VARCHAR(50),
    dich_vu VARCHAR(100),               -- service
    so_tien DECIMAL(14,2) NOT NULL DEFAULT 0,   -- amount, the commission base (đồng)
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),

    CONSTRAINT fk_khach_hang_closer FOREIGN KEY (organization_id, nguoi_chot)
        REFERENCES ctv(organization_id, ma_ctv),
    CONSTRAINT chk_khach_hang_status CHECK (trang_thai IN
        ('Moi', 'Da lien he', 'Da hen', 'Da coc', 'Da den lam', 'Khong den', 'Huy')),
    CONSTRAINT chk_khach_hang_amount CHECK (so_tien >= 0)
);

-- Seed 000's composite indexes, as written there (its FULLTEXT name index has no
-- MySQL-equal here and the seed marks it "if needed"; names are searched by prefix).
CREATE INDEX idx_khach_hang_sdt_status ON khach_hang(sdt, trang_thai);
CREATE INDEX idx_khach_hang_date_status ON khach_hang(ngay_hen_lam, trang_thai);
CREATE INDEX idx_khach_hang_chot_date ON khach_hang(nguoi_chot, ngay_hen_lam);
-- A collaborator's own revenue (the downline's team revenue) without visiting rows.
CREATE INDEX idx_khach_hang_org_chot_status ON khach_hang(organization_id, nguoi_chot, trang_thai) INCLUDE (so_tien);

-- The commission rate of each level (0: the closer, 1-4: the uplines), in percent of
-- the customer's amount, from `effective_from` until the level's next row.
CREATE TABLE hoa_hong_config (
    id BIGSERIAL PRIMARY KEY,
    organization_id UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000001'
        REFERENCES organizations(id) ON DELETE CASCADE,
    level SMALLINT NOT NULL,
    rate DECIMAL(6,3) NOT NULL,
    effective_from DATE NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),

    CONSTRAINT uq_hoa_hong_config_org_level_from UNIQUE (organization_id, level, effective_from),
    CONSTRAINT chk_hoa_hong_config_level CHECK (level BETWEEN 0 AND 4),
    CONSTRAINT chk_hoa_hong_config_rate CHECK (rate >= 0 AND rate <= 100)
);

-- The default organization's rates, so the demo pays out from the start.
INSERT INTO hoa_hong_config (level, rate, effective_from) VALUES
    (0, 10, '2000-01-01'), (1, 5, '2000-01-01'), (2, 3, '2000-01-01'), (3, 2, '2000-01-01'), (4, 1, '2000-01-01');

-- Months whose commissions are final. A month without a row is open.
CREATE TABLE commission_periods (
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    period DATE NOT NULL,               -- the month's first day
    closed_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    PRIMARY KEY (organization_id, period),
    CONSTRAINT chk_commission_period_month CHECK (period = date_trunc('month', period)::date)
);

-- The commission ledger: lines are only ever added. What a collaborator is owed for a
-- customer at a level is the sum of its lines; a recalculation adds the difference.
CREATE TABLE commissions (
    id BIGSERIAL PRIMARY KEY,
    organization_id UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000001'
        REFERENCES organizations(id) ON DELETE CASCADE,
    khach_hang_id BIGINT NOT NULL,      -- khach_hang(id); see refuse_deleting_paid below
    ma_ctv VARCHAR(50) NOT NULL,
    level SMALLINT NOT NULL,
    base_amount DECIMAL(14,2) NOT NULL,     -- the customer's amount the line was computed on
    rate DECIMAL(6,3) NOT NULL,             -- percent
    amount DECIMAL(14,2) NOT NULL,          -- negative for reversals and downward adjustments
    period DATE NOT NULL,                   -- the month the line is paid in (first day)
    kind VARCHAR(12) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),

    CONSTRAINT chk_commissions_level CHECK (level BETWEEN 0 AND 4),
    CONSTRAINT chk_commissions_kind CHECK (kind IN ('earning', 'reversal', 'adjustment')),
    CONSTRAINT chk_commissions_period_month CHECK (period = date_trunc('month', period)::date)
);

-- The period report (all collaborators of a month) and one collaborator's statement.
CREATE INDEX idx_commissions_org_period_ctv ON commissions(organization_id, period, ma_ctv);
-- Recalculating one customer reads its lines; so does deleting one.
CREATE INDEX idx_commissions_org_customer ON commissions(organization_id, khach_hang_id);

-- The engine writes ledger lines only from customers and collaborators that exist, in
-- sets of up to millions; a foreign key would check each line on its own and double the
-- time of a full recalculation. What the keys would protect (deleting a customer or a
-- collaborator that was paid) is refused here instead, once per DELETE statement.
-- While an organization is deleted (its row already gone), its ledger goes with it.
CREATE FUNCTION refuse_deleting_paid_customers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM deleted d
        JOIN commissions l ON l.organization_id = d.organization_id AND l.khach_hang_id = d.id
        WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = d.organization_id)
    ) THEN
        RAISE EXCEPTION 'a customer with commission lines cannot be deleted; set its status instead'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION refuse_deleting_paid_collaborators() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM deleted d
        JOIN commissions l ON l.organization_id = d.organization_id AND l.ma_ctv = d.ma_ctv
        WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = d.organization_id)
    ) THEN
        RAISE EXCEPTION 'a collaborator with commission lines cannot be deleted; make it inactive instead'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER trg_khach_hang_keep_paid AFTER DELETE ON khach_hang
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION refuse_deleting_paid_customers();
CREATE TRIGGER trg_ctv_keep_paid AFTER DELETE ON ctv
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION refuse_deleting_paid_collaborators();
