//! Which volume a claim may bind to, as `k8s.io/component-helpers/storage/volume`
//! (`FindMatchingVolume`, `CheckAccessModes`, `CheckVolumeModeMismatches`) and the binder's
//! index (`findByClaim`: volumes grouped by their access-mode sets, the smallest set that
//! holds every requested mode first) and `checkVolumeSatisfyClaim`. Pure: no world.

use crate::sort::SliceSort;
use k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim};

pub use crate::api::pvc::{claim_class, volume_class, BETA_CLASS_ANNOTATION};
use crate::api::quantity;
use crate::api::selector::Selector;

/// The storage a claim requests, in bytes (0 when absent or malformed).
pub fn requested_bytes(claim: &PersistentVolumeClaim) -> f64 {
    claim
        .spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .and_then(|q| quantity::parse(&q.0))
        .unwrap_or(0.0)
}

/// A volume's capacity, in bytes (0 when absent or malformed).
pub fn capacity_bytes(pv: &PersistentVolume) -> f64 {
    pv.spec
        .as_ref()
        .and_then(|s| s.capacity.as_ref())
        .and_then(|c| c.get("storage"))
        .and_then(|q| quantity::parse(&q.0))
        .unwrap_or(0.0)
}

fn modes_of(modes: Option<&Vec<String>>) -> Vec<String> {
    let mut m = modes.cloned().unwrap_or_default();
    m.stable_sort();
    m.dedup();
    m
}

fn claim_modes(claim: &PersistentVolumeClaim) -> Vec<String> {
    modes_of(claim.spec.as_ref().and_then(|s| s.access_modes.as_ref()))
}

fn volume_modes(pv: &PersistentVolume) -> Vec<String> {
    modes_of(pv.spec.as_ref().and_then(|s| s.access_modes.as_ref()))
}

/// `CheckAccessModes`: the volume offers every mode the claim asks for.
pub fn access_modes_ok(claim: &PersistentVolumeClaim, pv: &PersistentVolume) -> bool {
    let offered = volume_modes(pv);
    claim_modes(claim).iter().all(|m| offered.contains(m))
}

/// `CheckVolumeModeMismatches` (an unset mode is `Filesystem`).
pub fn volume_mode_mismatch(claim: &PersistentVolumeClaim, pv: &PersistentVolume) -> bool {
    let mode = |m: Option<&String>| m.map_or("Filesystem", String::as_str).to_string();
    mode(claim.spec.as_ref().and_then(|s| s.volume_mode.as_ref()))
        != mode(pv.spec.as_ref().and_then(|s| s.volume_mode.as_ref()))
}

/// `IsVolumeBoundToClaim`: the volume's claimRef names the claim (and its uid, if set).
pub fn bound_to(pv: &PersistentVolume, claim: &PersistentVolumeClaim) -> bool {
    let Some(r) = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) else {
        return false;
    };
    r.name == claim.metadata.name
        && r.namespace == claim.metadata.namespace
        && r.uid
            .as_deref()
            .is_none_or(|u| u.is_empty() || Some(u) == claim.metadata.uid.as_deref())
}

/// Whether the volume's node affinity admits `node`.
pub fn node_affinity_ok(pv: &PersistentVolume, node: &Node) -> bool {
    match pv
        .spec
        .as_ref()
        .and_then(|s| s.node_affinity.as_ref())
        .and_then(|a| a.required.as_ref())
    {
        None => true,
        Some(r) => {
            crate::controllers::scheduler::affinity::terms_match(&r.node_selector_terms, node)
        }
    }
}

/// `checkVolumeSatisfyClaim`: why a volume named by `spec.volumeName` cannot take the claim.
pub fn unsatisfied(pv: &PersistentVolume, claim: &PersistentVolumeClaim) -> Option<String> {
    let name = pv.metadata.name.as_deref().unwrap_or("");
    if pv.metadata.deletion_timestamp.is_some() {
        return Some(format!("the volume is marked for deletion {name:?}"));
    }
    if capacity_bytes(pv) < requested_bytes(claim) {
        return Some("requested PV is too small".into());
    }
    if volume_class(pv) != claim_class(claim) {
        return Some("storageClassName does not match".into());
    }
    let vac = |c: Option<&String>| c.cloned().unwrap_or_default();
    if vac(pv
        .spec
        .as_ref()
        .and_then(|s| s.volume_attributes_class_name.as_ref()))
        != vac(claim
            .spec
            .as_ref()
            .and_then(|s| s.volume_attributes_class_name.as_ref()))
    {
        return Some("volumeAttributesClassName does not match".into());
    }
    if volume_mode_mismatch(claim, pv) {
        return Some("incompatible volumeMode".into());
    }
    if !access_modes_ok(claim, pv) {
        return Some("incompatible accessMode".into());
    }
    None
}

/// `findByClaim` + `FindMatchingVolume`: the volume pre-bound to the claim, else the smallest
/// Available one that satisfies it. `node` is the scheduler's candidate (then node affinity
/// and access modes are checked; a delayed-binding claim only matches there). Among equal
/// sizes the first in `volumes`' order wins.
pub fn find_matching<'a>(
    claim: &PersistentVolumeClaim,
    volumes: &[&'a PersistentVolume],
    node: Option<&Node>,
    delay_binding: bool,
) -> Option<&'a PersistentVolume> {
    let wanted = claim_modes(claim);
    // The index's mode sets that hold every requested mode, fewest modes first.
    let mut sets: Vec<Vec<String>> = volumes.iter().map(|v| volume_modes(v)).collect();
    sets.stable_sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    sets.dedup();
    sets.retain(|s| wanted.iter().all(|m| s.contains(m)));
    for set in sets {
        let group: Vec<&PersistentVolume> = volumes
            .iter()
            .copied()
            .filter(|v| volume_modes(v) == set)
            .collect();
        if let Some(found) = match_in(claim, &group, node, delay_binding) {
            return Some(found);
        }
    }
    None
}

fn match_in<'a>(
    claim: &PersistentVolumeClaim,
    volumes: &[&'a PersistentVolume],
    node: Option<&Node>,
    delay_binding: bool,
) -> Option<&'a PersistentVolume> {
    let requested = requested_bytes(claim);
    let class = claim_class(claim);
    let selector = claim
        .spec
        .as_ref()
        .and_then(|s| s.selector.as_ref())
        .map(Selector::from_label_selector);
    let vac = claim
        .spec
        .as_ref()
        .and_then(|s| s.volume_attributes_class_name.clone())
        .unwrap_or_default();
    let mut smallest: Option<(&PersistentVolume, f64)> = None;
    for &pv in volumes {
        let spec = pv.spec.as_ref();
        if spec.and_then(|s| s.claim_ref.as_ref()).is_some() && !bound_to(pv, claim) {
            continue;
        }
        let size = capacity_bytes(pv);
        if size < requested
            || volume_mode_mismatch(claim, pv)
            || pv.metadata.deletion_timestamp.is_some()
        {
            continue;
        }
        let affinity_ok = node.is_none_or(|n| node_affinity_ok(pv, n));
        if bound_to(pv, claim) {
            return affinity_ok.then_some(pv);
        }
        if node.is_none() && delay_binding {
            continue;
        }
        let phase = pv.status.as_ref().and_then(|s| s.phase.as_deref());
        if phase != Some("Available")
            || selector
                .as_ref()
                .is_some_and(|s| !s.matches(pv.metadata.labels.as_ref()))
            || volume_class(pv) != class
            || spec
                .and_then(|s| s.volume_attributes_class_name.clone())
                .unwrap_or_default()
                != vac
            || !affinity_ok
            || (node.is_some() && !access_modes_ok(claim, pv))
        {
            continue;
        }
        if smallest.is_none_or(|(_, s)| s > size) {
            smallest = Some((pv, size));
        }
    }
    smallest.map(|(pv, _)| pv)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pv(v: serde_json::Value) -> PersistentVolume {
        serde_json::from_value(v).unwrap_or_default()
    }

    fn volume(name: &str, size: &str, modes: &[&str], class: &str) -> PersistentVolume {
        pv(json!({
            "metadata": {"name": name, "labels": {"tier": name}},
            "spec": {"capacity": {"storage": size}, "accessModes": modes,
                     "storageClassName": class, "hostPath": {"path": "/data"}},
            "status": {"phase": "Available"}
        }))
    }

    fn claim(size: &str, modes: &[&str], class: Option<&str>) -> PersistentVolumeClaim {
        let mut spec = json!({"accessModes": modes, "resources": {"requests": {"storage": size}}});
        if let Some(c) = class {
            spec["storageClassName"] = json!(c);
        }
        serde_json::from_value(json!({
            "metadata": {"name": "data", "namespace": "default", "uid": "u1"}, "spec": spec
        }))
        .unwrap_or_default()
    }

    #[test]
    fn the_smallest_volume_of_the_smallest_mode_set_wins() {
        let big = volume("big", "5Gi", &["ReadWriteOnce"], "");
        let small = volume("small", "1Gi", &["ReadWriteOnce"], "");
        let tiny = volume("tiny", "100Mi", &["ReadWriteOnce"], "");
        let many = volume("many", "1Gi", &["ReadWriteOnce", "ReadWriteMany"], "");
        let all = [&many, &big, &small, &tiny];
        let c = claim("500Mi", &["ReadWriteOnce"], Some(""));
        assert_eq!(
            find_matching(&c, &all, None, false).and_then(|v| v.metadata.name.clone()),
            Some("small".into())
        );
        let rwx = claim("500Mi", &["ReadWriteMany"], Some(""));
        assert_eq!(
            find_matching(&rwx, &all, None, false).and_then(|v| v.metadata.name.clone()),
            Some("many".into())
        );
        // Another class, or a selector no volume satisfies: nothing.
        assert!(find_matching(
            &claim("1Gi", &["ReadWriteOnce"], Some("fast")),
            &all,
            None,
            false
        )
        .is_none());
        let mut picky = c.clone();
        if let Some(s) = picky.spec.as_mut() {
            s.selector = serde_json::from_value(json!({"matchLabels": {"tier": "big"}})).ok();
        }
        assert_eq!(
            find_matching(&picky, &all, None, false).and_then(|v| v.metadata.name.clone()),
            Some("big".into())
        );
    }

    #[test]
    fn a_named_volume_says_why_it_does_not_fit() {
        let small = volume("small", "1Gi", &["ReadWriteOnce"], "");
        assert_eq!(
            unsatisfied(&small, &claim("2Gi", &["ReadWriteOnce"], Some(""))).as_deref(),
            Some("requested PV is too small")
        );
        assert_eq!(
            unsatisfied(&small, &claim("1Gi", &["ReadWriteOnce"], Some("standard"))).as_deref(),
            Some("storageClassName does not match")
        );
        assert_eq!(
            unsatisfied(&small, &claim("1Gi", &["ReadWriteMany"], Some(""))).as_deref(),
            Some("incompatible accessMode")
        );
        assert_eq!(
            unsatisfied(&small, &claim("1Gi", &["ReadWriteOnce"], None)),
            None
        );
    }
}
