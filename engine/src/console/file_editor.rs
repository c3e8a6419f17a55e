//! `vi FILE`, `vim FILE`, `nano FILE`, `edit FILE`: ask the front end to open its editor on a
//! workspace file. The page opens its YAML editor; the interactive CLI runs `$EDITOR`;
//! scripts, which have no one to type, say so.

use crate::cluster::Cluster;
use crate::output::{OpenFile, Output};

/// Opens the first file named in `args` (options such as `+10` or `-R` are ignored).
pub fn open(cluster: &mut Cluster, program: &str, args: &[String]) -> Output {
    let path = match file_argument(program, args.iter().map(String::as_str), "pod.yaml") {
        Ok(path) => path,
        Err(complaint) => return complaint,
    };
    let files = &cluster.console.files;
    let found = match files.read(path) {
        Some(text) => Found::File(text),
        None if files.is_dir(path) => Found::Dir,
        None => Found::Missing,
    };
    request(program, path, path.to_string(), found)
}

/// What an editor finds at the path it was given.
pub(crate) enum Found<'a> {
    /// A file, with its text.
    File(&'a str),
    /// A directory (refused).
    Dir,
    /// Nothing yet: a new file.
    Missing,
}

/// The file an editor's arguments name (the first that is no option: `+10`, `-R`), or its
/// complaint, suggesting `example`.
pub(crate) fn file_argument<'a>(
    program: &str,
    mut args: impl Iterator<Item = &'a str>,
    example: &str,
) -> Result<&'a str, Output> {
    args.find(|a| !a.starts_with('-') && !a.starts_with('+'))
        .ok_or_else(|| {
            Output::failure(format!(
                "{program}: a file name is needed, e.g. {program} {example}"
            ))
        })
}

/// Asks the front end to open its editor on `shown` (the name saving writes back to), as
/// `found` at `path`: a directory is refused.
pub(crate) fn request(program: &str, path: &str, shown: String, found: Found<'_>) -> Output {
    let existing = match found {
        Found::File(text) => Some(text),
        Found::Dir => return Output::failure(format!("{program}: \"{path}\" is a directory")),
        Found::Missing => None,
    };
    Output {
        open_file: Some(OpenFile {
            path: shown,
            text: existing.unwrap_or_default().to_string(),
            new_file: existing.is_none(),
        }),
        ..Output::default()
    }
}

#[cfg(test)]
mod tests {
    use crate::cluster::Cluster;

    #[test]
    fn opens_new_and_existing_files_and_refuses_nonsense() {
        let mut c = Cluster::new();
        let out = c.run("vi pod.yaml");
        let f = out.open_file.expect("editor request");
        assert_eq!(
            (f.path.as_str(), f.text.as_str(), f.new_file),
            ("pod.yaml", "", true)
        );
        c.run("echo 'kind: Pod' > pod.yaml");
        let f = c.run("nano +3 pod.yaml").open_file.expect("editor request");
        assert_eq!((f.text.as_str(), f.new_file), ("kind: Pod\n", false));
        let out = c.run("vim");
        assert_eq!(out.exit_code, 1);
        assert_eq!(
            out.stderr(),
            "vim: a file name is needed, e.g. vim pod.yaml\n"
        );
        c.run("echo x > dir/a.txt");
        assert_eq!(c.run("edit dir").stderr(), "edit: \"dir\" is a directory\n");
    }
}
