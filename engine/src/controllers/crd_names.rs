//! The apiextensions-apiserver's naming and establishing controllers: a new or changed
//! CustomResourceDefinition gets its `acceptedNames` and `NamesAccepted` condition (names
//! already used in its group conflict), then `Established`, which makes its kind served.
//! Two status writes, as upstream's two controllers make them.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, CustomResourceDefinitionCondition, CustomResourceDefinitionNames,
};

use super::runtime::{Controller, Queue};
use crate::api::kinds;
use crate::api::object::{Object, ObjectKey, WatchEvent};
use crate::world::World;

/// The naming and establishing controllers.
#[derive(Clone, Debug, Default)]
pub struct CrdNames;

impl Controller for CrdNames {
    fn name(&self) -> &'static str {
        "crd-naming"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(obj, Object::CustomResourceDefinition(_))
    }

    fn enqueue(&mut self, event: &WatchEvent, _world: &World, queue: &mut Queue) {
        if let Object::CustomResourceDefinition(crd) = &*event.object {
            queue.add(ObjectKey {
                kind: "CustomResourceDefinition",
                namespace: String::new(),
                name: crd.metadata.name.clone().unwrap_or_default(),
            });
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, _queue: &mut Queue) {
        let Some(crd) = world
            .api
            .get_as::<CustomResourceDefinition>("", &key.name)
            .cloned()
        else {
            return;
        };
        if crd.metadata.deletion_timestamp.is_some() {
            return;
        }
        let status = crd.status.clone().unwrap_or_default();
        if status.accepted_names.as_ref() != Some(&crd.spec.names) {
            let (names, accepted) = calculate(world, &crd);
            let mut named = crd.clone();
            let now = world.clock.now_time();
            let s = named.status.get_or_insert_with(Default::default);
            s.accepted_names = Some(names);
            let established = condition(s.conditions.as_deref(), "Established")
                .filter(|c| c.status == "True")
                .cloned();
            set_condition(
                s.conditions.get_or_insert_with(Vec::new),
                accepted.clone(),
                &now,
            );
            let next = match established {
                Some(c) => c,
                None if accepted.status == "True" => new_condition(
                    "Established",
                    "False",
                    "Installing",
                    "the initial names have been accepted",
                ),
                None => new_condition(
                    "Established",
                    "False",
                    "NotAccepted",
                    "not all names are accepted",
                ),
            };
            set_condition(s.conditions.get_or_insert_with(Vec::new), next, &now);
            let _ = world
                .api
                .update_status(Object::CustomResourceDefinition(Box::new(named)));
        }
        establish(world, &key.name);
    }
}

/// The establishing controller: `Established` once the names are accepted.
fn establish(world: &mut World, name: &str) {
    let Some(mut crd) = world
        .api
        .get_as::<CustomResourceDefinition>("", name)
        .cloned()
    else {
        return;
    };
    let status = crd.status.get_or_insert_with(Default::default);
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    let accepted = condition(Some(conditions), "NamesAccepted").is_some_and(|c| c.status == "True");
    let established =
        condition(Some(conditions), "Established").is_some_and(|c| c.status == "True");
    if !accepted || established {
        return;
    }
    let now = world.clock.now_time();
    set_condition(
        conditions,
        new_condition(
            "Established",
            "True",
            "InitialNamesAccepted",
            "the initial names have been accepted",
        ),
        &now,
    );
    let _ = world
        .api
        .update_status(Object::CustomResourceDefinition(Box::new(crd)));
}

/// Upstream's `calculateNamesAndConditions`: the names this CRD may have and its
/// NamesAccepted condition. Kubeplay's store keys objects by kind alone, so a kind that a
/// built-in resource or another group's CRD already uses conflicts too.
fn calculate(
    world: &World,
    crd: &CustomResourceDefinition,
) -> (
    CustomResourceDefinitionNames,
    CustomResourceDefinitionCondition,
) {
    let me = crd.metadata.name.as_deref().unwrap_or("");
    let mut resources: Vec<String> = Vec::new();
    let mut kinds_used: Vec<String> = kinds::KINDS.iter().map(|k| k.kind.to_string()).collect();
    for o in world.api.list("CustomResourceDefinition", Some("")) {
        let Object::CustomResourceDefinition(other) = o else {
            continue;
        };
        if other.metadata.name.as_deref() == Some(me) {
            continue;
        }
        let Some(names) = other
            .status
            .as_ref()
            .and_then(|s| s.accepted_names.as_ref())
        else {
            continue;
        };
        if other.spec.group == crd.spec.group {
            resources.push(names.plural.clone());
            resources.extend(names.singular.clone());
            resources.extend(names.short_names.iter().flatten().cloned());
            kinds_used.extend(names.list_kind.clone());
        }
        kinds_used.push(names.kind.clone());
    }
    let requested = &crd.spec.names;
    let old = crd
        .status
        .as_ref()
        .and_then(|s| s.accepted_names.clone())
        .unwrap_or_default();
    let mut names = old.clone();
    let mut failure: Option<(&str, String)> = None;
    let fresh =
        |want: &str, have: &str, used: &[String]| want == have || !used.iter().any(|u| u == want);
    let in_use = |want: &str| format!("\"{want}\" is already in use");
    if fresh(&requested.plural, &old.plural, &resources) {
        names.plural = requested.plural.clone();
    } else {
        failure = Some(("PluralConflict", in_use(&requested.plural)));
    }
    let singular = requested.singular.clone().unwrap_or_default();
    if fresh(&singular, old.singular.as_deref().unwrap_or(""), &resources) {
        names.singular = requested.singular.clone();
    } else {
        failure = Some(("SingularConflict", in_use(&singular)));
    }
    if requested.short_names != old.short_names {
        let mine = old.short_names.clone().unwrap_or_default();
        let taken: Vec<String> = requested
            .short_names
            .iter()
            .flatten()
            .filter(|s| !mine.contains(s) && resources.contains(s))
            .map(|s| in_use(s))
            .collect();
        if taken.is_empty() {
            names.short_names = requested.short_names.clone();
        } else {
            let message = if taken.len() == 1 {
                taken[0].clone()
            } else {
                format!("[{}]", taken.join(", "))
            };
            failure = Some(("ShortNamesConflict", message));
        }
    }
    if fresh(&requested.kind, &old.kind, &kinds_used) {
        names.kind = requested.kind.clone();
    } else {
        failure = Some(("KindConflict", in_use(&requested.kind)));
    }
    let list_kind = requested.list_kind.clone().unwrap_or_default();
    if fresh(
        &list_kind,
        old.list_kind.as_deref().unwrap_or(""),
        &kinds_used,
    ) {
        names.list_kind = requested.list_kind.clone();
    } else {
        failure = Some(("ListKindConflict", in_use(&list_kind)));
    }
    names.categories = requested.categories.clone();
    let cond = match failure {
        Some((reason, message)) => new_condition("NamesAccepted", "False", reason, &message),
        None => new_condition("NamesAccepted", "True", "NoConflicts", "no conflicts found"),
    };
    (names, cond)
}

fn new_condition(
    type_: &str,
    status: &str,
    reason: &str,
    message: &str,
) -> CustomResourceDefinitionCondition {
    CustomResourceDefinitionCondition {
        type_: type_.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_transition_time: None,
    }
}

fn condition<'a>(
    conditions: Option<&'a [CustomResourceDefinitionCondition]>,
    type_: &str,
) -> Option<&'a CustomResourceDefinitionCondition> {
    conditions?.iter().find(|c| c.type_ == type_)
}

/// Upstream's `SetCRDCondition`: the transition time moves only when the status changes.
fn set_condition(
    conditions: &mut Vec<CustomResourceDefinitionCondition>,
    mut new: CustomResourceDefinitionCondition,
    now: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time,
) {
    match conditions.iter_mut().find(|c| c.type_ == new.type_) {
        Some(c) => {
            if c.status != new.status {
                c.status = new.status;
                c.last_transition_time = Some(now.clone());
            }
            c.reason = new.reason;
            c.message = new.message;
        }
        None => {
            new.last_transition_time = Some(now.clone());
            conditions.push(new);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::testing::{object, Bench};
    use serde_json::json;

    fn pool_crd(name_group: (&str, &str), kind: &str) -> Object {
        let (plural, group) = name_group;
        object(json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": format!("{plural}.{group}")},
            "spec": {
                "group": group, "scope": "Namespaced",
                "names": {"plural": plural, "kind": kind, "listKind": format!("{kind}List"), "singular": kind.to_ascii_lowercase()},
                "versions": [{"name": "v1beta1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {
                        "type": "object",
                        "properties": {"addresses": {"type": "array", "items": {"type": "string"}},
                            "autoAssign": {"type": "boolean", "default": true}}}}}}}]
            }
        }))
    }

    fn established(bench: &Bench, name: &str) -> Option<String> {
        let Some(Object::CustomResourceDefinition(crd)) =
            bench.world.api.get("CustomResourceDefinition", "", name)
        else {
            return None;
        };
        let conditions = crd.status.as_ref()?.conditions.as_ref()?;
        let show = |t: &str| {
            conditions
                .iter()
                .find(|c| c.type_ == t)
                .map(|c| format!("{t}={} {}", c.status, c.reason.clone().unwrap_or_default()))
                .unwrap_or_default()
        };
        Some(format!(
            "{}; {}",
            show("NamesAccepted"),
            show("Established")
        ))
    }

    /// A controller reads custom objects (defaulted) through the API server, and sees
    /// them in the watch log; the kind goes with its CRD.
    #[test]
    fn custom_objects_are_served_while_the_crd_is_established() {
        let mut bench = Bench::new(Box::<CrdNames>::default());
        bench.create(pool_crd(("ipaddresspools", "metallb.io"), "IPAddressPool"));
        assert!(bench.world.api.custom_kind("IPAddressPool").is_none());
        bench.pass();
        assert_eq!(
            established(&bench, "ipaddresspools.metallb.io").as_deref(),
            Some("NamesAccepted=True NoConflicts; Established=True InitialNamesAccepted")
        );
        let info = bench
            .world
            .api
            .resolve("ipaddresspools.metallb.io")
            .unwrap();
        assert_eq!(info.api_version(), "metallb.io/v1beta1");
        let manifest = json!({"apiVersion": "metallb.io/v1beta1", "kind": "IPAddressPool",
            "metadata": {"name": "first", "namespace": "default"},
            "spec": {"addresses": ["192.168.1.240-192.168.1.250"]}});
        let (pool, _) = bench
            .world
            .api
            .decode(info, &manifest, true)
            .unwrap()
            .unwrap();
        let cursor = bench.world.api.watch();
        bench.create(pool);
        let pools = bench.world.api.custom_objects("IPAddressPool", None);
        assert_eq!(pools.len(), 1);
        assert_eq!(pools[0]["spec"]["autoAssign"], json!(true));
        assert_eq!(
            bench
                .world
                .api
                .custom_object("IPAddressPool", "default", "first")
                .unwrap()["spec"]["addresses"][0],
            json!("192.168.1.240-192.168.1.250")
        );
        let seen: Vec<&str> = bench
            .world
            .api
            .read(&cursor)
            .iter()
            .map(|e| e.object.kind())
            .collect();
        assert_eq!(seen, ["IPAddressPool"]);
        // A second CRD for the same kind in the group conflicts (the last check wins, as
        // upstream: listKind after kind).
        bench.create(pool_crd(("pools", "metallb.io"), "IPAddressPool"));
        bench.pass();
        assert_eq!(
            established(&bench, "pools.metallb.io").as_deref(),
            Some("NamesAccepted=False ListKindConflict; Established=False NotAccepted")
        );
        let now = bench.world.clock.now_ms();
        bench
            .world
            .api
            .delete(
                "CustomResourceDefinition",
                "",
                "ipaddresspools.metallb.io",
                &Default::default(),
                now,
            )
            .unwrap();
        assert!(bench.world.api.resolve("ipaddresspools").is_none());
        assert!(bench
            .world
            .api
            .custom_objects("IPAddressPool", None)
            .is_empty());
        assert!(bench.world.api.list("IPAddressPool", None).next().is_none());
    }
}
