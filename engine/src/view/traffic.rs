//! The board's traffic view: the latest requests (client → Service → the pod that
//! answered, or where it failed) and, per Service, which pods answered its recent requests.

use crate::cluster::Cluster;
use crate::network::traffic::{Outcome, Trace};
use crate::sort::SliceSort;

/// How many of the newest requests a snapshot carries.
pub const REQUEST_LIMIT: usize = 20;
/// How many recent requests of a Service its tally counts.
pub const TALLY_WINDOW: usize = 50;

/// One request.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RequestView {
    /// When it was sent, in simulated milliseconds since the epoch.
    pub at_ms: i64,
    /// The client: `pod/NAME` or `host`.
    pub from: String,
    /// What was asked for, as typed (`web`, `192.168.1.101:31719`).
    pub target: String,
    /// The Service it went through, as `namespace/name`.
    pub service: Option<String>,
    /// The pod that answered (or was chosen), as `namespace/name`.
    pub pod: Option<String>,
    /// The HTTP status, when it was answered.
    pub status: Option<u16>,
    /// Where and why it failed, when it did (`no ready endpoints`, `name not found`).
    pub failure: Option<String>,
}

/// Which pods answered a Service's recent requests.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ServiceTally {
    /// `namespace/name`.
    pub service: String,
    /// (pod name, requests it answered), most first, then by name.
    pub pods: Vec<(String, u32)>,
    /// Requests that failed.
    pub failed: u32,
}

/// A load stream: a container sending requests in a loop, shown as its rate.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StreamView {
    /// The client: `pod/NAME`.
    pub from: String,
    /// What it asks for, as written (`http://php-apache`).
    pub target: String,
    /// The Service it goes through, as `namespace/name`.
    pub service: Option<String>,
    /// The pods that answer it in turn, as `namespace/name`.
    pub pods: Vec<String>,
    /// Requests per minute.
    pub per_minute: u64,
}

/// The running load streams.
pub(super) fn streams(cluster: &Cluster) -> Vec<StreamView> {
    cluster
        .network
        .load
        .summaries()
        .into_iter()
        .map(|s| StreamView {
            from: s.from,
            target: s.target,
            service: s.service.map(|(ns, n)| format!("{ns}/{n}")),
            pods: s
                .pods
                .into_iter()
                .map(|(ns, n)| format!("{ns}/{n}"))
                .collect(),
            per_minute: s.per_minute,
        })
        .collect()
}

fn view(t: &Trace) -> RequestView {
    let (status, failure) = match &t.outcome {
        Outcome::Answered(s) => (Some(*s), None),
        Outcome::NoName => (None, Some("name not found".to_string())),
        Outcome::Refused(why) | Outcome::Dropped(why) => (None, Some(why.to_string())),
        Outcome::Blocked(policies) => (
            None,
            Some(format!("dropped by NetworkPolicy {}", policies.join(", "))),
        ),
    };
    RequestView {
        at_ms: t.at_ms,
        from: t.from.clone(),
        target: t.target.clone(),
        service: t.service.as_ref().map(|(ns, n)| format!("{ns}/{n}")),
        pod: t.pod.as_ref().map(|(ns, n)| format!("{ns}/{n}")),
        status,
        failure,
    }
}

/// The newest requests first, at most [`REQUEST_LIMIT`].
pub(super) fn requests(cluster: &Cluster) -> Vec<RequestView> {
    let traces: Vec<&Trace> = cluster.network.traffic.traces().collect();
    traces
        .iter()
        .rev()
        .take(REQUEST_LIMIT)
        .map(|t| view(t))
        .collect()
}

/// Per Service, the pods that answered its last [`TALLY_WINDOW`] requests, by Service.
pub(super) fn tallies(cluster: &Cluster) -> Vec<ServiceTally> {
    let mut by_service: std::collections::BTreeMap<String, Vec<&Trace>> = Default::default();
    for t in cluster.network.traffic.traces() {
        if let Some((ns, n)) = &t.service {
            by_service.entry(format!("{ns}/{n}")).or_default().push(t);
        }
    }
    by_service
        .into_iter()
        .map(|(service, traces)| {
            let recent = &traces[traces.len().saturating_sub(TALLY_WINDOW)..];
            let mut counts: std::collections::BTreeMap<String, u32> = Default::default();
            let mut failed = 0;
            for t in recent {
                match (&t.outcome, &t.pod) {
                    (Outcome::Answered(_), Some((_, pod))) => {
                        *counts.entry(pod.clone()).or_default() += 1
                    }
                    _ => failed += 1,
                }
            }
            let mut pods: Vec<(String, u32)> = counts.into_iter().collect();
            pods.stable_sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            ServiceTally {
                service,
                pods,
                failed,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::{Cluster, SimDuration};

    #[test]
    fn a_request_a_policy_drops_names_the_policy() {
        let mut c = Cluster::new();
        c.run("kubectl create deployment web --image=nginx");
        c.run("kubectl expose deployment web --port=80");
        c.run("kubectl run tools --image=nginx");
        c.advance(SimDuration::seconds(20));
        let deny = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\nspec:\n  podSelector: {matchLabels: {app: web}}\n";
        c.write_file("deny.yaml", deny).unwrap();
        c.run("kubectl apply -f deny.yaml");
        c.run("kubectl exec tools -- curl -sS -m 2 web");
        let requests = c.snapshot().requests;
        let last = requests.first().expect("the request is recorded");
        assert_eq!(last.status, None);
        assert_eq!(
            last.failure.as_deref(),
            Some("dropped by NetworkPolicy deny")
        );
        assert!(last
            .pod
            .as_deref()
            .is_some_and(|p| p.starts_with("default/web-")));
    }
}
