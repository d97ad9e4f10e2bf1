//! Issue 24: aggregates (being built).
