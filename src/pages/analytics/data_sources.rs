//! Issue 24: data_sources (being built).
