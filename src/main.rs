/// Many small allocations per request (JSON, Redis replies): mimalloc serves them
/// faster than the system allocator under concurrency.
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    ut360::server::cli::run().await
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser build is a library (`hydrate`); the binary needs the `ssr` feature.
}
