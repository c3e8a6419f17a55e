//! The small markdown subset lesson texts use, parsed into plain data the lesson panel
//! renders as text nodes (never HTML): paragraphs, `inline code`, fenced code blocks,
//! **bold**, and `-`/`*`/`1.` lists. Anything else is kept as literal text.
//!
//! DOM-free, so it is unit-tested natively.

/// A piece of a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// **Bold** text.
    Strong(String),
    /// `Code`; `command` when it looks like a console command (the panel makes it a button).
    Code { text: String, command: bool },
}

/// A block of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A paragraph (its lines joined by spaces).
    Paragraph(Vec<Inline>),
    /// A fenced code block; `command` when every line looks like a console command.
    Code { text: String, command: bool },
    /// A list, its items in order.
    List {
        ordered: bool,
        items: Vec<Vec<Inline>>,
    },
}

/// Words a console line of a lesson starts with.
const COMMANDS: &[&str] = &[
    "kubectl", "k", "cat", "ls", "sleep", "echo", "vi", "vim", "nano", "edit", "rm", "head",
    "tail", "grep", "help", "clear", "wc", "sed",
];

/// Whether `text` looks like a console command (starts with a known command word).
pub fn looks_like_command(text: &str) -> bool {
    let line = text.trim();
    let first = line.split_whitespace().next().unwrap_or("");
    !line.is_empty() && COMMANDS.contains(&first)
}

/// Parses a lesson text into blocks.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list: Option<(bool, Vec<String>)> = None;
    let mut lines = text.lines().peekable();

    fn flush(
        blocks: &mut Vec<Block>,
        paragraph: &mut Vec<&str>,
        list: &mut Option<(bool, Vec<String>)>,
    ) {
        if !paragraph.is_empty() {
            let joined = paragraph
                .iter()
                .map(|l| l.trim())
                .collect::<Vec<_>>()
                .join(" ");
            blocks.push(Block::Paragraph(inlines(&joined)));
            paragraph.clear();
        }
        if let Some((ordered, items)) = list.take() {
            blocks.push(Block::List {
                ordered,
                items: items.iter().map(|i| inlines(i)).collect(),
            });
        }
    }

    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            flush(&mut blocks, &mut paragraph, &mut list);
            let indent = line.len() - trimmed.len();
            let lang = info.trim().to_ascii_lowercase();
            let mut code: Vec<&str> = Vec::new();
            for l in lines.by_ref() {
                if l.trim_start().starts_with("```") {
                    break;
                }
                // Drop the fence's own indentation, keep the code's.
                let cut = l.len() - l.trim_start().len();
                code.push(&l[cut.min(indent)..]);
            }
            let text = code.join("\n");
            let shell = matches!(lang.as_str(), "" | "sh" | "bash" | "shell" | "console");
            let command = shell
                && code.iter().any(|l| !l.trim().is_empty())
                && code
                    .iter()
                    .filter(|l| !l.trim().is_empty())
                    .all(|l| looks_like_command(l));
            blocks.push(Block::Code { text, command });
            continue;
        }
        if trimmed.is_empty() {
            flush(&mut blocks, &mut paragraph, &mut list);
            continue;
        }
        if let Some((ordered, item)) = list_item(trimmed) {
            if !paragraph.is_empty() || list.as_ref().is_some_and(|(o, _)| *o != ordered) {
                flush(&mut blocks, &mut paragraph, &mut list);
            }
            list.get_or_insert_with(|| (ordered, Vec::new()))
                .1
                .push(item.to_string());
            continue;
        }
        if let Some((_, items)) = list.as_mut() {
            if line.starts_with(' ') || line.starts_with('\t') {
                if let Some(last) = items.last_mut() {
                    last.push(' ');
                    last.push_str(trimmed);
                    continue;
                }
            }
            flush(&mut blocks, &mut paragraph, &mut list);
        }
        paragraph.push(line);
    }
    flush(&mut blocks, &mut paragraph, &mut list);
    blocks
}

/// `- item`, `* item`, `1. item` → (ordered, item).
fn list_item(line: &str) -> Option<(bool, &str)> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some((false, rest.trim()));
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits <= 3 {
        if let Some(rest) = line[digits..].strip_prefix(". ") {
            return Some((true, rest.trim()));
        }
    }
    None
}

/// Splits a line into text, `code` and **bold**. Unclosed markers stay as text.
pub fn inlines(text: &str) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    let flush = |plain: &mut String, out: &mut Vec<Inline>| {
        if !plain.is_empty() {
            out.push(Inline::Text(std::mem::take(plain)));
        }
    };
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            let ticks = rest.len() - rest.trim_start_matches('`').len();
            let fence = &rest[..ticks];
            if let Some(end) = rest[ticks..].find(fence) {
                flush(&mut plain, &mut out);
                let code = rest[ticks..ticks + end].trim().to_string();
                out.push(Inline::Code {
                    command: looks_like_command(&code),
                    text: code,
                });
                rest = &rest[ticks + end + ticks..];
                continue;
            }
            plain.push_str(fence);
            rest = &rest[ticks..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("**") {
            if let Some(end) = after.find("**").filter(|&e| e > 0) {
                flush(&mut plain, &mut out);
                out.push(Inline::Strong(after[..end].replace('`', "")));
                rest = &after[end + 2..];
                continue;
            }
            plain.push_str("**");
            rest = after;
            continue;
        }
        plain.push(c);
        rest = &rest[c.len_utf8()..];
    }
    flush(&mut plain, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    fn code(s: &str, command: bool) -> Inline {
        Inline::Code {
            text: s.into(),
            command,
        }
    }

    #[test]
    fn paragraphs_code_and_bold() {
        let blocks =
            parse("A **pod** is small.\nRead `cat nginx-pod.yaml` and `kind`.\n\nSecond one.\n");
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph(vec![
                    text("A "),
                    Inline::Strong("pod".into()),
                    text(" is small. Read "),
                    code("cat nginx-pod.yaml", true),
                    text(" and "),
                    code("kind", false),
                    text("."),
                ]),
                Block::Paragraph(vec![text("Second one.")]),
            ]
        );
    }

    #[test]
    fn fenced_blocks_keep_their_lines_and_know_commands() {
        let blocks = parse(
            "Look:\n\n```yaml\napiVersion: v1\nkind: Pod\n  x: 1\n```\n```\nkubectl get pods\nsleep 5\n```\n",
        );
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph(vec![text("Look:")]),
                Block::Code {
                    text: "apiVersion: v1\nkind: Pod\n  x: 1".into(),
                    command: false
                },
                Block::Code {
                    text: "kubectl get pods\nsleep 5".into(),
                    command: true
                },
            ]
        );
    }

    #[test]
    fn lists_with_continuations() {
        let blocks = parse("Steps:\n- first `k get po`\n  goes on\n- second\n\n1. one\n2. two\n");
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph(vec![text("Steps:")]),
                Block::List {
                    ordered: false,
                    items: vec![
                        vec![text("first "), code("k get po", true), text(" goes on")],
                        vec![text("second")],
                    ]
                },
                Block::List {
                    ordered: true,
                    items: vec![vec![text("one")], vec![text("two")]]
                },
            ]
        );
    }

    #[test]
    fn unclosed_markers_and_markup_stay_text() {
        assert_eq!(
            inlines("a ` b ** c <script>"),
            vec![text("a ` b ** c <script>")]
        );
        assert_eq!(inlines("``a ` b``"), vec![code("a ` b", false)]);
        assert_eq!(parse(""), vec![]);
        assert_eq!(
            parse("```\nunterminated"),
            vec![Block::Code {
                text: "unterminated".into(),
                command: false
            }]
        );
    }

    #[test]
    fn every_builtin_lesson_text_parses_without_losing_commands() {
        for lesson in kubeplay_engine::lessons::builtin() {
            for step in &lesson.steps {
                for locale in kubeplay_engine::lessons::LOCALES {
                    let blocks = parse(step.text.get(locale));
                    assert!(!blocks.is_empty(), "{} {}", lesson.id, step.id);
                }
            }
        }
    }
}
