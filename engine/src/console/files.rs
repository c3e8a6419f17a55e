//! The learner's workspace: a flat set of text files addressed by path.

use std::collections::BTreeMap;

/// Files the learner wrote, by normalised path (`pod.yaml`, `app/web.yaml`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Workspace {
    files: BTreeMap<String, String>,
}

/// Largest file the workspace keeps, so a runaway `>>` loop cannot eat the page's memory.
const MAX_FILE_BYTES: usize = 1 << 20;

/// `./a//b.yaml` → `a/b.yaml`; leading `/`, `~/` and `/root/` are dropped (the workspace
/// is the home, `$HOME`).
pub fn normalize(path: &str) -> String {
    let path = path.strip_prefix("~/").unwrap_or(path);
    let path = path.strip_prefix("/root/").unwrap_or(path);
    path.split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect::<Vec<_>>()
        .join("/")
}

impl Workspace {
    /// A file's contents.
    pub fn read(&self, path: &str) -> Option<&str> {
        self.files.get(&normalize(path)).map(String::as_str)
    }

    /// Writes (or appends to) a file.
    pub fn write(&mut self, path: &str, text: &str, append: bool) -> Result<(), String> {
        let key = normalize(path);
        if key.is_empty() || self.is_dir(&key) {
            return Err(format!("bash: {path}: Is a directory"));
        }
        let file = self.files.entry(key).or_default();
        if !append {
            file.clear();
        }
        if file.len() + text.len() > MAX_FILE_BYTES {
            return Err(format!("bash: {path}: File too large"));
        }
        file.push_str(text);
        Ok(())
    }

    /// Removes a file; false if it did not exist.
    pub fn remove(&mut self, path: &str) -> bool {
        self.files.remove(&normalize(path)).is_some()
    }

    /// Whether `path` names a folder (a prefix of some file's path).
    pub fn is_dir(&self, path: &str) -> bool {
        let key = normalize(path);
        key.is_empty() || self.files.keys().any(|f| f.starts_with(&format!("{key}/")))
    }

    /// Paths of the files in a folder and below it, sorted.
    pub fn files_under(&self, dir: &str) -> Vec<String> {
        let key = normalize(dir);
        self.files
            .keys()
            .filter(|f| key.is_empty() || f.starts_with(&format!("{key}/")))
            .cloned()
            .collect()
    }

    /// Entries directly in a folder: file names and sub-folder names, sorted.
    pub fn list(&self, dir: &str) -> Vec<String> {
        let key = normalize(dir);
        let prefix = if key.is_empty() {
            String::new()
        } else {
            format!("{key}/")
        };
        let mut names: Vec<String> = self
            .files
            .keys()
            .filter_map(|f| f.strip_prefix(&prefix))
            .map(|rest| rest.split('/').next().unwrap_or(rest).to_string())
            .collect();
        names.dedup();
        names
    }
}

/// The workspace as a text program's reader: a file's text, or why it cannot be read.
pub fn reader(
    cluster: &crate::cluster::Cluster,
) -> impl Fn(&str) -> Result<String, &'static str> + '_ {
    let files = &cluster.console.files;
    move |path: &str| match files.read(path) {
        Some(text) => Ok(text.to_string()),
        None if files.is_dir(path) => Err(crate::node::process::text::IS_DIR),
        None => Err("No such file or directory"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_folders() {
        let mut w = Workspace::default();
        w.write("./app//web.yaml", "a\n", false).unwrap();
        w.write("pod.yaml", "b\n", false).unwrap();
        w.write("pod.yaml", "c\n", true).unwrap();
        assert_eq!(w.read("pod.yaml"), Some("b\nc\n"));
        assert_eq!(w.read("~/app/web.yaml"), Some("a\n"));
        assert!(w.is_dir("app"));
        assert_eq!(w.list(""), vec!["app", "pod.yaml"]);
        assert_eq!(w.files_under("app"), vec!["app/web.yaml"]);
        assert!(w.write("app", "x", false).is_err());
        assert!(w.remove("pod.yaml"));
        assert!(!w.remove("pod.yaml"));
    }
}
