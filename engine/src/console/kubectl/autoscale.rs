//! `kubectl autoscale` (1.34): creates an `autoscaling/v2` HorizontalPodAutoscaler for a
//! Deployment, ReplicaSet, StatefulSet or ReplicationController (`TYPE NAME`, `TYPE/NAME`),
//! with `--min`, `--max`, `--cpu` / `--memory` (`70%` utilization or a quantity) and the
//! deprecated `--cpu-percent`.

use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget,
    ResourceMetricSource,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::flags::{self, Flag};
use super::resources;
use crate::api::error::ApiError;
use crate::api::object::{HorizontalPodAutoscaler, Object};
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const FLAGS: &[Flag] = &[
    flags::value("min", None),
    flags::value("max", None),
    flags::value("cpu-percent", None),
    flags::value("cpu", None),
    flags::value("memory", None),
    flags::value("name", None),
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
    flags::value("filename", Some('f')),
    flags::boolean("record", None),
    flags::boolean("save-config", None),
    flags::value("field-manager", None),
];

const CPU_PERCENT_DEPRECATED: &str = "Flag --cpu-percent has been deprecated, Use --cpu with percentage or resource quantity format (e.g., '70%' for utilization or '500m' for milliCPU).";

/// An int32 flag as Go's pflag parses it (`-1` when unset).
fn int_flag(parsed: &flags::Parsed, name: &str) -> Result<i32, String> {
    match parsed.value(name) {
        None => Ok(-1),
        Some(v) => super::int_flag("autoscale", &format!("--{name}"), v, 32).map(|n| n as i32),
    }
}

/// A `--cpu`/`--memory` target (`parseResourceInput`): `N%` utilization, a bare number in
/// the resource's default unit (`m` for cpu, `Mi` for memory), or a quantity.
fn resource_target(input: &str, resource: &str) -> Result<MetricTarget, String> {
    let input = input.trim();
    if input.is_empty() {
        return Err("empty input".into());
    }
    if let Some(percent) = input.strip_suffix('%') {
        return match percent.parse::<i32>() {
            Ok(p) if p > 0 => Ok(MetricTarget {
                type_: "Utilization".into(),
                average_utilization: Some(p),
                ..Default::default()
            }),
            _ => Err(format!("invalid percentage value: {input}")),
        };
    }
    // Go's `strconv.ParseFloat` refuses what overflows (`1e400`), which then parses as a
    // quantity; a number it takes is printed with `%g` and the unit, and must then parse.
    let number = input
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() || !input.contains(char::is_numeric));
    let quantity = if let Some(n) = number {
        let unit = if resource == "cpu" { "m" } else { "Mi" };
        let with_unit = format!("{}{unit}", crate::api::go_number::fmt_float(n));
        crate::api::quantity::check(&with_unit)?;
        with_unit
    } else if crate::api::quantity::check(input).is_ok() {
        input.to_string()
    } else {
        return Err(format!("invalid resource {resource} value: {input}"));
    };
    Ok(MetricTarget {
        type_: "AverageValue".into(),
        average_value: Some(Quantity(quantity)),
        ..Default::default()
    })
}

fn metric(resource: &str, target: MetricTarget) -> MetricSpec {
    MetricSpec {
        type_: "Resource".into(),
        resource: Some(ResourceMetricSource {
            name: resource.into(),
            target,
        }),
        ..Default::default()
    }
}

/// Runs `kubectl autoscale`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("autoscale", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let (min, max, cpu_percent) = match (
        int_flag(&parsed, "min"),
        int_flag(&parsed, "max"),
        int_flag(&parsed, "cpu-percent"),
    ) {
        (Ok(a), Ok(b), Ok(c)) => (a, b, c),
        (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => return super::error(e),
    };
    let mut out = Output::default();
    if parsed.value("cpu-percent").is_some() {
        out.err(CPU_PERCENT_DEPRECATED);
    }
    if parsed.value("max").is_none() {
        out.err("error: required flag(s) \"max\" not set");
        out.exit_code = 1;
        return out;
    }
    if parsed.positionals.is_empty() {
        return super::error("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    let fail = |mut out: Output, message: String| {
        out.err(format!("error: {message}"));
        out.exit_code = 1;
        out
    };
    if max < 1 {
        return fail(
            out,
            format!("--max=MAXPODS is required and must be at least 1, max: {max}"),
        );
    }
    if max < min {
        return fail(
            out,
            format!(
                "--max=MAXPODS must be larger or equal to --min=MINPODS, max: {max}, min: {min}"
            ),
        );
    }
    let cpu = parsed.value("cpu").map(str::to_string);
    let memory = parsed.value("memory").map(str::to_string);
    if cpu_percent > 0 && cpu.is_some() {
        return fail(out, "--cpu-percent and --cpu are mutually exclusive".into());
    }
    let mut metrics = Vec::new();
    if cpu_percent > 0 {
        metrics.push(crate::api::object::hpa::utilization_metric(
            "cpu",
            cpu_percent,
        ));
    }
    for (value, resource) in [(&cpu, "cpu"), (&memory, "memory")] {
        if let Some(v) = value {
            match resource_target(v, resource) {
                Ok(t) => metrics.push(metric(resource, t)),
                Err(e) => return fail(out, e),
            }
        }
    }
    let dry_run = match super::dry_run::mode(parsed.value("dry-run")) {
        Ok(d) => d,
        Err(e) => return fail(out, e),
    };
    let requests = match resources::resolve(&cluster.world.api, &parsed.positionals) {
        Ok(r) => r,
        Err(e) => return fail(out, e),
    };
    let namespace = super::namespace(cluster, &parsed);
    let mut count = 0;
    for r in &requests {
        for name in &r.names {
            if !matches!(
                r.kind.kind,
                "Deployment" | "ReplicaSet" | "StatefulSet" | "ReplicationController"
            ) {
                return fail(
                    out,
                    format!(
                        "cannot autoscale a {}: could not find scale subresource for {} in discovery information",
                        r.kind.kind,
                        r.kind.qualified_resource()
                    ),
                );
            }
            if cluster
                .world
                .api
                .get(r.kind.kind, &namespace, name)
                .is_none()
            {
                out.err(ApiError::not_found(r.kind, name).kubectl_message());
                out.exit_code = 1;
                return out;
            }
            let hpa = HorizontalPodAutoscaler {
                metadata: ObjectMeta {
                    name: Some(parsed.value("name").unwrap_or(name).to_string()),
                    // kubectl 1.34's dry run prints no namespace.
                    namespace: (!dry_run).then(|| namespace.clone()),
                    ..Default::default()
                },
                spec: Some(HorizontalPodAutoscalerSpec {
                    scale_target_ref: CrossVersionObjectReference {
                        api_version: Some(r.kind.api_version()),
                        kind: r.kind.kind.into(),
                        name: name.clone(),
                    },
                    min_replicas: (min > 0).then_some(min),
                    max_replicas: max,
                    metrics: (!metrics.is_empty()).then(|| metrics.clone()),
                    behavior: None,
                }),
                // kubectl's typed object: `desiredReplicas` has no omitempty.
                status: Some(Default::default()),
            };
            let obj = Object::HorizontalPodAutoscaler(Box::new(hpa));
            count += 1;
            if dry_run {
                out.extend(super::dry_run::print(&obj, parsed.value("output")));
                continue;
            }
            match cluster.create(obj) {
                Ok(created) => {
                    let shown = format!("horizontalpodautoscaler.autoscaling/{}", created.name());
                    match parsed.value("output") {
                        Some("yaml") => {
                            out.out_raw(crate::printers::yaml::to_yaml(&created.to_json()))
                        }
                        Some("json") => out.out(super::get::json_pretty(&created.to_json())),
                        Some("name") => out.out(shown),
                        _ => out.out(format!("{shown} autoscaled")),
                    }
                }
                Err(e) => {
                    out.err(e.kubectl_message());
                    out.exit_code = 1;
                    return out;
                }
            }
        }
        if r.names.is_empty() {
            return fail(
                out,
                "resource(s) were provided, but no name was specified".into(),
            );
        }
    }
    if count == 0 {
        return fail(out, "no objects passed to autoscale".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::resource_target;

    #[test]
    fn targets_parse_as_kubectl_does() {
        let value = |i: &str, r: &str| resource_target(i, r).map(|t| t.average_value.unwrap().0);
        assert_eq!(value("500", "cpu").as_deref(), Ok("500m"));
        assert_eq!(value("1e400", "cpu").as_deref(), Ok("1e400"));
        assert_eq!(value("2Gi", "memory").as_deref(), Ok("2Gi"));
        let format_wrong = Err(crate::api::quantity::FORMAT_WRONG.to_string());
        assert_eq!(value("1e300", "cpu"), format_wrong);
        assert_eq!(value("inf", "memory"), format_wrong);
        assert_eq!(
            value("NaNs", "cpu"),
            Err("invalid resource cpu value: NaNs".to_string())
        );
    }
}
