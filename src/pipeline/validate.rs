//! Checking every row of the three files and keeping the good ones as a dataset.
//!
//! Each value is checked against its column (type, enum, range, format); then the
//! rows against each other: no ISDN twice, no month twice for one ISDN, and no
//! profile or monthly row for an ISDN without a recommendation.

use super::files::{display_name, DataFiles};
use super::problems::{Location, Problem, Problems};
use super::read::{read_rows, FileSummary, RowCells};
use crate::data::dataset::{Dataset, TableRows};
use crate::data::tables::SubscriberTable;
use crate::domain::field_error::{FieldError, Problem as Refusal};
use crate::domain::language::Language;
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
///
/// The recommendations file is read first (it says which ISDNs exist); the profile
/// and monthly files are then read side by side.
pub fn read_dataset(files: &DataFiles, progress: impl Fn(ReadProgress) + Sync) -> Result<ReadDataset, Problems> {
    let mut isdns = HashMap::new();
    let recommendations =
        check_file(files, SubscriberTable::Recommendations, Keys::Recommendations(&mut isdns), &progress);
    let known = KnownIsdns { ids: isdns, complete: recommendations.outcome.is_ok() };
    let (profiles, monthly_arpu) = std::thread::scope(|scope| {
        let profiles = scope.spawn(|| {
            let keys = Keys::Profiles { known: &known, seen: HashMap::new() };
            check_file(files, SubscriberTable::Profiles, keys, &progress)
        });
        let keys = Keys::Months { known: &known, seen: HashMap::new() };
        let monthly_arpu = check_file(files, SubscriberTable::MonthlyArpu, keys, &progress);
        (profiles.join().expect("the profile reader does not panic"), monthly_arpu)
    });

    let mut problems = Problems::default();
    let mut dataset = Dataset::default();
    let mut summaries = Vec::new();
    for (table, checked) in [
        (SubscriberTable::Recommendations, recommendations),
        (SubscriberTable::Profiles, profiles),
        (SubscriberTable::MonthlyArpu, monthly_arpu),
    ] {
        problems.absorb(checked.problems);
        *dataset.table_mut(table) = checked.rows;
        if let Ok(summary) = checked.outcome {
            summaries.push((table, summary));
        }
    }
    if problems.is_empty() {
        Ok(ReadDataset { dataset, files: summaries })
    } else {
        Err(problems)
    }
}

/// The ISDNs of the recommendations file, each with a small id and where it was first seen.
struct KnownIsdns {
    ids: HashMap<String, (u32, Location)>,
    /// False when the recommendations file could not be read: then no row is called orphaned.
    complete: bool,
}

/// How a file's rows are checked against each other and the recommendations.
enum Keys<'k> {
    Recommendations(&'k mut HashMap<String, (u32, Location)>),
    Profiles { known: &'k KnownIsdns, seen: HashMap<u32, Location> },
    Months { known: &'k KnownIsdns, seen: HashMap<(u32, u32), Location> },
}

/// One file's good rows and problems.
struct CheckedFile {
    rows: TableRows,
    problems: Problems,
    outcome: Result<FileSummary, ()>,
}

fn check_file(
    files: &DataFiles,
    table: SubscriberTable,
    mut keys: Keys<'_>,
    progress: &impl Fn(ReadProgress),
) -> CheckedFile {
    let path = files.path(table);
    let file = display_name(path);
    let mut rows = TableRows::default();
    let mut problems = Problems::default();
    let mut pending = 0;
    let outcome = read_rows(path, table, |location, cells| {
        if let Some(values) = check_row(table, &file, location, cells, &mut keys, &mut problems) {
            rows.push(values.iter().map(|v| v.as_deref()));
        }
        pending += 1;
        if pending == PROGRESS_EVERY {
            progress(ReadProgress::Rows(table, std::mem::take(&mut pending)));
        }
    });
    progress(ReadProgress::Rows(table, pending));
    progress(ReadProgress::Done(table));
    let outcome = match outcome {
        Ok(summary) if summary.rows == 0 => {
            problems.add(Problem {
                file,
                location: Location::File,
                column: None,
                value: None,
                message: "has no rows".into(),
            });
            Err(())
        }
        Ok(summary) => Ok(summary),
        Err(problem) => {
            problems.add(problem);
            Err(())
        }
    };
    CheckedFile { rows, problems, outcome }
}

/// The row's canonical values, or `None` after recording its problems.
fn check_row<'c>(
    table: SubscriberTable,
    file: &str,
    location: Location,
    cells: RowCells<'c>,
    keys: &mut Keys<'_>,
    problems: &mut Problems,
) -> Option<Vec<Option<Cow<'c, str>>>> {
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
            problems.add(problem(None, None, message));
            problems.count_failed_row();
            return None;
        }
    };

    let mut row_ok = true;
    let mut values: Vec<Option<Cow<'c, str>>> = Vec::with_capacity(cells.len());
    for (cell, column) in cells.iter().zip(table.columns()) {
        match column.normalize(cell.unwrap_or("")) {
            Ok(value) => values.push(value),
            Err(message) => {
                row_ok = false;
                problems.add(problem(Some(column.name), *cell, message));
                values.push(None);
            }
        }
    }

    // Every table's first column is the ISDN; monthly rows have the month second.
    if let Some(isdn) = values[0].as_deref() {
        if let Err(refused) = keys.check(isdn, values.get(1), &location) {
            let (column, message) = (refused.field, refused.message(Language::En));
            row_ok = false;
            let value = if column == "isdn" { Some(isdn) } else { values[1].as_deref() };
            problems.add(problem(Some(column), value, message));
        }
    }

    if row_ok {
        Some(values)
    } else {
        problems.count_failed_row();
        None
    }
}

impl Keys<'_> {
    /// Checks the row's key against the rows seen before it; names the column at fault.
    fn check(
        &mut self,
        isdn: &str,
        second: Option<&Option<Cow<'_, str>>>,
        location: &Location,
    ) -> Result<(), FieldError> {
        let twice = |first: Location| Refusal::Twice { first: first.to_string() };
        let id_of = |known: &KnownIsdns| match known.ids.get(isdn) {
            Some(&(id, _)) => Ok(Some(id)),
            None if known.complete => Err(FieldError::new("isdn", Refusal::NoRecommendation)),
            None => Ok(None),
        };
        match self {
            Keys::Recommendations(ids) => {
                if let Some((_, first)) = ids.get(isdn) {
                    return Err(FieldError::new("isdn", twice(first.clone())));
                }
                let next_id = ids.len() as u32;
                ids.insert(isdn.to_owned(), (next_id, location.clone()));
                Ok(())
            }
            Keys::Profiles { known, seen } => match id_of(known)? {
                Some(id) => first_time(seen, id, location).map_err(|first| FieldError::new("isdn", twice(first))),
                None => Ok(()),
            },
            Keys::Months { known, seen } => match (id_of(known)?, second) {
                (Some(id), Some(Some(month))) => {
                    let month: u32 = month.parse().expect("a validated YYYYMM");
                    first_time(seen, (id, month), location).map_err(|first| {
                        FieldError::new("data_month", Refusal::TwiceForIsdn { first: first.to_string() })
                    })
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

/// The import validators under generated damage: valid files (from the generator) with
/// arbitrary text written into cells, as CSV or Parquet. Reading never panics, and every
/// refusal names the file, the line (CSV) or row (Parquet), the column and the value.
#[cfg(test)]
mod properties {
    use super::*;
    use crate::data::dataset::Dataset;
    use crate::pipeline::files::FileFormat;
    use arrow_array::builder::StringBuilder;
    use arrow_array::{ArrayRef, RecordBatch};
    use arrow_schema::{DataType, Field, Schema};
    use proptest::prelude::*;
    use std::collections::BTreeMap;
    use std::path::Path;
    use std::sync::{Arc, LazyLock};

    /// Each table's rows as text, from a few generated subscribers.
    static ROWS: LazyLock<Vec<Vec<Vec<Option<String>>>>> = LazyLock::new(|| {
        let records = crate::server::generate::generate(29, 0.001);
        let dataset = Dataset::from_records(&records[..3]);
        SubscriberTable::ALL.iter().map(|&table| dataset.table(table).iter().collect()).collect()
    });

    /// A cell's new text: `(table, row, column, text)`, keys left alone (the ISDN, and
    /// the month of a monthly row) so every problem is the damaged cell's own.
    fn damage() -> impl Strategy<Value = (usize, usize, usize, String)> {
        let text = prop_oneof![
            // Anything but a carriage return (CSV line numbers count newlines only).
            "[^\r]{0,40}",
            // Near misses of the columns' types.
            "-?[0-9]{0,12}(\\.[0-9]{0,6})?",
            "(LOW|MEDIUM|HIGH|PRE|POST|low|EasyCredit|MBFG|N/A|NaN|inf|1e309| )",
            "20[0-9]{2}-[0-9]{2}-[0-9]{2}|20[0-9]{4}|\\[\"[a-z]{0,5}\"\\]",
        ];
        (0..3usize, 0..100usize, 0..40usize, text)
    }

    fn first_damageable_column(table: SubscriberTable) -> usize {
        match table {
            SubscriberTable::MonthlyArpu => 2,
            _ => 1,
        }
    }

    /// Writes `rows` as CSV; returns the line each row starts on (the header is line 1).
    fn write_csv(path: &Path, table: SubscriberTable, rows: &[Vec<Option<String>>]) -> Vec<u64> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(table.columns().iter().map(|c| c.name)).unwrap();
        let mut lines = Vec::new();
        for row in rows {
            writer.flush().unwrap();
            lines.push(1 + writer.get_ref().iter().filter(|&&b| b == b'\n').count() as u64);
            writer.write_record(row.iter().map(|v| v.as_deref().unwrap_or(""))).unwrap();
        }
        std::fs::write(path, writer.into_inner().unwrap()).unwrap();
        lines
    }

    /// Writes `rows` as Parquet, every column as text.
    fn write_parquet(path: &Path, table: SubscriberTable, rows: &[Vec<Option<String>>]) {
        let columns = table.columns();
        let schema =
            Arc::new(Schema::new(columns.iter().map(|c| Field::new(c.name, DataType::Utf8, true)).collect::<Vec<_>>()));
        let arrays: Vec<ArrayRef> = (0..columns.len())
            .map(|i| {
                let mut builder = StringBuilder::new();
                for row in rows {
                    builder.append_option(row[i].as_deref());
                }
                Arc::new(builder.finish()) as ArrayRef
            })
            .collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays).unwrap();
        let mut writer =
            parquet::arrow::ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn damaged_cells_are_refused_by_line_or_row_and_column(
            formats in proptest::collection::vec(any::<bool>(), 3),
            damages in proptest::collection::vec(damage(), 1..8),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let format = |parquet: bool| if parquet { FileFormat::Parquet } else { FileFormat::Csv };
            let name = |table: SubscriberTable, parquet: bool| {
                let extension = if parquet { "parquet" } else { "csv" };
                dir.path().join(format!("{}.{extension}", table.table_name()))
            };
            let files = DataFiles {
                recommendations: name(SubscriberTable::Recommendations, formats[0]),
                profiles: name(SubscriberTable::Profiles, formats[1]),
                monthly_arpu: name(SubscriberTable::MonthlyArpu, formats[2]),
            };
            // (table, location) → column → the damaged text.
            let mut damaged: BTreeMap<(usize, String), BTreeMap<&'static str, String>> = BTreeMap::new();
            let mut written = Vec::new();
            for (t, &table) in SubscriberTable::ALL.iter().enumerate() {
                let mut rows = ROWS[t].clone();
                let columns = table.columns();
                let mut cells = BTreeMap::new();
                for (dt, row, column, text) in &damages {
                    if *dt != t || rows.is_empty() {
                        continue;
                    }
                    let row = row % rows.len();
                    let first = first_damageable_column(table);
                    let column = first + column % (columns.len() - first);
                    rows[row][column] = Some(text.clone());
                    cells.insert((row, column), text.clone());
                }
                let path = files.path(table);
                let locations: Vec<Location> = match format(formats[t]) {
                    FileFormat::Csv => write_csv(path, table, &rows).into_iter().map(Location::Line).collect(),
                    FileFormat::Parquet => {
                        write_parquet(path, table, &rows);
                        (1..=rows.len() as u64).map(Location::Row).collect()
                    }
                };
                for ((row, column), text) in cells {
                    damaged.entry((t, locations[row].to_string())).or_default().insert(columns[column].name, text);
                }
                written.push(table);
            }

            // No panic, whatever the cells hold.
            let outcome = read_dataset(&files, |_| {});

            let refused_cells: Vec<(usize, String, &str, &str)> = damaged
                .iter()
                .flat_map(|((t, location), cells)| {
                    let table = SubscriberTable::ALL[*t];
                    cells.iter().filter_map(move |(column, text)| {
                        let spec = table.columns().iter().find(|c| c.name == *column).unwrap();
                        spec.normalize(text).is_err().then(|| (*t, location.clone(), *column, text.as_str()))
                    })
                })
                .collect();
            match outcome {
                Ok(_) => prop_assert!(refused_cells.is_empty(), "accepted {:?}", refused_cells),
                Err(problems) => {
                    prop_assert_eq!(problems.total() as usize, refused_cells.len(), "{}", problems.report());
                    for problem in problems.listed() {
                        let table = written.iter().position(|t| files.path(*t).ends_with(&problem.file));
                        prop_assert!(table.is_some(), "names its file: {}", problem);
                        prop_assert!(matches!(problem.location, Location::Line(_) | Location::Row(_)), "{}", problem);
                        let column = problem.column.as_deref();
                        prop_assert!(column.is_some(), "names its column: {}", problem);
                        let expected = damaged
                            .get(&(table.unwrap(), problem.location.to_string()))
                            .and_then(|cells| cells.get(column.unwrap()));
                        prop_assert_eq!(problem.value.as_ref(), expected, "{}", problem);
                        let shown = problem.to_string();
                        prop_assert!(
                            shown.contains(&problem.location.to_string()) && shown.contains(column.unwrap()),
                            "{}",
                            shown
                        );
                    }
                }
            }
        }
    }
}
