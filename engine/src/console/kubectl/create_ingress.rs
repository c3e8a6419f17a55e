//! `kubectl create ingress NAME --rule=host/path=svc:port[,tls[=secret]]`: the Ingress that
//! kubectl's `create_ingress.go` builds, with its `Validate()` messages. The rule grammar is
//! its regular expression; the object is built with its string splits, quirks included (a
//! rule that passes the expression but breaks a split makes kubectl panic: we print the
//! panic's first line instead of crashing).

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressStatus, IngressTLS, ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::flags::{self, Flag};
use super::generate;
use crate::api::object::Object;
use crate::cluster::Cluster;
use crate::output::Output;

pub(super) const FLAGS: &[Flag] = &[
    flags::value("rule", None),
    flags::value("class", None),
    flags::value("default-backend", None),
    flags::value("annotation", None),
    flags::value("dry-run", None),
    flags::value("output", Some('o')),
];

/// The message of the Go runtime panic kubectl dies with when a split finds no second part.
const PANIC: &str = "panic: runtime error: index out of range [1] with length 1";

/// Runs `kubectl create ingress ...` (args after `ingress`).
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        let mut o = Output::default();
        o.out(HELP);
        return o;
    }
    let parsed = match flags::parse("create ingress", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let name = match parsed.positionals.as_slice() {
        [name] => name.clone(),
        other => {
            return super::error(format!(
                "exactly one NAME is required, got {}\nSee 'kubectl create ingress -h' for help and examples",
                other.len()
            ))
        }
    };
    if let Err(e) = generate::printing(&parsed) {
        return super::error(e);
    }
    let rules = parsed.values("rule");
    let annotations = parsed.values("annotation");
    let default_backend = parsed.value("default-backend").unwrap_or("");
    if let Err(e) = validate(rules, annotations, default_backend) {
        return super::error(e);
    }
    let class = parsed.value("class").filter(|c| !c.is_empty());
    let Some(spec) = build_spec(rules, class, default_backend) else {
        let mut o = Output::failure(PANIC);
        o.exit_code = 2;
        return o;
    };
    let annotations: BTreeMap<String, String> = annotations
        .iter()
        .filter_map(|a| a.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let ingress = Ingress {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(super::namespace(cluster, &parsed)),
            annotations: (!annotations.is_empty()).then_some(annotations),
            ..Default::default()
        },
        spec: Some(spec),
        status: Some(IngressStatus {
            load_balancer: Some(Default::default()),
        }),
    };
    generate::finish_wrapped(
        cluster,
        &parsed,
        Object::Ingress(Box::new(ingress)),
        "created",
        "failed to create ingress: ",
    )
}

/// kubectl's `Validate()`: something to route, rules matching `ruleRegex`, `key=value`
/// annotations, and a `svc:port` default backend.
fn validate(rules: &[String], annotations: &[String], default_backend: &str) -> Result<(), String> {
    if default_backend.is_empty() && rules.is_empty() {
        return Err("not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)".into());
    }
    if let Some(rule) = rules.iter().find(|r| !rule_matches(r)) {
        return Err(format!(
            "rule {rule} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]"
        ));
    }
    if let Some(a) = annotations.iter().find(|a| !a.contains('=')) {
        return Err(format!(
            "annotation {a} is invalid and should be in format key=[value]"
        ));
    }
    if !default_backend.is_empty() && default_backend.split(':').count() != 2 {
        return Err("default-backend should be in format servicename:serviceport".into());
    }
    Ok(())
}

/// Go's `\w` (ASCII only).
fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Whether `rule` matches kubectl's unanchored-at-the-end
/// `^(?P<host>[\w\*\-\.]*)(?P<path>/.*)=(?P<svcname>[\w\-]+):(?P<svcport>[\w\-]+)` (the
/// optional TLS group after it can always match empty). `.` stops at a newline.
fn rule_matches(rule: &str) -> bool {
    let b = rule.as_bytes();
    let host_end = b
        .iter()
        .position(|&c| !(is_word(c) || matches!(c, b'*' | b'-' | b'.')))
        .unwrap_or(b.len());
    if b.get(host_end) != Some(&b'/') {
        return false;
    }
    let rest = b.get(host_end + 1..).unwrap_or_default();
    let line = rest.split(|&c| c == b'\n').next().unwrap_or_default();
    line.iter()
        .enumerate()
        .filter(|(_, &c)| c == b'=')
        .any(|(j, _)| service_follows(rest.get(j + 1..).unwrap_or_default()))
}

/// `[\w\-]+:[\w\-]` at the start of `s`.
fn service_follows(s: &[u8]) -> bool {
    let name = s.iter().take_while(|&&c| is_word(c) || c == b'-').count();
    name > 0
        && s.get(name) == Some(&b':')
        && s.get(name + 1).is_some_and(|&c| is_word(c) || c == b'-')
}

/// The second part of a Go `strings.Split` (`None`: kubectl's index out of range).
fn second(s: &str, sep: char) -> Option<&str> {
    s.split(sep).nth(1)
}

/// kubectl's `buildIngressSpec`; `None` where kubectl panics.
fn build_spec(rules: &[String], class: Option<&str>, default_backend: &str) -> Option<IngressSpec> {
    let default_backend = if default_backend.is_empty() {
        None
    } else {
        Some(backend(default_backend)?)
    };
    let tls = tls(rules);
    let rules = ingress_rules(rules)?;
    Some(IngressSpec {
        ingress_class_name: class.map(str::to_string),
        default_backend,
        tls: (!tls.is_empty()).then_some(tls),
        rules: (!rules.is_empty()).then_some(rules),
    })
}

/// kubectl's `buildTLSRules`: one entry per secret, each host once (the first rule of a host
/// decides), the default certificate (no secret) as an entry of its own.
fn tls(rules: &[String]) -> Vec<IngressTLS> {
    let mut seen_hosts: Vec<&str> = Vec::new();
    let mut out: Vec<IngressTLS> = Vec::new();
    for rule in rules {
        let parts: Vec<&str> = rule.split(',').collect();
        let [_, tls_part] = parts.as_slice() else {
            continue;
        };
        let host = rule.split('/').next().unwrap_or_default();
        let secret = second(tls_part, '=').unwrap_or_default();
        if seen_hosts.contains(&host) {
            continue;
        }
        seen_hosts.push(host);
        let same_secret = out
            .iter_mut()
            .find(|t| t.secret_name.as_deref().unwrap_or_default() == secret);
        if let Some(entry) = same_secret {
            entry.hosts.get_or_insert_with(Vec::new).push(host.into());
            continue;
        }
        let entry = IngressTLS {
            hosts: (!host.is_empty()).then(|| vec![host.to_string()]),
            secret_name: (!secret.is_empty()).then(|| secret.to_string()),
        };
        if entry.hosts.is_some() || entry.secret_name.is_some() {
            out.push(entry);
        }
    }
    out
}

/// kubectl's `buildIngressRules`: one rule per host in order of appearance, its paths in order.
fn ingress_rules(rules: &[String]) -> Option<Vec<IngressRule>> {
    let mut out: Vec<IngressRule> = Vec::new();
    for rule in rules {
        let without_tls = rule.split(',').next().unwrap_or_default();
        let (host, path_svc) = without_tls.split_once('/')?;
        let path = http_path(path_svc)?;
        let host = (!host.is_empty()).then(|| host.to_string());
        if let Some(existing) = out.iter_mut().find(|r| r.host == host) {
            existing
                .http
                .get_or_insert_with(Default::default)
                .paths
                .push(path);
            continue;
        }
        out.push(IngressRule {
            host,
            http: Some(HTTPIngressRuleValue { paths: vec![path] }),
        });
    }
    Some(out)
}

/// kubectl's `buildHTTPIngressPath`: `path=svc:port`; a final `*` makes it a Prefix path.
fn http_path(path_svc: &str) -> Option<HTTPIngressPath> {
    let mut parts = path_svc.split('=');
    let path = format!("/{}", parts.next().unwrap_or_default());
    let service = parts.next()?;
    let (path, path_type) = match path.strip_suffix('*') {
        Some(prefix) => (prefix.to_string(), "Prefix"),
        None => (path, "Exact"),
    };
    Some(HTTPIngressPath {
        path: Some(path),
        path_type: path_type.into(),
        backend: backend(service)?,
    })
}

/// kubectl's `buildIngressBackendSvc`: `svc:port`, a port that `strconv.Atoi` reads being a
/// number (truncated to 32 bits as Go's conversion does), any other a name; zero and empty
/// are left out as Go's `omitempty` leaves them.
fn backend(service: &str) -> Option<IngressBackend> {
    let name = service.split(':').next().unwrap_or_default();
    let port = second(service, ':')?;
    let port = match port.parse::<i64>() {
        Ok(n) => ServiceBackendPort {
            number: Some(n as i32).filter(|n| *n != 0),
            name: None,
        },
        Err(_) => ServiceBackendPort {
            number: None,
            name: Some(port.to_string()).filter(|p| !p.is_empty()),
        },
    };
    Some(IngressBackend {
        service: Some(IngressServiceBackend {
            name: name.to_string(),
            port: Some(port),
        }),
        resource: None,
    })
}

/// `kubectl create ingress -h` (its description, examples and usage).
const HELP: &str = "\
Create an ingress with the specified name.

Aliases:
ingress, ing

Examples:
  # Create a single ingress called 'simple' that directs requests to foo.com/bar to svc
  # svc1:8080 with a TLS secret \"my-cert\"
  kubectl create ingress simple --rule=\"foo.com/bar=svc1:8080,tls=my-cert\"
  \n  # Create a catch all ingress of \"/path\" pointing to service svc:port and Ingress Class as \"otheringress\"
  kubectl create ingress catch-all --class=otheringress --rule=\"/path=svc:port\"
  \n  # Create an ingress with two annotations: ingress.annotation1 and ingress.annotations2
  kubectl create ingress annotated --class=default --rule=\"foo.com/bar=svc:port\" \\
  --annotation ingress.annotation1=foo \\
  --annotation ingress.annotation2=bla
  \n  # Create an ingress with the same host and multiple paths
  kubectl create ingress multipath --class=default \\
  --rule=\"foo.com/=svc:port\" \\
  --rule=\"foo.com/admin/=svcadmin:portadmin\"
  \n  # Create an ingress with multiple hosts and the pathType as Prefix
  kubectl create ingress ingress1 --class=default \\
  --rule=\"foo.com/path*=svc:8080\" \\
  --rule=\"bar.com/admin*=svc2:http\"
  \n  # Create an ingress with TLS enabled using the default ingress certificate and different path types
  kubectl create ingress ingtls --class=default \\
  --rule=\"foo.com/=svc:https,tls\" \\
  --rule=\"foo.com/path/subpath*=othersvc:8080\"
  \n  # Create an ingress with TLS enabled using a specific secret and pathType as Prefix
  kubectl create ingress ingsecret --class=default \\
  --rule=\"foo.com/*=svc:8080,tls=secret1\"
  \n  # Create an ingress with a default backend
  kubectl create ingress ingdefault --class=default \\
  --default-backend=defaultsvc:http \\
  --rule=\"foo.com/*=svc:8080,tls=secret1\"

Usage:
  kubectl create ingress NAME --rule=host/path=service:port[,tls[=secret]]  [options]

Use \"kubectl options\" for a list of global command-line options (applies to all commands).";

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn rule_expression() {
        for ok in [
            "foo.com/bar=svc1:8080,tls=my-cert",
            "/path=svc:port",
            "*.foo.com/=s:p",
            "foo.com/a=b=svc:80",
            "foo.com/bar=svc:8080 trailing junk",
            "foo.com/bar=x:y\n=svc:80",
        ] {
            assert!(rule_matches(ok), "{ok}");
        }
        assert!(!rule_matches("foo.com/bar\n=x:y=svc:80"));
        for bad in [
            "",
            "foo.com",
            "foo.com/bar",
            "foo.com/bar=svc",
            "foo.com/bar=svc:",
            "foo.com/bar=:80",
            "foo com/bar=svc:80",
            "foo.com/bar=svc:é",
            "é/bar=svc:80",
        ] {
            assert!(!rule_matches(bad), "{bad}");
        }
    }

    #[test]
    fn validation_order_and_texts() {
        assert!(validate(&[], &[], "")
            .unwrap_err()
            .starts_with("not enough information"));
        assert_eq!(
            validate(&strings(&["x"]), &[], "").unwrap_err(),
            "rule x is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]"
        );
        assert_eq!(
            validate(&[], &strings(&["k"]), "s:1").unwrap_err(),
            "annotation k is invalid and should be in format key=[value]"
        );
        assert_eq!(
            validate(&[], &[], "s:1:2").unwrap_err(),
            "default-backend should be in format servicename:serviceport"
        );
        assert!(validate(&[], &strings(&["k="]), "s:1").is_ok());
    }

    #[test]
    fn rules_grouped_by_host_with_path_types_and_ports() {
        let spec = build_spec(
            &strings(&[
                "foo.com/path*=svc:8080",
                "bar.com/admin*=svc2:http",
                "foo.com/x=s:007",
            ]),
            Some("default"),
            "",
        )
        .unwrap();
        let rules = spec.rules.unwrap();
        assert_eq!(rules.len(), 2);
        let paths = &rules[0].http.as_ref().unwrap().paths;
        assert_eq!(paths[0].path.as_deref(), Some("/path"));
        assert_eq!(paths[0].path_type, "Prefix");
        assert_eq!(paths[1].path_type, "Exact");
        let port = |p: &HTTPIngressPath| p.backend.service.as_ref().unwrap().port.clone().unwrap();
        assert_eq!(port(&paths[1]).number, Some(7));
        let bar = &rules[1].http.as_ref().unwrap().paths[0];
        assert_eq!(port(bar).name.as_deref(), Some("http"));
        assert!(spec.tls.is_none());
    }

    #[test]
    fn tls_entries_as_kubectl_merges_them() {
        let tls = tls(&strings(&[
            "foo.com/=svc:https,tls",
            "foo.com/path/subpath*=othersvc:8080",
            "bar.com/=s:1,tls",
            "baz.com/=s:1,tls=secret1",
            "foo.com/other=s:1,tls=secret1",
            "/=s:1,tls",
        ]));
        assert_eq!(tls.len(), 2);
        assert_eq!(
            tls[0].hosts.as_deref(),
            Some(&strings(&["foo.com", "bar.com", ""])[..])
        );
        assert_eq!(tls[0].secret_name, None);
        assert_eq!(tls[1].secret_name.as_deref(), Some("secret1"));
    }

    #[test]
    fn kubectl_panics_become_none() {
        assert!(build_spec(&strings(&["foo.com/a,b=svc:80"]), None, "").is_none());
        assert!(build_spec(&strings(&["foo.com/a=b=svc:80"]), None, "").is_none());
        assert!(build_spec(&strings(&["foo.com/a=svc:80"]), None, "").is_some());
    }
}
