//! One Redis connection type for a single server and for a Redis Cluster (issue 27), so
//! the data layer's calls read the same on both: `RedisConnection` is a
//! `redis::aio::ConnectionLike`, and every command and pipeline goes through it.
//!
//! On a single server it only forwards to the connection it wraps: the request path
//! does no more work than before. On a cluster, single commands are routed by redis-rs's
//! cluster client; a pipeline whose keys live in several slots (a subscriber's `rec` and
//! `profile` hashes, a bulk lookup's 10,000 `HMGET`s) is split by the node that owns each
//! key's slot, sent to every node at once and answered in the pipeline's order. A
//! transaction (`MULTI`) is sent as it is: the data layer only makes transactions on keys
//! of one slot (see `KeyLayout`).

use super::Organization;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig, MultiplexedConnection};
use redis::cluster::{ClusterClient, ClusterConfig};
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{RoutingInfo, SingleNodeRoutingInfo};
use redis::{Cmd, Pipeline, RedisError, RedisFuture, RedisResult, Value};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Redis Cluster's hash slots.
const SLOTS: usize = 16_384;

/// Where an organization's keys are named: exactly seed 001's names on one server; on
/// a cluster, the keys that multi-key commands use together carry the organization's
/// prefix as a hash tag, so they share one slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyLayout {
    Single,
    Cluster,
}

impl KeyLayout {
    /// A key that is renamed, deleted or scripted together with the organization's other
    /// grouped keys: the indexes (`idx:…`, built under `sync:…` and renamed into place)
    /// and the kept bulk answers with their index. `{prefix}:{suffix}` on a single
    /// server (seed 001's name), `{{prefix}}:{suffix}` on a cluster: Redis hashes only
    /// what is between the braces, so every grouped key of the organization is in one
    /// slot and RENAME, MULTI and the bulk script never cross slots.
    pub fn grouped_key(self, organization: &Organization, suffix: &str) -> String {
        match self {
            Self::Single => organization.redis_key(suffix),
            Self::Cluster => format!("{{{}}}:{suffix}", organization.redis_prefix),
        }
    }

    /// What a grouped key of `prefix` starts with.
    pub fn grouped_prefix(self, prefix: &str) -> String {
        match self {
            Self::Single => format!("{prefix}:"),
            Self::Cluster => format!("{{{prefix}}}:"),
        }
    }

    /// The SCAN pattern that finds every key of `prefix`, in both of the cluster's
    /// forms (`prefix:…` and `{prefix}:…`) in one pass; `KeyScan` keeps only the keys
    /// that start with one of them (the pattern also matches `other-prefix:…`).
    fn scan_pattern(self, prefix: &str) -> String {
        match self {
            // Prefixes are `[a-z0-9_-]` (a CHECK of the table): nothing in one is a glob character.
            Self::Single => format!("{prefix}:*"),
            Self::Cluster => format!("*{prefix}[:}}]*"),
        }
    }
}

/// The handle to reach Redis: one server's client, or the cluster's.
#[derive(Clone)]
pub enum RedisClient {
    Single(redis::Client),
    /// The cluster's client and its slots as last read, shared by every clone.
    Cluster(Arc<(ClusterClient, Arc<SlotCache>)>),
}

impl RedisClient {
    /// The client for `url` (one server, or a node of a cluster when the server says it
    /// is one), or for the cluster of which `cluster_nodes` are nodes.
    pub async fn open(url: &str, cluster_nodes: &[String], connect_timeout: Duration) -> RedisResult<Self> {
        use redis::IntoConnectionInfo;
        // Commands on the shared connection are small writes one after another: without
        // TCP_NODELAY each can wait for the previous one's acknowledgement.
        let nodelay = || redis::io::tcp::TcpSettings::default().set_nodelay(true);
        let cluster = |nodes: Vec<redis::ConnectionInfo>| {
            ClusterClient::builder(nodes)
                .connection_timeout(connect_timeout)
                // MOVED and ASK answers are followed; a node that is down fails fast
                // (the request path falls back to PostgreSQL).
                .retries(2)
                .tcp_settings(nodelay())
                .build()
                .map(|client| Self::Cluster(Arc::new((client, Arc::default()))))
        };
        if !cluster_nodes.is_empty() {
            let nodes =
                cluster_nodes.iter().map(|node| node.as_str().into_connection_info()).collect::<Result<_, _>>()?;
            return cluster(nodes);
        }
        let info = url.into_connection_info()?.set_tcp_settings(nodelay());
        let client = redis::Client::open(info.clone())?;
        // One question at start: a node of a cluster answers `cluster_enabled:1`.
        let probe = async {
            let mut connection = client.get_multiplexed_async_connection().await?;
            redis::cmd("INFO").arg("cluster").query_async::<String>(&mut connection).await
        };
        let info_cluster = match tokio::time::timeout(connect_timeout, probe).await {
            Ok(Ok(info_cluster)) => info_cluster,
            // A server that refuses INFO (a renamed command) is taken for a single server.
            Ok(Err(error)) if matches!(error.kind(), redis::ErrorKind::Server(_) | redis::ErrorKind::Extension) => {
                String::new()
            }
            Ok(Err(error)) => return Err(error),
            Err(_) => {
                return Err(RedisError::from((
                    redis::ErrorKind::Io,
                    "no answer",
                    format!("within {connect_timeout:?}"),
                )))
            }
        };
        if info_cluster.lines().any(|line| line.trim() == "cluster_enabled:1") {
            cluster(vec![info])
        } else {
            Ok(Self::Single(client))
        }
    }

    pub fn layout(&self) -> KeyLayout {
        match self {
            Self::Single(_) => KeyLayout::Single,
            Self::Cluster(_) => KeyLayout::Cluster,
        }
    }

    /// The request path's connection: reconnects by itself; each answer waited for at
    /// most `response_timeout`.
    pub async fn managed(&self, connect_timeout: Duration, response_timeout: Duration) -> RedisResult<RedisConnection> {
        match self {
            Self::Single(client) => {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(connect_timeout))
                    .set_response_timeout(Some(response_timeout))
                    .set_number_of_retries(1);
                Ok(RedisConnection::Single(ConnectionManager::new_with_config(client.clone(), config).await?))
            }
            // The cluster connection reconnects to a node and refreshes the slots itself.
            Self::Cluster(_) => self.connection(connect_timeout, response_timeout).await,
        }
    }

    /// A connection of its own whose answers may take up to `response_timeout` (syncs,
    /// deletions).
    pub async fn connection(
        &self,
        connect_timeout: Duration,
        response_timeout: Duration,
    ) -> RedisResult<RedisConnection> {
        match self {
            Self::Single(client) => {
                let config = redis::AsyncConnectionConfig::new()
                    .set_connection_timeout(Some(connect_timeout))
                    .set_response_timeout(Some(response_timeout));
                Ok(RedisConnection::Multiplexed(client.get_multiplexed_async_connection_with_config(&config).await?))
            }
            Self::Cluster(cluster) => {
                let (client, slots) = &**cluster;
                let config =
                    ClusterConfig::new().set_connection_timeout(connect_timeout).set_response_timeout(response_timeout);
                let connection = client.get_async_connection_with_config(config).await?;
                Ok(RedisConnection::Cluster(ClusterLink { connection, slots: slots.clone() }))
            }
        }
    }
}

/// A connection to one Redis server or to a cluster (see the module's comment).
#[derive(Clone)]
pub enum RedisConnection {
    /// The request path's connection to one server.
    Single(ConnectionManager),
    /// A connection of its own to one server.
    Multiplexed(MultiplexedConnection),
    Cluster(ClusterLink),
}

impl RedisConnection {
    pub fn layout(&self) -> KeyLayout {
        match self {
            Self::Single(_) | Self::Multiplexed(_) => KeyLayout::Single,
            Self::Cluster(_) => KeyLayout::Cluster,
        }
    }

    /// `INFO section` of every server: the one, or each master of the cluster.
    pub async fn info_of_each_master(&mut self, section: &str) -> RedisResult<Vec<String>> {
        let mut info = redis::cmd("INFO");
        info.arg(section);
        match self {
            Self::Cluster(link) => {
                let mut replies = Vec::new();
                for (host, port) in link.masters().await? {
                    let routing = RoutingInfo::SingleNode(SingleNodeRoutingInfo::ByAddress { host, port });
                    replies.push(redis::from_redis_value(link.connection.route_command(info.clone(), routing).await?)?);
                }
                Ok(replies)
            }
            _ => Ok(vec![info.query_async(self).await?]),
        }
    }

    /// A SCAN of every key of the organization whose prefix is `prefix`, in this
    /// connection's layout, on every master.
    pub async fn scan_organization(&mut self, prefix: &str, count: usize) -> RedisResult<KeyScan> {
        let layout = self.layout();
        let masters: Vec<Option<(String, u16)>> = match self {
            Self::Cluster(link) => link.masters().await?.into_iter().map(Some).collect(),
            _ => vec![None],
        };
        let mut starts = vec![format!("{prefix}:")];
        if layout == KeyLayout::Cluster {
            starts.push(layout.grouped_prefix(prefix));
        }
        Ok(KeyScan { pattern: layout.scan_pattern(prefix), starts, count, masters, cursor: 0 })
    }
}

impl ConnectionLike for RedisConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Single(connection) => connection.req_packed_command(cmd),
            Self::Multiplexed(connection) => connection.req_packed_command(cmd),
            Self::Cluster(link) => link.connection.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Single(connection) => connection.req_packed_commands(pipeline, offset, count),
            Self::Multiplexed(connection) => connection.req_packed_commands(pipeline, offset, count),
            Self::Cluster(link) => Box::pin(link.pipeline(pipeline, offset, count)),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Single(connection) => connection.get_db(),
            Self::Multiplexed(connection) => connection.get_db(),
            Self::Cluster(_) => 0,
        }
    }
}

/// A SCAN over one server, or over each master of a cluster in turn (SCAN's cursor is
/// a server's own).
pub struct KeyScan {
    pattern: String,
    /// A key is the organization's when it starts with one of these.
    starts: Vec<String>,
    count: usize,
    /// The masters still to scan, the current one last; `None`: the one server.
    masters: Vec<Option<(String, u16)>>,
    cursor: u64,
}

impl KeyScan {
    /// The next batch of keys, `None` when every server was scanned.
    pub async fn next(&mut self, connection: &mut RedisConnection) -> RedisResult<Option<Vec<String>>> {
        let Some(master) = self.masters.last().cloned() else { return Ok(None) };
        let mut scan = redis::cmd("SCAN");
        scan.arg(self.cursor).arg("MATCH").arg(&self.pattern).arg("COUNT").arg(self.count);
        let (next, keys): (u64, Vec<String>) = match (master, connection) {
            (Some((host, port)), RedisConnection::Cluster(link)) => {
                let routing = RoutingInfo::SingleNode(SingleNodeRoutingInfo::ByAddress { host, port });
                redis::from_redis_value(link.connection.route_command(scan, routing).await?)?
            }
            (_, connection) => scan.query_async(connection).await?,
        };
        if next == 0 {
            self.masters.pop();
        }
        self.cursor = next;
        Ok(Some(
            keys.into_iter().filter(|key| self.starts.iter().any(|start| key.starts_with(start.as_str()))).collect(),
        ))
    }

    /// Every key left.
    pub async fn collect(mut self, connection: &mut RedisConnection) -> RedisResult<Vec<String>> {
        let mut keys = Vec::new();
        while let Some(batch) = self.next(connection).await? {
            keys.extend(batch);
        }
        Ok(keys)
    }
}

/// A cluster connection and the cluster's slots as last read, shared by every clone.
#[derive(Clone)]
pub struct ClusterLink {
    connection: ClusterConnection,
    slots: Arc<SlotCache>,
}

/// Which master owns each slot, read with `CLUSTER SLOTS` when first needed and read
/// again after a node answered MOVED or ASK, or failed.
#[derive(Default)]
pub struct SlotCache(RwLock<Option<Arc<SlotTable>>>);

struct SlotTable {
    /// The index in `masters` of each slot's master.
    owner: Vec<u16>,
    masters: Vec<(String, u16)>,
}

impl ClusterLink {
    async fn slot_table(&mut self) -> RedisResult<Arc<SlotTable>> {
        let known = self.slots.0.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
        if let Some(table) = known {
            return Ok(table);
        }
        let reply = self
            .connection
            .route_command(
                redis::cmd("CLUSTER").arg("SLOTS").to_owned(),
                RoutingInfo::SingleNode(SingleNodeRoutingInfo::Random),
            )
            .await?;
        let table = Arc::new(SlotTable::parse(&reply)?);
        *self.slots.0.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(table.clone());
        Ok(table)
    }

    fn forget_slots(&self) {
        *self.slots.0.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
    }

    async fn masters(&mut self) -> RedisResult<Vec<(String, u16)>> {
        Ok(self.slot_table().await?.masters.clone())
    }

    /// `pipeline` on the cluster: as it is when it is a transaction or its keys are in
    /// one slot; otherwise one pipeline per master, at once, answered in order.
    async fn pipeline(&mut self, pipeline: &Pipeline, offset: usize, count: usize) -> RedisResult<Vec<Value>> {
        let commands: Vec<&Cmd> = pipeline.cmd_iter().collect();
        let slots: Vec<Option<u16>> = commands.iter().map(|cmd| command_slot(cmd)).collect();
        let first = slots.iter().flatten().next();
        let one_slot = slots.iter().flatten().all(|slot| Some(slot) == first);
        if pipeline.is_transaction() || one_slot || offset != 0 || count != commands.len() {
            return self.connection.req_packed_commands(pipeline, offset, count).await;
        }
        let table = self.slot_table().await?;
        let mut by_master: Vec<Vec<usize>> = vec![Vec::new(); table.masters.len()];
        for (index, slot) in slots.iter().enumerate() {
            // A command without a key (none in the data layer) goes to the first master.
            let master = slot.map_or(0, |slot| usize::from(table.owner[usize::from(slot)]));
            by_master[master].push(index);
        }
        let sends = by_master.iter().enumerate().filter(|(_, indexes)| !indexes.is_empty()).map(|(master, indexes)| {
            let mut part = Pipeline::with_capacity(indexes.len());
            for &index in indexes {
                part.add_command(commands[index].clone());
            }
            let (host, port) = table.masters[master].clone();
            let mut connection = self.connection.clone();
            async move {
                let routing = SingleNodeRoutingInfo::ByAddress { host, port };
                connection.route_pipeline(part, 0, indexes.len(), routing).await.map(|values| (indexes, values))
            }
        });
        let answers = futures_util::future::join_all(sends).await;
        let mut values = vec![Value::Nil; commands.len()];
        let mut redirected = Vec::new();
        for answer in answers {
            let (indexes, answered) = answer.inspect_err(|_| self.forget_slots())?;
            for (&index, value) in indexes.iter().zip(answered) {
                match &value {
                    Value::ServerError(error) if matches!(error.code(), "MOVED" | "ASK") => redirected.push(index),
                    _ => values[index] = value,
                }
            }
        }
        if !redirected.is_empty() {
            // Slots moved since they were read: read them again next time, and send these
            // commands one by one (the cluster client follows the redirection).
            self.forget_slots();
            for index in redirected {
                values[index] = match self.connection.req_packed_command(commands[index]).await {
                    Ok(value) => value,
                    Err(error) => match error.try_into() {
                        Ok(server_error) => Value::ServerError(server_error),
                        Err(error) => return Err(error),
                    },
                };
            }
        }
        Ok(values)
    }
}

impl SlotTable {
    /// `CLUSTER SLOTS`: `[[start, end, [host, port, id, …], replicas…], …]`.
    fn parse(reply: &Value) -> RedisResult<Self> {
        let invalid = || RedisError::from((redis::ErrorKind::UnexpectedReturnType, "unexpected CLUSTER SLOTS reply"));
        let Value::Array(ranges) = reply else { return Err(invalid()) };
        let mut table = Self { owner: vec![0; SLOTS], masters: Vec::new() };
        let mut covered = 0;
        for range in ranges {
            let Value::Array(fields) = range else { return Err(invalid()) };
            let (Some(Value::Int(start)), Some(Value::Int(end)), Some(Value::Array(master))) =
                (fields.first(), fields.get(1), fields.get(2))
            else {
                return Err(invalid());
            };
            let host: String = master.first().map(redis::from_redis_value_ref).ok_or_else(invalid)??;
            let port: u16 = master.get(1).map(redis::from_redis_value_ref).ok_or_else(invalid)??;
            let (start, end) =
                (usize::try_from(*start).map_err(|_| invalid())?, usize::try_from(*end).map_err(|_| invalid())?);
            if start > end || end >= SLOTS {
                return Err(invalid());
            }
            let index = match table.masters.iter().position(|known| known.0 == host && known.1 == port) {
                Some(index) => index,
                None => {
                    table.masters.push((host, port));
                    table.masters.len() - 1
                }
            };
            table.owner[start..=end].fill(u16::try_from(index).map_err(|_| invalid())?);
            covered += end - start + 1;
        }
        if covered != SLOTS {
            let down = redis::ErrorKind::Server(redis::ServerErrorKind::ClusterDown);
            return Err(RedisError::from((down, "not every slot is served")));
        }
        Ok(table)
    }
}

/// The slot of a command's key (its first argument after the name).
fn command_slot(cmd: &Cmd) -> Option<u16> {
    match cmd.args_iter().nth(1)? {
        redis::Arg::Simple(key) => Some(key_slot(key)),
        _ => None,
    }
}

/// Redis Cluster's slot of `key`: CRC16 (XMODEM) of its hash tag, or of the whole key
/// when it has none, modulo 16,384.
pub fn key_slot(key: &[u8]) -> u16 {
    let hashed = key
        .iter()
        .position(|&byte| byte == b'{')
        .and_then(|open| {
            let close = key[open + 1..].iter().position(|&byte| byte == b'}')?;
            (close > 0).then(|| &key[open + 1..open + 1 + close])
        })
        .unwrap_or(key);
    crc16_xmodem(hashed) % SLOTS as u16
}

fn crc16_xmodem(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &byte in bytes {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::{crc16_xmodem, key_slot, KeyLayout};
    use crate::data::Organization;

    #[test]
    fn slots_are_redis_clusters() {
        // The check value of CRC16/XMODEM, and slots `CLUSTER KEYSLOT` gives.
        assert_eq!(crc16_xmodem(b"123456789"), 0x31c3);
        assert_eq!(key_slot(b"foo"), 12182);
        assert_eq!(key_slot(b"bar"), 5061);
        assert_eq!(key_slot(b"{user1000}.following"), key_slot(b"{user1000}.followers"));
        assert_eq!(key_slot(b"{user1000}.following"), key_slot(b"user1000"));
        // An empty tag is no tag: the whole key is hashed.
        assert_eq!(key_slot(b"{}foo"), crc16_xmodem(b"{}foo") % 16384);
        assert_eq!(key_slot(b"foo{}{bar}"), crc16_xmodem(b"foo{}{bar}") % 16384);
    }

    #[test]
    fn one_server_keeps_seed_001s_names_and_a_cluster_tags_the_grouped_keys() {
        let organization = Organization {
            id: uuid::Uuid::nil(),
            slug: "default".into(),
            name: "Default".into(),
            redis_prefix: "ut360".into(),
        };
        assert_eq!(
            KeyLayout::Single.grouped_key(&organization, "idx:service:EasyCredit"),
            "ut360:idx:service:EasyCredit"
        );
        assert_eq!(
            KeyLayout::Cluster.grouped_key(&organization, "idx:service:EasyCredit"),
            "{ut360}:idx:service:EasyCredit"
        );
        let building = KeyLayout::Cluster.grouped_key(&organization, "sync:abc");
        assert_eq!(
            key_slot(format!("{building}:idx:risk:LOW").as_bytes()),
            key_slot(KeyLayout::Cluster.grouped_key(&organization, "idx:risk:LOW").as_bytes()),
            "a built index and its live key share a slot"
        );
        assert_eq!(KeyLayout::Cluster.scan_pattern("ut360"), "*ut360[:}]*");
        assert_eq!(KeyLayout::Single.scan_pattern("ut360"), "ut360:*");
    }
}
