//! The control plane's command lines as their programs parse them before anything else: a
//! flag kube-apiserver (pflag through cobra, `component-base/cli.Run`) or etcd (Go's `flag`)
//! does not define, or an integer flag whose value is not one, ends the process at once
//! with the parser's message on stderr. A static pod's manifest with a typo is a crash
//! loop, which `crictl ps -a` and `crictl logs` show on the node.
//!
//! The flag names are each program's 1.34 / 3.6 reference lists (`flags/*.txt`).

use super::system::Component;
use crate::node::hooks::go_quote;

/// kube-apiserver 1.34's flags (long names).
const KUBE_APISERVER: &str = include_str!("flags/kube-apiserver.txt");
/// etcd 3.6's flags.
const ETCD: &str = include_str!("flags/etcd.txt");
/// kube-apiserver's integer flags (pflag's `int` values: `strconv.ParseInt(s, 0, 64)`).
const APISERVER_INTS: &[&str] = &[
    "secure-port",
    "max-requests-inflight",
    "max-mutating-requests-inflight",
    "delete-collection-workers",
    "audit-log-maxage",
    "audit-log-maxbackup",
    "audit-log-maxsize",
    "kubelet-port",
    "min-request-timeout",
];
/// etcd's usage, printed after a flag error (`server/etcdmain/help.go`'s `usageline`).
const ETCD_USAGE: &str = "Usage:

  etcd [flags]
    Start an etcd server.

  etcd --version
    Show the version of etcd.

  etcd -h | --help
    Show the help information about etcd.

  etcd --config-file
    Path to the server configuration file. Note that if a configuration file is provided, other command line flags and environment variables will be ignored.

  etcd gateway
    Run the stateless pass-through etcd TCP connection forwarding proxy.

  etcd grpc-proxy
    Run the stateless etcd v3 gRPC L7 reverse proxy.
";

/// What the program prints (stderr) and its exit code when it refuses `argv` (the program
/// first); `None` when its flags parse.
pub fn refusal(c: Component, argv: &[String]) -> Option<(String, i32)> {
    let args = argv.get(1..).unwrap_or_default();
    match c {
        Component::ApiServer => apiserver(args).map(|e| (format!("Error: {e}"), 1)),
        Component::Etcd => etcd(args).map(|e| (format!("{e}\n{ETCD_USAGE}"), 2)),
        _ => None,
    }
}

/// pflag's first complaint about kube-apiserver's arguments, then cobra's about positional
/// ones.
fn apiserver(args: &[String]) -> Option<String> {
    let known = |name: &str| {
        let name = name.replace('_', "-");
        KUBE_APISERVER.lines().any(|l| l == name)
    };
    let mut positional = Vec::new();
    let mut words = args.iter();
    while let Some(arg) = words.next() {
        if arg == "--" {
            positional.extend(words.by_ref().cloned());
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            if !known(name) {
                return Some(format!("unknown flag: --{name}"));
            }
            if APISERVER_INTS.contains(&name.replace('_', "-").as_str()) {
                let Some(value) = value.or_else(|| words.next().cloned()) else {
                    return Some(format!("flag needs an argument: {arg}"));
                };
                if let Some(e) = parse_int_error(&value) {
                    return Some(format!(
                        "invalid argument {} for \"--{name}\" flag: {e}",
                        go_quote(&value)
                    ));
                }
            }
        } else if let Some(shorts) = arg.strip_prefix('-').filter(|s| !s.is_empty()) {
            // `-h` and `-v` (klog's verbosity) are its shorthands.
            let first = shorts.chars().next().unwrap_or('-');
            if !matches!(first, 'h' | 'v') {
                return Some(format!("unknown shorthand flag: '{first}' in {arg}"));
            }
            if first == 'v' && shorts.len() == 1 {
                words.next();
            }
        } else {
            positional.push(arg.clone());
        }
    }
    if positional.is_empty() {
        return None;
    }
    let got: Vec<String> = positional.iter().map(|p| go_quote(p)).collect();
    Some(format!(
        "\"kube-apiserver\" does not take any arguments, got [{}]",
        got.join(" ")
    ))
}

/// Go's `flag` package's first complaint about etcd's arguments.
fn etcd(args: &[String]) -> Option<String> {
    for arg in args {
        let Some(flag) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
            // Positional words end Go's flag parsing (etcd then refuses them elsewhere).
            return None;
        };
        if flag.is_empty() {
            return None;
        }
        let name = flag.split_once('=').map_or(flag, |(n, _)| n);
        if !ETCD.lines().any(|l| l == name) && !matches!(name, "h" | "help") {
            return Some(format!("flag provided but not defined: -{name}"));
        }
    }
    None
}

/// `strconv.ParseInt(s, 0, 64)`'s error for `s`, if it has one.
fn parse_int_error(s: &str) -> Option<String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (radix, body) = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, h)
    } else if let Some(b) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        (2, b)
    } else if let Some(o) = digits
        .strip_prefix("0o")
        .or_else(|| digits.strip_prefix("0O"))
    {
        (8, o)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    let clean = body.replace('_', "");
    let valid = !clean.is_empty() && clean.chars().all(|c| c.is_digit(radix));
    if !valid {
        return Some(format!(
            "strconv.ParseInt: parsing {}: invalid syntax",
            go_quote(s)
        ));
    }
    let negative = s.starts_with('-');
    let magnitude = u128::from_str_radix(&clean, radix).unwrap_or(u128::MAX);
    let limit = if negative {
        1u128 << 63
    } else {
        (1u128 << 63) - 1
    };
    (magnitude > limit).then(|| {
        format!(
            "strconv.ParseInt: parsing {}: value out of range",
            go_quote(s)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn kube_apiserver_refuses_as_pflag_and_cobra_do() {
        let refuse = |words: &[&str]| refusal(Component::ApiServer, &argv(words));
        assert_eq!(
            refuse(&["kube-apiserver", "--secure-port=6443", "--etcd_servers=x"]),
            None
        );
        assert_eq!(
            refuse(&[
                "kube-apiserver",
                "--etcd-server=https://127.0.0.1:2379",
                "--foo"
            ]),
            Some(("Error: unknown flag: --etcd-server".into(), 1))
        );
        assert_eq!(
            refuse(&["kube-apiserver", "--secure-port=abc"]),
            Some(("Error: invalid argument \"abc\" for \"--secure-port\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax".into(), 1))
        );
        assert_eq!(
            refuse(&["kube-apiserver", "--secure-port"]),
            Some(("Error: flag needs an argument: --secure-port".into(), 1))
        );
        assert_eq!(
            refuse(&["kube-apiserver", "-foo"]),
            Some(("Error: unknown shorthand flag: 'f' in -foo".into(), 1))
        );
        assert_eq!(
            refuse(&["kube-apiserver", "x"]),
            Some((
                "Error: \"kube-apiserver\" does not take any arguments, got [\"x\"]".into(),
                1
            ))
        );
        assert_eq!(
            refuse(&["kube-apiserver", "--secure-port=99999999999999999999"]).map(|r| r.0),
            Some("Error: invalid argument \"99999999999999999999\" for \"--secure-port\" flag: strconv.ParseInt: parsing \"99999999999999999999\": value out of range".into())
        );
    }

    #[test]
    fn etcd_refuses_as_go_flag_does() {
        let (text, code) =
            refusal(Component::Etcd, &argv(&["etcd", "--name=x", "--foo=bar"])).expect("refused");
        assert_eq!(code, 2);
        assert!(text.starts_with("flag provided but not defined: -foo\nUsage:\n\n  etcd [flags]\n"));
        assert_eq!(
            refusal(Component::Etcd, &argv(&["etcd", "--data-dir=/x"])),
            None
        );
    }

    #[test]
    fn kubeadms_manifests_parse() {
        for template in [
            include_str!("../../cluster/kubeadm/kube-apiserver.yaml"),
            include_str!("../../cluster/kubeadm/etcd.yaml"),
        ] {
            let flags: Vec<String> = template
                .lines()
                .filter_map(|l| l.trim().strip_prefix("- "))
                .filter(|w| w.starts_with("--"))
                .map(|w| w.replace("{{port}}", "6443"))
                .collect();
            let program = if template.contains("kube-apiserver") {
                Component::ApiServer
            } else {
                Component::Etcd
            };
            let mut words = vec!["program".to_string()];
            words.extend(flags);
            assert_eq!(refusal(program, &words), None, "{words:?}");
        }
    }
}
