//! `vi FILE`, `vim FILE`, `nano FILE`, `edit FILE`: ask the front end to open its editor on a
//! workspace file. The page opens its YAML editor; the interactive CLI runs `$EDITOR`;
//! scripts, which have no one to type, say so.

use crate::cluster::Cluster;
use crate::output::{OpenFile, Output};

/// Opens the first file named in `args` (options such as `+10` or `-R` are ignored).
pub fn open(cluster: &mut Cluster, program: &str, args: &[String]) -> Output {
    let Some(path) = args
        .iter()
        .find(|a| !a.starts_with('-') && !a.starts_with('+'))
    else {
        return Output::failure(format!(
            "{program}: a file name is needed, e.g. {program} pod.yaml"
        ));
    };
    let files = &cluster.console.files;
    if files.is_dir(path) && files.read(path).is_none() {
        return Output::failure(format!("{program}: \"{path}\" is a directory"));
    }
    let existing = files.read(path);
    Output {
        open_file: Some(OpenFile {
            path: path.clone(),
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
