//! The collaborator (CTV) network's pages (seed 000): the referral tree, managers'
//! commission report, and the customers with the duplicate-phone rule.

mod commissions;
mod customers;
mod network;

pub use commissions::{get_commission_report, get_commission_statement, CommissionsPage};
pub use customers::{enter_customer, get_customers, CustomersPage};
pub use network::{get_network, search_network, NetworkPage};
