//! [`KindPrinter`]: how each kind prints — its `kubectl get` columns and row, and its
//! `kubectl describe` body — and the printers of the kinds the store holds. A new kind adds
//! its impl in a file of its own under `printers/kinds/`, declared here.

mod admission;
mod certificates;
mod csi;
pub mod custom;
mod dra;
mod endpoint_slice;
mod flowcontrol;
mod hpa;
mod ingress;
mod network_policy;
mod policy;
pub mod quota;
mod rbac;
pub(crate) use rbac::rule_rows;
mod secret;
mod service_cidr;
mod storage;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Event, Namespace, Node, PersistentVolumeClaim, Pod,
    ReplicationController, Service, ServiceAccount,
};

use super::columns::{self, age, TableOptions};
use super::describe;
use super::{batch_columns, service_columns, storage_columns, workload_columns};
use crate::api::object::Object;
use crate::world::World;

/// `get` columns: those always shown, and those `-o wide` adds.
pub type Columns = (&'static [&'static str], &'static [&'static str]);

/// How a kind prints. Without an impl's own, a kind prints `NAME AGE` and is not described.
pub trait KindPrinter {
    /// `kubectl get`'s columns.
    fn columns() -> Columns
    where
        Self: Sized,
    {
        (&["NAME", "AGE"], &[])
    }

    /// `-o wide`'s whole header where its extra columns do not simply follow the others
    /// (`None`: the base columns, then the wide ones).
    fn wide_header() -> Option<&'static [&'static str]>
    where
        Self: Sized,
    {
        None
    }

    /// One row, NAME first, matching [`KindPrinter::columns`] (`obj` is `self` as an
    /// [`Object`]).
    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        vec![obj.name().to_string(), age(obj, now_ms)]
    }

    /// `kubectl describe`'s body, before its Events; `None`: not described yet.
    fn describe(&self, _obj: &Object, _world: &World) -> Option<String> {
        None
    }

    /// Whether `describe` ends with the object's Events (kubectl's describers of
    /// namespaces, Secrets and RBAC objects list none).
    fn describes_events(&self) -> bool {
        true
    }
}

impl KindPrinter for Pod {
    fn columns() -> Columns {
        (
            &["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
            &["IP", "NODE", "NOMINATED NODE", "READINESS GATES"],
        )
    }
    fn row(&self, obj: &Object, now_ms: i64, opts: TableOptions) -> Vec<String> {
        columns::pod_row(self, obj.name().into(), age(obj, now_ms), now_ms, opts)
    }
    fn describe(&self, _obj: &Object, _world: &World) -> Option<String> {
        Some(describe::describe_pod(self))
    }
}

impl KindPrinter for Node {
    fn columns() -> Columns {
        (
            &["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
            &[
                "INTERNAL-IP",
                "EXTERNAL-IP",
                "OS-IMAGE",
                "KERNEL-VERSION",
                "CONTAINER-RUNTIME",
            ],
        )
    }
    fn row(&self, obj: &Object, now_ms: i64, opts: TableOptions) -> Vec<String> {
        columns::node_row(self, obj.name().into(), age(obj, now_ms), opts)
    }
    fn describe(&self, _obj: &Object, world: &World) -> Option<String> {
        Some(describe::describe_node(self) + &describe::node::details(world, self))
    }
}

impl KindPrinter for Namespace {
    fn columns() -> Columns {
        (&["NAME", "STATUS", "AGE"], &[])
    }
    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        columns::namespace_row(self, obj.name().into(), age(obj, now_ms))
    }
    fn describe(&self, obj: &Object, world: &World) -> Option<String> {
        Some(describe::describe_basic(obj) + &quota::namespace_sections(world, obj.name()))
    }
    fn describes_events(&self) -> bool {
        false
    }
}

impl KindPrinter for Event {
    fn columns() -> Columns {
        (
            &["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
            &["SUBOBJECT", "SOURCE", "FIRST SEEN", "COUNT", "NAME"],
        )
    }
    /// SUBOBJECT and SOURCE come before MESSAGE (upstream's column definitions).
    fn wide_header() -> Option<&'static [&'static str]> {
        Some(&[
            "LAST SEEN",
            "TYPE",
            "REASON",
            "OBJECT",
            "SUBOBJECT",
            "SOURCE",
            "MESSAGE",
            "FIRST SEEN",
            "COUNT",
            "NAME",
        ])
    }
    fn row(&self, _obj: &Object, now_ms: i64, opts: TableOptions) -> Vec<String> {
        columns::event_row(self, now_ms, opts)
    }
}

impl KindPrinter for Service {
    fn columns() -> Columns {
        (
            &[
                "NAME",
                "TYPE",
                "CLUSTER-IP",
                "EXTERNAL-IP",
                "PORT(S)",
                "AGE",
            ],
            &["SELECTOR"],
        )
    }
    fn row(&self, obj: &Object, now_ms: i64, opts: TableOptions) -> Vec<String> {
        let (mut cells, selector) = service_columns::service_cells(self);
        cells.insert(0, obj.name().into());
        cells.push(age(obj, now_ms));
        if opts.wide {
            cells.push(selector);
        }
        cells
    }
    fn describe(&self, _obj: &Object, world: &World) -> Option<String> {
        Some(describe::service::service(world, self))
    }
}

impl KindPrinter for Endpoints {
    fn columns() -> Columns {
        (&["NAME", "ENDPOINTS", "AGE"], &[])
    }
    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let cell = service_columns::endpoints_cell(self);
        vec![obj.name().into(), cell, age(obj, now_ms)]
    }
}

impl KindPrinter for ConfigMap {
    fn columns() -> Columns {
        (&["NAME", "DATA", "AGE"], &[])
    }
    fn row(&self, obj: &Object, now_ms: i64, _opts: TableOptions) -> Vec<String> {
        let cell = service_columns::configmap_data(self);
        vec![obj.name().into(), cell, age(obj, now_ms)]
    }
    fn describe(&self, _obj: &Object, _world: &World) -> Option<String> {
        Some(describe::service::configmap(self))
    }
}

impl KindPrinter for ServiceAccount {
    fn describe(&self, _obj: &Object, _world: &World) -> Option<String> {
        Some(describe::service::serviceaccount(self))
    }
}

impl KindPrinter for PersistentVolumeClaim {
    fn columns() -> Columns {
        (
            &[
                "NAME",
                "STATUS",
                "VOLUME",
                "CAPACITY",
                "ACCESS MODES",
                "STORAGECLASS",
                "VOLUMEATTRIBUTESCLASS",
                "AGE",
            ],
            &["VOLUMEMODE"],
        )
    }
    fn row(&self, obj: &Object, now_ms: i64, opts: TableOptions) -> Vec<String> {
        storage_columns::claim_row(self, obj.name().into(), age(obj, now_ms), opts)
    }
    fn describe(&self, obj: &Object, world: &World) -> Option<String> {
        describe::sets::describe(world, obj)
    }
}

/// Workloads whose columns live in `workload_columns` and describers in
/// `describe::{workloads, sets}`.
macro_rules! workload {
    ($($kind:ident: $row:path, $describe:path);* $(;)?) => {$(
        impl KindPrinter for $kind {
            fn columns() -> Columns {
                workload_columns::headers(stringify!($kind)).unwrap_or_default()
            }
            fn row(&self, obj: &Object, now_ms: i64, opts: TableOptions) -> Vec<String> {
                $row(self, obj.name().into(), age(obj, now_ms), opts)
            }
            fn describe(&self, obj: &Object, world: &World) -> Option<String> {
                $describe(world, obj)
            }
        }
    )*};
}

workload!(
    Deployment: workload_columns::deployment_row, describe::workloads::describe;
    ReplicaSet: workload_columns::replica_set_row, describe::workloads::describe;
    ReplicationController: workload_columns::replication_controller_row, describe::workloads::describe;
    StatefulSet: workload_columns::stateful_set_row, describe::sets::describe;
    DaemonSet: workload_columns::daemon_set_row, describe::sets::describe;
);

impl KindPrinter for Job {
    fn columns() -> Columns {
        batch_columns::headers("Job").unwrap_or_default()
    }
    fn row(&self, obj: &Object, now_ms: i64, opts: TableOptions) -> Vec<String> {
        batch_columns::job_row(self, obj.name().into(), age(obj, now_ms), now_ms, opts)
    }
    fn describe(&self, _obj: &Object, _world: &World) -> Option<String> {
        Some(describe::batch::job(self))
    }
}

impl KindPrinter for CronJob {
    fn columns() -> Columns {
        batch_columns::headers("CronJob").unwrap_or_default()
    }
    fn row(&self, obj: &Object, now_ms: i64, opts: TableOptions) -> Vec<String> {
        batch_columns::cron_job_row(self, obj.name().into(), age(obj, now_ms), now_ms, opts)
    }
    fn describe(&self, _obj: &Object, _world: &World) -> Option<String> {
        Some(describe::batch::cron_job(self))
    }
}
