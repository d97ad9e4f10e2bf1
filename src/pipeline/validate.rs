//! Checking every row of the three files and keeping the good ones as a dataset.
//!
//! Each value is checked against its column (type, enum, range, format); then the
//! rows against each other: no ISDN twice, no month twice for one ISDN, and no
//! profile or monthly row for an ISDN without a recommendation.

use super::files::{display_name, DataFiles};
use super::problems::{Location, Problem, Problems};
use super::read::{read_rows, FileSummary, RowCells};
use crate::data::dataset::Dataset;
use crate::data::tables::SubscriberTable;
use std::borrow::Cow;
use std::collections::hash_map::{Entry, HashMap};
use std::hash::Hash;

/// Where reading is, for progress reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadProgress {
    /// This many more rows of the table's file are read.
    Rows(SubscriberTable, u64),
    /// The table's file is read to its end.
    Done(SubscriberTable),
}

/// Report progress every this many rows.
const PROGRESS_EVERY: u64 = 10_000;

/// A validated dataset, and what the files held besides it.
pub struct ReadDataset {
    pub dataset: Dataset,
    pub files: Vec<(SubscriberTable, FileSummary)>,
}

/// Reads and checks the three files. Either every row is good and the dataset is
/// returned, or every problem found is (up to the report's cap, with a count).
pub fn read_dataset(
    files: &DataFiles,
    mut progress: impl FnMut(ReadProgress),
) -> Result<ReadDataset, Problems> {
    let mut checker = Checker::default();
    let mut summaries = Vec::new();
    for table in SubscriberTable::ALL {
        let path = files.path(table);
        let file = display_name(path);
        let mut pending = 0;
        let outcome = read_rows(path, table, |location, cells| {
            checker.check_row(table, &file, location, cells);
            pending += 1;
            if pending == PROGRESS_EVERY {
                progress(ReadProgress::Rows(table, std::mem::take(&mut pending)));
            }
        });
        progress(ReadProgress::Rows(table, pending));
        progress(ReadProgress::Done(table));
        match outcome {
            Ok(summary) if summary.rows == 0 => checker.problems.add(Problem {
                file,
                location: Location::File,
                column: None,
                value: None,
                message: "has no rows".into(),
            }),
            Ok(summary) => summaries.push((table, summary)),
            Err(problem) => {
                if table == SubscriberTable::Recommendations {
                    // Without the recommendations every other row would look orphaned.
                    checker.recommendations_unknown = true;
                }
                checker.problems.add(problem);
            }
        }
    }
    if checker.problems.is_empty() {
        Ok(ReadDataset { dataset: checker.dataset, files: summaries })
    } else {
        Err(checker.problems)
    }
}

#[derive(Default)]
struct Checker {
    dataset: Dataset,
    problems: Problems,
    /// Each recommendation's ISDN and where it was first seen.
    recommendations: HashMap<String, (u32, Location)>,
    recommendations_unknown: bool,
    profiles: HashMap<u32, Location>,
    months: HashMap<(u32, u32), Location>,
}

impl Checker {
    fn check_row(&mut self, table: SubscriberTable, file: &str, location: Location, cells: RowCells<'_>) {
        let problem = |column: Option<&str>, value: Option<&str>, message: String| Problem {
            file: file.to_owned(),
            location: location.clone(),
            column: column.map(str::to_owned),
            value: value.map(str::to_owned),
            message,
        };
        let cells = match cells {
            Ok(cells) => cells,
            Err(message) => {
                self.problems.add(problem(None, None, message));
                self.problems.count_failed_row();
                return;
            }
        };

        let mut row_ok = true;
        let mut values: Vec<Option<Cow<'_, str>>> = Vec::with_capacity(cells.len());
        for (cell, column) in cells.iter().zip(table.columns()) {
            match column.normalize(cell.unwrap_or("")) {
                Ok(value) => values.push(value),
                Err(message) => {
                    row_ok = false;
                    self.problems.add(problem(Some(column.name), *cell, message));
                    values.push(None);
                }
            }
        }

        // Every table's first column is the ISDN; monthly rows have the month second.
        if let Some(isdn) = values[0].as_deref() {
            if let Err((column, message)) = self.check_keys(table, isdn, values.get(1), &location) {
                row_ok = false;
                let value = if column == "isdn" { Some(isdn) } else { values[1].as_deref() };
                self.problems.add(problem(Some(column), value, message));
            }
        }

        if row_ok {
            self.dataset.table_mut(table).push(values.iter().map(|v| v.as_deref()));
        } else {
            self.problems.count_failed_row();
        }
    }

    /// Checks the row's key against the rows seen before it; names the column at fault.
    fn check_keys(
        &mut self,
        table: SubscriberTable,
        isdn: &str,
        second: Option<&Option<Cow<'_, str>>>,
        location: &Location,
    ) -> Result<(), (&'static str, String)> {
        let twice = |first: Location| format!("appears more than once (first at {first})");
        if table == SubscriberTable::Recommendations {
            let next_id = self.recommendations.len() as u32;
            if let Some((_, first)) = self.recommendations.get(isdn) {
                return Err(("isdn", twice(first.clone())));
            }
            self.recommendations.insert(isdn.to_owned(), (next_id, location.clone()));
            return Ok(());
        }
        if self.recommendations_unknown {
            return Ok(());
        }
        let Some(&(id, _)) = self.recommendations.get(isdn) else {
            return Err(("isdn", "has no row in the recommendations file".into()));
        };
        match table {
            SubscriberTable::Profiles => first_time(&mut self.profiles, id, location).map_err(|first| ("isdn", twice(first))),
            _ => match second {
                Some(Some(month)) => {
                    let month: u32 = month.parse().expect("a validated YYYYMM");
                    first_time(&mut self.months, (id, month), location)
                        .map_err(|first| ("data_month", format!("appears twice for this ISDN (first at {first})")))
                }
                _ => Ok(()),
            },
        }
    }
}

/// Records `key` as seen at `location`, or says where it was seen first.
fn first_time<K: Hash + Eq>(seen: &mut HashMap<K, Location>, key: K, location: &Location) -> Result<(), Location> {
    match seen.entry(key) {
        Entry::Occupied(first) => Err(first.get().clone()),
        Entry::Vacant(slot) => {
            slot.insert(location.clone());
            Ok(())
        }
    }
}
