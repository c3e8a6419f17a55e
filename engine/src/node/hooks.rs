//! Container lifecycle hooks (`pkg/kubelet/lifecycle/handlers.go`): a `postStart` or
//! `preStop` handler run in a container — `exec` (the command in the container, through the
//! runtime's exec), `httpGet` (the kubelet's `GET` with User-Agent `kube-lifecycle/1.34`; any
//! HTTP answer counts as success, only a failed connection fails), `sleep` (GA in 1.34) — and
//! the deprecated `tcpSocket`, which validation lets through and the kubelet cannot run.
//!
//! The kubelet's events do not carry a handler's output (`PostStartHook failed`,
//! `PreStopHook failed`); its message goes to the container's `PostStartHookError` state.

use k8s_openapi::api::core::v1::{Container as Spec, LifecycleHandler};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::node::probes::{self, HttpError, Target};
use crate::node::process::End;

/// Longest a hook's `exec` command is replayed (the kubelet passes no timeout); one that runs
/// longer never returns.
pub const EXEC_LIMIT_MS: i64 = 3_600_000;

/// What running a handler did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ran {
    /// How long it ran (ms); `None` when it never returns.
    pub took_ms: Option<i64>,
    /// It failed: the kubelet's message.
    pub error: Option<String>,
    /// The filesystem changes an `exec` handler made in the container, at ms after it
    /// started.
    pub ops: Vec<(i64, crate::node::process::fs::Op)>,
    /// The access-log line an `httpGet` handler left, as (index in `Target::peers`, line).
    pub served: Option<(usize, String)>,
}

/// Runs handler `h` of container `c` of the pod `pod_ref` (`name_namespace(uid)`, as the
/// kubelet's `format.Pod`) at `now`, for at most `limit_ms`.
pub fn run(
    h: &LifecycleHandler,
    c: &Spec,
    pod_ref: &str,
    target: &Target<'_>,
    now: i64,
    limit_ms: i64,
) -> Ran {
    let name = &c.name;
    if let Some(e) = &h.exec {
        let command = e.command.clone().unwrap_or_default();
        let (took_ms, failure, ops) = match probes::exec_in(&command, target, now, limit_ms) {
            Err(e) => (Some(0), Some((e, String::new())), Vec::new()),
            Ok(run) => match run.end {
                End::Exit { at, code: 0 } => (Some(at), None, run.ops),
                End::Exit { at, code } => {
                    let stderr: String = run
                        .lines
                        .iter()
                        .filter(|l| l.stderr)
                        .map(|l| format!("{}\n", l.text))
                        .collect();
                    let error = format!(
                        "command '{}' exited with {code}: {stderr}",
                        command.join(" ")
                    );
                    (Some(at), Some((error, probes::output(&run))), run.ops)
                }
                End::Running => (None, None, Vec::new()),
            },
        };
        return Ran {
            took_ms,
            error: failure.map(|(error, output)| {
                format!(
                    "Exec lifecycle hook ([{}]) for Container {} in Pod {} failed - error: {error}, message: {}",
                    command.join(" "),
                    go_quote(name),
                    go_quote(pod_ref),
                    go_quote(&output)
                )
            }),
            ops,
            served: None,
        };
    }
    if let Some(g) = &h.http_get {
        let failed = |e: String| {
            format!(
                "HTTP lifecycle hook ({}) for Container {} in Pod {} failed - error: {e}",
                g.path.as_deref().unwrap_or(""),
                go_quote(name),
                go_quote(pod_ref)
            )
        };
        return match probes::http_get(g, c, target, now, "lifecycle") {
            Ok(answer) => Ran {
                took_ms: Some(0),
                served: answer.served,
                ..Default::default()
            },
            Err(HttpError::Port(e) | HttpError::Failed(e)) => Ran {
                took_ms: Some(0),
                error: Some(failed(e)),
                ..Default::default()
            },
        };
    }
    if let Some(s) = &h.sleep {
        return Ran {
            took_ms: Some(s.seconds.clamp(0, limit_ms / 1000).saturating_mul(1000)),
            ..Default::default()
        };
    }
    Ran {
        took_ms: Some(0),
        error: Some(format!(
            "Cannot run handler: invalid handler: {}",
            handler_string(h)
        )),
        ..Default::default()
    }
}

/// Go's `%v` of a `*LifecycleHandler` that only has the deprecated `tcpSocket` (the generated
/// `String()` of the API types).
fn handler_string(h: &LifecycleHandler) -> String {
    let tcp = h.tcp_socket.as_ref().map_or("nil".to_string(), |t| {
        let port = match &t.port {
            IntOrString::Int(n) => format!("{{0 {n} }}"),
            IntOrString::String(s) => format!("{{1 0 {s}}}"),
        };
        format!(
            "&TCPSocketAction{{Port:{port},Host:{},}}",
            t.host.as_deref().unwrap_or("")
        )
    });
    format!("&LifecycleHandler{{Exec:nil,HTTPGet:nil,TCPSocket:{tcp},Sleep:nil,}}")
}

/// A logrus text formatter's value: bare when it needs no quoting, else Go's `%q`.
pub fn logrus_value(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._/@^+".contains(c));
    if plain {
        s.to_string()
    } else {
        go_quote(s)
    }
}

/// Go's `%q` of a string (`strconv.Quote`).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::process::Container;
    use k8s_openapi::api::core::v1::{ExecAction, HTTPGetAction, SleepAction, TCPSocketAction};

    fn nginx() -> Container {
        Container::for_test("web", "nginx")
    }

    fn hook(h: LifecycleHandler) -> Ran {
        let c = nginx();
        let target = Target {
            process: &c,
            peers: vec![&c],
            pod_ip: "10.244.1.5",
            source_ip: "10.244.1.1",
            exec_id: "e".repeat(64),
            storage: None,
        };
        let spec = Spec {
            name: "web".into(),
            ..Default::default()
        };
        run(&h, &spec, "web_default(u1)", &target, 1_000, EXEC_LIMIT_MS)
    }

    fn exec(script: &str) -> LifecycleHandler {
        LifecycleHandler {
            exec: Some(ExecAction {
                command: Some(vec!["sh".into(), "-c".into(), script.into()]),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn exec_hooks_write_files_and_report_failures() {
        let ran = hook(exec(
            "echo hello > /usr/share/nginx/html/hook.html; sleep 2",
        ));
        assert_eq!(ran.took_ms, Some(2_000));
        assert_eq!(ran.error, None);
        assert_eq!(
            ran.ops,
            [(
                0,
                crate::node::process::fs::Op::Write {
                    path: "/usr/share/nginx/html/hook.html".into(),
                    data: "hello\n".into(),
                    append: false
                }
            )]
        );
        let ran = hook(exec("echo oops; exit 3"));
        assert_eq!(
            ran.error.as_deref(),
            Some("Exec lifecycle hook ([sh -c echo oops; exit 3]) for Container \"web\" in Pod \"web_default(u1)\" failed - error: command 'sh -c echo oops; exit 3' exited with 3: , message: \"oops\\n\"")
        );
        assert_eq!(hook(exec("sleep infinity")).took_ms, None);
    }

    #[test]
    fn http_sleep_and_tcp_hooks() {
        let get = |port: i32| LifecycleHandler {
            http_get: Some(HTTPGetAction {
                path: Some("/nope".into()),
                port: IntOrString::Int(port),
                ..Default::default()
            }),
            ..Default::default()
        };
        // A 404 is an answer: the hook succeeds, and nginx logs the kubelet's request.
        let ran = hook(get(80));
        assert_eq!(ran.error, None);
        let (_, line) = ran.served.unwrap();
        assert!(line.starts_with("10.244.1.1 - - ["));
        assert!(
            line.ends_with("\"GET /nope HTTP/1.1\" 404 153 \"-\" \"kube-lifecycle/1.34\" \"-\"")
        );
        assert_eq!(
            hook(get(8080)).error.as_deref(),
            Some("HTTP lifecycle hook (/nope) for Container \"web\" in Pod \"web_default(u1)\" failed - error: Get \"http://10.244.1.5:8080/nope\": dial tcp 10.244.1.5:8080: connect: connection refused")
        );
        let sleep = LifecycleHandler {
            sleep: Some(SleepAction { seconds: 10 }),
            ..Default::default()
        };
        assert_eq!(hook(sleep).took_ms, Some(10_000));
        let tcp = LifecycleHandler {
            tcp_socket: Some(TCPSocketAction {
                port: IntOrString::Int(80),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            hook(tcp).error.as_deref(),
            Some("Cannot run handler: invalid handler: &LifecycleHandler{Exec:nil,HTTPGet:nil,TCPSocket:&TCPSocketAction{Port:{0 80 },Host:,},Sleep:nil,}")
        );
    }

    #[test]
    fn quotes_as_go_does() {
        assert_eq!(go_quote("a\"b\\\n\u{1}é"), "\"a\\\"b\\\\\\n\\x01é\"");
    }

    #[test]
    fn logrus_quotes_values_as_go_does() {
        assert_eq!(logrus_value("abc"), "abc");
        assert_eq!(logrus_value("a b"), "\"a b\"");
        assert_eq!(logrus_value("say \"x\""), "\"say \\\"x\\\"\"");
    }
}
