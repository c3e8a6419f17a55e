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

#[test]
fn a_loop_that_sleeps_streams_as_a_job_until_interrupted() {
    let mut c = streaming_cluster();
    let first = c.run("i=1; while true; do echo \"tick $((i++))\"; sleep 2; done");
    assert_eq!(first.stdout(), "tick 1\n");
    assert!(c.job_running());
    // Not yet time: nothing new.
    c.advance(SimDuration::seconds(1));
    assert_eq!(c.poll_job().stdout(), "");
    c.advance(SimDuration::seconds(1));
    assert_eq!(c.poll_job().stdout(), "tick 2\n");
    // Variables and the place in the loop carry over from poll to poll.
    let mut later = String::new();
    for _ in 0..4 {
        c.advance(SimDuration::seconds(2));
        later.push_str(&c.poll_job().stdout());
    }
    assert_eq!(later, "tick 3\ntick 4\ntick 5\ntick 6\n");
    assert!(c.interrupt());
    assert!(!c.job_running());
    assert_eq!(c.poll_job().stdout(), "");
    assert_eq!(c.run("echo $i").stdout(), "7\n");
}

#[test]
fn a_nested_loop_job_resumes_where_it_paused_and_ends() {
    let mut c = streaming_cluster();
    let out = c.run("for i in a b; do for j in 1 2; do echo $i$j; sleep 1; done; done; echo end");
    assert_eq!(out.stdout(), "a1\n");
    let mut all = String::new();
    let mut status = None;
    for _ in 0..10 {
        c.advance(SimDuration::seconds(1));
        let o = c.poll_job();
        all.push_str(&o.stdout());
        if !c.job_running() {
            status = Some(o.exit_code);
            break;
        }
    }
    assert_eq!(all, "a2\nb1\nb2\nend\n");
    assert_eq!(status, Some(0));
}

#[test]
fn an_if_inside_a_streamed_loop_pauses_and_breaks_out() {
    let mut c = streaming_cluster();
    let out = c.run(
        "i=1; while true; do sleep 1; echo $((i++)); if [ $i -gt 3 ]; then echo last; break; elif [ $i -eq 2 ]; then sleep 1; echo two; fi; done; echo end",
    );
    assert_eq!(out.stdout(), "");
    let mut all = String::new();
    let mut status = None;
    for _ in 0..10 {
        c.advance(SimDuration::seconds(1));
        let o = c.poll_job();
        all.push_str(&o.stdout());
        if !c.job_running() {
            status = Some(o.exit_code);
            break;
        }
    }
    assert_eq!(
        all,
        "1
two
2
3
last
end
"
    );
    assert_eq!(status, Some(0));
}

#[test]
fn the_cluster_acts_between_the_passes_of_a_streamed_loop() {
    let mut c = streaming_cluster();
    c.run("kubectl create deployment web --image=nginx --replicas=2");
    let first = c.run("until kubectl get pods | grep -q Running; do sleep 1; done; echo ready");
    assert_eq!(first.stdout(), "");
    assert!(c.job_running());
    let mut all = String::new();
    for _ in 0..30 {
        c.advance(SimDuration::seconds(1));
        all.push_str(&c.poll_job().stdout());
        if !c.job_running() {
            break;
        }
    }
    assert_eq!(all, "ready\n");
}

#[test]
fn loops_that_do_not_sleep_or_are_piped_do_not_become_jobs() {
    let mut c = streaming_cluster();
    let out = c.run("for i in $(seq 1 3); do echo $i; done");
    assert_eq!(out.stdout(), "1\n2\n3\n");
    assert!(!c.job_running());
    // Piped or in `$(...)`: runs to its end (or bound) at once, in simulated time.
    let before = c.uptime().0;
    let out = c.run("for i in 1 2 3; do echo $i; sleep 1; done | wc -l");
    assert_eq!(out.stdout(), "3\n");
    assert!(!c.job_running());
    assert!(c.uptime().0 >= before + 3000);
    let out = c.run("echo $(while true; do echo x; sleep 100; done | head -1)");
    assert!(out.text().ends_with("^C\n"), "{}", out.text());
    assert!(!c.job_running());
    // A loop that never sleeps stops at its bound, at once.
    let out = c.run("while true; do echo spin; done");
    assert_eq!(out.exit_code, 130);
    assert!(out.text().ends_with(
        "spin\nbash: this loop exceeds 10000 passes: Kubeplay stops it here (use a smaller loop, or sleep in it)\n"
    ));
    assert!(!c.job_running());
}

#[test]
fn ab_on_the_host_streams_its_progress_until_ctrl_c() {
    let mut c = streaming_cluster();
    c.run("kubectl apply -f https://k8s.io/examples/application/php-apache.yaml");
    c.run("kubectl expose deployment php-apache --name=np --type=NodePort --port=80");
    c.advance(SimDuration::seconds(30));
    let port = c
        .run("kubectl get svc np -o jsonpath='{.spec.ports[0].nodePort}'")
        .stdout();
    let first = c.run(&format!("ab -n 1000 -c 5 http://192.168.1.10:{port}/"));
    assert!(first
        .stdout()
        .contains("Benchmarking 192.168.1.10 (be patient)"));
    assert!(c.job_running());
    // One pod at its 500m limit: 5 requests a second, 100 in about 20 s.
    c.advance(SimDuration::seconds(25));
    let progress = c.poll_job();
    assert_eq!(progress.stderr(), "Completed 100 requests\n");
    assert!(c.job_running());
    assert!(c.interrupt());
    assert!(!c.job_running());
    c.advance(SimDuration::seconds(5));
    assert_eq!(c.poll_job().stdout(), "");
}

#[test]
fn ab_on_the_host_ends_its_job_with_the_report() {
    let mut c = streaming_cluster();
    c.run("kubectl apply -f https://k8s.io/examples/application/php-apache.yaml");
    c.run("kubectl expose deployment php-apache --name=np --type=NodePort --port=80");
    c.advance(SimDuration::seconds(30));
    let port = c
        .run("kubectl get svc np -o jsonpath='{.spec.ports[0].nodePort}'")
        .stdout();
    c.run(&format!("ab -n 20 -c 2 http://192.168.1.10:{port}/"));
    assert!(c.job_running());
    c.advance(SimDuration::seconds(10));
    let done = c.poll_job();
    assert!(!c.job_running());
    assert_eq!(done.exit_code, 0);
    assert!(
        done.stdout().contains("Complete requests:      20"),
        "{}",
        done.stdout()
    );
}

/// A Deployment of one replica on `node1` guarded by a budget that allows no disruption.
fn guarded_single_replica(c: &mut Cluster) {
    c.run("kubectl cordon node2");
    c.run("kubectl cordon node3");
    c.run("kubectl create deployment web --image=nginx");
    c.write_file(
        "pdb.yaml",
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app: web\n",
    )
    .unwrap();
    c.run("kubectl apply -f pdb.yaml");
    c.advance(SimDuration::seconds(20));
}

#[test]
fn a_drain_a_budget_blocks_retries_as_a_job_until_interrupted() {
    let mut c = streaming_cluster();
    guarded_single_replica(&mut c);
    let first = c.run("kubectl drain node1 --ignore-daemonsets");
    assert!(
        first.stdout().contains("evicting pod default/web-"),
        "{}",
        first.text()
    );
    assert!(
        first.stderr().contains("(will retry after 5s)"),
        "{}",
        first.text()
    );
    assert!(c.job_running());
    c.advance(SimDuration::seconds(2));
    assert_eq!(c.poll_job().text(), "", "no retry before 5 s");
    c.advance(SimDuration::seconds(3));
    let retry = c.poll_job();
    assert!(
        retry
            .stderr()
            .contains("Cannot evict pod as it would violate the pod's disruption budget."),
        "{}",
        retry.text()
    );
    assert!(c.interrupt());
    assert!(!c.job_running());
}

#[test]
fn a_drain_job_finishes_once_the_budget_allows_the_evictions() {
    let mut c = streaming_cluster();
    // Two replicas on node1, running but not ready yet when the drain starts: the budget
    // allows no disruption until they are ready, then one at a time.
    c.run("kubectl cordon node2");
    c.run("kubectl cordon node3");
    c.write_file(
        "web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n        readinessProbe:\n          httpGet:\n            path: /\n            port: 80\n          initialDelaySeconds: 30\n",
    )
    .unwrap();
    c.run("kubectl apply -f web.yaml");
    c.write_file(
        "pdb.yaml",
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app: web\n",
    )
    .unwrap();
    c.run("kubectl apply -f pdb.yaml");
    c.advance(SimDuration::seconds(15));
    c.run("kubectl uncordon node2");
    c.run("kubectl uncordon node3");
    let first = c.run("kubectl drain node1 --ignore-daemonsets --timeout=2m");
    assert!(
        first.stderr().contains("(will retry after 5s)"),
        "{}",
        first.text()
    );
    assert!(c.job_running());
    let mut text = String::new();
    for _ in 0..24 {
        c.advance(SimDuration::seconds(5));
        text.push_str(&c.poll_job().text());
        if !c.job_running() {
            break;
        }
    }
    assert!(!c.job_running(), "{text}");
    assert_eq!(text.matches(" evicted\n").count(), 2, "{text}");
    assert!(text.ends_with("node/node1 drained\n"), "{text}");
}
