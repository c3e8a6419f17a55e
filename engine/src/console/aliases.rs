//! `alias` and `unalias` with bash's texts; the aliases themselves are expanded by the
//! parser where a command starts (`sh::parse_with_aliases`), and by Tab completion.

use crate::cluster::Cluster;
use crate::output::Output;

/// How many aliases may be defined, and how long a value may be.
const MAX_ALIASES: usize = 256;
const MAX_VALUE: usize = 4096;

/// `alias [-p] [NAME[=VALUE]]...`.
pub(super) fn alias(cluster: &mut Cluster, args: &[String]) -> Output {
    let mut o = Output::default();
    let args: Vec<&String> = args.iter().filter(|a| *a != "-p" && *a != "--").collect();
    if let Some(bad) = args.iter().find(|a| a.starts_with('-') && a.len() > 1) {
        let mut o = Output::failure(format!(
            "bash: alias: {}: invalid option\nalias: usage: alias [-p] [name[=value] ... ]",
            &bad[..2]
        ));
        o.exit_code = 2;
        return o;
    }
    let aliases = &mut cluster.console.aliases;
    if args.is_empty() {
        let lines: Vec<String> = aliases.iter().map(|(n, v)| line(n, v)).collect();
        if !lines.is_empty() {
            o.out(lines.join("\n"));
        }
        return o;
    }
    for a in args {
        match a.split_once('=') {
            Some((name, value)) => {
                if !valid_name(name) {
                    o.err(format!("bash: alias: `{name}': invalid alias name"));
                    o.exit_code = 1;
                } else if value.len() > MAX_VALUE
                    || (aliases.len() >= MAX_ALIASES && !aliases.contains_key(name))
                {
                    o.err(format!(
                        "bash: alias: {name}: too many aliases or too long a value"
                    ));
                    o.exit_code = 1;
                } else {
                    aliases.insert(name.to_string(), value.to_string());
                }
            }
            None => match aliases.get(a.as_str()) {
                Some(v) => o.out(line(a, v)),
                None => {
                    o.err(format!("bash: alias: {a}: not found"));
                    o.exit_code = 1;
                }
            },
        }
    }
    o
}

/// `unalias [-a] NAME...`.
pub(super) fn unalias(cluster: &mut Cluster, args: &[String]) -> Output {
    let mut o = Output::default();
    if args.is_empty() {
        let mut o = Output::failure("unalias: usage: unalias [-a] name [name ...]");
        o.exit_code = 2;
        return o;
    }
    if args.iter().any(|a| a == "-a") {
        cluster.console.aliases.clear();
        return o;
    }
    for a in args.iter().filter(|a| *a != "--") {
        if cluster.console.aliases.remove(a.as_str()).is_none() {
            o.err(format!("bash: unalias: {a}: not found"));
            o.exit_code = 1;
        }
    }
    o
}

/// `alias NAME='VALUE'`, quoted as bash prints it (`'` as `'\''`).
fn line(name: &str, value: &str) -> String {
    format!("alias {name}='{}'", value.replace('\'', "'\\''"))
}

/// bash refuses alias names with `/`, `$`, `` ` ``, `=`, quotes or shell metacharacters.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || "/$`='\"\\|&;()<>".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_lines_quote_as_bash() {
        assert_eq!(line("k", "kubectl"), "alias k='kubectl'");
        assert_eq!(line("e", "echo 'x'"), "alias e='echo '\\''x'\\'''");
        assert!(valid_name("kgp"));
        assert!(valid_name("k-9.x"));
        assert!(!valid_name("a/b"));
        assert!(!valid_name(""));
    }
}
