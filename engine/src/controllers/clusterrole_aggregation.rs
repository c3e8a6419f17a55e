//! The clusterrole-aggregation controller: a ClusterRole with an `aggregationRule` holds
//! the rules of every ClusterRole its selectors match (`admin`, `edit` and `view` gather
//! the `rbac.authorization.k8s.io/aggregate-to-*` roles). Any ClusterRole's change
//! requeues every aggregated one, as upstream's event handler does.

use k8s_openapi::api::rbac::v1::ClusterRole;

use super::runtime::{Controller, Queue};
use crate::api::object::{aggregated_rules, Object, ObjectKey, WatchEvent};
use crate::world::World;

/// The controller; stateless.
#[derive(Clone, Debug, Default)]
pub struct ClusterRoleAggregation;

impl Controller for ClusterRoleAggregation {
    fn name(&self) -> &'static str {
        "clusterrole-aggregation"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(obj, Object::ClusterRole(_))
    }

    fn enqueue(&mut self, event: &WatchEvent, world: &World, queue: &mut Queue) {
        if !matches!(*event.object, Object::ClusterRole(_)) {
            return;
        }
        for role in world.api.list_as::<ClusterRole>(None) {
            if role.aggregation_rule.is_some() {
                queue.add(ObjectKey {
                    kind: "ClusterRole",
                    namespace: String::new(),
                    name: role.metadata.name.clone().unwrap_or_default(),
                });
            }
        }
    }

    fn sync(&mut self, world: &mut World, key: &ObjectKey, _queue: &mut Queue) {
        let Some(role) = world.api.get_as::<ClusterRole>("", &key.name) else {
            return;
        };
        let all: Vec<&ClusterRole> = world.api.list_as::<ClusterRole>(None).collect();
        let Some(rules) = aggregated_rules(role, &all) else {
            return;
        };
        // Empty and absent rules are the same (the apiserver's semantic equality).
        if rules.as_slice() == role.rules.as_deref().unwrap_or(&[]) {
            return;
        }
        let mut updated = role.clone();
        updated.rules = Some(rules);
        let _ = world.api.update(Object::ClusterRole(Box::new(updated)));
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::rbac::v1::{AggregationRule, PolicyRule};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

    use super::*;
    use crate::controllers::testing::Bench;

    fn role(name: &str, label: Option<&str>, rule: Option<&str>) -> Object {
        let pairs = |k: &str| Some([(k.to_string(), "true".to_string())].into());
        Object::ClusterRole(Box::new(ClusterRole {
            metadata: ObjectMeta {
                name: Some(name.into()),
                labels: label.and_then(pairs),
                ..Default::default()
            },
            aggregation_rule: rule.map(|r| AggregationRule {
                cluster_role_selectors: Some(vec![LabelSelector {
                    match_labels: pairs(r),
                    ..Default::default()
                }]),
            }),
            rules: label.map(|_| {
                vec![PolicyRule {
                    api_groups: Some(vec!["".into()]),
                    resources: Some(vec![name.into()]),
                    verbs: vec!["get".into()],
                    ..Default::default()
                }]
            }),
        }))
    }

    #[test]
    fn labelled_roles_are_gathered_by_name() {
        let mut bench = Bench::new(Box::new(ClusterRoleAggregation));
        bench.create(role("monitoring", None, Some("agg")));
        bench.create(role("b-extra", Some("agg"), None));
        bench.create(role("a-extra", Some("agg"), None));
        bench.pass();
        bench.pass();
        let got = bench
            .world
            .api
            .get_as::<ClusterRole>("", "monitoring")
            .and_then(|r| r.rules.clone())
            .unwrap_or_default();
        let names: Vec<String> = got
            .iter()
            .flat_map(|r| r.resources.clone().unwrap_or_default())
            .collect();
        assert_eq!(names, vec!["a-extra", "b-extra"]);
    }
}
