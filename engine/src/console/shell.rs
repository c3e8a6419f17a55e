//! Shell-like parsing of a console line: words, quotes, escapes, comments, `;` `&&` `||`
//! lists, `|` pipelines, `>`/`>>`/`<` redirections and `<<EOF` heredocs (whose bodies are the
//! lines that follow the first line).

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

/// One simple command with its redirections.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Simple {
    /// Words after quote removal.
    pub words: Vec<String>,
    /// `> file` (false) or `>> file` (true).
    pub stdout_to: Option<(String, bool)>,
    /// `< file`.
    pub stdin_from: Option<String>,
    /// Heredoc body, fed to stdin.
    pub heredoc: Option<String>,
}

/// A pipeline (`a | b | c`) and how it joins the previous one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// When it runs.
    pub connector: Connector,
    /// The commands of the pipeline, in order.
    pub pipeline: Vec<Simple>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Op(&'static str),
}

fn tokenize(line: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    macro_rules! end_word {
        () => {
            if in_word {
                tokens.push(Token::Word(std::mem::take(&mut word)));
                in_word = false;
            }
        };
    }
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
            c if c.is_whitespace() => end_word!(),
            ';' | '&' | '|' | '>' | '<' => {
                end_word!();
                let doubled = chars.peek() == Some(&c);
                if doubled {
                    chars.next();
                }
                tokens.push(Token::Op(match (c, doubled) {
                    (';', _) => ";",
                    ('&', true) => "&&",
                    ('|', true) => "||",
                    ('|', false) => "|",
                    ('>', true) => ">>",
                    ('>', false) => ">",
                    ('<', true) => "<<",
                    ('<', false) => "<",
                    _ => {
                        return Err(
                            "bash: running commands in the background (&) is not supported here"
                                .into(),
                        )
                    }
                }));
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        tokens.push(Token::Word(word));
    }
    Ok(tokens)
}

/// Splits a console entry (its first line plus any heredoc bodies) into commands.
pub fn parse(text: &str) -> Result<Vec<Command>, String> {
    let mut lines = text.split('\n');
    let mut commands = Vec::new();
    while let Some(first) = lines.next() {
        let parsed = parse_line(first)?;
        for mut command in parsed {
            for simple in &mut command.pipeline {
                if let Some(delimiter) = simple.heredoc.take() {
                    let (strip_tabs, delimiter) = match delimiter.strip_prefix('-') {
                        Some(d) => (true, d.to_string()),
                        None => (false, delimiter),
                    };
                    // Like bash, a heredoc without its delimiter ends at the end of the input.
                    let mut body = String::new();
                    for l in lines.by_ref() {
                        let l = if strip_tabs {
                            l.trim_start_matches('\t')
                        } else {
                            l
                        };
                        if l == delimiter {
                            break;
                        }
                        body.push_str(l);
                        body.push('\n');
                    }
                    simple.heredoc = Some(body);
                }
            }
            commands.push(command);
        }
    }
    Ok(commands)
}

fn parse_line(line: &str) -> Result<Vec<Command>, String> {
    let tokens = tokenize(line)?;
    let mut commands: Vec<Command> = Vec::new();
    let mut pipeline: Vec<Simple> = Vec::new();
    let mut current = Simple::default();
    let mut connector = Connector::Always;
    let mut iter = tokens.into_iter().peekable();
    let unexpected = |t: &str| format!("bash: syntax error near unexpected token `{t}'");
    while let Some(tok) = iter.next() {
        match tok {
            Token::Word(w) => current.words.push(w),
            Token::Op(op @ (">" | ">>" | "<" | "<<")) => {
                let Some(Token::Word(target)) = iter.next() else {
                    return Err("bash: syntax error near unexpected token `newline'".into());
                };
                match op {
                    ">" => current.stdout_to = Some((target, false)),
                    ">>" => current.stdout_to = Some((target, true)),
                    "<" => current.stdin_from = Some(target),
                    _ => current.heredoc = Some(target),
                }
            }
            Token::Op("|") => {
                if current.words.is_empty() {
                    return Err(unexpected("|"));
                }
                pipeline.push(std::mem::take(&mut current));
            }
            Token::Op(op) => {
                if current.words.is_empty() {
                    return Err(unexpected(op));
                }
                pipeline.push(std::mem::take(&mut current));
                commands.push(Command {
                    connector,
                    pipeline: std::mem::take(&mut pipeline),
                });
                connector = match op {
                    "&&" => Connector::IfSuccess,
                    "||" => Connector::IfFailure,
                    _ => Connector::Always,
                };
            }
        }
    }
    if !current.words.is_empty() || current.heredoc.is_some() || current.stdout_to.is_some() {
        pipeline.push(current);
    }
    if !pipeline.is_empty() {
        commands.push(Command {
            connector,
            pipeline,
        });
    } else if connector != Connector::Always {
        return Err("bash: syntax error: unexpected end of file".into());
    }
    Ok(commands)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<Vec<String>> {
        parse(line)
            .unwrap()
            .into_iter()
            .flat_map(|c| c.pipeline)
            .map(|s| s.words)
            .collect()
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
        assert!(parse("a &").is_err());
    }

    #[test]
    fn pipes_redirects_and_heredocs() {
        let cmds = parse("kubectl get pods | grep web > out.txt").unwrap();
        assert_eq!(cmds[0].pipeline.len(), 2);
        assert_eq!(
            cmds[0].pipeline[1].stdout_to,
            Some(("out.txt".into(), false))
        );
        let cmds = parse("cat <<EOF > pod.yaml\napiVersion: v1\n  kind: Pod\nEOF").unwrap();
        assert_eq!(cmds.len(), 1);
        let s = &cmds[0].pipeline[0];
        assert_eq!(s.heredoc.as_deref(), Some("apiVersion: v1\n  kind: Pod\n"));
        assert_eq!(s.stdout_to, Some(("pod.yaml".into(), false)));
        let cmds = parse("kubectl apply -f - <<'END'\nkind: Pod\nEND").unwrap();
        assert_eq!(cmds[0].pipeline[0].heredoc.as_deref(), Some("kind: Pod\n"));
        assert!(parse("echo >").is_err());
        assert!(parse("| grep x").is_err());
    }
}
