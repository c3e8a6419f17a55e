//! The kubelet's `AtomicWriter` (pkg/volume/util/atomic_writer.go) over a storage tree: the
//! files live in a timestamped directory `..2026_12_04_21_23_18.1234567890`, `..data` links
//! to it and each top-level name is a link `name -> ..data/name`. An update writes a new
//! timestamped directory, swaps `..data` by one `rename` and removes the old directory, so a
//! reader sees either all old or all new files.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::jiff::Timestamp;

use crate::rng::Rng;
use crate::storage::{Entry, FsError, Tree};

/// One file of a payload: its contents and permission bits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProjection {
    /// What the file holds.
    pub data: String,
    /// Its permission bits (`0o644`).
    pub mode: u32,
}

/// Files by path relative to the volume (`key`, `dir/key`).
pub type Payload = BTreeMap<String, FileProjection>;

const DATA_DIR: &str = "..data";
const NEW_DATA_DIR: &str = "..data_tmp";
const MAX_FILE_NAME: usize = 255;
const MAX_PATH: usize = 4096;
/// Draws of a fresh timestamped directory name before giving up (a name collision needs the
/// same second and the same 32 random bits).
const NAME_TRIES: usize = 8;

/// What a write did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// The files already held the payload: nothing changed.
    Unchanged,
    /// A new timestamped directory became `..data`.
    Swapped,
}

/// `validatePath`: a payload path must be relative, without `..` elements, not start with
/// `..`, and keep within the name and path length limits.
fn validate_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err(format!("invalid path: must not be empty: {path:?}"));
    }
    if path.starts_with('/') {
        return Err(format!("invalid path: must be relative path: {path}"));
    }
    if path.len() > MAX_PATH {
        return Err(format!(
            "invalid path: must be less than or equal to {MAX_PATH} characters"
        ));
    }
    let items: Vec<&str> = path.split('/').collect();
    for item in &items {
        if *item == ".." {
            return Err(format!("invalid path: must not contain '..': {path}"));
        }
        if item.len() > MAX_FILE_NAME {
            return Err(format!(
                "invalid path: filenames must be less than or equal to {MAX_FILE_NAME} characters"
            ));
        }
    }
    if items
        .first()
        .is_some_and(|f| f.starts_with("..") && f.len() > 2)
    {
        return Err(format!("invalid path: must not start with '..': {path}"));
    }
    Ok(())
}

/// The payload with each path validated and cleaned (`filepath.Clean`: `a//b/./c` → `a/b/c`).
fn clean(payload: &Payload) -> Result<Payload, String> {
    let mut out = Payload::new();
    for (path, file) in payload {
        validate_path(path)?;
        let cleaned = crate::storage::normalise(path);
        let cleaned = cleaned.trim_start_matches('/');
        if cleaned.is_empty() {
            return Err(format!("invalid path: must not be empty: {path:?}"));
        }
        out.insert(cleaned.to_string(), file.clone());
    }
    Ok(out)
}

fn fs(e: FsError) -> String {
    e.message().to_string()
}

/// The timestamped directory name for `now_ms`: `time.Now().UTC().Format("..2006_01_02_15_04_05.")`
/// and `os.MkdirTemp`'s random suffix (a decimal 32-bit number).
pub fn timestamped_name(now_ms: i64, rng: &mut Rng) -> String {
    let stamp = Timestamp::from_millisecond(now_ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .strftime("%Y_%m_%d_%H_%M_%S");
    format!("..{stamp}.{}", rng.next_u64() as u32)
}

/// The directory `..data` links to, if it is set up.
pub fn current_dir(tree: &Tree) -> Option<String> {
    match tree.lstat(&format!("/{DATA_DIR}")) {
        Ok(Entry::Link { target, .. }) => Some(target),
        _ => None,
    }
}

/// Writes `payload` into `tree` as the kubelet does, at `now_ms`; nothing changes when the
/// files already hold it. `Err` is the writer's error text.
pub fn write(
    tree: &mut Tree,
    payload: &Payload,
    now_ms: i64,
    rng: &mut Rng,
) -> Result<Written, String> {
    let payload = clean(payload)?;
    let old = current_dir(tree);
    let mut to_remove = BTreeSet::new();
    if let Some(old) = &old {
        to_remove = paths_to_remove(tree, &payload, old);
        let unchanged = payload
            .iter()
            .all(|(p, f)| tree.read(&format!("/{old}/{p}")).ok() == Some(f.data.as_str()));
        if unchanged && to_remove.is_empty() {
            return Ok(Written::Unchanged);
        }
    }
    let dir = new_dir(tree, now_ms, rng)?;
    if let Err(e) = write_files(tree, &payload, &dir, now_ms) {
        let _ = tree.remove(&format!("/{dir}"), true, now_ms);
        return Err(e);
    }
    create_visible(tree, &payload, now_ms)?;
    let tmp = format!("/{NEW_DATA_DIR}");
    if let Err(e) = tree.symlink(&dir, &tmp, now_ms) {
        let _ = tree.remove(&format!("/{dir}"), true, now_ms);
        return Err(fs(e));
    }
    if let Err(e) = tree.rename(&tmp, &format!("/{DATA_DIR}"), now_ms) {
        let _ = tree.remove(&tmp, false, now_ms);
        let _ = tree.remove(&format!("/{dir}"), true, now_ms);
        return Err(fs(e));
    }
    for p in to_remove.iter().filter(|p| !p.contains('/')) {
        let _ = tree.remove(&format!("/{p}"), false, now_ms);
    }
    if let Some(old) = old {
        let _ = tree.remove(&format!("/{old}"), true, now_ms);
    }
    Ok(Written::Swapped)
}

/// Paths in the old directory that the new payload no longer has (parents of new files kept).
fn paths_to_remove(tree: &Tree, payload: &Payload, old: &str) -> BTreeSet<String> {
    let prefix = format!("/{old}/");
    let current: BTreeSet<String> = tree
        .under(&format!("/{old}"))
        .into_iter()
        .filter_map(|p| p.strip_prefix(&prefix).map(str::to_string))
        .collect();
    let mut new = BTreeSet::new();
    for file in payload.keys() {
        let mut at = file.as_str();
        loop {
            new.insert(at.to_string());
            match at.rfind('/') {
                Some(i) => at = &at[..i],
                None => break,
            }
        }
    }
    current.difference(&new).cloned().collect()
}

/// Makes a fresh timestamped directory (mode 0755) and returns its name.
fn new_dir(tree: &mut Tree, now_ms: i64, rng: &mut Rng) -> Result<String, String> {
    for _ in 0..NAME_TRIES {
        let name = timestamped_name(now_ms, rng);
        match tree.mkdir(&format!("/{name}"), false, 0o755, now_ms) {
            Ok(()) => return Ok(name),
            Err(FsError::Exists) => continue,
            Err(e) => return Err(fs(e)),
        }
    }
    Err(fs(FsError::Exists))
}

fn write_files(tree: &mut Tree, payload: &Payload, dir: &str, now_ms: i64) -> Result<(), String> {
    for (path, file) in payload {
        let full = format!("/{dir}/{path}");
        if let Some(i) = full.rfind('/') {
            tree.mkdir(&full[..i], true, 0o755, now_ms).map_err(fs)?;
        }
        let mode = file.mode & 0o7777;
        tree.write(&full, &file.data, false, mode, now_ms)
            .map_err(fs)?;
        tree.chmod(&full, mode).map_err(fs)?;
    }
    Ok(())
}

/// `name -> ..data/name` for each top-level name of the payload not linked yet.
fn create_visible(tree: &mut Tree, payload: &Payload, now_ms: i64) -> Result<(), String> {
    let tops: BTreeSet<&str> = payload
        .keys()
        .map(|p| p.split('/').next().unwrap_or(p))
        .collect();
    for top in tops {
        let link = format!("/{top}");
        if tree.lstat(&link) == Err(FsError::NotFound) {
            tree.symlink(&format!("{DATA_DIR}/{top}"), &link, now_ms)
                .map_err(fs)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(data: &str, mode: u32) -> FileProjection {
        FileProjection {
            data: data.into(),
            mode,
        }
    }

    fn listing(t: &Tree) -> Vec<String> {
        t.list("/")
            .unwrap()
            .into_iter()
            .map(|(name, e)| match e {
                Entry::Link { target, .. } => format!("{name} -> {target}"),
                e => format!("{} {name}", e.mode_string()),
            })
            .collect()
    }

    #[test]
    fn names_are_the_kubelets() {
        let mut rng = Rng::new(1);
        let name = timestamped_name(1_764_883_398_500, &mut rng);
        assert!(name.starts_with("..2025_12_04_21_23_18."), "{name}");
        let digits = &name["..2025_12_04_21_23_18.".len()..];
        assert!(!digits.is_empty() && digits.len() <= 10);
        assert!(digits.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn layout_links_and_modes() {
        let mut t = Tree::new(1 << 20);
        let mut rng = Rng::new(7);
        let mut p = Payload::new();
        p.insert("k8s".into(), file("kubernetes", 0o644));
        p.insert("conf/app.properties".into(), file("a=1\n", 0o400));
        assert_eq!(write(&mut t, &p, 1_000, &mut rng), Ok(Written::Swapped));
        let dir = current_dir(&t).unwrap();
        assert_eq!(
            listing(&t),
            [
                format!("drwxr-xr-x {dir}"),
                format!("..data -> {dir}"),
                "conf -> ..data/conf".into(),
                "k8s -> ..data/k8s".into()
            ]
        );
        assert_eq!(t.read("/k8s"), Ok("kubernetes"));
        assert_eq!(
            t.stat("/conf/app.properties").unwrap().mode_string(),
            "-r--------"
        );
        assert_eq!(t.stat("/k8s").unwrap().mode_string(), "-rw-r--r--");
        assert_eq!(t.lstat("/k8s").unwrap().size(), "..data/k8s".len());
    }

    #[test]
    fn updates_swap_data_and_drop_old_names() {
        let mut t = Tree::new(1 << 20);
        let mut rng = Rng::new(7);
        let mut p = Payload::new();
        p.insert("a".into(), file("1", 0o644));
        p.insert("b".into(), file("2", 0o644));
        write(&mut t, &p, 1_000, &mut rng).unwrap();
        let first = current_dir(&t).unwrap();
        assert_eq!(write(&mut t, &p, 2_000, &mut rng), Ok(Written::Unchanged));
        assert_eq!(current_dir(&t).as_ref(), Some(&first));
        p.remove("b");
        p.insert("a".into(), file("one", 0o644));
        assert_eq!(write(&mut t, &p, 61_000, &mut rng), Ok(Written::Swapped));
        let second = current_dir(&t).unwrap();
        assert_ne!(first, second);
        assert_eq!(t.read("/a"), Ok("one"));
        assert_eq!(t.lstat("/b"), Err(FsError::NotFound));
        assert_eq!(t.lstat(&format!("/{first}")), Err(FsError::NotFound));
        assert_eq!(t.len(), 4);
    }

    #[test]
    fn bad_paths_are_refused() {
        let mut t = Tree::new(1 << 20);
        let mut rng = Rng::new(7);
        for (path, msg) in [
            ("/abs", "invalid path: must be relative path: /abs"),
            ("a/../b", "invalid path: must not contain '..': a/../b"),
            (
                "..hidden",
                "invalid path: must not start with '..': ..hidden",
            ),
        ] {
            let mut p = Payload::new();
            p.insert(path.into(), file("x", 0o644));
            assert_eq!(write(&mut t, &p, 0, &mut rng), Err(msg.to_string()));
        }
        assert!(t.is_empty());
    }

    /// Payloads of paths from a hostile alphabet (`..`, `/`, `.`, nested names).
    fn payloads() -> impl proptest::strategy::Strategy<Value = Vec<Vec<(String, String, u32)>>> {
        use proptest::prelude::*;
        let path = proptest::collection::vec(
            proptest::sample::select(&["a", "b", "..", ".", "", "..x", "c.d", "/"][..]),
            1..4,
        )
        .prop_map(|parts| parts.join("/"));
        let file = (path, "[a-z\\n]{0,6}", 0u32..0o1000);
        proptest::collection::vec(proptest::collection::vec(file, 0..5), 1..5)
    }

    proptest::proptest! {
        #[test]
        fn any_payload_sequence_keeps_one_consistent_version(writes in payloads()) {
            let mut t = Tree::new(1 << 20);
            let mut rng = Rng::new(3);
            for (i, files) in writes.into_iter().enumerate() {
                let payload: Payload = files
                    .into_iter()
                    .map(|(p, data, mode)| (p, file(&data, mode)))
                    .collect();
                let before = t.under("/");
                match write(&mut t, &payload, i as i64 * 60_000, &mut rng) {
                    Err(_) => proptest::prop_assert_eq!(t.under("/"), before),
                    Ok(_) => {
                        let cleaned = clean(&payload).unwrap();
                        for (p, f) in &cleaned {
                            // A later path may have made an earlier one a directory.
                            if let Ok(data) = t.read(&format!("/{p}")) {
                                proptest::prop_assert_eq!(data, f.data.as_str());
                            }
                        }
                        let dirs = t
                            .list("/")
                            .unwrap()
                            .into_iter()
                            .filter(|(n, e)| n.starts_with("..") && matches!(e, Entry::Dir { .. }))
                            .count();
                        proptest::prop_assert_eq!(dirs, 1);
                    }
                }
            }
        }
    }
}
