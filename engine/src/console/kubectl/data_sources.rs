//! The data sources of `kubectl create configmap` and `create secret generic|docker-registry`
//! (kubectl's `ParseFileSource`, `ParseLiteralSource`, `AddFromEnvFile`): `--from-file`,
//! `--from-literal` and `--from-env-file` read from the learner's workspace, each pair handed
//! to the caller, which checks and stores it with its own messages.

use super::flags::Parsed;
use crate::console::files::Workspace;

/// Receives one (key, value) pair; its error ends the command.
pub(super) type Add<'a> = dyn FnMut(&str, String) -> Result<(), String> + 'a;

/// kubectl's `Validate`: env files are a source of their own.
pub(super) fn check_combination(parsed: &Parsed) -> Result<(), String> {
    let env = !parsed.values("from-env-file").is_empty();
    let other = !parsed.values("from-file").is_empty() || !parsed.values("from-literal").is_empty();
    if env && other {
        return Err("from-env-file cannot be combined with from-file or from-literal".into());
    }
    Ok(())
}

/// `--from-file=[key=]path`: a file under its base name (or `key`), or each regular file
/// directly in a folder.
pub(super) fn from_files(
    files: &Workspace,
    sources: &[String],
    add: &mut Add,
) -> Result<(), String> {
    for source in sources {
        let (key, path) = parse_file_source(source)?;
        if let Some(text) = files.read(path) {
            add(&key, text.to_string())?;
        } else if files.is_dir(path) {
            if source.contains('=') {
                return Err("cannot give a key name for a directory path".into());
            }
            let dir = crate::console::files::normalize(path);
            for f in files.files_under(path) {
                let rest = if dir.is_empty() {
                    f.as_str()
                } else {
                    f.strip_prefix(&format!("{dir}/")).unwrap_or(&f)
                };
                // Subfolders are not regular files: skipped.
                if rest.contains('/') {
                    continue;
                }
                let text = files.read(&f).unwrap_or_default().to_string();
                add(rest, text)?;
            }
        } else {
            return Err(format!("error reading {path}: no such file or directory"));
        }
    }
    Ok(())
}

/// `ParseFileSource`: (key, path).
fn parse_file_source(source: &str) -> Result<(String, &str), String> {
    match source.matches('=').count() {
        0 => {
            let trimmed = source.trim_end_matches('/');
            let base = trimmed.rsplit('/').next().unwrap_or(trimmed);
            let base = if base.is_empty() && source.starts_with('/') {
                "/"
            } else if base.is_empty() {
                "."
            } else {
                base
            };
            Ok((base.to_string(), source))
        }
        1 if source.starts_with('=') => {
            Err(format!("key name for file path {} missing", &source[1..]))
        }
        1 if source.ends_with('=') => Err(format!(
            "file path for key name {} missing",
            &source[..source.len() - 1]
        )),
        1 => {
            let (k, p) = source.split_once('=').unwrap_or((source, ""));
            Ok((k.to_string(), p))
        }
        _ => Err("key names or file paths cannot contain '='".into()),
    }
}

/// `--from-literal=key=value` (the value may hold `=`). With `strip_quotes`, one pair of
/// quotes around the value is dropped (what Kubeplay's ConfigMap command always did).
pub(super) fn from_literals(
    sources: &[String],
    strip_quotes: bool,
    add: &mut Add,
) -> Result<(), String> {
    for lit in sources {
        let Some((k, v)) = lit.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(format!("invalid literal source {lit}, expected key=value"));
        };
        let v = if strip_quotes {
            v.strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
                .unwrap_or(v)
        } else {
            v
        };
        add(k, v.to_string())?;
    }
    Ok(())
}

/// `--from-env-file=path`: `KEY=value` lines; blank lines and `#` comments are skipped, keys
/// must be environment variable names. `what` names the object in kubectl's folder error
/// (`config`, `secret`).
pub(super) fn from_env_files(
    files: &Workspace,
    sources: &[String],
    what: &str,
    add: &mut Add,
) -> Result<(), String> {
    for path in sources {
        let Some(text) = files.read(path) else {
            if files.is_dir(path) && !crate::console::files::normalize(path).is_empty() {
                return Err(format!("env {what} file cannot be a directory"));
            }
            return Err(format!("error reading {path}: no such file or directory"));
        };
        for (i, line) in text.lines().enumerate() {
            let line = if i == 0 {
                line.strip_prefix('\u{feff}').unwrap_or(line)
            } else {
                line
            };
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (k, v) = line.split_once('=').unwrap_or((line, ""));
            if let Some(msg) = env_var_name_error(k) {
                return Err(format!("{k:?} is not a valid key name: {msg}"));
            }
            add(k, v.to_string())?;
        }
    }
    Ok(())
}

/// `validation.IsEnvVarName`'s message for a name that is not one.
pub(super) fn env_var_name_error(k: &str) -> Option<&'static str> {
    let ok = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || "-._".contains(c))
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c));
    (!ok).then_some("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_sources_as_kubectl_parses_them() {
        assert_eq!(
            parse_file_source("a/b.txt").unwrap(),
            ("b.txt".into(), "a/b.txt")
        );
        assert_eq!(parse_file_source("k=a/b").unwrap(), ("k".into(), "a/b"));
        assert_eq!(
            parse_file_source("=a").unwrap_err(),
            "key name for file path a missing"
        );
        assert_eq!(
            parse_file_source("k=").unwrap_err(),
            "file path for key name k missing"
        );
        assert_eq!(
            parse_file_source("a=b=c").unwrap_err(),
            "key names or file paths cannot contain '='"
        );
    }

    #[test]
    fn env_files_check_names() {
        let mut files = Workspace::default();
        files
            .write("e.env", "# c\n\nA=1\n  B=x=y\nC\n", false)
            .unwrap();
        let mut got = Vec::new();
        from_env_files(&files, &["e.env".into()], "config", &mut |k, v| {
            got.push((k.to_string(), v));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            got,
            [
                ("A".into(), "1".into()),
                ("B".into(), "x=y".into()),
                ("C".into(), String::new())
            ]
        );
        files.write("bad.env", "1X=2\n", false).unwrap();
        let err = from_env_files(&files, &["bad.env".into()], "config", &mut |_, _| Ok(()));
        assert!(err
            .unwrap_err()
            .starts_with("\"1X\" is not a valid key name: a valid environment variable name"));
    }
}
