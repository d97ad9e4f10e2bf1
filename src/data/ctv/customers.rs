//! Customers (`khach_hang`): phone lookup, seed 000's duplicate-phone rule, entering a
//! customer, changing its status through the allowed transitions (which recalculates
//! its commissions), and the list's filters, name search and order.

use super::commissions::recalculate_in;
use super::{like_escaped, CustomerRow, CUSTOMER_COLUMNS};
use crate::data::{sql, OrganizationStore};
use crate::domain::ctv::commissions::{CommissionKind, RecalculationSummary};
use crate::domain::ctv::customers::{
    CommissionMove, Customer, CustomerFilter, CustomerListing, CustomerSortColumn, CustomerStatus, DuplicateMatch,
    DuplicateReason, NewCustomer, PhoneCheck, StatusChange, StatusChanged, CUSTOMER_PAGE_ROWS,
};
use crate::domain::field_error::FieldError;
use chrono::NaiveDate;
use sqlx::{Postgres, QueryBuilder};

/// Rows a filtered customer list returns at most per page.
pub const PAGE_ROWS: i64 = crate::domain::ctv::customers::CUSTOMER_PAGE_ROWS as i64;

/// The outcome of entering a customer.
#[derive(Debug)]
pub enum CustomerEntry {
    Created(Customer),
    /// Seed 000's rule holds the phone number as taken, by these customers.
    Duplicate(Vec<DuplicateMatch>),
    /// The closer's code names no collaborator of the organization.
    UnknownCloser,
}

/// The outcome of a status change asked for.
#[derive(Debug)]
pub enum StatusChangeOutcome {
    Changed(StatusChanged),
    /// The transition table does not allow it; the refusal names `status`.
    Refused(FieldError),
    NoSuchCustomer,
}

#[derive(sqlx::FromRow)]
struct DuplicateRow {
    #[sqlx(flatten)]
    customer: CustomerRow,
    by_status: bool,
    by_appointment: bool,
    by_recent_order: bool,
    days_ahead: Option<i32>,
    days_ago: i32,
}

impl From<DuplicateRow> for DuplicateMatch {
    fn from(row: DuplicateRow) -> Self {
        let customer: Customer = row.customer.into();
        let mut reasons = Vec::new();
        if row.by_status {
            reasons.push(DuplicateReason::Status { status: customer.status });
        }
        if let (true, Some(on), Some(days_ahead)) =
            (row.by_appointment, customer.appointment_on.clone(), row.days_ahead)
        {
            reasons.push(DuplicateReason::UpcomingAppointment { on, days_ahead });
        }
        if row.by_recent_order {
            reasons.push(DuplicateReason::RecentOrder { on: customer.ordered_on.clone(), days_ago: row.days_ago });
        }
        Self { customer, reasons }
    }
}

/// Seed 000's duplicate check with MySQL's CURDATE(), DATE_ADD(…, INTERVAL n DAY) and
/// DATE_SUB(…) as Postgres' CURRENT_DATE, `+ n` and `- n`; each condition also selected,
/// to say why. `$1` is the organization, `$2` the phone number.
const DUPLICATE_SQL: &str = "
    SELECT {columns},
        k.trang_thai IN ('Da den lam', 'Da coc') AS by_status,
        COALESCE(k.ngay_hen_lam >= CURRENT_DATE AND k.ngay_hen_lam < CURRENT_DATE + 180, false) AS by_appointment,
        k.ngay_nhap_don >= CURRENT_DATE - 60 AS by_recent_order,
        (k.ngay_hen_lam - CURRENT_DATE) AS days_ahead,
        (CURRENT_DATE - k.ngay_nhap_don) AS days_ago
    FROM khach_hang k
    WHERE k.organization_id = $1 AND k.sdt = $2
      AND (
        k.trang_thai IN ('Da den lam', 'Da coc')
        OR (k.ngay_hen_lam >= CURRENT_DATE
            AND k.ngay_hen_lam < CURRENT_DATE + 180)
        OR k.ngay_nhap_don >= CURRENT_DATE - 60
      )
    ORDER BY k.ngay_nhap_don DESC, k.id DESC";

impl OrganizationStore {
    /// Every customer with this phone number, newest order first.
    pub async fn customers_by_phone(&self, phone: &str) -> Result<Vec<Customer>, sqlx::Error> {
        let organization = &self.organization;
        let rows: Vec<CustomerRow> = sql::query_as(&format!(
            "SELECT {CUSTOMER_COLUMNS} FROM khach_hang k WHERE k.organization_id = $1 AND k.sdt = $2
             ORDER BY k.ngay_nhap_don DESC, k.id DESC"
        ))
        .bind(organization.id)
        .bind(phone.trim())
        .fetch_all(&mut *self.begin().await?)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn customer(&self, id: i64) -> Result<Option<Customer>, sqlx::Error> {
        let organization = &self.organization;
        let row: Option<CustomerRow> = sql::query_as(&format!(
            "SELECT {CUSTOMER_COLUMNS} FROM khach_hang k WHERE k.organization_id = $1 AND k.id = $2"
        ))
        .bind(organization.id)
        .bind(id)
        .fetch_optional(&mut *self.begin().await?)
        .await?;
        Ok(row.map(Into::into))
    }

    /// The customers that make `phone` a duplicate under seed 000's rule, each with its
    /// reasons; empty when a new customer with this phone may be entered.
    pub async fn duplicate_matches(&self, phone: &str) -> Result<Vec<DuplicateMatch>, sqlx::Error> {
        let organization = &self.organization;
        let rows: Vec<DuplicateRow> = sql::query_as(&DUPLICATE_SQL.replace("{columns}", CUSTOMER_COLUMNS))
            .bind(organization.id)
            .bind(phone.trim())
            .fetch_all(&mut *self.begin().await?)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Enters a customer unless seed 000's rule finds its phone taken. A customer entered
    /// as served ('Da den lam') is paid in the same transaction. `customer` is validated.
    pub async fn create_customer(&self, customer: &NewCustomer) -> Result<CustomerEntry, sqlx::Error> {
        let organization = &self.organization;
        let phone = customer.phone.trim();
        let mut tx = self.begin().await?;
        // Two entries of one phone at once: the second waits and then sees the first.
        sql::query("SELECT pg_advisory_xact_lock(hashtext('ut360:khach_hang:' || $1::text || ':' || $2))")
            .bind(organization.id)
            .bind(phone)
            .execute(&mut *tx)
            .await?;
        let duplicates: Vec<DuplicateRow> = sql::query_as(&DUPLICATE_SQL.replace("{columns}", CUSTOMER_COLUMNS))
            .bind(organization.id)
            .bind(phone)
            .fetch_all(&mut *tx)
            .await?;
        if !duplicates.is_empty() {
            return Ok(CustomerEntry::Duplicate(duplicates.into_iter().map(Into::into).collect()));
        }
        let inserted: Result<i64, sqlx::Error> = sql::query_scalar(
            "INSERT INTO khach_hang (organization_id, ten_khach, sdt, ngay_nhap_don, ngay_hen_lam, trang_thai, nguoi_chot, dich_vu, so_tien)
             VALUES ($1, $2, $3, COALESCE($4::date, CURRENT_DATE), $5::date, $6, $7, $8, $9::numeric)
             RETURNING id",
        )
        .bind(organization.id)
        .bind(customer.name.trim())
        .bind(phone)
        .bind(customer.ordered_on.as_deref())
        .bind(customer.appointment_on.as_deref())
        .bind(customer.status.as_str())
        .bind(customer.closer.as_deref())
        .bind(customer.service.as_deref())
        .bind(customer.amount)
        .fetch_one(&mut *tx)
        .await;
        let id = match inserted {
            Ok(id) => id,
            Err(error) if error.as_database_error().is_some_and(|e| e.is_foreign_key_violation()) => {
                return Ok(CustomerEntry::UnknownCloser)
            }
            Err(error) => return Err(error),
        };
        if customer.status.earns_commission() {
            recalculate_in(&mut tx, organization, Some(&[id]), None).await?;
        }
        tx.commit().await?;
        Ok(self.customer(id).await?.map_or(CustomerEntry::UnknownCloser, CustomerEntry::Created))
    }

    /// Sets a customer's status and, in the same transaction, brings its commissions in
    /// line: paid when it becomes served, reversed when it stops being served. Any status
    /// (the demo generator's and the tests' way); the page goes through
    /// [`OrganizationStore::change_customer_status`]. `None` if the organization has no such customer.
    pub async fn set_customer_status(
        &self,
        id: i64,
        status: CustomerStatus,
    ) -> Result<Option<RecalculationSummary>, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        let updated = sql::query(
            "UPDATE khach_hang SET trang_thai = $3, updated_at = NOW() WHERE organization_id = $1 AND id = $2",
        )
        .bind(organization.id)
        .bind(id)
        .bind(status.as_str())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Ok(None);
        }
        let summary = recalculate_in(&mut tx, organization, Some(&[id]), None).await?;
        tx.commit().await?;
        Ok(Some(summary))
    }

    /// Moves a customer to `to` if the transition table allows it from the status it has
    /// now (read under a row lock, so two changes at once take turns), and recalculates
    /// its commissions in the same transaction with the engine: a served customer
    /// cancelled gets its lines reversed; lines for a closed month land in the first
    /// open one (the engine's rule). `today`: the database's date when `None`.
    pub async fn change_customer_status(
        &self,
        id: i64,
        to: CustomerStatus,
        today: Option<NaiveDate>,
    ) -> Result<StatusChangeOutcome, sqlx::Error> {
        let organization = &self.organization;
        let mut tx = self.begin().await?;
        let current: Option<String> =
            sql::query_scalar("SELECT trang_thai FROM khach_hang WHERE organization_id = $1 AND id = $2 FOR UPDATE")
                .bind(organization.id)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(from) = current.as_deref().and_then(CustomerStatus::parse) else {
            return Ok(StatusChangeOutcome::NoSuchCustomer);
        };
        let change = match StatusChange::check(from, to) {
            Ok(change) => change,
            Err(refusal) => return Ok(StatusChangeOutcome::Refused(refusal)),
        };
        sql::query("UPDATE khach_hang SET trang_thai = $3, updated_at = NOW() WHERE organization_id = $1 AND id = $2")
            .bind(organization.id)
            .bind(id)
            .bind(change.entering().as_str())
            .execute(&mut *tx)
            .await?;
        recalculate_in(&mut tx, organization, Some(&[id]), today).await?;
        // The lines written just now: a transaction's NOW() is the `created_at` of each.
        let moves: Vec<(String, String, i64, f64)> = sql::query_as(
            "SELECT to_char(period, 'YYYY-MM'), kind, COUNT(*), SUM(amount)::float8 FROM commissions
             WHERE organization_id = $1 AND khach_hang_id = $2 AND created_at = NOW()
             GROUP BY period, kind ORDER BY period, kind",
        )
        .bind(organization.id)
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let customer: CustomerRow = sql::query_as(&format!(
            "SELECT {CUSTOMER_COLUMNS} FROM khach_hang k WHERE k.organization_id = $1 AND k.id = $2"
        ))
        .bind(organization.id)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        let commission_moves = moves
            .into_iter()
            .map(|(period, kind, lines, amount)| CommissionMove {
                period,
                kind: CommissionKind::parse(&kind).unwrap_or(CommissionKind::Adjustment),
                lines,
                amount,
            })
            .collect();
        Ok(StatusChangeOutcome::Changed(StatusChanged {
            customer: customer.into(),
            from: change.leaving(),
            commission_moves,
        }))
    }

    /// What the customers page shows: the phone number looked up (when one is given)
    /// with seed 000's verdict on it, and a page of the filtered list.
    pub async fn customer_listing(
        &self,
        phone: Option<&str>,
        filter: &CustomerFilter,
    ) -> Result<CustomerListing, sqlx::Error> {
        let phone_check = async {
            let Some(phone) = phone.map(str::trim).filter(|phone| !phone.is_empty()) else { return Ok(None) };
            let (customers, duplicates) =
                tokio::try_join!(self.customers_by_phone(phone), self.duplicate_matches(phone))?;
            Ok::<_, sqlx::Error>(Some(PhoneCheck { phone: phone.to_owned(), customers, duplicates }))
        };
        let (phone, mut customers) = tokio::try_join!(phone_check, self.customers(filter))?;
        let has_next = customers.len() > CUSTOMER_PAGE_ROWS;
        customers.truncate(CUSTOMER_PAGE_ROWS);
        Ok(CustomerListing { phone, customers, page: filter.page.max(1), has_next })
    }

    /// A page of customers matching the filter, in its order, with the first customer of
    /// the next page after them when there is one (`CUSTOMER_PAGE_ROWS + 1` at most).
    pub async fn customers(&self, filter: &CustomerFilter) -> Result<Vec<Customer>, sqlx::Error> {
        let organization = &self.organization;
        let mut query = QueryBuilder::<Postgres>::new(format!(
            "SELECT {CUSTOMER_COLUMNS} FROM khach_hang k WHERE k.organization_id = "
        ));
        query.push_bind(organization.id);
        if !filter.statuses.is_empty() {
            let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
            query.push(" AND k.trang_thai = ANY(").push_bind(statuses).push(")");
        }
        let ranges = [
            ("k.ngay_nhap_don >= ", &filter.ordered_from),
            ("k.ngay_nhap_don <= ", &filter.ordered_until),
            ("k.ngay_hen_lam >= ", &filter.appointment_from),
            ("k.ngay_hen_lam <= ", &filter.appointment_until),
        ];
        for (condition, day) in ranges {
            if let Some(day) = day {
                query.push(" AND ").push(condition).push_bind(day.clone()).push("::date");
            }
        }
        if let Some(closer) = &filter.closer {
            query.push(" AND k.nguoi_chot = ").push_bind(closer.clone());
        }
        // Each word starts a word of the name, both sides folded alike (migration
        // 20261205000060): "an" finds "An" and "Anh", not "Văn". The first condition is
        // the trigram index's expression and narrows; the second keeps word starts.
        for word in &filter.name_words {
            let pattern = like_escaped(word);
            query
                .push(" AND customer_name_key(k.ten_khach) LIKE '%' || customer_name_key(")
                .push_bind(pattern.clone())
                .push(") || '%' AND ' ' || customer_name_key(k.ten_khach) LIKE '% ' || customer_name_key(")
                .push_bind(pattern)
                .push(") || '%'");
        }
        let direction = if filter.sort.descending { "DESC" } else { "ASC" };
        let column = match filter.sort.column {
            CustomerSortColumn::Entered => None,
            CustomerSortColumn::Name => Some("k.ten_khach"),
            CustomerSortColumn::Ordered => Some("k.ngay_nhap_don"),
            CustomerSortColumn::Appointment => Some("k.ngay_hen_lam"),
            CustomerSortColumn::Status => Some("k.trang_thai"),
            CustomerSortColumn::Amount => Some("k.so_tien"),
        };
        query.push(" ORDER BY ");
        if let Some(column) = column {
            // Customers without an appointment last, whichever the direction.
            query.push(format!("{column} {direction} NULLS LAST, "));
        }
        query.push(format!("k.id {direction} LIMIT "));
        query.push_bind(PAGE_ROWS + 1).push(" OFFSET ").push_bind(i64::from(filter.page.max(1) - 1) * PAGE_ROWS);
        let rows: Vec<CustomerRow> =
            query.build_query_as().persistent(sql::named()).fetch_all(&mut *self.begin().await?).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
