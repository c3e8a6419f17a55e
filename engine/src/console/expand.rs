//! Expansions of the console's words when their command runs: `$NAME`, `${NAME}`, `$?`,
//! arithmetic (`$((i+1))`) and command substitution (`$(...)`, backticks), then word splitting of what was not in
//! double quotes, as bash does (an assignment's value is not split).

use super::{run_line, MAX_SUBSTITUTION_DEPTH};
use crate::cluster::Cluster;
use crate::node::process::budget;
use crate::output::{Output, Stream};
use crate::sh::Param;
use crate::sh::{CondWord, Piece, Redirect, Simple};

/// The words of `simple` after expansion; a substitution's stderr goes to `out`. `None`
/// when an arithmetic error stops the command (said on `out`), as in bash.
pub(super) fn words(
    cluster: &mut Cluster,
    simple: &Simple,
    out: &mut Output,
) -> Option<Vec<String>> {
    let mut words = Vec::new();
    for (i, text) in simple.words.iter().enumerate() {
        match simple.expansions.get(i).and_then(Option::as_ref) {
            Some(pieces) => words.extend(word(cluster, pieces, out)?),
            None => words.push(text.clone()),
        }
    }
    Some(words)
}

/// `simple`'s output redirections with their targets expanded (`> $LOG`), as bash does
/// before the command runs; `Err` carries bash's message when a target is not one word.
pub(super) fn redirects(
    cluster: &mut Cluster,
    simple: &Simple,
    out: &mut Output,
) -> Result<Vec<Redirect>, String> {
    let mut expanded = Vec::with_capacity(simple.outputs.len());
    for r in &simple.outputs {
        let Redirect::To {
            fd,
            file,
            pieces: Some(pieces),
            append,
        } = r
        else {
            expanded.push(r.clone());
            continue;
        };
        match word(cluster, pieces, out).as_deref() {
            Some([one]) => expanded.push(Redirect::To {
                fd: *fd,
                file: one.clone(),
                pieces: None,
                append: *append,
            }),
            _ => return Err(format!("bash: {file}: ambiguous redirect")),
        }
    }
    Ok(expanded)
}

/// A word of `[[ ]]` or `case`, expanded without splitting.
pub(super) fn single(cluster: &mut Cluster, w: &CondWord, out: &mut Output) -> Option<String> {
    match &w.pieces {
        Some(pieces) => Some(word(cluster, pieces, out)?.join(" ")),
        None => Some(w.text.clone()),
    }
}

/// One word's fields: none when it was only an unquoted expansion to nothing.
fn word(cluster: &mut Cluster, pieces: &[Piece], out: &mut Output) -> Option<Vec<String>> {
    // `NAME=...`: the assignment's value is not split.
    let assignment = matches!(pieces.first(), Some(Piece::Lit(l)) if super::is_assignment(l));
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut started = false;
    for piece in pieces {
        let (value, quoted) = match piece {
            Piece::Lit(text) => {
                current.push_str(text);
                started = true;
                continue;
            }
            Piece::Var { name, quoted } => (variable(cluster, name), *quoted),
            Piece::Param { param, quoted } => (parameter(cluster, param, out)?, *quoted),
            Piece::Arith(expr) => {
                match crate::node::process::arith::eval(expr, &mut cluster.console.env) {
                    Ok(v) => (v.to_string(), true),
                    Err(e) => {
                        out.err(format!("bash: {e}"));
                        cluster.console.discard_line = true;
                        return None;
                    }
                }
            }
            Piece::Subst { command, quoted } => (substitute(cluster, command, out), *quoted),
            Piece::ProcSubst(command) => (super::source::process_file(cluster, command, out), true),
        };
        if budget::string(current.len().saturating_add(value.len())).is_err() {
            cluster.console.exceed(budget::Limit::String);
            return None;
        }
        if quoted || assignment {
            current.push_str(&value);
            started = true;
            continue;
        }
        // Unquoted: split at blanks, the first part joining what came before.
        if value.starts_with(char::is_whitespace) && started {
            fields.push(std::mem::take(&mut current));
            started = false;
        }
        for (i, part) in value.split_whitespace().enumerate() {
            if i > 0 {
                fields.push(std::mem::take(&mut current));
            }
            current.push_str(part);
            started = true;
        }
        if value.ends_with(char::is_whitespace) && started {
            fields.push(std::mem::take(&mut current));
            started = false;
        }
    }
    if started {
        fields.push(current);
    }
    Some(fields)
}

/// `${#NAME}`, `${NAME:-WORD}`, ...: its word expanded first (unsplit).
fn parameter(cluster: &mut Cluster, param: &Param, out: &mut Output) -> Option<String> {
    let word = match param.word() {
        Some(text) => word(cluster, &crate::sh::word_pieces(text), out)?.join(" "),
        None => String::new(),
    };
    let value = match param.name.as_str() {
        "?" => Some(cluster.console.last_status.to_string()),
        name => cluster.console.env.get(name).cloned(),
    };
    let (text, assign) = param.apply(value.as_deref(), &word);
    if let Some(v) = assign {
        cluster.console.env.insert(param.name.clone(), v);
    }
    Some(text)
}

fn variable(cluster: &Cluster, name: &str) -> String {
    match name {
        "?" => cluster.console.last_status.to_string(),
        _ => cluster.console.env.get(name).cloned().unwrap_or_default(),
    }
}

/// Runs `command` and gives its stdout without the final newlines; its stderr is printed.
fn substitute(cluster: &mut Cluster, command: &str, out: &mut Output) -> String {
    let mut stdout = run_nested(cluster, command, out);
    stdout.truncate(stdout.trim_end_matches('\n').len());
    stdout
}

/// Runs `command` inside another (`$(...)`, `<(...)`), giving its stdout; its stderr is
/// printed; nesting is bounded.
pub(super) fn run_nested(cluster: &mut Cluster, command: &str, out: &mut Output) -> String {
    if cluster.console.substitution_depth >= MAX_SUBSTITUTION_DEPTH {
        out.err("bash: command substitution: nested too deeply");
        return String::new();
    }
    let stream_ok = cluster.console.stream_ok;
    cluster.console.substitution_depth += 1;
    let result = run_line(cluster, command);
    cluster.console.substitution_depth -= 1;
    cluster.console.stream_ok = stream_ok;
    let mut stdout = String::new();
    for (stream, text) in result.chunks {
        match stream {
            Stream::Stdout => stdout.push_str(&text),
            Stream::Stderr => out.chunks.push((Stream::Stderr, text)),
        }
    }
    let console = &mut cluster.console;
    let mut within = budget::string(stdout.len());
    if console.loop_level > 0 {
        // Captured in a loop: counts toward the loop's byte bound (see `exec`).
        within = within.and_then(|()| console.budget.print(stdout.len()));
    }
    if let Err(limit) = within {
        console.exceed(limit);
        stdout.clear();
    }
    stdout
}
