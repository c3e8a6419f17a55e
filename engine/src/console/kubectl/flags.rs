//! A cobra/pflag-like flag parser: `--flag=v`, `--flag v`, `-n v`, `-nv`, `-A`, `--`.

use std::collections::BTreeMap;

/// One flag a command accepts.
#[derive(Clone, Copy, Debug)]
pub struct Flag {
    /// Long name without dashes.
    pub long: &'static str,
    /// One-letter short name.
    pub short: Option<char>,
    /// Whether it takes a value (otherwise it is a boolean).
    pub takes_value: bool,
    /// For a value flag that may stand alone (pflag's `NoOptDefVal`): its value when bare.
    pub bare: Option<&'static str>,
}

/// A flag that takes a value.
pub const fn value(long: &'static str, short: Option<char>) -> Flag {
    Flag {
        long,
        short,
        takes_value: true,
        bare: None,
    }
}

/// A value flag that may also stand alone (`--cascade` means `--cascade=background`); a bare
/// one never takes the next argument as its value.
pub const fn optional(long: &'static str, short: Option<char>, bare: &'static str) -> Flag {
    Flag {
        long,
        short,
        takes_value: true,
        bare: Some(bare),
    }
}

/// A boolean flag.
pub const fn boolean(long: &'static str, short: Option<char>) -> Flag {
    Flag {
        long,
        short,
        takes_value: false,
        bare: None,
    }
}

/// Flags every kubectl command accepts.
pub const GLOBAL: &[Flag] = &[
    value("namespace", Some('n')),
    value("context", None),
    value("kubeconfig", None),
    value("as", None),
    value("as-group", None),
    value("as-uid", None),
];

/// The result of parsing a command's arguments.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    /// Arguments that are not flags, in order.
    pub positionals: Vec<String>,
    /// Arguments after `--`.
    pub after_dash: Option<Vec<String>>,
    values: BTreeMap<&'static str, Vec<String>>,
    /// Every flag as given, in command-line order (long names), for `--record`.
    pub order: Vec<(&'static str, String)>,
}

impl Parsed {
    /// The command line as `--record` writes it into `kubernetes.io/change-cause`:
    /// `kubectl <command> <positional args> --flag=value ...` (flags in the order given).
    pub fn change_cause(&self, command: &str) -> String {
        let mut s = format!("kubectl {command}");
        for p in &self.positionals {
            s.push(' ');
            s.push_str(p);
        }
        for (name, value) in &self.order {
            s.push_str(&format!(" --{name}={value}"));
        }
        s
    }

    /// The last value given for a flag.
    pub fn value(&self, long: &str) -> Option<&str> {
        self.values
            .get(long)
            .and_then(|v| v.last())
            .map(String::as_str)
    }

    /// Every value given for a repeatable flag, in order.
    pub fn values(&self, long: &str) -> &[String] {
        self.values.get(long).map(Vec::as_slice).unwrap_or(&[])
    }

    /// A `StringSlice` flag's values: every value given, split at commas, empty ones
    /// dropped (`--verbs=list,watch --verbs get`).
    pub fn list(&self, long: &str) -> Vec<String> {
        self.values(long)
            .iter()
            .flat_map(|v| v.split(','))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Whether a boolean flag is set (and not `=false`).
    pub fn bool(&self, long: &str) -> bool {
        self.value(long).is_some_and(|v| v != "false")
    }
}

/// Parses `args` for the command `path` (e.g. `get`), whose own flags are `flags`.
/// Errors are kubectl's texts.
pub fn parse(path: &str, args: &[String], flags: &[Flag]) -> Result<Parsed, String> {
    let all: Vec<&Flag> = flags.iter().chain(GLOBAL.iter()).collect();
    let usage = format!("See 'kubectl {path} --help' for usage.");
    let mut parsed = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            parsed.after_dash = Some(args[i..].to_vec());
            break;
        }
        if let Some(body) = arg.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let Some(flag) = all.iter().find(|f| f.long == name) else {
                return Err(format!("unknown flag: --{name}\n{usage}"));
            };
            let v = take_value(flag, inline, args, &mut i, &format!("--{name}"), &usage)?;
            parsed.order.push((flag.long, v.clone()));
            parsed.values.entry(flag.long).or_default().push(v);
        } else if arg.len() > 1 && arg.starts_with('-') {
            let shorts: Vec<char> = arg[1..].chars().collect();
            let mut j = 0;
            while j < shorts.len() {
                let c = shorts[j];
                j += 1;
                let Some(flag) = all.iter().find(|f| f.short == Some(c)) else {
                    return Err(format!("unknown shorthand flag: '{c}' in {arg}\n{usage}"));
                };
                let rest: String = shorts[j..].iter().collect();
                let inline = if flag.takes_value && !rest.is_empty() {
                    j = shorts.len();
                    Some(rest.strip_prefix('=').unwrap_or(&rest).to_string())
                } else {
                    None
                };
                let v = take_value(
                    flag,
                    inline,
                    args,
                    &mut i,
                    &format!("'{c}' in -{c}"),
                    &usage,
                )?;
                parsed.order.push((flag.long, v.clone()));
                parsed.values.entry(flag.long).or_default().push(v);
            }
        } else {
            parsed.positionals.push(arg.clone());
        }
    }
    Ok(parsed)
}

fn take_value(
    flag: &Flag,
    inline: Option<String>,
    args: &[String],
    i: &mut usize,
    shown: &str,
    usage: &str,
) -> Result<String, String> {
    if !flag.takes_value {
        // strconv.ParseBool's spellings.
        return match inline.as_deref() {
            None | Some("1" | "t" | "T" | "TRUE" | "true" | "True") => Ok("true".into()),
            Some("0" | "f" | "F" | "FALSE" | "false" | "False") => Ok("false".into()),
            Some(v) => Err(format!(
                "invalid argument \"{v}\" for \"{shown}\" flag: strconv.ParseBool: parsing \"{v}\": invalid syntax\n{usage}"
            )),
        };
    }
    if let Some(v) = inline {
        return Ok(v);
    }
    if let Some(bare) = flag.bare {
        return Ok(bare.to_string());
    }
    match args.get(*i) {
        Some(v) => {
            *i += 1;
            Ok(v.clone())
        }
        None => Err(format!("flag needs an argument: {shown}\n{usage}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    const F: &[Flag] = &[
        value("output", Some('o')),
        boolean("all-namespaces", Some('A')),
    ];

    #[test]
    fn forms() {
        let p = parse(
            "get",
            &s(&["pods", "-owide", "-n", "kube-system", "-A", "--", "x"]),
            F,
        )
        .unwrap();
        assert_eq!(p.positionals, s(&["pods"]));
        assert_eq!(p.value("output"), Some("wide"));
        assert_eq!(p.value("namespace"), Some("kube-system"));
        assert!(p.bool("all-namespaces"));
        assert_eq!(p.after_dash, Some(s(&["x"])));
        let p = parse("get", &s(&["--output=name", "--all-namespaces=false"]), F).unwrap();
        assert_eq!(p.value("output"), Some("name"));
        assert!(!p.bool("all-namespaces"));
        // strconv.ParseBool's other spellings.
        for (given, set) in [
            ("1", true),
            ("T", true),
            ("True", true),
            ("0", false),
            ("F", false),
        ] {
            let flag = format!("--all-namespaces={given}");
            assert_eq!(
                parse("get", &s(&[&flag]), F)
                    .unwrap()
                    .bool("all-namespaces"),
                set
            );
        }
    }

    #[test]
    fn errors() {
        assert_eq!(
            parse("get", &s(&["--foo"]), F).unwrap_err(),
            "unknown flag: --foo\nSee 'kubectl get --help' for usage."
        );
        assert_eq!(
            parse("get", &s(&["-z"]), F).unwrap_err(),
            "unknown shorthand flag: 'z' in -z\nSee 'kubectl get --help' for usage."
        );
        assert_eq!(
            parse("get", &s(&["-o"]), F).unwrap_err(),
            "flag needs an argument: 'o' in -o\nSee 'kubectl get --help' for usage."
        );
    }
}
