//! `kubectl top node|pod`: usage from the resource metrics API (`ApiServer::metrics`), as
//! kubectl 1.34's `pkg/cmd/top` and `pkg/metricsutil` print it: CPU in millicores (rounded
//! up), memory in Mi (rounded down), node percentages of allocatable (or capacity), nodes
//! without metrics as `<unknown>`, and the command's errors.

use crate::sort::SliceSort;
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, Pod};

use super::flags::{self, Flag};
use crate::api::quantity;
use crate::api::selector::Selector;
use crate::apiserver::{MetricsData, MetricsUnavailable};
use crate::cluster::Cluster;
use crate::output::Output;
use crate::printers::tabwriter::tabwrite;

pub(super) const FLAGS: &[Flag] = &[
    flags::value("selector", Some('l')),
    flags::value("field-selector", None),
    flags::value("sort-by", None),
    flags::boolean("no-headers", None),
    flags::boolean("use-protocol-buffers", None),
    flags::boolean("show-capacity", None),
    flags::boolean("show-swap", None),
    flags::boolean("containers", None),
    flags::boolean("all-namespaces", Some('A')),
    flags::boolean("sum", None),
];

/// How long kubectl waits for a new pod's metrics before calling them missing.
const METRICS_CREATION_DELAY_MS: i64 = 120_000;

/// Runs `kubectl top ARGS`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("top", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let Some((sub, names)) = parsed.positionals.split_first() else {
        return Output::failure(
            "Display resource (CPU/memory) usage.\n\nAvailable Commands:\n  node          Display resource (CPU/memory) usage of nodes\n  pod           Display resource (CPU/memory) usage of pods\n\nUsage:\n  kubectl top [flags] [options]",
        );
    };
    let usage = |u: &str| {
        super::error(format!(
            "Usage: {u}\nSee 'kubectl top {sub} -h' for help and examples"
        ))
    };
    let sort = parsed.value("sort-by").unwrap_or("");
    if !sort.is_empty() && sort != "cpu" && sort != "memory" {
        return super::error("--sort-by accepts only cpu or memory");
    }
    let selector = match parsed.value("selector").map(Selector::parse).transpose() {
        Ok(s) => s,
        Err(e) => return super::error(e),
    };
    match sub.as_str() {
        "node" | "nodes" | "no" => {
            if names.len() > 1 {
                return usage("node [NAME | -l label]");
            }
            if !names.is_empty() && selector.is_some() {
                return super::error("only one of NAME or --selector can be provided");
            }
            top_nodes(cluster, names.first().map(String::as_str), selector.as_ref(), &parsed, sort)
        }
        "pod" | "pods" | "po" => {
            if names.len() > 1 {
                return usage("pod [NAME | -l label]");
            }
            if !names.is_empty()
                && (selector.is_some() || parsed.value("field-selector").is_some())
            {
                return super::error("only one of NAME or selector can be provided");
            }
            let namespace = super::namespace(cluster, &parsed);
            top_pods(cluster, names.first().map(String::as_str), selector.as_ref(), &parsed, sort, &namespace)
        }
        other => Output::failure(format!(
            "error: unknown command \"{other}\" for \"kubectl top\"\n\nDid you mean this?\n\tnode\n\tpod"
        )),
    }
}

/// The metrics API's answer, or the error kubectl prints (`resource` is `nodes` or `pods`).
fn metrics<'a>(
    cluster: &'a Cluster,
    resource: &str,
    name: Option<&str>,
) -> Result<&'a MetricsData, Output> {
    match cluster.world.api.metrics() {
        Ok(data) => Ok(data),
        Err(MetricsUnavailable::NotRegistered) => Err(super::error("Metrics API not available")),
        Err(MetricsUnavailable::Unavailable) => {
            let target = match name {
                Some(n) => format!("{resource}.metrics.k8s.io {n}"),
                None => format!("{resource}.metrics.k8s.io"),
            };
            Err(Output::failure(format!(
                "Error from server (ServiceUnavailable): the server is currently unable to handle the request (get {target})"
            )))
        }
    }
}

/// Millicores of `nanocores`, rounded up as `Quantity.MilliValue` does.
pub fn millicores(nanocores: u64) -> u64 {
    nanocores.div_ceil(1_000_000)
}

/// `123m`.
fn cpu_text(nanocores: u64) -> String {
    format!("{}m", millicores(nanocores))
}

/// `45Mi` (bytes / 2²⁰, rounded down).
fn memory_text(bytes: u64) -> String {
    format!("{}Mi", bytes / (1024 * 1024))
}

/// The percentage kubectl prints: used / available × 100, truncated.
pub fn percent(used_milli: u64, available_milli: f64) -> i64 {
    if available_milli <= 0.0 {
        return 0;
    }
    (used_milli as f64 / available_milli * 100.0) as i64
}

fn top_nodes(
    cluster: &Cluster,
    name: Option<&str>,
    selector: Option<&Selector>,
    parsed: &flags::Parsed,
    sort: &str,
) -> Output {
    let data = match metrics(cluster, "nodes", name) {
        Ok(d) => d,
        Err(o) => return o,
    };
    let api = &cluster.world.api;
    let mut items: Vec<_> = match name {
        Some(n) => match data.nodes.get(n) {
            Some(m) => vec![m],
            None => {
                return Output::failure(format!(
                    "Error from server (NotFound): nodemetrics.metrics.k8s.io \"{n}\" not found"
                ))
            }
        },
        None => data
            .nodes
            .values()
            .filter(|m| selector.is_none_or(|s| s.matches(Some(&m.labels))))
            .collect(),
    };
    if items.is_empty() {
        return super::error("metrics not available yet");
    }
    let nodes: Vec<&Node> = match name {
        Some(n) => match api.get_as::<Node>("", n) {
            Some(node) => vec![node],
            None => {
                return Output::failure(format!(
                    "Error from server (NotFound): nodes \"{n}\" not found"
                ))
            }
        },
        None => api
            .list_as::<Node>(None)
            .filter(|n| selector.is_none_or(|s| s.matches(n.metadata.labels.as_ref())))
            .collect(),
    };
    let capacity = parsed.bool("show-capacity");
    let mut available: BTreeMap<String, (f64, f64)> = nodes
        .iter()
        .map(|n| {
            let status = n.status.as_ref();
            let list = if capacity {
                status.and_then(|s| s.capacity.as_ref())
            } else {
                status.and_then(|s| s.allocatable.as_ref())
            };
            let milli = |k: &str| {
                list.and_then(|l| l.get(k))
                    .and_then(|q| quantity::parse(&q.0))
                    .map_or(0.0, |v| v * 1000.0)
            };
            (
                n.metadata.name.clone().unwrap_or_default(),
                (milli("cpu"), milli("memory")),
            )
        })
        .collect();
    match sort {
        "cpu" => items.stable_sort_by_key(|m| std::cmp::Reverse(millicores(m.cpu_nanocores))),
        "memory" => items.stable_sort_by_key(|m| std::cmp::Reverse(m.memory_bytes)),
        _ => {}
    }
    let mut text = String::new();
    if !parsed.bool("no-headers") {
        text.push_str("NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\t\n");
    }
    for m in items {
        text.push_str(&format!("{}\t{}\t", m.name, cpu_text(m.cpu_nanocores)));
        let avail = available.remove(&m.name);
        if let Some((cpu, _)) = avail {
            text.push_str(&format!("{}%\t", percent(millicores(m.cpu_nanocores), cpu)));
        }
        text.push_str(&format!("{}\t", memory_text(m.memory_bytes)));
        if let Some((_, mem)) = avail {
            let used = m.memory_bytes.saturating_mul(1000);
            text.push_str(&format!("{}%\t", percent(used, mem)));
        }
        text.push('\n');
    }
    for missing in available.keys() {
        text.push_str(&format!(
            "{missing}\t<unknown>\t<unknown>\t<unknown>\t<unknown>\t\n"
        ));
    }
    let mut o = Output::default();
    o.out(tabwrite(&text, 6, 3).trim_end_matches('\n'));
    o
}

fn top_pods(
    cluster: &Cluster,
    name: Option<&str>,
    selector: Option<&Selector>,
    parsed: &flags::Parsed,
    sort: &str,
    namespace: &str,
) -> Output {
    let data = match metrics(cluster, "pods", name) {
        Ok(d) => d,
        Err(o) => return o,
    };
    let all = parsed.bool("all-namespaces");
    let fields = parsed.value("field-selector");
    let field_match = |ns: &str, n: &str| match fields {
        None => true,
        Some(f) => f.split(',').all(|term| {
            let (k, v, eq) = if let Some((k, v)) = term.split_once("!=") {
                (k, v, false)
            } else if let Some((k, v)) = term.split_once("==") {
                (k, v, true)
            } else if let Some((k, v)) = term.split_once('=') {
                (k, v, true)
            } else {
                return true;
            };
            let actual = match k.trim() {
                "metadata.name" => n,
                "metadata.namespace" => ns,
                _ => return true,
            };
            (actual == v.trim()) == eq
        }),
    };
    let mut items: Vec<_> = match name {
        Some(n) => match data.pods.get(&(namespace.to_string(), n.to_string())) {
            Some(m) => vec![m],
            None => {
                return Output::failure(format!(
                    "Error from server (NotFound): podmetrics.metrics.k8s.io \"{namespace}/{n}\" not found"
                ))
            }
        },
        None => data
            .pods
            .values()
            .filter(|m| all || m.namespace == namespace)
            .filter(|m| selector.is_none_or(|s| s.matches(Some(&m.labels))))
            .filter(|m| field_match(&m.namespace, &m.name))
            .collect(),
    };
    let mut o = Output::default();
    if items.is_empty() {
        // kubectl looks at the pods of the current namespace (even with -A).
        let now = cluster.world.clock.now_ms();
        let pods: Vec<&Pod> = cluster
            .world
            .api
            .list_as::<Pod>(Some(namespace))
            .filter(|p| selector.is_none_or(|s| s.matches(p.metadata.labels.as_ref())))
            .filter(|p| field_match(namespace, p.metadata.name.as_deref().unwrap_or_default()))
            .collect();
        if !pods.is_empty() {
            for p in pods {
                let created = p
                    .metadata
                    .creation_timestamp
                    .as_ref()
                    .map_or(now, |t| t.0.as_millisecond());
                let age = now - created;
                if age > METRICS_CREATION_DELAY_MS {
                    return super::error(format!(
                        "Metrics not available for pod {namespace}/{}, age: {}",
                        p.metadata.name.as_deref().unwrap_or_default(),
                        go_duration(age)
                    ));
                }
            }
            return super::error("metrics not available yet");
        }
        if all {
            o.err("No resources found");
        } else {
            o.err(format!("No resources found in {namespace} namespace."));
        }
        return o;
    }
    let containers = parsed.bool("containers");
    let total = |m: &crate::apiserver::PodMetrics| {
        m.containers.iter().fold((0u64, 0u64), |(c, b), x| {
            (c + millicores(x.cpu_nanocores), b + x.memory_bytes)
        })
    };
    match sort {
        "cpu" => items.stable_sort_by_key(|m| std::cmp::Reverse(total(m).0)),
        "memory" => items.stable_sort_by_key(|m| std::cmp::Reverse(total(m).1)),
        _ => items.stable_sort_by(|a, b| {
            (all.then_some(&a.namespace), &a.name).cmp(&(all.then_some(&b.namespace), &b.name))
        }),
    }
    let mut text = String::new();
    let mut width = 3;
    if !parsed.bool("no-headers") {
        if all {
            text.push_str("NAMESPACE\t");
            width += 1;
        }
        if containers {
            text.push_str("POD\t");
            width += 1;
        }
        text.push_str("NAME\tCPU(cores)\tMEMORY(bytes)\t\n");
    }
    let (mut sum_cpu, mut sum_mem) = (0u64, 0u64);
    for m in &items {
        let (cpu, mem) = total(m);
        sum_cpu += cpu;
        sum_mem += mem;
        if containers {
            let mut cs: Vec<_> = m.containers.iter().collect();
            match sort {
                "cpu" => cs.stable_sort_by_key(|c| std::cmp::Reverse(millicores(c.cpu_nanocores))),
                "memory" => cs.stable_sort_by_key(|c| std::cmp::Reverse(c.memory_bytes)),
                _ => cs.stable_sort_by(|a, b| a.name.cmp(&b.name)),
            }
            for c in cs {
                if all {
                    text.push_str(&format!("{}\t", m.namespace));
                }
                text.push_str(&format!(
                    "{}\t{}\t{}\t{}\t\n",
                    m.name,
                    c.name,
                    cpu_text(c.cpu_nanocores),
                    memory_text(c.memory_bytes)
                ));
            }
        } else {
            if all {
                text.push_str(&format!("{}\t", m.namespace));
            }
            text.push_str(&format!("{}\t{}m\t{}\t\n", m.name, cpu, memory_text(mem)));
        }
    }
    if parsed.bool("sum") {
        text.push_str(&"\t".repeat(width - 2));
        text.push_str("________\t________\t\n");
        text.push_str(&"\t".repeat(width - 3));
        text.push_str(&format!("\t{sum_cpu}m\t{}\t\n", memory_text(sum_mem)));
    }
    o.out(tabwrite(&text, 6, 3).trim_end_matches('\n'));
    o
}

/// Go's `time.Duration.String()` of whole ms (`2m5.123s`).
fn go_duration(ms: i64) -> String {
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let secs = format!("{}.{:03}", rest / 1000, rest % 1000);
    let secs = secs.trim_end_matches('0').trim_end_matches('.');
    let mut s = String::new();
    if h > 0 {
        s.push_str(&format!("{h}h"));
    }
    if h > 0 || m > 0 {
        s.push_str(&format!("{m}m"));
    }
    s.push_str(&format!("{secs}s"));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_percentages_as_kubectl_prints_them() {
        assert_eq!(cpu_text(1), "1m");
        assert_eq!(cpu_text(100_000_000), "100m");
        assert_eq!(cpu_text(100_000_001), "101m");
        assert_eq!(memory_text(5 * 1024 * 1024 - 1), "4Mi");
        assert_eq!(percent(190, 4000.0), 4);
        assert_eq!(percent(972 * 1024 * 1024 * 1000, 1_960_000_000_000.0), 52);
        assert_eq!(percent(5, 0.0), 0);
        assert_eq!(go_duration(125_500), "2m5.5s");
        assert_eq!(go_duration(3_600_000), "1h0m0s");
    }

    #[test]
    fn columns_align_with_kubectls_tabwriter() {
        let text = "NAME\tCPU(cores)\tMEMORY(bytes)\t\nweb-1\t3m\t4Mi\t\n";
        assert_eq!(
            tabwrite(text, 6, 3),
            "NAME    CPU(cores)   MEMORY(bytes)   \nweb-1   3m           4Mi             \n"
        );
    }
}
