//! The reconciler of `k8s.io/endpointslice` (`reconciler.go`), without the API calls: the
//! slices a service has and the endpoints it should have in, the slices to create, update
//! and delete out. Endpoints already in a slice stay where they are; slices that did not
//! change are not written.

use crate::sort::SliceSort;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use k8s_openapi::api::discovery::v1::{Endpoint, EndpointPort, EndpointSlice};

/// Most endpoints one slice takes (kube-controller-manager's `--max-endpoints-per-slice`).
pub const MAX_ENDPOINTS_PER_SLICE: usize = 100;

/// What identifies an endpoint across syncs (upstream's `hashEndpoint`): its addresses, its
/// hostname and the pod it stands for.
pub type EndpointKey = (Vec<String>, String, String, String);

/// The key of `ep`.
pub fn endpoint_key(ep: &Endpoint) -> EndpointKey {
    let mut addresses = ep.addresses.clone();
    addresses.stable_sort();
    let target = ep.target_ref.as_ref();
    (
        addresses,
        ep.hostname.clone().unwrap_or_default(),
        target.and_then(|t| t.namespace.clone()).unwrap_or_default(),
        target.and_then(|t| t.name.clone()).unwrap_or_default(),
    )
}

/// A set of ports, independent of their order (upstream's `PortMapKey`).
pub type PortKey = Vec<(String, i32, String, String)>;

/// The key of `ports`.
pub fn port_key(ports: &[EndpointPort]) -> PortKey {
    let mut key: PortKey = ports
        .iter()
        .map(|p| {
            (
                p.name.clone().unwrap_or_default(),
                p.port.unwrap_or(0),
                p.protocol.clone().unwrap_or_default(),
                p.app_protocol.clone().unwrap_or_default(),
            )
        })
        .collect();
    key.stable_sort();
    key
}

/// The endpoints wanted for one set of ports, in the order new ones are placed.
#[derive(Clone, Debug, Default)]
pub struct Desired {
    /// The ports, in the service's order.
    pub ports: Vec<EndpointPort>,
    /// The endpoints, by key, and the order they are added in.
    endpoints: BTreeMap<EndpointKey, Endpoint>,
    order: VecDeque<EndpointKey>,
}

impl Desired {
    /// Nothing wanted yet for `ports`.
    pub fn new(ports: Vec<EndpointPort>) -> Self {
        Desired {
            ports,
            ..Default::default()
        }
    }

    /// Wants `ep` too (a second endpoint with the same key replaces the first).
    pub fn insert(&mut self, ep: Endpoint) {
        let key = endpoint_key(&ep);
        if self.endpoints.insert(key.clone(), ep).is_none() {
            self.order.push_back(key);
        }
    }

    fn take(&mut self, key: &EndpointKey) -> Option<Endpoint> {
        self.endpoints.remove(key)
    }

    fn len(&self) -> usize {
        self.endpoints.len()
    }

    /// The next endpoint not yet placed.
    fn pop(&mut self) -> Option<Endpoint> {
        while let Some(key) = self.order.pop_front() {
            if let Some(ep) = self.endpoints.remove(&key) {
                return Some(ep);
            }
        }
        None
    }
}

/// What a sync writes: new slices (without names), changed slices, slices to delete.
#[derive(Debug, Default)]
pub struct Changes {
    /// Slices to create.
    pub create: Vec<EndpointSlice>,
    /// Slices to update.
    pub update: Vec<EndpointSlice>,
    /// Slices to delete.
    pub delete: Vec<EndpointSlice>,
}

/// How the reconciler makes the slices of one service.
pub trait SliceFactory {
    /// A new, unnamed slice for `ports`, with no endpoints.
    fn new_slice(&self, ports: Vec<EndpointPort>) -> EndpointSlice;
    /// The labels a slice should carry, and whether its non-reserved labels differ from the
    /// service's (`setEndpointSliceLabels`).
    fn labels(&self, slice: &EndpointSlice) -> (BTreeMap<String, String>, bool);
    /// Whether `slice` belongs to this service (its owner reference names the service's uid).
    fn owns(&self, slice: &EndpointSlice) -> bool;
}

/// `reconcileByAddressType`: the slices of one address type, and the endpoints wanted by
/// port set.
pub fn reconcile(
    factory: &dyn SliceFactory,
    existing: Vec<EndpointSlice>,
    desired: BTreeMap<PortKey, Desired>,
) -> Changes {
    let total = existing.len();
    let mut changes = Changes::default();
    let mut existing_by_ports: BTreeMap<PortKey, Vec<EndpointSlice>> = BTreeMap::new();
    for slice in existing {
        if factory.owns(&slice) {
            let key = port_key(slice.ports.as_deref().unwrap_or(&[]));
            existing_by_ports.entry(key).or_default().push(slice);
        } else {
            changes.delete.push(slice);
        }
    }
    for (key, wanted) in desired {
        let slices = existing_by_ports.remove(&key).unwrap_or_default();
        let c = by_port_mapping(factory, slices, wanted);
        changes.create.extend(c.create);
        changes.update.extend(c.update);
        changes.delete.extend(c.delete);
    }
    // Port sets no longer wanted.
    changes
        .delete
        .extend(existing_by_ports.into_values().flatten());
    // A service without endpoints keeps one empty placeholder slice.
    if total == changes.delete.len() && changes.create.is_empty() {
        let placeholder = factory.new_slice(Vec::new());
        let kept = match changes.delete.as_slice() {
            [only] => is_placeholder_of(only, &placeholder),
            _ => false,
        };
        if kept {
            changes.delete.clear();
        } else {
            changes.create.push(placeholder);
        }
    }
    finalize(factory, changes)
}

/// Whether `slice` is the placeholder `placeholder` describes (same namespace, labels and
/// owner, no ports and no endpoints).
fn is_placeholder_of(slice: &EndpointSlice, placeholder: &EndpointSlice) -> bool {
    slice.metadata.namespace == placeholder.metadata.namespace
        && slice.metadata.labels.clone().unwrap_or_default()
            == placeholder.metadata.labels.clone().unwrap_or_default()
        && slice.metadata.owner_references == placeholder.metadata.owner_references
        && slice.address_type == placeholder.address_type
        && slice.ports.as_deref().unwrap_or(&[]).is_empty()
        && slice.endpoints.is_empty()
}

/// `finalize`'s first step: a slice to create takes the name of one to delete instead (same
/// address type, same owner), as an update.
fn finalize(factory: &dyn SliceFactory, mut changes: Changes) -> Changes {
    let mut i = 0;
    while i < changes.delete.len() {
        let Some(last) = changes.create.last() else {
            break;
        };
        let doomed = &changes.delete[i];
        if doomed.address_type == last.address_type && factory.owns(doomed) {
            let doomed = changes.delete.remove(i);
            if let Some(mut slice) = changes.create.pop() {
                slice.metadata.name = doomed.metadata.name;
                changes.update.push(slice);
            }
        } else {
            i += 1;
        }
    }
    changes
}

/// Whether two endpoints with the same key differ (`EndpointsEqualBeyondHash`).
fn changed(a: &Endpoint, b: &Endpoint) -> bool {
    let target = |e: &Endpoint| {
        e.target_ref.clone().map(|mut t| {
            t.resource_version = None;
            t
        })
    };
    a.node_name != b.node_name
        || a.zone != b.zone
        || a.conditions.clone().unwrap_or_default() != b.conditions.clone().unwrap_or_default()
        || target(a) != target(b)
}

/// `reconcileByPortMapping`: the slices of one port set.
fn by_port_mapping(
    factory: &dyn SliceFactory,
    existing: Vec<EndpointSlice>,
    mut desired: Desired,
) -> Changes {
    let mut by_name: BTreeMap<String, EndpointSlice> = BTreeMap::new();
    let mut unchanged: BTreeSet<String> = BTreeSet::new();
    let mut to_update: BTreeSet<String> = BTreeSet::new();
    let mut to_delete: BTreeSet<String> = BTreeSet::new();
    // 1. Keep the wanted endpoints where they are, drop the others.
    for slice in existing {
        let name = slice.metadata.name.clone().unwrap_or_default();
        let mut kept = Vec::new();
        let mut updated = false;
        for ep in &slice.endpoints {
            if let Some(want) = desired.take(&endpoint_key(ep)) {
                updated |= changed(&want, ep);
                kept.push(want);
            }
        }
        let (labels, labels_changed) = factory.labels(&slice);
        if updated || kept.len() != slice.endpoints.len() {
            if kept.is_empty() {
                to_delete.insert(name.clone());
            } else {
                let mut next = slice.clone();
                next.endpoints = kept;
                next.metadata.labels = Some(labels);
                to_update.insert(name.clone());
                by_name.insert(name, next);
                continue;
            }
        } else if labels_changed {
            let mut next = slice.clone();
            next.metadata.labels = Some(labels);
            to_update.insert(name.clone());
            by_name.insert(name, next);
            continue;
        } else {
            unchanged.insert(name.clone());
        }
        by_name.insert(name, slice);
    }
    // 2. Fill the slices being updated, the fullest first.
    if desired.len() > 0 && !to_update.is_empty() {
        let mut names: Vec<String> = to_update.iter().cloned().collect();
        names.stable_sort_by_key(|n| {
            std::cmp::Reverse(by_name.get(n).map_or(0, |s| s.endpoints.len()))
        });
        for name in names {
            let Some(slice) = by_name.get_mut(&name) else {
                continue;
            };
            while desired.len() > 0 && slice.endpoints.len() < MAX_ENDPOINTS_PER_SLICE {
                match desired.pop() {
                    Some(ep) => slice.endpoints.push(ep),
                    None => break,
                }
            }
        }
    }
    // 3. The rest into an unchanged slice that has room for all of it, or new slices.
    let mut create = Vec::new();
    while desired.len() > 0 {
        let fill = (desired.len() < MAX_ENDPOINTS_PER_SLICE)
            .then(|| slice_to_fill(&by_name, &unchanged, desired.len()))
            .flatten();
        let mut slice = match &fill {
            Some(name) => by_name.get(name).cloned().unwrap_or_default(),
            None => factory.new_slice(desired.ports.clone()),
        };
        while desired.len() > 0 && slice.endpoints.len() < MAX_ENDPOINTS_PER_SLICE {
            match desired.pop() {
                Some(ep) => slice.endpoints.push(ep),
                None => break,
            }
        }
        match fill {
            Some(name) => {
                unchanged.remove(&name);
                to_update.insert(name.clone());
                by_name.insert(name, slice);
            }
            None => create.push(slice),
        }
    }
    Changes {
        create,
        update: to_update
            .iter()
            .filter_map(|n| by_name.get(n).cloned())
            .collect(),
        delete: to_delete
            .iter()
            .filter_map(|n| by_name.get(n).cloned())
            .collect(),
    }
}

/// `getSliceToFill`: the unchanged slice closest to full that still takes `n` endpoints.
fn slice_to_fill(
    by_name: &BTreeMap<String, EndpointSlice>,
    unchanged: &BTreeSet<String>,
    n: usize,
) -> Option<String> {
    let mut best: Option<(usize, &String)> = None;
    for name in unchanged {
        let Some(slice) = by_name.get(name) else {
            continue;
        };
        let Some(room) = MAX_ENDPOINTS_PER_SLICE.checked_sub(n + slice.endpoints.len()) else {
            continue;
        };
        if best.is_none_or(|(r, _)| room < r) {
            best = Some((room, name));
        }
    }
    best.map(|(_, n)| n.clone())
}
