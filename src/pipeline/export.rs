//! Writing a dataset as seed 002's three files: the format an import reads.

use super::files::{display_name, format_of, DataFiles, FileFormat};
use crate::data::dataset::{Dataset, TableRows};
use crate::data::tables::{ColumnType, SubscriberTable};
use arrow_array::builder::{ArrayBuilder, Float64Builder, Int32Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::fs::{self, File};
use std::io::BufWriter;
use std::path::Path;
use std::sync::Arc;

/// Rows per Parquet row group batch.
const PARQUET_BATCH_ROWS: usize = 65_536;

/// Writes every table to its file. Each file appears complete or not at all: it is
/// written beside its final name and renamed when done.
pub fn write_dataset(
    dataset: &Dataset,
    files: &DataFiles,
    mut progress: impl FnMut(SubscriberTable, u64),
) -> Result<(), String> {
    for table in SubscriberTable::ALL {
        let path = files.path(table);
        let partial = path.with_extension("partial");
        let rows = dataset.table(table);
        let written = match format_of(path)? {
            FileFormat::Csv => write_csv(&partial, table, rows, &mut progress),
            FileFormat::Parquet => write_parquet(&partial, table, rows, &mut progress),
        };
        written.and_then(|()| fs::rename(&partial, path).map_err(|e| e.to_string())).map_err(|e| {
            let _ = fs::remove_file(&partial);
            format!("cannot write {}: {e}", display_name(path))
        })?;
    }
    Ok(())
}

fn write_csv(
    path: &Path,
    table: SubscriberTable,
    rows: &TableRows,
    progress: &mut impl FnMut(SubscriberTable, u64),
) -> Result<(), String> {
    let file = File::create(path).map_err(|e| e.to_string())?;
    let mut writer = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
    writer.write_record(table.columns().iter().map(|c| c.name)).map_err(|e| e.to_string())?;
    for (i, row) in rows.iter().enumerate() {
        writer.write_record(row.iter().map(|value| value.as_deref().unwrap_or(""))).map_err(|e| e.to_string())?;
        if (i + 1) % 10_000 == 0 {
            progress(table, 10_000);
        }
    }
    progress(table, rows.len() % 10_000);
    writer.flush().map_err(|e| e.to_string())
}

/// Numbers as DOUBLE (as pandas writes them), whole numbers as INT32, the rest as text.
fn arrow_type(kind: ColumnType) -> DataType {
    match kind {
        ColumnType::Decimal { .. } | ColumnType::Percent => DataType::Float64,
        ColumnType::Integer => DataType::Int32,
        _ => DataType::Utf8,
    }
}

fn write_parquet(
    path: &Path,
    table: SubscriberTable,
    rows: &TableRows,
    progress: &mut impl FnMut(SubscriberTable, u64),
) -> Result<(), String> {
    let columns = table.columns();
    let schema = Arc::new(Schema::new(
        columns.iter().map(|c| Field::new(c.name, arrow_type(c.kind), !c.required)).collect::<Vec<_>>(),
    ));
    let properties = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
    let file = File::create(path).map_err(|e| e.to_string())?;
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(properties)).map_err(|e| e.to_string())?;

    let new_builders = || -> Vec<Box<dyn ArrayBuilder>> {
        columns
            .iter()
            .map(|c| -> Box<dyn ArrayBuilder> {
                match arrow_type(c.kind) {
                    DataType::Float64 => Box::new(Float64Builder::with_capacity(PARQUET_BATCH_ROWS)),
                    DataType::Int32 => Box::new(Int32Builder::with_capacity(PARQUET_BATCH_ROWS)),
                    _ => Box::new(StringBuilder::new()),
                }
            })
            .collect()
    };
    let mut builders = new_builders();
    let mut pending = 0;
    let mut flush = |builders: &mut Vec<Box<dyn ArrayBuilder>>, pending: &mut usize| -> Result<(), String> {
        let arrays: Vec<ArrayRef> = builders.iter_mut().map(|b| b.finish()).collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(|e| e.to_string())?;
        writer.write(&batch).map_err(|e| e.to_string())?;
        progress(table, std::mem::take(pending) as u64);
        Ok(())
    };
    for row in rows.iter() {
        for (builder, value) in builders.iter_mut().zip(&row) {
            append(builder.as_mut(), value.as_deref())?;
        }
        pending += 1;
        if pending == PARQUET_BATCH_ROWS {
            flush(&mut builders, &mut pending)?;
        }
    }
    if pending > 0 {
        flush(&mut builders, &mut pending)?;
    }
    writer.close().map_err(|e| e.to_string())?;
    Ok(())
}

/// Appends one canonical value (see `Column::normalize`) to its column's builder.
fn append(builder: &mut dyn ArrayBuilder, value: Option<&str>) -> Result<(), String> {
    let any = builder.as_any_mut();
    if let Some(numbers) = any.downcast_mut::<Float64Builder>() {
        numbers.append_option(value.map(|v| v.parse::<f64>()).transpose().map_err(|e| e.to_string())?);
    } else if let Some(numbers) = any.downcast_mut::<Int32Builder>() {
        numbers.append_option(value.map(|v| v.parse::<i32>()).transpose().map_err(|e| e.to_string())?);
    } else if let Some(texts) = any.downcast_mut::<StringBuilder>() {
        texts.append_option(value);
    }
    Ok(())
}
