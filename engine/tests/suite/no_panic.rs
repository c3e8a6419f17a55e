//! Property tests: no console input makes the engine panic (a panic kills the page in wasm).

use kubeplay_engine::sort::SliceSort;
use kubeplay_engine::{Cluster, SimDuration};
use proptest::prelude::*;

/// Words learners type, so random lines often reach deep into the kubectl code paths.
const WORDS: &[&str] = &[
    "certificate",
    "approve",
    "deny",
    "csr",
    "flowschemas",
    "ipaddresses",
    "servicecidrs",
    "runtimeclasses",
    "selfsubjectreviews",
    "resourceclaims",
    "csinodes",
    "validatingadmissionpolicies",
    "alias",
    "unalias",
    "k=kubectl",
    "kk='k k '",
    "source",
    ".",
    "history",
    "!!",
    "printf",
    "'%s %d %q %*d %-5.3s %b %x %e %g %'",
    "-v",
    "tee",
    "watch",
    "-n",
    "0",
    "env",
    "unset",
    "export",
    "type",
    "which",
    "complete",
    "2>&1",
    ">/dev/null",
    "&>",
    "1>&2",
    ">/dev/stderr",
    "<(echo",
    "<(kubectl completion bash)",
    "completion",
    "-R",
    "wc",
    "-apply",
    "--foo",
    "if",
    "then",
    "elif",
    "else",
    "fi",
    "case",
    "in",
    "esac",
    ";;",
    ")",
    "(",
    "a|b)",
    "*)",
    "[",
    "]",
    "[[",
    "]]",
    "test",
    "-f",
    "-eq",
    "-lt",
    "==",
    "=~",
    "!",
    "-o",
    "-a",
    "w*",
    "kubectl",
    "k",
    "get",
    "run",
    "delete",
    "version",
    "pods",
    "po",
    "nodes",
    "no",
    "ns",
    "all",
    "events",
    "pod/x",
    "node/node1",
    "x",
    "nginx",
    "--image=nginx",
    "--image=nginxx",
    "--image=",
    "-o",
    "wide",
    "jsonpath={.items[*].metadata.name}",
    "jsonpath={range .items[*]}{.x}{end",
    "jsonpath={.items[?(@.a==\"b\")][-1:]}",
    "custom-columns=N:.metadata.name,X:.spec[*]",
    "custom-columns=bad",
    "--sort-by=.metadata.name",
    "--sort-by={.a}{.b}",
    "--sort-by=.metadata",
    "--sort-by=.spec.containers[*].image",
    "--output-watch-events",
    "--watch-only",
    "yaml",
    "--for=pod/x",
    "--types=Warning,x",
    "deploy",
    "rs",
    "svc",
    "scale",
    "--replicas=3",
    "rollout",
    "explain",
    "pod.spec.containers",
    "deploy.apps.spec..x",
    "--recursive",
    "--max-depth=-1",
    "timeout",
    "5",
    "-w",
    "status",
    "undo",
    "history",
    "create",
    "deployment",
    "drain",
    "cordon",
    "--cascade=orphan",
    "name",
    "-A",
    "-n",
    "kube-system",
    "--show-labels",
    "--labels=a=b",
    "--port=80",
    "--port=x",
    "--grace-period=0",
    "--force",
    "--",
    "sleep",
    "5",
    "echo",
    "&&",
    "||",
    ";",
    "'",
    "\"",
    "\\",
    "#",
    "clear",
    "help",
    "-",
    "--",
    "=",
    ",",
    "/",
    "apply",
    "create",
    "namespace",
    "-f",
    "pod.yaml",
    "dir",
    "cat",
    "ls",
    "-l",
    "rm",
    "grep",
    "head",
    "-n",
    "wc",
    "sort",
    "|",
    ">",
    ">>",
    "<",
    "<<EOF",
    "<<-EOF",
    "\nEOF",
    "\n",
    "\nkind: Pod",
    "\napiVersion: v1",
    "\nmetadata:",
    "\n  name: x",
    "\nspec:",
    "\n  containers:",
    "\n  - name: c",
    "\n    image: nginx",
    "---",
    "logs",
    "exec",
    "cp",
    "web:/tmp",
    "web:/",
    "web:",
    ":x",
    "a/b/c:d",
    "default/web:/usr/share/nginx/html",
    "--no-preserve",
    "--retries=-1",
    "api-resources",
    "--verbs=list,watch",
    "--categories=all",
    "--sort-by=kind",
    "-o=jsonpath-as-json={.items[*].metadata.name}",
    "-o=go-template={{range .items}}{{.metadata.name}}{{end}}",
    "-ogo-template='{{if eq .spec.replicas 1.0}}{{else}}{{printf \"%5.2f|%d\" 1 2}}{{end}}'",
    "'{{with $x := .metadata}}{{range $k, $v := $x.labels}}{{$k}}{{index $x.labels $k}}{{end}}{{end}}'",
    "'{{(len .items) | printf \"%q\"}}{{break}}{{/*'",
    "-owide",
    "-it",
    "-c",
    "-p",
    "--tail=2",
    "--timestamps",
    "--since=1s",
    "--restart=Never",
    "--image=busybox",
    "sh",
    "bash",
    "'while true; do echo $(date); sleep 1; done'",
    "'for i in 1 2; do echo $i; done; exit 3'",
    "'${X'",
    "'$('",
    "exit",
    "env",
    "patch",
    "replace",
    "diff",
    "edit",
    "set",
    "resources",
    "--type=json",
    "--type=merge",
    "-p",
    "'{\"spec\":{\"replicas\":2}}'",
    "'[{\"op\":\"remove\",\"path\":\"/spec/x\"}]'",
    "'{\"spec\":{\"containers\":[{\"$patch\":\"delete\"}]}}'",
    "deploy/web",
    "--force",
    "--limits=cpu=1,memory=x",
    "--from=configmap/x",
    "--list",
    "A=1",
    "A-",
    "KUBE_EDITOR='sed -i s/a/b/'",
    "EDITOR=cat",
    "export",
    "sed",
    "-i",
    "-e",
    "'s/a/b/g'",
    "'s/\\(x/y/'",
    "'/a/d'",
    "'1,/x/!p'",
    "'/a/,+99999999999999999999p'",
    "'$,1d'",
    "job",
    "cronjob",
    "--schedule='*/1 * * * *'",
    "--schedule=@every",
    "--from=cronjob/x",
    "wait",
    "port-forward",
    "svc/web",
    "9090:8080",
    ":80",
    "0:http",
    "99999:1",
    "--address=0.0.0.0,::1",
    "taint",
    "nodes",
    "node1",
    "dedicated=x:NoExecute",
    "k:NoSchedule-",
    "a=b=c:NoSchedule",
    "--all",
    "--overwrite",
    "--for=condition=complete",
    "--for=jsonpath='{.status.phase}'=Running",
    "--for=jsonpath={.spec.replicas[9223372036854775807:-1:0]}",
    "--for=jsonpath='{range .items[*]}{..}{end}'==",
    "--timeout=5s",
    "perl",
    "'print bpi(50)'",
    "$(",
    ")",
    "$((",
    "))",
    "`",
    "$?",
    "${",
    "}",
    "$A",
    "\"$(kubectl get pods -o name)\"",
    "$((i++))",
    "i=1",
    "for i in a b;",
    "do",
    "done",
    ";",
    "curl",
    "wget",
    "nslookup",
    "nc",
    "ping",
    "-s",
    "-sS",
    "-sI",
    "-v",
    "-qO-",
    "-O",
    "-zv",
    "-c",
    "-m",
    "-w",
    "--connect-timeout",
    "99999999999999999999",
    "1e308",
    "-1",
    "'%{http_code}\\n'",
    "web",
    "web.default.svc.cluster.local",
    "http://web:99999/x",
    "https://[::1]/",
    "ftp://x",
    "http://:80",
    "10.96.0.1",
    "10.96.0.10:53",
    "192.168.1.101:30080",
    "127.0.0.1:8080",
    "-H",
    "'Host: x'",
    "expose",
    "--type=NodePort",
    "service",
    "nodeport",
    "--tcp=80:80",
    "-A",
    "-B1",
    "-C",
    "-3",
    "--group-separator=",
    "hostname",
    "-I",
    "--overrides={\"spec\":",
    "--overrides={\"kind\":\"Pod\"}",
    "--overrides=[{\"op\":\"remove\",\"path\":\"/spec\"}]",
    "--override-type=json",
    "--override-type=strategic",
    "\\",
    "'",
    "\"",
    "<<EOF",
    "\n",
    "while",
    "do",
    "done",
    "top",
    "autoscale",
    "hpa",
    "--min=1",
    "--max=99999999999",
    "--cpu-percent=50",
    "--cpu=50%",
    "--cpu=1e300m",
    "--memory=-1Mi",
    "--containers",
    "--sort-by=cpu",
    "--sort-by=memory",
    "--sum",
    "--no-headers",
    "--use-protocol-buffers",
    "--raw",
    "/apis/metrics.k8s.io/v1beta1/pods",
    "-i",
    "--tty",
    "--rm",
    "--attach",
    "'while sleep 0.01; do wget -q -O- http://web; done'",
    "'while :; do :; done'",
    "'stress --vm 1 --vm-bytes 99999999999G'",
    "'stress --vm 4 --vm-bytes 1000M --vm-hang 1'",
    "--overrides='{\"spec\":{\"nodeName\":\"node1\"}}'",
    "node1",
    "--image=polinux/stress",
    "--image=registry.k8s.io/hpa-example",
    "stress",
    "yes",
    "https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml",
    "components.yaml",
    // RBAC: impersonation, can-i, the generators and tokens.
    "auth",
    "can-i",
    "whoami",
    "--list",
    "--as=system:serviceaccount:default:default",
    "--as=system:serviceaccount::",
    "--as",
    "--as-group=g",
    "--subresource=log",
    "role",
    "clusterrole",
    "rolebinding",
    "clusterrolebinding",
    "token",
    "--verb=*",
    "--verb=get,,list",
    "--resource=*/scale",
    "--resource=.apps",
    "--resource=/x",
    "--resource-name=",
    "--non-resource-url=*",
    "--non-resource-url=/a*b*",
    "--aggregation-rule=a=b,=",
    "--clusterrole=view",
    "--role=",
    "--serviceaccount=:",
    "--user=",
    "--duration=-1s",
    "--duration=1.5s",
    "--duration=99999999999h",
];

/// YAML-shaped text: indentation, keys, dashes, flow collections, odd scalars.
fn manifest() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "apiVersion: v1",
        "kind: Pod",
        "kind: Namespace",
        "kind: Job",
        "kind: CronJob",
        "apiVersion: batch/v1",
        "  schedule: '*/1 * * * *'",
        "  completionMode: Indexed",
        "  jobTemplate:",
        "  template:",
        "    spec:",
        "      restartPolicy: Never",
        "metadata:",
        "  name: web",
        "  namespace: dev",
        "spec:",
        "  containers:",
        "  - name: nginx",
        "    image: nginx",
        "    ports:",
        "    - containerPort: 80",
        "    - containerPort: '80'",
        "  contianers:",
        "---",
        "...",
        "{",
        "}",
        "[",
        "- ",
        ": ",
        "&a",
        "*a",
        "!!str",
        "  labels: {app: web}",
        "  args: [a, b",
        "name: 이름",
        "\t",
        "  ",
        "key: |",
        "  text",
        "null",
        "~",
        "kind: HorizontalPodAutoscaler",
        "apiVersion: autoscaling/v2",
        "apiVersion: autoscaling/v1",
        "  maxReplicas: 2147483647",
        "  minReplicas: 0",
        "  targetCPUUtilizationPercentage: -5",
        "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}",
        "  scaleTargetRef: {kind: Pod, name: web}",
        "  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 99999999}}}]",
        "  metrics: [{type: Pods, pods: {metric: {name: x}, target: {type: AverageValue, averageValue: 1e300}}}]",
        "  behavior: {scaleUp: {stabilizationWindowSeconds: -1, policies: [{type: Pods, value: 0, periodSeconds: 0}]}}",
        "    resources: {limits: {memory: 1Ki, cpu: 1e3}, requests: {cpu: 0}}",
        "    args: [stress, --vm, '1', --vm-bytes, 9E]",
        "    command: [sh, -c, 'while true; do wget -q -O- http://web; done']",
        "kind: PodDisruptionBudget",
        "apiVersion: policy/v1",
        "  minAvailable: 99999999999%",
        "  maxUnavailable: '%'",
        "  maxUnavailable: -2147483648",
        "  selector: {}",
        "  selector: {matchExpressions: [{key: app, operator: Bogus}]}",
        "  unhealthyPodEvictionPolicy: AlwaysAllow",
        "kind: PriorityClass",
        "apiVersion: scheduling.k8s.io/v1",
        "value: 2147483647",
        "value: -2147483648",
        "globalDefault: true",
        "preemptionPolicy: Sometimes",
        "  priorityClassName: system-node-critical",
        "  priorityClassName: nope",
        "  priority: 5",
        "kind: LimitRange",
        "kind: ResourceQuota",
        "  limits: [{type: Container, max: {cpu: 1e300}, min: {cpu: 0}, maxLimitRequestRatio: {cpu: 0.0001}}]",
        "  limits: [{type: Pod, default: {memory: 1Ki}}, {type: PersistentVolumeClaim, max: {storage: 9E}}, {type: a/b/c}]",
        "  hard: {pods: '-1', cpu: 9E, count/x/y: '1', requests.memory: 1e-9, services.nodeports: 0.5}",
        "  scopes: [BestEffort, NotBestEffort, Nope]",
        "  affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname, matchLabelKeys: [app, app, missing], mismatchLabelKeys: [app]}]}}",
        "  affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: '', namespaceSelector: {}, namespaces: [x, '']}]}}",
        "  affinity: {podAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: -2147483648, podAffinityTerm: {labelSelector: {}, topologyKey: topology.kubernetes.io/zone, namespaceSelector: {matchExpressions: [{key: k, operator: Bogus}]}}}]}}",
        "  affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 2147483647, podAffinityTerm: {labelSelector: {matchExpressions: [{key: app, operator: NotIn, values: []}]}, topologyKey: kubernetes.io/hostname}}]}}",
        "  affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{labelSelector: {}, topologyKey: x}]}}",
        "    env: [{value: x}, {name: 'A=B'}, {name: ''}, {name: é}]",
        "apiVersion: certificates.k8s.io/v1",
        "kind: CertificateSigningRequest",
        "  request: ''",
        "  request: '!!!'",
        "  expirationSeconds: -2147483648",
        "  signerName: kubernetes.io/kube-apiserver-client",
        "  usages: []",
        "apiVersion: authorization.k8s.io/v1",
        "kind: SelfSubjectAccessReview",
        "kind: SubjectAccessReview",
        "kind: LocalSubjectAccessReview",
        "kind: SelfSubjectRulesReview",
        "apiVersion: authentication.k8s.io/v1",
        "kind: SelfSubjectReview",
        "kind: TokenReview",
        "  resourceAttributes: {verb: '', resource: '*', namespace: ''}",
        "  nonResourceAttributes: {path: '', verb: get}",
        "  groups: [[], {}]",
        "  user: null",
        "apiVersion: flowcontrol.apiserver.k8s.io/v1",
        "kind: FlowSchema",
        "kind: PriorityLevelConfiguration",
        "  matchingPrecedence: 2147483647",
        "  distinguisherMethod: {type: Nope}",
        "  type: Limited",
        "  limited: {limitResponse: {type: Queue, queuing: {queues: -1, handSize: 2147483647}}}",
        "apiVersion: networking.k8s.io/v1",
        "kind: ServiceCIDR",
        "kind: IPAddress",
        "  cidrs: [10.0.0.0/99, '::/0', x, y]",
        "  parentRef: {resource: '', name: ''}",
        "apiVersion: node.k8s.io/v1",
        "kind: RuntimeClass",
        "handler: 'Not A Label'",
        "overhead: {podFixed: {cpu: 1e300}}",
        "  runtimeClassName: nope",
        "apiVersion: resource.k8s.io/v1",
        "kind: ResourceClaim",
        "kind: ResourceSlice",
        "kind: DeviceClass",
        "  devices: {requests: [{name: '', exactly: {deviceClassName: ''}}, {}]}",
        "  pool: {name: '', generation: -1, resourceSliceCount: 0}",
        "apiVersion: storage.k8s.io/v1",
        "kind: CSIDriver",
        "kind: VolumeAttachment",
        "kind: VolumeAttributesClass",
        "kind: CSIStorageCapacity",
        "  source: {persistentVolumeName: pv, inlineVolumeSpec: {}}",
        "driverName: ''",
        "apiVersion: admissionregistration.k8s.io/v1",
        "kind: ValidatingAdmissionPolicy",
        "kind: ValidatingAdmissionPolicyBinding",
        "  validations: [{expression: ''}]",
        "  validationActions: [Nope]",
        "  paramRef: {selector: {matchExpressions: [{key: a, operator: In}]}}",
        "  scopeSelector: {matchExpressions: [{scopeName: PriorityClass, operator: In}, {scopeName: BestEffort, operator: Gt, values: [x]}]}",
    ];
    prop::collection::vec(prop::sample::select(PIECES), 0..16).prop_map(|p| p.join("\n"))
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        // Arbitrary text, including control characters and non-ASCII (Korean) input.
        ".{0,80}",
        // Sequences of known words, glued with spaces or nothing.
        prop::collection::vec((prop::sample::select(WORDS), prop::bool::ANY), 0..10).prop_map(
            |ws| {
                ws.into_iter()
                    .map(|(w, space)| {
                        if space {
                            format!("{w} ")
                        } else {
                            w.to_string()
                        }
                    })
                    .collect()
            }
        ),
    ]
}

/// Shell lines that try to run away: recursive aliases and sources, huge printf fields,
/// watches with odd intervals, process substitutions and descriptor games.
fn hostile_shell_line() -> impl Strategy<Value = Vec<&'static str>> {
    const LINES: &[&str] = &[
        "alias a=b b=a; a",
        "alias x='x x '; x x x",
        "alias y='y '; alias z='y z '; z y z",
        "alias l='echo '; l l l l",
        "echo 'source s.sh; source s.sh' > s.sh; source s.sh",
        "echo '. t.sh' > t.sh; . t.sh",
        "printf '%999999999s|%.999999999d|%*s' 1 2 -99999999999 x",
        "printf '%s%s%s%s' $(seq 100)",
        "printf '\\777\\x\\0' ; printf '%b' '\\0777\\c'",
        "watch -n 0 echo hi",
        "watch -n 1e308 echo hi",
        "watch -n -5 kubectl get pods",
        "timeout 3 watch -n 0.1 kubectl get pods",
        "watch watch watch echo",
        "cat <(cat <(cat <(echo deep)))",
        "cat <(echo a) <(echo b) <(echo c) <(echo d) <(echo e) <(echo f) <(echo g) <(echo h) <(echo i)",
        "source <(echo 'source <(echo echo hi)')",
        "echo x 2>&1 1>&2 2>/dev/null >&2 &> f | tee -a f f f | wc -l f - f",
        "history; history 99999999999999999999; history -x; !!; !! !!",
        "export -p; env; env -i; env X=1 env; unset PATH HOME; type type; which which",
        "kubectl -apply; kubectl --x y z; kubectl -n; kubectl -n ns foo",
        // Growth the shell budget stops (issue 14): doubling strings, multiplying pipes,
        // nested loops, huge `seq`, and the same inside a container's shell.
        "x=a; for i in $(seq 40); do x=\"$x$x$x\"; done; echo ${#x}",
        "x=ab; while :; do x=$x$x; done; echo ${#x} ${x%b*} ${x##*a}",
        "echo ab | sed 's/./&&&&&&&&/g' | sed 's/./&&&&&&&&/g' | sed 's/./&&&&&&&&/g' | sed 's/./&&&&&&&&/g' | sed 's/./&&&&&&&&/g' | sed 's/./&&&&&&&&/g' | sed 's/./&&&&&&&&/g' | sed 's/./&&&&&&&&/g' | sed 's/./&&&&&&&&/g' | sed 's/./&&&&&&&&/g' | wc -c",
        "for a in 1 2 3 4 5 6 7 8 9 0; do for b in 1 2 3 4 5 6 7 8 9 0; do for c in 1 2 3 4 5 6 7 8 9 0; do for d in 1 2 3 4 5 6 7 8 9 0; do for e in 1 2 3 4 5 6 7 8 9 0; do :; done; done; done; done; done",
        "printf '%s' $(seq 1 99999999) $(seq 1 99999999) | wc -c; seq 0 0.0000001 1 | tail -1",
        "x=$(seq 1 150000); y=\"$x$x$x$x$x$x\"; echo ${#y}",
        "echo $((2**62*4)) $((-9223372036854775807-1)) $(((-9223372036854775807-1)/-1)) $((1<<99)) $((7%0)) $((08)) $((64#__)) $((x=x))",
        "echo $((1<<4))\necho 'a<<b' \"<<\" $((1 <<2))",
        "kubectl run g --image=busybox -- sh -c 'x=a; while true; do x=$x$x$x; done'; sleep 5; kubectl logs g",
        "kubectl run h --image=busybox -- sh -c 'echo $((2**64)) $((1/0)) $((x=x)) ${#HOSTNAME} ${H:-d}'; sleep 5; kubectl logs h",
        // Container text programs (wc, head, tail, sort, uniq, cut, tr) and timeout's options.
        "kubectl run t --image=nginx; sleep 5; kubectl exec t -- sh -c 'env | head -n 99999999999999999999 | tail -c 99999999999999999999Q | head -c 1EiB | tail -n +0 | head -n -99999999999999999999 | wc -lwmcL - - /'",
        "kubectl run u --image=busybox -- sleep 1d; sleep 5; kubectl exec u -- sh -c 'seq 1 50000 | sort -rn -k 99999999999999999999 | uniq -c -d -u -i | cut -f 1-99999999999999999999,3 -d x | tr -ds \\0-\\777 a-z | head /dev/zero / x - -'",
        "timeout -s 99999999999999999999 1 true; timeout -k 1e308 1e308 sleep 1; timeout --preserve-status -v -s KILL -k 0 0.001 watch -n 0 true; timeout -- -1 true",
    ];
    prop::collection::vec(prop::sample::select(LINES), 1..4)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn hostile_shell_lines_end(lines in hostile_shell_line(), streaming in prop::bool::ANY) {
        let mut cluster = Cluster::new();
        cluster.set_streaming(streaming);
        for line in lines {
            let out = cluster.run(line);
            let printed: usize = out.chunks.iter().map(|(_, t)| t.len()).sum();
            prop_assert!(printed < 8 << 20);
            for _ in 0..3 {
                cluster.advance(SimDuration::seconds(1));
                let _ = cluster.poll_job();
            }
            cluster.interrupt();
            prop_assert!(!cluster.job_running());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn console_never_panics(lines in prop::collection::vec(line(), 1..8), seed in 0u64..4) {
        let mut cluster = Cluster::with_config(kubeplay_engine::ClusterConfig { seed, ..Default::default() });
        for l in &lines {
            let _ = cluster.run(l);
            cluster.advance(SimDuration::seconds(3));
        }
    }

    #[test]
    fn typed_continuations_never_panic(lines in prop::collection::vec(line(), 1..6)) {
        // As a front end reads: lines join while the entry needs more, then it runs.
        let mut cluster = Cluster::new();
        let mut entry = String::new();
        for l in &lines {
            if !entry.is_empty() {
                entry.push('\n');
            }
            entry.push_str(l);
            if !Cluster::needs_more(&entry) {
                let _ = cluster.run(&std::mem::take(&mut entry));
            }
        }
        let _ = cluster.run(&entry);
    }

    #[test]
    fn manifests_never_panic(text in manifest()) {
        let mut cluster = Cluster::new();
        let _ = cluster.run(&format!("kubectl apply -f - <<EOF\n{text}\nEOF"));
        let _ = cluster.run(&format!("cat <<EOF > m.yaml\n{text}\nEOF"));
        let _ = cluster.run("kubectl create -f m.yaml");
        cluster.advance(SimDuration::seconds(30));
        let _ = cluster.run("kubectl get pods -A -o yaml");
    }

    #[test]
    fn same_seed_same_output(lines in prop::collection::vec(line(), 1..6)) {
        let run = || {
            let mut c = Cluster::new();
            lines.iter().map(|l| { let o = c.run(l).text(); c.advance(SimDuration::seconds(2)); o }).collect::<Vec<_>>()
        };
        prop_assert_eq!(run(), run());
    }
}

/// Hostile `--rule` values for `kubectl create ingress`: pieces of the grammar
/// (`host/path=svc:port,tls=secret`) in any order, which often pass kubectl's expression while
/// breaking the splits that build the object.
fn ingress_rule() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "foo.com",
        "*.",
        "/",
        "/path",
        "*",
        "=",
        ":",
        ",",
        "tls",
        "tls=",
        "svc",
        "8080",
        "-1",
        "0",
        "99999999999",
        "http",
        "_",
        "-",
        "é",
        "\n",
        " ",
        "",
    ];
    prop_oneof![
        prop::collection::vec(prop::sample::select(PIECES), 0..10).prop_map(|p| p.concat()),
        ".{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// `kubectl create ingress` with hostile rules, backends and annotations prints an error,
    /// kubectl's panic line or the object, and never panics itself.
    #[test]
    fn create_ingress_never_panics(
        rules in prop::collection::vec(ingress_rule(), 0..4),
        backend in ingress_rule(),
        annotation in ingress_rule(),
        dry_run in prop::bool::ANY,
    ) {
        let mut cluster = Cluster::new();
        let mut line = String::from("kubectl create ingress x");
        for r in &rules {
            line.push_str(&format!(" --rule='{}'", r.replace('\'', "")));
        }
        if !backend.is_empty() {
            line.push_str(&format!(" --default-backend='{}'", backend.replace('\'', "")));
        }
        line.push_str(&format!(" --annotation='{}'", annotation.replace('\'', "")));
        if dry_run {
            line.push_str(" --dry-run=client -o yaml");
        }
        let out = cluster.run(&line);
        prop_assert!(!out.text().is_empty());
        let _ = cluster.run("kubectl get ingress -o yaml");
        let _ = cluster.run("kubectl describe ingress");
    }
}

/// Deeply nested text of one of several shapes: block sequences, block mappings, flow
/// sequences, flow mappings (JSON), or a mix, `depth` levels deep.
fn nested(shape: u8, depth: usize) -> String {
    match shape {
        0 => "- ".repeat(depth) + "x",
        1 => (0..depth)
            .map(|i| format!("{}a:\n", " ".repeat(i)))
            .collect(),
        2 => "[".repeat(depth) + &"]".repeat(depth),
        3 => "{\"a\":".repeat(depth) + "1" + &"}".repeat(depth),
        _ => format!(
            "kind: Pod\nmetadata:\n  name: p\n  labels: {}",
            "[{a: ".repeat(depth)
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Nesting far beyond any limit is an error for every reader of manifests, never a stack
    /// overflow (which aborts the process, and kills the page in wasm).
    #[test]
    fn deep_nesting_never_overflows(shape in 0u8..5, depth in prop_oneof![Just(20_000usize), 100usize..400, 190usize..210]) {
        let text = nested(shape, depth);
        let mut cluster = Cluster::new();
        let out = cluster.run(&format!("kubectl apply -f - <<EOF\n{text}\nEOF"));
        if depth > 300 {
            prop_assert!(out.text().contains("exceeded max depth of 200"), "{}", out.text());
        }
        let _ = cluster.run(&format!("cat <<EOF > deep.yaml\n{text}\nEOF"));
        let _ = cluster.run("kubectl create -f deep.yaml");
        let _ = cluster.run("kubectl replace -f deep.yaml");
        let _ = cluster.run("kubectl diff -f deep.yaml");
        let _ = cluster.run("kubectl delete -f deep.yaml");
        let _ = cluster.run("kubectl create deployment web --image=nginx");
        let _ = cluster.run("kubectl patch deployment web --patch-file deep.yaml");
        let _ = cluster.run("kubectl patch deployment web --type merge --patch-file deep.yaml");
        let _ = cluster.run("kubectl patch deployment web --type json --patch-file deep.yaml");
        let _ = cluster.run(&format!("kubectl patch deployment web -p '{text}'"));
        let _ = kubeplay_engine::lint_manifest("deep.yaml", &format!("kind: Pod\n---\n{text}"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    /// Tab completion never panics, gives a start inside the line on a char boundary and
    /// sorted, distinct candidates, and changes nothing: the objects, the clock and the random
    /// numbers are as in a twin cluster that completed nothing.
    #[test]
    fn completion_never_panics_nor_changes_the_cluster(
        setup in prop::collection::vec(line(), 0..3),
        lines in prop::collection::vec(line(), 1..10),
    ) {
        let build = || {
            let mut c = Cluster::new();
            let _ = c.run("kubectl create deployment web --image=nginx");
            let _ = c.run("echo x > web.yaml");
            for l in &setup {
                let _ = c.run(l);
            }
            c
        };
        let mut cluster = build();
        let mut twin = build();
        let before = cluster.run("kubectl get all -A -o yaml").text();
        for l in &lines {
            for cut in [l.len(), l.len() / 2] {
                let cut = (0..=cut).rev().find(|i| l.is_char_boundary(*i)).unwrap_or(0);
                let line = &l[..cut];
                let done = cluster.complete(line);
                prop_assert!(done.start <= line.len() && line.is_char_boundary(done.start));
                let mut sorted = done.candidates.clone();
                sorted.stable_sort();
                sorted.dedup();
                prop_assert_eq!(&sorted, &done.candidates);
            }
        }
        prop_assert_eq!(before, cluster.run("kubectl get all -A -o yaml").text());
        let _ = twin.run("kubectl get all -A -o yaml");
        let _ = twin.run("kubectl get all -A -o yaml");
        let script = "kubectl create deployment after --image=nginx --replicas=2; sleep 5; kubectl get pods -A -o wide";
        prop_assert_eq!(twin.run(script).text(), cluster.run(script).text());
    }
}

/// Arguments of the network clients, hostile ones included.
const TOOL_WORDS: &[&str] = &[
    "-s",
    "-S",
    "-sS",
    "-I",
    "-i",
    "-v",
    "-f",
    "-L",
    "-k",
    "-o",
    "/dev/null",
    "-O",
    "-",
    "-qO-",
    "-q",
    "-T",
    "-m",
    "-w",
    "-c",
    "-z",
    "-zv",
    "-vv",
    "-H",
    "Host: x",
    "-X",
    "DELETE",
    "-A",
    "--connect-timeout",
    "--max-time",
    "--write-out",
    "%{http_code}",
    "--header",
    "--bogus",
    "0",
    "1",
    "2.5",
    "-3",
    "1e308",
    "NaN",
    "inf",
    "99999999999999999999",
    "65535",
    "65536",
    "80",
    "web",
    "web.default",
    "web.default.svc.cluster.local",
    "web.",
    "nosuch",
    "localhost",
    "10.96.0.1",
    "10.96.0.10",
    "127.0.0.1",
    "192.168.1.101",
    "192.168.1.101:30080",
    "http://web/x?y=1",
    "https://web",
    "ftp://web",
    "http://:80",
    "http://web:99999",
    "http://u:p@web:80/",
    "web:",
    "[::1]",
    "",
    " ",
    "\u{1}",
    "é",
    "a.b.c.d.e.f.g",
];

fn tool_line() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["curl", "wget", "nslookup", "nc", "ping"]),
        prop::collection::vec(prop::sample::select(TOOL_WORDS), 0..7),
        0usize..3,
    )
        .prop_map(|(tool, args, place)| {
            let args: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
            let command = format!("{tool} {}", args.join(" "));
            match place {
                0 => command,
                1 => format!("kubectl exec tools -- {command}"),
                _ => format!("kubectl exec bb -- {command}"),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// curl, wget, nslookup, nc and ping on the learner's machine and in containers never
    /// panic and never let more than a day of simulated time pass.
    #[test]
    fn network_tools_never_panic(lines in prop::collection::vec(tool_line(), 1..6)) {
        let mut cluster = Cluster::new();
        for setup in [
            "kubectl create deployment web --image=nginx --replicas=2",
            "kubectl expose deployment web --type=NodePort --port=80",
            "kubectl run tools --image=nginx",
            "kubectl run bb --image=busybox -- sleep 1d",
        ] {
            cluster.run(setup);
        }
        cluster.advance(SimDuration::seconds(20));
        for line in &lines {
            let before = cluster.uptime();
            let _ = cluster.run(line);
            let spent = cluster.uptime().0 - before.0;
            prop_assert!(spent <= 86_400_000 * 2, "{line} let {spent} ms pass");
        }
    }
}

/// Pieces of sh scripts for the one grammar both shells share: every operator, reserved
/// word, quote and expansion, `[[` with `<<` and `>>` inside, heredocs, pipes and `&`.
const SH_WORDS: &[&str] = &[
    "while", "until", "for", "in", "do", "done", "if", "then", "elif", "else", "fi", "case",
    "esac", ";;", "(", ")", "a|b)", "*)", "[[", "]]", "[", "]", "test", "-f", "-lt", "==", "=~",
    "!", "<<", "<<-", ">>", ">", "<", "2>&1", "&>", "|", "||", "&&", "&", ";", "\n", "EOF", "cat",
    "grep", "echo", "true", "false", "sleep 1", "exit", "x=1", "$x", "${x", "${x:-$(", "$((1<<",
    "))", "$(", "`", "\"", "'", "\\", "#", "1x", "${#x}", "<(",
];

/// An sh script of [`SH_WORDS`], run in a container's `sh -c` (dash, busybox ash) or
/// `bash -c`, or typed in the console.
fn sh_line() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(SH_WORDS), 0..16),
        0usize..4,
    )
        .prop_map(|(words, place)| {
            let script = words.join(" ");
            let quoted = script.replace('\'', "'\\''");
            match place {
                0 => script,
                1 => format!("kubectl exec bb -- sh -c '{quoted}'"),
                2 => format!("kubectl exec web -- sh -c '{quoted}'"),
                _ => format!("kubectl exec web -- bash -c '{quoted}'"),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// The shared sh grammar never panics nor hangs, in the console or in any container
    /// shell's dialect.
    #[test]
    fn sh_scripts_never_panic(lines in prop::collection::vec(sh_line(), 1..5)) {
        let mut cluster = Cluster::new();
        cluster.run("kubectl run bb --image=busybox -- sleep 1d");
        cluster.run("kubectl run web --image=nginx");
        cluster.advance(SimDuration::seconds(20));
        for line in &lines {
            let _ = cluster.run(line);
            cluster.interrupt();
        }
    }
}

/// Pieces of `kubectl create secret` arguments: keys of every shape (huge, duplicate, with
/// `=`, dots, spaces, non-ASCII), names kubectl or the apiserver refuse, and file contents.
fn secret_piece() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "k",
        "k",
        "K_1",
        ".",
        "..",
        "..x",
        "-a.b_c",
        "=",
        "==",
        "a=b=c",
        "bad key",
        "é",
        "1X",
        "\n",
        "#",
        "\u{feff}",
        "-----BEGIN CERTIFICATE-----",
        "-----END CERTIFICATE-----",
        "-----BEGIN PRIVATE KEY-----",
        "TUlJ",
        "<&>",
        "\"",
        "\\",
        "",
    ];
    prop_oneof![
        prop::collection::vec(prop::sample::select(PIECES), 0..8).prop_map(|p| p.concat()),
        "[a-z.]{250,300}",
        ".{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, .. ProptestConfig::default() })]

    /// `kubectl create secret generic|tls|docker-registry` with hostile keys, values, files
    /// and names prints a line (created, kubectl's error or the server's) and never panics;
    /// a pod reading the result as env then starts or reports its config error.
    #[test]
    fn create_secret_never_panics(
        kind in 0u8..3,
        name in prop_oneof![Just("s".to_string()), secret_piece()],
        literals in prop::collection::vec((secret_piece(), secret_piece()), 0..4),
        file in secret_piece(),
        flag in prop::sample::select(&["", " --append-hash", " --type=kubernetes.io/tls", " --dry-run -o yaml", " --dry-run=client -o json"][..]),
    ) {
        let mut cluster = Cluster::new();
        let _ = cluster.write_file("f.txt", &file);
        let _ = cluster.write_file("dir/a", &file);
        let quote = |s: &str| format!("'{}'", s.replace('\'', ""));
        let mut line = match kind {
            0 => format!("kubectl create secret generic {}", quote(&name)),
            1 => format!("kubectl create secret tls {} --cert f.txt --key f.txt", quote(&name)),
            _ => format!("kubectl create secret docker-registry {} --docker-server={}", quote(&name), quote(&file)),
        };
        for (k, v) in &literals {
            match kind {
                0 => line.push_str(&format!(" --from-literal={}", quote(&format!("{k}={v}")))),
                2 => line.push_str(&format!(" --docker-username={} --docker-password={}", quote(k), quote(v))),
                _ => {}
            }
        }
        if kind == 0 && literals.len() % 2 == 1 {
            line.push_str(" --from-file=f.txt --from-file=dir --from-env-file=f.txt");
        }
        line.push_str(flag);
        let out = cluster.run(&line);
        prop_assert!(!out.text().is_empty());
        let _ = cluster.run("kubectl get secrets -o yaml");
        let _ = cluster.run("kubectl describe secrets");
        let made = cluster.run("kubectl get secrets -o name").text();
        if let Some(secret) = made.lines().next().and_then(|l| l.strip_prefix("secret/")) {
            let pod = format!(
                "kubectl run p --image=busybox --overrides='{{\"spec\":{{\"containers\":[{{\"name\":\"p\",\"image\":\"busybox\",\"command\":[\"sleep\",\"1d\"],\"envFrom\":[{{\"secretRef\":{{\"name\":\"{secret}\"}}}}]}}]}}}}'"
            );
            let _ = cluster.run(&pod);
            cluster.advance(SimDuration::seconds(20));
            let _ = cluster.run("kubectl exec p -- env");
            let _ = cluster.run("kubectl describe pod p");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Hogs of any size (up to absurd) on one node: memory pressure, evictions and the
    /// node's recovery never panic, and the node's description stays printable.
    #[test]
    fn memory_pressure_never_panics(
        sizes in prop::collection::vec(prop_oneof![Just("1e15".to_string()), Just("0".to_string()), (1u64..5000).prop_map(|m| format!("{m}Mi"))], 1..5),
        waits in prop::collection::vec(0i64..400, 1..4),
    ) {
        let mut cluster = Cluster::new();
        for (i, size) in sizes.iter().enumerate() {
            let line = format!(
                "kubectl run hog{i} --image=vish/stress --overrides='{{\"spec\":{{\"nodeName\":\"node1\",\"containers\":[{{\"name\":\"s\",\"image\":\"vish/stress\",\"args\":[\"-mem-total\",\"{size}\"]}}]}}}}'"
            );
            let _ = cluster.run(&line);
        }
        for w in &waits {
            cluster.advance(SimDuration::seconds(*w));
            let _ = cluster.run("kubectl get pods -o wide");
        }
        prop_assert!(cluster.run("kubectl describe node node1").text().contains("MemoryPressure"));
    }
}

/// Pieces of `ab` arguments: its options (clustered, valued inline or not, unknown),
/// numbers at and past its bounds, URLs with and without a path.
const AB_WORDS: &[&str] = &[
    "-n",
    "-c",
    "-t",
    "-s",
    "-k",
    "-q",
    "-i",
    "-d",
    "-S",
    "-l",
    "-r",
    "-V",
    "-h",
    "-H",
    "Host: x",
    "User-Agent: y",
    "-m",
    "POST",
    "-p",
    "f",
    "-j",
    "-kq",
    "-n5",
    "-c0",
    "-t0",
    "--",
    "-",
    "0",
    "1",
    "2",
    "-1",
    "150",
    "151",
    "50000",
    "20000",
    "20001",
    "2147483647",
    "2147483648",
    "99999999999999999999",
    "1e3",
    " 7",
    "http://web/",
    "http://web",
    "web/",
    "http://web:80/x?y",
    "http://web:0/",
    "http://web:65536/",
    "http://[::1]/",
    "https://web/",
    "http:///",
    "http://nosuch/",
    "http://10.96.0.1/",
    "http://192.168.1.101:30080/",
    "http://127.0.0.1:1/",
    "",
    "é",
    "\u{1}",
];

fn ab_line() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(AB_WORDS), 0..7),
        0usize..2,
        0u32..1000,
    )
        .prop_map(|(args, place, n)| {
            let args: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
            match place {
                0 => format!("ab {}", args.join(" ")),
                _ => format!(
                    "kubectl run ab{n} --image=httpd --restart=Never -- ab {}",
                    args.join(" ")
                ),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    /// ab on the learner's machine and in the httpd image never panics, and never lets
    /// more than a day of simulated time pass; time goes on with its pods running.
    #[test]
    fn ab_never_panics(lines in prop::collection::vec(ab_line(), 1..5)) {
        let mut cluster = Cluster::new();
        for setup in [
            "kubectl create deployment web --image=nginx --replicas=2",
            "kubectl expose deployment web --type=NodePort --port=80",
        ] {
            cluster.run(setup);
        }
        cluster.advance(SimDuration::seconds(20));
        for line in &lines {
            let before = cluster.uptime();
            let _ = cluster.run(line);
            let spent = cluster.uptime().0 - before.0;
            prop_assert!(spent <= 86_400_000 * 2, "{line} let {spent} ms pass");
        }
        cluster.advance(SimDuration::seconds(600));
        let _ = cluster.run("kubectl get pods");
        let _ = cluster.run("kubectl logs --all-containers -l run --tail=5");
    }
}

/// Pieces of NetworkPolicy specs, hostile ones among them.
const POLICY_PIECES: &[&str] = &[
    "podSelector: {}",
    "podSelector: {matchLabels: {app: web}}",
    "podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [web]}]}",
    "podSelector: {matchExpressions: [{key: app, operator: Bogus}]}",
    "policyTypes: [Ingress]",
    "policyTypes: [Egress]",
    "policyTypes: [Ingress, Egress, Ingress]",
    "policyTypes: []",
    "ingress: []",
    "ingress: [{}]",
    "ingress: [{from: [{podSelector: {}}]}]",
    "ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {run: bb}}}], ports: [{port: 80}]}]",
    "ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.244.0.0/16]}}]}]",
    "ingress: [{from: [{ipBlock: {cidr: '999.1.1.1/99'}}]}]",
    "ingress: [{from: [{ipBlock: {cidr: '::/0', except: ['::1/128', '10.0.0.0/8']}}]}]",
    "ingress: [{from: [{ipBlock: {cidr: ''}}]}]",
    "ingress: [{ports: [{port: 0, endPort: -5}, {port: 70000}, {port: http, endPort: 9}]}]",
    "ingress: [{ports: [{protocol: SCTP}, {port: '-x-'}, {port: aaaaaaaaaaaaaaaaaaaaa}]}]",
    "egress: []",
    "egress: [{}]",
    "egress: [{to: [{}], ports: [{port: 53, protocol: UDP}]}]",
    "egress: [{ports: [{port: 1, endPort: 65535}]}]",
    "egress: [{to: [{ipBlock: {cidr: 10.96.0.0/12}}]}]",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    /// Any NetworkPolicy, stored or refused, and the requests it judges never panic nor let
    /// more than a day of simulated time pass.
    #[test]
    fn network_policies_never_panic(
        specs in prop::collection::vec(prop::collection::vec(prop::sample::select(POLICY_PIECES), 0..5), 1..4),
        lines in prop::collection::vec(tool_line(), 1..4),
    ) {
        let mut cluster = Cluster::new();
        for setup in [
            "kubectl create deployment web --image=nginx --replicas=2",
            "kubectl expose deployment web --type=NodePort --port=80",
            "kubectl run tools --image=nginx",
            "kubectl run bb --image=busybox -- sleep 1d",
        ] {
            cluster.run(setup);
        }
        cluster.advance(SimDuration::seconds(20));
        for (i, pieces) in specs.iter().enumerate() {
            let body: Vec<String> = pieces.iter().map(|p| format!("  {p}")).collect();
            let manifest = format!(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p{i}\nspec:\n{}\n",
                body.join("\n")
            );
            prop_assert!(cluster.write_file("p.yaml", &manifest).is_ok());
            let _ = cluster.run("kubectl apply -f p.yaml");
        }
        let _ = cluster.run("kubectl describe netpol");
        let _ = cluster.run("kubectl get netpol -o wide");
        for line in &lines {
            let before = cluster.uptime();
            let _ = cluster.run(line);
            let spent = cluster.uptime().0 - before.0;
            prop_assert!(spent <= 86_400_000 * 2, "{line} let {spent} ms pass");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Field selectors of any shape (operators glued, empty terms, huge values) are read or
    /// refused with the server's message, never a panic.
    #[test]
    fn field_selectors_never_panic(
        terms in prop::collection::vec(
            (prop::sample::select(&["status.phase", "metadata.name", "spec.nodeName", "", "x", "reason"][..]),
             prop::sample::select(&["=", "==", "!=", "", "=!", "==="][..]),
             ".{0,12}"),
            0..6,
        ),
        kind in prop::sample::select(&["pods", "nodes", "events", "deployments", "secrets", "ns"][..]),
        repeat in prop_oneof![Just(1usize), Just(600usize)],
    ) {
        let selector: Vec<String> = terms.iter().map(|(f, op, v)| format!("{f}{op}{v}")).collect();
        let selector = selector.join(",").repeat(repeat);
        let mut cluster = kubeplay_engine::Cluster::new();
        let quoted = format!("'{}'", selector.replace('\'', ""));
        let _ = cluster.run(&format!("kubectl get {kind} -A --field-selector {quoted}"));
    }
}

/// A "billion laughs" YAML text: `levels` anchors, each a sequence (or mapping) of `width`
/// aliases to the one before; `prefix` puts it under a manifest's field.
fn alias_bomb(levels: usize, width: usize, mapping: bool, prefix: &str) -> String {
    let mut text = format!("{prefix}a0: &a0 [{}]\n", vec!["lol"; width].join(", "));
    for i in 1..levels {
        let body = if mapping {
            let items: Vec<String> = (0..width).map(|k| format!("k{k}: *a{}", i - 1)).collect();
            format!("{{{}}}", items.join(", "))
        } else {
            format!("[{}]", vec![format!("*a{}", i - 1); width].join(", "))
        };
        text.push_str(&format!("{prefix}a{i}: &a{i} {body}\n"));
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, .. ProptestConfig::default() })]

    /// Nested aliases that would expand to millions of nodes are refused in go-yaml's words
    /// by every route that reads YAML, at once and in flat memory (without the budget the
    /// loaders copy each alias and the process runs out of memory).
    #[test]
    fn alias_bombs_are_refused_everywhere(levels in 7usize..10, width in 7usize..10, mapping in prop::bool::ANY) {
        let text = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n{}", alias_bomb(levels, width, mapping, "  "));
        let mut cluster = Cluster::new();
        let out = cluster.run(&format!("kubectl apply -f - <<'EOF'\n{text}\nEOF"));
        prop_assert!(out.text().contains("yaml: document contains excessive aliasing"), "{}", out.text());
        let _ = cluster.run(&format!("mkdir d; cat <<'EOF' > d/bomb.yaml\n{text}\nEOF"));
        for cmd in ["kubectl create -f d/bomb.yaml", "kubectl replace -f d/bomb.yaml", "kubectl diff -f d/bomb.yaml",
                    "kubectl delete -f d/bomb.yaml", "kubectl apply -f d/", "kubectl create configmap web",
                    "kubectl patch configmap web --patch-file d/bomb.yaml"] {
            let out = cluster.run(cmd);
            prop_assert!(!out.text().contains("created") || cmd.contains("create configmap"), "{cmd}: {}", out.text());
        }
        let problems = kubeplay_engine::lint_manifest("bomb.yaml", &text);
        prop_assert!(problems.iter().any(|p| p.message.contains("excessive aliasing")), "{problems:?}");
        let lesson = format!("id: bomb\ntitle: t\n{}", alias_bomb(levels, width, mapping, ""));
        let _ = kubeplay_engine::lessons::parse("bomb.yaml", &lesson);
    }
}

/// A template, script or command nested `depth` levels deep, of one of several kinds.
fn deep_line(kind: u8, depth: usize) -> String {
    let rep = |s: &str| s.repeat(depth);
    match kind {
        0 => format!("kubectl get pods -A -o jsonpath='{}x{}'", rep("{range .items[*]}"), rep("{end}")),
        1 => format!("kubectl get pods -A -o jsonpath='{{.items{}}}'", rep("[?(@.a") + &rep(")]")),
        2 => format!("kubectl get pods -A -o custom-columns='N:.items{}'", rep("[?(@.a") + &rep(")]")),
        3 => format!("kubectl run deep --image=busybox --restart=Never -- sh -c 'echo {}x{}'", rep("$(echo "), rep(")")),
        4 => format!("kubectl run deep --image=busybox --restart=Never -- sh -c '{}:{}'", rep("for i in 1; do "), rep("; done")),
        5 => "kubectl run deep --image=busybox --restart=Never -- sh -c 'X='\"'\"'sh -c \"$X\"'\"'\"'; export X; sh -c \"$X\"'".to_string(),
        _ => format!("echo {}x{}", rep("$(echo "), rep(")")),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Templates, container scripts and substitutions nested far past any limit are refused
    /// with a message, never a stack overflow (which aborts the process, and the page).
    #[test]
    fn deep_templates_and_shells_never_overflow(kind in 0u8..7, depth in prop_oneof![Just(10_000usize), 60usize..70, 1_000usize..3_000]) {
        let mut cluster = Cluster::new();
        let out = cluster.run(&deep_line(kind, depth));
        if kind == 0 && depth > 64 {
            prop_assert!(out.text().contains("exceeded max depth of 64"), "{}", &out.text()[..200.min(out.text().len())]);
        }
        // client-go ends a filter at its first `)`: nested filters are a parse error.
        if (1..=2).contains(&kind) {
            prop_assert!(out.text().contains("unterminated filter"), "{}", &out.text()[..200.min(out.text().len())]);
        }
        if (3..=5).contains(&kind) {
            cluster.advance(SimDuration::seconds(10));
            let logs = cluster.run("kubectl logs deep");
            prop_assert!(depth <= 8 || logs.text().contains("nested too deeply"), "{}", logs.text());
        }
    }

    /// `$(VAR)` references that double a value `n` times stop at the kubelet's bound: the
    /// container is not created, the pod says why, and memory stays flat.
    #[test]
    fn doubling_env_expansion_is_bounded(n in 16usize..40, in_args in prop::bool::ANY) {
        let mut env = String::from("    - name: V0\n      value: xx\n");
        for i in 1..=n {
            env.push_str(&format!("    - name: V{i}\n      value: \"$(V{})$(V{})\"\n", i - 1, i - 1));
        }
        let last = if in_args { format!("$(V{n})$(V{n})") } else { "hi".into() };
        let pod = format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: env\nspec:\n  containers:\n  - name: c\n    image: busybox\n    command: [echo, \"{last}\"]\n    env:\n{env}");
        let mut cluster = Cluster::new();
        let out = cluster.run(&format!("kubectl apply -f - <<'EOF'\n{pod}\nEOF"));
        prop_assert!(out.text().contains("pod/env created"), "{}", out.text());
        cluster.advance(SimDuration::seconds(5));
        let out = cluster.run("kubectl get pod env");
        prop_assert_eq!(n >= 17 || in_args, out.text().contains("CreateContainerConfigError"), "{}", out.text());
    }

    /// `tr` sets of many wide ranges are read and applied in linear time.
    #[test]
    fn tr_with_many_ranges_is_linear(ranges in 500usize..1_500) {
        let mut cluster = Cluster::new();
        let set = "!-\u{10FFFF}".repeat(ranges);
        let out = cluster.run(&format!("echo hello | tr '{set}' A-Z"));
        prop_assert_eq!(out.text(), "ZZZZZ\n");
    }
}

/// Numbers that break naive arithmetic, the extremes most often: the int32, int64 and
/// uint64 limits and one past them, 1e300, a 16-digit value, negatives, Go's longest
/// duration and one past it, `inf`, `nan`.
fn hostile_number() -> impl Strategy<Value = &'static str> {
    const EXTREMES: &[&str] = &[
        "2147483647",
        "9223372036854775807",
        "-9223372036854775808",
        "9999999999999999",
        "1e300",
    ];
    const OTHERS: &[&str] = &[
        "2147483648",
        "-2147483648",
        "-2147483649",
        "9223372036854775808",
        "18446744073709551616",
        "-1e300",
        "1e-300",
        "0",
        "-0",
        "-1",
        "0x7fffffff",
        ".5",
        "1.",
        "nan",
        "inf",
        "infinity",
        "2562047h47m16.854775807",
        "2562047h47m16.854775808",
    ];
    prop_oneof![
        3 => prop::sample::select(EXTREMES),
        1 => prop::sample::select(OTHERS),
    ]
}

/// A hostile number with one of the duration or interval units, or none.
fn hostile_duration() -> impl Strategy<Value = String> {
    const UNITS: &[&str] = &["", "ns", "us", "µs", "ms", "s", "m", "h", "d"];
    (hostile_number(), prop::sample::select(UNITS)).prop_map(|(n, u)| format!("{n}{u}"))
}

/// Every duration or interval flag, `@every` and `sleep`, with `D` for the duration.
const DURATION_LINES: &[&str] = &[
    "kubectl wait pod/p --for=condition=Ready --timeout=D",
    "kubectl rollout status deploy/d --timeout=D",
    "kubectl logs p --since=D",
    "kubectl scale deploy d --replicas=1 --timeout=D",
    "kubectl delete pod nope --timeout=D",
    "kubectl drain node3 --ignore-daemonsets --force --timeout=D",
    "kubectl create token default --duration=D",
    "kubectl create cronjob e --image=busybox --schedule='@every D' -- date",
    // A simulated day (the console's longest sleep) costs the scale envelope's time: bounded.
    "timeout 10 sleep D",
    "timeout 10 sleep 1 D D",
    "timeout D sleep 3; echo $?",
    "kubectl exec p -- timeout -k D D sleep D",
    "kubectl exec p -- sh -c 'timeout -s KILL D sh -c \"sleep D; echo x\"; echo $?'",
    "kubectl run s --image=busybox -- sleep D",
    "kubectl run t --image=busybox --restart=Always -- sh -c 'sleep D; sleep 1 D'",
];

/// Every integer flag and integer manifest field, with `N` for the number. Replica counts go
/// through a dry run or a failing precondition (how many pods a tab simulates is the scale
/// envelope's business, not this test's).
const INTEGER_LINES: &[&str] = &[
    "kubectl rollout history deploy/d --revision=N",
    "kubectl logs p --tail=N",
    "kubectl scale deploy d --replicas=N --current-replicas=7",
    "kubectl create deploy x --image=nginx --replicas=N --dry-run=server",
    "kubectl create deploy x --image=nginx --port=N --dry-run=server",
    "kubectl autoscale deploy d --min=1 --max=N --dry-run=server",
    "kubectl delete pod p --grace-period=N",
    "kubectl drain node3 --ignore-daemonsets --force --grace-period=N",
    "kubectl patch job j -p '{\"spec\":{\"activeDeadlineSeconds\":N}}'",
    "kubectl patch job j -p '{\"spec\":{\"backoffLimit\":N}}'",
    "kubectl patch cronjob c -p '{\"spec\":{\"startingDeadlineSeconds\":N}}'",
    "kubectl patch cronjob c -p '{\"spec\":{\"successfulJobsHistoryLimit\":N}}'",
    "kubectl patch deploy d -p '{\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxSurge\":N}}}}'",
    "kubectl patch deploy d -p '{\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxUnavailable\":N}}}}'",
    "kubectl patch deploy d -p '{\"spec\":{\"minReadySeconds\":N}}'",
    "kubectl patch deploy d -p '{\"spec\":{\"progressDeadlineSeconds\":N}}'",
    "kubectl patch deploy d -p '{\"spec\":{\"revisionHistoryLimit\":N}}'",
    "kubectl patch deploy d -p '{\"spec\":{\"template\":{\"spec\":{\"terminationGracePeriodSeconds\":N}}}}'",
];

/// A hostile number with a quantity suffix (or a huge or tiny exponent), as `Q` in
/// [`QUANTITY_LINES`].
fn hostile_quantity() -> impl Strategy<Value = String> {
    const SUFFIXES: &[&str] = &[
        "",
        "m",
        "n",
        "Mi",
        "Ei",
        "E",
        "e400",
        "e-400",
        "e99999999999",
        "e4294967296",
        "Mb",
        "ki",
    ];
    (hostile_number(), prop::sample::select(SUFFIXES)).prop_map(|(n, u)| format!("{n}{u}"))
}

/// Every place a quantity is typed: flags and the manifests' resource lists.
const QUANTITY_LINES: &[&str] = &[
    "kubectl set resources deploy d --requests=cpu=Q,memory=Q",
    "kubectl set resources deploy d --limits=cpu=Q",
    "kubectl create quota q --hard=cpu=Q,memory=Q,pods=Q",
    "kubectl autoscale deploy d --max=3 --cpu=Q",
    "kubectl run r --image=nginx --overrides='{\"spec\":{\"containers\":[{\"name\":\"r\",\"image\":\"nginx\",\"resources\":{\"requests\":{\"memory\":\"Q\"}}}]}}'",
    "printf 'apiVersion: v1\\nkind: PersistentVolumeClaim\\nmetadata: {name: c}\\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: \"Q\"}}}\\n' | kubectl apply -f -",
    "printf 'apiVersion: v1\\nkind: LimitRange\\nmetadata: {name: l}\\nspec: {limits: [{type: Container, max: {cpu: \"Q\"}, default: {memory: Q}}]}\\n' | kubectl apply -f -",
];

/// A line of any list with its number in place.
fn number_line() -> impl Strategy<Value = String> {
    prop_oneof![
        (prop::sample::select(QUANTITY_LINES), hostile_quantity())
            .prop_map(|(t, q)| t.replace('Q', &q)),
        (prop::sample::select(DURATION_LINES), hostile_duration())
            .prop_map(|(t, d)| t.replace('D', &d)),
        (prop::sample::select(INTEGER_LINES), hostile_number())
            .prop_map(|(t, n)| t.replace('N', n)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// Hostile numbers at every flag and field that takes one: refused with a message or
    /// saturated, never a panic (overflow checks are on in tests) nor a hang.
    #[test]
    fn hostile_numbers_never_panic(lines in prop::collection::vec(number_line(), 1..6)) {
        let mut cluster = Cluster::new();
        for setup in [
            "kubectl create deploy d --image=nginx",
            "kubectl run p --image=busybox -- sleep 3600",
            "kubectl create cronjob c --image=busybox --schedule='*/5 * * * *' -- date",
            "kubectl create job j --image=busybox -- sh -c 'exit 1'",
        ] {
            let _ = cluster.run(setup);
        }
        for line in lines {
            let _ = cluster.run(&line);
            cluster.advance(SimDuration::seconds(5));
        }
    }
}

/// Pieces of shell arithmetic: operators in every precedence, numbers at and past the
/// 64-bit edges, bases, variables (one holds an expression, one names itself).
fn arith_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(
        &[
            "1",
            "0",
            "-1",
            "9223372036854775807",
            "99999999999999999999",
            "0x7fffffffffffffff",
            "64#@_",
            "2#",
            "08",
            "1#1",
            "x",
            "y",
            "z",
            "$x",
            "++x",
            "x--",
            "(",
            ")",
            "+",
            "-",
            "*",
            "/",
            "%",
            "**",
            "<<",
            ">>",
            "<",
            "<=",
            "==",
            "!=",
            "&",
            "|",
            "^",
            "&&",
            "||",
            "!",
            "~",
            "?",
            ":",
            ",",
            "=",
            "+=",
            "*=",
            "/=",
            "%=",
            "<<=",
            ">>=",
            "&=",
            "|=",
            "^=",
            " ",
            "@",
        ][..],
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// Random arithmetic never panics (overflow checks are on in tests), in `$((...))`,
    /// `[[ -eq ]]` and a container's shell alike.
    #[test]
    fn arithmetic_never_panics(pieces in prop::collection::vec(arith_piece(), 0..24)) {
        let expr: String = pieces.concat();
        let mut c = Cluster::new();
        c.run("y='x*2+1'; z=z; x=3");
        let _ = c.run(&format!("echo $(({expr}))"));
        let _ = c.run(&format!("[[ {expr} -eq 1 ]]; echo $?"));
    }
}

/// Words of node-side lines: ssh and its sessions, sudo, systemctl's verbs and units, and
/// what a learner does around a stopped kubelet.
const NODE_WORDS: &[&str] = &[
    "ssh node1",
    "ssh node2 sudo systemctl stop kubelet",
    "ssh node1 'sudo systemctl stop kubelet; sudo systemctl start kubelet'",
    "ssh control-plane systemctl restart kubelet",
    "sudo",
    "sudo -i",
    "sudo -u",
    "systemctl",
    "systemctl stop kubelet",
    "systemctl start kubelet kubelet containerd",
    "systemctl status",
    "systemctl status kubelet.service docker nope.socket",
    "systemctl is-active kubelet",
    "systemctl enable --now kubelet",
    "systemctl disable kubelet",
    "systemctl frobnicate kubelet",
    "systemctl stop containerd",
    "exit",
    "exit 300",
    "logout",
    "sleep 45",
    "sleep 400",
    "kubectl get nodes",
    "kubectl logs -l app=web",
    "kubectl exec deploy/web -- nginx -v",
    "kubectl delete pod -l app=web --grace-period=0 --force",
    "kubectl drain node1 --ignore-daemonsets",
    "kubectl uncordon node1",
    "kubectl delete node node2",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    /// Stopping and starting kubelets, in ssh sessions or one command at a time, around
    /// deletions, drains and time passing, never panics; after every kubelet is started
    /// again and the grace period passes, every remaining node is Ready.
    #[test]
    fn node_failures_never_panic(lines in prop::collection::vec(prop::sample::select(NODE_WORDS), 1..12)) {
        let mut cluster = Cluster::new();
        cluster.run("kubectl create deployment web --image=nginx --replicas=4");
        cluster.advance(SimDuration::seconds(20));
        for line in &lines {
            let _ = cluster.run(line);
        }
        let _ = cluster.run("exit");
        for node in ["control-plane", "node1", "node2", "node3"] {
            let _ = cluster.run(&format!("ssh {node} systemctl start kubelet"));
        }
        cluster.advance(SimDuration::seconds(70));
        let nodes = cluster.run("kubectl get nodes --no-headers").stdout();
        prop_assert!(!nodes.contains("NotReady"), "{lines:?}\n{nodes}");
    }
}

/// What a learner might leave in a node's static pod directory: pods good and bad, other
/// kinds, names too long for a pod, deep nesting and alias bombs.
fn static_manifest() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx\n".to_string()),
        Just("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: nope\nspec:\n  containers:\n  - name: web\n    image: nginx\n".to_string()),
        Just("apiVersion: v1\nkind: Pod\nmetadata:\n  name: s\nspec:\n  volumes:\n  - name: s\n    secret:\n      secretName: s\n  containers:\n  - name: c\n    image: nginx\n".to_string()),
        Just("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n".to_string()),
        Just("kind: [\n".to_string()),
        Just(String::new()),
        "[a-z]{60,80}".prop_map(|n| format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {n}\nspec:\n  containers:\n  - name: c\n    image: nginx\n")),
        (7usize..10, 7usize..10).prop_map(|(l, w)| format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n{}", alias_bomb(l, w, false, ""))),
        (1usize..3000).prop_map(|d| format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {}{}", "[".repeat(d), "]".repeat(d))),
        ".{0,200}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, .. ProptestConfig::default() })]

    /// Whatever is written to a node's /etc/kubernetes/manifests (and changed, moved,
    /// removed, with mirror pods deleted and kubelets stopped), the kubelets never panic,
    /// and a valid manifest left in place runs as its mirrored pod.
    #[test]
    fn static_pod_manifests_never_panic(files in prop::collection::vec((0usize..4, static_manifest()), 1..6)) {
        let mut cluster = Cluster::new();
        for (i, (node, text)) in files.iter().enumerate() {
            let node = ["control-plane", "node1", "node2", "node3"][*node];
            let _ = cluster.run(&format!("ssh {node} 'cat > /etc/kubernetes/manifests/m{i}.yaml' <<'EOF'\n{text}\nEOF"));
            let _ = cluster.run("kubectl delete pods --all");
            let _ = cluster.run(&format!("ssh {node} systemctl restart kubelet"));
        }
        let _ = cluster.run("ssh node1 mv /etc/kubernetes/manifests/m0.yaml /tmp/");
        let _ = cluster.run("ssh control-plane \"sed -i 's/leader-elect=true/leader-elect=false/' /etc/kubernetes/manifests/kube-scheduler.yaml\"");
        let web = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kept\nspec:\n  containers:\n  - name: c\n    image: nginx\n";
        let _ = cluster.run(&format!("ssh node2 'cat > /etc/kubernetes/manifests/kept.yaml' <<'EOF'\n{web}EOF"));
        cluster.advance(SimDuration::seconds(30));
        let pods = cluster.run("kubectl get pods -A --no-headers").stdout();
        prop_assert!(pods.contains("kept-node2"), "{pods}");
        prop_assert!(pods.contains("kube-scheduler-control-plane"), "{pods}");
    }
}

/// Words of a crictl command line: its subcommands and flags, with hostile values (huge
/// counts, regular expressions that nest or do not compile, long and empty IDs).
const CRICTL_WORDS: &[&str] = &[
    "ps",
    "pods",
    "images",
    "logs",
    "version",
    "config",
    "inspect",
    "-a",
    "-q",
    "-l",
    "-aq",
    "-n",
    "99999999999999999999",
    "-1",
    "--last",
    "--name",
    "--namespace",
    "(((((a*)*)*)*)*",
    "[",
    "kube.*",
    "",
    "-s",
    "exited",
    "--state",
    "--pod",
    "-p",
    "--id",
    "--tail",
    "-t",
    "--no-trunc",
    "-o",
    "json",
    "--set",
    "runtime-endpoint=",
    "timeout=x",
    "a=b,c",
    "--get",
    "-r",
    "unix:///run/containerd/containerd.sock",
    "--runtime-endpoint",
    "--version",
    "0",
    "nginx",
    "nginx:latest",
    "sha256:",
    "--filter",
    "-f",
    "--bogus",
    "-xyz",
    "--",
    "crictl",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// Any crictl command line, on a node or in a session, with flags of the control
    /// plane's manifests mangled, never panics; once the manifests are mended the API
    /// server answers again.
    #[test]
    fn crictl_and_broken_control_plane_flags_never_panic(
        lines in prop::collection::vec(prop::collection::vec(prop::sample::select(CRICTL_WORDS), 0..8), 1..6),
        flag in prop::sample::select(&["--etcd-servers=", "--secure-port=", "--data-dir=", "--advertise-address=", "- kube-scheduler", "- kube-controller-manager"][..]),
        junk in prop_oneof![Just("x".to_string()), "[a-z_=-]{0,12}", (1usize..40).prop_map(|n| "9".repeat(n))],
    ) {
        let mut cluster = Cluster::new();
        cluster.run("kubectl run crash --image=busybox -- sh -c 'exit 1'");
        let sed = format!("{flag}{junk}");
        let _ = cluster.run(&format!("ssh control-plane \"cp -r /etc/kubernetes/manifests /root/m; sed -i 's#{flag}#{sed}#' /etc/kubernetes/manifests/*.yaml\""));
        cluster.advance(SimDuration::seconds(30));
        for (i, words) in lines.iter().enumerate() {
            let line = format!("crictl {}", words.join(" "));
            let _ = if i % 2 == 0 {
                cluster.run(&format!("ssh control-plane '{line}'"))
            } else {
                cluster.run("ssh node1");
                let out = cluster.run(&line);
                cluster.run("exit");
                out
            };
        }
        let _ = cluster.run("ssh control-plane 'cp /root/m/* /etc/kubernetes/manifests/'");
        cluster.advance(SimDuration::seconds(60));
        let nodes = cluster.run("kubectl get nodes --no-headers");
        prop_assert!(nodes.stdout().contains("control-plane"), "{sed}\n{lines:?}\n{}", nodes.stderr());
        cluster.run("kubectl create deployment after --image=nginx");
        cluster.advance(SimDuration::seconds(30));
        let pods = cluster.run("kubectl get pods -l app=after --no-headers").stdout();
        prop_assert!(pods.contains("Running"), "{sed}\n{lines:?}\n{pods}");
    }
}

/// Words `journalctl` and `systemctl` lines are made of.
const JOURNAL_WORDS: &[&str] = &[
    "-u",
    "kubelet",
    "containerd",
    "-n",
    "0",
    "3",
    "all",
    "+2",
    "-x",
    "-e",
    "-f",
    "-r",
    "-q",
    "-xeu",
    "-n99999999999999999999",
    "--lines",
    "--lines=",
    "--unit=kubelet",
    "--no-pager",
    "-b",
    "-k",
    "--since",
    "x=y",
    "/usr/bin/kubelet",
    "-",
    "--",
    "-uz",
    "status",
    "restart",
    "stop",
    "start",
    "is-active",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// Any journalctl or systemctl line on a node whose kubelet configuration was mangled
    /// (a failing kubelet's loop, however long it ran), never panics; once the file is
    /// mended and the kubelet restarted, the node is Ready again.
    #[test]
    fn journalctl_and_a_broken_kubelet_never_panic(
        lines in prop::collection::vec(prop::collection::vec(prop::sample::select(JOURNAL_WORDS), 0..7), 1..6),
        mangle in prop::sample::select(&["s/^kind:.*//", "s/^cgroupDriver: .*/cgroupDriver: [1]/", "s/: /:/", "s/^/\\t/", "s#ca.crt#x#", "s/^maxPods.*//;$a maxPods: 99999999999"][..]),
        hours in 0i64..200,
    ) {
        let mut cluster = Cluster::new();
        let _ = cluster.run(&format!("ssh node1 \"cp /var/lib/kubelet/config.yaml /root/c; sed -i '{mangle}' /var/lib/kubelet/config.yaml; systemctl restart kubelet\""));
        cluster.advance(SimDuration::seconds(hours * 3600 + 7));
        for (i, words) in lines.iter().enumerate() {
            let program = if i % 2 == 0 { "journalctl" } else { "systemctl" };
            let _ = cluster.run(&format!("ssh node1 {program} {} | tail -3", words.join(" ")));
        }
        let _ = cluster.run("ssh node1 'cp /root/c /var/lib/kubelet/config.yaml; systemctl restart kubelet'");
        cluster.advance(SimDuration::seconds(30));
        let node = cluster.run("kubectl get node node1 --no-headers").stdout();
        prop_assert!(node.contains(" Ready "), "{mangle}\n{lines:?}\n{node}");
    }
}
