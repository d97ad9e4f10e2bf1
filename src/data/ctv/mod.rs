//! Seed 000's collaborator (CTV) system: the referral tree (`network`), the customers
//! and the duplicate-phone rule (`customers`), the commission engine and its reports
//! (`commissions`), and bulk loading of a whole network (`load`).

pub mod commissions;
pub mod customers;
pub mod load;
pub mod network;
pub mod network_overview;
pub mod periods;
pub mod rates;
pub mod statements;

use crate::domain::ctv::customers::{Customer, CustomerStatus};
use crate::domain::ctv::network::Collaborator;

/// A collaborator's columns, read into [`CollaboratorRow`]; `c` is `ctv`.
const COLLABORATOR_COLUMNS: &str = "c.ma_ctv, c.nguoi_gioi_thieu, c.ho_ten, c.sdt, c.cap_bac,
    to_char(c.ngay_tham_gia, 'YYYY-MM-DD') AS ngay_tham_gia, c.trang_thai";

#[derive(sqlx::FromRow)]
struct CollaboratorRow {
    ma_ctv: String,
    nguoi_gioi_thieu: Option<String>,
    ho_ten: String,
    sdt: Option<String>,
    cap_bac: String,
    ngay_tham_gia: String,
    trang_thai: String,
}

impl From<CollaboratorRow> for Collaborator {
    fn from(row: CollaboratorRow) -> Self {
        Self {
            ma_ctv: row.ma_ctv,
            introducer: row.nguoi_gioi_thieu,
            name: row.ho_ten,
            phone: row.sdt,
            rank: row.cap_bac,
            joined_on: row.ngay_tham_gia,
            status: row.trang_thai,
        }
    }
}

/// A customer's columns, read into [`CustomerRow`]; `k` is `khach_hang`.
const CUSTOMER_COLUMNS: &str = "k.id, k.ten_khach, k.sdt, to_char(k.ngay_nhap_don, 'YYYY-MM-DD') AS ngay_nhap_don,
    to_char(k.ngay_hen_lam, 'YYYY-MM-DD') AS ngay_hen_lam, k.trang_thai, k.nguoi_chot, k.dich_vu,
    k.so_tien::float8 AS so_tien";

#[derive(sqlx::FromRow)]
struct CustomerRow {
    id: i64,
    ten_khach: String,
    sdt: String,
    ngay_nhap_don: String,
    ngay_hen_lam: Option<String>,
    trang_thai: String,
    nguoi_chot: Option<String>,
    dich_vu: Option<String>,
    so_tien: f64,
}

impl From<CustomerRow> for Customer {
    fn from(row: CustomerRow) -> Self {
        Self {
            id: row.id,
            name: row.ten_khach,
            phone: row.sdt,
            ordered_on: row.ngay_nhap_don,
            appointment_on: row.ngay_hen_lam,
            // The table's CHECK constraint allows only the statuses `CustomerStatus` knows.
            status: CustomerStatus::parse(&row.trang_thai).unwrap_or(CustomerStatus::New),
            closer: row.nguoi_chot,
            service: row.dich_vu,
            amount: row.so_tien,
        }
    }
}

/// `text` with LIKE's wildcards taken literally.
fn like_escaped(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(super::like_escaped("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
