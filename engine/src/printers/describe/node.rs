//! `kubectl describe node`: the full layout (lease, conditions, addresses, capacity, system
//! info, the pods running there and what they request).

use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::api::quantity::Amount;
use crate::clock::{ms_from_time, time_from_ms};
use crate::world::World;

fn rfc1123z_ms(ms: i64) -> String {
    time_from_ms(ms)
        .0
        .strftime("%a, %d %b %Y %H:%M:%S %z")
        .to_string()
}

/// Sum of one resource over a pod's containers (requests or limits), as `Quantity.Add`
/// makes it (the first amount's format); init containers count with their maximum, as the
/// scheduler does.
fn pod_total(pod: &Pod, resource: &str, limits: bool) -> Amount {
    let zero = Amount::default();
    let Some(spec) = pod.spec.as_ref() else {
        return zero;
    };
    let get = |c: &k8s_openapi::api::core::v1::Container| {
        c.resources
            .as_ref()
            .and_then(|r| {
                if limits {
                    r.limits.as_ref()
                } else {
                    r.requests.as_ref()
                }
            })
            .and_then(|m| m.get(resource))
            .and_then(|q| Amount::parse(&q.0))
            .unwrap_or(zero)
    };
    let sum = spec
        .containers
        .iter()
        .map(get)
        .fold(zero, |total, a| total.add(a).unwrap_or(total));
    let init = spec
        .init_containers
        .iter()
        .flatten()
        .map(get)
        .fold(zero, Amount::max);
    sum.max(init)
}

/// kubectl's `int64(float64(part) / float64(whole) * 100)`, over milli-values for cpu and
/// whole units otherwise (both rounded up, as `MilliValue` and `Value` are).
fn percent(part: Amount, whole: Amount, cpu: bool) -> i64 {
    let scaled = |a: Amount| if cpu { a.millis() } else { a.units() } as f64;
    if scaled(whole) == 0.0 {
        0
    } else {
        (scaled(part) / scaled(whole) * 100.0) as i64
    }
}

/// An amount and its share of what the node can allocate: `250m (12%)`.
fn share(part: Amount, whole: Amount, cpu: bool) -> String {
    format!("{part} ({}%)", percent(part, whole, cpu))
}

fn map_section(title: &str, map: Option<&std::collections::BTreeMap<String, Quantity>>) -> String {
    let mut s = format!("{title}:\n");
    for (k, v) in map.into_iter().flatten() {
        s.push_str(&format!("  {k}:\t{}\n", v.0));
    }
    s
}

/// The body of `describe node` after the lines shared with other kinds (name, roles,
/// labels, annotations, creation, taints, unschedulable): from `Lease:` to `Allocated
/// resources`.
pub fn details(world: &World, node: &Node) -> String {
    let now = world.clock.now_ms();
    let name = node.metadata.name.clone().unwrap_or_default();
    let status = node.status.clone().unwrap_or_default();
    let created = node
        .metadata
        .creation_timestamp
        .as_ref()
        .map(ms_from_time)
        .unwrap_or(now);
    let beats = &world.heartbeats;
    let renew = beats.last_renew(&name, created, now);
    let heartbeat = beats.last_status_post(node, now);
    let mut s = format!(
        "Lease:\n  HolderIdentity:\t{name}\n  AcquireTime:\t<unset>\n  RenewTime:\t{}\n",
        rfc1123z_ms(renew)
    );
    s.push_str("Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n  ----\t------\t-----------------\t------------------\t------\t-------\n");
    for c in status.conditions.iter().flatten() {
        let transition = c
            .last_transition_time
            .as_ref()
            .map(ms_from_time)
            .unwrap_or(created);
        // A condition the node controller set Unknown keeps the kubelet's last post.
        let beat = match (c.status.as_str(), &c.last_heartbeat_time) {
            ("Unknown", Some(t)) => ms_from_time(t),
            _ => heartbeat.max(transition),
        };
        s.push_str(&format!(
            "  {}\t{}\t{}\t{}\t{}\t{}\n",
            c.type_,
            c.status,
            rfc1123z_ms(beat),
            rfc1123z_ms(transition),
            c.reason.clone().unwrap_or_default(),
            c.message.clone().unwrap_or_default()
        ));
    }
    s.push_str("Addresses:\n");
    for a in status.addresses.iter().flatten() {
        s.push_str(&format!("  {}:\t{}\n", a.type_, a.address));
    }
    s.push_str(&map_section("Capacity", status.capacity.as_ref()));
    s.push_str(&map_section("Allocatable", status.allocatable.as_ref()));
    let info = status.node_info.clone().unwrap_or_default();
    s.push_str(&format!(
        "System Info:\n  Machine ID:\t{}\n  System UUID:\t{}\n  Boot ID:\t{}\n  Kernel Version:\t{}\n  OS Image:\t{}\n  Operating System:\t{}\n  Architecture:\t{}\n  Container Runtime Version:\t{}\n  Kubelet Version:\t{}\n  Kube-Proxy Version:\t{}\n",
        info.machine_id,
        info.system_uuid,
        info.boot_id,
        info.kernel_version,
        info.os_image,
        info.operating_system,
        info.architecture,
        info.container_runtime_version,
        info.kubelet_version,
        info.kube_proxy_version
    ));
    let spec = node.spec.clone().unwrap_or_default();
    if let Some(cidr) = &spec.pod_cidr {
        s.push_str(&format!("PodCIDR:\t{cidr}\n"));
    }
    if let Some(cidrs) = spec.pod_cidrs.as_ref().filter(|c| !c.is_empty()) {
        s.push_str(&format!("PodCIDRs:\t{}\n", cidrs.join(",")));
    }
    let allocatable = |r: &str| {
        status
            .allocatable
            .as_ref()
            .and_then(|a| a.get(r))
            .and_then(|q| Amount::parse(&q.0))
            .unwrap_or_default()
    };
    let (a_cpu, a_mem) = (allocatable("cpu"), allocatable("memory"));
    let pods: Vec<&Pod> = world
        .api
        .pods_on(&name)
        .filter(|p| {
            !matches!(
                p.status.as_ref().and_then(|s| s.phase.as_deref()),
                Some("Succeeded" | "Failed")
            )
        })
        .collect();
    s.push_str(&format!(
        "Non-terminated Pods:\t({} in total)\n  Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n  ---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n",
        pods.len()
    ));
    let mut totals = [Amount::default(); 4];
    for p in &pods {
        let (rc, lc) = (pod_total(p, "cpu", false), pod_total(p, "cpu", true));
        let (rm, lm) = (pod_total(p, "memory", false), pod_total(p, "memory", true));
        for (total, a) in totals.iter_mut().zip([rc, lc, rm, lm]) {
            *total = total.add(a).unwrap_or(*total);
        }
        let created = p.metadata.creation_timestamp.as_ref();
        let age = crate::printers::age::since(created.map(ms_from_time), now);
        s.push_str(&format!(
            "  {}\t{}\t\t{}\t{}\t{}\t{}\t{age}\n",
            p.metadata.namespace.clone().unwrap_or_default(),
            p.metadata.name.clone().unwrap_or_default(),
            share(rc, a_cpu, true),
            share(lc, a_cpu, true),
            share(rm, a_mem, false),
            share(lm, a_mem, false),
        ));
    }
    s.push_str("Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n  Resource\tRequests\tLimits\n  --------\t--------\t------\n");
    let [req_cpu, lim_cpu, req_mem, lim_mem] = totals;
    s.push_str(&format!(
        "  cpu\t{}\t{}\n  memory\t{}\t{}\n  ephemeral-storage\t0 (0%)\t0 (0%)\n",
        share(req_cpu, a_cpu, true),
        share(lim_cpu, a_cpu, true),
        share(req_mem, a_mem, false),
        share(lim_mem, a_mem, false),
    ));
    for k in status.allocatable.iter().flatten().map(|(k, _)| k) {
        if k.starts_with("hugepages-") {
            s.push_str(&format!("  {k}\t0 (0%)\t0 (0%)\n"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_print_like_kubectl() {
        let a = |q: &str| Amount::parse(q).unwrap();
        assert_eq!(percent(a("750m"), a("2"), true), 37);
        assert_eq!(percent(a("100u"), a("2"), true), 0);
        assert_eq!(percent(a("170Mi"), a("1Gi"), false), 16);
        assert_eq!(percent(a("1"), Amount::default(), true), 0);
    }
}
