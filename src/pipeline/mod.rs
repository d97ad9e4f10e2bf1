//! Seed 002's data files: reading and validating them into a [`Dataset`], and
//! writing a dataset back out in the same format.
//!
//! [`Dataset`]: crate::data::dataset::Dataset

pub mod export;
pub mod files;
pub mod problems;
pub mod read;
pub mod validate;

pub use files::DataFiles;
pub use problems::{Location, Problem, Problems};
