//! `kubectl completion SHELL`: a short script standing in for the real one. Sourcing it
//! (`source <(kubectl completion bash)`) registers completion as the real script's last
//! line does; the console's Tab completion is built in, so nothing else is needed.

use crate::output::Output;

/// The shells kubectl writes completion code for.
const SHELLS: &[&str] = &["bash", "fish", "powershell", "zsh"];

/// `kubectl completion SHELL`.
pub fn run(args: &[String]) -> Output {
    let usage = |m: String| {
        super::error(format!(
            "{m}\nSee 'kubectl completion -h' for help and examples"
        ))
    };
    let shell = match args {
        [] => return usage("Shell not specified.".into()),
        [s] => s.as_str(),
        _ => return usage("Too many arguments. Expected only the shell type.".into()),
    };
    if !SHELLS.contains(&shell) {
        return usage(format!("Unsupported shell type \"{shell}\"."));
    }
    let register = match shell {
        "bash" => "complete -o default -F __start_kubectl kubectl",
        "zsh" => "compdef _kubectl kubectl",
        "fish" => "complete -c kubectl -e",
        _ => "Register-ArgumentCompleter -CommandName 'kubectl' -ScriptBlock $__kubectlCompleterBlock",
    };
    let mut o = Output::default();
    o.out(format!(
        "# {shell} completion for kubectl (abridged: Kubeplay's console completes kubectl itself)\n{register}"
    ));
    o
}
