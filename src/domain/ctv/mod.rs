//! The collaborator (CTV) network of seed 000: collaborators bring in customers, each
//! was introduced by another, and commissions flow up 4 levels of the referral chain.
//! Shared by the server and the pages. Dates travel as `YYYY-MM-DD`, periods as `YYYY-MM`.

pub mod commissions;
pub mod customers;
pub mod network;
pub mod network_overview;
pub mod periods;
pub mod rates;
pub mod statements;
