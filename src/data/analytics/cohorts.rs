//! Issue 24: cohorts (being built).
