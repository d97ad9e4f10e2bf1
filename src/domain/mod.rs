//! What the server and the browser share: the vocabulary of the seeds as typed values,
//! each parsed and checked once, and the shapes of what the pages show. Nothing here
//! reads a database; `data/` fills these types and `pages/` shows them.

pub mod access;
pub mod admin;
pub mod analytics;
pub mod campaign;
pub mod ctv;
pub mod dates;
pub mod field_error;
pub mod figures;
pub mod format;
pub mod isdn;
pub mod isdn_list;
pub mod language;
pub mod lists;
pub mod membership;
pub mod organization;
pub mod profile;
pub mod profile_text;
pub mod query;
pub mod recommendation;
pub mod security_event;
pub mod server_error;
pub mod transactions;
