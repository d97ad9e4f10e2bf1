//! Reads kept in memory for a short while: an API key's check, a session's member. Any
//! process that changes what they were read from sends a PostgreSQL NOTIFY (a trigger,
//! so the CLI and plain SQL do too), and every server listening forgets them at once
//! (`Store::watch_changes`); `keep_for` bounds how late a missed NOTIFY is noticed.

use super::Store;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// Channels whose NOTIFY empties a memory (migrations 20261206000160 and the API keys').
pub const API_KEYS_CHANNEL: &str = "ut360_api_keys";
pub const MEMBERS_CHANNEL: &str = "ut360_members";

pub struct Remembered<K, V> {
    entries: RwLock<Entries<K, V>>,
    keep_for: Duration,
}

struct Entries<K, V> {
    values: HashMap<K, (V, Instant)>,
    /// Moves on at every `forget_all`, so a read that began before it is not remembered.
    generation: u64,
}

/// When a read began, for `Remembered::remember`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generation(u64);

impl<K: Eq + Hash, V: Clone> Remembered<K, V> {
    pub fn new(keep_for: Duration) -> Self {
        Self { entries: RwLock::new(Entries { values: HashMap::new(), generation: 0 }), keep_for }
    }

    pub fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.values.get(key).filter(|(_, at)| at.elapsed() < self.keep_for).map(|(value, _)| value.clone())
    }

    /// Take it before reading what will be remembered.
    pub fn generation(&self) -> Generation {
        Generation(self.entries.read().unwrap_or_else(|poisoned| poisoned.into_inner()).generation)
    }

    /// Keeps `value`, unless something was forgotten since `read_began`: the read may
    /// have seen the rows from before the change that made us forget.
    pub fn remember(&self, read_began: Generation, key: K, value: V) {
        let mut entries = self.entries.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.generation != read_began.0 {
            return;
        }
        let keep_for = self.keep_for;
        entries.values.retain(|_, (_, at)| at.elapsed() < keep_for);
        entries.values.insert(key, (value, Instant::now()));
    }

    pub fn forget_all(&self) {
        let mut entries = self.entries.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.values.clear();
        entries.generation += 1;
    }
}

/// Whether `Store::watch_changes` has started, and whether it listens now; shared by a
/// store's clones.
#[derive(Default)]
pub struct Watching {
    started: AtomicBool,
    listening: AtomicBool,
}

impl Store {
    /// Empties the memories whenever a NOTIFY says what they hold changed; runs until
    /// the pool closes. Also empties them after a lost connection, since a change may
    /// have been missed meanwhile. Started by the first read that remembers.
    pub(super) fn watch_changes(&self) {
        let started = &self.watching_changes.started;
        if started.load(Ordering::Relaxed) || started.swap(true, Ordering::Relaxed) {
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            while !store.direct().is_closed() {
                if let Err(error) = store.forget_at_each_change().await {
                    tracing::debug!(%error, "not listening for changes to API keys and members; retrying");
                }
                store.watching_changes.listening.store(false, Ordering::Relaxed);
                store.forget_everything_remembered();
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    /// Listens until the connection fails for good (or the pool closes), forgetting
    /// what each NOTIFY names. LISTEN needs a session of its own: PostgreSQL itself,
    /// never PgBouncer's transaction pooling (the direct pool).
    async fn forget_at_each_change(&self) -> Result<(), sqlx::Error> {
        let mut listener = sqlx::postgres::PgListener::connect_with(self.direct()).await?;
        listener.listen_all([API_KEYS_CHANNEL, MEMBERS_CHANNEL]).await?;
        // Whatever changed before we listened is forgotten too.
        self.forget_everything_remembered();
        self.watching_changes.listening.store(true, Ordering::Relaxed);
        loop {
            let notification = listener.try_recv().await?;
            match notification.as_ref().map(|notification| notification.channel()) {
                Some(API_KEYS_CHANNEL) => self.api_keys_known.forget_all(),
                Some(MEMBERS_CHANNEL) => self.members_known.forget_all(),
                Some(_) => {}
                // Reconnected: a change may have been missed meanwhile.
                None => {
                    self.forget_everything_remembered();
                    tracing::warn!("lost the channel of changes to API keys and members; reconnected");
                }
            }
        }
    }

    /// Whether a change made anywhere reaches this store's memories now: false until
    /// the first read that remembers has started listening, and while reconnecting.
    pub fn listening_for_changes(&self) -> bool {
        self.watching_changes.listening.load(Ordering::Relaxed)
    }

    fn forget_everything_remembered(&self) {
        self.api_keys_known.forget_all();
        self.members_known.forget_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_kept_until_forgotten_or_too_old() {
        let memory = Remembered::new(Duration::from_secs(60));
        memory.remember(memory.generation(), "a", 1);
        assert_eq!(memory.get(&"a"), Some(1));
        memory.forget_all();
        assert_eq!(memory.get(&"a"), None);

        let brief = Remembered::new(Duration::ZERO);
        brief.remember(brief.generation(), "a", 1);
        assert_eq!(brief.get(&"a"), None, "kept for no time at all");
    }

    #[test]
    fn a_read_that_began_before_a_change_is_not_remembered() {
        let memory = Remembered::new(Duration::from_secs(60));
        let read_began = memory.generation();
        memory.forget_all();
        memory.remember(read_began, "a", 1);
        assert_eq!(memory.get(&"a"), None);
        memory.remember(memory.generation(), "a", 2);
        assert_eq!(memory.get(&"a"), Some(2));
    }
}
