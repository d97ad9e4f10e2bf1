//! Start-up failures give one clear line and a non-zero exit, never a panic trace.
#![cfg(feature = "ssr")]

mod common;

use std::process::Command;

fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ut360"))
        .args(args)
        .envs(env.iter().copied())
        .env("UT360_CONNECT_TIMEOUT", "2")
        .output()
        .unwrap();
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn unreachable_postgres_is_one_line_without_the_password() {
    let (code, stderr) = run(
        &["serve"],
        &[("DATABASE_URL", "postgres://app:s3cret@127.0.0.1:1/ut360"), ("REDIS_URL", &common::redis_url())],
    );
    assert_eq!(code, 1);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: cannot reach PostgreSQL at postgres://app:***@127.0.0.1:1/ut360: "), "{stderr}");
    assert!(!stderr.contains("s3cret") && !stderr.contains("panicked"));
}

#[test]
fn unreachable_redis_is_one_line() {
    let database_url = common::with_database(&common::base_database_url(), "postgres");
    let (code, stderr) = run(&["serve"], &[("DATABASE_URL", &database_url), ("REDIS_URL", "redis://127.0.0.1:1")]);
    assert_eq!(code, 1);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: cannot reach Redis at redis://127.0.0.1:1: "), "{stderr}");
}

#[test]
fn bad_flags_name_the_flag() {
    let (code, stderr) = run(&["generate", "--scale", "0"], &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--scale") && stderr.contains("out of range"), "{stderr}");
}
