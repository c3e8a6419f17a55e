//! Recognizes a *load loop*: a container script that sends HTTP requests forever
//! (`while true; do wget -q -O- http://php-apache; done`, `while sleep 0.01; do …`,
//! `until false; …`). The network runs such a loop as a rate (`network::load`), not one
//! request at a time; anything else stays the shell's.

use crate::sh::{self, Command, Compound, Dialect, Redirect, Simple};

/// Longest think time one loop may have, in ms (a day).
const MAX_THINK_MS: i64 = 86_400_000;

/// The HTTP client a loop runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    /// busybox `wget`.
    Wget,
    /// `curl`.
    Curl,
}

/// One iteration of a load loop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadLoop {
    /// The client it runs.
    pub client: Client,
    /// The URL as written.
    pub url: String,
    /// The request's command line, without its redirections.
    pub request: Vec<String>,
    /// Whether the response body goes to the container's stdout (`-O-`, curl's default).
    pub shows_body: bool,
    /// Lines `echo` prints before the request.
    pub before: Vec<String>,
    /// Lines `echo` prints after it.
    pub after: Vec<String>,
    /// The `sleep`s of one iteration, in ms.
    pub think_ms: i64,
}

/// The load loop `script` is, if it is one (in the shell dialect `dialect`).
pub fn recognize(script: &str, dialect: Dialect) -> Option<LoadLoop> {
    if !(script.contains("wget") || script.contains("curl")) {
        return None;
    }
    let commands = sh::parse_script(script, dialect).ok()?;
    let [command] = commands.as_slice() else {
        return None;
    };
    let Some(Compound::While(w)) = alone(command)?.compound.as_deref() else {
        return None;
    };
    let mut think_ms = 0i64;
    let [test] = &w.test[..] else {
        return None;
    };
    let words = &alone(test)?.words;
    match (
        w.until,
        words
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
    ) {
        (false, ["true"] | [":"]) | (true, ["false"]) => {}
        (false, ["sleep", s]) => think_ms = sleep_ms(s)?,
        _ => return None,
    }
    let mut request: Option<(Client, String, bool, Vec<String>)> = None;
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for command in w.body.iter() {
        let simple = alone(command)?;
        if simple.compound.is_some()
            || simple.expansions.iter().any(Option::is_some)
            || simple.words.iter().any(|w| w.contains(['$', '`']))
        {
            return None;
        }
        let quiet_out = quiet(simple)?;
        let argv = simple.words.clone();
        let Some((cmd, args)) = argv.split_first() else {
            continue;
        };
        match cmd.as_str() {
            "true" | ":" => {}
            "sleep" => think_ms = think_ms.saturating_add(sleep_ms(args.first()?)?),
            "echo" if !args.first().is_some_and(|a| a.starts_with('-')) => {
                if !quiet_out {
                    let line = args.join(" ");
                    if request.is_some() {
                        after.push(line);
                    } else {
                        before.push(line);
                    }
                }
            }
            "wget" | "curl" if request.is_none() => {
                let (client, url, body) = if cmd == "wget" {
                    wget(args)?
                } else {
                    curl(args)?
                };
                request = Some((client, url, body && !quiet_out, argv.clone()));
            }
            _ => return None,
        }
    }
    let (client, url, shows_body, request) = request?;
    Some(LoadLoop {
        client,
        url,
        request,
        shows_body,
        before,
        after,
        think_ms: think_ms.min(MAX_THINK_MS),
    })
}

/// `sleep`'s operand in ms (at most the longest think time).
fn sleep_ms(s: &str) -> Option<i64> {
    crate::clock::SimDuration::parse_interval(s).map(|d| d.0.min(MAX_THINK_MS))
}

/// A pipeline's one command, without stdin redirected.
fn alone(command: &Command) -> Option<&Simple> {
    match command.pipeline.as_slice() {
        [simple] if simple.stdin_from.is_none() && simple.heredoc.is_none() => Some(simple),
        _ => None,
    }
}

/// Whether a command's stdout is discarded; `None` for a redirection into a file.
fn quiet(simple: &Simple) -> Option<bool> {
    let mut quiet = false;
    for r in &simple.outputs {
        match r {
            Redirect::To { fd: 2, .. } | Redirect::Dup { .. } => {}
            Redirect::To { file, .. } if file == "/dev/null" => quiet = true,
            Redirect::To { .. } => return None,
        }
    }
    Some(quiet)
}

/// busybox `wget -q -O- URL` (or `-O /dev/null`): (client, URL, body on stdout).
fn wget(args: &[String]) -> Option<(Client, String, bool)> {
    let (mut quiet, mut out, mut url) = (false, None::<String>, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-q" | "--quiet" => quiet = true,
            "-O" => out = Some(it.next()?.clone()),
            "-qO-" | "-qO" => {
                quiet = true;
                out = Some(if a == "-qO" {
                    it.next()?.clone()
                } else {
                    "-".into()
                });
            }
            "-O-" => out = Some("-".into()),
            "-T" => {
                it.next()?;
            }
            s if s.starts_with("--output-document=") => {
                out = Some(s.trim_start_matches("--output-document=").to_string())
            }
            s if s.starts_with('-') => return None,
            s if url.is_none() => url = Some(s.to_string()),
            _ => return None,
        }
    }
    // Without -q busybox prints its progress; without -O it saves index.html once and then
    // fails: neither is a steady stream.
    let body = match out?.as_str() {
        "-" => true,
        "/dev/null" => false,
        _ => return None,
    };
    quiet.then_some((Client::Wget, url?, body))
}

/// `curl -s URL` (`--silent`, `-sS`, `-o /dev/null`): (client, URL, body on stdout).
fn curl(args: &[String]) -> Option<(Client, String, bool)> {
    let (mut silent, mut body, mut url) = (false, true, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-s" | "--silent" | "-sS" | "-Ss" => silent = true,
            "-S" | "--show-error" => {}
            "-o" => {
                if it.next()? != "/dev/null" {
                    return None;
                }
                body = false;
            }
            s if s.starts_with('-') => return None,
            s if url.is_none() => url = Some(s.to_string()),
            _ => return None,
        }
    }
    // Without -s curl draws its progress meter on stderr (not a terminal) every time.
    silent.then_some((Client::Curl, url?, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walkthrough_loop_is_a_load_loop() {
        let l = recognize(
            "while sleep 0.01; do wget -q -O- http://php-apache; done",
            Dialect::Ash,
        )
        .unwrap();
        assert_eq!(l.client, Client::Wget);
        assert_eq!(l.url, "http://php-apache");
        assert!(l.shows_body);
        assert_eq!(l.think_ms, 10);
        let l = recognize(
            "while true; do curl -s web >/dev/null; echo done; sleep 1; done",
            Dialect::Bash,
        )
        .unwrap();
        assert!(!l.shows_body);
        assert_eq!((l.after, l.think_ms), (vec!["done".to_string()], 1000));
    }

    #[test]
    fn other_scripts_are_not() {
        for s in [
            "wget -q -O- web",
            "while true; do wget web; done",
            "while true; do wget -q -O- $URL; done",
            "while true; do curl web; done",
            "i=0; while true; do wget -qO- web; done",
            "while true; do wget -qO- web; wget -qO- db; done",
            "while true; do echo hi; sleep 1; done",
        ] {
            assert_eq!(recognize(s, Dialect::Ash), None, "{s}");
        }
    }
}
