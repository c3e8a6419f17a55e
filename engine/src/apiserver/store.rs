//! The API server's storage: objects keyed by (kind, namespace, name), with uid,
//! resourceVersion and creationTimestamp assigned on create, and the watch log that readers
//! read from their own [`Cursor`]: it keeps only what some live cursor has not read yet.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Bound;
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::cursor::{Cursor, Readers};
use super::ttl::{ttl_of, Leases};
use crate::api::error::ApiError;
use crate::api::object::{KeyParts, Object, ObjectKey, WatchEvent, WatchEventType};
use crate::rng::Rng;

/// Which part of an object a write replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Write {
    /// The main resource: the stored status stays.
    Main,
    /// The status subresource: the stored spec stays.
    Status,
    /// Everything given (deletion bookkeeping, bindings).
    Whole,
}

/// The object store and its watch log. The store and the log share each stored version
/// (`Arc`): a write allocates one copy of the object, not one per reader.
#[derive(Clone, Debug, Default)]
pub struct Store {
    /// The objects in etcd key order (lists walk it).
    objects: BTreeMap<ObjectKey, Arc<Object>>,
    /// The same objects, hashed by their own kind, namespace and name (no second copy of
    /// the key): a lookup hashes the key once instead of comparing it with a dozen others
    /// (reads by key are the hottest path). Never iterated.
    index: HashSet<Entry, BuildHasherDefault<KeyHasher>>,
    resource_version: u64,
    /// The newest watch events; `log[0]` is event number `log_base`.
    log: Vec<WatchEvent>,
    /// How many older events were compacted away.
    log_base: usize,
    /// The readers' cursors: events every one of them has read are dropped.
    readers: Readers,
    /// The leases of the kinds stored with a TTL (Events), as etcd's.
    leases: Leases,
    /// How many objects of each kind are stored (the scale envelope reads it; lists skip a
    /// kind with none).
    counts: HashMap<&'static str, usize, BuildHasherDefault<KeyHasher>>,
    /// The latest time the store has heard of (a write's, or [`Store::expire`]'s), epoch ms:
    /// when a write's lease starts.
    now_ms: i64,
}

/// A stored object in the hashed index, keyed by its own kind, namespace and name.
#[derive(Clone, Debug)]
struct Entry(Arc<Object>);

impl KeyParts for Entry {
    fn parts(&self) -> (&str, &str, &str) {
        (self.0.kind(), self.0.namespace(), self.0.name())
    }
}

impl<'a> std::borrow::Borrow<dyn KeyParts + 'a> for Entry {
    fn borrow(&self) -> &(dyn KeyParts + 'a) {
        self
    }
}

impl std::hash::Hash for Entry {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self as &dyn KeyParts).hash(state);
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for Entry {}

/// The index's hash of a key's parts: a multiply-rotate over 8-byte words (as rustc's
/// `FxHasher`), several times cheaper than SipHash for these short strings. The index is
/// never iterated, so its order cannot show; the store bounds what it holds.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct KeyHasher(u64);

impl KeyHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(c);
            self.add(u64::from_le_bytes(word));
        }
        let mut last = [0; 8];
        let rest = chunks.remainder();
        last[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(last) ^ ((rest.len() as u64) << 59));
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Watch events kept after a forced compaction, when a reader stalls (etcd compacts its
/// history too; a reader that falls further behind misses events, as after a relist).
const LOG_WINDOW: usize = 10_000;

impl Store {
    fn key(obj: &Object) -> ObjectKey {
        ObjectKey {
            kind: obj.kind(),
            namespace: obj.namespace().to_string(),
            name: obj.name().to_string(),
        }
    }

    /// Stores a new object: assigns uid, resourceVersion, creationTimestamp and generation.
    pub fn create(
        &mut self,
        mut obj: Object,
        now: Time,
        rng: &mut Rng,
    ) -> Result<&Object, ApiError> {
        let key = Self::key(&obj);
        if self.index.contains(&key as &dyn KeyParts) {
            return Err(ApiError::already_exists(obj.info(), &key.name));
        }
        self.now_ms = self.now_ms.max(crate::clock::ms_from_time(&now));
        self.resource_version += 1;
        let meta = obj.metadata_mut();
        meta.uid = Some(new_uid(rng));
        meta.resource_version = Some(self.resource_version.to_string());
        meta.creation_timestamp = Some(now);
        if super::strategy::starts_generation(&obj) {
            obj.metadata_mut().generation = Some(1);
        }
        self.lease(key.kind, &key.namespace, &key.name);
        *self.counts.entry(key.kind).or_default() += 1;
        let obj = Arc::new(obj);
        self.record(WatchEvent {
            kind: WatchEventType::Added,
            object: Arc::clone(&obj),
            status_only: false,
        });
        self.index.replace(Entry(Arc::clone(&obj)));
        Ok(&**self.objects.entry(key).or_insert(obj))
    }

    /// Stores an object the apiserver serves from its own bootstrap data (the RBAC
    /// policy): uid and creationTimestamp assigned, the current resourceVersion shared, no
    /// watch event, so what the cluster stores later keeps its versions.
    pub fn preload(&mut self, mut obj: Object, now: Time, rng: &mut Rng) {
        let key = Self::key(&obj);
        let meta = obj.metadata_mut();
        meta.uid = Some(new_uid(rng));
        meta.resource_version = Some(self.resource_version.to_string());
        meta.creation_timestamp = Some(now);
        if !self.index.contains(&key as &dyn KeyParts) {
            *self.counts.entry(key.kind).or_default() += 1;
            let obj = Arc::new(obj);
            self.index.replace(Entry(Arc::clone(&obj)));
            self.objects.insert(key, obj);
        }
    }

    /// Replaces a stored object with `obj` (matched by kind, namespace and name), bumping its
    /// resourceVersion. Identity fields (uid, creationTimestamp) are kept from the stored copy;
    /// a main-resource write keeps the stored status and moves `generation` when the spec
    /// changed, a status write keeps the stored spec and `generation`, a whole write keeps
    /// neither part.
    pub fn update(&mut self, mut obj: Object, write: Write) -> Result<&Object, ApiError> {
        // Looked up by borrowed parts: a write builds no key.
        let parts = (obj.kind(), obj.namespace(), obj.name());
        let Some(Entry(old)) = self.index.get(&parts as &dyn KeyParts) else {
            return Err(ApiError::not_found(obj.info(), obj.name()));
        };
        let (uid, created) = (
            old.metadata().uid.clone(),
            old.metadata().creation_timestamp.clone(),
        );
        match write {
            Write::Main => obj.keep_from(old, false),
            Write::Status => obj.keep_from(old, true),
            Write::Whole => {}
        }
        // metadata.generation counts changes of the spec (for the kinds that have one).
        let generation = old.metadata().generation.map(|g| {
            if write == Write::Status || super::strategy::same_generation_fields(old, &obj) {
                g
            } else {
                g + 1
            }
        });
        self.resource_version += 1;
        let meta = obj.metadata_mut();
        meta.uid = uid;
        meta.creation_timestamp = created;
        meta.generation = generation;
        meta.resource_version = Some(self.resource_version.to_string());
        if ttl_of(obj.kind()).is_some() {
            self.lease(obj.kind(), obj.namespace(), obj.name());
        }
        let obj = Arc::new(obj);
        self.record(WatchEvent {
            kind: WatchEventType::Modified,
            object: Arc::clone(&obj),
            status_only: write == Write::Status,
        });
        let parts = (obj.kind(), obj.namespace(), obj.name());
        match self.objects.get_mut(&parts as &dyn KeyParts) {
            Some(slot) => {
                *slot = Arc::clone(&obj);
                self.index.replace(Entry(obj));
                Ok(&**slot)
            }
            None => Err(ApiError::not_found(obj.info(), obj.name())),
        }
    }

    /// Removes an object for good (after finalizers and grace periods are done).
    pub fn remove(
        &mut self,
        kind: &'static str,
        namespace: &str,
        name: &str,
    ) -> Option<Arc<Object>> {
        let parts = (kind, namespace, name);
        let obj = self.objects.remove(&parts as &dyn KeyParts)?;
        self.index.remove(&parts as &dyn KeyParts);
        if ttl_of(kind).is_some() {
            self.leases.revoke(&parts);
        }
        if let Some(n) = self.counts.get_mut(kind) {
            *n = n.saturating_sub(1);
        }
        self.resource_version += 1;
        self.record(WatchEvent {
            kind: WatchEventType::Deleted,
            object: Arc::clone(&obj),
            status_only: false,
        });
        Some(obj)
    }

    /// The object of `kind` called `name` in `namespace` (empty for cluster-scoped kinds).
    pub fn get(&self, kind: &'static str, namespace: &str, name: &str) -> Option<&Object> {
        // Looked up by borrowed parts: no key is allocated (this is the hottest path).
        self.index
            .get(&(kind, namespace, name) as &dyn KeyParts)
            .map(|e| &*e.0)
    }

    /// The stored version of an object, shared: a reader that writes meanwhile (the kubelet)
    /// keeps reading it without a copy.
    pub fn get_shared(
        &self,
        kind: &'static str,
        namespace: &str,
        name: &str,
    ) -> Option<Arc<Object>> {
        self.index
            .get(&(kind, namespace, name) as &dyn KeyParts)
            .map(|e| Arc::clone(&e.0))
    }

    /// Objects of `kind`, in etcd key order (namespace, then name); `None` lists every namespace.
    pub fn list<'a>(
        &'a self,
        kind: &'static str,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Object> + 'a {
        self.list_shared(kind, namespace).map(|o| &**o)
    }

    /// [`Store::list`], each stored version shared.
    pub fn list_shared<'a>(
        &'a self,
        kind: &'static str,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Arc<Object>> + 'a {
        // Keys sort by kind, then namespace: walk only that range, not the whole store; a
        // kind with nothing stored (most admission plugins' kinds) is not looked for.
        // The start key is borrowed: a list allocates nothing.
        let range = (self.count(kind) > 0).then(|| {
            let start = (kind, namespace.unwrap_or(""), "");
            let start: (Bound<&dyn KeyParts>, _) = (Bound::Included(&start), Bound::Unbounded);
            self.objects.range::<dyn KeyParts, _>(start)
        });
        range
            .into_iter()
            .flatten()
            .take_while(move |(k, _)| {
                k.kind == kind && namespace.is_none_or(|ns| k.namespace == ns)
            })
            .map(|(_, o)| o)
    }

    /// How many objects are stored.
    pub fn total(&self) -> usize {
        self.objects.len()
    }

    /// How many objects of `kind` are stored (preloaded ones too).
    pub fn count(&self, kind: &str) -> usize {
        self.counts.get(kind).copied().unwrap_or(0)
    }

    /// A cursor that sees only what happens from now on, known to the store.
    pub fn watch(&self) -> Cursor {
        let cursor = Cursor::at(self.log_end());
        self.readers.register(&cursor);
        cursor
    }

    /// The watch events `cursor` has not read (those compacted away are skipped: a reader
    /// that falls more than the window behind must relist), now marked read.
    pub fn read(&self, cursor: &Cursor) -> &[WatchEvent] {
        self.readers.register(cursor);
        let start = cursor
            .next()
            .saturating_sub(self.log_base)
            .min(self.log.len());
        cursor.set(self.log_end());
        &self.log[start..]
    }

    /// Drops the events every live cursor has read.
    pub fn compact(&mut self) {
        let low = self.readers.low_water(self.log_end());
        let drop = low.saturating_sub(self.log_base).min(self.log.len());
        if drop > 0 {
            self.log.drain(..drop);
            self.log_base += drop;
        }
    }

    /// The number of the next watch event: a cursor that sees only what happens from now on.
    pub fn log_end(&self) -> usize {
        self.log_base + self.log.len()
    }

    /// Grants or renews the lease of a kind stored with a TTL, from the store's time.
    fn lease(&mut self, kind: &'static str, namespace: &str, name: &str) {
        if let Some(ttl) = ttl_of(kind) {
            let due = self.now_ms.saturating_add(ttl);
            self.leases.grant(kind, namespace, name, due);
        }
    }

    /// Moves the store's time to `now_ms` and removes the objects whose lease ran out by
    /// then (each a watch `DELETED`, as etcd's lease revocation); returns how many went.
    pub fn expire(&mut self, now_ms: i64) -> usize {
        self.now_ms = self.now_ms.max(now_ms);
        let mut gone = 0;
        while let Some(key) = self.leases.pop_expired(self.now_ms) {
            gone += usize::from(self.remove(key.kind, &key.namespace, &key.name).is_some());
        }
        gone
    }

    fn record(&mut self, event: WatchEvent) {
        self.log.push(event);
        if self.log.len() >= 2 * LOG_WINDOW {
            let drop = self.log.len() - LOG_WINDOW;
            self.log.drain(..drop);
            self.log_base += drop;
        }
    }

    /// The current resourceVersion of the whole store.
    pub fn resource_version(&self) -> u64 {
        self.resource_version
    }
}

/// A random RFC 4122 version-4 UUID, drawn from the cluster's seeded generator.
pub fn new_uid(rng: &mut Rng) -> String {
    use crate::rng::push_hex;
    let hi = rng.next_u64();
    let lo = rng.next_u64();
    let variant = ['8', '9', 'a', 'b'][(lo >> 62) as usize];
    // The hex digits of `hi` then `lo`, grouped 8-4-4-4-12 with the version and variant
    // digits in place of the 13th and 17th.
    let mut uid = String::with_capacity(36);
    push_hex(&mut uid, hi >> 32, 8);
    uid.push('-');
    push_hex(&mut uid, hi >> 16, 4);
    uid.push_str("-4");
    push_hex(&mut uid, hi, 3);
    uid.push('-');
    uid.push(variant);
    push_hex(&mut uid, lo >> 48, 3);
    uid.push('-');
    push_hex(&mut uid, lo, 12);
    uid
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Namespace;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn ns(name: &str) -> Object {
        Object::Namespace(Box::new(Namespace {
            metadata: ObjectMeta {
                name: Some(name.into()),
                ..Default::default()
            },
            ..Default::default()
        }))
    }

    #[test]
    fn uids_take_their_digits_from_two_draws() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        let uid = new_uid(&mut a);
        let (hi, lo) = (b.next_u64(), b.next_u64());
        let (h, l) = (format!("{hi:016x}"), format!("{lo:016x}"));
        let variant = ['8', '9', 'a', 'b'][(lo >> 62) as usize];
        let expected = format!(
            "{}-{}-4{}-{variant}{}-{}",
            &h[..8],
            &h[8..12],
            &h[13..],
            &l[1..4],
            &l[4..]
        );
        assert_eq!(uid, expected);
    }

    #[test]
    fn create_assigns_metadata_and_refuses_duplicates() {
        let mut store = Store::default();
        let mut rng = Rng::new(1);
        let now = crate::clock::time_from_ms(crate::clock::BOOT_MS);
        let reader = Cursor::default();
        let created = store.create(ns("dev"), now.clone(), &mut rng).unwrap();
        assert_eq!(created.metadata().resource_version.as_deref(), Some("1"));
        let uid = created.metadata().uid.clone().unwrap();
        assert_eq!(uid.len(), 36);
        assert_eq!(&uid[14..15], "4");
        let err = store.create(ns("dev"), now, &mut rng).unwrap_err();
        assert_eq!(
            err.kubectl_message(),
            "Error from server (AlreadyExists): namespaces \"dev\" already exists"
        );
        assert_eq!(store.read(&reader).len(), 1);
        assert_eq!(store.list("Namespace", None).count(), 1);
    }

    #[test]
    fn lookups_by_key_follow_creates_updates_and_removals() {
        let mut store = Store::default();
        let now = crate::clock::time_from_ms(crate::clock::BOOT_MS);
        let mut rng = Rng::new(1);
        for name in ["a", "b", "c"] {
            store.create(ns(name), now.clone(), &mut rng).unwrap();
        }
        let rv = |store: &Store, name: &str| {
            store
                .get("Namespace", "", name)
                .and_then(|o| o.metadata().resource_version.clone())
        };
        assert_eq!(rv(&store, "b").as_deref(), Some("2"));
        store.update(ns("b"), Write::Main).unwrap();
        assert_eq!(rv(&store, "b").as_deref(), Some("4"));
        let listed: Vec<_> = store.list("Namespace", None).map(|o| o.name()).collect();
        assert_eq!(listed, ["a", "b", "c"]);
        assert!(store.remove("Namespace", "", "b").is_some());
        assert_eq!(rv(&store, "b"), None);
        assert!(store.get("Pod", "", "a").is_none());
        assert_eq!(store.list("Namespace", None).count(), 2);
    }

    #[test]
    fn preloaded_objects_are_counted_and_listed() {
        let mut store = Store::default();
        let now = crate::clock::time_from_ms(crate::clock::BOOT_MS);
        let mut rng = Rng::new(1);
        assert_eq!(store.list("Namespace", None).count(), 0);
        store.preload(ns("a"), now.clone(), &mut rng);
        store.preload(ns("a"), now.clone(), &mut rng);
        store.create(ns("b"), now, &mut rng).unwrap();
        assert_eq!(store.count("Namespace"), 2);
        let listed: Vec<_> = store.list("Namespace", None).map(|o| o.name()).collect();
        assert_eq!(listed, ["a", "b"]);
        assert_eq!(store.list("ConfigMap", Some("a")).count(), 0);
        store.remove("Namespace", "", "a");
        store.remove("Namespace", "", "b");
        assert_eq!(store.list("Namespace", None).count(), 0);
    }

    #[test]
    fn the_watch_log_keeps_what_live_cursors_have_not_read() {
        let mut store = Store::default();
        let mut rng = Rng::new(1);
        let now = crate::clock::time_from_ms(crate::clock::BOOT_MS);
        let mut create = |store: &mut Store, i: usize| {
            store
                .create(ns(&format!("n{i}")), now.clone(), &mut rng)
                .unwrap();
        };
        let (slow, fast) = (store.watch(), store.watch());
        for i in 0..5 {
            create(&mut store, i);
        }
        assert_eq!(store.read(&fast).len(), 5);
        store.compact();
        assert_eq!(store.log.len(), 5, "the slow reader holds them");
        assert_eq!(store.read(&slow).len(), 5);
        assert!(store.read(&fast).is_empty());
        store.compact();
        assert!(store.log.is_empty());
        create(&mut store, 5);
        drop(slow);
        let tail = store.read(&fast);
        assert_eq!(tail[0].object.name(), "n5");
        store.compact();
        assert!(store.log.is_empty(), "a dropped cursor holds nothing back");
        assert_eq!(store.log_end(), 6);
    }

    #[test]
    fn a_stalled_reader_loses_only_what_fell_out_of_the_window() {
        let mut store = Store::default();
        let mut rng = Rng::new(1);
        let now = crate::clock::time_from_ms(crate::clock::BOOT_MS);
        let stalled = store.watch();
        for i in 0..(2 * LOG_WINDOW + 5) {
            store
                .create(ns(&format!("n{i}")), now.clone(), &mut rng)
                .unwrap();
        }
        assert_eq!(store.log_end(), 2 * LOG_WINDOW + 5);
        assert!(store.log.len() <= LOG_WINDOW + 5);
        let late = store.read(&stalled);
        assert_eq!(late.len(), store.log.len());
        assert_eq!(
            late.last().map(|e| e.object.name()),
            Some(format!("n{}", 2 * LOG_WINDOW + 4).as_str())
        );
    }

    #[test]
    fn main_writes_keep_the_status_and_status_writes_keep_the_spec() {
        use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStatus};
        let deployment = |replicas: i32, ready: i32| {
            Object::Deployment(Box::new(Deployment {
                metadata: ObjectMeta {
                    name: Some("web".into()),
                    namespace: Some("default".into()),
                    ..Default::default()
                },
                spec: Some(DeploymentSpec {
                    replicas: Some(replicas),
                    ..Default::default()
                }),
                status: Some(DeploymentStatus {
                    ready_replicas: Some(ready),
                    ..Default::default()
                }),
            }))
        };
        let read = |store: &Store| match store.get("Deployment", "default", "web") {
            Some(Object::Deployment(d)) => (
                d.spec.as_ref().and_then(|s| s.replicas),
                d.status.as_ref().and_then(|s| s.ready_replicas),
                d.metadata.generation,
            ),
            _ => panic!("gone"),
        };
        let mut store = Store::default();
        let now = crate::clock::time_from_ms(crate::clock::BOOT_MS);
        store
            .create(deployment(1, 0), now, &mut Rng::new(1))
            .unwrap();
        store.update(deployment(3, 9), Write::Main).unwrap();
        assert_eq!(read(&store), (Some(3), Some(0), Some(2)));
        store.update(deployment(7, 2), Write::Status).unwrap();
        assert_eq!(read(&store), (Some(3), Some(2), Some(2)));
        store.update(deployment(4, 4), Write::Whole).unwrap();
        assert_eq!(read(&store), (Some(4), Some(4), Some(3)));
    }
}
