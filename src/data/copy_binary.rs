//! Rows in PostgreSQL's binary COPY format: the server takes values as they are stored
//! instead of parsing text (a fifth less of its time per transaction row, measured in
//! BENCHMARKS.md), for the loads whose rows are many and whose types are few.

use chrono::NaiveDateTime;
use sqlx::PgConnection;
use uuid::Uuid;

const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

/// PostgreSQL's timestamps count microseconds from 2000-01-01 00:00:00.
const POSTGRES_EPOCH_MICROS_FROM_UNIX: i64 = 946_684_800 * 1_000_000;

/// Builds a binary COPY stream: the header, then rows of fields, then `finish`'s trailer.
pub(super) struct BinaryCopyBuffer {
    bytes: Vec<u8>,
}

impl BinaryCopyBuffer {
    pub fn with_capacity(bytes: usize) -> Self {
        let mut buffer = Vec::with_capacity(bytes + SIGNATURE.len() + 10);
        buffer.extend_from_slice(SIGNATURE);
        buffer.extend_from_slice(&0i32.to_be_bytes()); // flags: no OIDs
        buffer.extend_from_slice(&0i32.to_be_bytes()); // no header extension
        Self { bytes: buffer }
    }

    pub fn row(&mut self, fields: i16) -> &mut Self {
        self.bytes.extend_from_slice(&fields.to_be_bytes());
        self
    }

    fn field(&mut self, value: &[u8]) -> &mut Self {
        let length = i32::try_from(value.len()).expect("a field shorter than 2 GiB");
        self.bytes.extend_from_slice(&length.to_be_bytes());
        self.bytes.extend_from_slice(value);
        self
    }

    pub fn uuid(&mut self, value: Uuid) -> &mut Self {
        self.field(value.as_bytes())
    }

    /// A `TIMESTAMP` (without time zone).
    pub fn timestamp(&mut self, value: NaiveDateTime) -> &mut Self {
        let micros = value.and_utc().timestamp_micros() - POSTGRES_EPOCH_MICROS_FROM_UNIX;
        self.field(&micros.to_be_bytes())
    }

    /// `TEXT` or `VARCHAR`: UTF-8 as it is.
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.field(value.as_bytes())
    }

    /// Hundredths as a `DECIMAL(_, 2)`: base-10,000 digits, most significant first,
    /// `weight` the power of 10,000 of the first, the fraction's two decimals the last
    /// digit's first two (0.05 is the digit 500 at weight -1).
    pub fn cents(&mut self, cents: i64) -> &mut Self {
        let magnitude = cents.unsigned_abs();
        let (mut whole, fraction) = (magnitude / 100, (magnitude % 100) as i16 * 100);
        let mut digits: Vec<i16> = Vec::with_capacity(6);
        while whole > 0 {
            digits.push((whole % 10_000) as i16);
            whole /= 10_000;
        }
        digits.reverse();
        let weight = digits.len() as i16 - 1;
        if fraction != 0 {
            digits.push(fraction);
        }
        // PostgreSQL stores no trailing zero digits (its own sends never carry them).
        while digits.last() == Some(&0) {
            digits.pop();
        }
        let weight = if digits.is_empty() { 0 } else { weight };
        let sign: i16 = if cents < 0 { 0x4000 } else { 0 };
        let mut value = Vec::with_capacity(8 + 2 * digits.len());
        for part in [digits.len() as i16, weight, sign, 2] {
            value.extend_from_slice(&part.to_be_bytes());
        }
        for digit in digits {
            value.extend_from_slice(&digit.to_be_bytes());
        }
        self.field(&value)
    }

    /// The stream with its trailer.
    pub fn finish(mut self) -> Vec<u8> {
        self.bytes.extend_from_slice(&(-1i16).to_be_bytes());
        self.bytes
    }
}

/// Sends `stream` (a finished `BinaryCopyBuffer`) as `COPY table (columns)`; the rows stored.
pub(super) async fn copy_binary(
    conn: &mut PgConnection,
    table: &str,
    columns: &str,
    stream: &[u8],
) -> Result<u64, sqlx::Error> {
    let mut copy = conn.copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN (FORMAT binary)")).await?;
    // The protocol's messages need not end on a row's end.
    for chunk in stream.chunks(1 << 20) {
        copy.send(chunk).await?;
    }
    copy.finish().await
}

#[cfg(test)]
mod tests {
    use super::BinaryCopyBuffer;

    fn cents_field(cents: i64) -> Vec<u8> {
        let mut buffer = BinaryCopyBuffer::with_capacity(0);
        let header = buffer.bytes.len();
        buffer.cents(cents);
        buffer.bytes[header + 4..].to_vec()
    }

    fn numeric(digits: &[i16], weight: i16, negative: bool) -> Vec<u8> {
        let mut expected = Vec::new();
        for part in [digits.len() as i16, weight, if negative { 0x4000 } else { 0 }, 2].iter().chain(digits) {
            expected.extend_from_slice(&part.to_be_bytes());
        }
        expected
    }

    #[test]
    fn cents_become_base_ten_thousand_digits() {
        assert_eq!(cents_field(0), numeric(&[], 0, false));
        assert_eq!(cents_field(5), numeric(&[500], -1, false));
        assert_eq!(cents_field(5_000_000), numeric(&[5], 1, false));
        assert_eq!(cents_field(1_234_567_891), numeric(&[1234, 5678, 9100], 1, false));
        assert_eq!(cents_field(-123_456), numeric(&[1234, 5600], 0, true));
    }

    #[test]
    fn a_stream_has_the_signature_rows_and_trailer() {
        let mut buffer = BinaryCopyBuffer::with_capacity(0);
        buffer.row(1).text("ab");
        let bytes = buffer.finish();
        assert_eq!(&bytes[..11], b"PGCOPY\n\xff\r\n\0");
        assert_eq!(&bytes[19..], [0, 1, 0, 0, 0, 2, b'a', b'b', 0xff, 0xff]);
    }
}
