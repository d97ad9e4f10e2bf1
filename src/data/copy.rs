//! Rows in PostgreSQL's COPY text format, the fastest way to load many rows.

use std::fmt::Write;

/// Builds COPY text rows into a buffer that is sent in chunks.
#[derive(Default)]
pub(super) struct CopyBuffer {
    text: String,
    row_started: bool,
}

impl CopyBuffer {
    fn separate(&mut self) {
        if self.row_started {
            self.text.push('\t');
        }
        self.row_started = true;
    }

    pub fn text(&mut self, value: &str) -> &mut Self {
        self.separate();
        for c in value.chars() {
            match c {
                '\\' => self.text.push_str("\\\\"),
                '\t' => self.text.push_str("\\t"),
                '\n' => self.text.push_str("\\n"),
                '\r' => self.text.push_str("\\r"),
                c => self.text.push(c),
            }
        }
        self
    }

    /// Leading fields already in COPY format, each followed by its tab, as they are.
    pub fn raw(&mut self, copy_text: &str) -> &mut Self {
        self.text.push_str(copy_text);
        self
    }

    /// A missing value (SQL NULL).
    pub fn null(&mut self) -> &mut Self {
        self.separate();
        self.text.push_str("\\N");
        self
    }

    pub fn optional_text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(value) => self.text(value),
            None => self.null(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn json<T: serde::Serialize>(&mut self, value: &T) -> &mut Self {
        let encoded = serde_json::to_string(value).expect("plain data serializes");
        self.text(&encoded)
    }

    pub fn int(&mut self, value: i64) -> &mut Self {
        self.separate();
        write!(self.text, "{value}").expect("writing to a String");
        self
    }

    /// A `DECIMAL(_, 2)` value.
    pub fn decimal(&mut self, value: f64) -> &mut Self {
        self.separate();
        write!(self.text, "{value:.2}").expect("writing to a String");
        self
    }

    /// A `DECIMAL(_, 4)` value.
    pub fn decimal4(&mut self, value: f64) -> &mut Self {
        self.separate();
        write!(self.text, "{value:.4}").expect("writing to a String");
        self
    }

    /// Hundredths as a `DECIMAL(_, 2)` value, without floating-point rounding.
    pub fn cents(&mut self, cents: i64) -> &mut Self {
        self.separate();
        let sign = if cents < 0 { "-" } else { "" };
        write!(self.text, "{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100).expect("writing to a String");
        self
    }

    pub fn end_row(&mut self) {
        self.text.push('\n');
        self.row_started = false;
    }
}

/// The fields of one COPY text line, unescaped; `None` for NULL.
pub(super) fn split_line(line: &str) -> impl Iterator<Item = Option<String>> + '_ {
    line.split('\t').map(|field| {
        if field == "\\N" {
            return None;
        }
        let mut value = String::with_capacity(field.len());
        let mut chars = field.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                value.push(c);
                continue;
            }
            match chars.next() {
                Some('t') => value.push('\t'),
                Some('n') => value.push('\n'),
                Some('r') => value.push('\r'),
                Some(other) => value.push(other),
                None => value.push('\\'),
            }
        }
        Some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::{split_line, CopyBuffer};

    #[test]
    fn lines_split_back_into_their_values() {
        let mut buffer = CopyBuffer::default();
        buffer.text("a\tb\\c\nd").null().optional_text(Some("x")).int(7);
        buffer.end_row();
        let text = buffer.as_str().to_owned();
        let fields: Vec<_> = split_line(text.trim_end_matches('\n')).collect();
        assert_eq!(fields, [Some("a\tb\\c\nd".to_owned()), None, Some("x".to_owned()), Some("7".to_owned())]);
    }

    #[test]
    fn escapes_copy_specials_and_formats_numbers() {
        let mut buffer = CopyBuffer::default();
        buffer.text("a\tb\\c\nd").cents(-5).cents(123_456).decimal(2.5).decimal4(0.12345).int(7);
        buffer.end_row();
        buffer.json(&vec!["Tăng \"x\""]);
        buffer.end_row();
        assert_eq!(buffer.as_str(), "a\\tb\\\\c\\nd\t-0.05\t1234.56\t2.50\t0.1235\t7\n[\"Tăng \\\\\"x\\\\\"\"]\n");
    }
}
