//! The shell's file tools over the container's [`View`](super::View): `ls`, `touch`,
//! `mkdir`, `rmdir`, `rm`, `ln -s`, `cp`, `mv`, `chmod`, `df` and `mount`, with busybox's or
//! GNU coreutils' formats and error texts.

use super::{Entry, Op, Shell};
use crate::storage::FsError;

/// Half a Gregorian year in ms: `ls -l` shows the year instead of the time past it.
const SIX_MONTHS_MS: i64 = 15_778_476_000;

/// A path operand joined to a name in it.
fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

impl Shell<'_> {
    /// Whether the tools are GNU coreutils (not busybox).
    pub(super) fn gnu(&self) -> bool {
        !self.host.busybox()
    }

    /// Prints a tool's error on stderr and sets the status.
    pub(super) fn fail(&mut self, text: String, code: i32) {
        self.emit(text, true);
        self.last = code;
    }

    /// Operands with `*`/`?` patterns expanded against the directory they name (sorted; a
    /// pattern that matches nothing stays as written, as sh leaves it).
    fn globbed(&self, args: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        for a in args {
            if a.starts_with('-') || !a.contains(['*', '?']) {
                out.push(a.clone());
                continue;
            }
            let (dir, pattern) = match a.rsplit_once('/') {
                Some((d, p)) => (d.to_string(), p),
                None => (String::new(), a.as_str()),
            };
            if dir.contains(['*', '?']) {
                out.push(a.clone());
                continue;
            }
            let listed = self.fs.list(if dir.is_empty() { "/" } else { &dir });
            let matches: Vec<String> = listed
                .into_iter()
                .flatten()
                .map(|(name, _)| name)
                .filter(|n| !n.starts_with('.') || pattern.starts_with('.'))
                .filter(|n| super::cond::glob(pattern, n))
                .map(|n| {
                    if a.contains('/') {
                        format!("{dir}/{n}")
                    } else {
                        n
                    }
                })
                .collect();
            if matches.is_empty() {
                out.push(a.clone());
            } else {
                out.extend(matches);
            }
        }
        out
    }

    /// Splits flags (`-la`) from operands.
    fn flags_and_operands(&self, args: &[String]) -> (String, Vec<String>) {
        let mut flags = String::new();
        let mut operands = Vec::new();
        let mut done = false;
        for a in self.globbed(args) {
            if !done && a == "--" {
                done = true;
            } else if !done && a.len() > 1 && a.starts_with('-') {
                flags.push_str(&a[1..]);
            } else {
                operands.push(a);
            }
        }
        (flags, operands)
    }

    /// `ls [-laA1d] [PATH...]`.
    pub(super) fn ls(&mut self, args: &[String]) {
        let (flags, mut operands) = self.flags_and_operands(args);
        let long = flags.contains('l');
        let all = flags.contains('a');
        let almost = flags.contains('A');
        let dir_itself = flags.contains('d');
        if operands.is_empty() {
            operands.push(".".into());
        }
        let mut files = Vec::new();
        let mut dirs = Vec::new();
        for op in &operands {
            match self.fs.stat(op) {
                Ok(Entry::Dir { .. }) if !dir_itself => dirs.push(op.clone()),
                Ok(_) => files.push(op.clone()),
                Err(_) if self.fs.lstat(op).is_ok() => files.push(op.clone()),
                Err(e) => {
                    let text = if self.gnu() {
                        format!("ls: cannot access '{op}': {}", e.message())
                    } else {
                        format!("ls: {op}: {}", e.message())
                    };
                    self.emit(text, true);
                    self.last = if self.gnu() { 2 } else { 1 };
                }
            }
        }
        let status = self.last;
        let mut blocks: Vec<String> = Vec::new();
        if !files.is_empty() {
            let rows: Vec<(String, Entry)> = files
                .iter()
                .filter_map(|f| self.fs.lstat(f).ok().map(|e| (f.clone(), e)))
                .collect();
            blocks.push(if long {
                self.long_rows(&rows, None).join("\n")
            } else {
                files.join("\n")
            });
        }
        let recursive = flags.contains('R');
        let headers = operands.len() > 1 || recursive;
        if recursive {
            dirs = self.walk(dirs, all || almost);
        }
        for d in &dirs {
            let mut entries: Vec<(String, Entry)> = self
                .fs
                .list(d)
                .unwrap_or_default()
                .into_iter()
                .filter(|(n, _)| all || almost || !n.starts_with('.'))
                .collect();
            if all {
                let here = self.fs.stat(d).ok();
                let up = self.fs.stat(&join(d, "..")).ok();
                let mut dots = Vec::new();
                dots.extend(here.map(|e| (".".to_string(), e)));
                dots.extend(up.map(|e| ("..".to_string(), e)));
                entries.splice(0..0, dots);
            }
            let mut text = Vec::new();
            if headers {
                text.push(format!("{d}:"));
            }
            if long {
                text.extend(self.long_rows(&entries, Some(d)));
            } else {
                text.extend(entries.into_iter().map(|(n, _)| n));
            }
            blocks.push(text.join("\n"));
        }
        let out = blocks
            .into_iter()
            .filter(|b| !b.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n");
        if !out.is_empty() {
            self.emit(out, false);
        }
        self.last = status;
    }

    /// `ls -R`'s directories: each one, then its subdirectories (links not followed), depth
    /// first, as many as a tree may hold.
    fn walk(&self, roots: Vec<String>, dotted: bool) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack: Vec<String> = roots.into_iter().rev().collect();
        while let Some(d) = stack.pop() {
            if out.len() >= crate::storage::tree::MAX_ENTRIES {
                break;
            }
            let subdirs: Vec<String> = self
                .fs
                .list(&d)
                .unwrap_or_default()
                .into_iter()
                .filter(|(n, e)| matches!(e, Entry::Dir { .. }) && (dotted || !n.starts_with('.')))
                .map(|(n, _)| join(&d, &n))
                .collect();
            out.push(d);
            stack.extend(subdirs.into_iter().rev());
        }
        out
    }

    /// `ls -l` rows (with `total` first when listing directory `dir`): mode, links, owner,
    /// group, size, time, name (`-> target` for a link), as busybox or GNU prints them.
    fn long_rows(&self, entries: &[(String, Entry)], dir: Option<&str>) -> Vec<String> {
        let now = self.start_ms.saturating_add(self.now);
        let rows: Vec<(String, u64, u64, String, String)> = entries
            .iter()
            .map(|(name, e)| {
                let path = dir.map_or(name.clone(), |d| join(d, name));
                let (links, size) = match e {
                    Entry::Dir { .. } => (self.dir_links(&path), 4096),
                    Entry::File { data, .. } => (1, data.len() as u64),
                    Entry::Link { target, .. } => (1, target.len() as u64),
                };
                let when = if (now - e.mtime()).abs() < SIX_MONTHS_MS {
                    super::super::fmt_ms(e.mtime(), "%b %e %H:%M")
                } else {
                    super::super::fmt_ms(e.mtime(), "%b %e  %Y")
                };
                let shown = match e {
                    Entry::Link { target, .. } => format!("{name} -> {target}"),
                    _ => name.clone(),
                };
                (e.mode_string(), links, size, when, shown)
            })
            .collect();
        let mut out = Vec::new();
        if dir.is_some() {
            let total: u64 = rows
                .iter()
                .zip(entries)
                .map(|(r, (_, e))| match e {
                    Entry::Link { .. } => 0,
                    _ => r.2.div_ceil(4096) * 4,
                })
                .sum();
            out.push(format!("total {total}"));
        }
        if self.host.busybox() {
            for (mode, links, size, when, name) in rows {
                out.push(format!(
                    "{mode} {links:>4} root     root     {size:>10} {when} {name}"
                ));
            }
        } else {
            let lw = rows
                .iter()
                .map(|r| r.1.to_string().len())
                .max()
                .unwrap_or(1);
            let sw = rows
                .iter()
                .map(|r| r.2.to_string().len())
                .max()
                .unwrap_or(1);
            for (mode, links, size, when, name) in rows {
                out.push(format!(
                    "{mode} {links:>lw$} root root {size:>sw$} {when} {name}"
                ));
            }
        }
        out
    }

    /// A directory's link count: on a volume (ext4, NFS) 2 and one per subdirectory; the
    /// container's own directories show 2.
    fn dir_links(&self, path: &str) -> u64 {
        if !self.fs.on_volume(path) {
            return 2;
        }
        let subdirs = self
            .fs
            .list(path)
            .map(|l| {
                l.iter()
                    .filter(|(_, e)| matches!(e, Entry::Dir { .. }))
                    .count()
            })
            .unwrap_or(0);
        2 + subdirs as u64
    }

    /// `touch`, `mkdir`, `rmdir`, `rm`, `ln`, `cp`, `mv`, `chmod`, `df`, `mount`.
    pub(super) fn file_tool(&mut self, tool: &str, args: &[String]) {
        let (flags, operands) = self.flags_and_operands(args);
        if operands.is_empty() && !matches!(tool, "df" | "mount") {
            let text = if self.gnu() {
                format!("{tool}: missing operand\nTry '{tool} --help' for more information.")
            } else {
                format!("BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: {tool} [OPTIONS] FILE...")
            };
            return self.fail(text, 1);
        }
        match tool {
            "touch" => {
                for f in &operands {
                    let r = self.change(Op::Touch { path: f.clone() });
                    self.report(r, tool, f, "cannot touch", "");
                }
            }
            "mkdir" => {
                let parents = flags.contains('p');
                for d in &operands {
                    let r = self.change(Op::Mkdir {
                        path: d.clone(),
                        parents,
                    });
                    self.report(
                        r,
                        tool,
                        d,
                        "cannot create directory",
                        "can't create directory",
                    );
                }
            }
            "rmdir" => {
                for d in &operands {
                    let r = match self.fs.lstat(d) {
                        Ok(Entry::Dir { .. }) => self.change(Op::Remove {
                            path: d.clone(),
                            recursive: false,
                        }),
                        Ok(_) => Err(FsError::NotDir),
                        Err(e) => Err(e),
                    };
                    self.report(r, tool, d, "failed to remove", "");
                }
            }
            "rm" => self.rm(&flags, &operands),
            "ln" => self.ln(&flags, &operands),
            "cp" | "mv" => self.copy_or_move(tool, &flags, &operands),
            "chmod" => self.chmod(&operands),
            "df" => self.df(&flags, &operands),
            _ => self.mount_table(),
        }
    }

    /// Prints `tool`'s message for a failed change to `path`: GNU's `tool: VERB 'path': err`,
    /// busybox's `tool: BB_VERB 'path': err` (or `tool: path: err` when it has none).
    fn report(&mut self, r: Result<(), FsError>, tool: &str, path: &str, verb: &str, bb: &str) {
        let Err(e) = r else { return };
        let text = if self.gnu() {
            format!("{tool}: {verb} '{path}': {}", e.message())
        } else if bb.is_empty() {
            format!("{tool}: {path}: {}", e.message())
        } else {
            format!("{tool}: {bb} '{path}': {}", e.message())
        };
        self.fail(text, 1);
    }

    fn rm(&mut self, flags: &str, operands: &[String]) {
        let force = flags.contains('f');
        let recursive = flags.contains('r') || flags.contains('R');
        for p in operands {
            let entry = self.fs.lstat(p);
            let r = match entry {
                Err(FsError::NotFound) if force => Ok(()),
                Err(e) => Err(e),
                Ok(Entry::Dir { .. }) if !recursive => {
                    let text = if self.gnu() {
                        format!("rm: cannot remove '{p}': Is a directory")
                    } else {
                        format!("rm: '{p}' is a directory")
                    };
                    self.fail(text, 1);
                    continue;
                }
                Ok(_) => self.change(Op::Remove {
                    path: p.clone(),
                    recursive,
                }),
            };
            self.report(r, "rm", p, "cannot remove", "can't remove");
        }
    }

    fn ln(&mut self, flags: &str, operands: &[String]) {
        let [target, link] = operands else {
            return self.fail(
                "ln: only symbolic links to one target are simulated: ln -s TARGET LINK".into(),
                1,
            );
        };
        if !flags.contains('s') {
            return self.fail("ln: only symbolic links are simulated (ln -s)".into(), 1);
        }
        let link = if self.fs.is_dir(link) {
            join(link, target.rsplit('/').next().unwrap_or(target))
        } else {
            link.clone()
        };
        if flags.contains('f') && self.fs.lstat(&link).is_ok() {
            let _ = self.change(Op::Remove {
                path: link.clone(),
                recursive: false,
            });
        }
        let r = self.change(Op::Symlink {
            target: target.clone(),
            link: link.clone(),
        });
        if let Err(e) = r {
            let text = if self.gnu() {
                format!(
                    "ln: failed to create symbolic link '{link}': {}",
                    e.message()
                )
            } else {
                format!("ln: {link}: {}", e.message())
            };
            self.fail(text, 1);
        }
    }

    fn copy_or_move(&mut self, tool: &str, flags: &str, operands: &[String]) {
        let Some((dest, sources)) = operands.split_last().filter(|(_, s)| !s.is_empty()) else {
            let text = if self.gnu() {
                format!(
                    "{tool}: missing destination file operand after '{}'\nTry '{tool} --help' for more information.",
                    operands.first().map_or("", String::as_str)
                )
            } else {
                format!("BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: {tool} [-fi] SOURCE DEST")
            };
            return self.fail(text, 1);
        };
        let into_dir = self.fs.is_dir(dest);
        if sources.len() > 1 && !into_dir {
            let text = if self.gnu() {
                format!("{tool}: target '{dest}': Not a directory")
            } else {
                format!("{tool}: '{dest}' is not a directory")
            };
            return self.fail(text, 1);
        }
        for src in sources {
            let to = if into_dir {
                join(
                    dest,
                    src.trim_end_matches('/').rsplit('/').next().unwrap_or(src),
                )
            } else {
                dest.clone()
            };
            let entry = match self.fs.stat(src) {
                Ok(e) => e,
                Err(e) => {
                    let text = if self.gnu() {
                        format!("{tool}: cannot stat '{src}': {}", e.message())
                    } else {
                        format!("{tool}: can't stat '{src}': {}", e.message())
                    };
                    self.fail(text, 1);
                    continue;
                }
            };
            let r = if tool == "mv" {
                self.change(Op::Rename {
                    from: src.clone(),
                    to: to.clone(),
                })
            } else if let Entry::Dir { .. } = entry {
                if flags.contains('r') || flags.contains('R') || flags.contains('a') {
                    self.copy_dir(src, &to)
                } else {
                    let text = if self.gnu() {
                        format!("cp: -r not specified; omitting directory '{src}'")
                    } else {
                        format!("cp: omitting directory '{src}'")
                    };
                    self.fail(text, 1);
                    continue;
                }
            } else {
                let data = self.fs.read(src).unwrap_or_default().to_string();
                self.change(Op::Write {
                    path: to.clone(),
                    data,
                    append: false,
                })
            };
            if let Err(e) = r {
                let text = match (tool, self.gnu()) {
                    ("mv", true) => format!("mv: cannot move '{src}' to '{to}': {}", e.message()),
                    ("mv", false) => format!("mv: can't rename '{src}': {}", e.message()),
                    (_, true) => {
                        format!("cp: cannot create regular file '{to}': {}", e.message())
                    }
                    _ => format!("cp: can't create '{to}': {}", e.message()),
                };
                self.fail(text, 1);
            }
        }
    }

    /// `cp -r`: the directory and everything under it (bounded by the tree's own limits).
    fn copy_dir(&mut self, src: &str, to: &str) -> Result<(), FsError> {
        let mut stack = vec![(src.to_string(), to.to_string())];
        let mut budget = crate::storage::tree::MAX_ENTRIES;
        while let Some((from, dest)) = stack.pop() {
            budget = budget.checked_sub(1).ok_or(FsError::NoSpace)?;
            self.change(Op::Mkdir {
                path: dest.clone(),
                parents: false,
            })
            .or_else(|e| {
                if self.fs.is_dir(&dest) {
                    Ok(())
                } else {
                    Err(e)
                }
            })?;
            for (name, e) in self.fs.list(&from)? {
                let (f, d) = (join(&from, &name), join(&dest, &name));
                match e {
                    Entry::Dir { .. } => stack.push((f, d)),
                    Entry::File { data, .. } => self.change(Op::Write {
                        path: d,
                        data,
                        append: false,
                    })?,
                    Entry::Link { target, .. } => self.change(Op::Symlink { target, link: d })?,
                }
            }
        }
        Ok(())
    }

    fn chmod(&mut self, operands: &[String]) {
        let Some((mode, files)) = operands.split_first() else {
            return;
        };
        for f in files {
            let current = match self.fs.stat(f) {
                Ok(Entry::Dir { mode, .. } | Entry::File { mode, .. }) => mode,
                Ok(Entry::Link { .. }) => 0o777,
                Err(e) => {
                    let text = if self.gnu() {
                        format!("chmod: cannot access '{f}': {}", e.message())
                    } else {
                        format!("chmod: {f}: {}", e.message())
                    };
                    self.fail(text, 1);
                    continue;
                }
            };
            let Some(new) = parse_mode(mode, current) else {
                let text = if self.gnu() {
                    format!(
                        "chmod: invalid mode: '{mode}'\nTry 'chmod --help' for more information."
                    )
                } else {
                    format!("chmod: invalid mode '{mode}'")
                };
                return self.fail(text, 1);
            };
            let r = self.change(Op::Chmod {
                path: f.clone(),
                mode: new,
            });
            self.report(r, "chmod", f, "changing permissions of", "");
        }
    }
}

/// A `chmod` mode: octal (`644`) or symbolic (`+x`, `u+w`, `go-r`, `a=r`).
fn parse_mode(spec: &str, current: u32) -> Option<u32> {
    if !spec.is_empty() && spec.chars().all(|c| c.is_digit(8)) {
        return u32::from_str_radix(spec, 8).ok().filter(|m| *m <= 0o7777);
    }
    let mut mode = current;
    for clause in spec.split(',') {
        let op_at = clause.find(['+', '-', '='])?;
        let (who, rest) = clause.split_at(op_at);
        let mut chars = rest.chars();
        let op = chars.next()?;
        let mut who_mask = 0;
        for w in who.chars() {
            who_mask |= match w {
                'u' => 0o700,
                'g' => 0o070,
                'o' => 0o007,
                'a' => 0o777,
                _ => return None,
            };
        }
        if who_mask == 0 {
            who_mask = 0o777;
        }
        let mut bits = 0;
        for p in chars {
            bits |= match p {
                'r' => 0o444,
                'w' => 0o222,
                'x' => 0o111,
                _ => return None,
            };
        }
        let bits = bits & who_mask;
        mode = match op {
            '+' => mode | bits,
            '-' => mode & !bits,
            _ => (mode & !who_mask) | bits,
        };
    }
    Some(mode)
}

#[cfg(test)]
mod tests {
    use super::parse_mode;

    #[test]
    fn modes() {
        assert_eq!(parse_mode("755", 0), Some(0o755));
        assert_eq!(parse_mode("+x", 0o644), Some(0o755));
        assert_eq!(parse_mode("go-r", 0o644), Some(0o600));
        assert_eq!(parse_mode("a=r", 0o777), Some(0o444));
        assert_eq!(parse_mode("9", 0), None);
        assert_eq!(parse_mode("z+q", 0), None);
    }
}
