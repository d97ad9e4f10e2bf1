//! Reading one data file, CSV or Parquet, as rows of text cells in the order of a
//! table's columns. Columns are found by name, in any order; extra columns are ignored.

use super::files::{display_name, format_of, FileFormat};
use super::problems::{Location, Problem};
use crate::data::tables::SubscriberTable;
use arrow_array::cast::AsArray;
use arrow_array::{Array, StringArray};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// Rows decoded from Parquet at a time.
const PARQUET_BATCH_ROWS: usize = 16_384;

/// One row as read: its cells (`None` where a Parquet value is null), or why the
/// row could not be read at all.
pub type RowCells<'a> = Result<&'a [Option<&'a str>], String>;

/// What reading a file found besides its rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSummary {
    pub rows: u64,
    /// Columns the file has that the table does not; they are not loaded.
    pub ignored_columns: Vec<String>,
}

/// How many rows a file holds, when it says so up front (Parquet does; CSV does not).
pub fn row_count_hint(path: &Path) -> Option<u64> {
    if format_of(path).ok()? != FileFormat::Parquet {
        return None;
    }
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).ok()?).ok()?;
    u64::try_from(builder.metadata().file_metadata().num_rows()).ok()
}

/// Calls `visit` with every row of `path`, cells in `table`'s column order.
/// A problem with the file as a whole (unreadable, missing columns) ends the read.
pub fn read_rows(
    path: &Path,
    table: SubscriberTable,
    visit: impl FnMut(Location, RowCells<'_>),
) -> Result<FileSummary, Problem> {
    let file_problem = |message: String| Problem {
        file: display_name(path),
        location: Location::File,
        column: None,
        value: None,
        message,
    };
    let format =
        format_of(path).map_err(|_| file_problem("has an unknown file type; name it .csv or .parquet".into()))?;
    let file = File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => file_problem("was not found".into()),
        _ => file_problem(format!("cannot be opened: {e}")),
    })?;
    match format {
        FileFormat::Csv => read_csv(file, table, visit).map_err(file_problem),
        FileFormat::Parquet => read_parquet(file, table, visit).map_err(file_problem),
    }
}

/// Positions of the table's columns among `names`, and the names it does not use.
fn match_columns<'n>(
    table: SubscriberTable,
    names: impl Iterator<Item = &'n str> + Clone,
) -> Result<(Vec<usize>, Vec<String>), String> {
    let columns = table.columns();
    let mut positions = Vec::with_capacity(columns.len());
    let mut missing = Vec::new();
    for column in columns {
        match names.clone().position(|name| name.trim() == column.name) {
            Some(position) => positions.push(position),
            None => missing.push(column.name),
        }
    }
    if !missing.is_empty() {
        let plural = if missing.len() == 1 { "column" } else { "columns" };
        return Err(format!("is missing the {plural} {} (see docs/data-files.md)", missing.join(", ")));
    }
    let ignored = names
        .map(|name| name.trim())
        .filter(|name| !columns.iter().any(|c| c.name == *name))
        .map(str::to_owned)
        .collect();
    Ok((positions, ignored))
}

fn read_csv(
    file: File,
    table: SubscriberTable,
    mut visit: impl FnMut(Location, RowCells<'_>),
) -> Result<FileSummary, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(BufReader::with_capacity(1 << 20, file));
    let headers = reader.headers().map_err(|e| format!("has an unreadable header line: {e}"))?.clone();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err("is empty; expected a header line naming the columns".into());
    }
    let names = headers.iter().enumerate().map(|(i, h)| if i == 0 { h.trim_start_matches('\u{feff}') } else { h });
    let (positions, ignored_columns) = match_columns(table, names)?;

    let mut summary = FileSummary { rows: 0, ignored_columns };
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                summary.rows += 1;
                let line = record.position().map_or(line, |p| p.line());
                if record.len() != headers.len() {
                    let message = format!("has {} fields; the header has {}", record.len(), headers.len());
                    visit(Location::Line(line), Err(message));
                    continue;
                }
                let cells: Vec<Option<&str>> = positions.iter().map(|&i| record.get(i)).collect();
                visit(Location::Line(line), Ok(&cells));
            }
            Err(error) => {
                if let csv::ErrorKind::Io(io) = error.kind() {
                    return Err(format!("could not be read to the end: {io}"));
                }
                summary.rows += 1;
                let line = error.position().map_or(line, |p| p.line());
                visit(Location::Line(line), Err(format!("cannot be read: {error}")));
            }
        }
    }
    Ok(summary)
}

fn read_parquet(
    file: File,
    table: SubscriberTable,
    mut visit: impl FnMut(Location, RowCells<'_>),
) -> Result<FileSummary, String> {
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| format!("is not a readable Parquet file ({e})"))?;
    let schema = builder.schema().clone();
    let (positions, ignored_columns) = match_columns(table, schema.fields().iter().map(|f| f.name().as_str()))?;
    let mask = ProjectionMask::roots(builder.parquet_schema(), positions.iter().copied());
    let reader = builder
        .with_projection(mask)
        .with_batch_size(PARQUET_BATCH_ROWS)
        .build()
        .map_err(|e| format!("is not a readable Parquet file ({e})"))?;

    let mut summary = FileSummary { rows: 0, ignored_columns };
    let columns = table.columns();
    for batch in reader {
        let batch = batch.map_err(|e| format!("is damaged after row {}: {e}", summary.rows))?;
        let texts = columns
            .iter()
            .map(|column| {
                let values = batch.column_by_name(column.name).expect("projected column");
                arrow_cast::cast(values, &DataType::Utf8).map(|text| text.as_string::<i32>().clone()).map_err(|_| {
                    format!(
                        "has column {} of type {}, which cannot be read as a value",
                        column.name,
                        values.data_type()
                    )
                })
            })
            .collect::<Result<Vec<StringArray>, String>>()?;
        let mut cells: Vec<Option<&str>> = Vec::with_capacity(columns.len());
        for i in 0..batch.num_rows() {
            summary.rows += 1;
            cells.clear();
            cells.extend(texts.iter().map(|values| (!values.is_null(i)).then(|| values.value(i))));
            visit(Location::Row(summary.rows), Ok(&cells));
        }
    }
    Ok(summary)
}
