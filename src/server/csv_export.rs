//! `/subscribers/export.csv?…`: a subscriber list, with the list page's filters and
//! order, as a CSV file for Excel (UTF-8 with a BOM so Vietnamese shows as written),
//! streamed as it is read.

use super::error::AppError;
use super::state::AppState;
use crate::data::lists::{ExportBatch, ListRequest, EXPORT_FIELDS};
use crate::domain::ListParams;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

const BOM: &[u8] = "\u{feff}".as_bytes();

pub async fn subscribers_csv(
    State(state): State<AppState>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(params) = params.map_err(|e| AppError::BadRequest { field: "query", message: e.body_text() })?;
    let request = ListRequest::from_params(&params).map_err(AppError::bad_param)?;
    let batches = state.store.recommendation_rows(&state.organization, &request.filter, request.sort);
    let file_name = format!("subscribers-{}.csv", chrono::Local::now().format("%Y-%m-%d"));
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
    ];
    Ok((headers, Body::from_stream(csv_stream(batches))).into_response())
}

/// The BOM and the header line, then one chunk per batch of rows.
fn csv_stream(
    batches: tokio::sync::mpsc::Receiver<Result<ExportBatch, sqlx::Error>>,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    use futures_util::StreamExt;
    let header = futures_util::stream::once(async { csv_lines(BOM.to_vec(), [EXPORT_FIELDS]) });
    let rows = futures_util::stream::unfold(batches, |mut batches| async move {
        let batch = batches.recv().await?;
        let chunk = batch
            .map_err(std::io::Error::other)
            .and_then(|rows| csv_lines(Vec::new(), rows.iter().map(|row| row.iter().map(|(_, value)| value))));
        Some((chunk, batches))
    });
    // Fused: the compression layer polls once more after the end, which `unfold` forbids.
    header.chain(rows).fuse()
}

/// `records` as CSV lines after `start`, every cell neutralized.
fn csv_lines<R, C>(start: Vec<u8>, records: impl IntoIterator<Item = R>) -> Result<Bytes, std::io::Error>
where
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let mut writer = csv::Writer::from_writer(start);
    for record in records {
        for cell in record {
            writer.write_field(neutralized(cell.as_ref()).as_bytes())?;
        }
        writer.write_record(None::<&[u8]>)?;
    }
    writer.into_inner().map(Bytes::from).map_err(|e| std::io::Error::other(e.to_string()))
}

/// A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, carriage
/// return first) gets a leading `'`, which Excel shows as text and does not display.
/// Numbers stay numbers: `-12.5` is a value, not a formula.
pub fn neutralized(value: &str) -> std::borrow::Cow<'_, str> {
    let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && value.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized_and_numbers_kept() {
        for risky in ["=1+1", "+++8cSwyjkh9Cey4SuLVag==", "-cmd", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"x\")"] {
            assert_eq!(neutralized(risky), format!("'{risky}"), "{risky:?}");
        }
        for safe in ["abc", "-12.5", "25000", "Giảm", "", "a=b"] {
            assert_eq!(neutralized(safe), safe, "{safe:?}");
        }
    }

    #[test]
    fn lines_are_csv_with_neutralized_cells() {
        let lines = csv_lines(BOM.to_vec(), [["+ab", "Ổn định", "a,b"]]).unwrap();
        assert_eq!(std::str::from_utf8(&lines).unwrap(), "\u{feff}'+ab,Ổn định,\"a,b\"\n");
    }
}
