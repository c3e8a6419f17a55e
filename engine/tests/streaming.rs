//! Streaming mode (the page): `get -w` and `logs -f` keep running as a job while time
//! passes, print through `poll_job`, and end with Ctrl-C, `timeout`, or the container.

use kubeplay_engine::{Cluster, SimDuration};

fn streaming_cluster() -> Cluster {
    let mut c = Cluster::new();
    c.set_streaming(true);
    c
}

#[test]
fn a_watch_streams_until_interrupted() {
    let mut c = streaming_cluster();
    c.run("kubectl run web --image=nginx");
    let first = c.run("kubectl get pods -w").stdout();
    assert!(first.starts_with("NAME   READY   STATUS"), "{first}");
    assert!(c.job_running());
    c.advance(SimDuration::seconds(10));
    let later = c.poll_job().stdout();
    assert!(later.contains("web    1/1     Running"), "{later}");
    assert!(c.interrupt());
    assert!(!c.job_running());
    assert_eq!(c.poll_job().stdout(), "");
}

#[test]
fn timeout_ends_a_streamed_watch_with_124() {
    let mut c = streaming_cluster();
    c.run("timeout 5 kubectl get pods -w");
    assert!(c.job_running());
    c.advance(SimDuration::seconds(3));
    assert_eq!(c.poll_job().exit_code, 0);
    assert!(c.job_running());
    c.advance(SimDuration::seconds(3));
    assert_eq!(c.poll_job().exit_code, 124);
    assert!(!c.job_running());
}

#[test]
fn a_follow_ends_when_the_container_exits() {
    let mut c = streaming_cluster();
    c.run("kubectl run once --image=busybox --restart=Never -- sh -c 'echo a; sleep 20; echo b'");
    c.advance(SimDuration::seconds(8));
    let out = c.run("kubectl logs -f once").stdout();
    assert_eq!(out, "a\n");
    assert!(c.job_running());
    c.advance(SimDuration::seconds(5));
    assert_eq!(c.poll_job().stdout(), "");
    assert!(c.job_running());
    c.advance(SimDuration::seconds(20));
    assert_eq!(c.poll_job().stdout(), "b\n");
    assert!(!c.job_running());
}

#[test]
fn piped_or_redirected_watches_do_not_stream() {
    let mut c = streaming_cluster();
    c.run("kubectl run web --image=nginx");
    let out = c
        .run("timeout 10 kubectl get pods -w | grep Running")
        .stdout();
    assert!(out.contains("Running"), "{out}");
    assert!(!c.job_running());
    c.run("timeout 2 kubectl get pods -w > watch.txt");
    assert!(!c.job_running());
}

#[test]
fn a_new_command_stops_the_running_job() {
    let mut c = streaming_cluster();
    c.run("kubectl get pods -w");
    assert!(c.job_running());
    c.run("kubectl get nodes");
    assert!(!c.job_running());
}

#[test]
fn rollout_status_streams_its_progress() {
    let mut c = streaming_cluster();
    c.run("kubectl create deployment web --image=nginx:1.26 --replicas=3");
    let first = c.run("kubectl rollout status deployment/web").stdout();
    assert!(
        first.starts_with("Waiting for deployment \"web\" rollout to finish"),
        "{first}"
    );
    assert!(c.job_running());
    let mut all = String::new();
    for _ in 0..60 {
        c.advance(SimDuration::seconds(1));
        all.push_str(&c.poll_job().stdout());
        if !c.job_running() {
            break;
        }
    }
    assert!(
        all.ends_with("deployment \"web\" successfully rolled out\n"),
        "{all}"
    );
    assert!(!c.job_running());
}
