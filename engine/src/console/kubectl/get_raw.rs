//! `kubectl get --raw URI`: the API server's body for a `GET` of the path, printed as it
//! comes (`ApiServer::get_raw`), or its error status as kubectl prints it; the flag checks
//! of kubectl 1.34's `get` (`Complete`, `Validate`).

use super::flags;
use super::watch;
use crate::apiserver::RawError;
use crate::cluster::Cluster;
use crate::output::Output;

/// Whether `get` arguments carry `--raw`.
pub fn wanted(args: &[String]) -> bool {
    args.iter()
        .take_while(|a| *a != "--")
        .any(|a| a == "--raw" || a.starts_with("--raw="))
}

/// Runs `kubectl get --raw URI`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("get", args, watch::FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let uri = parsed.value("raw").unwrap_or("");
    if uri.is_empty() {
        // `--raw=""` is no raw request at all.
        let rest: Vec<String> = args
            .iter()
            .filter(|a| *a != "--raw=" && *a != "--raw")
            .filter(|a| !a.is_empty())
            .cloned()
            .collect();
        return super::get::run(cluster, &rest);
    }
    if !parsed.positionals.is_empty() {
        return super::error("arguments may not be passed when --raw is specified");
    }
    if parsed.bool("watch") || parsed.bool("watch-only") || parsed.value("selector").is_some() {
        return super::error(
            "--raw may not be specified with other flags that filter the server request or alter the output",
        );
    }
    if parsed.value("output").is_some_and(|o| !o.is_empty()) {
        return super::error("--raw and --output are mutually exclusive");
    }
    // `url.ParseRequestURI`: an absolute path, or an absolute URL whose path is requested.
    let path = match uri.split_once("://") {
        Some((scheme, rest)) if !scheme.is_empty() && !scheme.contains('/') => {
            rest.find('/').map_or("/", |i| &rest[i..])
        }
        _ if uri.starts_with('/') => uri,
        _ => {
            return super::error(format!(
                "--raw must be a valid URL path: parse {}: invalid URI for request",
                serde_json::Value::String(uri.to_string())
            ))
        }
    };
    let now = cluster.world.clock.now_ms();
    match cluster.world.api.get_raw(path, now) {
        Ok(body) => {
            let mut o = Output::default();
            o.out_raw(body);
            o
        }
        Err(RawError::Status(reason, message)) => {
            Output::failure(format!("Error from server ({reason}): {message}"))
        }
        Err(RawError::NotSimulated) => super::error(format!(
            "--raw {path} is not simulated in Kubeplay yet (it answers /healthz, /livez, /readyz and /apis/metrics.k8s.io/v1beta1/…)"
        )),
    }
}
