/// How a sortable column's header says its state: its `aria-sort` value and the arrow
/// after its label. `sorted`: `Some(descending)` for the column the table is sorted by.
pub fn sort_marks(sorted: Option<bool>) -> (&'static str, &'static str) {
    match sorted {
        Some(true) => ("descending", " ↓"),
        Some(false) => ("ascending", " ↑"),
        None => ("none", ""),
    }
}
