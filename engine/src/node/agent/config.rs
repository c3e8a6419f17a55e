//! What a starting kubelet reads before it runs, and what it logs: its configuration file
//! (kubeadm's drop-in passes `--config=/var/lib/kubelet/config.yaml`), decoded as the
//! kubelet's codec decodes it, and the client CA file it names. When it cannot, it exits
//! with `component-base/cli.Run`'s error line and systemd starts it again ten seconds later.
//! Texts are kubelet 1.34's (`cmd/kubelet/app/server.go`, `kubeletconfig/configfiles`,
//! `kubeletconfig/util/codec`, klog's text format).

use serde_json::Value;

use crate::node::process::fmt_ms;
use crate::storage::Backing;
use crate::world::World;

/// The kubelet's configuration file, as kubeadm's drop-in names it.
pub const CONFIG_PATH: &str = "/var/lib/kubelet/config.yaml";
/// The cluster CA certificate `kubeadm join` writes on every node (the disk model keeps no
/// certificates, so it is known to be there).
const CLUSTER_CA: &str = "/etc/kubernetes/pki/ca.crt";

/// Why `node`'s kubelet cannot start with the files on its disk: the error it exits with.
pub fn error(world: &World, node: &str) -> Option<String> {
    let disk = world.storage.tree(&Backing::Node(node.to_string()));
    let read = |path: &str| disk.and_then(|t| t.read(path).ok()).map(str::to_string);
    let config = match load(read(CONFIG_PATH)) {
        Ok(config) => config,
        Err(e) => {
            return Some(format!(
                "failed to load kubelet config file, path: {CONFIG_PATH}, error: failed to load Kubelet config file {CONFIG_PATH}, error {e}"
            ))
        }
    };
    let ca = config
        .pointer("/authentication/x509/clientCAFile")
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty())?;
    if ca == CLUSTER_CA || read(ca).is_some() {
        return None;
    }
    Some(format!(
        "failed to construct kubelet dependencies: unable to load client CA file {ca}: open {ca}: no such file or directory"
    ))
}

/// The configuration file's text decoded as the kubelet's codec decodes it, or why not.
fn load(text: Option<String>) -> Result<Value, String> {
    let Some(text) = text else {
        return Err(format!(
            "failed to read kubelet config file \"{CONFIG_PATH}\", error: open {CONFIG_PATH}: no such file or directory"
        ));
    };
    if text.is_empty() {
        return Err(format!("kubelet config file \"{CONFIG_PATH}\" was empty"));
    }
    let docs = crate::api::manifest::parse(&text).map_err(|e| {
        let go_yaml = e
            .strip_prefix("error converting YAML to JSON: ")
            .unwrap_or(&e);
        format!("failed to decode: {go_yaml}")
    })?;
    let value = docs
        .into_iter()
        .next()
        .map(|d| d.value)
        .unwrap_or(Value::Null);
    let field = |name: &str| value.get(name).and_then(Value::as_str).unwrap_or_default();
    let (kind, version) = (field("kind"), field("apiVersion"));
    // apimachinery's serializer: the type first, then the object as typed.
    if kind.is_empty() {
        return Err(format!(
            "failed to decode: Object 'Kind' is missing in '{text}'"
        ));
    }
    if version.is_empty() {
        return Err(format!(
            "failed to decode: Object 'apiVersion' is missing in '{text}'"
        ));
    }
    if version != "kubelet.config.k8s.io/v1beta1" || kind != "KubeletConfiguration" {
        return Err(format!(
            "failed to decode: no kind \"{kind}\" is registered for version \"{version}\" in scheme \"pkg/kubelet/apis/config/scheme/scheme.go:33\""
        ));
    }
    if let Some(e) = type_error(&value) {
        return Err(format!("failed to decode: {e}"));
    }
    Ok(value)
}

/// Go's types of the configuration's top-level scalar and list fields (an unknown field is
/// only a warning to the kubelet: it decodes leniently).
const FIELD_TYPES: &[(&str, &str)] = &[
    ("address", "string"),
    ("cgroupDriver", "string"),
    ("cgroupRoot", "string"),
    ("clusterDNS", "[]string"),
    ("clusterDomain", "string"),
    ("containerRuntimeEndpoint", "string"),
    ("enableServer", "bool"),
    ("failSwapOn", "bool"),
    ("healthzBindAddress", "string"),
    ("healthzPort", "int32"),
    ("maxPods", "int32"),
    ("podCIDR", "string"),
    ("port", "int32"),
    ("readOnlyPort", "int32"),
    ("resolvConf", "string"),
    ("rotateCertificates", "bool"),
    ("serverTLSBootstrap", "bool"),
    ("staticPodPath", "string"),
];

/// encoding/json's refusal of a top-level field whose value is not of its Go type.
fn type_error(config: &Value) -> Option<String> {
    let refuse = |field: &str, what: String, go: &str| {
        Some(format!(
            "json: cannot unmarshal {what} into Go struct field KubeletConfiguration.{field} of type {go}"
        ))
    };
    let kind = |v: &Value| match v {
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => "null",
    };
    for &(field, go) in FIELD_TYPES {
        let Some(v) = config.get(field).filter(|v| !v.is_null()) else {
            continue;
        };
        let fits = match go {
            "string" => v.is_string(),
            "bool" => v.is_boolean(),
            "int32" => v.is_number(),
            _ => v
                .as_array()
                .is_some_and(|a| a.iter().all(|x| x.is_string() || x.is_null())),
        };
        if !fits {
            let what = match (go, v) {
                ("[]string", Value::Array(a)) => {
                    let bad = a
                        .iter()
                        .find(|x| !x.is_string() && !x.is_null())
                        .map_or("null", kind);
                    return refuse(field, bad.to_string(), "string");
                }
                _ => kind(v).to_string(),
            };
            return refuse(field, what, go);
        }
        if go == "int32" && v.as_i64().and_then(|n| i32::try_from(n).ok()).is_none() {
            return refuse(field, format!("number {v}"), go);
        }
    }
    None
}

/// klog's text-format header: severity, date and time to the microsecond, the process id
/// right-aligned in 7 columns, the caller.
fn header(severity: char, ms: i64, pid: i64, caller: &str) -> String {
    format!(
        "{severity}{} {pid:>7} {caller}] ",
        fmt_ms(ms, "%m%d %H:%M:%S.%6f")
    )
}

/// The kubelet's last journal line before it exits with `err` at `ms` (process `pid`):
/// `cli.Run`'s `klog.ErrorS(err, "command failed")` (an error of several lines is klog's
/// `err=<` block, each line after a tab).
pub fn fatal_line(ms: i64, pid: i64, err: &str) -> String {
    let value = if err.contains('\n') {
        let body: Vec<String> = err.lines().map(|l| format!("\t{l}")).collect();
        format!("<\n{}\n >", body.join("\n"))
    } else {
        crate::node::hooks::go_quote(err)
    };
    format!(
        "{}\"command failed\" err={value}",
        header('E', ms, pid, "run.go:72")
    )
}

/// What the kubelet logs when it starts at `at` (process `pid`), as (instant, line): pflag's
/// deprecation notes for kubeadm's flags, then either its error (`error`, at its exit) or
/// the first lines of a kubelet that runs (kubelet v1.34's, at its default verbosity).
pub fn start_lines(at: i64, pid: i64, error: Option<&str>, exit_ms: i64) -> Vec<(i64, String)> {
    let see = "This parameter should be set via the config file specified by the Kubelet's --config flag. See https://kubernetes.io/docs/tasks/administer-cluster/kubelet-config-file/ for more information.";
    let mut out = vec![
        (at + 3, format!("Flag --container-runtime-endpoint has been deprecated, {see}")),
        (at + 3, "Flag --pod-infra-container-image has been deprecated, will be removed in 1.35. Image garbage collector will get sandbox image information from CRI.".to_string()),
        (at + 4, format!("{}\"--pod-infra-container-image will not be pruned by the image garbage collector in kubelet and should also be set in the remote runtime\"", header('I', at + 4, pid, "server.go:213"))),
    ];
    if let Some(err) = error {
        out.push((exit_ms, fatal_line(exit_ms, pid, err)));
        return out;
    }
    let version = crate::KUBERNETES_VERSION;
    let info = [
        (12, "server.go:529", format!("\"Kubelet version\" kubeletVersion=\"{version}\"")),
        (12, "server.go:531", "\"Golang settings\" GOGC=\"\" GOMAXPROCS=\"\" GOTRACEBACK=\"\"".into()),
        (12, "watchdog_linux.go:95", "\"Systemd watchdog is not enabled\"".into()),
        (12, "watchdog_linux.go:137", "\"Systemd watchdog is not enabled or the interval is invalid, so health checking will not be started.\"".into()),
        (13, "server.go:956", "\"Client rotation is on, will bootstrap in background\"".into()),
        (15, "certificate_store.go:147", "\"Loading cert/key pair from a file\" filePath=\"/var/lib/kubelet/pki/kubelet-client-current.pem\"".into()),
        (18, "dynamic_cafile_content.go:161", "\"Starting controller\" name=\"client-ca-bundle::/etc/kubernetes/pki/ca.crt\"".into()),
        (21, "server.go:1423", "\"Using cgroup driver setting received from the CRI runtime\" cgroupDriver=\"systemd\"".into()),
        (26, "server.go:781", "\"--cgroups-per-qos enabled, but --cgroup-root was not specified.  Defaulting to /\"".into()),
    ];
    out.extend(info.into_iter().map(|(d, caller, text)| {
        (
            at + d,
            format!("{}{text}", header('I', at + d, pid, caller)),
        )
    }));
    out
}
