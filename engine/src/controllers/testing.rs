//! Unit-test bench for controllers: a bare [`World`] (namespace `default` with its
//! ServiceAccount, no nodes, no other controllers) and one controller on the runtime, so a
//! test puts objects in, runs passes, and reads what the controller wrote and requeued.

use crate::sort::SliceSort;
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::runtime::{Controller, Runtime};
use crate::api::object::Object;
use crate::clock::{SimDuration, BOOT_MS};
use crate::cluster::ClusterProfile;
use crate::world::World;

/// One controller on the runtime, over a world of its own.
pub struct Bench {
    /// The world the controller acts on.
    pub world: World,
    runtime: Runtime,
}

impl Bench {
    /// `controller` over a world holding the `default` namespace and its ServiceAccount.
    pub fn new(controller: Box<dyn Controller>) -> Self {
        let mut world = World::new(BOOT_MS, 0);
        let now = world.clock.now_time();
        let meta = |ns: Option<&str>, name: &str| ObjectMeta {
            name: Some(name.into()),
            namespace: ns.map(str::to_string),
            ..Default::default()
        };
        let mut ns = Namespace {
            metadata: meta(None, "default"),
            ..Default::default()
        };
        crate::api::defaults::namespace(&mut ns);
        let sa = ServiceAccount {
            metadata: meta(Some("default"), "default"),
            ..Default::default()
        };
        for obj in [
            Object::Namespace(Box::new(ns)),
            Object::ServiceAccount(Box::new(sa)),
        ] {
            let _ = world.api.restore(obj, now.clone(), &mut world.rng);
        }
        let mut runtime = Runtime::default();
        runtime.register_at(controller, world.api.watch());
        Bench { world, runtime }
    }

    /// Registers one more controller (it runs after the others, from now on).
    pub fn also(mut self, controller: Box<dyn Controller>) -> Self {
        self.runtime.register_at(controller, self.world.api.watch());
        self
    }

    /// Restores the nodes of `profile` as a fresh cluster has them (Ready, with their
    /// allocatable resources and the control plane's taint), without kubelets.
    pub fn add_nodes(&mut self, profile: &ClusterProfile) {
        let now = self.world.clock.now_time();
        for (i, n) in profile.nodes.iter().enumerate() {
            let node = crate::cluster::bootstrap::node(n, i, &now);
            let _ = self
                .world
                .api
                .restore(node, now.clone(), &mut self.world.rng);
        }
    }

    /// Creates `obj` through the API server, as a client would.
    pub fn create(&mut self, obj: Object) -> Object {
        self.world.create(obj).expect("create").clone()
    }

    /// One pass of the controller.
    pub fn pass(&mut self) {
        self.runtime.run_all(&mut self.world);
    }

    /// Lets `d` pass (timers are not run: a bench has no kubelet) and runs a pass.
    pub fn advance(&mut self, d: SimDuration) {
        let now = self.world.clock.now_ms();
        self.world.clock.set(now + d.0);
        self.pass();
    }

    /// Moves the clock to the next timer task's due time, drops the tasks due then (a bench
    /// has no kubelet; wake-ups only run the controllers) and runs a pass. Returns that time.
    pub fn wake(&mut self) -> Option<i64> {
        let due = self.world.timers.next_due()?;
        while self.world.timers.pop_due(due).is_some() {}
        self.world.clock.set(due.max(self.world.clock.now_ms()));
        self.pass();
        Some(due)
    }

    /// The names of the objects of `kind` in `default`.
    pub fn names(&self, kind: &'static str) -> Vec<String> {
        self.world
            .api
            .list(kind, Some("default"))
            .map(|o| o.name().to_string())
            .collect()
    }

    /// `reason: message` of every Event, oldest first.
    pub fn events(&self) -> Vec<String> {
        let mut events: Vec<(String, String)> = self
            .world
            .api
            .list("Event", Some("default"))
            .filter_map(|o| match o {
                Object::Event(e) => Some((
                    e.metadata.name.clone().unwrap_or_default(),
                    format!(
                        "{}: {}",
                        e.reason.as_deref().unwrap_or(""),
                        e.message.as_deref().unwrap_or("")
                    ),
                )),
                _ => None,
            })
            .collect();
        events.stable_sort_by_key(|(name, _)| name.rsplit('.').next().map(str::to_string));
        events.into_iter().map(|(_, e)| e).collect()
    }

    /// The object `kind`/`name` in `default`, if it exists.
    pub fn get(&self, kind: &'static str, name: &str) -> Option<&Object> {
        self.world.api.get(kind, "default", name)
    }

    /// Marks the pod `name` in `default` Running and Ready from now on, as its kubelet would.
    pub fn mark_ready(&mut self, name: &str) {
        let Some(Object::Pod(mut pod)) = self.get("Pod", name).cloned() else {
            panic!("no pod {name}");
        };
        let now = self.world.clock.now_time();
        pod.status.get_or_insert_with(Default::default).phase = Some("Running".into());
        crate::api::pod::set_condition(
            &mut pod,
            k8s_openapi::api::core::v1::PodCondition {
                type_: "Ready".into(),
                status: "True".into(),
                last_transition_time: Some(now),
                ..Default::default()
            },
        );
        self.world
            .api
            .update_status(Object::Pod(pod))
            .expect("update status");
    }

    /// When the next timer task falls due, if any (a requeue's wake-up).
    pub fn next_wake(&self) -> Option<i64> {
        self.world.timers.next_due()
    }
}

/// An object from JSON (with its `kind`).
pub fn object(v: serde_json::Value) -> Object {
    let kind = v["kind"].as_str().unwrap_or("").to_string();
    match Object::decode_strict(&kind, &v) {
        Some(Ok(o)) => o,
        _ => panic!("not a valid {kind}: {v}"),
    }
}
