//! In-process caches of what every API request reads: an access key with its owner, and a
//! user's tags and policies. Every successful IAM change, in any server process, sends a
//! Postgres NOTIFY when its transaction commits; the listener (`listen`) then moves the
//! generation on, and entries of an older generation are never used. An entry read from the
//! database while a change was being made is never stored, because it carries the
//! generation from before the read. While no listener runs (tests, admin commands, a lost
//! connection) nothing is cached: every request reads the database.

use sqlx::PgPool;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const CHANNEL: &str = "iam_changed";
/// A backstop for changes made behind the server's back (e.g. by hand in psql).
const TIME_TO_LIVE: Duration = Duration::from_secs(60);
const MAX_ENTRIES: usize = 100_000;

static LISTENERS: AtomicUsize = AtomicUsize::new(0);
/// Moves on with every invalidation: a read that saw it move stores nothing.
static CHANGES: AtomicU64 = AtomicU64::new(0);
/// Moves on when everything is out of date (a listener came or went).
static EPOCH: AtomicU64 = AtomicU64::new(0);
/// Each account's generation: a change in one account leaves the others' entries alone.
static ACCOUNTS: Mutex<Option<HashMap<String, u64>>> = Mutex::new(None);

/// When a database read started; `None` while caching is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp(u64);

pub fn stamp() -> Option<Stamp> {
    (LISTENERS.load(Ordering::Acquire) > 0).then(|| Stamp(CHANGES.load(Ordering::Acquire)))
}

/// The (epoch, account generation) an entry of `account` is valid in.
fn version(account: &str) -> Option<(u64, u64)> {
    let accounts = ACCOUNTS.lock().ok()?;
    let generation = accounts
        .as_ref()
        .and_then(|a| a.get(account))
        .copied()
        .unwrap_or(0);
    Some((EPOCH.load(Ordering::Acquire), generation))
}

/// What was cached for `account` (every account: `None`) is out of date. The change counter
/// moves first, so a concurrent read either sees it move or stores an entry this makes stale.
pub fn invalidate(account: Option<&str>) {
    CHANGES.fetch_add(1, Ordering::AcqRel);
    match account.filter(|a| !a.is_empty()) {
        Some(account) => {
            if let Ok(mut accounts) = ACCOUNTS.lock() {
                *accounts
                    .get_or_insert_with(HashMap::new)
                    .entry(account.to_owned())
                    .or_insert(0) += 1;
            }
        }
        None => {
            EPOCH.fetch_add(1, Ordering::AcqRel);
        }
    }
}

type Entry<V> = (String, (u64, u64), Instant, V);

pub struct Cache<K, V> {
    entries: Mutex<Option<HashMap<K, Entry<V>>>>,
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    pub const fn new() -> Self {
        Self {
            entries: Mutex::new(None),
        }
    }

    pub fn get(&self, key: &K) -> Option<V> {
        stamp()?;
        let (account, at, stored, value) = {
            let entries = self.entries.lock().ok()?;
            entries.as_ref()?.get(key)?.clone()
        };
        (version(&account)? == at && stored.elapsed() < TIME_TO_LIVE).then_some(value)
    }

    /// Stores `value` of `account`, read from the database since `read`, unless anything
    /// changed meanwhile.
    pub fn put(&self, key: K, account: &str, read: Option<Stamp>, value: V) {
        let (Some(read), Some(now)) = (read, stamp()) else {
            return;
        };
        let Some(at) = version(account) else {
            return;
        };
        if read != now {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        let map = entries.get_or_insert_with(HashMap::new);
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(key, (account.to_owned(), at, Instant::now(), value));
    }
}

impl<K: Eq + Hash, V: Clone> Default for Cache<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

/// Tells every server process that IAM data changed (the others when the change commits,
/// this one at once and again on commit). Part of the change's transaction: a rolled-back change notifies no one.
pub(crate) async fn notify_change(
    conn: &mut sqlx::PgConnection,
    account: Option<&str>,
) -> Result<(), sqlx::Error> {
    // This process at once too: its next request after the change (read-your-writes) must
    // not see the old entry, even before the notification comes back.
    invalidate(account);
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(account.unwrap_or(""))
        .execute(conn)
        .await?;
    Ok(())
}

/// Counts a running listener; caching is on while any runs.
struct Listening;

impl Listening {
    fn start() -> Self {
        // Whatever changed while no one listened: start from nothing.
        invalidate(None);
        LISTENERS.fetch_add(1, Ordering::AcqRel);
        Listening
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        LISTENERS.fetch_sub(1, Ordering::AcqRel);
        invalidate(None);
    }
}

/// Listens for changes for as long as the process runs, and turns caching on while it does.
/// The listener has a connection of its own, outside `pool`: it holds it for good, and the
/// requests' pool must not be one connection short.
pub async fn listen(pool: PgPool) {
    let own = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_lazy_with((*pool.connect_options()).clone());
    loop {
        if let Ok(mut listener) = sqlx::postgres::PgListener::connect_with(&own).await {
            if listener.listen(CHANNEL).await.is_ok() {
                let _on = Listening::start();
                // `Ok(None)`: the connection was lost, and notifications with it.
                while let Ok(Some(notification)) = listener.try_recv().await {
                    invalidate(Some(notification.payload()));
                }
            }
        }
        tracing::warn!("cache listener has no connection; caching off until it is back");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
