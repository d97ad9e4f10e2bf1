//! Progress bars for long command-line work (indicatif).

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::time::Duration;

/// A bar counting rows towards `total`, or a counter with a rate when the total is unknown.
pub fn rows_bar(bars: &MultiProgress, name: &str, total: Option<u64>) -> ProgressBar {
    let bar = match total {
        Some(total) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template("{msg:<26} [{bar:30}] {human_pos:>9}/{human_len:9} {per_sec:>12} {eta}")
                .expect("valid template")
                .progress_chars("=> "),
        ),
        None => ProgressBar::no_length().with_style(
            ProgressStyle::with_template("{msg:<26} {spinner} {human_pos:>9} rows {per_sec:>12}")
                .expect("valid template"),
        ),
    };
    bars.add(bar.with_message(name.to_owned()))
}

/// A spinner for a step whose length nobody knows in advance.
pub fn spinner(bars: &MultiProgress, message: impl Into<String>) -> ProgressBar {
    let spinner = bars.add(ProgressBar::new_spinner().with_message(message.into()));
    spinner.enable_steady_tick(Duration::from_millis(120));
    spinner
}
