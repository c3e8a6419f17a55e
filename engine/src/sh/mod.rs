//! The one sh grammar, pure text to AST, that the console's bash and the containers'
//! shells (`kubectl exec`: dash, busybox ash, bash) share: words, quotes, escapes, comments,
//! `;` `&&` `||` lists, `|` pipelines, `>`/`>>`/`<` redirections, `<<EOF` heredocs (whose
//! bodies are the lines that follow the line of their `<<`, taken as they are), and
//! `for`/`while`/`until` loops, `if`, `case` and `[[ ... ]]` over one or several lines
//! (`grammar`). Parameter expansions (`$NAME`, `${NAME}`, `$?`, `${#NAME}`,
//! `${NAME:-WORD}`, ...) and command substitutions (`$(...)`, backticks) are kept as
//! [`Piece`]s, outside single quotes, to be expanded when the command runs.

pub mod cond;
mod error;
pub mod glob;
mod grammar;
mod lex;
pub mod param;

use std::sync::Arc;

pub use cond::Cond;
pub use error::SyntaxError;
use lex::{lex, Lexed, Token, Word};
pub use param::Param;

/// Which shell's rules and messages apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// GNU bash 5.2.
    Bash,
    /// busybox 1.37 ash (its `test` applet).
    Ash,
    /// dash (Debian's `/bin/sh`).
    Dash,
}

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
    /// `${#NAME}`, `${NAME:-WORD}`, `${NAME#PATTERN}`, ...: a parameter expansion.
    Param {
        /// What it asks.
        param: Param,
        /// Inside double quotes.
        quoted: bool,
    },
    /// `$((expression))`: shell arithmetic.
    Arith(String),
    /// `<(command)`: a name (`/dev/fd/63`) of a file holding what it printed.
    ProcSubst(String),
    /// `$(command)` or `` `command` ``.
    Subst {
        /// The command line inside.
        command: String,
        /// Inside double quotes.
        quoted: bool,
    },
}

/// Whether `s` is a shell variable name.
pub fn is_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// One simple command with its redirections.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Simple {
    /// Words after quote removal (expansions as typed).
    pub words: Vec<String>,
    /// For each word, its pieces if it has expansions to make when the command runs.
    pub expansions: Vec<Option<Vec<Piece>>>,
    /// A loop, `if`, `case` or `[[ ]]` in the command's place (no words then):
    /// `for ...; done | grep x`.
    pub compound: Option<Box<Compound>>,
    /// Output redirections in the order typed (`> f`, `2>> f`, `2>&1`, `>&2`, `&> f`).
    pub outputs: Vec<Redirect>,
    /// `< file`.
    pub stdin_from: Option<String>,
    /// Heredoc body, fed to stdin.
    pub heredoc: Option<String>,
}

impl Simple {
    /// Neither words nor a loop.
    fn is_empty(&self) -> bool {
        self.words.is_empty() && self.compound.is_none()
    }

    /// Has a redirection or a heredoc.
    pub fn redirected(&self) -> bool {
        !self.outputs.is_empty() || self.stdin_from.is_some() || self.heredoc.is_some()
    }
}

/// An output redirection: bash applies them left to right, so `2>&1 >f` sends stderr
/// where stdout went before (the pipe or the screen) and stdout to `f`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redirect {
    /// `N> file` (`append`: `N>> file`).
    To {
        /// The descriptor: 1 (stdout) or 2 (stderr).
        fd: u8,
        /// The file, as typed (after quote removal).
        file: String,
        /// Its pieces when it has expansions (`> $LOG`), for the shells that make them.
        pieces: Option<Vec<Piece>>,
        /// `>>`: append instead of truncating.
        append: bool,
    },
    /// `N>&M`: descriptor `fd` goes where `to` goes now.
    Dup {
        /// The descriptor redirected.
        fd: u8,
        /// The descriptor copied.
        to: u8,
    },
}

impl Redirect {
    /// Whether its target has expansions to make before it is opened (`> $LOG`).
    pub fn has_expansions(&self) -> bool {
        matches!(
            self,
            Redirect::To {
                pieces: Some(_),
                ..
            }
        )
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

/// A compound command: a loop (`for`, `while`, `until`), `if`, `case` or `[[ ... ]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Compound {
    /// `for NAME in WORDS; do LIST; done`.
    For(ForLoop),
    /// `while LIST; do LIST; done` or `until LIST; do LIST; done`.
    While(WhileLoop),
    /// `if LIST; then LIST; [elif LIST; then LIST;]... [else LIST;] fi`.
    If(IfClause),
    /// `case WORD in PATTERN) LIST;; ... esac`.
    Case(CaseClause),
    /// `[[ EXPRESSION ]]`.
    Cond(Cond<CondWord>),
}

impl Compound {
    /// A loop (`break` and `continue` count it).
    pub fn is_loop(&self) -> bool {
        matches!(self, Compound::For(_) | Compound::While(_))
    }
}

/// A test and the body it guards, of an `if` or an `elif`.
pub type Branch = (Arc<[Command]>, Arc<[Command]>);

/// `if`: its tests and bodies in order, and the `else` body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IfClause {
    /// `(test, body)` of the `if` and each `elif`.
    pub branches: Arc<[Branch]>,
    /// The `else` body (empty when there is none).
    pub otherwise: Arc<[Command]>,
}

/// `case WORD in ... esac`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseClause {
    /// The word matched.
    pub word: CondWord,
    /// The items in order: their patterns and bodies.
    pub items: Arc<[CaseItem]>,
}

/// `PATTERN|PATTERN) LIST;;`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseItem {
    /// The patterns, before expansion.
    pub patterns: Vec<CondWord>,
    /// What runs when one matches.
    pub body: Arc<[Command]>,
}

/// A word of `[[ ]]` or `case`: expanded without splitting when the command runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CondWord {
    /// The text after quote removal (expansions as typed).
    pub text: String,
    /// Its pieces when it has expansions.
    pub pieces: Option<Vec<Piece>>,
    /// Typed with quotes or escapes: matched as is, not as a pattern.
    pub quoted: bool,
}

impl From<String> for CondWord {
    fn from(text: String) -> Self {
        CondWord {
            text,
            pieces: None,
            quoted: false,
        }
    }
}

impl From<Word> for CondWord {
    fn from(w: Word) -> Self {
        CondWord {
            quoted: !w.plain && w.pieces.is_none(),
            text: w.text,
            pieces: w.pieces,
        }
    }
}

/// `for NAME in WORDS; do LIST; done`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForLoop {
    /// The variable set to each word in turn.
    pub name: String,
    /// The words, expanded when the loop starts (as a command's words are).
    pub items: Simple,
    /// What runs for each word.
    pub body: Arc<[Command]>,
}

/// `while LIST; do LIST; done`, or `until` (the body runs while the test fails).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhileLoop {
    /// `until` rather than `while`.
    pub until: bool,
    /// The test, run before each pass; its status decides.
    pub test: Arc<[Command]>,
    /// What runs on each pass.
    pub body: Arc<[Command]>,
}

/// The delimiter of the first heredoc that `line` opens, as bash's grammar reads it: a `<<`
/// operator outside quotes, `$((...))` and `$(...)` (`echo $((1<<4))` and `echo 'a<<b'`
/// open none); `<<-EOF` gives `EOF`.
pub fn heredoc_delimiter(line: &str) -> Option<String> {
    let lexed = lex(line).ok()?;
    let first = lexed.delimiters.into_iter().next()?;
    Some(first.strip_prefix('-').map(str::to_string).unwrap_or(first))
}

/// The pieces of a parameter expansion's word (`d` of `${x:-d}`), as a word of a line.
pub fn word_pieces(text: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let tokens = lex(text).map(|l| l.tokens).unwrap_or_default();
    for word in tokens.into_iter().filter_map(|t| match t {
        Token::Word(w) => Some(w),
        _ => None,
    }) {
        if !pieces.is_empty() {
            pieces.push(Piece::Lit(" ".into()));
        }
        match word.pieces {
            Some(p) => pieces.extend(p),
            None => pieces.push(Piece::Lit(word.text)),
        }
    }
    pieces
}

/// Parses a script as the shell `dialect` reads it (a container's `sh -c`).
pub fn parse_script(text: &str, dialect: Dialect) -> Result<Vec<Command>, SyntaxError> {
    grammar::parse(lex(text)?.tokens, dialect, None)
}

/// Parses a console entry: one line, or several (a loop over lines, heredoc bodies).
#[cfg(test)]
pub fn parse(text: &str) -> Result<Vec<Command>, String> {
    parse_script(text, Dialect::Bash).map_err(|e| e.interactive())
}

/// Parses a console entry, expanding `aliases` where commands start.
pub fn parse_with_aliases(
    text: &str,
    aliases: &std::collections::BTreeMap<String, String>,
) -> Result<Vec<Command>, String> {
    let tokens = lex(text).map_err(|e| e.interactive())?.tokens;
    grammar::parse(tokens, Dialect::Bash, Some(aliases)).map_err(|e| e.interactive())
}

/// Whether an interactive entry is unfinished, so that bash prompts `> ` for more: it ends
/// inside quotes, `$(...)` or `${...}`, after a `\\`, inside a heredoc (its delimiter line
/// not typed yet), inside a compound command (`while true; do`, `if true; then echo x`) or
/// after `|`, `&&`, `||`. A syntax error is not unfinished: it is reported at once.
pub fn needs_more(text: &str) -> bool {
    match lex(text) {
        Err(e) => matches!(e, SyntaxError::Unterminated(_)),
        Ok(lexed) if lexed.open_heredoc || lexed.trailing_backslash => true,
        Ok(lexed) => matches!(
            grammar::parse(lexed.tokens, Dialect::Bash, None),
            Err(e) if e.is_end_of_file()
        ),
    }
}

/// Whether an entry goes on with the next line in a script (transcripts, piped input): it
/// ends inside a compound command or after `|`, `&&`, `||`, and either spans lines already,
/// ends with a word that opens a list (`do`, `then`, `else`, `in`, ...), `|`, `&&` or `||`,
/// or is a header without its list (`while true`, `if true`). A one-line compound whose
/// list has begun but lacks its end (`done`, `fi`, `esac`) is an error at once (scripts and
/// transcripts hold such lines), and so is an open quote. Typed entries follow
/// [`needs_more`] instead, as bash does.
pub fn continues(text: &str) -> bool {
    if !matches!(parse_script(text, Dialect::Bash), Err(e) if e.is_end_of_file()) {
        return false;
    }
    let Ok(Lexed { tokens, .. }) = lex(text) else {
        return false;
    };
    let mut tokens = tokens.iter().filter(|t| **t != Token::Op("\n"));
    let reserved = |t: &Token, words: &[&str]| matches!(t, Token::Word(w) if w.plain && words.contains(&w.text.as_str()));
    let opens = |t: &Token| reserved(t, &["do", "then", "else", "in"]) || *t == Token::Op(";;");
    let ends_open = matches!(
        tokens.clone().next_back(),
        Some(t) if opens(t) || matches!(t, Token::Op("|" | "&&" | "||"))
    );
    let begun = |t: &Token| reserved(t, &["do", "then"]) || *t == Token::Op(")");
    text.contains('\n') || ends_open || !tokens.any(begun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to(fd: u8, file: &str, append: bool) -> Redirect {
        Redirect::To {
            fd,
            file: file.into(),
            pieces: None,
            append,
        }
    }

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
    fn aliases_expand_where_commands_start() {
        let aliases: std::collections::BTreeMap<String, String> = [
            ("k", "kubectl"),
            ("kgp", "k get pods | grep web"),
            ("w", "watch "),
            ("loop", "loop loop"),
            ("a", "b"),
            ("b", "a"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let words = |line: &str| -> Vec<Vec<String>> {
            parse_with_aliases(line, &aliases)
                .unwrap()
                .into_iter()
                .flat_map(|c| c.pipeline)
                .map(|s| s.words)
                .collect()
        };
        assert_eq!(
            words("kgp -A"),
            [vec!["kubectl", "get", "pods"], vec!["grep", "web", "-A"]]
        );
        assert_eq!(
            words("echo k; k version"),
            [vec!["echo", "k"], vec!["kubectl", "version"]]
        );
        assert_eq!(words("w k get po"), [vec!["watch", "kubectl", "get", "po"]]);
        assert_eq!(words("'k' x"), [vec!["k", "x"]]);
        assert_eq!(words("loop"), [vec!["loop", "loop"]]);
        assert_eq!(words("a"), [vec!["a"]]);
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
        assert_eq!(cmds[0].pipeline[1].outputs, [to(1, "out.txt", false)]);
        let cmds = parse("cat <<EOF > pod.yaml\napiVersion: v1\n  kind: Pod\nEOF").unwrap();
        assert_eq!(cmds.len(), 1);
        let s = &cmds[0].pipeline[0];
        assert_eq!(s.heredoc.as_deref(), Some("apiVersion: v1\n  kind: Pod\n"));
        assert_eq!(s.outputs, [to(1, "pod.yaml", false)]);
        let cmds = parse("a 2>&1 >f &>>g 1>&2").unwrap();
        assert_eq!(
            cmds[0].pipeline[0].outputs,
            [
                Redirect::Dup { fd: 2, to: 1 },
                to(1, "f", false),
                to(1, "g", true),
                Redirect::Dup { fd: 2, to: 1 },
                Redirect::Dup { fd: 1, to: 2 },
            ]
        );
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
        let Some(Compound::For(l)) = cmds[0].pipeline[0].compound.as_deref() else {
            panic!("a for loop")
        };
        assert_eq!(l.name, "i");
        assert_eq!(l.items.words, ["a", "$X"]);
        assert_eq!(l.body.len(), 2);
        let Some(Compound::For(inner)) = l.body[1].pipeline[0].compound.as_deref() else {
            panic!("a nested loop")
        };
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
        assert!(piped[0].pipeline[0].compound.is_some());
        assert_eq!(piped[0].pipeline[1].outputs, [to(1, "out.txt", false)]);
        assert!(parse("for i in a; do echo; done x")
            .unwrap_err()
            .contains("`x'"));
        // Not at a command's start, `for` and `done` are words.
        assert_eq!(words("echo for done"), vec![vec!["echo", "for", "done"]]);
        let deep = "for i in a; do ".repeat(40) + &"done; ".repeat(40);
        assert!(parse(&deep).unwrap_err().contains("nested too deeply"));
    }
    fn err(text: &str) -> String {
        parse(text).unwrap_err()
    }

    #[test]
    fn while_and_until_loops() {
        let cmds =
            parse("i=1; while kubectl get pods | grep -q x; do sleep 1; echo $((i++)); done")
                .unwrap();
        assert_eq!(cmds.len(), 2);
        let Some(Compound::While(w)) = cmds[1].pipeline[0].compound.as_deref() else {
            panic!("a while loop")
        };
        assert!(!w.until);
        assert_eq!(w.test.len(), 1);
        assert_eq!(w.test[0].pipeline.len(), 2);
        assert_eq!(w.body.len(), 2);
        assert_eq!(w.body[0].pipeline[0].words, ["sleep", "1"]);
        let cmds = parse("until false && true; do break 2; done").unwrap();
        let Some(Compound::While(u)) = cmds[0].pipeline[0].compound.as_deref() else {
            panic!("an until loop")
        };
        assert!(u.until);
        assert_eq!(u.test.len(), 2);
        assert_eq!(u.test[1].connector, Connector::IfSuccess);
        // Loops nest in each other, `for` inside `while` and the other way round.
        let cmds =
            parse("while true; do for i in a; do until x; do echo done; done; done; done | wc -l")
                .unwrap();
        assert_eq!(cmds[0].pipeline.len(), 2);
        // Reserved words count only where a command starts, and only unquoted.
        assert_eq!(
            words("echo while do 'done'"),
            vec![vec!["echo", "while", "do", "done"]]
        );
        let quoted = parse("while true; do echo; 'done'; done").unwrap();
        let Some(Compound::While(q)) = quoted[0].pipeline[0].compound.as_deref() else {
            panic!("a while loop")
        };
        assert_eq!(q.body[1].pipeline[0].words, ["done"]);
        let deep = "while true; do ".repeat(20) + &"done; ".repeat(20);
        assert!(err(&deep).contains("nested too deeply"));
    }

    #[test]
    fn loops_over_several_lines() {
        let cmds = parse("for i in 1 2\ndo\n  echo $i\n\n  echo x\ndone\necho after").unwrap();
        assert_eq!(cmds.len(), 2);
        let Some(Compound::For(f)) = cmds[0].pipeline[0].compound.as_deref() else {
            panic!("a for loop")
        };
        assert_eq!(f.body.len(), 2);
        let cmds = parse("while true\ndo cat <<EOF\nbody\nEOF\ndone").unwrap();
        let Some(Compound::While(w)) = cmds[0].pipeline[0].compound.as_deref() else {
            panic!("a while loop")
        };
        assert_eq!(w.body[0].pipeline[0].heredoc.as_deref(), Some("body\n"));
        assert!(
            parse("kubectl get pods |\ngrep x").unwrap()[0]
                .pipeline
                .len()
                == 2
        );
        assert!(parse("true &&\n\necho x").is_ok());
    }

    #[test]
    fn malformed_loops_read_like_bash() {
        let eof = "bash: syntax error: unexpected end of file";
        let near = |t: &str| format!("bash: syntax error near unexpected token `{t}'");
        assert_eq!(err("while true; do echo x"), eof);
        assert_eq!(err("while true"), eof);
        assert_eq!(err("while true; do echo x; done |"), eof);
        assert_eq!(err("while true; do done"), near("done"));
        assert_eq!(err("while do echo; done"), near("do"));
        assert_eq!(err("while ; do echo; done"), near(";"));
        assert_eq!(err("until false; do break; done x"), near("x"));
        assert_eq!(err("while true do echo x; done"), near("done"));
        assert_eq!(err("while true; do echo x; done; done"), near("done"));
        assert_eq!(err("for i in a; echo x; done"), near("echo"));
        assert_eq!(err("for i in a\necho x; done"), near("echo"));
        assert_eq!(err("done"), near("done"));
        assert_eq!(err("do"), near("do"));
        assert_eq!(err("echo a && done"), near("done"));
        assert_eq!(err("cat <<"), near("newline"));
        assert_eq!(err("echo > ;"), near(";"));
    }

    #[test]
    fn if_case_and_double_brackets() {
        let cmds = parse("if a; then b; elif c; then d; else e; fi && echo ok").unwrap();
        assert_eq!(cmds.len(), 2);
        let Some(Compound::If(i)) = cmds[0].pipeline[0].compound.as_deref() else {
            panic!("an if")
        };
        assert_eq!(i.branches.len(), 2);
        assert_eq!(i.otherwise[0].pipeline[0].words, ["e"]);
        let cmds = parse("case $x in (a|b) echo ab;; c*) ;; esac").unwrap();
        let Some(Compound::Case(c)) = cmds[0].pipeline[0].compound.as_deref() else {
            panic!("a case")
        };
        assert_eq!(c.items.len(), 2);
        assert_eq!(c.items[0].patterns.len(), 2);
        assert!(c.items[1].body.is_empty());
        assert!(parse("[[ $x == a* && ( -f f || ! -z $y ) ]]").is_ok());
        assert!(parse("[[ $x =~ ^(a|b)$ ]]").is_ok());
        let near = |t: &str| format!("bash: syntax error near unexpected token `{t}'");
        assert_eq!(err("if true; then fi"), near("fi"));
        assert_eq!(err("if then"), near("then"));
        assert_eq!(err("if true; echo; fi"), near("fi"));
        assert_eq!(err("if true; then echo; else fi"), near("fi"));
        assert_eq!(err("if true; then echo; elif; then echo; fi"), near(";"));
        assert_eq!(err("case a in a) echo;; esac x"), near("x"));
        assert_eq!(err("esac"), near("esac"));
        assert_eq!(err("case in a) esac"), near("a"));
        assert_eq!(err("case a b"), near("b"));
        assert_eq!(err("echo a;; echo b"), near(";;"));
        assert_eq!(
            err("if true; then echo x"),
            "bash: syntax error: unexpected end of file"
        );
        let deep = "if true; then ".repeat(40) + &"fi; ".repeat(40);
        assert!(err(&deep).contains("nested too deeply"));
        assert!(continues("if true"));
        assert!(continues("if true; then"));
        assert!(continues("case $x in"));
        assert!(continues("if true\nthen echo x"));
        assert!(!continues("if true; then echo x"));
    }

    #[test]
    fn an_entry_continues_while_a_loop_is_open() {
        assert!(continues("for i in 1 2"));
        assert!(continues("while true; do"));
        assert!(continues("while true\ndo"));
        assert!(continues("while true\ndo echo x"));
        assert!(continues("kubectl get pods |"));
        assert!(continues("true &&"));
        assert!(!continues("while true\ndo echo x\ndone"));
        assert!(!continues("echo hi"));
        assert!(!continues("while true; do done"));
        // A one-line loop missing its `done` is an error at once.
        assert!(!continues("for i in a b; do echo $i"));
    }

    #[test]
    fn typed_entries_need_more_until_complete() {
        for open in [
            "while true; do",
            "for i in a b; do echo $i",
            "if true; then echo x",
            "if true; then echo x; else",
            "case $x in",
            "kubectl get pods |",
            "true &&",
            "false ||",
            "echo 'open",
            "echo \"open",
            "echo $(date",
            "echo ${HOME",
            "echo `date",
            "echo a \\",
            "cat <<EOF",
            "cat <<EOF > pod.yaml\nkind: Pod",
            "cat <<-EOF\n\tx",
            "while true\ndo\necho 'a\nb'",
            "echo 'a\nb' |",
        ] {
            assert!(needs_more(open), "{open:?} needs more");
        }
        for done in [
            "",
            "echo hi",
            "while true; do sleep 1; done",
            "for i in 1 2\ndo\necho $i\ndone",
            "echo 'a\nb'",
            "echo \"a\nb\"",
            "echo a \\\nb",
            "cat <<EOF\nkind: Pod\nEOF",
            "cat <<'EOF' | grep x\nx\nEOF",
            "echo $(echo a\necho b)",
            // Syntax errors are reported at once, not continued.
            "while true; do done",
            "fi",
            "echo a;; b",
            "&& a",
        ] {
            assert!(!needs_more(done), "{done:?} is complete");
        }
    }

    #[test]
    fn entries_span_lines_as_typed() {
        assert_eq!(
            words("echo 'a\nb' \"c\nd\""),
            vec![vec!["echo", "a\nb", "c\nd"]]
        );
        assert_eq!(words("echo a \\\nb"), vec![vec!["echo", "a", "b"]]);
        assert_eq!(words("echo \"a\\\nb\""), vec![vec!["echo", "ab"]]);
        // A comment ends at its line; the next line is a command.
        assert_eq!(
            words("echo a # x\necho b"),
            vec![vec!["echo", "a"], vec!["echo", "b"]]
        );
        let cmds = parse("cat <<EOF > a\nx 'y\nEOF\necho done").unwrap();
        assert_eq!(cmds.len(), 2);
        assert_eq!(cmds[0].pipeline[0].heredoc.as_deref(), Some("x 'y\n"));
    }

    /// The message `sh -c SRC` prints in `dialect` (as `sh`, or `bash` for bash).
    fn script_err(src: &str, dialect: Dialect) -> String {
        let name = if dialect == Dialect::Bash {
            "bash"
        } else {
            "sh"
        };
        parse_script(src, dialect)
            .unwrap_err()
            .message(dialect, name, src)
    }

    #[test]
    fn each_dialect_words_the_same_error() {
        use Dialect::*;
        let cases: [(&str, [&str; 3]); 10] = [
            (
                "if true; then fi",
                [
                    "sh: 1: Syntax error: \"fi\" unexpected",
                    "sh: syntax error: unexpected \"fi\"",
                    "bash: -c: line 1: syntax error near unexpected token `fi'\nbash: -c: line 1: `if true; then fi'",
                ],
            ),
            (
                "if true; echo x; fi",
                [
                    "sh: 1: Syntax error: \"fi\" unexpected (expecting \"then\")",
                    "sh: syntax error: unexpected \"fi\" (expecting \"then\")",
                    "bash: -c: line 1: syntax error near unexpected token `fi'\nbash: -c: line 1: `if true; echo x; fi'",
                ],
            ),
            (
                "while true; do echo x",
                [
                    "sh: 1: Syntax error: end of file unexpected (expecting \"done\")",
                    "sh: syntax error: unexpected end of file (expecting \"done\")",
                    "bash: -c: line 2: syntax error: unexpected end of file",
                ],
            ),
            (
                "case a in a) echo;; x",
                [
                    "sh: 1: Syntax error: end of file unexpected (expecting \")\")",
                    "sh: syntax error: unexpected end of file (expecting \")\")",
                    "bash: -c: line 1: syntax error near unexpected token `newline'\nbash: -c: line 1: `case a in a) echo;; x'",
                ],
            ),
            (
                "echo 'open",
                [
                    "sh: 1: Syntax error: Unterminated quoted string",
                    "sh: syntax error: unterminated quoted string",
                    "bash: -c: line 1: unexpected EOF while looking for matching `''",
                ],
            ),
            (
                "echo $((1+2",
                [
                    "sh: 1: Syntax error: Missing '))'",
                    "sh: syntax error: missing '))'",
                    "bash: -c: line 1: unexpected EOF while looking for matching `)'",
                ],
            ),
            (
                "echo ${x",
                [
                    "sh: 1: Syntax error: Missing '}'",
                    "sh: syntax error: missing '}'",
                    "bash: -c: line 1: unexpected EOF while looking for matching `}'",
                ],
            ),
            (
                "echo $(date",
                [
                    "sh: 1: Syntax error: end of file unexpected (expecting \")\")",
                    "sh: syntax error: unexpected end of file (expecting \")\")",
                    "bash: -c: line 1: unexpected EOF while looking for matching `)'",
                ],
            ),
            (
                "for 1x in a; do echo; done",
                [
                    "sh: 1: Syntax error: Bad for loop variable",
                    "sh: syntax error: bad for loop variable",
                    "bash: `1x': not a valid identifier",
                ],
            ),
            (
                "echo ${1x}",
                [
                    "sh: 1: Bad substitution",
                    "sh: syntax error: bad substitution",
                    "bash: ${1x}: bad substitution",
                ],
            ),
        ];
        for (src, [dash, ash, bash]) in cases {
            assert_eq!(script_err(src, Dash), dash, "{src}");
            assert_eq!(script_err(src, Ash), ash, "{src}");
            assert_eq!(script_err(src, Bash), bash, "{src}");
        }
        let deep = "if true; then ".repeat(40) + &"fi; ".repeat(40);
        assert_eq!(script_err(&deep, Dash), "sh: nested too deeply");
        assert_eq!(err(&deep), "bash: loops nested too deeply");
    }

    #[test]
    fn double_brackets_by_dialect() {
        let first = |src: &str, d| parse_script(src, d).unwrap().remove(0).pipeline.remove(0);
        // bash: an expression, `&&` and `(` its own.
        let s = first("[[ a == b* && ( -f x ) ]] && echo", Dialect::Bash);
        assert!(matches!(s.compound.as_deref(), Some(Compound::Cond(_))));
        // busybox ash: its `test`, every word an argument.
        let s = first("[[ a == b* && ( x < y ) ]] && echo", Dialect::Ash);
        assert_eq!(
            s.words,
            ["[[", "a", "==", "b*", "&&", "(", "x", "<", "y", ")", "]]"]
        );
        // dash: a command like any other (not found), `&&` ends it.
        let s = first("[[ a && b ]]", Dialect::Dash);
        assert_eq!(s.words, ["[[", "a"]);
        // `<<` opens no heredoc inside `[[ ]]`, and is no operator there either (bash 5.2).
        assert_eq!(
            err("[[ a << b ]]"),
            "bash: unexpected token `<<', conditional binary operator expected"
        );
        assert_eq!(
            err("[[ << b ]]"),
            "bash: unexpected token `<<' in conditional command"
        );
        assert_eq!(
            script_err("[[ 1 -lt ]]", Dialect::Bash),
            "bash: -c: line 1: unexpected argument `]]' to conditional binary operator"
        );
        assert_eq!(
            parse("cat <<EOF\n[[ a\nEOF").unwrap()[0].pipeline[0]
                .heredoc
                .as_deref(),
            Some("[[ a\n")
        );
    }
}
