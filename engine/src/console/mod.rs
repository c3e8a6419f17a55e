//! The console: a small shell around kubectl, running inside the engine.

mod builtins;
mod kubectl;
mod shell;

use crate::cluster::Cluster;
use crate::output::Output;
use shell::Connector;

/// Console state that outlives a single line.
#[derive(Clone, Debug)]
pub struct Console {
    /// The current context's namespace (`kubectl config set-context --current --namespace`).
    pub namespace: String,
}

impl Default for Console {
    fn default() -> Self {
        Console {
            namespace: "default".into(),
        }
    }
}

/// Runs one console line against the cluster.
pub fn run_line(cluster: &mut Cluster, line: &str) -> Output {
    let commands = match shell::parse(line) {
        Ok(c) => c,
        Err(message) => {
            let mut o = Output::failure(message);
            o.exit_code = 2;
            return o;
        }
    };
    let mut out = Output::default();
    for command in commands {
        let run = match command.connector {
            Connector::Always => true,
            Connector::IfSuccess => out.exit_code == 0,
            Connector::IfFailure => out.exit_code != 0,
        };
        if run {
            out.extend(run_command(cluster, &command.words));
        }
    }
    out
}

fn run_command(cluster: &mut Cluster, words: &[String]) -> Output {
    let Some((program, args)) = words.split_first() else {
        return Output::default();
    };
    match program.as_str() {
        "kubectl" | "k" => kubectl::run(cluster, args),
        _ => builtins::run(cluster, program, args),
    }
}
