//! What is wrong with a set of data files, worded for the person who has to fix them.

use std::fmt;

/// Where in a file a problem is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// The file as a whole (missing, unreadable, empty, missing columns).
    File,
    /// A line of a text file, counting the header as line 1.
    Line(u64),
    /// A row of a Parquet file, counting from 1.
    Row(u64),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File => f.write_str("the file"),
            Self::Line(line) => write!(f, "line {line}"),
            Self::Row(row) => write!(f, "row {row}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub location: Location,
    pub column: Option<String>,
    pub value: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.location != Location::File {
            write!(f, " {}", self.location)?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        match &self.value {
            Some(value) => write!(f, ": {value:?} {}", self.message),
            None => write!(f, ": {}", self.message),
        }
    }
}

/// Every problem found, keeping the first `cap` of them word for word.
#[derive(Clone, Debug)]
pub struct Problems {
    listed: Vec<Problem>,
    total: u64,
    failed_rows: u64,
    cap: usize,
}

impl Default for Problems {
    fn default() -> Self {
        Self::with_cap(Self::DEFAULT_CAP)
    }
}

impl Problems {
    pub const DEFAULT_CAP: usize = 100;

    pub fn with_cap(cap: usize) -> Self {
        Self { listed: Vec::new(), total: 0, failed_rows: 0, cap }
    }

    pub fn add(&mut self, problem: Problem) {
        self.total += 1;
        if self.listed.len() < self.cap {
            self.listed.push(problem);
        }
    }

    /// Adds another list's problems after this one's.
    pub fn absorb(&mut self, other: Problems) {
        self.total += other.total - other.listed.len() as u64;
        self.failed_rows += other.failed_rows;
        for problem in other.listed {
            self.add(problem);
        }
    }

    /// Counts a row that had at least one problem.
    pub fn count_failed_row(&mut self) {
        self.failed_rows += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn failed_rows(&self) -> u64 {
        self.failed_rows
    }

    pub fn listed(&self) -> &[Problem] {
        &self.listed
    }

    /// One line per listed problem, then how many more there were.
    pub fn report(&self) -> String {
        let mut lines: Vec<String> = self.listed.iter().map(|p| format!("  {p}")).collect();
        let hidden = self.total - self.listed.len() as u64;
        if hidden > 0 {
            lines.push(format!("  … and {}", counted(hidden, "more problem")));
        }
        lines.join("\n")
    }

    /// A one-line account for logs: counts and the first problem.
    pub fn summary(&self) -> String {
        let first = self.listed.first().map(|p| format!("; first: {p}")).unwrap_or_default();
        format!("{} in {}{first}", counted(self.total, "problem"), counted(self.failed_rows, "row"))
    }
}

/// `1 row`, `2 rows`.
pub fn counted(count: u64, noun: &str) -> String {
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {noun}{plural}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(row: u64) -> Problem {
        Problem {
            file: "a.csv".into(),
            location: Location::Line(row),
            column: Some("bad_debt_risk".into()),
            value: Some("low".into()),
            message: "must be one of LOW, MEDIUM, HIGH".into(),
        }
    }

    #[test]
    fn problems_name_file_line_column_and_value() {
        assert_eq!(
            problem(3).to_string(),
            "a.csv line 3, column bad_debt_risk: \"low\" must be one of LOW, MEDIUM, HIGH"
        );
        let whole_file =
            Problem { location: Location::File, column: None, value: None, message: "is empty".into(), ..problem(0) };
        assert_eq!(whole_file.to_string(), "a.csv: is empty");
    }

    #[test]
    fn the_report_is_capped_but_counts_everything() {
        let mut problems = Problems::with_cap(2);
        for row in 2..7 {
            problems.add(problem(row));
            problems.count_failed_row();
        }
        assert_eq!(problems.total(), 5);
        assert_eq!(problems.listed().len(), 2);
        assert!(problems.report().ends_with("… and 3 more problems"), "{}", problems.report());
        assert!(problems.summary().starts_with("5 problems in 5 rows; first: a.csv line 2"));
    }
}
