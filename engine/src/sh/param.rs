//! Parameter expansions beyond `${NAME}`, shared by the console and container shells:
//! `${#NAME}` (length), `${NAME:-WORD}` / `${NAME-WORD}` (default), `${NAME:=WORD}`
//! (default, assigned), `${NAME:+WORD}` (alternative), `${NAME#P}` / `${NAME##P}` (shortest
//! and longest prefix matching the glob P removed) and `${NAME%P}` / `${NAME%%P}` (suffix).
//! The caller expands WORD first (it may hold `$x` or `$(...)`).

use super::is_name;

/// What `${...}` asks of its variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `${NAME}`.
    Value,
    /// `${#NAME}`: its length in characters.
    Length,
    /// `${NAME:-WORD}` (`colon`: also when empty) and `${NAME-WORD}`.
    Default { colon: bool, word: String },
    /// `${NAME:=WORD}` and `${NAME=WORD}`: the default is also assigned.
    Assign { colon: bool, word: String },
    /// `${NAME:+WORD}` and `${NAME+WORD}`: WORD when set (and not empty).
    Alternative { colon: bool, word: String },
    /// `${NAME#P}` (`longest`: `##`).
    TrimPrefix { longest: bool, pattern: String },
    /// `${NAME%P}` (`longest`: `%%`).
    TrimSuffix { longest: bool, pattern: String },
}

/// A parsed `${...}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// The variable (`?` for the last status).
    pub name: String,
    /// What is done with it.
    pub op: Op,
}

impl Param {
    /// Reads the text between `${` and `}`; `None` is bash's `bad substitution`.
    pub fn parse(inner: &str) -> Option<Param> {
        if let Some(name) = inner.strip_prefix('#') {
            if is_name(name) || name == "?" {
                return Some(Param {
                    name: name.to_string(),
                    op: Op::Length,
                });
            }
        }
        let end = if inner.starts_with('?') {
            1
        } else {
            inner
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(inner.len())
        };
        let (name, rest) = inner.split_at(end);
        if !(is_name(name) || name == "?") {
            return None;
        }
        let (colon, tail) = match rest.strip_prefix(':') {
            Some(t) => (true, t),
            None => (false, rest),
        };
        let word = |s: &str| s.get(1..).unwrap_or_default().to_string();
        let op = match tail.chars().next() {
            None if !colon => Op::Value,
            Some('-') => Op::Default {
                colon,
                word: word(tail),
            },
            Some('=') => Op::Assign {
                colon,
                word: word(tail),
            },
            Some('+') => Op::Alternative {
                colon,
                word: word(tail),
            },
            Some(c @ ('#' | '%')) if !colon => {
                let longest = tail[1..].starts_with(c);
                let pattern = tail[1 + usize::from(longest)..].to_string();
                if c == '#' {
                    Op::TrimPrefix { longest, pattern }
                } else {
                    Op::TrimSuffix { longest, pattern }
                }
            }
            _ => return None,
        };
        Some(Param {
            name: name.to_string(),
            op,
        })
    }

    /// The word the caller must expand before [`Param::apply`], if any.
    pub fn word(&self) -> Option<&str> {
        match &self.op {
            Op::Value | Op::Length => None,
            Op::Default { word, .. }
            | Op::Assign { word, .. }
            | Op::Alternative { word, .. }
            | Op::TrimPrefix { pattern: word, .. }
            | Op::TrimSuffix { pattern: word, .. } => Some(word),
        }
    }

    /// The expansion of the variable's `value` (`None`: unset), with `word` expanded;
    /// `Some` in the second place is a value to assign to the variable (`:=`).
    pub fn apply(&self, value: Option<&str>, word: &str) -> (String, Option<String>) {
        let unset = |colon: bool| value.is_none_or(|v| colon && v.is_empty());
        let value_or_empty = value.unwrap_or_default().to_string();
        match &self.op {
            Op::Value => (value_or_empty, None),
            Op::Length => (value.unwrap_or_default().chars().count().to_string(), None),
            Op::Default { colon, .. } if unset(*colon) => (word.to_string(), None),
            Op::Assign { colon, .. } if unset(*colon) => (word.to_string(), Some(word.to_string())),
            Op::Default { .. } | Op::Assign { .. } => (value_or_empty, None),
            Op::Alternative { colon, .. } => (
                if unset(*colon) {
                    String::new()
                } else {
                    word.to_string()
                },
                None,
            ),
            Op::TrimPrefix { longest, .. } => (trim(&value_or_empty, word, *longest, true), None),
            Op::TrimSuffix { longest, .. } => (trim(&value_or_empty, word, *longest, false), None),
        }
    }
}

/// `value` without its shortest (or longest) prefix (or suffix) that `pattern` matches.
fn trim(value: &str, pattern: &str, longest: bool, prefix: bool) -> String {
    let mut tokens = glob_tokens(pattern);
    let offsets: Vec<usize> = value.char_indices().map(|(i, _)| i).collect();
    let ends = if prefix {
        matching_prefixes(&tokens, value.chars())
    } else {
        // A suffix of the text is a prefix of the text reversed, for the pattern reversed.
        tokens.reverse();
        matching_prefixes(&tokens, value.chars().rev())
    };
    let Some(&n) = (if longest { ends.last() } else { ends.first() }) else {
        return value.to_string();
    };
    let at = |k: usize| offsets.get(k).copied().unwrap_or(value.len());
    if prefix {
        value[at(n)..].to_string()
    } else {
        value[..at(offsets.len() - n)].to_string()
    }
}

/// One character's worth of a shell pattern.
#[derive(Clone, Debug)]
enum Glob {
    Star,
    Any,
    Char(char),
    /// A `[...]` class, as written (matched with `cond::class`).
    Class(Vec<char>),
}

fn glob_tokens(pattern: &str) -> Vec<Glob> {
    let p: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < p.len() {
        let token = match p[i] {
            '*' if matches!(tokens.last(), Some(Glob::Star)) => None,
            '*' => Some(Glob::Star),
            '?' => Some(Glob::Any),
            '\\' if i + 1 < p.len() => {
                i += 1;
                Some(Glob::Char(p[i]))
            }
            '[' => match class_len(&p, i) {
                Some(len) => {
                    let class = p[i..i + len].to_vec();
                    i += len - 1;
                    Some(Glob::Class(class))
                }
                None => Some(Glob::Char('[')),
            },
            c => Some(Glob::Char(c)),
        };
        tokens.extend(token);
        i += 1;
    }
    tokens
}

/// The length of the closed `[...]` class at `p[open]`, as `cond::class` reads it.
fn class_len(p: &[char], open: usize) -> Option<usize> {
    let mut i = open + 1;
    if matches!(p.get(i), Some('!' | '^')) {
        i += 1;
    }
    let start = i;
    while i < p.len() && (p[i] != ']' || i == start) {
        i += 1;
    }
    (i < p.len()).then_some(i + 1 - open)
}

/// How many leading characters of `text` the pattern matches whole, every such count in
/// ascending order, in one pass (the pattern as a small automaton: linear in the text).
fn matching_prefixes(tokens: &[Glob], text: impl Iterator<Item = char>) -> Vec<usize> {
    let m = tokens.len();
    let close = |states: &mut Vec<bool>| {
        for k in 0..m {
            if states[k] && matches!(tokens[k], Glob::Star) {
                states[k + 1] = true;
            }
        }
    };
    let mut states = vec![false; m + 1];
    states[0] = true;
    close(&mut states);
    let mut ends = Vec::new();
    if states[m] {
        ends.push(0);
    }
    let mut active: Vec<usize> = (0..=m).filter(|&k| states[k]).collect();
    for (n, c) in text.enumerate() {
        let mut next = vec![false; m + 1];
        for &k in &active {
            let Some(token) = tokens.get(k) else { continue };
            match token {
                Glob::Star => next[k] = true,
                Glob::Any => next[k + 1] = true,
                Glob::Char(x) => next[k + 1] |= *x == c,
                Glob::Class(p) => next[k + 1] |= super::glob::class(p, 0, c).is_some(),
            }
        }
        close(&mut next);
        if next[m] {
            ends.push(n + 1);
        }
        active = (0..=m).filter(|&k| next[k]).collect();
        if active.is_empty() {
            break;
        }
    }
    ends
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(inner: &str, value: Option<&str>) -> Option<String> {
        let p = Param::parse(inner)?;
        let word = p.word().unwrap_or_default().to_string();
        Some(p.apply(value, &word).0)
    }

    #[test]
    fn expansions_as_bash() {
        let path = Some("/a/b.c/d.tar.gz");
        for (inner, value, want) in [
            ("#x", Some("héllo"), "5"),
            ("#x", None, "0"),
            ("x:-d", None, "d"),
            ("x:-d", Some(""), "d"),
            ("x-d", Some(""), ""),
            ("x:-d", Some("v"), "v"),
            ("x:+alt", Some("v"), "alt"),
            ("x:+alt", Some(""), ""),
            ("x+alt", Some(""), "alt"),
            ("x#*/", path, "a/b.c/d.tar.gz"),
            ("x##*/", path, "d.tar.gz"),
            ("x%.*", path, "/a/b.c/d.tar"),
            ("x%%.*", path, "/a/b"),
            ("x#zzz", path, "/a/b.c/d.tar.gz"),
            ("x%%[.]*", path, "/a/b"),
            ("x#\\/a", path, "/b.c/d.tar.gz"),
            ("x%?", Some("héé"), "hé"),
            ("x#h?", Some("héé"), "é"),
            ("x%%*", path, ""),
            ("x#*", path, "/a/b.c/d.tar.gz"),
            ("x", Some("v"), "v"),
        ] {
            assert_eq!(expand(inner, value).as_deref(), Some(want), "{inner}");
        }
        let p = Param::parse("x:=d").unwrap();
        assert_eq!(p.apply(None, "d"), ("d".into(), Some("d".into())));
        // Linear, not quadratic, in the value: a megabyte that never matches is quick.
        let big = "ab".repeat(1 << 17);
        assert_eq!(expand("x%%zzz*", Some(&big)).unwrap().len(), 1 << 18);
        assert_eq!(expand("x##*b", Some(&big)).unwrap(), "");
        for bad in ["", "#", "1x", "x:", "x:#a", "x y", "#x-y"] {
            assert_eq!(Param::parse(bad), None, "{bad}");
        }
    }
}
