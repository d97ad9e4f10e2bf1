//! Issue 24: alerts (being built).
