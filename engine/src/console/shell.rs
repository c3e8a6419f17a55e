//! Shell-like parsing of a console line: words, quotes, escapes, and `;` `&&` `||` lists.

/// How a command is joined to the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    /// First command, or after `;`: always runs.
    Always,
    /// After `&&`: runs if the previous command succeeded.
    IfSuccess,
    /// After `||`: runs if the previous command failed.
    IfFailure,
}

/// One simple command of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// When it runs.
    pub connector: Connector,
    /// Its words after quote removal.
    pub words: Vec<String>,
}

/// Splits `line` into commands. Errors read like bash's.
pub fn parse(line: &str) -> Result<Vec<Command>, String> {
    let mut commands = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut connector = Connector::Always;
    let mut chars = line.chars().peekable();

    let mut finish =
        |words: &mut Vec<String>, connector: Connector, next: Connector, token: &str| {
            if words.is_empty() {
                return Err(format!(
                    "bash: syntax error near unexpected token `{token}'"
                ));
            }
            commands.push(Command {
                connector,
                words: std::mem::take(words),
            });
            Ok(next)
        };

    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => word.push(ch),
                        None => {
                            return Err("bash: unexpected EOF while looking for matching `''".into())
                        }
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch @ ('"' | '\\' | '$' | '`')) => word.push(ch),
                            Some(ch) => {
                                word.push('\\');
                                word.push(ch);
                            }
                            None => {
                                return Err(
                                    "bash: unexpected EOF while looking for matching `\"'".into()
                                )
                            }
                        },
                        Some(ch) => word.push(ch),
                        None => {
                            return Err(
                                "bash: unexpected EOF while looking for matching `\"'".into()
                            )
                        }
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(ch) = chars.next() {
                    word.push(ch);
                }
            }
            '#' if !in_word => break,
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            ';' | '&' | '|' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                let doubled = chars.peek() == Some(&c);
                let (token, next) =
                    match (c, doubled) {
                        (';', _) => (";", Connector::Always),
                        ('&', true) => ("&&", Connector::IfSuccess),
                        ('|', true) => ("||", Connector::IfFailure),
                        ('&', false) => return Err(
                            "bash: running commands in the background (&) is not supported here"
                                .into(),
                        ),
                        _ => return Err("bash: pipes (|) are not supported yet".into()),
                    };
                if doubled {
                    chars.next();
                }
                connector = finish(&mut words, connector, next, token)?;
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    if !words.is_empty() {
        commands.push(Command { connector, words });
    } else if connector != Connector::Always {
        return Err("bash: syntax error: unexpected end of file".into());
    }
    Ok(commands)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<Vec<String>> {
        parse(line).unwrap().into_iter().map(|c| c.words).collect()
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(
            words(r#"kubectl get  pods -l 'app in (a,b)' "x y" a\ b"#),
            vec![vec![
                "kubectl",
                "get",
                "pods",
                "-l",
                "app in (a,b)",
                "x y",
                "a b"
            ]]
        );
        assert_eq!(words("echo ''"), vec![vec!["echo", ""]]);
        assert_eq!(words("  # only a comment"), Vec::<Vec<String>>::new());
    }

    #[test]
    fn lists() {
        let cmds = parse("a; b && c || d").unwrap();
        let conns: Vec<_> = cmds.iter().map(|c| c.connector).collect();
        assert_eq!(
            conns,
            vec![
                Connector::Always,
                Connector::Always,
                Connector::IfSuccess,
                Connector::IfFailure
            ]
        );
        assert!(parse("&& a").unwrap_err().contains("unexpected token `&&'"));
        assert!(parse("a &&").is_err());
        assert!(parse("echo 'open").unwrap_err().contains("matching"));
    }
}
