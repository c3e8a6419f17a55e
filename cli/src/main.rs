//! `kubeplay`: the Kubeplay console on a terminal.
//!
//! - `kubeplay` — an interactive console (line editing, history in `~/.kubeplay_history`).
//! - `kubeplay run FILE` (or `-` for stdin) — replays a script and prints its transcript.
//! - `kubeplay lessons [check] [DIR]` — lists the lessons, or checks lesson files.
//! - `kubeplay lesson ID` — plays a lesson: its text, a live goal checklist, hints.
//! - `--seed N` — seed of every random choice, so runs repeat.

mod input;
mod lessons;

/// mimalloc: the engine allocates and frees small objects at a high rate, which glibc's
/// allocator spent 40 % of its instructions on (1,000 pods started: 125 ms → 80 ms).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{Read, Write};
use std::process::ExitCode;

use input::Input;
use kubeplay_engine::{
    transcript, Cluster, ClusterConfig, ClusterProfile, EditOutcome, EditRequest, OpenFile, Output,
    Stream,
};

const USAGE: &str = "\
Kubeplay: a simulated Kubernetes cluster on your terminal.

Usage:
  kubeplay [--seed N] [--profile default|minikube]            interactive console
  kubeplay [--seed N] [--profile default|minikube] run FILE   replay a script (FILE or - for stdin)
  kubeplay lessons [DIR]                                      list the lessons (built-in, or DIR's)
  kubeplay lessons check [DIR]                                check lesson files (default: lessons/)
  kubeplay [--lang ko|en] lesson ID|FILE                      play a lesson (hint, solution, goals, ...)
  kubeplay --help                                             this text";

struct Args {
    seed: u64,
    profile: ClusterProfile,
    /// Whether `--profile` was given (it then wins over a script's own directive).
    profile_given: bool,
    /// Locale of lesson texts (`--lang`, else `ko` when `$LANG` starts with `ko`, else `en`).
    lang: String,
    command: Vec<String>,
}

fn parse_args(mut raw: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args {
        seed: 0,
        profile: ClusterProfile::multi_node(),
        profile_given: false,
        lang: lessons::default_lang(),
        command: Vec::new(),
    };
    while let Some(a) = raw.next() {
        match a.as_str() {
            "--seed" => {
                let v = raw.next().ok_or("--seed needs a number")?;
                args.seed = v
                    .parse()
                    .map_err(|_| format!("--seed: not a number: {v}"))?;
            }
            "--profile" => {
                let v = raw.next().ok_or("--profile needs a name")?;
                args.profile = ClusterProfile::named(&v)
                    .ok_or(format!("unknown profile {v:?} (try default or minikube)"))?;
                args.profile_given = true;
            }
            "--lang" => {
                let v = raw.next().ok_or("--lang needs ko or en")?;
                if !kubeplay_engine::lessons::LOCALES.contains(&v.as_str()) {
                    return Err(format!("unknown language {v:?} (try ko or en)"));
                }
                args.lang = v;
            }
            "-h" | "--help" => args.command = vec!["help".into()],
            _ => {
                args.command.push(a);
                args.command.extend(raw.by_ref());
            }
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("kubeplay: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let cluster = Cluster::with_config(ClusterConfig {
        seed: args.seed,
        profile: args.profile.clone(),
    });
    match args
        .command
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => repl(cluster),
        ["help"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        ["run", file] => run_file(cluster, &args, file),
        ["lessons"] => lessons::list(None, &args.lang),
        ["lessons", "check"] => lessons::check_dir("lessons"),
        ["lessons", "check", dir] => lessons::check_dir(dir),
        ["lessons", dir] => lessons::list(Some(dir), &args.lang),
        ["lesson", id] => lessons::play(id, args.seed, &args.lang),
        _ => {
            eprintln!(
                "kubeplay: unexpected arguments: {}\n\n{USAGE}",
                args.command.join(" ")
            );
            ExitCode::from(2)
        }
    }
}

fn run_file(mut cluster: Cluster, args: &Args, file: &str) -> ExitCode {
    let text = if file == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut s) {
            eprintln!("kubeplay: reading stdin: {e}");
            return ExitCode::from(2);
        }
        s
    } else {
        match std::fs::read_to_string(file) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("kubeplay: {file}: {e}");
                return ExitCode::from(2);
            }
        }
    };
    // A script may name its cluster profile (`# kubeplay: profile=minikube`).
    if !args.profile_given {
        if let Some(profile) =
            transcript::directive(&text, "profile").and_then(ClusterProfile::named)
        {
            cluster = Cluster::with_config(ClusterConfig {
                seed: args.seed,
                profile,
            });
        }
    }
    print!("{}", transcript::run_script_on(&mut cluster, &text));
    ExitCode::SUCCESS
}

pub(crate) fn print_output(out: &Output) {
    if out.clear {
        print!("\x1b[2J\x1b[H");
    }
    for (stream, text) in &out.chunks {
        match stream {
            Stream::Stdout => print!("{text}"),
            Stream::Stderr => eprint!("{text}"),
        }
    }
    let _ = std::io::stdout().flush();
}

/// The learner's editor: `$KUBE_EDITOR`, else `$EDITOR`, else `vi`.
fn editor_command() -> String {
    ["KUBE_EDITOR", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_string())
}

/// Runs `editor` on `path`; whether it ended well.
fn run_editor(editor: &str, path: &std::path::Path) -> bool {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$0\""))
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

/// `vi FILE` on a terminal: the workspace file goes to a temporary file, the learner's
/// editor runs on it, and the saved text comes back into the workspace.
pub(crate) fn edit_file(cluster: &mut Cluster, file: &OpenFile) {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        // A piped script has no one to type into the editor (and it would eat the script).
        eprintln!(
            "(an editor opens {} in the page and the interactive console; scripts write files with cat <<EOF > {})",
            file.path, file.path
        );
        return;
    }
    let editor = editor_command();
    let base = file.path.rsplit('/').next().unwrap_or("file").to_string();
    let path = std::env::temp_dir().join(format!("kubeplay-{}-{base}", std::process::id()));
    if let Err(e) = std::fs::write(&path, &file.text) {
        eprintln!("error: {e}");
        return;
    }
    if !run_editor(&editor, &path) {
        eprintln!("error: there was a problem with the editor \"{editor}\"");
    } else if let Ok(text) = std::fs::read_to_string(&path) {
        if text != file.text || file.new_file {
            if let Err(e) = cluster.write_file(&file.path, &text) {
                eprintln!("{e}");
            }
        }
    }
    let _ = std::fs::remove_file(&path);
}

/// `kubectl edit` on a terminal: like kubectl, write the text to a temporary file, run
/// `$KUBE_EDITOR`, else `$EDITOR`, else `vi`, and hand the result back until the edit ends.
pub(crate) fn edit_loop(cluster: &mut Cluster, mut request: EditRequest) {
    let editor = editor_command();
    let base = request
        .file_name
        .rsplit('/')
        .next()
        .unwrap_or("kubectl-edit.yaml")
        .to_string();
    let path = std::env::temp_dir().join(format!("{}-{base}", std::process::id()));
    loop {
        if let Err(e) = std::fs::write(&path, &request.text) {
            eprintln!("error: {e}");
            return;
        }
        if !run_editor(&editor, &path) {
            eprintln!("error: there was a problem with the editor \"{editor}\"");
            let _ = std::fs::remove_file(&path);
            return;
        }
        let edited = std::fs::read_to_string(&path).unwrap_or_default();
        match cluster.finish_edit(&request, &edited) {
            EditOutcome::Done(out) => {
                print_output(&out);
                let _ = std::fs::remove_file(&path);
                return;
            }
            EditOutcome::Reopen(next, out) => {
                print_output(&out);
                request = next;
            }
        }
    }
}

fn repl(mut cluster: Cluster) -> ExitCode {
    let mut input = match Input::open() {
        Ok(i) => i,
        Err(e) => {
            eprintln!("kubeplay: {e}");
            return ExitCode::from(2);
        }
    };
    if input.is_terminal() {
        println!(
            "Kubeplay — a simulated Kubernetes {} cluster. Type `help`, or `exit` to leave.",
            kubeplay_engine::KUBERNETES_VERSION
        );
    }
    loop {
        let prompt = cluster.prompt();
        let in_container = prompt != "$ ";
        let (line, lent_back) = input.read_completing(&prompt, in_container, cluster);
        cluster = lent_back;
        let Some(line) = line else {
            break;
        };
        let trimmed = line.trim();
        if (trimmed == "exit" || trimmed == "quit") && !in_container && input.is_terminal() {
            break;
        }
        let out = cluster.run(&line);
        print_output(&out);
        if let Some(file) = &out.open_file {
            edit_file(&mut cluster, file);
        }
        if let Some(request) = out.edit {
            edit_loop(&mut cluster, *request);
        }
    }
    input.close();
    ExitCode::SUCCESS
}
