//! Shell-like parsing of a console line: words, quotes, escapes, comments, `;` `&&` `||`
//! lists, `|` pipelines, `>`/`>>`/`<` redirections and `<<EOF` heredocs (whose bodies are the
//! lines that follow the first line, taken as they are). Parameter expansions (`$NAME`,
//! `${NAME}`, `$?`) and command substitutions (`$(...)`, backticks) are kept as [`Piece`]s,
//! outside single quotes, to be expanded when the command runs.

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

/// A part of a word that has expansions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Text as typed (after quote removal).
    Lit(String),
    /// `$NAME`, `${NAME}` or `$?`; `quoted` inside double quotes (no word splitting).
    Var {
        /// The name (`?` for the last exit status).
        name: String,
        /// Inside double quotes.
        quoted: bool,
    },
    /// `$((expression))`: shell arithmetic.
    Arith(String),
    /// `$(command)` or `` `command` ``.
    Subst {
        /// The command line inside.
        command: String,
        /// Inside double quotes.
        quoted: bool,
    },
}

/// A word: its text after quote removal, and its pieces when it has expansions.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Word {
    text: String,
    pieces: Option<Vec<Piece>>,
}

/// One simple command with its redirections.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Simple {
    /// Words after quote removal (expansions as typed).
    pub words: Vec<String>,
    /// For each word, its pieces if it has expansions to make when the command runs.
    pub expansions: Vec<Option<Vec<Piece>>>,
    /// A `for` loop in the command's place (no words then): `for ...; done | grep x`.
    pub for_loop: Option<Box<ForLoop>>,
    /// `> file` (false) or `>> file` (true).
    pub stdout_to: Option<(String, bool)>,
    /// `< file`.
    pub stdin_from: Option<String>,
    /// Heredoc body, fed to stdin.
    pub heredoc: Option<String>,
}

impl Simple {
    /// Neither words nor a loop.
    fn is_empty(&self) -> bool {
        self.words.is_empty() && self.for_loop.is_none()
    }
}

/// A pipeline (`a | b | c`) and how it joins the previous one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// When it runs.
    pub connector: Connector,
    /// The commands of the pipeline, in order.
    pub pipeline: Vec<Simple>,
}

/// `for NAME in WORDS; do LIST; done` (on one line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForLoop {
    /// The variable set to each word in turn.
    pub name: String,
    /// The words, expanded when the loop starts (as a command's words are).
    pub items: Simple,
    /// What runs for each word.
    pub body: Vec<Command>,
}

/// How deeply loops may nest on one line.
const MAX_LOOP_DEPTH: usize = 16;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(Word),
    Op(&'static str),
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// A word being read: its text and its pieces.
#[derive(Default)]
struct WordBuf {
    text: String,
    pieces: Vec<Piece>,
    expands: bool,
}

impl WordBuf {
    fn push(&mut self, c: char) {
        self.text.push(c);
        match self.pieces.last_mut() {
            Some(Piece::Lit(s)) => s.push(c),
            _ => self.pieces.push(Piece::Lit(c.to_string())),
        }
    }

    fn expansion(&mut self, piece: Piece, raw: &str) {
        self.text.push_str(raw);
        self.pieces.push(piece);
        self.expands = true;
    }

    fn take(&mut self) -> Word {
        let buf = std::mem::take(self);
        Word {
            text: buf.text,
            pieces: buf.expands.then_some(buf.pieces),
        }
    }
}

/// After a `$`: the expansion it starts, with its text as typed (`None`: a plain `$`).
fn dollar(chars: &mut Chars, quoted: bool) -> Result<Option<(Piece, String)>, String> {
    match chars.peek().copied() {
        Some('(') => {
            chars.next();
            if chars.peek() == Some(&'(') {
                chars.next();
                // `$((1+2))`: the expression ends at the first `)` of the closing two.
                let expr = until_paren(chars)?;
                if chars.next() != Some(')') {
                    return Err("bash: unexpected EOF while looking for matching `))'".into());
                }
                let raw = format!("$(({expr}))");
                return Ok(Some((Piece::Arith(expr), raw)));
            }
            let command = until_paren(chars)?;
            let raw = format!("$({command})");
            Ok(Some((Piece::Subst { command, quoted }, raw)))
        }
        Some('{') => {
            chars.next();
            let name = until_char(chars, '}')?;
            if name != "?" && !is_name(&name) {
                return Err(format!("bash: ${{{name}}}: bad substitution"));
            }
            let raw = format!("${{{name}}}");
            Ok(Some((Piece::Var { name, quoted }, raw)))
        }
        Some('?') => {
            chars.next();
            let name = "?".to_string();
            Ok(Some((Piece::Var { name, quoted }, "$?".into())))
        }
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {
            let mut name = String::new();
            while let Some(&c) = chars.peek() {
                if !(c.is_ascii_alphanumeric() || c == '_') {
                    break;
                }
                name.push(c);
                chars.next();
            }
            let raw = format!("${name}");
            Ok(Some((Piece::Var { name, quoted }, raw)))
        }
        _ => Ok(None),
    }
}

/// The text up to `end` (not included), or bash's error when `end` never comes.
fn until_char(chars: &mut Chars, end: char) -> Result<String, String> {
    let mut text = String::new();
    for c in chars.by_ref() {
        if c == end {
            return Ok(text);
        }
        text.push(c);
    }
    Err(format!(
        "bash: unexpected EOF while looking for matching `{end}'"
    ))
}

/// Whether `s` is a shell variable name.
pub(super) fn is_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The text up to the `)` closing a `$(` (nested parentheses and quotes respected).
fn until_paren(chars: &mut Chars) -> Result<String, String> {
    let mut inner = String::new();
    let mut depth = 1;
    while let Some(c) = chars.next() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(inner);
                }
            }
            '\'' | '"' => {
                inner.push(c);
                for q in chars.by_ref() {
                    inner.push(q);
                    if q == c {
                        break;
                    }
                }
                continue;
            }
            '\\' => {
                inner.push(c);
                if let Some(n) = chars.next() {
                    inner.push(n);
                }
                continue;
            }
            _ => {}
        }
        inner.push(c);
    }
    Err("bash: unexpected EOF while looking for matching `)'".into())
}

/// The text up to the closing backtick.
fn until_backtick(chars: &mut Chars) -> Result<String, String> {
    let mut inner = String::new();
    while let Some(c) = chars.next() {
        match c {
            '`' => return Ok(inner),
            '\\' => match chars.next() {
                Some(n @ ('`' | '\\' | '$')) => inner.push(n),
                Some(n) => {
                    inner.push('\\');
                    inner.push(n);
                }
                None => inner.push('\\'),
            },
            c => inner.push(c),
        }
    }
    Err("bash: unexpected EOF while looking for matching ``'".into())
}

fn tokenize(line: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut word = WordBuf::default();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    macro_rules! end_word {
        () => {
            if in_word {
                tokens.push(Token::Word(word.take()));
                in_word = false;
            }
        };
    }
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for ch in until_char(&mut chars, '\'')?.chars() {
                    word.push(ch);
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('$') => match dollar(&mut chars, true)? {
                            Some((piece, raw)) => word.expansion(piece, &raw),
                            None => word.push('$'),
                        },
                        Some('`') => {
                            let command = until_backtick(&mut chars)?;
                            let raw = format!("`{command}`");
                            word.expansion(
                                Piece::Subst {
                                    command,
                                    quoted: true,
                                },
                                &raw,
                            );
                        }
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
            '$' => {
                in_word = true;
                match dollar(&mut chars, false)? {
                    Some((piece, raw)) => word.expansion(piece, &raw),
                    None => word.push('$'),
                }
            }
            '`' => {
                in_word = true;
                let command = until_backtick(&mut chars)?;
                let raw = format!("`{command}`");
                word.expansion(
                    Piece::Subst {
                        command,
                        quoted: false,
                    },
                    &raw,
                );
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
        tokens.push(Token::Word(word.take()));
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
            read_heredocs(&mut command, &mut lines);
            commands.push(command);
        }
    }
    Ok(commands)
}

/// Gives each `<<DELIM` of `command` (inside a loop too) its body from the lines that follow.
fn read_heredocs<'a>(command: &mut Command, lines: &mut impl Iterator<Item = &'a str>) {
    for simple in &mut command.pipeline {
        if let Some(for_loop) = simple.for_loop.as_mut() {
            for inner in &mut for_loop.body {
                read_heredocs(inner, lines);
            }
        }
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
}

fn parse_line(line: &str) -> Result<Vec<Command>, String> {
    let tokens = tokenize(line)?;
    parse_tokens(tokens, 0)
}

fn unexpected(t: &str) -> String {
    format!("bash: syntax error near unexpected token `{t}'")
}

fn is_word(tok: Option<&Token>, text: &str) -> bool {
    matches!(tok, Some(Token::Word(w)) if w.pieces.is_none() && w.text == text)
}

/// `for NAME in WORDS; do LIST; done` after its `for`: the loop, and the tokens after `done`.
fn parse_for(
    tokens: &mut std::iter::Peekable<std::vec::IntoIter<Token>>,
    depth: usize,
) -> Result<ForLoop, String> {
    if depth >= MAX_LOOP_DEPTH {
        return Err("bash: loops nested too deeply".into());
    }
    let name = match tokens.next() {
        Some(Token::Word(w)) if w.pieces.is_none() && is_name(&w.text) => w.text,
        Some(Token::Word(w)) => return Err(format!("bash: `{}': not a valid identifier", w.text)),
        Some(Token::Op(op)) => return Err(unexpected(op)),
        None => return Err("bash: syntax error: unexpected end of file".into()),
    };
    let mut items = Simple::default();
    if is_word(tokens.peek(), "in") {
        tokens.next();
        while let Some(Token::Word(_)) = tokens.peek() {
            if let Some(Token::Word(w)) = tokens.next() {
                items.words.push(w.text);
                items.expansions.push(w.pieces);
            }
        }
    }
    match tokens.next() {
        Some(Token::Op(";")) => {}
        Some(Token::Word(w)) if w.text == "do" => return Err(unexpected("do")),
        Some(Token::Op(op)) => return Err(unexpected(op)),
        _ => return Err("bash: syntax error: unexpected end of file".into()),
    }
    if !is_word(tokens.peek(), "do") {
        return Err(match tokens.next() {
            Some(Token::Word(w)) => unexpected(&w.text),
            Some(Token::Op(op)) => unexpected(op),
            None => "bash: syntax error: unexpected end of file".into(),
        });
    }
    tokens.next();
    // The body: up to the `done` that closes this loop (a command's first word).
    let mut body = Vec::new();
    let mut nested = 0usize;
    let mut at_start = true;
    loop {
        let Some(tok) = tokens.next() else {
            return Err("bash: syntax error: unexpected end of file".into());
        };
        if at_start && is_word(Some(&tok), "done") {
            if nested == 0 {
                break;
            }
            nested -= 1;
        } else if at_start && is_word(Some(&tok), "for") {
            nested += 1;
        }
        // Reserved words count only where a command starts: after an operator or a `do`.
        let was_start = at_start;
        at_start = matches!(tok, Token::Op(";" | "&&" | "||" | "|"))
            || (was_start && is_word(Some(&tok), "do"));
        body.push(tok);
    }
    // The `;` before `done` ends the body's last command.
    if matches!(body.last(), Some(Token::Op(";"))) {
        body.pop();
    }
    if body.is_empty() {
        return Err(unexpected("done"));
    }
    let body = parse_tokens(body, depth + 1)?;
    Ok(ForLoop { name, items, body })
}

fn parse_tokens(tokens: Vec<Token>, depth: usize) -> Result<Vec<Command>, String> {
    let mut commands: Vec<Command> = Vec::new();
    let mut pipeline: Vec<Simple> = Vec::new();
    let mut current = Simple::default();
    let mut connector = Connector::Always;
    let mut iter = tokens.into_iter().peekable();
    while let Some(tok) = iter.next() {
        match tok {
            Token::Word(w) if w.pieces.is_none() && w.text == "for" && current.is_empty() => {
                current.for_loop = Some(Box::new(parse_for(&mut iter, depth)?));
            }
            // After `done` comes an operator or a redirection, not a word.
            Token::Word(w) if current.for_loop.is_some() => return Err(unexpected(&w.text)),
            Token::Word(w) => {
                current.words.push(w.text);
                current.expansions.push(w.pieces);
            }
            Token::Op(op @ (">" | ">>" | "<" | "<<")) => {
                let Some(Token::Word(Word { text: target, .. })) = iter.next() else {
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
                if current.is_empty() {
                    return Err(unexpected("|"));
                }
                pipeline.push(std::mem::take(&mut current));
            }
            Token::Op(op) => {
                if current.is_empty() {
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
    if !current.is_empty() || current.heredoc.is_some() || current.stdout_to.is_some() {
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

    #[test]
    fn expansions_are_kept_as_pieces_outside_single_quotes() {
        let cmds =
            parse(r#"echo $A "x ${B}" '$C' \$D $(kubectl get "p o") `e` $((1+(2))) $? $"#).unwrap();
        let s = &cmds[0].pipeline[0];
        let var = |name: &str, quoted| Piece::Var {
            name: name.into(),
            quoted,
        };
        assert_eq!(s.expansions[0], None);
        assert_eq!(s.expansions[1], Some(vec![var("A", false)]));
        assert_eq!(
            s.expansions[2],
            Some(vec![Piece::Lit("x ".into()), var("B", true)])
        );
        assert_eq!(s.words[3], "$C");
        assert_eq!(s.expansions[3], None);
        assert_eq!(s.words[4], "$D");
        assert_eq!(s.expansions[4], None);
        assert_eq!(
            s.expansions[5],
            Some(vec![Piece::Subst {
                command: r#"kubectl get "p o""#.into(),
                quoted: false
            }])
        );
        assert_eq!(
            s.expansions[6],
            Some(vec![Piece::Subst {
                command: "e".into(),
                quoted: false
            }])
        );
        assert_eq!(s.expansions[7], Some(vec![Piece::Arith("1+(2)".into())]));
        assert_eq!(s.expansions[8], Some(vec![var("?", false)]));
        assert_eq!((s.words[9].as_str(), &s.expansions[9]), ("$", &None));
        assert!(parse("echo $(open").unwrap_err().contains("matching `)'"));
        assert!(parse("echo ${1x}")
            .unwrap_err()
            .contains("bad substitution"));
        assert!(parse("echo `open").is_err());
    }

    #[test]
    fn for_loops_on_one_line() {
        let cmds =
            parse("for i in a $X; do echo $i; for j in 1; do echo done; done; done && echo ok")
                .unwrap();
        assert_eq!(cmds.len(), 2);
        let l = cmds[0].pipeline[0].for_loop.as_ref().expect("a loop");
        assert_eq!(l.name, "i");
        assert_eq!(l.items.words, ["a", "$X"]);
        assert_eq!(l.body.len(), 2);
        let inner = l.body[1].pipeline[0]
            .for_loop
            .as_ref()
            .expect("a nested loop");
        assert_eq!(inner.body[0].pipeline[0].words, ["echo", "done"]);
        assert_eq!(cmds[1].connector, Connector::IfSuccess);
        assert!(parse("for i in a b; do echo $i")
            .unwrap_err()
            .contains("end of file"));
        assert!(parse("for 1x in a; do echo; done")
            .unwrap_err()
            .contains("not a valid identifier"));
        assert!(parse("for i in a; do done").unwrap_err().contains("`done'"));
        let piped = parse("for i in a; do echo; done | grep a > out.txt").unwrap();
        assert!(piped[0].pipeline[0].for_loop.is_some());
        assert_eq!(
            piped[0].pipeline[1].stdout_to,
            Some(("out.txt".into(), false))
        );
        assert!(parse("for i in a; do echo; done x")
            .unwrap_err()
            .contains("`x'"));
        // Not at a command's start, `for` and `done` are words.
        assert_eq!(words("echo for done"), vec![vec!["echo", "for", "done"]]);
        let deep = "for i in a; do ".repeat(40) + &"done; ".repeat(40);
        assert!(parse(&deep).unwrap_err().contains("nested too deeply"));
    }
}
