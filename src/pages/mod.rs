mod not_found;
mod overview;
mod subscriber;

pub use not_found::NotFoundPage;
pub use overview::{get_overview, OverviewPage};
pub use subscriber::{get_subscriber, SubscriberPage};
