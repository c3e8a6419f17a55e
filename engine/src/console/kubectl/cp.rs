//! `kubectl cp`: copies files and directories between the learner's workspace and a running
//! container, as kubectl 1.34 does it — through `tar` in the container. To a pod: the local
//! file or folder exists, the destination is a directory (`test -d`) or a new name, `tar
//! -xmf - -C DIR` unpacks it (a missing DIR or a read-only mount fails as tar says). From a
//! pod: `tar cf - PATH` streams it back (tar's note on the leading `/` is printed), the
//! files land under the local destination, symlinks are skipped with kubectl's warning.
//! Messages are GNU tar's (Debian, Ubuntu, CentOS images) or BusyBox tar's (busybox,
//! alpine); images without tar (the distroless system images) refuse the exec.

use super::exec::{keep_files, oci_error, running_container, Target};
use super::flags::{self, Flag};
use crate::cluster::Cluster;
use crate::console::files::normalize;
use crate::node::process::fs::{self, Op, View};
use crate::node::process::Flavor;
use crate::output::Output;
use crate::storage::{Entry, FsError};

pub(super) const FLAGS: &[Flag] = &[
    flags::value("container", Some('c')),
    flags::boolean("no-preserve", None),
    flags::value("retries", None),
];

/// A `kubectl cp` argument: `[[namespace/]pod:]path`.
#[derive(Debug, PartialEq)]
struct FileSpec {
    namespace: Option<String>,
    pod: Option<String>,
    path: String,
}

/// kubectl's `extractFileSpec`.
fn file_spec(arg: &str) -> Result<FileSpec, String> {
    const FORMAT: &str = "filespec must match the canonical format: [[namespace/]pod:]file/path";
    let Some(i) = arg.find(':') else {
        return Ok(FileSpec {
            namespace: None,
            pod: None,
            path: strip_trailing_slash(arg),
        });
    };
    if i == 0 {
        return Err(FORMAT.into());
    }
    let (pod, path) = (&arg[..i], &arg[i + 1..]);
    let pieces: Vec<&str> = pod.split('/').collect();
    let (namespace, pod) = match pieces.as_slice() {
        [pod] => (None, pod.to_string()),
        [ns, pod] => (Some(ns.to_string()), pod.to_string()),
        _ => return Err(FORMAT.into()),
    };
    Ok(FileSpec {
        namespace,
        pod: Some(pod),
        path: path.to_string(),
    })
}

/// `newLocalPath`: a trailing `/` is dropped (not from `/` itself).
fn strip_trailing_slash(path: &str) -> String {
    match path.strip_suffix('/') {
        Some(p) if !p.is_empty() => p.to_string(),
        _ => path.to_string(),
    }
}

/// Runs `kubectl cp SRC DEST`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let parsed = match flags::parse("cp", args, FLAGS) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    if let Some(v) = parsed.value("retries") {
        if v.parse::<i32>().is_err() {
            return super::error(format!(
                "invalid argument \"{v}\" for \"--retries\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl cp --help' for usage."
            ));
        }
    }
    let [src, dest] = parsed.positionals.as_slice() else {
        return super::error("source and destination are required");
    };
    let (src, dest) = match (file_spec(src), file_spec(dest)) {
        (Ok(s), Ok(d)) => (s, d),
        (Err(e), _) | (_, Err(e)) => return super::error(e),
    };
    if src.pod.is_some() && dest.pod.is_some() {
        return super::error("one of src or dest must be a local file specification");
    }
    if src.path.is_empty() || dest.path.is_empty() {
        return super::error("filepath can not be empty");
    }
    let default_ns = super::namespace(cluster, &parsed);
    let container = parsed.value("container");
    match (&src.pod, &dest.pod) {
        (Some(pod), None) => {
            let ns = src.namespace.clone().unwrap_or(default_ns);
            from_pod(cluster, &ns, pod, container, &src.path, &dest.path)
        }
        (None, Some(pod)) => {
            let ns = dest.namespace.clone().unwrap_or(default_ns);
            to_pod(cluster, &ns, pod, container, &src.path, &dest.path)
        }
        _ => super::error("one of src or dest must be a remote file specification"),
    }
}

/// Whether the image's tar is BusyBox's.
fn busybox(flavor: Flavor) -> bool {
    matches!(flavor, Flavor::Busybox | Flavor::Alpine)
}

/// The container `kubectl cp` execs `tar` in, with what kubectl printed on the way (the
/// default container's note); or all kubectl prints instead.
fn tar_container(
    cluster: &mut Cluster,
    namespace: &str,
    pod: &str,
    container: Option<&str>,
) -> Result<(Target, Output), Output> {
    let mut out = Output::default();
    let refused = match running_container(cluster, namespace, pod, container, &mut out) {
        Ok(target) if target.proc.flavor() != Flavor::Distroless => return Ok((target, out)),
        Ok(_) => oci_error(cluster, "tar"),
        Err(e) => e,
    };
    out.extend(refused);
    Err(out)
}

/// Local → container.
fn to_pod(
    cluster: &mut Cluster,
    namespace: &str,
    pod: &str,
    container: Option<&str>,
    src: &str,
    dest: &str,
) -> Output {
    let workspace = &cluster.console.files;
    let key = normalize(src);
    // (path under the source, contents): one file, or a folder's files.
    let files: Vec<(String, String)> = match workspace.read(src) {
        Some(text) => vec![(String::new(), text.to_string())],
        None if src == "." || (!key.is_empty() && workspace.is_dir(src)) => workspace
            .files_under(src)
            .into_iter()
            .map(|f| {
                let rel = if key.is_empty() {
                    f.clone()
                } else {
                    f[key.len() + 1..].to_string()
                };
                let data = workspace.read(&f).unwrap_or_default().to_string();
                (rel, data)
            })
            .collect(),
        None => return super::error(format!("{src} doesn't exist in local filesystem")),
    };
    let base = match key.rsplit('/').next() {
        Some(b) if !b.is_empty() => b.to_string(),
        _ => ".".to_string(),
    };
    let (
        Target {
            key: ckey, proc, ..
        },
        out,
    ) = match tar_container(cluster, namespace, pod, container) {
        Ok(found) => found,
        Err(out) => return out,
    };
    let flavor = proc.flavor();
    let now = cluster.world.clock.now_ms();
    let mut ops: Vec<(i64, Op)> = Vec::new();
    let mut failed: Option<String> = None;
    let dir = {
        let mut view = View::of(&proc, Some(&cluster.world.storage));
        // `test -d DEST`: into a directory, the copy keeps its name.
        let dest_abs = fs::normalise(&absolute(dest));
        let target = if view.is_dir(&dest_abs) {
            fs::normalise(&format!("{dest_abs}/{base}"))
        } else {
            dest_abs
        };
        let (dir, name) = match target.rsplit_once('/') {
            Some(("", n)) => ("/".to_string(), n.to_string()),
            Some((d, n)) => (d.to_string(), n.to_string()),
            None => ("/".to_string(), target.clone()),
        };
        // `tar -xmf - -C DIR`.
        if !view.is_dir(&dir) {
            return tar_failed(out, flavor, &dir, None);
        }
        for (rel, data) in &files {
            let member = if rel.is_empty() {
                name.clone()
            } else {
                format!("{name}/{rel}")
            };
            let path = fs::normalise(&format!("{dir}/{member}"));
            // The member's folders first, as tar's directory entries.
            let mut parents: Vec<String> = Vec::new();
            let mut p = path.as_str();
            while let Some((up, _)) = p.rsplit_once('/') {
                if up.len() <= dir.len() {
                    break;
                }
                parents.push(up.to_string());
                p = up;
            }
            for d in parents.into_iter().rev() {
                if view.is_dir(&d) {
                    continue;
                }
                let op = Op::Mkdir {
                    path: d.clone(),
                    parents: false,
                };
                if let Err(e) = view.apply(&op, now) {
                    failed = Some(open_error(flavor, &d[dir.len()..], e));
                    break;
                }
                ops.push((0, op));
            }
            if failed.is_some() {
                break;
            }
            let op = Op::Write {
                path: path.clone(),
                data: data.clone(),
                append: false,
            };
            match view.apply(&op, now) {
                Ok(()) => ops.push((0, op)),
                Err(e) => {
                    failed = Some(open_error(flavor, &member, e));
                    break;
                }
            }
        }
        dir
    };
    keep_files(cluster, &ckey, &ops, now);
    match failed {
        Some(message) => tar_failed(out, flavor, &dir, Some(message)),
        None => out,
    }
}

/// A container path as tar in `/` reads it.
fn absolute(path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

/// tar's message for a member it could not write.
fn open_error(flavor: Flavor, member: &str, e: FsError) -> String {
    let member = member.trim_start_matches('/');
    if busybox(flavor) {
        format!("tar: can't open '{member}': {}", e.message())
    } else {
        format!("tar: {member}: Cannot open: {}", e.message())
    }
}

/// tar's exit: a missing `-C DIR` (no `message`) or a member it could not write.
fn tar_failed(mut out: Output, flavor: Flavor, dir: &str, message: Option<String>) -> Output {
    let code = if busybox(flavor) { 1 } else { 2 };
    match (message, busybox(flavor)) {
        (None, true) => out.err(format!(
            "tar: can't change directory to '{dir}': No such file or directory"
        )),
        (None, false) => {
            out.err(format!(
                "tar: {dir}: Cannot open: No such file or directory"
            ));
            out.err("tar: Error is not recoverable: exiting now");
        }
        (Some(m), true) => out.err(m),
        (Some(m), false) => {
            out.err(m);
            out.err("tar: Exiting with failure status due to previous errors");
        }
    }
    out.err(format!("command terminated with exit code {code}"));
    out.exit_code = code;
    out
}

/// Container → local.
fn from_pod(
    cluster: &mut Cluster,
    namespace: &str,
    pod: &str,
    container: Option<&str>,
    src: &str,
    dest: &str,
) -> Output {
    let (Target { proc, .. }, mut out) = match tar_container(cluster, namespace, pod, container) {
        Ok(found) => found,
        Err(out) => return out,
    };
    let flavor = proc.flavor();
    let path = fs::normalise(&absolute(src));
    // tar's own messages go to kubectl's standard output.
    let view = View::of(&proc, Some(&cluster.world.storage));
    let exists = view.lstat(&path).is_ok();
    // GNU tar notes the leading `/` before it looks the path up; BusyBox's only once found.
    if src.starts_with('/') && (exists || !busybox(flavor)) {
        out.out(if busybox(flavor) {
            "tar: removing leading '/' from member names"
        } else {
            "tar: Removing leading `/' from member names"
        });
    }
    if !exists {
        let code = if busybox(flavor) {
            out.out(format!("tar: {src}: No such file or directory"));
            1
        } else {
            out.out(format!(
                "tar: {src}: Cannot stat: No such file or directory"
            ));
            out.out("tar: Exiting with failure status due to previous errors");
            2
        };
        out.err(format!("command terminated with exit code {code}"));
        out.exit_code = code;
        return out;
    }
    // What tar archives: the path and, for a directory, everything under it.
    let mut members: Vec<(String, Entry)> = Vec::new();
    collect(&view, &path, String::new(), &mut members);
    let dest_key = normalize(dest);
    let workspace = &mut cluster.console.files;
    for (rel, entry) in members {
        let local = match (dest_key.is_empty(), rel.is_empty()) {
            (_, true) => dest_key.clone(),
            (true, false) => rel.clone(),
            (false, false) => format!("{dest_key}/{rel}"),
        };
        match entry {
            Entry::Dir { .. } => {}
            Entry::Link { target, .. } => {
                out.err(format!(
                    "warning: skipping symlink: \"{local}\" -> \"{target}\" (consider using \"kubectl exec -n \"{namespace}\" \"{pod}\" -- tar cf - \"{src}\" | tar xf -\")"
                ));
            }
            Entry::File { data, .. } => {
                if local.is_empty() || workspace.is_dir(&local) {
                    let shown = if local.is_empty() { dest } else { &local };
                    out.extend(super::error(format!("open {shown}: is a directory")));
                    return out;
                }
                // `os.MkdirAll` of its folder: a file in the way stops the copy.
                let mut parent = local.as_str();
                while let Some((up, _)) = parent.rsplit_once('/') {
                    if workspace.read(up).is_some() {
                        out.extend(super::error(format!("mkdir {up}: not a directory")));
                        return out;
                    }
                    parent = up;
                }
                if let Err(e) = workspace.write(&local, &data, false) {
                    out.extend(super::error(e));
                    return out;
                }
            }
        }
    }
    out
}

/// `path` and what lies under it, depth first in name order, with paths relative to it.
fn collect(view: &View, path: &str, rel: String, into: &mut Vec<(String, Entry)>) {
    let Ok(entry) = view.lstat(path) else {
        return;
    };
    let is_dir = matches!(entry, Entry::Dir { .. });
    into.push((rel.clone(), entry));
    if !is_dir || into.len() >= crate::storage::MAX_ENTRIES {
        return;
    }
    for (name, _) in view.list(path).unwrap_or_default() {
        let child = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        collect(view, &fs::normalise(&format!("{path}/{name}")), child, into);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_specs_read_as_kubectl_reads_them() {
        let local = file_spec("dir/").unwrap();
        assert_eq!((local.pod, local.path.as_str()), (None, "dir"));
        let remote = file_spec("ns/web:/tmp/a").unwrap();
        assert_eq!(remote.namespace.as_deref(), Some("ns"));
        assert_eq!(remote.pod.as_deref(), Some("web"));
        assert_eq!(remote.path, "/tmp/a");
        assert!(file_spec(":x").is_err());
        assert!(file_spec("a/b/c:x").is_err());
        assert_eq!(file_spec("web:").unwrap().path, "");
    }
}
