//! Issue 24: usage (being built).
