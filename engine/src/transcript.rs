//! Transcripts: scripts of console lines replayed as if typed, and their printed form.
//!
//! A script has one command per line; `#` lines are comments (echoed), blank lines are skipped, and a
//! heredoc (`<<EOF`) continues until its terminator line. Running it prints, for each command,
//! `$ <command line>` (continuation lines as `> <line>`) and then exactly what the console
//! showed. A transcript file is that printed form, so a test replays the commands it contains
//! and compares the result with the file itself.

use crate::cluster::{Cluster, ClusterConfig, ClusterProfile};

/// One entry of a script: a comment/blank line to echo, or a command to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScriptLine {
    /// A comment line, echoed as is.
    Comment(String),
    /// A command line (continuation lines of a heredoc joined with `\n`).
    Command(String),
}

/// Splits script text into comments and commands.
pub fn parse_script(text: &str) -> Vec<ScriptLine> {
    let mut lines = text.lines();
    let mut out = Vec::new();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with('#') {
            out.push(ScriptLine::Comment(line.to_string()));
            continue;
        }
        let mut command = line.to_string();
        join_heredoc(&mut command, line, &mut lines);
        // A loop over several lines (`for i in 1 2` / `do` / ... / `done`) is one entry.
        while continues(&command) {
            let Some(next) = lines.next() else {
                break;
            };
            command.push('\n');
            command.push_str(next);
            join_heredoc(&mut command, next, &mut lines);
        }
        out.push(ScriptLine::Command(command));
    }
    out
}

/// Appends to `command` the body of a heredoc opened on `line`, up to its terminator line.
fn join_heredoc<'a>(command: &mut String, line: &str, lines: &mut impl Iterator<Item = &'a str>) {
    if let Some(terminator) = heredoc_terminator(line) {
        for body in lines.by_ref() {
            command.push('\n');
            command.push_str(body);
            if body.trim() == terminator {
                break;
            }
        }
    }
}

/// Whether a console entry goes on with the next line: a loop over several lines not yet
/// closed by its `done` (front ends then prompt `> ` and join the lines with `\n`).
pub fn continues(entry: &str) -> bool {
    crate::console::continues(entry)
}

/// The terminator word of a `<<WORD` / `<<'WORD'` / `<<-WORD` heredoc on this line, if any:
/// only where bash's grammar makes `<<` a heredoc (not in quotes, not in `$((1<<4))`).
pub fn heredoc_terminator(line: &str) -> Option<String> {
    crate::console::heredoc_delimiter(line)
}

/// Runs a script on `cluster` and returns the printed transcript.
pub fn run_script_on(cluster: &mut Cluster, text: &str) -> String {
    let mut printed = String::new();
    for entry in parse_script(text) {
        match entry {
            ScriptLine::Comment(c) => {
                printed.push_str(&c);
                printed.push('\n');
            }
            ScriptLine::Command(cmd) => {
                for (i, line) in cmd.lines().enumerate() {
                    printed.push_str(if i == 0 { "$ " } else { "> " });
                    printed.push_str(line);
                    printed.push('\n');
                }
                let out = cluster.run(&cmd);
                printed.push_str(&out.text());
                if let Some(file) = &out.open_file {
                    // Nobody types in a script: say what the editor would have done.
                    printed.push_str(&format!(
                        "(an editor opens {} in the page and the interactive console; scripts write files with cat <<EOF > {})\n",
                        file.path, file.path
                    ));
                }
                // Output without a final newline (`-o jsonpath`) would run into the next
                // `$ ` line, which a transcript must start on a line of its own.
                if !printed.ends_with('\n') {
                    printed.push('\n');
                }
            }
        }
    }
    printed
}

/// Runs a script on a fresh cluster built with `seed` and returns the printed transcript.
/// A `# kubeplay: profile=minikube` comment among the script's first comment lines picks
/// the cluster profile (see [`ClusterProfile::named`]).
pub fn run_script(text: &str, seed: u64) -> String {
    let mut config = ClusterConfig {
        seed,
        ..Default::default()
    };
    if let Some(profile) = directive(text, "profile").and_then(ClusterProfile::named) {
        config.profile = profile;
    }
    let mut cluster = Cluster::with_config(config);
    run_script_on(&mut cluster, text)
}

/// The value of `key` in a `# kubeplay: key=value ...` line of the script's leading comments.
pub fn directive<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .take_while(|l| l.starts_with('#') || l.trim().is_empty())
        .filter_map(|l| l.strip_prefix("# kubeplay:"))
        .flat_map(str::split_whitespace)
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
}

/// Recovers the script from a printed transcript: its `$ ` and `> ` lines and its comments.
/// Output lines never start with `#` in a transcript file; blank lines are output.
pub fn script_of_transcript(transcript: &str) -> String {
    let mut script = String::new();
    let mut in_command = false;
    for line in transcript.lines() {
        if let Some(cmd) = line.strip_prefix("$ ") {
            script.push_str(cmd);
            in_command = true;
        } else if let (true, Some(cont)) = (in_command, line.strip_prefix("> ")) {
            script.push_str(cont);
        } else if line.starts_with('#') {
            script.push_str(line);
            in_command = false;
        } else {
            in_command = false;
            continue;
        }
        script.push('\n');
    }
    script
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcript_round_trips_to_its_script() {
        let script = "# intro\nkubectl get nodes\ncat <<EOF\nline one\nEOF\n# end\n";
        assert_eq!(
            heredoc_terminator("cat <<'EOF' > f.yaml").as_deref(),
            Some("EOF")
        );
        assert_eq!(heredoc_terminator("echo hi"), None);
        assert_eq!(
            heredoc_terminator("cat <<-END | wc").as_deref(),
            Some("END")
        );
        // Only bash's redirection operator opens one.
        assert_eq!(heredoc_terminator("echo $((1<<4))"), None);
        assert_eq!(heredoc_terminator("echo 'a<<b' \"x<<y\""), None);
        let printed = run_script(script, 0);
        assert!(printed.starts_with("# intro\n$ kubectl get nodes\nNAME "));
        assert!(printed.contains("$ cat <<EOF\n> line one\n> EOF\n"));
        assert_eq!(script_of_transcript(&printed), script);
    }
}
