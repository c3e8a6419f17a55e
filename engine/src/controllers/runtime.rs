//! The controller runtime, written once for every controller (as kube-rs's `kube-runtime`
//! and client-go's informers and work queues): a watch cursor on the API server's log, a
//! work queue of object keys, and requeues at a later simulated time.
//!
//! A controller says which kinds it reads ([`Controller::reads`]), which keys a watch event
//! of them concerns ([`Controller::enqueue`]: its own objects, the owners of the objects it
//! owns) and reconciles one key at a time
//! ([`Controller::sync`]). Each pass, the runtime hands it the keys whose requeue time has
//! come, then those of every event since its cursor, and syncs them in key order (so runs
//! repeat exactly). What a controller remembers is its own struct's fields.

use std::collections::{BTreeMap, BTreeSet};

use crate::api::object::{Object, ObjectKey, WatchEvent};
use crate::apiserver::Cursor;
use crate::timers::Task;
use crate::world::control_plane::Process;
use crate::world::World;

/// A controller of kube-controller-manager (or the scheduler, or an apiserver loop). `Send`,
/// as the `Cluster` that holds it is (the page keeps it in reactive state).
pub trait Controller: Send {
    /// The name it runs under, e.g. `replicaset`.
    fn name(&self) -> &'static str;

    /// Whether it reads the watch events of `obj`'s kind (at this moment): the runtime hands
    /// [`Controller::enqueue`] only those (most controllers read a few kinds, and never
    /// Events). By default, every kind.
    fn reads(&self, _obj: &Object) -> bool {
        true
    }

    /// Adds to `queue` the keys `event` concerns; may update the controller's caches.
    fn enqueue(&mut self, event: &WatchEvent, world: &World, queue: &mut Queue);

    /// After a pass's events: keys only a read of the store can tell (e.g. the controllers
    /// that may adopt an orphan).
    fn after_events(&mut self, _world: &World, _queue: &mut Queue) {}

    /// Reconciles one key; `queue` takes requeues ([`Queue::requeue_at`]).
    fn sync(&mut self, world: &mut World, key: &ObjectKey, queue: &mut Queue);
}

/// A controller's work queue: keys to sync this pass, and keys to sync at a later time.
#[derive(Clone, Debug, Default)]
pub struct Queue {
    now: BTreeSet<ObjectKey>,
    later: BTreeMap<i64, BTreeSet<ObjectKey>>,
}

impl Queue {
    /// Queues `key` for this pass.
    pub fn add(&mut self, key: ObjectKey) {
        self.now.insert(key);
    }

    /// Queues `key` for the first pass at or after `due_ms`, waking the cluster then.
    pub fn requeue_at(&mut self, world: &mut World, due_ms: i64, key: ObjectKey) {
        self.later.entry(due_ms).or_default().insert(key);
        world.timers.at(due_ms, Task::Wake);
    }

    /// Moves the keys due by `now_ms` into this pass.
    fn take_due(&mut self, now_ms: i64) {
        let due: Vec<i64> = self.later.range(..=now_ms).map(|(t, _)| *t).collect();
        for t in due {
            self.now.extend(self.later.remove(&t).unwrap_or_default());
        }
    }
}

/// The trigger of a controller that reconciles the whole store under one key (the
/// endpoints and serviceaccount controllers): it is due when a write it did not make came
/// after its last pass (of the events it notes: a controller may skip kinds it never reads). Every write moves the store's resourceVersion and appends one watch
/// event, so the version differs from the one it left exactly when another write came
/// after its own.
#[derive(Clone, Debug)]
pub struct WholeStore {
    /// The one key it works on.
    key: ObjectKey,
    /// The store's resourceVersion after its last pass (its own writes included).
    seen: Option<u64>,
    /// Whether this pass's events came after that version.
    due: bool,
}

impl WholeStore {
    /// A trigger for the pass over every object of `kind`.
    pub fn over(kind: &'static str) -> Self {
        WholeStore {
            key: ObjectKey {
                kind,
                namespace: String::new(),
                name: String::new(),
            },
            seen: None,
            due: false,
        }
    }

    /// Notes a watch event ([`Controller::enqueue`]).
    pub fn note(&mut self, world: &World) {
        self.due |= self.seen != Some(world.api.resource_version());
    }

    /// Queues the one key, once a pass, if an event called for it
    /// ([`Controller::after_events`]).
    pub fn queue(&mut self, queue: &mut Queue) {
        if std::mem::take(&mut self.due) {
            queue.add(self.key.clone());
        }
    }

    /// Records the version a pass left the store at (the end of [`Controller::sync`]).
    pub fn synced(&mut self, world: &World) {
        self.seen = Some(world.api.resource_version());
    }
}

/// One registered controller with its cursor and queue.
struct Slot {
    controller: Box<dyn Controller>,
    /// The control-plane process it runs in, if one that can be down.
    process: Option<Process>,
    cursor: Cursor,
    queue: Queue,
}

/// Runs registered controllers, each from its own watch cursor.
#[derive(Default)]
pub struct Runtime {
    slots: Vec<Slot>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.slots.iter().map(|s| s.controller.name()).collect();
        f.debug_struct("Runtime")
            .field("controllers", &names)
            .finish()
    }
}

impl Runtime {
    /// Registers `controller`; it will see every watch event from the first on.
    pub fn register(&mut self, controller: Box<dyn Controller>) {
        self.register_at(controller, Cursor::default());
    }

    /// Registers `controller`, which runs in `process`: while that is down, its passes
    /// wait (its cursor and requeues with them).
    pub fn register_in(&mut self, process: Process, controller: Box<dyn Controller>) {
        self.push(controller, Some(process), Cursor::default());
    }

    /// Registers `controller`; it will see every watch event from `cursor` on.
    pub fn register_at(&mut self, controller: Box<dyn Controller>, cursor: Cursor) {
        self.push(controller, None, cursor);
    }

    fn push(&mut self, controller: Box<dyn Controller>, process: Option<Process>, cursor: Cursor) {
        self.slots.push(Slot {
            controller,
            process,
            cursor,
            queue: Queue::default(),
        });
    }

    /// Runs one pass of the controller called `name`: requeues that fell due, then the
    /// watch events since its cursor, each key synced once, in order.
    pub fn run(&mut self, name: &str, world: &mut World) {
        if let Some(slot) = self.slots.iter_mut().find(|s| s.controller.name() == name) {
            if slot.up(world) {
                slot.run(world);
            }
        }
    }

    /// Runs one pass of every controller whose process is up, in registration order.
    pub fn run_all(&mut self, world: &mut World) {
        for slot in &mut self.slots {
            if slot.up(world) {
                slot.run(world);
            }
        }
    }
}

impl Slot {
    /// Whether its process is up.
    fn up(&self, world: &World) -> bool {
        self.process.is_none_or(|p| !world.control_plane.is_down(p))
    }

    fn run(&mut self, world: &mut World) {
        self.queue.take_due(world.clock.now_ms());
        for event in world.api.read(&self.cursor) {
            if self.controller.reads(&event.object) {
                self.controller.enqueue(event, world, &mut self.queue);
            }
        }
        self.controller.after_events(world, &mut self.queue);
        for key in std::mem::take(&mut self.queue.now) {
            self.controller.sync(world, &key, &mut self.queue);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use k8s_openapi::api::core::v1::ConfigMap;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    use super::*;
    use crate::controllers::testing::Bench;

    /// Records the kinds of the events it is handed; reads ConfigMaps only.
    struct ConfigMapsOnly(Arc<Mutex<Vec<&'static str>>>);

    impl Controller for ConfigMapsOnly {
        fn name(&self) -> &'static str {
            "configmaps-only"
        }

        fn reads(&self, obj: &Object) -> bool {
            matches!(obj, Object::ConfigMap(_))
        }

        fn enqueue(&mut self, event: &WatchEvent, _world: &World, _queue: &mut Queue) {
            self.0.lock().unwrap().push(event.object.kind());
        }

        fn sync(&mut self, _world: &mut World, _key: &ObjectKey, _queue: &mut Queue) {}
    }

    #[test]
    fn a_controller_is_handed_only_the_kinds_it_reads() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut bench = Bench::new(Box::new(ConfigMapsOnly(Arc::clone(&seen))));
        let cm = bench.create(Object::ConfigMap(Box::new(ConfigMap {
            metadata: ObjectMeta {
                name: Some("c".into()),
                namespace: Some("default".into()),
                ..Default::default()
            },
            ..Default::default()
        })));
        crate::world::events::record(
            &mut bench.world,
            &cm,
            crate::world::events::EventType::Normal,
            "Tested",
            "a test event",
            crate::world::events::Source {
                component: "test",
                host: None,
            },
        );
        assert!(bench.world.api.list("Event", None).count() > 0);
        bench.pass();
        assert_eq!(*seen.lock().unwrap(), ["ConfigMap"]);
    }
}
