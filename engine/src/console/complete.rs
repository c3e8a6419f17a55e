//! Tab completion of a console line: commands, kubectl verbs and sub-verbs, flags and their
//! values, resource types, object names from the live cluster, workspace files.
//!
//! Read-only: it looks at the store, the console's namespace and the workspace, and never
//! changes the cluster (nor its clock or its random numbers).

use std::collections::BTreeSet;

use super::is_assignment;
use super::kubectl::{self, flags::Flag};
use crate::api::kinds::{self, KindInfo};
use crate::cluster::Cluster;

/// What completing a line offers.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Completion {
    /// Byte offset in the line where the word being completed starts; a candidate replaces
    /// `line[start..]`.
    pub start: usize,
    /// Whole replacement words, sorted and de-duplicated. A candidate ending in `/`, `=`
    /// or `.` is not a finished word (a name, a value or a field follows).
    pub candidates: Vec<String>,
}

impl Completion {
    /// Whether a candidate is a finished word (a space may follow it), not the start of
    /// a longer one (`deployment/`, `--output=`, `pod.spec.`).
    pub fn is_finished(candidate: &str) -> bool {
        !(candidate.ends_with('/') || candidate.ends_with('=') || candidate.ends_with('.'))
    }
}

/// Programs whose arguments are workspace files.
const FILE_PROGRAMS: &[&str] = &[
    "cat", "vi", "vim", "nano", "edit", "rm", "ls", "head", "tail", "wc", "sed", "source", ".",
    "tee",
];

/// `-o` values offered (the ones ending in `=` take a template).
const OUTPUTS: &[&str] = &[
    "custom-columns=",
    "json",
    "jsonpath=",
    "name",
    "wide",
    "yaml",
];

const ROLLOUT_SUBS: &[&str] = &["history", "pause", "restart", "resume", "status", "undo"];
const CREATE_SUBS: &[&str] = &[
    "configmap",
    "cronjob",
    "deployment",
    "ingress",
    "job",
    "namespace",
    "secret",
    "service",
    "serviceaccount",
];
const SERVICE_TYPES: &[&str] = &["clusterip", "externalname", "loadbalancer", "nodeport"];
const CONFIG_SUBS: &[&str] = &[
    "current-context",
    "get-contexts",
    "set-context",
    "use-context",
    "view",
];
const SET_SUBS: &[&str] = &["env", "image", "resources"];

/// Verbs whose first argument is a resource type (or `TYPE/NAME`), then names.
const TYPE_VERBS: &[&str] = &[
    "annotate", "delete", "describe", "edit", "expose", "get", "label", "patch", "scale", "wait",
];

/// Verbs whose first argument is a pod.
const POD_VERBS: &[&str] = &["attach", "exec", "logs", "port-forward"];

/// Completes the last word of `line` (see [`Completion`]).
pub fn complete(cluster: &Cluster, line: &str) -> Completion {
    let (words, current) = split(line);
    let start = current.as_ref().map_or(line.len(), |w| w.start);
    let prefix = current.map(|w| w.text).unwrap_or_default();
    if cluster.console.exec_session.is_some() || cluster.console.ssh_session.is_some() {
        return Completion {
            start,
            candidates: Vec::new(),
        };
    }
    let ctx = Context {
        cluster,
        prefix: &prefix,
    };
    let mut candidates = ctx.candidates(&words);
    candidates.retain(|c| c.starts_with(prefix.as_str()));
    let set: BTreeSet<String> = candidates.into_iter().collect();
    Completion {
        start,
        candidates: set.into_iter().collect(),
    }
}

/// `kubectl explain RESOURCE.FIELD...`: the fields under the path typed so far, each as the
/// whole word; a field with fields of its own ends in `.` (`pod.spec.`), so Tab goes on
/// (`explain` ignores a final dot).
fn explain_paths(api: &crate::apiserver::ApiServer, word: &str) -> Vec<String> {
    let Some((base, _partial)) = word.rsplit_once('.') else {
        return Vec::new();
    };
    let Ok((kind, path)) = kubectl::explain::resource_path(api, base) else {
        return Vec::new();
    };
    crate::api::explain::field_names(kind, &path)
        .into_iter()
        .map(|f| {
            let deeper: Vec<&str> = path.iter().copied().chain([f.as_str()]).collect();
            if !crate::api::explain::field_names(kind, &deeper).is_empty() {
                format!("{base}.{f}.")
            } else {
                format!("{base}.{f}")
            }
        })
        .collect()
}

/// A word of the line: where it starts and its text without quotes.
#[derive(Clone, Debug)]
struct Word {
    start: usize,
    text: String,
    /// A redirection operator (`>`, `>>`, `<`).
    redirect: bool,
}

/// The words of the last command of `line` before the one being completed, and the one
/// being completed (None when the line ends in a blank or an operator).
fn split(line: &str) -> (Vec<Word>, Option<Word>) {
    let mut words: Vec<Word> = Vec::new();
    let mut current: Option<Word> = None;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if escaped {
            escaped = false;
            current.get_or_insert_with(|| word(i)).text.push(c);
            continue;
        }
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else {
                current.get_or_insert_with(|| word(i)).text.push(c);
            }
            continue;
        }
        match c {
            '\\' => {
                current.get_or_insert_with(|| word(i));
                escaped = true;
            }
            '\'' | '"' => {
                current.get_or_insert_with(|| word(i));
                quote = Some(c);
            }
            ' ' | '\t' => words.extend(current.take()),
            '|' | ';' | '&' | '\n' | '(' | ')' => {
                current = None;
                words.clear();
            }
            '>' | '<' => {
                words.extend(current.take());
                if chars.peek().is_some_and(|(_, n)| *n == c) {
                    chars.next();
                }
                words.push(Word {
                    start: i,
                    text: c.to_string(),
                    redirect: true,
                });
            }
            _ => current.get_or_insert_with(|| word(i)).text.push(c),
        }
    }
    (words, current)
}

fn word(start: usize) -> Word {
    Word {
        start,
        text: String::new(),
        redirect: false,
    }
}

struct Context<'a> {
    cluster: &'a Cluster,
    prefix: &'a str,
}

impl Context<'_> {
    fn candidates(&self, words: &[Word]) -> Vec<String> {
        if words.last().is_some_and(|w| w.redirect) {
            return self.files(self.prefix);
        }
        let words: Vec<&str> = words
            .iter()
            .filter(|w| !w.redirect)
            .map(|w| w.text.as_str())
            // `NAME=value cmd`: assignments before the program; `do cmd` in a loop.
            .skip_while(|w| is_assignment(w) || *w == "do")
            .collect();
        // `timeout DURATION COMMAND...`: the command is completed (a loop, not recursion:
        // a pasted line may hold any number of them).
        let mut words = words.as_slice();
        while let ["timeout", _, rest @ ..] = words {
            words = rest;
        }
        let Some((program, args)) = words.split_first() else {
            if is_assignment(self.prefix) {
                return Vec::new();
            }
            return super::session::command_names(self.cluster);
        };
        // An alias (`k`, `kgp='kubectl get pods'`) completes as what it stands for.
        let expanded: Vec<&str>;
        let (program, args) = match self.cluster.console.aliases.get(*program) {
            Some(value) => {
                expanded = value
                    .split_whitespace()
                    .chain(args.iter().copied())
                    .collect();
                match expanded.split_first() {
                    Some((p, a)) => (p, a),
                    None => return Vec::new(),
                }
            }
            None => (program, args),
        };
        match *program {
            "kubectl" => self.kubectl(args),
            "minikube" => self.minikube(args),
            // `timeout DURATION` (completing the duration).
            "timeout" => Vec::new(),
            p if FILE_PROGRAMS.contains(&p) && !self.prefix.starts_with('-') => {
                self.files(self.prefix)
            }
            _ => Vec::new(),
        }
    }

    fn kubectl(&self, args: &[&str]) -> Vec<String> {
        // The verb (and sub-verb) decide the flags; find them among the positionals.
        let (positionals, dash) = split_positionals(args, kubectl::flags::GLOBAL);
        let verb = positionals.first().copied();
        let sub = positionals.get(1).copied();
        let flags: Vec<Flag> = verb
            .map(|v| kubectl::verb_flags(v, sub))
            .unwrap_or_default()
            .iter()
            .chain(kubectl::flags::GLOBAL)
            .copied()
            .collect();
        let (positionals, dash) = if verb.is_some() {
            split_positionals(args, &flags)
        } else {
            (positionals, dash)
        };
        if dash {
            return Vec::new();
        }
        // The value of a flag given as the previous word (`-n ku`, `-o ya`).
        if let Some(last) = args.last() {
            if let Some(flag) = value_flag(last, &flags) {
                return self.flag_value(flag.long, "", args);
            }
        }
        let prefix = self.prefix;
        if let Some(rest) = prefix.strip_prefix("--").filter(|r| r.contains('=')) {
            let (name, _) = rest.split_once('=').unwrap_or((rest, ""));
            return self
                .flag_value(name, &format!("--{name}="), args)
                .into_iter()
                .collect();
        }
        if prefix.starts_with('-') {
            let mut out = Vec::new();
            for f in &flags {
                out.push(format!("--{}", f.long));
                if let Some(s) = f.short {
                    out.push(format!("-{s}"));
                }
            }
            return out;
        }
        let Some(verb) = verb else {
            return owned(&kubectl::verb_names());
        };
        let rest = &positionals[1..];
        match verb {
            "rollout" => match rest {
                [] => owned(ROLLOUT_SUBS),
                [_, types @ ..] => self.resources(types, args),
            },
            "create" => match rest {
                [] => owned(CREATE_SUBS),
                ["service" | "svc"] => owned(SERVICE_TYPES),
                ["secret"] => owned(kubectl::SECRET_TYPES),
                _ => Vec::new(),
            },
            "config" => match rest {
                [] => owned(CONFIG_SUBS),
                ["use-context"] => vec![self.cluster.profile.kubeconfig.context.clone()],
                _ => Vec::new(),
            },
            "set" => match rest {
                [] => owned(SET_SUBS),
                [_, types @ ..] => self.resources(types, args),
            },
            "explain" => match rest {
                [] if self.prefix.contains('.') => {
                    explain_paths(&self.cluster.world.api, self.prefix)
                }
                [] => kinds::KINDS.iter().map(|k| k.plural.to_string()).collect(),
                _ => Vec::new(),
            },
            v if TYPE_VERBS.contains(&v) => {
                let mut out = self.resources(rest, args);
                if v == "get" && rest.is_empty() {
                    out.push("all".into());
                }
                out
            }
            v if POD_VERBS.contains(&v) => match rest {
                [] => self.names(kinds::info("Pod"), args),
                _ => Vec::new(),
            },
            "cordon" | "uncordon" | "drain" => self.names(kinds::info("Node"), args),
            "top" => match rest {
                [] => vec!["node".into(), "pod".into()],
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// Candidates for a resource argument after `types` (the resource words already given).
    fn resources(&self, types: &[&str], args: &[&str]) -> Vec<String> {
        if let Some((kind, _)) = self.prefix.split_once('/') {
            return match kinds::resolve(kind) {
                Some(info) => self
                    .names(info, args)
                    .into_iter()
                    .map(|n| format!("{kind}/{n}"))
                    .collect(),
                None => Vec::new(),
            };
        }
        match types.first() {
            // A type, then names of that type (`TYPE/NAME` forms take more of those).
            None => self.type_words(),
            Some(t) if t.contains('/') => Vec::new(),
            Some(t) if t.contains(',') || *t == "all" => Vec::new(),
            Some(t) => match kinds::resolve(t) {
                Some(info) => self.names(info, args),
                None => Vec::new(),
            },
        }
    }

    /// The types' plurals, as kubectl's completion offers them (`po` → `pods`, `podtemplates`,
    /// `poddisruptionbudgets`); a singular or short name typed in full that no plural begins
    /// with (`svc`) is kept as it is.
    fn type_words(&self) -> Vec<String> {
        let p = self.prefix.to_ascii_lowercase();
        if kinds::KINDS
            .iter()
            .any(|k| k.plural.starts_with(p.as_str()))
        {
            return kinds::KINDS.iter().map(|k| k.plural.to_string()).collect();
        }
        let typed = kinds::KINDS
            .iter()
            .any(|k| p == k.singular() || k.short_names.contains(&p.as_str()));
        if typed {
            vec![p]
        } else {
            Vec::new()
        }
    }

    /// The namespace the command lists `info`'s objects in: its `-n` or the context's;
    /// none (every namespace) for cluster-scoped kinds and with `-A`.
    fn scope<'b>(&'b self, info: &KindInfo, args: &[&'b str]) -> Option<&'b str> {
        let all = args.iter().any(|a| *a == "-A" || *a == "--all-namespaces");
        let ns = namespace_arg(args).unwrap_or(self.cluster.console.namespace.as_str());
        (info.namespaced && !all).then_some(ns)
    }

    /// `minikube COMMAND`, then `minikube service NAME` (Services of `-n`, else `default`).
    fn minikube(&self, args: &[&str]) -> Vec<String> {
        if self.prefix.starts_with('-') {
            return Vec::new();
        }
        // Words that are neither flags nor the values of `-n NS` / `-p PROFILE`.
        let positionals: Vec<&str> = args
            .iter()
            .enumerate()
            .filter(|(i, a)| {
                let after_value_flag = i
                    .checked_sub(1)
                    .and_then(|j| args.get(j))
                    .is_some_and(|prev| matches!(*prev, "-n" | "--namespace" | "-p" | "--profile"));
                !a.starts_with('-') && !after_value_flag
            })
            .map(|(_, a)| *a)
            .collect();
        match positionals.as_slice() {
            [] => owned(crate::console::minikube::SIMULATED),
            ["service"] => {
                let ns = namespace_arg(args).unwrap_or("default");
                let mut names: Vec<String> = self
                    .cluster
                    .world
                    .api
                    .list("Service", Some(ns))
                    .map(|o| o.name().to_string())
                    .collect();
                names.push("list".into());
                names
            }
            _ => Vec::new(),
        }
    }

    /// Names of the objects of a kind in the command's namespace (every namespace with -A).
    fn names(&self, info: &KindInfo, args: &[&str]) -> Vec<String> {
        self.cluster
            .world
            .api
            .list(info.kind, self.scope(info, args))
            .map(|o| o.name().to_string())
            .collect()
    }

    /// Values of flag `long`, each prefixed with `prefix` (`--output=`).
    fn flag_value(&self, long: &str, prefix: &str, args: &[&str]) -> Vec<String> {
        let typed = &self.prefix[prefix.len().min(self.prefix.len())..];
        let values = match long {
            "namespace" => self.names(kinds::info("Namespace"), args),
            "output" => owned(OUTPUTS),
            "filename" => self.files(typed),
            "context" => vec![self.cluster.profile.kubeconfig.context.clone()],
            "container" => self.containers(args),
            "selector" => {
                // `app=web,tier=`: the pairs before the last comma stay as typed.
                let kept = typed.rfind(',').map_or("", |i| &typed[..=i]);
                self.labels(args)
                    .into_iter()
                    .map(|pair| format!("{kept}{pair}"))
                    .collect()
            }
            _ => Vec::new(),
        };
        values.into_iter().map(|v| format!("{prefix}{v}")).collect()
    }

    /// `key=value` labels of the objects the command is about (its resource types, pods
    /// when it names none) in its namespace (every namespace with -A).
    fn labels(&self, args: &[&str]) -> Vec<String> {
        let (positionals, _) = split_positionals(args, kubectl::flags::GLOBAL);
        let mut types: Vec<&KindInfo> = positionals
            .get(1)
            .map(|t| t.split(',').filter_map(kinds::resolve).collect())
            .unwrap_or_default();
        if types.is_empty() {
            types.push(kinds::info("Pod"));
        }
        let mut pairs = BTreeSet::new();
        for info in types {
            for object in self
                .cluster
                .world
                .api
                .list(info.kind, self.scope(info, args))
            {
                for (k, v) in object.metadata().labels.iter().flatten() {
                    pairs.insert(format!("{k}={v}"));
                }
            }
        }
        pairs.into_iter().collect()
    }

    /// Containers (init containers too) of the pod named by `kubectl logs|exec POD`.
    fn containers(&self, args: &[&str]) -> Vec<String> {
        let (verbs, _) = split_positionals(args, kubectl::flags::GLOBAL);
        let flags: Vec<Flag> = kubectl::verb_flags(verbs.first().copied().unwrap_or(""), None)
            .iter()
            .chain(kubectl::flags::GLOBAL)
            .copied()
            .collect();
        let (positionals, _) = split_positionals(args, &flags);
        let Some(pod) = positionals
            .get(1)
            .map(|p| p.strip_prefix("pod/").unwrap_or(p))
        else {
            return Vec::new();
        };
        let ns = namespace_arg(args).unwrap_or(self.cluster.console.namespace.as_str());
        let Some(crate::api::object::Object::Pod(pod)) = self.cluster.world.api.get("Pod", ns, pod)
        else {
            return Vec::new();
        };
        let Some(spec) = &pod.spec else {
            return Vec::new();
        };
        spec.containers
            .iter()
            .chain(spec.init_containers.iter().flatten())
            .map(|c| c.name.clone())
            .collect()
    }

    /// Workspace paths that start with `typed`: files, and folders with a `/`.
    fn files(&self, typed: &str) -> Vec<String> {
        let ws = &self.cluster.console.files;
        let dir = typed.rfind('/').map_or("", |i| &typed[..=i]);
        ws.list(dir.trim_end_matches('/'))
            .into_iter()
            .map(|name| {
                let path = format!("{dir}{name}");
                if ws.is_dir(&path) {
                    format!("{path}/")
                } else {
                    path
                }
            })
            .filter(|p| p.starts_with(typed))
            .collect()
    }
}

/// The positional arguments among `args` given the flags known (value flags skip their
/// value), and whether a `--` was seen.
fn split_positionals<'a>(args: &[&'a str], flags: &[Flag]) -> (Vec<&'a str>, bool) {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        if a == "--" {
            return (out, true);
        }
        if a.starts_with('-') && a.len() > 1 {
            if value_flag(a, flags).is_some() {
                i += 1;
            }
        } else {
            out.push(a);
        }
        i += 1;
    }
    (out, false)
}

/// The flag `arg` names if it takes its value from the next argument (`-n`, `--output`).
fn value_flag<'f>(arg: &str, flags: &'f [Flag]) -> Option<&'f Flag> {
    let flag = if let Some(long) = arg.strip_prefix("--") {
        flags.iter().find(|f| f.long == long)
    } else {
        let mut short = arg.strip_prefix('-')?.chars();
        let c = short.next()?;
        if short.next().is_some() {
            return None;
        }
        flags.iter().find(|f| f.short == Some(c))
    }?;
    (flag.takes_value && flag.bare.is_none()).then_some(flag)
}

/// The `-n`/`--namespace` value among `args`.
fn namespace_arg<'a>(args: &[&'a str]) -> Option<&'a str> {
    let mut it = args.iter();
    let mut found = None;
    while let Some(a) = it.next() {
        if *a == "-n" || *a == "--namespace" {
            found = it.next().copied().or(found);
        } else if let Some(v) = a
            .strip_prefix("--namespace=")
            .or_else(|| a.strip_prefix("-n="))
        {
            found = Some(v);
        } else if let Some(v) = a.strip_prefix("-n").filter(|v| !v.is_empty()) {
            found = Some(v);
        }
    }
    found
}

fn owned(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(cluster: &Cluster, line: &str) -> Vec<String> {
        complete(cluster, line).candidates
    }

    fn cluster() -> Cluster {
        let mut cl = Cluster::new();
        for cmd in [
            "kubectl create deployment web --image=nginx",
            "kubectl create deployment worker --image=nginx",
            "kubectl create namespace dev",
            "kubectl create deployment api --image=nginx -n dev",
            "kubectl run solo --image=nginx",
            "echo a > web.yaml",
            "echo a > notes.txt",
            "echo a > manifests/db.yaml",
        ] {
            let out = cl.run(cmd);
            assert_eq!(out.exit_code, 0, "{cmd}: {}", out.text());
        }
        cl.advance(crate::SimDuration::seconds(10));
        cl
    }

    #[test]
    fn first_word() {
        let cl = Cluster::new();
        assert_eq!(c(&cl, "kub"), ["kubectl"]);
        assert_eq!(
            c(&cl, "s"),
            ["sed", "seq", "sleep", "sort", "source", "ssh"]
        );
        assert!(c(&cl, "").contains(&"kubectl".to_string()));
        assert_eq!(
            complete(&cl, "echo hi; cl"),
            Completion {
                start: 9,
                candidates: vec!["clear".into()]
            }
        );
        assert_eq!(c(&cl, "kubectl get pods | gr"), ["grep"]);
        assert_eq!(c(&cl, "true && ca"), ["case", "cat"]);
        assert_eq!(c(&cl, "X=1 kube"), ["kubectl"]);
        assert_eq!(c(&cl, "timeout 5s kub"), ["kubectl"]);
        assert_eq!(c(&cl, "timeout 5s kubectl get depl"), ["deployments"]);
        assert_eq!(c(&cl, "timeout 5"), Vec::<String>::new());
        assert_eq!(
            c(&cl, &("timeout 1 ".repeat(100_000) + "kube")),
            ["kubectl"]
        );
    }

    #[test]
    fn verbs_and_sub_verbs() {
        let cl = Cluster::new();
        assert_eq!(
            complete(&cl, "kubectl ge"),
            Completion {
                start: 8,
                candidates: vec!["get".into()]
            }
        );
        assert_eq!(c(&cl, "k de"), ["delete", "describe"]);
        let mut aliased = cluster();
        aliased.run("alias kgp='kubectl get pods' kd='kubectl describe'");
        assert_eq!(c(&aliased, "k get po"), c(&aliased, "kubectl get po"));
        assert_eq!(c(&aliased, "kd no"), c(&aliased, "kubectl describe no"));
        assert_eq!(c(&aliased, "kgp -"), c(&aliased, "kubectl get pods -"));
        assert!(c(&aliased, "kg").contains(&"kgp".to_string()));
        assert_eq!(c(&aliased, "so"), ["sort", "source"]);
        assert_eq!(c(&cl, "kubectl rollout st"), ["status"]);
        assert_eq!(c(&cl, "kubectl rollout "), ROLLOUT_SUBS);
        assert_eq!(c(&cl, "kubectl create dep"), ["deployment"]);
        assert_eq!(c(&cl, "kubectl create service n"), ["nodeport"]);
        assert_eq!(c(&cl, "kubectl config u"), ["use-context"]);
        assert_eq!(
            c(&cl, "kubectl config use-context "),
            ["kubernetes-admin@kubernetes"]
        );
        assert_eq!(c(&cl, "kubectl -n kube-system ge"), ["get"]);
        assert_eq!(c(&cl, "kubectl set i"), ["image"]);
    }

    #[test]
    fn label_selectors_from_the_live_objects() {
        let mut cl = Cluster::new();
        cl.run("kubectl create deployment web --image=nginx");
        cl.run("kubectl run db --image=redis --labels=app=db,tier=data");
        assert_eq!(c(&cl, "kubectl get pods -l app=w"), ["app=web"]);
        assert_eq!(c(&cl, "kubectl get pods -l ti"), ["tier=data"]);
        assert_eq!(
            c(&cl, "kubectl get pods --selector=app=d"),
            ["--selector=app=db"]
        );
        assert_eq!(
            c(&cl, "kubectl delete pods -l app=db,t"),
            ["app=db,tier=data"]
        );
        // The resource type decides whose labels: Deployments are labelled app=web only.
        assert_eq!(c(&cl, "kubectl get deploy -l "), ["app=web"]);
        assert_eq!(
            c(&cl, "kubectl get pods -n kube-system -l k8s-app=kube-d"),
            ["k8s-app=kube-dns"]
        );
    }

    #[test]
    fn resource_types() {
        let cl = Cluster::new();
        assert_eq!(c(&cl, "kubectl get depl"), ["deployments"]);
        assert_eq!(c(&cl, "kubectl describe nod"), ["nodes"]);
        assert_eq!(c(&cl, "kubectl describe no"), ["nodes"]);
        assert_eq!(c(&cl, "kubectl get al"), ["all"]);
        assert_eq!(c(&cl, "kubectl get even"), ["events"]);
        assert_eq!(c(&cl, "kubectl explain svc"), Vec::<String>::new());
        assert_eq!(
            c(&cl, "kubectl explain serv"),
            ["serviceaccounts", "servicecidrs", "services"]
        );
        assert_eq!(c(&cl, "kubectl rollout status deploym"), ["deployments"]);
        assert_eq!(c(&cl, "for i in 1 2; do kubectl get depl"), ["deployments"]);
        // Field paths, after the resource and a dot (any of its names, the group allowed).
        // A field with fields ends in `.`, so Tab can go on.
        assert_eq!(
            c(&cl, "kubectl explain pod.spec.contai"),
            ["pod.spec.containers."]
        );
        assert_eq!(
            c(&cl, "kubectl explain deploy.spec.str"),
            ["deploy.spec.strategy."]
        );
        assert_eq!(
            c(
                &cl,
                "kubectl explain deployments.apps.spec.template.spec.initC"
            ),
            ["deployments.apps.spec.template.spec.initContainers."]
        );
        assert_eq!(
            c(&cl, "kubectl explain pod.spec.containers.ima"),
            [
                "pod.spec.containers.image",
                "pod.spec.containers.imagePullPolicy"
            ]
        );
        assert!(c(&cl, "kubectl explain po.").contains(&"po.spec.".to_string()));
        assert!(Completion::is_finished("pod.spec.containers.image"));
        assert!(!Completion::is_finished("pod.spec."));
        assert!(!Completion::is_finished("deployment/"));
        assert_eq!(c(&cl, "kubectl explain pod.nope."), Vec::<String>::new());
        assert_eq!(c(&cl, "kubectl explain nosuch.sp"), Vec::<String>::new());
        // Plurals, as kubectl's completion offers them; a short name no plural begins with
        // is kept.
        assert_eq!(c(&cl, "kubectl get deployment"), ["deployments"]);
        assert_eq!(
            c(&cl, "kubectl get po"),
            ["poddisruptionbudgets", "pods", "podtemplates"]
        );
        assert_eq!(c(&cl, "kubectl get svc"), ["svc"]);
    }

    #[test]
    fn object_names_from_the_cluster() {
        let cl = cluster();
        assert_eq!(c(&cl, "kubectl describe deployment w"), ["web", "worker"]);
        assert_eq!(c(&cl, "kubectl get deploy "), ["web", "worker"]);
        assert_eq!(c(&cl, "kubectl get deploy -n dev "), ["api"]);
        assert_eq!(c(&cl, "kubectl get deploy --namespace=dev "), ["api"]);
        assert_eq!(
            c(&cl, "kubectl get deploy -A "),
            ["api", "coredns", "web", "worker"]
        );
        assert_eq!(c(&cl, "kubectl scale deploy/we"), ["deploy/web"]);
        assert_eq!(
            c(&cl, "kubectl rollout restart deployment/wo"),
            ["deployment/worker"]
        );
        assert_eq!(
            c(&cl, "kubectl get nodes node"),
            ["node1", "node2", "node3"]
        );
        assert_eq!(c(&cl, "kubectl cordon "), cl.node_names());
        let pods = c(&cl, "kubectl logs ");
        assert_eq!(pods.len(), 3, "{pods:?}");
        assert!(pods.iter().any(|p| p == "solo"));
        assert!(c(&cl, "kubectl exec w")
            .iter()
            .all(|p| p.starts_with("web-") || p.starts_with("worker-")));
        assert_eq!(c(&cl, "kubectl exec solo -- l"), Vec::<String>::new());
        assert_eq!(c(&cl, "kubectl logs solo -c "), ["solo"]);
        assert_eq!(c(&cl, "kubectl exec solo --container s"), ["solo"]);
        let dns = c(&cl, "kubectl logs -n kube-system cored");
        assert_eq!(dns.len(), 2, "{dns:?}");
    }

    #[test]
    fn flags_and_their_values() {
        let cl = cluster();
        assert_eq!(c(&cl, "kubectl scale deploy web --rep"), ["--replicas"]);
        assert_eq!(c(&cl, "kubectl create deployment x --im"), ["--image"]);
        assert_eq!(c(&cl, "kubectl get pods --all"), ["--all-namespaces"]);
        assert!(c(&cl, "kubectl get pods -").contains(&"-o".to_string()));
        assert_eq!(
            c(&cl, "kubectl get pods -o "),
            [
                "custom-columns=",
                "json",
                "jsonpath=",
                "name",
                "wide",
                "yaml"
            ]
        );
        assert_eq!(c(&cl, "kubectl get pods -o y"), ["yaml"]);
        assert_eq!(
            c(&cl, "kubectl get pods --output=j"),
            ["--output=json", "--output=jsonpath="]
        );
        assert_eq!(
            c(&cl, "kubectl get pods -n "),
            [
                "default",
                "dev",
                "kube-node-lease",
                "kube-public",
                "kube-system"
            ]
        );
        assert_eq!(c(&cl, "kubectl get pods -n kube-s"), ["kube-system"]);
        assert_eq!(c(&cl, "kubectl -n d"), ["default", "dev"]);
        assert_eq!(
            c(&cl, "kubectl apply -f "),
            ["manifests/", "notes.txt", "web.yaml"]
        );
        assert_eq!(c(&cl, "kubectl apply -f manifests/"), ["manifests/db.yaml"]);
        assert_eq!(
            c(&cl, "kubectl apply --filename=w"),
            ["--filename=web.yaml"]
        );
    }

    #[test]
    fn workspace_files() {
        let cl = cluster();
        assert_eq!(c(&cl, "cat w"), ["web.yaml"]);
        assert_eq!(c(&cl, "vi "), ["manifests/", "notes.txt", "web.yaml"]);
        assert_eq!(c(&cl, "rm manifests/d"), ["manifests/db.yaml"]);
        assert_eq!(c(&cl, "kubectl get pods > n"), ["notes.txt"]);
        assert_eq!(c(&cl, "echo w"), Vec::<String>::new());
    }

    #[test]
    fn the_word_start_is_a_byte_offset() {
        let cl = cluster();
        let line = "echo '이름' ; kubectl describe deploy w";
        let done = complete(&cl, line);
        assert_eq!(&line[done.start..], "w");
        assert_eq!(complete(&cl, "kubectl get ").start, 12);
    }
}
