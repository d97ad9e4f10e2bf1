//! The collaborator (CTV) network's pages (seed 000): the referral tree, managers'
//! commission report with its months and rates, and the customers with the
//! duplicate-phone rule.

mod commissions;
mod customers;
mod network;
mod network_overview;
pub mod periods;
pub mod rates;
mod statement;

pub use commissions::{get_commission_report, get_commission_statement, CommissionsPage};
pub use customers::{enter_customer, get_customers, CustomersPage};
pub use network::{get_network, search_network, NetworkPage};
pub use network_overview::get_network_overview;
pub use rates::CommissionRatesPage;
pub use statement::{get_collaborator_statement, StatementPage};
