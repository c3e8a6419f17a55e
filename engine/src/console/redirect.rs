//! Where a command's output goes: its output redirections applied left to right, as bash
//! opens and duplicates descriptors (`2>&1 >f` is not `>f 2>&1`), then each chunk it wrote
//! sent to the pipe (or the screen), the screen's stderr, or a workspace file.

use crate::cluster::Cluster;
use crate::output::{Output, Stream};
use crate::sh::Redirect;

/// Where a descriptor points.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    /// The command's own stdout: the next command of the pipe, or the screen.
    Out,
    /// The screen's stderr.
    Err,
    /// A file (by its index among the files opened).
    File(usize),
}

/// A command's output after its redirections: what goes down the pipe (or to the screen
/// for the last command), stderr chunks for the screen, in order.
pub(super) struct Routed {
    /// Text written to the pipe (for the last command: shown on the screen).
    pub stdout: String,
    /// Everything for the screen, in order (stdout chunks only for the last command).
    pub screen: Vec<(Stream, String)>,
}

/// Sends `chunks` where `redirects` say; files are written (created even when nothing is
/// written to them, as bash opens them first). Errors (a directory as target) go to the
/// screen and make the status 1.
pub(super) fn route(
    cluster: &mut Cluster,
    redirects: &[Redirect],
    chunks: Vec<(Stream, String)>,
    last: bool,
    status: &mut i32,
) -> Routed {
    let mut files: Vec<(String, bool, String)> = Vec::new();
    let (mut fd1, mut fd2) = (Target::Out, Target::Err);
    for r in redirects {
        let (fd, target) = match r {
            Redirect::Dup { fd, to } => (*fd, if *to == 1 { fd1.clone() } else { fd2.clone() }),
            Redirect::To { fd, file, .. } if file == "/dev/stdout" => (*fd, fd1.clone()),
            Redirect::To { fd, file, .. } if file == "/dev/stderr" => (*fd, fd2.clone()),
            Redirect::To {
                fd, file, append, ..
            } => {
                let at = files.iter().position(|(f, _, _)| f == file);
                let at = at.unwrap_or_else(|| {
                    files.push((file.clone(), *append, String::new()));
                    files.len() - 1
                });
                (*fd, Target::File(at))
            }
        };
        if fd == 1 {
            fd1 = target;
        } else {
            fd2 = target;
        }
    }
    let mut routed = Routed {
        stdout: String::new(),
        screen: Vec::new(),
    };
    for (stream, text) in chunks {
        let target = if stream == Stream::Stdout { &fd1 } else { &fd2 };
        match target {
            Target::Out if last => routed.screen.push((Stream::Stdout, text)),
            Target::Out => routed.stdout.push_str(&text),
            Target::Err => routed.screen.push((Stream::Stderr, text)),
            Target::File(i) => {
                if let Some((_, _, body)) = files.get_mut(*i) {
                    body.push_str(&text);
                }
            }
        }
    }
    for (file, append, text) in files {
        if file == "/dev/null" {
            continue;
        }
        if let Err(e) = cluster.console.files.write(&file, &text, append) {
            routed.screen.push((Stream::Stderr, format!("{e}\n")));
            *status = 1;
        }
    }
    routed
}

/// Whether the command's stdout reaches the screen (a job may stream it).
pub(super) fn stdout_on_screen(redirects: &[Redirect]) -> bool {
    !redirects
        .iter()
        .any(|r| matches!(r, Redirect::To { fd: 1, .. } | Redirect::Dup { fd: 1, .. }))
}

/// Appends routed screen chunks to `out`.
pub(super) fn show(out: &mut Output, screen: Vec<(Stream, String)>) {
    for (stream, text) in screen {
        match stream {
            Stream::Stdout => out.out_raw(text),
            Stream::Stderr => out.chunks.push((Stream::Stderr, text)),
        }
    }
}
