//! FlowSchema and PriorityLevelConfiguration (`flowcontrol.apiserver.k8s.io/v1`): defaults and
//! the main validation (`pkg/apis/flowcontrol/validation`), and the configuration every 1.34
//! apiserver creates at start (`k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap`): the
//! mandatory `exempt` and `catch-all` objects and the suggested ones.

use std::collections::BTreeMap;

use k8s_openapi::api::flowcontrol::v1::{
    ExemptPriorityLevelConfiguration, FlowDistinguisherMethod, FlowSchemaCondition, FlowSchemaSpec,
    FlowSchemaStatus, GroupSubject, LimitResponse, LimitedPriorityLevelConfiguration,
    NonResourcePolicyRule, PolicyRulesWithSubjects, PriorityLevelConfigurationReference,
    PriorityLevelConfigurationSpec, QueuingConfiguration, ResourcePolicyRule,
    ServiceAccountSubject, Subject, UserSubject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

use super::{FlowSchema, KindRules, Object, PriorityLevelConfiguration, StatusSubresource};

/// The annotation that lets the apiserver keep its bootstrap objects up to date.
const AUTO_UPDATE: &str = "apf.kubernetes.io/autoupdate-spec";

impl KindRules for FlowSchema {
    /// `matchingPrecedence` 1000 when unset.
    fn default_fields(&mut self) {
        let spec = self.spec.get_or_insert_with(Default::default);
        spec.matching_precedence.get_or_insert(1000);
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let spec = self.spec.clone().unwrap_or_default();
        if spec.priority_level_configuration.name.is_empty() {
            causes.push("spec.priorityLevelConfiguration.name: Required value: must reference a priority level".into());
        }
        if let Some(p) = spec.matching_precedence {
            if !(1..=10000).contains(&p) {
                causes.push(format!(
                    "spec.matchingPrecedence: Invalid value: {p}: must be between 1 and 10000"
                ));
            }
        }
        if let Some(m) = &spec.distinguisher_method {
            if !matches!(m.type_.as_str(), "ByUser" | "ByNamespace") {
                causes.push(format!("spec.distinguisherMethod.type: Unsupported value: \"{}\": supported values: \"ByNamespace\", \"ByUser\"", m.type_));
            }
        }
    }
}

impl KindRules for PriorityLevelConfiguration {
    /// A limited level's shares (30), lendable percent (0) and queuing (64 queues, hand
    /// size 8, 50 per queue); an exempt level's shares and lendable percent (0).
    fn default_fields(&mut self) {
        let spec = self.spec.get_or_insert_with(Default::default);
        if let Some(l) = spec.limited.as_mut() {
            l.nominal_concurrency_shares.get_or_insert(30);
            l.lendable_percent.get_or_insert(0);
            let response = l.limit_response.get_or_insert_with(|| LimitResponse {
                type_: "Reject".into(),
                queuing: None,
            });
            if response.type_ == "Queue" {
                let q = response.queuing.get_or_insert_with(Default::default);
                q.queues.get_or_insert(64);
                q.hand_size.get_or_insert(8);
                q.queue_length_limit.get_or_insert(50);
            }
        }
        if let Some(e) = spec.exempt.as_mut() {
            e.nominal_concurrency_shares.get_or_insert(0);
            e.lendable_percent.get_or_insert(0);
        }
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let spec = self.spec.clone().unwrap_or_default();
        match spec.type_.as_str() {
            "Limited" if spec.limited.is_none() => causes.push(
                "spec.limited: Required value: must not be empty when type is Limited".into(),
            ),
            "Exempt" | "Limited" => {}
            "" => causes.push("spec.type: Required value: must not be empty".into()),
            t => causes.push(format!(
                "spec.type: Unsupported value: \"{t}\": supported values: \"Exempt\", \"Limited\""
            )),
        }
    }
}

impl StatusSubresource for FlowSchema {
    fn keep_status(&mut self, old: &Self) {
        self.status.clone_from(&old.status);
    }
    fn keep_spec(&mut self, old: &Self) {
        self.spec.clone_from(&old.spec);
    }
}

impl StatusSubresource for PriorityLevelConfiguration {
    fn keep_status(&mut self, old: &Self) {
        self.status.clone_from(&old.status);
    }
    fn keep_spec(&mut self, old: &Self) {
        self.spec.clone_from(&old.spec);
    }
}

/// The order requests try FlowSchemas in (`FlowSchemaSequence`): lowest matching precedence
/// first, then by name.
pub fn matching_order(a: &Object, b: &Object) -> std::cmp::Ordering {
    let precedence = |o: &Object| match o {
        Object::FlowSchema(f) => f.spec.as_ref().and_then(|s| s.matching_precedence),
        _ => None,
    };
    precedence(a)
        .cmp(&precedence(b))
        .then_with(|| a.name().cmp(b.name()))
}

/// The `Dangling` condition the flow-control configuration controller keeps on a schema
/// whose priority level exists.
fn found_condition(level: &str, now: &Time) -> FlowSchemaCondition {
    FlowSchemaCondition {
        type_: Some("Dangling".into()),
        status: Some("False".into()),
        reason: Some("Found".into()),
        message: Some(format!(
            "This FlowSchema references the PriorityLevelConfiguration object named \"{level}\" and it exists"
        )),
        last_transition_time: Some(now.clone()),
    }
}

fn meta(name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        annotations: Some(BTreeMap::from([(AUTO_UPDATE.into(), "true".into())])),
        ..Default::default()
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Who a rule applies to, as the bootstrap configuration names them.
enum Who<'a> {
    Groups(&'a [&'a str]),
    Users(&'a [&'a str]),
    /// Every service account of `kube-system`.
    KubeSystemAccounts,
}

fn subjects(who: &[Who]) -> Vec<Subject> {
    let mut out = Vec::new();
    for w in who {
        match w {
            Who::Groups(names) => out.extend(names.iter().map(|n| Subject {
                kind: "Group".into(),
                group: Some(GroupSubject {
                    name: n.to_string(),
                }),
                ..Default::default()
            })),
            Who::Users(names) => out.extend(names.iter().map(|n| Subject {
                kind: "User".into(),
                user: Some(UserSubject {
                    name: n.to_string(),
                }),
                ..Default::default()
            })),
            Who::KubeSystemAccounts => out.push(Subject {
                kind: "ServiceAccount".into(),
                service_account: Some(ServiceAccountSubject {
                    name: "*".into(),
                    namespace: "kube-system".into(),
                }),
                ..Default::default()
            }),
        }
    }
    out
}

fn resource_rule(
    verbs: &[&str],
    groups: &[&str],
    resources: &[&str],
    cluster: bool,
) -> ResourcePolicyRule {
    ResourcePolicyRule {
        verbs: strings(verbs),
        api_groups: strings(groups),
        resources: strings(resources),
        namespaces: Some(strings(&["*"])),
        cluster_scope: Some(cluster),
    }
}

/// Everything: every verb, group and resource, in every namespace and at cluster scope,
/// and every non-resource URL.
fn everything(who: &[Who]) -> PolicyRulesWithSubjects {
    PolicyRulesWithSubjects {
        subjects: subjects(who),
        resource_rules: Some(vec![resource_rule(&["*"], &["*"], &["*"], true)]),
        non_resource_rules: Some(vec![NonResourcePolicyRule {
            verbs: strings(&["*"]),
            non_resource_urls: strings(&["*"]),
        }]),
    }
}

fn schema(
    name: &str,
    level: &str,
    precedence: i32,
    by: Option<&str>,
    rules: PolicyRulesWithSubjects,
) -> FlowSchema {
    FlowSchema {
        metadata: meta(name),
        spec: Some(FlowSchemaSpec {
            priority_level_configuration: PriorityLevelConfigurationReference {
                name: level.into(),
            },
            matching_precedence: Some(precedence),
            distinguisher_method: by.map(|t| FlowDistinguisherMethod { type_: t.into() }),
            rules: Some(vec![rules]),
        }),
        status: None,
    }
}

/// A limited level: shares, lendable percent, and queues/hand size (`None`: reject).
fn limited(
    name: &str,
    shares: i32,
    lendable: i32,
    queuing: Option<(i32, i32)>,
) -> PriorityLevelConfiguration {
    let limit_response = match queuing {
        Some((queues, hand)) => LimitResponse {
            type_: "Queue".into(),
            queuing: Some(QueuingConfiguration {
                queues: Some(queues),
                hand_size: Some(hand),
                queue_length_limit: Some(50),
            }),
        },
        None => LimitResponse {
            type_: "Reject".into(),
            queuing: None,
        },
    };
    PriorityLevelConfiguration {
        metadata: meta(name),
        spec: Some(PriorityLevelConfigurationSpec {
            type_: "Limited".into(),
            limited: Some(LimitedPriorityLevelConfiguration {
                nominal_concurrency_shares: Some(shares),
                lendable_percent: Some(lendable),
                limit_response: Some(limit_response),
                borrowing_limit_percent: None,
            }),
            exempt: None,
        }),
        status: None,
    }
}

/// The priority levels a 1.34 apiserver creates: mandatory, then suggested.
pub fn bootstrap_levels() -> Vec<PriorityLevelConfiguration> {
    let exempt = PriorityLevelConfiguration {
        metadata: meta("exempt"),
        spec: Some(PriorityLevelConfigurationSpec {
            type_: "Exempt".into(),
            exempt: Some(ExemptPriorityLevelConfiguration {
                nominal_concurrency_shares: Some(0),
                lendable_percent: Some(0),
            }),
            limited: None,
        }),
        status: None,
    };
    vec![
        limited("catch-all", 5, 0, None),
        exempt,
        limited("system", 30, 33, Some((64, 6))),
        limited("node-high", 40, 25, Some((64, 6))),
        limited("leader-election", 10, 0, Some((16, 4))),
        limited("workload-high", 40, 50, Some((128, 6))),
        limited("workload-low", 100, 90, Some((128, 6))),
        limited("global-default", 20, 50, Some((128, 6))),
    ]
}

/// The flow schemas a 1.34 apiserver creates (mandatory, then suggested), each with the
/// `Dangling` condition its configuration controller sets at `now`.
pub fn bootstrap_schemas(now: &Time) -> Vec<FlowSchema> {
    let mut schemas = suggested_schemas();
    for s in &mut schemas {
        let level = s
            .spec
            .as_ref()
            .map(|s| s.priority_level_configuration.name.clone());
        s.status = Some(FlowSchemaStatus {
            conditions: Some(vec![found_condition(&level.unwrap_or_default(), now)]),
        });
    }
    schemas
}

fn suggested_schemas() -> Vec<FlowSchema> {
    let all_users = Who::Groups(&["system:unauthenticated", "system:authenticated"]);
    let nodes = Who::Groups(&["system:nodes"]);
    let leases =
        |verbs: &[&str]| resource_rule(verbs, &["coordination.k8s.io"], &["leases"], false);
    let probes = PolicyRulesWithSubjects {
        subjects: subjects(&[Who::Groups(&[
            "system:unauthenticated",
            "system:authenticated",
        ])]),
        resource_rules: None,
        non_resource_rules: Some(vec![NonResourcePolicyRule {
            verbs: strings(&["get"]),
            non_resource_urls: strings(&["/healthz", "/readyz", "/livez"]),
        }]),
    };
    let leader_election = PolicyRulesWithSubjects {
        subjects: subjects(&[
            Who::Users(&["system:kube-controller-manager", "system:kube-scheduler"]),
            Who::KubeSystemAccounts,
        ]),
        resource_rules: Some(vec![leases(&["get", "create", "update"])]),
        non_resource_rules: None,
    };
    let node_high = PolicyRulesWithSubjects {
        subjects: subjects(&[Who::Groups(&["system:nodes"])]),
        resource_rules: Some(vec![
            resource_rule(&["*"], &[""], &["nodes", "nodes/status"], true),
            leases(&["*"]),
        ]),
        non_resource_rules: None,
    };
    vec![
        schema(
            "exempt",
            "exempt",
            1,
            None,
            everything(&[Who::Groups(&["system:masters"])]),
        ),
        schema(
            "catch-all",
            "catch-all",
            10000,
            Some("ByUser"),
            everything(&[all_users]),
        ),
        schema(
            "system-nodes",
            "system",
            500,
            Some("ByUser"),
            everything(&[nodes]),
        ),
        schema(
            "system-node-high",
            "node-high",
            400,
            Some("ByUser"),
            node_high,
        ),
        schema("probes", "exempt", 2, None, probes),
        schema(
            "system-leader-election",
            "leader-election",
            100,
            Some("ByUser"),
            leader_election,
        ),
        schema(
            "kube-controller-manager",
            "workload-high",
            800,
            Some("ByNamespace"),
            everything(&[Who::Users(&["system:kube-controller-manager"])]),
        ),
        schema(
            "kube-scheduler",
            "workload-high",
            800,
            Some("ByNamespace"),
            everything(&[Who::Users(&["system:kube-scheduler"])]),
        ),
        schema(
            "kube-system-service-accounts",
            "workload-high",
            900,
            Some("ByNamespace"),
            everything(&[Who::KubeSystemAccounts]),
        ),
        schema(
            "service-accounts",
            "workload-low",
            9000,
            Some("ByUser"),
            everything(&[Who::Groups(&["system:serviceaccounts"])]),
        ),
        schema(
            "global-default",
            "global-default",
            9900,
            Some("ByUser"),
            everything(&[Who::Groups(&[
                "system:unauthenticated",
                "system:authenticated",
            ])]),
        ),
    ]
}
