//! `kubectl run NAME --image=IMAGE`: creates one pod.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, ContainerPort, EnvVar, Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::flags::{self, Flag};
use crate::api::object::Object;
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const FLAGS: &[Flag] = &[
    flags::value("image", None),
    flags::value("port", None),
    flags::value("labels", Some('l')),
    flags::value("env", None),
    flags::value("restart", None),
    flags::boolean("command", None),
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
    flags::boolean("stdin", Some('i')),
    flags::boolean("tty", Some('t')),
    flags::boolean("attach", None),
    flags::boolean("rm", None),
    flags::boolean("quiet", Some('q')),
    flags::boolean("leave-stdin-open", None),
    super::overrides::FLAGS[0],
    super::overrides::FLAGS[1],
];

/// Runs `kubectl run`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("run", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let Some(name) = parsed.positionals.first() else {
        return super::error(
            "NAME is required for run\nSee 'kubectl run -h' for help and examples",
        );
    };
    let Some(image) = parsed.value("image").filter(|i| !i.is_empty()) else {
        return super::error("required flag(s) \"image\" not set");
    };
    if !crate::api::image_ref::matches_reference(image) {
        return super::error(format!(
            "Invalid image name {image:?}: invalid reference format"
        ));
    }
    // kubectl's `generate.ParseLabels`; the keys and values are the apiserver's to judge.
    let mut labels = BTreeMap::new();
    match parsed.value("labels").filter(|s| !s.is_empty()) {
        Some(spec) => {
            for pair in spec.split(',') {
                let (k, v) = match pair.split('=').collect::<Vec<_>>()[..] {
                    [k, v] => (k, v),
                    _ => return super::error(format!("unexpected label spec: {pair}")),
                };
                if k.is_empty() {
                    return super::error("unexpected empty label key");
                }
                labels.insert(k.to_string(), v.to_string());
            }
        }
        None => {
            labels.insert("run".to_string(), name.clone());
        }
    }
    let stdin = parsed.bool("stdin");
    let tty = parsed.bool("tty");
    // `-i` attaches unless `--attach=false`.
    let attach = parsed.bool("attach") || (stdin && parsed.value("attach") != Some("false"));
    if tty && !stdin {
        return super::error("-i/--stdin is required for containers with -t/--tty=true");
    }
    if parsed.bool("rm") && !attach {
        return super::error("--rm should only be used for attached containers");
    }
    if attach && parsed.value("dry-run").is_some_and(|d| d != "none") {
        return super::error("--dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)");
    }
    let leave_open = parsed.bool("leave-stdin-open");
    let default_restart = if stdin { "OnFailure" } else { "Always" };
    let restart = match parsed.value("restart").unwrap_or(default_restart) {
        r @ ("Always" | "OnFailure" | "Never") => r.to_string(),
        other => return super::error(format!("invalid restart policy: {other}")),
    };
    let ports = match parsed.value("port") {
        Some(p) => match p.parse::<i32>() {
            Ok(port) => Some(vec![ContainerPort { container_port: port, ..Default::default() }]),
            Err(_) => return super::error(format!("invalid argument \"{p}\" for \"--port\" flag: strconv.ParseInt: parsing \"{p}\": invalid syntax")),
        },
        None => None,
    };
    let mut env: Vec<EnvVar> = Vec::new();
    // kubectl's parseEnvs: NAME=VALUE with a strict variable name.
    for e in parsed.values("env") {
        match e.split_once('=') {
            Some((k, v)) if super::data_sources::env_var_name_error(k).is_none() => {
                env.push(EnvVar {
                    name: k.to_string(),
                    value: Some(v.to_string()),
                    ..Default::default()
                })
            }
            _ => return super::error(format!("invalid env: {e}")),
        }
    }
    let extra = parsed.after_dash.clone().unwrap_or_default();
    let (command, args) = if parsed.bool("command") {
        (Some(extra), None)
    } else {
        (None, Some(extra))
    };
    let dry_run = match super::dry_run::mode(parsed.value("dry-run")) {
        Ok(d) => d,
        Err(e) => return super::error(e),
    };
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            // kubectl's generator names a namespace only when -n was given.
            namespace: if dry_run {
                parsed.value("namespace").map(str::to_string)
            } else {
                Some(super::namespace(cluster, &parsed))
            },
            labels: Some(labels),
            ..Default::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: name.clone(),
                image: Some(image.to_string()),
                ports,
                env: (!env.is_empty()).then_some(env),
                command: command.filter(|c| !c.is_empty()),
                args: args.filter(|a| !a.is_empty()),
                stdin: stdin.then_some(true),
                stdin_once: (stdin && !leave_open).then_some(true),
                tty: tty.then_some(true),
                ..Default::default()
            }],
            restart_policy: Some(restart.clone()),
            dns_policy: dry_run.then(|| "ClusterFirst".to_string()),
            ..Default::default()
        }),
        status: None,
    };
    let obj = match super::overrides::apply(&cluster.world.api, &parsed, Object::Pod(Box::new(pod)))
    {
        Ok(obj) => obj,
        Err(e) => return super::error(e),
    };
    if dry_run {
        return super::dry_run::print(&obj, parsed.value("output"));
    }
    let created = format!("{}/{} created", obj.info().qualified_kind(), obj.name());
    let namespace = obj.namespace().to_string();
    match cluster.create(obj) {
        Ok(_) if attach => {
            let wait_exit = !leave_open && restart != "Always";
            let flags = [
                stdin,
                tty,
                parsed.bool("rm"),
                parsed.bool("quiet"),
                wait_exit,
            ];
            super::run_attach::attach(
                cluster,
                super::run_attach::Session::new(&namespace, name, flags),
            )
        }
        Ok(_) => {
            let mut o = Output::default();
            o.out(created);
            o
        }
        Err(e) => Output::failure(e.kubectl_message()),
    }
}
