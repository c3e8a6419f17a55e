//! `source FILE` / `. FILE`: a workspace file's entries run in this shell (its aliases and
//! variables stay); and process substitution, `<(cmd)`, whose output is read back as
//! `/dev/fd/63` (then 62, ...) by `source` and `cat`.

use crate::cluster::Cluster;
use crate::output::Output;

/// How deeply sourced files may source others (bash has no bound; it would crash).
const MAX_SOURCE_DEPTH: u8 = crate::bounds::SOURCE as u8;
/// How many process substitutions one entry may hold.
const MAX_FD_FILES: usize = 8;

/// `source FILE [ARGS]` or `. FILE [ARGS]`.
pub(super) fn run(cluster: &mut Cluster, program: &str, args: &[String]) -> Output {
    let Some(file) = args.first() else {
        let mut o = Output::failure(format!(
            "bash: {program}: filename argument required\n{program}: usage: {program} filename [arguments]"
        ));
        o.exit_code = 2;
        return o;
    };
    let Some(text) = read(cluster, file) else {
        let reason = if cluster.console.files.is_dir(file) {
            "is a directory"
        } else {
            "No such file or directory"
        };
        return Output::failure(format!("bash: {file}: {reason}"));
    };
    if cluster.console.source_depth >= MAX_SOURCE_DEPTH {
        return Output::failure(format!(
            "bash: {file}: maximum source nesting level exceeded ({MAX_SOURCE_DEPTH})"
        ));
    }
    cluster.console.source_depth += 1;
    let mut out = Output::default();
    let mut status = 0;
    for entry in entries(&text) {
        if cluster.console.interrupted {
            break;
        }
        let result = super::run_line(cluster, &entry);
        status = result.exit_code;
        cluster.console.last_status = status;
        out.extend(result);
    }
    cluster.console.source_depth -= 1;
    out.exit_code = status;
    out
}

/// A file's text cut into entries as bash reads them: a line, or several while a
/// construct, quote or heredoc is open.
fn entries(text: &str) -> Vec<String> {
    let mut entries = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(line);
        if !super::needs_more(&current) {
            entries.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        entries.push(current);
    }
    entries
}

/// A file `source` or `cat` may read: a workspace file, or `/dev/fd/N` of a `<(cmd)`.
pub(super) fn read(cluster: &Cluster, path: &str) -> Option<String> {
    if let Some(n) = path.strip_prefix("/dev/fd/") {
        let n: usize = n.parse().ok()?;
        let index = 63usize.checked_sub(n)?;
        return cluster.console.fd_files.get(index).cloned();
    }
    cluster.console.files.read(path).map(str::to_string)
}

/// `<(cmd)`: runs `cmd` and names the file holding its output.
pub(super) fn process_file(cluster: &mut Cluster, command: &str, out: &mut Output) -> String {
    if cluster.console.fd_files.len() >= MAX_FD_FILES {
        out.err("bash: too many process substitutions in one command");
        return "/dev/null".into();
    }
    let text = super::expand::run_nested(cluster, command, out);
    cluster.console.fd_files.push(text);
    format!("/dev/fd/{}", 64 - cluster.console.fd_files.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_span_open_constructs() {
        assert_eq!(
            entries("echo a\nfor i in 1 2\ndo\n  echo $i\ndone\n# c\necho 'x\ny'\n"),
            [
                "echo a",
                "for i in 1 2\ndo\n  echo $i\ndone",
                "# c",
                "echo 'x\ny'"
            ]
        );
    }
}
