//! Start-up failures give one clear line and a non-zero exit, never a panic trace.

use crate::common;

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
        &[
            ("DATABASE_URL", "postgres://owner:0wner@127.0.0.1:1/ut360"),
            // `serve` connects as the app's role, on DATABASE_URL's server.
            ("UT360_APP_DATABASE_USER", "app"),
            ("UT360_APP_DATABASE_PASSWORD", "s3cret"),
            ("REDIS_URL", &common::redis_url()),
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: cannot reach PostgreSQL at postgres://app:***@127.0.0.1:1/ut360: "), "{stderr}");
    assert!(!stderr.contains("s3cret") && !stderr.contains("0wner") && !stderr.contains("panicked"));
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

#[tokio::test]
async fn sigterm_stops_the_server_gracefully() {
    let db = common::TestDb::new().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let address = format!("127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_ut360"))
        .args(["serve", "--bind", &address])
        .envs(db.command_env())
        .env("REDIS_URL", common::redis_url())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();

    let http = reqwest::Client::new();
    let mut up = false;
    for _ in 0..100 {
        if http.get(format!("http://{address}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "server came up");

    Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    let output = tokio::task::spawn_blocking(move || {
        let status = server.wait().unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(server.stderr.as_mut().unwrap(), &mut stderr).unwrap();
        (status, stderr)
    })
    .await
    .unwrap();
    assert!(output.0.success(), "exit status {:?}: {}", output.0, output.1);
    assert!(output.1.contains("UT360 stopped"), "{}", output.1);
    db.cleanup().await;
}

#[tokio::test]
async fn import_without_files_lists_each_missing_file_and_changes_nothing() {
    let db = common::TestDb::new().await;
    let env = db.command_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let (code, stderr) = run(&["import"], &env);
    assert_eq!(code, 1);
    assert!(stderr.starts_with("error: name a folder, or the recommendations_final_filtered.csv file"), "{stderr}");

    let empty = tempfile::tempdir().unwrap();
    let folder = empty.path().to_str().unwrap();
    let (code, stderr) = run(&["import", folder, "--no-sync"], &env);
    assert_eq!(code, 1);
    for file in
        ["recommendations_final_filtered.csv", "subscriber_360_profile.parquet", "subscriber_monthly_summary.parquet"]
    {
        assert!(stderr.contains(&format!("  {file}: was not found")), "{stderr}");
    }
    assert!(
        stderr.trim_end().ends_with("error: import refused: 3 problems in 0 rows; nothing was changed"),
        "{stderr}"
    );
    let failed = common::scalar_i64(&db.pool, "SELECT COUNT(*) FROM sync_logs WHERE status = 'failed'").await;
    assert_eq!(failed, 1, "the refused run is logged");
    db.cleanup().await;
}

#[tokio::test]
async fn api_keys_are_created_listed_and_revoked_from_the_command_line() {
    let db = common::TestDb::new().await;
    let redis_url = common::redis_url();
    let mut env = db.command_env();
    env.push(("REDIS_URL", redis_url));
    let api_key = |args: &[&str]| {
        let output =
            Command::new(env!("CARGO_BIN_EXE_ut360")).arg("api-key").args(args).envs(env.clone()).output().unwrap();
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        (output.status.code().unwrap_or(-1), text(&output.stdout), text(&output.stderr))
    };

    let (code, stdout, stderr) = api_key(&["create", "--name", "advance-system"]);
    assert_eq!(code, 0, "{stderr}");
    let secret = stdout.trim();
    assert!(secret.starts_with("ut360_") && secret.len() == 46, "only the key on stdout: {stdout:?}");
    assert!(stderr.contains("cannot be shown again"), "{stderr}");
    let client = db.store.authenticate(secret).await.unwrap().expect("the printed key works");
    assert_eq!(client.organization.slug, "default");

    let (_, listed, _) = api_key(&["list"]);
    let row = listed.lines().find(|line| line.starts_with("advance-system")).unwrap_or_else(|| panic!("{listed}"));
    assert!(row.contains(&secret[..12]) && row.ends_with("active"), "{row}");
    assert!(!listed.contains(secret), "the whole key is never shown again");

    let (code, stdout, _) = api_key(&["revoke", "--name", "advance-system"]);
    assert_eq!((code, stdout.trim()), (0, "Revoked API key \"advance-system\" of organization \"default\"."));
    let revoked: bool = sqlx::query_scalar("SELECT revoked_at IS NOT NULL FROM api_keys WHERE name = 'advance-system'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(revoked);
    let (_, listed, _) = api_key(&["list"]);
    assert!(listed.contains("revoked "), "{listed}");

    let (code, _, stderr) = api_key(&["revoke", "--name", "advance-system"]);
    assert_eq!(
        (code, stderr.trim()),
        (1, "error: organization \"default\" has no active API key named \"advance-system\"")
    );
    let (code, _, stderr) = api_key(&["create", "--name", "  "]);
    assert_eq!(code, 1);
    assert!(stderr.starts_with("error: name: a name is required"), "{stderr}");
    let (code, _, stderr) = api_key(&["create", "--org", "nope", "--name", "x"]);
    assert_eq!((code, stderr.trim()), (1, "error: no organization with slug \"nope\""));
    db.cleanup().await;
}
