//! Issue 24: funnels (being built).
