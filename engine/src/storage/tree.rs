//! One filesystem: directories, files and symbolic links with their modes and modification
//! times, bounded in bytes and entries. Paths are absolute inside the tree (`/` is its root,
//! which always exists); symbolic links are followed as the kernel does (relative targets
//! against the link's directory, at most [`MAX_LINK_HOPS`] hops).

use std::collections::BTreeMap;

/// Largest file; a bigger write fails as a full disk would.
pub const FILE_LIMIT: usize = 1 << 20;
/// Most entries one tree holds.
pub const MAX_ENTRIES: usize = 10_000;
/// Most symbolic links followed resolving one path (the kernel's `MAXSYMLINKS`).
pub const MAX_LINK_HOPS: usize = 40;
/// Longest path accepted (`PATH_MAX`).
pub const PATH_MAX: usize = 4096;

/// What a path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A directory.
    Dir {
        /// Permission bits (`0o755`).
        mode: u32,
        /// Last change, epoch ms.
        mtime: i64,
    },
    /// A regular file.
    File {
        /// Its contents.
        data: String,
        /// Permission bits (`0o644`).
        mode: u32,
        /// Last change, epoch ms.
        mtime: i64,
    },
    /// A symbolic link to `target` (as written, relative or absolute).
    Link {
        /// Where it points.
        target: String,
        /// When it was made, epoch ms.
        mtime: i64,
    },
}

impl Entry {
    /// Its modification time.
    pub fn mtime(&self) -> i64 {
        match self {
            Entry::Dir { mtime, .. } | Entry::File { mtime, .. } | Entry::Link { mtime, .. } => {
                *mtime
            }
        }
    }

    /// Bytes it takes (a file's length; directories and links count 0 here).
    pub fn size(&self) -> usize {
        match self {
            Entry::File { data, .. } => data.len(),
            Entry::Link { target, .. } => target.len(),
            Entry::Dir { .. } => 0,
        }
    }

    /// `ls -l`'s mode string: `drwxr-xr-x`, `-rw-r--r--`, `lrwxrwxrwx`.
    pub fn mode_string(&self) -> String {
        let (kind, mode) = match self {
            Entry::Dir { mode, .. } => ('d', *mode),
            Entry::File { mode, .. } => ('-', *mode),
            Entry::Link { .. } => ('l', 0o777),
        };
        let mut s = String::with_capacity(10);
        s.push(kind);
        for shift in [6, 3, 0] {
            let bits = (mode >> shift) & 7;
            s.push(if bits & 4 != 0 { 'r' } else { '-' });
            s.push(if bits & 2 != 0 { 'w' } else { '-' });
            s.push(if bits & 1 != 0 { 'x' } else { '-' });
        }
        if mode & 0o1000 != 0 {
            s.pop();
            s.push(if mode & 1 != 0 { 't' } else { 'T' });
        }
        s
    }
}

/// Why an operation failed, as errno names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsError {
    /// `ENOENT`: No such file or directory.
    NotFound,
    /// `ENOTDIR`: Not a directory.
    NotDir,
    /// `EISDIR`: Is a directory.
    IsDir,
    /// `EEXIST`: File exists.
    Exists,
    /// `ENOTEMPTY`: Directory not empty.
    NotEmpty,
    /// `ENOSPC`: No space left on device.
    NoSpace,
    /// `ELOOP`: Symbolic link loop.
    Loop,
    /// `ENAMETOOLONG`: File name too long.
    NameTooLong,
    /// `EROFS`: Read-only file system.
    ReadOnly,
    /// `EINVAL`: Invalid argument (moving a directory into itself, removing `/`).
    Invalid,
    /// `EBUSY`: Device or resource busy (removing a mount point).
    Busy,
    /// `EXDEV`: Invalid cross-device link (renaming across filesystems).
    CrossDevice,
    /// `EACCES`: Permission denied.
    Denied,
}

impl FsError {
    /// strerror's text, as the C library prints it.
    pub fn message(self) -> &'static str {
        match self {
            FsError::NotFound => "No such file or directory",
            FsError::NotDir => "Not a directory",
            FsError::IsDir => "Is a directory",
            FsError::Exists => "File exists",
            FsError::NotEmpty => "Directory not empty",
            FsError::NoSpace => "No space left on device",
            FsError::Loop => "Symbolic link loop",
            FsError::NameTooLong => "File name too long",
            FsError::ReadOnly => "Read-only file system",
            FsError::Invalid => "Invalid argument",
            FsError::Busy => "Device or resource busy",
            FsError::CrossDevice => "Invalid cross-device link",
            FsError::Denied => "Permission denied",
        }
    }
}

/// `a/./b/../c/` → `/a/c`: lexical normalisation (no links followed), always absolute.
pub fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The directory part and the last name of a normalised path (`/` has no name).
fn split(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(0) => ("/", &path[1..]),
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("/", path),
    }
}

fn child(dir: &str, name: &str) -> String {
    if dir == "/" {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// A filesystem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tree {
    /// Every entry but the root, by normalised path.
    entries: BTreeMap<String, Entry>,
    /// Bytes the files may take in all.
    capacity: u64,
    /// Bytes the files take now.
    used: u64,
    /// The root's modification time.
    root_mtime: i64,
    /// The root's permission bits.
    root_mode: u32,
}

impl Default for Tree {
    fn default() -> Tree {
        Tree::new(0)
    }
}

impl Tree {
    /// An empty filesystem of `capacity` bytes.
    pub const fn new(capacity: u64) -> Tree {
        Tree {
            entries: BTreeMap::new(),
            capacity,
            used: 0,
            root_mtime: 0,
            root_mode: 0o755,
        }
    }

    /// Its size in bytes (what `df` shows as Size).
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Changes its size (a volume expanded); data already there stays.
    pub fn set_capacity(&mut self, capacity: u64) {
        self.capacity = capacity;
    }

    /// Bytes its files take (what `df` shows as Used).
    pub fn used(&self) -> u64 {
        self.used
    }

    /// Bytes of disk it takes as `du` counts them (what the kubelet measures a volume by):
    /// a 4 KiB block for each directory (the root too), each file rounded up to whole 4 KiB
    /// blocks, none for links.
    pub fn disk_usage(&self) -> u64 {
        const BLOCK: u64 = 4096;
        let blocks = |n: u64| n.div_ceil(BLOCK) * BLOCK;
        self.entries
            .values()
            .map(|e| match e {
                Entry::Dir { .. } => BLOCK,
                Entry::File { data, .. } => blocks(data.len() as u64),
                Entry::Link { .. } => 0,
            })
            .sum::<u64>()
            + BLOCK
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds nothing but its root.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry at `path` without following a final link (`lstat`); the root is a directory.
    pub fn lstat(&self, path: &str) -> Result<Entry, FsError> {
        let path = self.resolve_parent(path)?;
        if path == "/" {
            return Ok(Entry::Dir {
                mode: self.root_mode,
                mtime: self.root_mtime,
            });
        }
        self.entries.get(&path).cloned().ok_or(FsError::NotFound)
    }

    /// The entry `path` leads to, links followed (`stat`).
    pub fn stat(&self, path: &str) -> Result<Entry, FsError> {
        let path = self.resolve(path)?;
        self.lstat(&path)
    }

    /// A file's contents.
    pub fn read(&self, path: &str) -> Result<&str, FsError> {
        let path = self.resolve(path)?;
        match self.entries.get(&path) {
            Some(Entry::File { data, .. }) => Ok(data),
            Some(Entry::Dir { .. }) => Err(FsError::IsDir),
            None if path == "/" => Err(FsError::IsDir),
            _ => Err(FsError::NotFound),
        }
    }

    /// A directory's entries, sorted by name (links followed to reach the directory).
    pub fn list(&self, path: &str) -> Result<Vec<(String, Entry)>, FsError> {
        let dir = self.resolve(path)?;
        if dir != "/" {
            match self.entries.get(&dir) {
                Some(Entry::Dir { .. }) => {}
                Some(_) => return Err(FsError::NotDir),
                None => return Err(FsError::NotFound),
            }
        }
        let prefix = if dir == "/" {
            "/".to_string()
        } else {
            format!("{dir}/")
        };
        Ok(self
            .entries
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter(|(p, _)| !p[prefix.len()..].contains('/'))
            .map(|(p, e)| (p[prefix.len()..].to_string(), e.clone()))
            .collect())
    }

    /// Writes (or with `append`, appends to) a file at `now`; a new file gets `mode`.
    pub fn write(
        &mut self,
        path: &str,
        data: &str,
        append: bool,
        mode: u32,
        now: i64,
    ) -> Result<(), FsError> {
        let path = self.resolve(path)?;
        let (old_len, old_mode, old_data) = match self.entries.get(&path) {
            Some(Entry::File { data, mode, .. }) => (data.len(), *mode, Some(data.as_str())),
            Some(_) => return Err(FsError::IsDir),
            None if path == "/" => return Err(FsError::IsDir),
            None => {
                self.parent_dir(&path)?;
                (0, mode, None)
            }
        };
        let new_len = if append {
            old_len + data.len()
        } else {
            data.len()
        };
        if new_len > FILE_LIMIT
            || self.used - old_len as u64 + new_len as u64 > self.capacity
            || (old_data.is_none() && self.entries.len() >= MAX_ENTRIES)
        {
            return Err(FsError::NoSpace);
        }
        let contents = match (append, old_data) {
            (true, Some(old)) => format!("{old}{data}"),
            _ => data.to_string(),
        };
        self.used = self.used - old_len as u64 + new_len as u64;
        self.touch_parent(&path, now);
        self.entries.insert(
            path,
            Entry::File {
                data: contents,
                mode: old_mode,
                mtime: now,
            },
        );
        Ok(())
    }

    /// `touch`: creates an empty file, or moves an entry's time to `now`.
    pub fn touch(&mut self, path: &str, now: i64) -> Result<(), FsError> {
        let path = self.resolve(path)?;
        if path == "/" {
            self.root_mtime = now;
            return Ok(());
        }
        match self.entries.get_mut(&path) {
            Some(Entry::Dir { mtime, .. } | Entry::File { mtime, .. }) => {
                *mtime = now;
                Ok(())
            }
            Some(Entry::Link { .. }) => Err(FsError::NotFound),
            None => self.write(&path, "", false, 0o644, now),
        }
    }

    /// `mkdir` (with `parents`, `mkdir -p`: missing parents made, an existing directory fine).
    pub fn mkdir(&mut self, path: &str, parents: bool, mode: u32, now: i64) -> Result<(), FsError> {
        if path.len() > PATH_MAX {
            return Err(FsError::NameTooLong);
        }
        if parents {
            // Each missing ancestor, outermost first (iterative: paths can be deep).
            let normal = normalise(path);
            let (dir, _) = split(&normal);
            let mut at = String::new();
            for part in dir.split('/').filter(|p| !p.is_empty()) {
                at = format!("{at}/{part}");
                if self.stat(&at).is_err() {
                    self.mkdir(&at.clone(), false, 0o755, now)?;
                }
            }
        }
        let path = self.resolve_parent(path)?;
        if path == "/" {
            return if parents {
                Ok(())
            } else {
                Err(FsError::Exists)
            };
        }
        match self.stat(&path) {
            Ok(Entry::Dir { .. }) if parents => return Ok(()),
            Ok(_) => return Err(FsError::Exists),
            Err(_) if self.entries.contains_key(&path) => return Err(FsError::Exists),
            Err(_) => {}
        }
        self.parent_dir(&path)?;
        if self.entries.len() >= MAX_ENTRIES {
            return Err(FsError::NoSpace);
        }
        self.touch_parent(&path, now);
        self.entries.insert(path, Entry::Dir { mode, mtime: now });
        Ok(())
    }

    /// `ln -s target link`.
    pub fn symlink(&mut self, target: &str, link: &str, now: i64) -> Result<(), FsError> {
        let link = self.resolve_parent(link)?;
        if link == "/" || self.entries.contains_key(&link) {
            return Err(FsError::Exists);
        }
        self.parent_dir(&link)?;
        if self.entries.len() >= MAX_ENTRIES || target.len() > PATH_MAX {
            return Err(FsError::NoSpace);
        }
        self.touch_parent(&link, now);
        self.entries.insert(
            link,
            Entry::Link {
                target: target.to_string(),
                mtime: now,
            },
        );
        Ok(())
    }

    /// Removes a file or link (or, with `recursive`, a directory and all under it; without,
    /// only an empty directory — `rmdir`). A final link is removed, not followed.
    pub fn remove(&mut self, path: &str, recursive: bool, now: i64) -> Result<(), FsError> {
        let path = self.resolve_parent(path)?;
        if path == "/" {
            return Err(FsError::Invalid);
        }
        match self.entries.get(&path) {
            None => return Err(FsError::NotFound),
            Some(Entry::Dir { .. }) => {
                let under = self.under(&path);
                if !under.is_empty() && !recursive {
                    return Err(FsError::NotEmpty);
                }
                for p in under {
                    self.forget(&p);
                }
            }
            Some(_) => {}
        }
        self.forget(&path);
        self.touch_parent(&path, now);
        Ok(())
    }

    /// `rename(from, to)`: moves an entry (and what is under it), replacing a file, link or
    /// empty directory at `to` — atomically, as the kubelet swaps `..data`.
    pub fn rename(&mut self, from: &str, to: &str, now: i64) -> Result<(), FsError> {
        let from = self.resolve_parent(from)?;
        let to = self.resolve_parent(to)?;
        if from == "/" || to == "/" || to.starts_with(&format!("{from}/")) {
            return Err(FsError::Invalid);
        }
        if !self.entries.contains_key(&from) {
            return Err(FsError::NotFound);
        }
        if from == to {
            return Ok(());
        }
        self.parent_dir(&to)?;
        match self.entries.get(&to) {
            Some(Entry::Dir { .. }) if !self.under(&to).is_empty() => {
                return Err(FsError::NotEmpty)
            }
            Some(_) => self.forget(&to),
            None => {}
        }
        let moved: Vec<String> = std::iter::once(from.clone())
            .chain(self.under(&from))
            .collect();
        for old in moved {
            if let Some(e) = self.entries.remove(&old) {
                let new = format!("{to}{}", &old[from.len()..]);
                self.entries.insert(new, e);
            }
        }
        self.touch_parent(&from, now);
        self.touch_parent(&to, now);
        Ok(())
    }

    /// Sets a file's or directory's permission bits (`chmod`).
    pub fn chmod(&mut self, path: &str, new_mode: u32) -> Result<(), FsError> {
        let path = self.resolve(path)?;
        match self.entries.get_mut(&path) {
            Some(Entry::Dir { mode, .. } | Entry::File { mode, .. }) => {
                *mode = new_mode & 0o7777;
                Ok(())
            }
            _ if path == "/" => {
                self.root_mode = new_mode & 0o7777;
                Ok(())
            }
            _ => Err(FsError::NotFound),
        }
    }

    /// Every path under directory `dir` (not `dir` itself), in order.
    pub fn under(&self, dir: &str) -> Vec<String> {
        let prefix = if dir == "/" {
            "/".to_string()
        } else {
            format!("{dir}/")
        };
        self.entries
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// `path` with every link followed (its last component too).
    pub fn resolve(&self, path: &str) -> Result<String, FsError> {
        let mut hops = 0;
        let dir = self.resolve_parent_hops(path, &mut hops)?;
        self.follow(dir, &mut hops)
    }

    /// `path` with the links of its directories followed but not a final link.
    pub fn resolve_parent(&self, path: &str) -> Result<String, FsError> {
        self.resolve_parent_hops(path, &mut 0)
    }

    fn resolve_parent_hops(&self, path: &str, hops: &mut usize) -> Result<String, FsError> {
        if path.len() > PATH_MAX {
            return Err(FsError::NameTooLong);
        }
        let path = normalise(path);
        if path == "/" {
            return Ok(path);
        }
        let (dir, name) = split(&path);
        let mut at = "/".to_string();
        for part in dir.split('/').filter(|p| !p.is_empty()) {
            at = self.follow(child(&at, part), hops)?;
            match self.entries.get(&at) {
                Some(Entry::Dir { .. }) => {}
                Some(_) => return Err(FsError::NotDir),
                None => return Err(FsError::NotFound),
            }
        }
        Ok(child(&at, name))
    }

    /// Follows `path` while it names a link.
    fn follow(&self, mut path: String, hops: &mut usize) -> Result<String, FsError> {
        while let Some(Entry::Link { target, .. }) = self.entries.get(&path) {
            *hops += 1;
            if *hops > MAX_LINK_HOPS {
                return Err(FsError::Loop);
            }
            let joined = if target.starts_with('/') {
                target.clone()
            } else {
                child(split(&path).0, target)
            };
            path = self.resolve_parent_hops(&joined, hops)?;
        }
        Ok(path)
    }

    /// Err unless the parent of normalised `path` is a directory.
    fn parent_dir(&self, path: &str) -> Result<(), FsError> {
        let (dir, _) = split(path);
        if dir == "/" {
            return Ok(());
        }
        match self.entries.get(dir) {
            Some(Entry::Dir { .. }) => Ok(()),
            Some(_) => Err(FsError::NotDir),
            None => Err(FsError::NotFound),
        }
    }

    fn touch_parent(&mut self, path: &str, now: i64) {
        let (dir, _) = split(path);
        if dir == "/" {
            self.root_mtime = now;
        } else if let Some(Entry::Dir { mtime, .. }) = self.entries.get_mut(dir) {
            *mtime = now;
        }
    }

    fn forget(&mut self, path: &str) {
        if let Some(Entry::File { data, .. }) = self.entries.remove(path) {
            self.used -= data.len() as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_dirs_and_links() {
        let mut t = Tree::new(1 << 20);
        t.mkdir("/a/b", true, 0o755, 1).unwrap();
        t.write("/a/b/f", "hi\n", false, 0o644, 2).unwrap();
        t.write("a/b/f", "more\n", true, 0o600, 3).unwrap();
        assert_eq!(t.read("/a/b/f"), Ok("hi\nmore\n"));
        assert_eq!(t.used(), 8);
        t.symlink("b", "/a/link", 4).unwrap();
        assert_eq!(t.read("/a/link/f"), Ok("hi\nmore\n"));
        assert_eq!(
            t.list("/a")
                .unwrap()
                .iter()
                .map(|e| &e.0)
                .collect::<Vec<_>>(),
            ["b", "link"]
        );
        assert!(matches!(t.lstat("/a/link"), Ok(Entry::Link { .. })));
        assert_eq!(t.lstat("/a/link").unwrap().mode_string(), "lrwxrwxrwx");
        assert_eq!(t.stat("/a/link/f").unwrap().mode_string(), "-rw-r--r--");
        assert_eq!(t.remove("/a", false, 5), Err(FsError::NotEmpty));
        t.remove("/a", true, 5).unwrap();
        assert!(t.is_empty());
        assert_eq!(t.used(), 0);
    }

    #[test]
    fn errors_are_errnos() {
        let mut t = Tree::new(10);
        assert_eq!(t.write("/x/y", "", false, 0o644, 0), Err(FsError::NotFound));
        t.write("/f", "0123456789", false, 0o644, 0).unwrap();
        assert_eq!(t.write("/g", "x", false, 0o644, 0), Err(FsError::NoSpace));
        assert_eq!(t.write("/f/g", "", false, 0o644, 0), Err(FsError::NotDir));
        assert_eq!(t.read("/"), Err(FsError::IsDir));
        t.symlink("/l2", "/l1", 0).unwrap();
        t.symlink("/l1", "/l2", 0).unwrap();
        assert_eq!(t.read("/l1"), Err(FsError::Loop));
        assert_eq!(t.mkdir("/f", false, 0o755, 0), Err(FsError::Exists));
        assert_eq!(t.remove("/", true, 0), Err(FsError::Invalid));
    }

    #[test]
    fn rename_swaps_a_link_atomically() {
        let mut t = Tree::new(1 << 20);
        t.mkdir("/..2026_12_04_00_00_00.1", false, 0o755, 0)
            .unwrap();
        t.write("/..2026_12_04_00_00_00.1/k", "v1", false, 0o644, 0)
            .unwrap();
        t.symlink("..2026_12_04_00_00_00.1", "/..data_tmp", 0)
            .unwrap();
        t.rename("/..data_tmp", "/..data", 0).unwrap();
        t.symlink("..data/k", "/k", 0).unwrap();
        assert_eq!(t.read("/k"), Ok("v1"));
        t.mkdir("/..2026_12_04_00_01_00.2", false, 0o755, 1)
            .unwrap();
        t.write("/..2026_12_04_00_01_00.2/k", "v2", false, 0o644, 1)
            .unwrap();
        t.symlink("..2026_12_04_00_01_00.2", "/..data_tmp", 1)
            .unwrap();
        t.rename("/..data_tmp", "/..data", 1).unwrap();
        assert_eq!(t.read("/k"), Ok("v2"));
        t.rename("/..2026_12_04_00_01_00.2", "/moved", 2).unwrap();
        assert_eq!(t.read("/moved/k"), Ok("v2"));
        assert_eq!(t.rename("/moved", "/moved/inner", 2), Err(FsError::Invalid));
    }

    #[test]
    fn entries_are_bounded() {
        let mut t = Tree::new(u64::MAX);
        for i in 0..MAX_ENTRIES {
            t.touch(&format!("/f{i}"), 0).unwrap();
        }
        assert_eq!(t.touch("/one-more", 0), Err(FsError::NoSpace));
        assert_eq!(t.mkdir("/d", false, 0o755, 0), Err(FsError::NoSpace));
        let long = "a/".repeat(PATH_MAX);
        assert_eq!(t.read(&long), Err(FsError::NameTooLong));
    }
}
