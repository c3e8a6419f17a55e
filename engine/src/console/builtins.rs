//! Shell commands learners type around kubectl: files (`cat`, `ls`, `rm`), text filters for
//! pipes (`head`, `tail`, `wc`; the others are in `text_filters`), `echo`, `sleep` (advances simulated time),
//! `clear`, `help`.

use crate::clock::SimDuration;
use crate::cluster::Cluster;
use crate::node::process::cond;
use crate::output::Output;
use crate::sort::SliceSort;

/// Runs a non-kubectl command with optional standard input.
pub fn run(cluster: &mut Cluster, program: &str, args: &[String], stdin: Option<&str>) -> Output {
    if let Some(o) = super::text_filters::run(cluster, program, args, stdin) {
        return o;
    }
    match program {
        "clear" => Output {
            clear: true,
            ..Default::default()
        },
        "help" if cluster.console.korean_help => text(HELP_KO),
        "help" => text(HELP),
        "echo" => echo(args),
        "sleep" => sleep(cluster, args),
        "seq" => super::seq::run(cluster, args),
        "true" => Output::default(),
        "test" | "[" => test(cluster, program, args),
        "false" => Output {
            exit_code: 1,
            ..Default::default()
        },
        "pwd" => text("/root"),
        // Directories exist implicitly in the workspace: a file path may name any.
        "mkdir" | "touch" if !args.is_empty() => {
            if program == "touch" {
                for f in args.iter().filter(|a| !a.starts_with('-')) {
                    if cluster.console.files.read(f).is_none() {
                        let _ = cluster.console.files.write(f, "", false);
                    }
                }
            }
            Output::default()
        }
        "vi" | "vim" | "nano" | "edit" => super::file_editor::open(cluster, program, args),
        "cat" => cat(cluster, args, stdin),
        "ls" => ls(cluster, args),
        "rm" => rm(cluster, args),
        "head" | "tail" | "wc" => {
            let read = super::files::reader(cluster);
            crate::node::process::text::run(program, args, stdin, &read).unwrap_or_default()
        }
        "tee" => tee(cluster, args, stdin),
        "curl" | "wget" | "nslookup" | "nc" | "ping" => host_tool(cluster, program, args),
        "ab" => super::ab::run(cluster, args),
        "hostname" => super::hostname::run(cluster, args),
        "ssh" => super::ssh::run(cluster, args, stdin),
        // Installed on the minikube profile's laptop only.
        "minikube" if cluster.profile.name == "minikube" => {
            super::minikube::run(cluster, args, stdin)
        }
        _ => {
            let mut o = Output::failure(format!("bash: {program}: command not found"));
            if let Some(near) = near_program(program) {
                o.err(format!("hint: did you mean \"{near}\"?"));
            }
            o.exit_code = 127;
            o
        }
    }
}

/// The console's program `typed` is most likely a typo of (`kubeclt` → `kubectl`): one edit
/// away for short names, two for longer ones.
fn near_program(typed: &str) -> Option<&'static str> {
    let most = if typed.chars().count() <= 4 { 1 } else { 2 };
    super::session::PROGRAMS
        .iter()
        .map(|p| (crate::api::manifest::edit_distance(p, typed), *p))
        .filter(|(d, p)| (1..=most).contains(d) && p.len() > 2)
        .min()
        .map(|(_, p)| p)
}

const HELP: &str = "\
Kubeplay console: a simulated Kubernetes v1.34 cluster.

  kubectl ...           talk to the cluster (k is an alias), e.g. kubectl get nodes
  cat <<EOF > f.yaml    write a file (end with a line EOF); then kubectl apply -f f.yaml
  vi FILE               edit a file (also vim, nano, edit); kubectl edit KIND/NAME
  ls, cat FILE, rm FILE your files
  ... | grep WORD       filter output (also head, tail, wc, sort, uniq, cut, tr, awk, base64)
  sleep N               let N seconds of cluster time pass (also 2m, 1h)
  curl URL              request from this machine (node IPs, NodePorts; also wget, ping)
  ssh NODE [CMD]        log in to a node (exit leaves), e.g. ssh node1 systemctl status kubelet
  P=$(kubectl ...)      variables, $(command), $?, $((1+2)), as in bash
  for i in 1 2; do ...; done   loops (also while, until, if, case)
  watch -n 2 CMD        repeat a command as time passes (Ctrl-C stops it)
  alias, source FILE    aliases (alias k=kubectl), run a file's commands
  printf, tee, env      and history, type, which, export, unset
  clear                 clear the screen";

/// [`HELP`] for a Korean page: the commands stay as they are typed.
const HELP_KO: &str = "\
Kubeplay 콘솔: 시뮬레이션으로 돌아가는 Kubernetes v1.34 클러스터입니다.

  kubectl ...           클러스터에 명령합니다 (k로 줄여 써도 됩니다). 예: kubectl get nodes
  cat <<EOF > f.yaml    파일을 씁니다 (EOF 한 줄로 끝냅니다). 그다음 kubectl apply -f f.yaml
  vi FILE               파일을 고칩니다 (vim, nano, edit도 됩니다). kubectl edit KIND/NAME
  ls, cat FILE, rm FILE 내 파일들
  ... | grep WORD       출력을 거릅니다 (head, tail, wc, sort, uniq, cut, tr, awk, base64도 됩니다)
  sleep N               클러스터 시간을 N초 흘려보냅니다 (2m, 1h도 됩니다)
  curl URL              이 컴퓨터에서 요청합니다 (노드 IP, 노드포트. wget, ping도 됩니다)
  ssh NODE [CMD]        노드에 접속합니다 (exit로 나옵니다). 예: ssh node1 systemctl status kubelet
  P=$(kubectl ...)      bash처럼 변수, $(명령), $?, $((1+2))를 씁니다
  for i in 1 2; do ...; done   반복 (while, until, if, case도 됩니다)
  watch -n 2 CMD        시간이 흐르는 동안 명령을 되풀이합니다 (Ctrl-C로 멈춥니다)
  alias, source FILE    별칭 (alias k=kubectl), 파일의 명령 실행
  printf, tee, env      그리고 history, type, which, export, unset
  clear                 화면을 지웁니다";

/// `test ARGS` / `[ ARGS ]`, with the workspace's files for `-f`, `-d`, `-e`, `-s`.
fn test(cluster: &Cluster, program: &str, args: &[String]) -> Output {
    let files = |path: &str| super::workspace_kind(cluster, path);
    let (status, message) = cond::test(program, args, cond::Dialect::Bash, &files);
    let mut o = Output::default();
    if let Some(m) = message {
        o.err(format!("bash: {m}"));
    }
    o.exit_code = status;
    o
}

fn text(s: &str) -> Output {
    let mut o = Output::default();
    o.out(s);
    o
}

/// bash's `echo`: leading options made of `n`, `e` and `E` (`-n` no newline, `-e` backslash
/// escapes, `-E` none, the last of `e`/`E` winning).
fn echo(args: &[String]) -> Output {
    let mut newline = true;
    let mut escapes = false;
    let mut words = args;
    while let Some((first, rest)) = words.split_first() {
        let Some(opts) = first.strip_prefix('-') else {
            break;
        };
        if opts.is_empty() || !opts.chars().all(|c| "neE".contains(c)) {
            break;
        }
        for c in opts.chars() {
            match c {
                'n' => newline = false,
                'e' => escapes = true,
                _ => escapes = false,
            }
        }
        words = rest;
    }
    let mut line = words.join(" ");
    if escapes {
        let (text, stop) = crate::node::process::printf::expand_escapes(
            &line,
            crate::node::process::printf::Escapes::Echo,
        );
        line = text;
        newline &= !stop;
    }
    let mut o = Output::default();
    if newline {
        o.out(line);
    } else {
        o.out_raw(line);
    }
    o
}

fn cat(cluster: &Cluster, args: &[String], stdin: Option<&str>) -> Output {
    let mut o = Output::default();
    if args.is_empty() || args.iter().all(|a| a == "-") {
        o.out_raw(stdin.unwrap_or("").to_string());
        return o;
    }
    for file in args {
        match super::source::read(cluster, file) {
            Some(t) => o.out_raw(t),
            None if cluster.console.files.is_dir(file) => {
                o.err(format!("cat: {file}: Is a directory"));
                o.exit_code = 1;
            }
            None => {
                o.err(format!("cat: {file}: No such file or directory"));
                o.exit_code = 1;
            }
        }
    }
    o
}

fn ls(cluster: &Cluster, args: &[String]) -> Output {
    let long = args.iter().any(|a| a.starts_with('-') && a.contains('l'));
    let targets: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let mut o = Output::default();
    let mut operands: Vec<String> = if targets.is_empty() {
        vec![String::new()]
    } else {
        targets.iter().map(|t| t.to_string()).collect()
    };
    // GNU ls: the missing first, then the files, then each directory (sorted within each);
    // with several operands each directory's listing is headed by its name.
    operands.stable_sort();
    let headed = operands.len() > 1;
    let files = &cluster.console.files;
    let (present, missing): (Vec<String>, Vec<String>) = operands
        .into_iter()
        .partition(|d| files.read(d).is_some() || files.is_dir(d));
    for dir in missing {
        o.err(format!(
            "ls: cannot access '{dir}': No such file or directory"
        ));
        o.exit_code = 2;
    }
    let (plain, dirs): (Vec<String>, Vec<String>) =
        present.into_iter().partition(|d| files.read(d).is_some());
    let mut printed = !plain.is_empty();
    if printed {
        o.out(plain.join("  "));
    }
    for dir in dirs {
        if headed {
            if printed {
                o.out("");
            }
            o.out(format!("{dir}:"));
            printed = true;
        }
        let names = cluster.console.files.list(&dir);
        if long {
            let lines: Vec<String> = names
                .iter()
                .map(|n| {
                    let path = if dir.is_empty() {
                        n.clone()
                    } else {
                        format!("{dir}/{n}")
                    };
                    let size = cluster.console.files.read(&path).map_or(4096, str::len);
                    let kind = if cluster.console.files.read(&path).is_some() {
                        "-rw-r--r--"
                    } else {
                        "drwxr-xr-x"
                    };
                    format!("{kind} 1 root root {size:>5} {n}")
                })
                .collect();
            o.out(format!("total {}\n{}", names.len() * 4, lines.join("\n")));
        } else if !names.is_empty() {
            o.out(names.join("  "));
        }
    }
    o
}

fn rm(cluster: &mut Cluster, args: &[String]) -> Output {
    let force = args.iter().any(|a| a.starts_with('-') && a.contains('f'));
    let mut o = Output::default();
    for file in args.iter().filter(|a| !a.starts_with('-')) {
        if !cluster.console.files.remove(file) && !force {
            o.err(format!(
                "rm: cannot remove '{file}': No such file or directory"
            ));
            o.exit_code = 1;
        }
    }
    o
}

/// `tee [-a] [FILE]...`: copies standard input to each file and to standard output.
fn tee(cluster: &mut Cluster, args: &[String], stdin: Option<&str>) -> Output {
    let input = stdin.unwrap_or("");
    let mut append = false;
    let mut o = Output::default();
    let mut files = Vec::new();
    for a in args {
        match a.as_str() {
            "-a" | "--append" => append = true,
            "-i" | "--ignore-interrupts" | "-p" => {}
            f if f.starts_with('-') && f.len() > 1 => {
                return Output::failure(format!(
                    "tee: invalid option -- '{}'\nTry 'tee --help' for more information.",
                    f.trim_start_matches('-').chars().next().unwrap_or('-')
                ))
            }
            f => files.push(f),
        }
    }
    o.out_raw(input.to_string());
    for f in files {
        if f == "/dev/null" {
            continue;
        }
        if cluster.console.files.is_dir(f) {
            o.err(format!("tee: {f}: Is a directory"));
            o.exit_code = 1;
        } else if let Err(e) = cluster.console.files.write(f, input, append) {
            o.err(e.replacen("bash: ", "tee: ", 1));
            o.exit_code = 1;
        }
    }
    o
}

/// A network client on the learner's machine; the time it waits passes on the cluster.
fn host_tool(cluster: &mut Cluster, program: &str, args: &[String]) -> Output {
    let now = cluster.world.clock.now_ms();
    let origin = cluster.host_origin();
    let argv: Vec<String> = std::iter::once(program.to_string())
        .chain(args.iter().cloned())
        .collect();
    let run = cluster
        .net_client(origin, crate::network::tools::Kit::Host, true)
        .run(&argv, now)
        .unwrap_or_default();
    if run.elapsed_ms > 0 {
        cluster.advance(SimDuration::millis(run.elapsed_ms));
    }
    for (path, text) in &run.files {
        let _ = cluster.console.files.write(path, text, false);
    }
    let mut o = Output::default();
    for (text, stderr) in run.lines {
        if stderr {
            o.err(text);
        } else {
            o.out(text);
        }
    }
    o.exit_code = run.code;
    o
}

/// `sleep NUMBER[SUFFIX]...`: advances simulated time; killed by `timeout` at its deadline
/// (status 124).
fn sleep(cluster: &mut Cluster, args: &[String]) -> Output {
    match sleep_duration(args) {
        Ok(d) => match cluster.console.watch_limit.filter(|l| l.0 > 0 && *l < d) {
            Some(limit) => {
                cluster.advance(limit);
                Output {
                    exit_code: 124,
                    ..Output::default()
                }
            }
            None => {
                cluster.advance(d);
                Output::default()
            }
        },
        Err(o) => o,
    }
}

/// How long `sleep ARGS` lasts (GNU sleep: the sum of its arguments), capped at one day so
/// a typo cannot stall a page; or its error, a line for each invalid argument.
pub(super) fn sleep_duration(args: &[String]) -> Result<SimDuration, Output> {
    const TRY: &str = "Try 'sleep --help' for more information.";
    if args.is_empty() {
        return Err(Output::failure(format!("sleep: missing operand\n{TRY}")));
    }
    let mut total = SimDuration::default();
    let mut bad = Vec::new();
    for arg in args {
        match SimDuration::parse_interval(arg) {
            Some(d) => total = total.saturating_add(d),
            None => bad.push(format!("sleep: invalid time interval '{arg}'")),
        }
    }
    if !bad.is_empty() {
        bad.push(TRY.into());
        return Err(Output::failure(bad.join("\n")));
    }
    Ok(total.min(SLEEP_LIMIT))
}

/// The longest a console `sleep` lasts.
const SLEEP_LIMIT: SimDuration = SimDuration::seconds(86_400);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_options_and_escapes_as_bash() {
        let run = |args: &[&str]| {
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            echo(&args).stdout()
        };
        assert_eq!(run(&["-e", "password1"]), "password1\n");
        assert_eq!(run(&["-ne", "a\\tb"]), "a\tb");
        assert_eq!(run(&["-e", "x\\cy"]), "x");
        assert_eq!(run(&["-E", "a\\nb"]), "a\\nb\n");
        assert_eq!(run(&["-e", "\\x41\\0102\\q"]), "AB\\q\n");
        assert_eq!(run(&["-x", "y"]), "-x y\n");
        assert_eq!(run(&["-n", "-e", "-n"]), "");
        assert_eq!(run(&["-n", "--", "x"]), "-- x");
    }

    #[test]
    fn sleep_units() {
        let sleep = |args: &[&str]| {
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            sleep_duration(&args).map_err(|o| o.stderr())
        };
        assert_eq!(sleep(&["5"]), Ok(SimDuration::seconds(5)));
        assert_eq!(sleep(&["1.5s"]), Ok(SimDuration::millis(1500)));
        assert_eq!(sleep(&["1", "2", "3"]), Ok(SimDuration::seconds(6)));
        assert_eq!(sleep(&["1m", "1s"]), Ok(SimDuration::seconds(61)));
        assert_eq!(sleep(&["1e300"]), Ok(SimDuration::seconds(86400)));
        assert_eq!(
            sleep(&["infinity", "infinity"]),
            Ok(SimDuration::seconds(86400))
        );
        assert_eq!(
            sleep(&["x", "1", "-1"]).unwrap_err(),
            "sleep: invalid time interval 'x'\nsleep: invalid time interval '-1'\nTry 'sleep --help' for more information.\n"
        );
    }

    #[test]
    fn filters() {
        let input = "NAME READY\nweb-1 1/1\nweb-2 0/1\ndb 1/1\n";
        let cluster = Cluster::new();
        let grep = |program: &str, args: &[String], input: &str| {
            crate::console::text_filters::run(&cluster, program, args, Some(input))
                .unwrap_or_default()
        };
        let program = |program: &str, args: &[&str], input: &str| {
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            run(&mut Cluster::new(), program, &args, Some(input))
        };
        assert_eq!(
            grep("grep", &["web".into()], input).stdout(),
            "web-1 1/1\nweb-2 0/1\n"
        );
        assert_eq!(
            grep("grep", &["-v".into(), "web".into()], input).stdout(),
            "NAME READY\ndb 1/1\n"
        );
        assert_eq!(
            grep("grep", &["-c".into(), "1/1".into()], input).stdout(),
            "2\n"
        );
        assert_eq!(
            grep("grep", &["-E".into(), "db|NAME".into()], input).stdout(),
            "NAME READY\ndb 1/1\n"
        );
        assert_eq!(grep("grep", &["zzz".into()], input).exit_code, 1);
        assert_eq!(
            program("head", &["-n", "1"], input).stdout(),
            "NAME READY\n"
        );
        assert_eq!(
            program("tail", &["-2"], input).stdout(),
            "web-2 0/1\ndb 1/1\n"
        );
        assert_eq!(program("wc", &["-l"], input).stdout(), "4\n");
        assert_eq!(program("wc", &["-cl"], input).stdout(), "      4      38\n");
    }

    #[test]
    fn help_speaks_the_pages_language() {
        let mut cluster = Cluster::new();
        assert!(cluster
            .run("help")
            .stdout()
            .starts_with("Kubeplay console:"));
        cluster.set_help_language("ko");
        let ko = cluster.run("help").stdout();
        assert!(ko.starts_with("Kubeplay 콘솔:"), "{ko}");
        assert_eq!(ko.lines().count(), HELP.lines().count());
        cluster.set_help_language("en");
        assert!(cluster
            .run("help")
            .stdout()
            .starts_with("Kubeplay console:"));
    }

    #[test]
    fn a_typo_of_a_program_gets_a_hint() {
        let mut cluster = Cluster::new();
        let out = cluster.run("kubeclt get pods");
        assert_eq!(
            out.stderr(),
            "bash: kubeclt: command not found\nhint: did you mean \"kubectl\"?\n"
        );
        assert_eq!(out.exit_code, 127);
        assert_eq!(
            cluster.run("k8s").stderr(),
            "bash: k8s: command not found\n"
        );
    }
}
