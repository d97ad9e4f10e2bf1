mod bulk;
mod campaigns;
pub mod ctv;
mod dashboards;
mod not_found;
mod overview;
mod subscriber;
pub mod subscriber_list;
mod transactions;

pub use bulk::{lookup_isdn_list, BulkLookupPage};
pub use campaigns::{preview_campaign, CampaignsPage};
pub use ctv::{CommissionsPage, CustomersPage, NetworkPage};
pub use dashboards::{get_dashboards, DashboardsPage};
pub use not_found::NotFoundPage;
pub use overview::{get_overview, OverviewPage};
pub use subscriber::{get_subscriber, SubscriberPage};
pub use subscriber_list::{get_subscriber_list, SubscriberListPage};
pub use transactions::{get_transaction_dashboard, TransactionsPage};
