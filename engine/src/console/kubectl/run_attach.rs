//! `kubectl run -i`/`-t`/`--attach` (`pkg/cmd/run`, `pkg/cmd/attach`): waits for the pod
//! to run, attaches to its container (what it prints from then on, as a console job on
//! simulated time when the front end streams), waits for its exit code, and with `--rm`
//! deletes the pod as the session ends. A pod that ran to completion before it was seen
//! ready has its logs printed instead.

use k8s_openapi::api::core::v1::Pod;

use super::logs::{self, Followed, Follower};
use crate::clock::SimDuration;
use crate::cluster::Cluster;
use crate::output::Output;

/// `--pod-running-timeout`'s default.
const POD_RUNNING_TIMEOUT: SimDuration = SimDuration::millis(60_000);

/// How `kubectl run` attaches.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    namespace: String,
    pod: String,
    /// `-i`: stdin is attached.
    stdin: bool,
    /// `-t`: the container has a terminal (Ctrl-C goes to it).
    tty: bool,
    /// `--rm`.
    remove: bool,
    /// `-q`.
    quiet: bool,
    /// kubectl waits for the exit code (`--restart` Never or OnFailure, stdin not left open).
    wait_exit: bool,
}

impl Session {
    /// A session with pod `pod` in `namespace`.
    pub(crate) fn new(namespace: &str, pod: &str, flags: [bool; 5]) -> Session {
        let [stdin, tty, remove, quiet, wait_exit] = flags;
        Session {
            namespace: namespace.to_string(),
            pod: pod.to_string(),
            stdin,
            tty,
            remove,
            quiet,
            wait_exit,
        }
    }
}

/// A streamed attach: the container's output as it comes, then the session's end.
#[derive(Clone, Debug)]
pub(crate) struct Attached {
    session: Session,
    follower: Follower,
}

impl Attached {
    /// Prints what the container wrote since the last poll; true once the session ended
    /// (the container exited, or `timeout` stopped kubectl).
    pub(crate) fn poll(&mut self, cluster: &mut Cluster, out: &mut Output) -> bool {
        if !self.follower.poll(cluster, out) {
            return false;
        }
        if out.exit_code != 124 {
            finish(cluster, &self.session, out);
        }
        true
    }

    /// Ctrl-C: kubectl stops attaching and, with `--rm`, deletes the pod (its message is
    /// printed when the front end asks for the job's output; the page has no place for it
    /// yet).
    pub(crate) fn interrupt(self, cluster: &mut Cluster) -> Output {
        let mut out = Output::default();
        if self.session.remove {
            remove(cluster, &self.session, &mut out);
        }
        out
    }
}

/// Attaches to the pod `kubectl run` created.
pub(crate) fn attach(cluster: &mut Cluster, session: Session) -> Output {
    let mut out = Output::default();
    let (ns, name) = (session.namespace.clone(), session.pod.clone());
    let seen = cluster.advance_until(POD_RUNNING_TIMEOUT, |c| {
        phase(c, &ns, &name).is_some_and(|(p, ready)| completed(&p) || p == "Running" && ready)
    });
    if !seen {
        out.err("error: timed out waiting for the condition");
        out.exit_code = 1;
        if session.remove {
            remove(cluster, &session, &mut out);
        }
        return out;
    }
    let key = (ns.clone(), name.clone(), name.clone());
    let container = container_of(cluster, &ns, &name).unwrap_or_else(|| name.clone());
    let key = (key.0, key.1, container);
    let now = cluster.world.clock.now_ms();
    let followed = Followed::current(cluster, &key);
    let exited = cluster
        .kubelet
        .containers
        .get(&key)
        .and_then(|s| s.current.as_ref())
        .and_then(|i| i.exit)
        .is_some_and(|(at, _)| at <= now);
    let done = phase(cluster, &ns, &name).is_some_and(|(p, _)| completed(&p));
    match followed {
        // The pod ran to completion first: its logs instead.
        Some(_) if done || exited => {
            out.extend(logs::run(cluster, &[name.clone(), "-n".into(), ns.clone()]));
            finish(cluster, &session, &mut out);
        }
        Some(f) => {
            if !session.quiet {
                out.err("All commands and output from this session will be recorded in container logs, including credentials and sensitive information passed through the command prompt.");
                out.err("If you don't see a command prompt, try pressing enter.");
            }
            match logs::follow_with(cluster, f, &mut out) {
                Some(follower) => {
                    cluster.console.job = Some(crate::console::Job::Attach(Box::new(Attached {
                        session,
                        follower,
                    })));
                }
                // `timeout` stopped kubectl: no clean-up.
                None if out.exit_code == 124 => {}
                None => {
                    let exited = cluster
                        .kubelet
                        .containers
                        .get(&key)
                        .and_then(|s| s.current.as_ref())
                        .is_none_or(|i| {
                            i.exit
                                .is_some_and(|(at, _)| at <= cluster.world.clock.now_ms())
                        });
                    if exited {
                        finish(cluster, &session, &mut out);
                    }
                }
            }
        }
        None => {
            if session.remove {
                remove(cluster, &session, &mut out);
            }
        }
    }
    out
}

/// The session ended: the reattach hint (a terminal with stdin), the exit code awaited,
/// the pod removed (`--rm`, deferred in kubectl, so before the exit error).
fn finish(cluster: &mut Cluster, session: &Session, out: &mut Output) {
    let (ns, name) = (session.namespace.clone(), session.pod.clone());
    if session.stdin && session.tty && !session.quiet {
        let container = container_of(cluster, &ns, &name).unwrap_or_else(|| name.clone());
        out.out(format!(
            "Session ended, resume using 'kubectl attach {name} -c {container} -i -t' command when the pod is running"
        ));
    }
    let mut failure = None;
    if session.wait_exit {
        cluster.advance_until(POD_RUNNING_TIMEOUT, |c| {
            phase(c, &ns, &name).is_none_or(|(p, _)| completed(&p))
        });
        if let Some(pod) = cluster.world.api.get_as::<Pod>(&ns, &name) {
            let phase = pod.status.as_ref().and_then(|s| s.phase.clone());
            let terminated = pod
                .status
                .as_ref()
                .and_then(|s| s.container_statuses.as_ref()?.first()?.state.clone())
                .and_then(|s| s.terminated);
            if phase.as_deref() == Some("Failed") {
                failure = Some(match terminated {
                    Some(t) if t.exit_code != 0 => (
                        format!(
                            "pod {ns}/{name} terminated ({})\n{}",
                            t.reason.unwrap_or_default(),
                            t.message.unwrap_or_default()
                        ),
                        t.exit_code,
                    ),
                    _ => (
                        format!("error: pod {ns}/{name} failed with unknown exit code"),
                        1,
                    ),
                });
            }
        }
    }
    if session.remove {
        remove(cluster, session, out);
    }
    if let Some((message, code)) = failure {
        out.err(message.strip_suffix('\n').unwrap_or(&message));
        out.exit_code = code;
    }
}

/// `--rm`: deletes the pod without waiting (kubectl run's delete options).
fn remove(cluster: &mut Cluster, session: &Session, out: &mut Output) {
    let deleted = super::delete::run(
        cluster,
        &[
            "pod".into(),
            session.pod.clone(),
            "-n".into(),
            session.namespace.clone(),
            "--wait=false".into(),
            "--ignore-not-found".into(),
        ],
        None,
    );
    let code = out.exit_code;
    out.extend(deleted);
    out.exit_code = code;
}

/// The pod's phase and readiness.
fn phase(cluster: &Cluster, ns: &str, name: &str) -> Option<(String, bool)> {
    let pod = cluster.world.api.get_as::<Pod>(ns, name)?;
    let status = pod.status.as_ref()?;
    let ready = status
        .conditions
        .iter()
        .flatten()
        .any(|c| c.type_ == "Ready" && c.status == "True");
    Some((status.phase.clone().unwrap_or_default(), ready))
}

fn completed(phase: &str) -> bool {
    matches!(phase, "Succeeded" | "Failed")
}

/// The pod's first container (the one `kubectl run` made).
fn container_of(cluster: &Cluster, ns: &str, name: &str) -> Option<String> {
    let pod = cluster.world.api.get_as::<Pod>(ns, name)?;
    Some(pod.spec.as_ref()?.containers.first()?.name.clone())
}
