//! Which file holds which table, and where the files are.

use crate::data::tables::SubscriberTable;
use std::path::{Path, PathBuf};

/// How a file is encoded, from its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Parquet,
}

/// The three files of one dataset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataFiles {
    pub recommendations: PathBuf,
    pub profiles: PathBuf,
    pub monthly_arpu: PathBuf,
}

impl DataFiles {
    /// Seed 002's file names, in load order.
    pub fn standard_name(table: SubscriberTable) -> &'static str {
        match table {
            SubscriberTable::Recommendations => "recommendations_final_filtered.csv",
            SubscriberTable::Profiles => "subscriber_360_profile.parquet",
            SubscriberTable::MonthlyArpu => "subscriber_monthly_summary.parquet",
        }
    }

    /// The files with their standard names in `dir`.
    pub fn in_dir(dir: &Path) -> Self {
        let path = |table| dir.join(Self::standard_name(table));
        Self {
            recommendations: path(SubscriberTable::Recommendations),
            profiles: path(SubscriberTable::Profiles),
            monthly_arpu: path(SubscriberTable::MonthlyArpu),
        }
    }

    pub fn path(&self, table: SubscriberTable) -> &Path {
        match table {
            SubscriberTable::Recommendations => &self.recommendations,
            SubscriberTable::Profiles => &self.profiles,
            SubscriberTable::MonthlyArpu => &self.monthly_arpu,
        }
    }
}

/// CSV for `.csv` (and `.txt`), Parquet for `.parquet` (and `.pq`); anything else is refused.
pub fn format_of(path: &Path) -> Result<FileFormat, String> {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match extension.as_str() {
        "csv" | "txt" => Ok(FileFormat::Csv),
        "parquet" | "pq" => Ok(FileFormat::Parquet),
        _ => Err(format!("{}: unknown file type; name it .csv or .parquet", path.display())),
    }
}

/// A file's name for messages.
pub fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}
