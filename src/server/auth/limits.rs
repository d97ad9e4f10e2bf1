//! Sign-in under a flood: a bound on the argon2 checks running at once, and a limit
//! on sign-in attempts per client address (besides the per-email lock of `sign_in`).

use super::password;
use crate::server::client_address::ClientAddress;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// The sign-in page's problem when an address tried too often.
pub const TOO_MANY_PROBLEM: &str = "too-many";
/// The sign-in page's problem when the password checks are all taken for too long.
pub const BUSY_PROBLEM: &str = "busy";

/// What `serve` sets (and tests shrink).
#[derive(Clone, Copy, Debug)]
pub struct SignInLimits {
    /// Attempts one client address may make in a burst…
    pub per_ip_burst: u32,
    /// …and then one more every `60 / per_ip_per_minute` seconds.
    pub per_ip_per_minute: u32,
    /// argon2 checks running at once (each takes ~19 MiB and tens of ms of CPU).
    pub concurrent_checks: usize,
    /// How long an attempt waits for a check before it is told to try again.
    pub check_wait: Duration,
}

impl Default for SignInLimits {
    fn default() -> Self {
        Self {
            per_ip_burst: 30,
            per_ip_per_minute: 30,
            // Half the cores at most: a flood of checks leaves the other half to the
            // pages (on 2 cores one check runs at a time; measured in bench_auth.sh).
            concurrent_checks: std::thread::available_parallelism().map_or(1, |cpus| (cpus.get() / 2).max(1)),
            check_wait: Duration::from_secs(2),
        }
    }
}

/// The shared state of both limits (one per app).
pub struct SignInGuard {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    checks: PasswordChecks,
}

impl SignInGuard {
    pub fn new(limits: SignInLimits) -> Self {
        let burst = NonZeroU32::new(limits.per_ip_burst).unwrap_or(NonZeroU32::MIN);
        let per_minute = NonZeroU32::new(limits.per_ip_per_minute).unwrap_or(NonZeroU32::MIN);
        Self {
            per_ip: RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)),
            checks: PasswordChecks::new(limits.concurrent_checks, limits.check_wait),
        }
    }

    pub fn checks(&self) -> &PasswordChecks {
        &self.checks
    }

    /// Whether `address` may make one more attempt now (it counts as made).
    pub fn allow(&self, address: IpAddr) -> bool {
        // Addresses whose bucket is full again are forgotten, so the map stays small.
        if self.per_ip.len() > 10_000 {
            self.per_ip.retain_recent();
        }
        self.per_ip.check_key(&address).is_ok()
    }
}

impl Default for SignInGuard {
    fn default() -> Self {
        Self::new(SignInLimits::default())
    }
}

/// Middleware on `POST /auth/sign-in`: an address over its limit is sent back to the
/// sign-in page before the form is read or any password checked. The address is the
/// client's (`ClientAddress`: behind a trusted proxy, from `X-Forwarded-For`). Without
/// it (a router served without connect info) nothing is limited per address.
pub async fn per_ip(State(guard): State<Arc<SignInGuard>>, request: Request, next: Next) -> Response {
    let address = request.extensions().get::<ClientAddress>().map(|ClientAddress(client)| *client);
    if let Some(address) = address {
        if !guard.allow(address) {
            tracing::warn!(%address, "sign-in attempts over the per-address limit");
            return Redirect::to(&format!("{}?problem={TOO_MANY_PROBLEM}", crate::domain::access::SIGN_IN_PATH))
                .into_response();
        }
    }
    next.run(request).await
}

/// No check could start within the wait.
#[derive(Debug, PartialEq, Eq)]
pub struct Busy;

/// At most `permits` password checks at once; the others queue for at most `wait`.
pub struct PasswordChecks {
    permits: Semaphore,
    wait: Duration,
    running: AtomicUsize,
    most_at_once: AtomicUsize,
}

impl PasswordChecks {
    pub fn new(permits: usize, wait: Duration) -> Self {
        Self {
            permits: Semaphore::new(permits.max(1)),
            wait,
            running: AtomicUsize::new(0),
            most_at_once: AtomicUsize::new(0),
        }
    }

    /// `password::verify` once a permit is free, or `Busy` after the wait.
    pub async fn verify(&self, candidate: String, stored: Option<String>) -> Result<bool, Busy> {
        let _permit =
            tokio::time::timeout(self.wait, self.permits.acquire()).await.map_err(|_| Busy)?.map_err(|_| Busy)?;
        let running = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_at_once.fetch_max(running, Ordering::SeqCst);
        let verified = password::verify(candidate, stored).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        Ok(verified)
    }

    /// The most checks that ran at once since start.
    pub fn most_at_once(&self) -> usize {
        self.most_at_once.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn never_more_checks_at_once_than_permits() {
        let checks = Arc::new(PasswordChecks::new(2, Duration::from_secs(60)));
        let stored = password::hash("the right password");
        let attempts: Vec<_> = (0..12)
            .map(|i| {
                let (checks, stored) = (checks.clone(), stored.clone());
                tokio::spawn(async move {
                    let candidate = if i == 0 { "the right password".to_owned() } else { format!("guess {i}") };
                    checks.verify(candidate, Some(stored)).await
                })
            })
            .collect();
        let mut results = Vec::new();
        for attempt in attempts {
            results.push(attempt.await.unwrap());
        }
        assert_eq!(results.iter().filter(|r| **r == Ok(true)).count(), 1);
        assert_eq!(results.iter().filter(|r| **r == Ok(false)).count(), 11);
        assert_eq!(checks.most_at_once(), 2, "12 checks, 2 permits: 2 at once, never more");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn checks_beyond_the_wait_are_told_busy() {
        let checks = Arc::new(PasswordChecks::new(1, Duration::from_millis(1)));
        let stored = password::hash("the right password");
        let attempts: Vec<_> = (0..6)
            .map(|_| {
                let (checks, stored) = (checks.clone(), stored.clone());
                tokio::spawn(async move { checks.verify("a guess".into(), Some(stored)).await })
            })
            .collect();
        let mut busy = 0;
        for attempt in attempts {
            busy += usize::from(attempt.await.unwrap() == Err(Busy));
        }
        assert!(busy >= 1, "one permit, a millisecond's wait: some attempts are refused");
        assert_eq!(checks.most_at_once(), 1);
    }

    #[test]
    fn an_address_over_its_burst_is_refused_others_are_not() {
        let guard = SignInGuard::new(SignInLimits { per_ip_burst: 3, per_ip_per_minute: 1, ..Default::default() });
        let flooding: IpAddr = "192.0.2.1".parse().unwrap();
        assert!((0..3).all(|_| guard.allow(flooding)));
        assert!(!guard.allow(flooding));
        assert!(guard.allow("192.0.2.2".parse().unwrap()));
    }
}
