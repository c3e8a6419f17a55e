//! The filesystem a container shows, one view for every reader (`kubectl exec` shells,
//! probes and hooks, `grep`, what its server serves): its root — the image's files, what the
//! kubelet writes (/etc/hosts, /etc/resolv.conf, /etc/hostname, the service-account token)
//! and its writable layer, one [`Tree`] — with its volumes mounted over it (the longest
//! mount path wins; a read-only mount refuses writes). Writes are [`Op`]s: a run records the
//! ones that succeeded in its own view, and its caller applies them to the real trees.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{with_image_name, Container, Flavor};
use crate::node::volumes::Mount;
use crate::storage::{Backing, Entry, FsError, Storage, Tree};

pub use crate::storage::normalise;

/// A container root's size for `df` (the node's disk, which its overlay lives on).
pub const ROOT_CAPACITY: u64 = 100 << 30;

/// Top-level directories of every image.
const ROOT: &[&str] = &[
    "bin", "dev", "etc", "home", "lib", "media", "mnt", "opt", "proc", "root", "run", "sbin",
    "srv", "sys", "tmp", "usr", "var",
];

/// Where the service-account token is projected.
const SA_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// A container's root filesystem, built from its image when first looked at (most
/// containers never are: building it on every start was a crash loop's main cost).
#[derive(Clone, Debug, Default)]
pub struct Root {
    tree: std::sync::OnceLock<Arc<Tree>>,
    /// When it was made from the image: its files' dates; `None` for an empty root.
    made_at: Option<i64>,
}

impl Root {
    /// The image's root (see [`image_tree`]), its files dated `at`.
    pub fn image(at: i64) -> Root {
        Root {
            tree: Default::default(),
            made_at: Some(at),
        }
    }

    /// The tree, built for container `c` (whose root this is) if not yet.
    pub fn get(&self, c: &Container) -> &Arc<Tree> {
        self.tree.get_or_init(|| {
            Arc::new(match self.made_at {
                Some(at) => image_tree(c, at),
                None => Tree::default(),
            })
        })
    }

    /// Whether it is still the image's root as made (nothing looked at it yet).
    pub fn untouched(&self) -> bool {
        self.made_at.is_some() && self.tree.get().is_none()
    }
}

impl From<Arc<Tree>> for Root {
    fn from(tree: Arc<Tree>) -> Root {
        Root {
            tree: std::sync::OnceLock::from(tree),
            made_at: None,
        }
    }
}

/// The root filesystem a new container of `c` starts with, its files dated `at`.
pub fn image_tree(c: &Container, at: i64) -> Tree {
    let mut t = Tree::new(ROOT_CAPACITY);
    for d in ROOT {
        let mode = match *d {
            "tmp" => 0o1777,
            "root" => 0o700,
            "proc" | "sys" => 0o555,
            _ => 0o755,
        };
        let _ = t.mkdir(d, false, mode, at);
    }
    // Each directory once (outermost first), then the files.
    let stamp = super::fmt_ms(at, "..%Y_%m_%d_%H_%M_%S.%9f");
    let files = files(c);
    let mut dirs: Vec<String> = vec![format!("{SA_DIR}/{stamp}")];
    for (path, _) in &files {
        if let Some((dir, _)) = path.rsplit_once('/') {
            if !path.starts_with(SA_DIR) && !dirs.iter().any(|d| d == dir) {
                dirs.push(dir.to_string());
            }
        }
    }
    for d in &dirs {
        if t.stat(d).is_err() {
            let _ = t.mkdir(d, true, 0o755, at);
        }
    }
    let _ = t.symlink(&stamp, &format!("{SA_DIR}/..data"), at);
    for (path, data) in files {
        if let Some(name) = path.strip_prefix(&format!("{SA_DIR}/")) {
            // A projected volume: each key a link into the timestamped directory `..data`
            // names.
            let _ = t.write(&format!("{SA_DIR}/{stamp}/{name}"), &data, false, 0o644, at);
            let _ = t.symlink(&format!("..data/{name}"), &path, at);
        } else {
            let _ = t.write(&path, &data, false, 0o644, at);
        }
    }
    for m in &c.mounts {
        // The runtime makes each mount point.
        let _ = t.mkdir(&m.path, true, 0o755, at);
    }
    t
}

/// Every file of the container, as (path, contents).
fn files(c: &Container) -> Vec<(String, String)> {
    let os_release = match c.flavor() {
        Flavor::Busybox | Flavor::Distroless => None,
        Flavor::Alpine => Some("NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.22.2\nPRETTY_NAME=\"Alpine Linux v3.22\"\nHOME_URL=\"https://alpinelinux.org/\"\nBUG_REPORT_URL=\"https://gitlab.alpinelinux.org/alpine/aports/-/issues\"\n"),
        Flavor::Ubuntu => Some("PRETTY_NAME=\"Ubuntu 24.04.3 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nVERSION=\"24.04.3 LTS (Noble Numbat)\"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\nHOME_URL=\"https://www.ubuntu.com/\"\nSUPPORT_URL=\"https://help.ubuntu.com/\"\nBUG_REPORT_URL=\"https://bugs.launchpad.net/ubuntu/\"\nPRIVACY_POLICY_URL=\"https://www.ubuntu.com/legal/terms-and-policies/privacy-policy\"\nUBUNTU_CODENAME=noble\nLOGO=ubuntu-logo\n"),
        Flavor::Centos => Some("NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"7\"\nPRETTY_NAME=\"CentOS Linux 7 (Core)\"\nANSI_COLOR=\"0;31\"\nCPE_NAME=\"cpe:/o:centos:centos:7\"\nHOME_URL=\"https://www.centos.org/\"\nBUG_REPORT_URL=\"https://bugs.centos.org/\"\n\nCENTOS_MANTISBT_PROJECT=\"CentOS-7\"\nCENTOS_MANTISBT_PROJECT_VERSION=\"7\"\nREDHAT_SUPPORT_PRODUCT=\"centos\"\nREDHAT_SUPPORT_PRODUCT_VERSION=\"7\"\n\n"),
        Flavor::Debian => Some("PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"13\"\nVERSION=\"13 (trixie)\"\nVERSION_CODENAME=trixie\nDEBIAN_VERSION_FULL=13.1\nID=debian\nHOME_URL=\"https://www.debian.org/\"\nSUPPORT_URL=\"https://www.debian.org/support\"\nBUG_REPORT_URL=\"https://bugs.debian.org/\"\n"),
    };
    let mut v = vec![
        ("/etc/hostname".to_string(), format!("{}\n", c.pod)),
        (
            "/etc/hosts".to_string(),
            format!(
                "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{}\t{}\n",
                c.pod_ip, c.pod
            ),
        ),
        (
            "/etc/resolv.conf".to_string(),
            format!(
                "search {}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n",
                c.namespace
            ),
        ),
        (
            "/var/run/secrets/kubernetes.io/serviceaccount/namespace".to_string(),
            c.namespace.clone(),
        ),
        (
            "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt".to_string(),
            "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIKubeplayCAwDQYJKoZIhvcNAQELBQAwFTETMBEGA1UE\nAxMKa3ViZXJuZXRlczAeFw0yNjAxMDEwMDAwMDBaFw0zNjAxMDEwMDAwMDBaMBUx\nEzARBgNVBAMTCmt1YmVybmV0ZXMwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEK\n-----END CERTIFICATE-----\n".to_string(),
        ),
        (
            "/var/run/secrets/kubernetes.io/serviceaccount/token".to_string(),
            "eyJhbGciOiJSUzI1NiIsImtpZCI6Imt1YmVwbGF5In0.eyJhdWQiOlsiaHR0cHM6Ly9rdWJlcm5ldGVzLmRlZmF1bHQuc3ZjLmNsdXN0ZXIubG9jYWwiXSwiaXNzIjoiaHR0cHM6Ly9rdWJlcm5ldGVzLmRlZmF1bHQuc3ZjLmNsdXN0ZXIubG9jYWwifQ.a3ViZXBsYXktc2ltdWxhdGVkLXNpZ25hdHVyZQ".to_string(),
        ),
    ];
    if let Some(os) = os_release {
        v.push(("/etc/os-release".to_string(), os.to_string()));
    }
    if c.flavor() == Flavor::Centos {
        v.push((
            "/etc/centos-release".into(),
            "CentOS Linux release 7.9.2009 (Core)\n".into(),
        ));
    }
    if with_image_name(&c.image, |n, _| n == "nginx") {
        v.push((
            "/usr/share/nginx/html/index.html".into(),
            NGINX_INDEX.into(),
        ));
        v.push(("/usr/share/nginx/html/50x.html".into(), NGINX_50X.into()));
    }
    v
}

/// A change to the filesystem, as a command makes it (paths as the container sees them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `> FILE` (or `>>` with `append`), a download, `cp`.
    Write {
        /// The file.
        path: String,
        /// What is written.
        data: String,
        /// Appended rather than replacing.
        append: bool,
    },
    /// `mkdir [-p]`.
    Mkdir {
        /// The directory.
        path: String,
        /// `-p`.
        parents: bool,
    },
    /// `rm [-r]`, `rmdir`.
    Remove {
        /// What goes.
        path: String,
        /// A directory with what is in it.
        recursive: bool,
    },
    /// `touch`.
    Touch {
        /// The file.
        path: String,
    },
    /// `ln -s TARGET LINK`.
    Symlink {
        /// Where it points, as written.
        target: String,
        /// The link.
        link: String,
    },
    /// `mv` (across filesystems: a copy, then the source removed).
    Rename {
        /// Source.
        from: String,
        /// Destination.
        to: String,
    },
    /// `chmod`.
    Chmod {
        /// The file or directory.
        path: String,
        /// New permission bits.
        mode: u32,
    },
}

/// An empty filesystem, for a mount whose tree is not there.
static EMPTY: Tree = Tree::new(0);

/// Capacity of a volume's tree made on first write when its setup did not make it.
const FALLBACK_CAPACITY: u64 = 1 << 30;

/// A container's filesystem as its processes see it: the root and the mounts over it, with
/// changes made through it kept (copied on first write) until [`View::into_changes`].
pub struct View<'a> {
    root: Base<'a>,
    root_changed: bool,
    mounts: &'a [Mount],
    storage: Option<&'a Storage>,
    changed: BTreeMap<Backing, Tree>,
}

/// Where a view's root is: a tree, or a container's root, built when first read.
enum Base<'a> {
    Tree(Arc<Tree>),
    Container(&'a Container),
}

impl Base<'_> {
    fn tree(&self) -> &Arc<Tree> {
        match self {
            Base::Tree(t) => t,
            Base::Container(c) => c.root(),
        }
    }
}

/// What a view changed: the new root (if it changed) and the volumes' new trees.
#[derive(Debug, Default)]
pub struct Changes {
    /// The container's new root filesystem.
    pub root: Option<Arc<Tree>>,
    /// Volumes' filesystems, replaced whole.
    pub volumes: BTreeMap<Backing, Tree>,
}

impl<'a> View<'a> {
    /// The view of `root` with `mounts` over it, their trees in `storage` (none: empty).
    pub fn new(root: Arc<Tree>, mounts: &'a [Mount], storage: Option<&'a Storage>) -> Self {
        View {
            root: Base::Tree(root),
            root_changed: false,
            mounts,
            storage,
            changed: BTreeMap::new(),
        }
    }

    /// Container `c`'s view, its volumes' trees in `storage`; its root is built only if read.
    pub fn of(c: &'a Container, storage: Option<&'a Storage>) -> Self {
        View {
            root: Base::Container(c),
            root_changed: false,
            mounts: &c.mounts,
            storage,
            changed: BTreeMap::new(),
        }
    }

    /// The mounts it shows.
    pub fn mounts(&self) -> &'a [Mount] {
        self.mounts
    }

    /// The mount `path` lies in (the longest mount path that holds it), and the path inside
    /// that mount's tree; `None` for the root.
    fn locate(&self, path: &str) -> (Option<usize>, String) {
        let path = normalise(path);
        let best = self
            .mounts
            .iter()
            .enumerate()
            .filter(|(_, m)| path == m.path || path.starts_with(&format!("{}/", m.path)))
            .max_by_key(|(_, m)| m.path.len());
        match best {
            Some((i, m)) => {
                let rest = &path[m.path.len().min(path.len())..];
                (Some(i), normalise(&format!("{}/{rest}", m.dir)))
            }
            None => (None, path),
        }
    }

    fn tree(&self, at: Option<usize>) -> &Tree {
        let Some(m) = at.and_then(|i| self.mounts.get(i)) else {
            return self.root.tree();
        };
        self.changed
            .get(&m.backing)
            .or_else(|| self.storage.and_then(|s| s.tree(&m.backing)))
            .unwrap_or(&EMPTY)
    }

    fn tree_mut(&mut self, at: Option<usize>) -> Result<&mut Tree, FsError> {
        let Some(m) = at.and_then(|i| self.mounts.get(i)) else {
            self.root_changed = true;
            if let Base::Container(c) = self.root {
                self.root = Base::Tree(c.root().clone());
            }
            return match &mut self.root {
                Base::Tree(root) => Ok(Arc::make_mut(root)),
                Base::Container(_) => Err(FsError::Invalid),
            };
        };
        if m.read_only {
            return Err(FsError::ReadOnly);
        }
        let storage = self.storage;
        Ok(self.changed.entry(m.backing.clone()).or_insert_with(|| {
            storage
                .and_then(|s| s.tree(&m.backing))
                .cloned()
                .unwrap_or_else(|| Tree::new(FALLBACK_CAPACITY))
        }))
    }

    /// A file's contents.
    pub fn read(&self, path: &str) -> Result<&str, FsError> {
        let (at, inner) = self.locate(path);
        self.tree(at).read(&inner)
    }

    /// What `path` leads to, links followed.
    pub fn stat(&self, path: &str) -> Result<Entry, FsError> {
        let (at, inner) = self.locate(path);
        self.tree(at).stat(&inner)
    }

    /// What `path` names, a final link not followed.
    pub fn lstat(&self, path: &str) -> Result<Entry, FsError> {
        let (at, inner) = self.locate(path);
        self.tree(at).lstat(&inner)
    }

    /// A directory's entries, sorted by name; mount points show the mounted directory.
    pub fn list(&self, path: &str) -> Result<Vec<(String, Entry)>, FsError> {
        let (at, inner) = self.locate(path);
        let mut entries = self.tree(at).list(&inner)?;
        let dir = normalise(path);
        for (name, entry) in &mut entries {
            let full = normalise(&format!("{dir}/{name}"));
            if self.mounts.iter().any(|m| m.path == full) {
                if let Ok(e) = self.stat(&full) {
                    *entry = e;
                }
            }
        }
        Ok(entries)
    }

    /// Whether `path` is a directory.
    pub fn is_dir(&self, path: &str) -> bool {
        matches!(self.stat(path), Ok(Entry::Dir { .. }))
    }

    /// Makes one change at `now` (epoch ms).
    pub fn apply(&mut self, op: &Op, now: i64) -> Result<(), FsError> {
        match op {
            Op::Write { path, data, append } => {
                let (at, inner) = self.locate(path);
                self.tree_mut(at)?.write(&inner, data, *append, 0o644, now)
            }
            Op::Mkdir { path, parents } => {
                let (at, inner) = self.locate(path);
                if *parents && self.is_dir(path) {
                    return Ok(());
                }
                self.tree_mut(at)?.mkdir(&inner, *parents, 0o755, now)
            }
            Op::Remove { path, recursive } => {
                let full = normalise(path);
                if self.mounts.iter().any(|m| {
                    m.path == full || (*recursive && m.path.starts_with(&format!("{full}/")))
                }) {
                    return Err(FsError::Busy);
                }
                let (at, inner) = self.locate(path);
                self.tree_mut(at)?.remove(&inner, *recursive, now)
            }
            Op::Touch { path } => {
                let (at, inner) = self.locate(path);
                self.tree_mut(at)?.touch(&inner, now)
            }
            Op::Symlink { target, link } => {
                let (at, inner) = self.locate(link);
                self.tree_mut(at)?.symlink(target, &inner, now)
            }
            Op::Rename { from, to } => {
                let (a, from_in) = self.locate(from);
                let (b, to_in) = self.locate(to);
                if self.mounts.iter().any(|m| m.path == normalise(from)) {
                    return Err(FsError::Busy);
                }
                let same = match (a, b) {
                    (None, None) => true,
                    (Some(x), Some(y)) => {
                        self.mounts.get(x).map(|m| &m.backing)
                            == self.mounts.get(y).map(|m| &m.backing)
                    }
                    _ => false,
                };
                if same {
                    return self.tree_mut(a)?.rename(&from_in, &to_in, now);
                }
                // Another filesystem: mv copies a file, then removes it.
                let data = self.read(from)?.to_string();
                self.tree_mut(a)?; // the source must be writable too
                self.tree_mut(b)?.write(&to_in, &data, false, 0o644, now)?;
                self.tree_mut(a)?.remove(&from_in, false, now)
            }
            Op::Chmod { path, mode } => {
                let (at, inner) = self.locate(path);
                self.tree_mut(at)?.chmod(&inner, *mode)
            }
        }
    }

    /// Bytes the container's root holds.
    pub fn root_used(&self) -> u64 {
        self.root.tree().used()
    }

    /// Whether `path` is on a read-only mount.
    pub fn read_only(&self, path: &str) -> bool {
        let (at, _) = self.locate(path);
        at.and_then(|i| self.mounts.get(i))
            .is_some_and(|m| m.read_only)
    }

    /// Whether `path` is on a volume (not the container's root).
    pub fn on_volume(&self, path: &str) -> bool {
        self.locate(path).0.is_some()
    }

    /// The size and bytes used of the filesystem mounted at the mount `m`.
    pub fn usage(&self, m: &Mount) -> (u64, u64) {
        let t = self
            .changed
            .get(&m.backing)
            .or_else(|| self.storage.and_then(|s| s.tree(&m.backing)))
            .unwrap_or(&EMPTY);
        (t.capacity(), t.used())
    }

    /// What it changed.
    pub fn into_changes(self) -> Changes {
        Changes {
            root: self.root_changed.then(|| self.root.tree().clone()),
            volumes: self.changed,
        }
    }
}

/// Applies `ops` (each at ms after `start_ms`) made by a run in container `c` to its root
/// and to the volumes in `storage`; ops that fail now (the trees changed since) are skipped.
pub fn commit(storage: &mut Storage, c: &mut Container, ops: &[(i64, Op)], start_ms: i64) {
    if ops.is_empty() {
        return;
    }
    let changes = {
        let mut view = View::of(c, Some(storage));
        for (at, op) in ops {
            let _ = view.apply(op, start_ms.saturating_add(*at));
        }
        view.into_changes()
    };
    if let Some(root) = changes.root {
        c.set_root(root);
    }
    for (backing, tree) in changes.volumes {
        let _ = storage.put(backing, tree);
    }
}

/// A file's contents in container `c`, its volumes' trees in `storage` (what its server
/// serves).
pub fn read(c: &Container, storage: Option<&Storage>, path: &str) -> Option<String> {
    View::of(c, storage).read(path).ok().map(str::to_string)
}
const NGINX_INDEX: &str = "<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href=\"http://nginx.org/\">nginx.org</a>.<br/>
Commercial support is available at
<a href=\"http://nginx.com/\">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
";

const NGINX_50X: &str = "<!DOCTYPE html>
<html>
<head>
<title>Error</title>
</head>
<body>
<h1>An error occurred.</h1>
</body>
</html>
";

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_root_is_built_when_first_read_and_dated_when_made() {
        let c = Container::for_test("box", "nginx");
        assert!(c.root.untouched());
        // A copy taken before (as `kubectl exec` takes one) and moved on in time still shows
        // the files as the runtime made them.
        let mut copy = c.clone();
        copy.start_ms += 60_000;
        assert_eq!(**c.root(), image_tree(&c, c.start_ms));
        assert!(!c.root.untouched());
        assert_eq!(copy.root(), c.root());
        // A process that only runs (`false`) never builds it.
        let mut quiet = Container::for_test("quiet", "busybox");
        quiet.argv = vec!["false".into()];
        let _ = quiet.run_in(None, 10_000);
        assert!(quiet.root.untouched());
    }

    fn nfs_mount(path: &str, dir: &str, read_only: bool) -> Mount {
        Mount {
            path: path.into(),
            volume: "v".into(),
            backing: Backing::Nfs("211.183.3.99".into()),
            dir: dir.into(),
            read_only,
            source: "211.183.3.99:/k8s".into(),
            fstype: "nfs4".into(),
        }
    }

    fn storage() -> Storage {
        let mut s = Storage::default();
        s.add_nfs_server(
            crate::storage::NfsServer {
                address: "211.183.3.99".into(),
                exports: vec!["/k8s".into()],
                size: 1 << 30,
                device: "/dev/sdb".into(),
            },
            0,
        );
        s
    }

    fn container(mounts: Vec<Mount>) -> Container {
        let mut c = Container::for_test("box", "busybox");
        c.mounts = mounts;
        c.with_root()
    }

    #[test]
    fn longest_mount_wins_and_read_only_refuses() {
        let mut s = storage();
        let mut c = container(vec![
            nfs_mount("/data", "/k8s", false),
            nfs_mount("/data/ro", "/k8s", true),
        ]);
        let ops = [(
            0,
            Op::Write {
                path: "/data/f".into(),
                data: "x".into(),
                append: false,
            },
        )];
        commit(&mut s, &mut c, &ops, 0);
        assert_eq!(read(&c, Some(&s), "/data/ro/f").as_deref(), Some("x"));
        let mut view = View::new(c.root().clone(), &c.mounts, Some(&s));
        let w = |p: &str| Op::Write {
            path: p.into(),
            data: "y".into(),
            append: false,
        };
        assert_eq!(view.apply(&w("/data/ro/g"), 0), Err(FsError::ReadOnly));
        let rm = Op::Remove {
            path: "/data".into(),
            recursive: true,
        };
        assert_eq!(view.apply(&rm, 0), Err(FsError::Busy));
        // The root's own files are still there, and the mount point is a directory in it.
        assert!(view.read("/etc/hostname").is_ok());
        assert!(view.is_dir("/data"));
    }

    fn sh(c: &Container, s: &Storage, script: &str) -> super::super::Run {
        c.exec_in(
            Some(s),
            &["sh".into(), "-c".into(), script.into()],
            0,
            60_000,
        )
    }

    fn texts(run: &super::super::Run) -> Vec<&str> {
        run.lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn writes_go_to_the_writable_layer_and_stay_bounded() {
        let mut s = storage();
        let mut c = container(vec![]);
        let run = sh(
            &c,
            &s,
            "echo hi > /tmp/x; echo more >> tmp/x; cat /tmp/x; ls /tmp",
        );
        assert_eq!(texts(&run), ["hi", "more", "x"]);
        commit(&mut s, &mut c, &run.ops, 0);
        assert_eq!(read(&c, None, "/tmp/x").as_deref(), Some("hi\nmore\n"));
        let run = sh(&c, &s, "echo x > /nope/y; echo $?; echo x > /etc");
        assert_eq!(
            texts(&run),
            [
                "sh: can't create /nope/y: nonexistent directory",
                "1",
                "sh: can't create /etc: Is a directory"
            ]
        );
        let run = sh(
            &c,
            &s,
            "echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa > /f; while true; do cat /f >> /f; done",
        );
        assert!(run
            .lines
            .iter()
            .any(|l| l.text == "sh: write error: No space left on device"));
        commit(&mut s, &mut c, &run.ops, 0);
        assert!(read(&c, None, "/f").is_some_and(|f| f.len() <= crate::storage::tree::FILE_LIMIT));
    }

    proptest! {
        #[test]
        fn data_written_through_a_mount_is_read_back_by_a_later_pod(
            name in "[a-zA-Z0-9._-]{1,12}",
            data in "(?s).{0,300}",
            sub in "(|[a-z]{1,6})",
        ) {
            prop_assume!(name != "." && name != "..");
            let mut s = storage();
            let dir = if sub.is_empty() { "/k8s".to_string() } else { format!("/k8s/{sub}") };
            let mut first = container(vec![nfs_mount("/data", &dir, false)]);
            let ops = [
                (0, Op::Mkdir { path: "/data".into(), parents: true }),
                (1, Op::Write { path: format!("/data/{name}"), data: data.clone(), append: false }),
            ];
            if !sub.is_empty() {
                s.tree_mut(&Backing::Nfs("211.183.3.99".into()), 0).unwrap().mkdir(&dir, true, 0o755, 0).unwrap();
            }
            commit(&mut s, &mut first, &ops, 0);
            let later = container(vec![nfs_mount("/mnt", "/k8s", false)]);
            let path = if sub.is_empty() { format!("/mnt/{name}") } else { format!("/mnt/{sub}/{name}") };
            prop_assert_eq!(read(&later, Some(&s), &path), Some(data));
        }

        #[test]
        fn hostile_paths_and_sizes_never_panic(
            ops in proptest::collection::vec((0usize..7, "[a-z./]{0,40}", "[a-z./]{0,20}", 0usize..3), 0..30),
        ) {
            let mut s = storage();
            let mut c = container(vec![nfs_mount("/data", "/k8s", false), nfs_mount("/data/x/ro", "/", true)]);
            let big = "z".repeat(crate::storage::tree::FILE_LIMIT + 1);
            let ops: Vec<(i64, Op)> = ops
                .into_iter()
                .map(|(kind, a, b, size)| {
                    let data = match size { 0 => String::new(), 1 => b.clone(), _ => big.clone() };
                    let op = match kind {
                        0 => Op::Write { path: a, data, append: size == 1 },
                        1 => Op::Mkdir { path: a, parents: size > 0 },
                        2 => Op::Remove { path: a, recursive: size > 0 },
                        3 => Op::Touch { path: a },
                        4 => Op::Symlink { target: b, link: a },
                        5 => Op::Rename { from: a, to: b },
                        _ => Op::Chmod { path: a, mode: size as u32 * 0o777 },
                    };
                    (0, op)
                })
                .collect();
            commit(&mut s, &mut c, &ops, 0);
            let view = View::new(c.root().clone(), &c.mounts, Some(&s));
            for p in ["/", "/data", "/data/x", "/data/x/ro", "/etc"] {
                let _ = view.list(p);
            }
        }

        #[test]
        fn hostile_file_commands_never_panic(words in proptest::collection::vec(proptest::sample::select(&[
            "ls", "-la", "-R", "touch", "mkdir", "-p", "rm", "-rf", "rmdir", "cp", "-r", "mv", "ln", "-s",
            "chmod", "+x", "755", "df", "-h", "mount", "cat", "/", "/data", "/data/a", "..", ".", "/etc/*",
            "/data/*", "a/b/c", ";", "&&", ">", ">>", "echo", "x", "/proc", "''",
        ][..]), 0..16)) {
            let s = storage();
            let c = container(vec![nfs_mount("/data", "/k8s", false)]);
            let _ = c.exec_in(Some(&s), &["sh".into(), "-c".into(), words.join(" ")], 0, 60_000);
            let d = Container { image: "nginx".into(), ..c };
            let _ = d.exec_in(Some(&s), &["bash".into(), "-c".into(), words.join(" ")], 0, 60_000);
        }
    }
}
