//! Revisions: the revision annotation of a Deployment and its ReplicaSets, and a
//! re-activated ReplicaSet taking the next revision (what a rollback does to the
//! controller). Upstream's `rollback.go` handled the deprecated `rollbackTo`; here the undo
//! itself is `kubectl rollout undo` (console/kubectl/rollout.rs), which writes the old
//! template back, and this controller only moves the revisions.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::sync::copy_annotations;
use super::{REVISION, REVISION_HISTORY};
use crate::api::object::Object;
use crate::world::World;

/// A Deployment's or ReplicaSet's revision (0 when absent).
pub(super) fn revision_of(meta: &ObjectMeta) -> i64 {
    meta.annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// Gives a re-activated ReplicaSet (a rollback) the next revision, remembering the old one.
pub(super) fn ensure_revision(
    world: &mut World,
    d: &Deployment,
    rs: ReplicaSet,
    old: &[ReplicaSet],
) -> ReplicaSet {
    let max_old = old
        .iter()
        .map(|r| revision_of(&r.metadata))
        .max()
        .unwrap_or(0);
    let current = revision_of(&rs.metadata);
    let mut rs = rs;
    let mut changed = false;
    if current <= max_old {
        let annotations = rs.metadata.annotations.get_or_insert_with(Default::default);
        if current > 0 {
            let history = annotations
                .get(REVISION_HISTORY)
                .map(|h| format!("{h},{current}"))
                .unwrap_or_else(|| current.to_string());
            annotations.insert(REVISION_HISTORY.into(), history);
        }
        annotations.insert(REVISION.into(), (max_old + 1).to_string());
        changed = true;
    }
    changed |= copy_annotations(d, &mut rs);
    if changed {
        if let Ok(Object::ReplicaSet(stored)) =
            world.api.update(Object::ReplicaSet(Box::new(rs.clone())))
        {
            rs = stored.as_ref().clone();
        }
    }
    set_deployment_revision(world, d, revision_of(&rs.metadata));
    rs
}

/// Writes `revision` onto the Deployment's revision annotation, if it differs.
pub(super) fn set_deployment_revision(world: &mut World, d: &Deployment, revision: i64) {
    let Some(Object::Deployment(mut current)) = world
        .api
        .get(
            "Deployment",
            d.metadata.namespace.as_deref().unwrap_or(""),
            d.metadata.name.as_deref().unwrap_or(""),
        )
        .cloned()
    else {
        return;
    };
    let annotations = current
        .metadata
        .annotations
        .get_or_insert_with(Default::default);
    if annotations.get(REVISION) != Some(&revision.to_string()) {
        annotations.insert(REVISION.into(), revision.to_string());
        let _ = world.api.update(Object::Deployment(current));
    }
}
