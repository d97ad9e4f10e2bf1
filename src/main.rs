#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    ut360::server::cli::run().await
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser build is a library (`hydrate`); the binary needs the `ssr` feature.
}
