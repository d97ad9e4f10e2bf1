//! Issue 24: insights (being built).
