//! vi's command line, as the editor obeys it (no DOM): what a line typed after Esc asks
//! for (`:w`, `:wq`, `:x`, `ZZ`, `:q`, `:q!`, `:N`), and what that does to a buffer with or
//! without unsaved changes, with vim's own messages where it refuses.

/// vim's refusal to quit a changed buffer.
pub const E37: &str = "E37: No write since last change (add ! to override)";

/// Longest command line kept (a pasted novel is cut, not parsed).
pub const MAX_COMMAND: usize = 200;

/// What a command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ViCommand {
    /// An empty line: nothing.
    Nothing,
    /// `:w`, `:write`: write and stay.
    Write,
    /// `:wq`: write and quit.
    WriteQuit,
    /// `:x`, `:xit`, `:exit`, `ZZ`: write if changed, then quit.
    Exit,
    /// `:q`, `:quit` (refused while changed); `:q!`, `ZQ` (`force`) discard.
    Quit {
        /// `!`: quit even with unsaved changes.
        force: bool,
    },
    /// `:N` (1-based; 0 is the first line too), `:$` (`None`: the last line).
    Line(Option<usize>),
    /// A known command with a file name or range, which this editor does not take.
    Unsupported(String),
    /// Not a command: vim's E492.
    Unknown(String),
}

/// What the editor does for a command, given whether the text has unsaved changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing happens.
    Nothing,
    /// Write the text; close the editor afterwards when `close`.
    Write {
        /// Close once written.
        close: bool,
    },
    /// Close without writing (what was written before stays).
    Close,
    /// Refuse with this message (vim's, shown in the command line).
    Refuse(String),
    /// Move the cursor to a line (`None`: the last).
    GoTo(Option<usize>),
    /// A command this editor does not take: say which.
    Unsupported(String),
}

/// Reads a command line (with or without its leading `:`).
pub fn parse(line: &str) -> ViCommand {
    let line: String = line.chars().take(MAX_COMMAND).collect();
    let body = line.trim_start_matches([':', ' ', '\t']).trim_end();
    if body.is_empty() {
        return ViCommand::Nothing;
    }
    if body == "$" {
        return ViCommand::Line(None);
    }
    if body.bytes().all(|b| b.is_ascii_digit()) {
        return ViCommand::Line(Some(body.parse().unwrap_or(usize::MAX)));
    }
    let name_len = body
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(body.len());
    let (name, rest) = body.split_at(name_len);
    let (force, args) = match rest.strip_prefix('!') {
        Some(after) => (true, after.trim()),
        None => (false, rest.trim()),
    };
    let command = match name {
        _ if abbreviates(name, "w", "write") => ViCommand::Write,
        "wq" | "wqa" | "wqal" | "wqall" => ViCommand::WriteQuit,
        _ if abbreviates(name, "x", "xit")
            || abbreviates(name, "exi", "exit")
            || abbreviates(name, "xa", "xall") =>
        {
            ViCommand::Exit
        }
        _ if abbreviates(name, "q", "quit")
            || abbreviates(name, "qa", "qall")
            || abbreviates(name, "quita", "quitall") =>
        {
            ViCommand::Quit { force }
        }
        _ => return ViCommand::Unknown(body.to_string()),
    };
    if !rest.is_empty() && !rest.starts_with(['!', ' ', '\t']) {
        return ViCommand::Unknown(body.to_string());
    }
    if !args.is_empty() {
        return ViCommand::Unsupported(format!(":{body}"));
    }
    command
}

/// Whether `name` is `full` cut to at least `shortest` (vim's `:w[rite]`).
fn abbreviates(name: &str, shortest: &str, full: &str) -> bool {
    name.len() >= shortest.len() && full.starts_with(name) && name.starts_with(shortest)
}

/// Keys typed in normal mode, before any `:` (`ZZ`, `ZQ`): a command once complete.
pub fn normal_keys(keys: &str) -> Option<ViCommand> {
    match keys {
        "ZZ" => Some(ViCommand::Exit),
        "ZQ" => Some(ViCommand::Quit { force: true }),
        _ => None,
    }
}

/// What `command` does to a buffer that has unsaved changes (`modified`) or not.
pub fn effect(command: &ViCommand, modified: bool) -> Effect {
    match command {
        ViCommand::Nothing => Effect::Nothing,
        ViCommand::Write => Effect::Write { close: false },
        ViCommand::WriteQuit => Effect::Write { close: true },
        ViCommand::Exit if modified => Effect::Write { close: true },
        ViCommand::Exit => Effect::Close,
        ViCommand::Quit { force: false } if modified => Effect::Refuse(E37.to_string()),
        ViCommand::Quit { .. } => Effect::Close,
        ViCommand::Line(n) => Effect::GoTo(*n),
        ViCommand::Unsupported(what) => Effect::Unsupported(what.clone()),
        ViCommand::Unknown(what) => Effect::Refuse(format!("E492: Not an editor command: {what}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_quits_as_vim_spells_them() {
        for w in [":w", "w", "wr", "write", ":w!", "::w "] {
            assert_eq!(parse(w), ViCommand::Write, "{w}");
        }
        for wq in [":wq", ":wq!", "wqa"] {
            assert_eq!(parse(wq), ViCommand::WriteQuit, "{wq}");
        }
        for x in [":x", "xit", "exi", ":exit", "xa"] {
            assert_eq!(parse(x), ViCommand::Exit, "{x}");
        }
        assert_eq!(parse(":q"), ViCommand::Quit { force: false });
        assert_eq!(parse(":quit"), ViCommand::Quit { force: false });
        assert_eq!(parse(":q!"), ViCommand::Quit { force: true });
        assert_eq!(parse(":qa!"), ViCommand::Quit { force: true });
        assert_eq!(parse(":"), ViCommand::Nothing);
        assert_eq!(parse(""), ViCommand::Nothing);
    }

    #[test]
    fn lines_and_unknown_commands() {
        assert_eq!(parse(":12"), ViCommand::Line(Some(12)));
        assert_eq!(parse(":$"), ViCommand::Line(None));
        assert_eq!(
            parse(":99999999999999999999999"),
            ViCommand::Line(Some(usize::MAX))
        );
        assert_eq!(parse(":wqq"), ViCommand::Unknown("wqq".into()));
        assert_eq!(parse(":e"), ViCommand::Unknown("e".into()));
        assert_eq!(parse(":w2"), ViCommand::Unknown("w2".into()));
        assert_eq!(parse(":writer"), ViCommand::Unknown("writer".into()));
        assert_eq!(
            parse(":w other.yaml"),
            ViCommand::Unsupported(":w other.yaml".into())
        );
        assert_eq!(
            parse(&"q".repeat(10_000)),
            ViCommand::Unknown("q".repeat(200))
        );
        assert_eq!(parse("한글"), ViCommand::Unknown("한글".into()));
    }

    #[test]
    fn normal_mode_keys() {
        assert_eq!(normal_keys("ZZ"), Some(ViCommand::Exit));
        assert_eq!(normal_keys("ZQ"), Some(ViCommand::Quit { force: true }));
        assert_eq!(normal_keys("Z"), None);
    }

    #[test]
    fn quitting_a_changed_buffer_needs_a_bang() {
        let q = parse(":q");
        assert_eq!(effect(&q, true), Effect::Refuse(E37.into()));
        assert_eq!(effect(&q, false), Effect::Close);
        assert_eq!(effect(&parse(":q!"), true), Effect::Close);
        assert_eq!(effect(&parse(":x"), true), Effect::Write { close: true });
        assert_eq!(effect(&parse(":x"), false), Effect::Close);
        assert_eq!(effect(&parse(":wq"), false), Effect::Write { close: true });
        assert_eq!(effect(&parse(":w"), true), Effect::Write { close: false });
        assert_eq!(
            effect(&parse(":foo"), true),
            Effect::Refuse("E492: Not an editor command: foo".into())
        );
        assert_eq!(effect(&parse(":3"), true), Effect::GoTo(Some(3)));
    }
}
