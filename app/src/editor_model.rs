//! The editor's logic without any DOM: what is being edited, YAML colouring by line, and the
//! line numbers that carry problems.

use kubeplay_engine::{EditRequest, ManifestProblem};

use crate::i18n::Locale;
use kubeplay_engine::sort::SliceSort;

/// What the editor has open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A workspace file (`vi pod.yaml`).
    File {
        /// Its path.
        path: String,
    },
    /// An object opened by `kubectl edit`.
    Object(Box<EditRequest>),
}

impl Target {
    /// The name shown in the editor's title bar.
    pub fn title(&self) -> String {
        match self {
            Target::File { path } => path.clone(),
            Target::Object(request) => request.file_name.clone(),
        }
    }

    /// Whether problems are looked for while typing (files that look like manifests; an
    /// object being edited is checked by `kubectl edit` itself on save).
    pub fn lints(&self) -> bool {
        match self {
            Target::File { path } => {
                let p = path.to_ascii_lowercase();
                p.ends_with(".yaml") || p.ends_with(".yml") || p.ends_with(".json")
            }
            Target::Object(_) => false,
        }
    }
}

/// A piece of a highlighted line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    /// Plain text.
    Plain,
    /// A mapping key, before its colon.
    Key,
    /// A quoted or plain string value.
    Str,
    /// Numbers, booleans, null.
    Literal,
    /// A comment.
    Comment,
    /// `---`, `...`, list dashes, colons, block indicators.
    Punct,
}

impl Token {
    /// CSS class of the token.
    pub fn class(self) -> &'static str {
        match self {
            Token::Plain => "tok-plain",
            Token::Key => "tok-key",
            Token::Str => "tok-str",
            Token::Literal => "tok-lit",
            Token::Comment => "tok-comment",
            Token::Punct => "tok-punct",
        }
    }
}

/// Splits one YAML line into coloured pieces (a line-local approximation: good enough to
/// read, never wrong about the text itself — the pieces always join back to the line).
pub fn highlight(line: &str) -> Vec<(Token, String)> {
    let mut out: Vec<(Token, String)> = Vec::new();
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    if !indent.is_empty() {
        out.push((Token::Plain, indent.to_string()));
    }
    if trimmed == "---" || trimmed == "..." || trimmed.starts_with("--- ") {
        let (marker, rest) = trimmed.split_at(3);
        out.push((Token::Punct, marker.to_string()));
        if !rest.is_empty() {
            out.push((Token::Comment, rest.to_string()));
        }
        return out;
    }
    let mut rest = trimmed;
    while let Some(after) = rest
        .strip_prefix("- ")
        .or(if rest == "-" { Some("") } else { None })
    {
        out.push((Token::Punct, rest[..rest.len() - after.len()].to_string()));
        rest = after;
    }
    let (body, comment) = split_comment(rest);
    if let Some((key, value)) = split_key(body) {
        out.push((Token::Key, key.to_string()));
        out.push((Token::Punct, ":".to_string()));
        value_tokens(value, &mut out);
    } else {
        value_tokens(body, &mut out);
    }
    if !comment.is_empty() {
        out.push((Token::Comment, comment.to_string()));
    }
    out
}

/// `body` and `# comment` (a `#` starting the line or after a space, outside quotes).
fn split_comment(text: &str) -> (&str, &str) {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') if prev == ' ' || prev == ':' || i == 0 => quote = Some(c),
            (None, '#') if prev == ' ' || i == 0 => return text.split_at(i),
            _ => {}
        }
        prev = c;
    }
    (text, "")
}

/// `key` and the rest after `:` when the text is `key: value` or `key:`.
fn split_key(text: &str) -> Option<(&str, &str)> {
    if text.starts_with(['"', '\'', '{', '[']) {
        return None;
    }
    let i = text
        .find(": ")
        .or_else(|| text.ends_with(':').then(|| text.len() - 1))?;
    Some((&text[..i], &text[i + 1..]))
}

fn value_tokens(value: &str, out: &mut Vec<(Token, String)>) {
    if value.is_empty() {
        return;
    }
    let v = value.trim();
    let lead = &value[..value.len() - value.trim_start().len()];
    let trail = &value[lead.len() + v.len()..];
    if !lead.is_empty() {
        out.push((Token::Plain, lead.to_string()));
    }
    let token = match v {
        "" => Token::Plain,
        "|" | ">" | "|-" | ">-" | "|+" | ">+" => Token::Punct,
        "true" | "false" | "null" | "~" | "True" | "False" | "yes" | "no" => Token::Literal,
        _ if v.parse::<f64>().is_ok() => Token::Literal,
        _ => Token::Str,
    };
    if !v.is_empty() {
        out.push((token, v.to_string()));
    }
    if !trail.is_empty() {
        out.push((Token::Plain, trail.to_string()));
    }
}

/// A problem's message in the page's language: Kubeplay's own hint (`"nmae" is not a field
/// here; did you mean "name"?`) is translated; what kubectl or the apiserver says stays as
/// they say it.
pub fn localized_problem(locale: Locale, message: &str) -> String {
    if locale != Locale::Ko {
        return message.to_string();
    }
    let Some((field, rest)) = message
        .strip_prefix('"')
        .and_then(|m| m.split_once("\" is not a field here"))
    else {
        return message.to_string();
    };
    let mut out = format!("\"{field}\"은(는) 여기에 쓸 수 없는 필드입니다.");
    if let Some(near) = rest
        .strip_prefix("; did you mean \"")
        .and_then(|r| r.strip_suffix("\"?"))
    {
        out.push_str(&format!(" \"{near}\"을(를) 쓰려던 건가요?"));
    }
    out
}

/// The problems on each line (1-based), for the gutter; problems without a line go on line 1.
pub fn problems_by_line(problems: &[ManifestProblem]) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for p in problems {
        let line = p.line.unwrap_or(1).max(1);
        match out.iter_mut().find(|(l, _)| *l == line) {
            Some((_, msg)) => {
                msg.push('\n');
                msg.push_str(&p.message);
            }
            None => out.push((line, p.message.clone())),
        }
    }
    out.stable_sort_by_key(|(l, _)| *l);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn kubeplays_hint_speaks_korean_and_kubectls_words_stay() {
        let hint = "\"nmae\" is not a field here; did you mean \"name\"?";
        assert_eq!(localized_problem(Locale::En, hint), hint);
        assert_eq!(
            localized_problem(Locale::Ko, hint),
            "\"nmae\"은(는) 여기에 쓸 수 없는 필드입니다. \"name\"을(를) 쓰려던 건가요?"
        );
        let kubectl = "error converting YAML to JSON: yaml: line 3: mapping values are not allowed";
        assert_eq!(localized_problem(Locale::Ko, kubectl), kubectl);
    }

    use super::*;

    fn joined(line: &str) -> String {
        highlight(line).into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn pieces_join_back_to_the_line() {
        for line in [
            "apiVersion: v1",
            "  - name: web # 한국어 주석",
            "    image: \"nginx:1.27\"",
            "--- # second",
            "- - a",
            "      command: [\"sh\", \"-c\", \"echo '#1'\"]",
            "key:",
            "  replicas: 3   ",
            "-",
            "",
            "url: http://x#y",
        ] {
            assert_eq!(joined(line), line);
        }
    }

    #[test]
    fn colours_keys_values_and_comments() {
        assert_eq!(
            highlight("  replicas: 3 # three"),
            vec![
                (Token::Plain, "  ".into()),
                (Token::Key, "replicas".into()),
                (Token::Punct, ":".into()),
                (Token::Plain, " ".into()),
                (Token::Literal, "3".into()),
                (Token::Plain, " ".into()),
                (Token::Comment, "# three".into()),
            ]
        );
        assert_eq!(
            highlight("- name: web")[..2],
            [(Token::Punct, "- ".into()), (Token::Key, "name".into())]
        );
        assert_eq!(highlight("# only")[0], (Token::Comment, "# only".into()));
    }

    #[test]
    fn groups_problems_by_line() {
        let p = |line, m: &str| ManifestProblem {
            line,
            message: m.into(),
        };
        assert_eq!(
            problems_by_line(&[p(Some(7), "a"), p(None, "b"), p(Some(7), "c")]),
            vec![(1, "b".into()), (7, "a\nc".into())]
        );
    }

    #[test]
    fn only_manifests_are_linted() {
        assert!(Target::File {
            path: "pod.YAML".into()
        }
        .lints());
        assert!(!Target::File {
            path: "notes.txt".into()
        }
        .lints());
    }
}
