//! Field selectors (`kubectl get --field-selector`), as the apiserver reads them: terms
//! `field=value`, `field==value` or `field!=value`, joined by commas, over the fields each
//! kind makes selectable (`metadata.name` and `metadata.namespace` for all; a few more for
//! pods, nodes, events and others, as upstream's `*ToSelectableFields` list them).

use super::object::Object;

/// Longest field selector read (the apiserver takes it from a URL).
const MAX_LEN: usize = 4096;

/// One term of a selector.
#[derive(Clone, Debug, PartialEq)]
struct Term {
    field: String,
    value: String,
    equal: bool,
}

/// A parsed field selector: every term must hold.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldSelector {
    terms: Vec<Term>,
}

impl FieldSelector {
    /// Parses `text` (apimachinery's `fields.ParseSelector`).
    pub fn parse(text: &str) -> Result<FieldSelector, String> {
        if text.len() > MAX_LEN {
            return Err(format!("field selector longer than {MAX_LEN} bytes"));
        }
        let mut terms = Vec::new();
        for part in text.split(',').filter(|p| !p.is_empty()) {
            let (field, value, equal) = if let Some((f, v)) = part.split_once("!=") {
                (f, v, false)
            } else if let Some((f, v)) = part.split_once("==") {
                (f, v, true)
            } else if let Some((f, v)) = part.split_once('=') {
                (f, v, true)
            } else {
                return Err(format!(
                    "invalid selector: '{text}'; can't understand '{part}'"
                ));
            };
            terms.push(Term {
                field: field.trim().to_string(),
                value: value.trim().to_string(),
                equal,
            });
        }
        Ok(FieldSelector { terms })
    }

    /// The first field `kind` cannot select on, as the server refuses it
    /// (`field label not supported: <field>`).
    pub fn unsupported(&self, kind: &str) -> Option<String> {
        self.terms
            .iter()
            .find(|t| !selectable(kind).contains(&t.field.as_str()))
            .map(|t| format!("field label not supported: {}", t.field))
    }

    /// Whether `obj` satisfies every term (fields it cannot select on never match).
    pub fn matches(&self, obj: &Object) -> bool {
        self.terms
            .iter()
            .all(|t| field_value(obj, &t.field).is_some_and(|v| (v == t.value) == t.equal))
    }
}

/// The fields `kind` makes selectable besides `metadata.name` and `metadata.namespace`.
fn extra_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "Pod" => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        "Node" => &["spec.unschedulable"],
        "Namespace" => &["status.phase"],
        "Secret" => &["type"],
        "ReplicaSet" | "ReplicationController" => &["status.replicas"],
        "Job" => &["status.successful"],
        "Event" => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        _ => &[],
    }
}

fn selectable(kind: &str) -> Vec<&'static str> {
    let mut fields = vec!["metadata.name", "metadata.namespace"];
    fields.extend_from_slice(extra_fields(kind));
    fields
}

/// The value of a selectable field of `obj` (an unset field reads as empty, a bool as
/// `true`/`false`, a number in decimal); `None` for a field the kind does not select on.
fn field_value(obj: &Object, field: &str) -> Option<String> {
    let text = |v: Option<&String>| v.cloned().unwrap_or_default();
    match (obj, field) {
        (_, "metadata.name") => Some(obj.name().to_string()),
        (_, "metadata.namespace") => Some(obj.namespace().to_string()),
        (Object::Pod(p), _) => {
            let spec = p.spec.as_ref();
            let status = p.status.as_ref();
            Some(match field {
                "spec.nodeName" => text(spec.and_then(|s| s.node_name.as_ref())),
                "spec.restartPolicy" => text(spec.and_then(|s| s.restart_policy.as_ref())),
                "spec.schedulerName" => text(spec.and_then(|s| s.scheduler_name.as_ref())),
                "spec.serviceAccountName" => {
                    text(spec.and_then(|s| s.service_account_name.as_ref()))
                }
                "spec.hostNetwork" => spec
                    .and_then(|s| s.host_network)
                    .unwrap_or(false)
                    .to_string(),
                "status.phase" => text(status.and_then(|s| s.phase.as_ref())),
                "status.podIP" => text(status.and_then(|s| s.pod_ip.as_ref())),
                "status.nominatedNodeName" => {
                    text(status.and_then(|s| s.nominated_node_name.as_ref()))
                }
                _ => return None,
            })
        }
        (Object::Node(n), "spec.unschedulable") => Some(
            n.spec
                .as_ref()
                .and_then(|s| s.unschedulable)
                .unwrap_or(false)
                .to_string(),
        ),
        (Object::Namespace(n), "status.phase") => {
            Some(text(n.status.as_ref().and_then(|s| s.phase.as_ref())))
        }
        (Object::Secret(s), "type") => Some(text(s.type_.as_ref())),
        (Object::ReplicaSet(r), "status.replicas") => {
            Some(r.status.as_ref().map_or(0, |s| s.replicas).to_string())
        }
        (Object::ReplicationController(r), "status.replicas") => {
            Some(r.status.as_ref().map_or(0, |s| s.replicas).to_string())
        }
        (Object::Job(j), "status.successful") => Some(
            j.status
                .as_ref()
                .and_then(|s| s.succeeded)
                .unwrap_or(0)
                .to_string(),
        ),
        (Object::Event(e), _) => {
            let o = &e.involved_object;
            Some(match field {
                "involvedObject.kind" => text(o.kind.as_ref()),
                "involvedObject.namespace" => text(o.namespace.as_ref()),
                "involvedObject.name" => text(o.name.as_ref()),
                "involvedObject.uid" => text(o.uid.as_ref()),
                "involvedObject.apiVersion" => text(o.api_version.as_ref()),
                "involvedObject.resourceVersion" => text(o.resource_version.as_ref()),
                "involvedObject.fieldPath" => text(o.field_path.as_ref()),
                "reason" => text(e.reason.as_ref()),
                "reportingComponent" => e.reporting_component.clone().unwrap_or_default(),
                "source" => text(e.source.as_ref().and_then(|s| s.component.as_ref())),
                "type" => text(e.type_.as_ref()),
                _ => return None,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pod(name: &str, phase: &str, node: &str) -> Object {
        Object::Pod(Box::new(
            serde_json::from_value(json!({
                "metadata": {"name": name, "namespace": "default"},
                "spec": {"nodeName": node, "containers": [{"name": "c"}]},
                "status": {"phase": phase}
            }))
            .unwrap(),
        ))
    }

    #[test]
    fn terms_are_anded_with_equal_and_not_equal() {
        let s = FieldSelector::parse("status.phase=Running,spec.nodeName!=node1").unwrap();
        assert!(s.matches(&pod("a", "Running", "node2")));
        assert!(!s.matches(&pod("b", "Running", "node1")));
        assert!(!s.matches(&pod("c", "Pending", "node2")));
        let s = FieldSelector::parse("metadata.name==a").unwrap();
        assert!(s.matches(&pod("a", "Running", "node2")));
        assert_eq!(FieldSelector::parse("").unwrap().terms.len(), 0);
    }

    #[test]
    fn errors_read_as_the_apiserver_writes_them() {
        assert_eq!(
            FieldSelector::parse("phase").unwrap_err(),
            "invalid selector: 'phase'; can't understand 'phase'"
        );
        let s = FieldSelector::parse("status.phase=Running").unwrap();
        assert_eq!(s.unsupported("Pod"), None);
        assert_eq!(
            s.unsupported("Deployment").as_deref(),
            Some("field label not supported: status.phase")
        );
        assert!(FieldSelector::parse(&"a=b,".repeat(5000)).is_err());
    }
}
