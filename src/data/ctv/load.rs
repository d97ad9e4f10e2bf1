//! Loading a whole collaborator network (the demo generator's) with COPY.

use crate::data::copy::CopyBuffer;
use crate::data::first_load;
use crate::data::subscribers::copy_text;
use crate::data::{sql, OrganizationStore};
use crate::domain::ctv::customers::CustomerStatus;
use chrono::NaiveDate;

#[derive(Clone, Debug, PartialEq)]
pub struct CollaboratorRecord {
    pub ma_ctv: String,
    /// The introducer's code; it comes earlier in [`Network::collaborators`].
    pub introducer: Option<String>,
    pub name: String,
    pub phone: String,
    pub rank: &'static str,
    pub joined_on: NaiveDate,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CustomerRecord {
    pub name: String,
    pub phone: String,
    pub ordered_on: NaiveDate,
    pub appointment_on: Option<NaiveDate>,
    pub status: CustomerStatus,
    pub closer: Option<String>,
    pub service: &'static str,
    /// Whole đồng.
    pub amount: i64,
}

/// Collaborators (introducers before those they introduced) and their customers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Network {
    pub collaborators: Vec<CollaboratorRecord>,
    pub customers: Vec<CustomerRecord>,
}

/// The tables a network load COPYs into.
const NETWORK_TABLES: [&str; 2] = ["ctv", "khach_hang"];
const COLLABORATOR_COLUMNS: &str =
    "organization_id, ma_ctv, nguoi_gioi_thieu, ho_ten, sdt, cap_bac, ngay_tham_gia, trang_thai";
const CUSTOMER_COLUMNS: &str =
    "organization_id, ten_khach, sdt, ngay_nhap_don, ngay_hen_lam, trang_thai, nguoi_chot, dich_vu, so_tien";

impl OrganizationStore {
    /// Replaces the organization's collaborators, customers and commissions (ledger and
    /// closed months) with `network`, all or nothing. The ledger starts empty: run a
    /// recalculation to pay the served customers.
    pub async fn replace_ctv_network(&self, network: &Network) -> Result<(), sqlx::Error> {
        let organization = &self.organization;
        let organization_id = organization.id.to_string();
        let mut collaborators = CopyBuffer::default();
        for c in &network.collaborators {
            collaborators.text(&organization_id).text(&c.ma_ctv).optional_text(c.introducer.as_deref()).text(&c.name);
            collaborators.text(&c.phone).text(c.rank).text(&c.joined_on.to_string());
            collaborators.text(if c.active { "active" } else { "inactive" });
            collaborators.end_row();
        }
        let mut customers = CopyBuffer::default();
        for k in &network.customers {
            customers.text(&organization_id).text(&k.name).text(&k.phone).text(&k.ordered_on.to_string());
            customers.optional_text(k.appointment_on.map(|d| d.to_string()).as_deref()).text(k.status.as_str());
            customers.optional_text(k.closer.as_deref()).text(k.service).cents(k.amount * 100);
            customers.end_row();
        }

        let mut tx = self.begin().await?;
        // The first network of a new database (the demo's) goes in before the indexes.
        let restores = first_load::set_aside_if_first_load(&mut tx, &NETWORK_TABLES).await?;
        for table in ["commissions", "commission_periods", "commission_period_events", "khach_hang", "ctv"] {
            sql::query(&format!("DELETE FROM {table} WHERE organization_id = $1"))
                .bind(organization.id)
                .execute(&mut *tx)
                .await?;
        }
        copy_text(&mut tx, "ctv", COLLABORATOR_COLUMNS, collaborators.as_str(), "", |_| {}).await?;
        copy_text(&mut tx, "khach_hang", CUSTOMER_COLUMNS, customers.as_str(), "", |_| {}).await?;
        first_load::restore_constraints(&mut tx, &restores).await?;
        tx.commit().await?;
        // The recalculation that follows plans its joins from these statistics, and the
        // tree's revenue sums read the covering index alone once the visibility map is set.
        // (VACUUM cannot run in a transaction: one simple query, nothing prepared.)
        let rows = (network.collaborators.len() + network.customers.len()) as u64;
        if rows >= super::super::VACUUM_AFTER_ROWS {
            sqlx::raw_sql("VACUUM (ANALYZE) ctv, khach_hang, ctv_revenue, commissions, commission_summaries")
                .execute(&self.pg)
                .await?;
        }
        Ok(())
    }

    pub async fn count_collaborators(&self) -> Result<i64, sqlx::Error> {
        let organization = &self.organization;
        sql::query_scalar("SELECT COUNT(*) FROM ctv WHERE organization_id = $1")
            .bind(organization.id)
            .fetch_one(&mut *self.begin().await?)
            .await
    }
}

impl OrganizationStore {
    /// Every collaborator's code, by code (the benchmark draws from them).
    pub async fn collaborator_codes(&self) -> Result<Vec<String>, sqlx::Error> {
        let organization = &self.organization;
        sql::query_scalar("SELECT ma_ctv FROM ctv WHERE organization_id = $1 ORDER BY ma_ctv")
            .bind(organization.id)
            .fetch_all(&mut *self.begin().await?)
            .await
    }

    /// Empties the organization's commission ledger and reopens its months, as a fresh
    /// network load leaves them: the next recalculation pays everything from scratch.
    /// For benchmarks and demos; a live ledger is never emptied (its lines are history).
    pub async fn empty_commission_ledger(&self) -> Result<(), sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        sql::query("SELECT pg_advisory_xact_lock(hashtext('ut360:commissions:' || $1::text))")
            .bind(organization.id)
            .execute(&mut *tx)
            .await?;
        for table in ["commissions", "commission_periods", "commission_period_events"] {
            sql::query(&format!("DELETE FROM {table} WHERE organization_id = $1"))
                .bind(organization.id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        // As after `replace_ctv_network`: the space is reused and the plans see an empty ledger
        // (outside a transaction, as VACUUM must be).
        sqlx::raw_sql("VACUUM (ANALYZE) commissions").execute(&self.pg).await?;
        Ok(())
    }
}
