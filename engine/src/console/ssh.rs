//! `ssh [USER@]HOST [COMMAND…]` from the learner's machine to the machines around the cluster:
//! the nodes (by name or address) and the NFS servers of the profile. COMMAND runs in a small
//! host shell (the container shell's, over that machine's disk); what it writes stays on the
//! disk, where hostPath and NFS volumes see it. `minikube ssh -- COMMAND` is the same for the
//! minikube node. Without a command, each line typed runs there until `exit` (a session).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::cluster::Cluster;
use crate::node::process::fs::View;
use crate::node::process::script::{Host, Shell};
use crate::node::volumes::Mount;
use crate::output::Output;
use crate::storage::{Backing, Tree};

/// How long (simulated) a command over ssh may run.
const LIMIT_MS: i64 = 60_000;

/// A machine outside the containers: its disk and its name.
struct Machine {
    root: Arc<Tree>,
    name: String,
}

impl Host for Machine {
    fn root(&self) -> &Arc<Tree> {
        &self.root
    }

    fn mounts(&self) -> &[Mount] {
        &[]
    }

    fn date(&self, ms: i64) -> String {
        crate::node::process::fmt_ms(ms, "%a %b %e %H:%M:%S UTC %Y")
    }

    fn sudo(&self) -> bool {
        true
    }

    fn utility(&self, argv: &[String]) -> Option<String> {
        let base = argv.first()?.rsplit('/').next()?;
        Some(match base {
            "hostname" => self.name.clone(),
            "whoami" => "root".into(),
            "id" => "uid=0(root) gid=0(root) groups=0(root)".into(),
            "uname" => "Linux".into(),
            _ => return None,
        })
    }
}

/// The disk and hostname of the machine `host` names (a node's name or address, an NFS
/// server's address), if there is one.
fn machine(cluster: &Cluster, host: &str) -> Option<(Backing, String)> {
    if let Some(s) = cluster.world.storage.nfs_server(host) {
        return Some((Backing::Nfs(s.address.clone()), "nfs-server".into()));
    }
    let node = cluster
        .profile
        .nodes
        .iter()
        .find(|n| n.name == host || n.internal_ip == host)?;
    Some((Backing::Node(node.name.clone()), node.name.clone()))
}

/// `ssh [OPTIONS] [USER@]HOST [COMMAND…]`; COMMAND reads `stdin`.
pub fn run(cluster: &mut Cluster, args: &[String], stdin: Option<&str>) -> Output {
    let mut words = args.iter().skip_while(|a| a.starts_with('-'));
    let Some(target) = words.next() else {
        let mut o = Output::failure("usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface] [-b bind_address]\n           [-c cipher_spec] [-D [bind_address:]port] [-E log_file]\n           [-e escape_char] [-F configfile] [-I pkcs11] [-i identity_file]\n           [-J destination] [-L address] [-l login_name] [-m mac_spec]\n           [-O ctl_cmd] [-o option] [-P tag] [-p port] [-R address]\n           [-S ctl_path] [-W host:port] [-w local_tun[:remote_tun]]\n           destination [command [argument ...]]");
        o.exit_code = 255;
        return o;
    };
    let host = target.rsplit('@').next().unwrap_or(target);
    let command: Vec<String> = words.cloned().collect();
    let Some((backing, name)) = machine(cluster, host) else {
        let looks_like_ip =
            host.split('.').count() == 4 && host.split('.').all(|p| p.parse::<u8>().is_ok());
        let mut o = Output::failure(if looks_like_ip {
            format!("ssh: connect to host {host} port 22: Connection timed out")
        } else {
            format!("ssh: Could not resolve hostname {host}: Name or service not known")
        });
        o.exit_code = 255;
        return o;
    };
    if command.is_empty() {
        cluster.console.ssh_session = Some(Session {
            prompt: format!("root@{name}:~# "),
            backing,
            name,
            host: Some(host.to_string()),
            home: "/root",
        });
        return Output::default();
    }
    let tty = args
        .iter()
        .take_while(|a| a.starts_with('-'))
        .any(|a| a.starts_with("-t"));
    on_machine(cluster, &backing, &name, &command.join(" "), stdin, tty)
}

/// `minikube ssh [-- ] COMMAND…` on the minikube node; COMMAND reads `stdin`.
pub fn minikube(cluster: &mut Cluster, args: &[String], stdin: Option<&str>) -> Output {
    let command: Vec<String> = args
        .iter()
        .skip_while(|a| a.starts_with('-') && *a != "--")
        .skip_while(|a| *a == "--")
        .cloned()
        .collect();
    let Some(node) = cluster.profile.nodes.first().map(|n| n.name.clone()) else {
        return Output::failure("minikube: no node");
    };
    if command.is_empty() {
        cluster.console.ssh_session = Some(Session {
            prompt: format!("docker@{node}:~$ "),
            backing: Backing::Node(node.clone()),
            name: node,
            host: None,
            home: "/home/docker",
        });
        return Output::default();
    }
    on_machine(
        cluster,
        &Backing::Node(node.clone()),
        &node,
        &command.join(" "),
        stdin,
        false,
    )
}

/// An interactive login (`ssh HOST`, `minikube ssh`): the lines typed run on the machine
/// until `exit`.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    /// The remote shell's prompt.
    pub prompt: String,
    backing: Backing,
    name: String,
    /// The user's home directory (where a relative path starts).
    home: &'static str,
    /// The host as typed, which OpenSSH names when the connection closes (minikube's own
    /// client says nothing).
    host: Option<String>,
}

/// Runs one line typed in an interactive ssh session. `exit` (or `logout`) ends it;
/// `sudo -i` and `sudo su` change nothing (the session is root's, or sudo needs no
/// password).
pub fn session_line(cluster: &mut Cluster, line: &str) -> Output {
    let Some(session) = cluster.console.ssh_session.clone() else {
        return Output::default();
    };
    let trimmed = line.trim();
    let words: Vec<&str> = trimmed.split_whitespace().collect();
    match words.as_slice() {
        ["exit", ..] | ["logout"] => {
            cluster.console.ssh_session = None;
            let mut out = Output::default();
            out.out("logout");
            if let Some(host) = &session.host {
                out.err(format!("Connection to {host} closed."));
            }
            if let Some(code) = words.get(1).and_then(|c| c.parse::<i32>().ok()) {
                out.exit_code = code & 0xff;
            }
            return out;
        }
        ["sudo", "-i" | "-s"] | ["sudo", "su"] | ["sudo", "su", "-"] | [] => {
            return Output::default()
        }
        _ => {}
    }
    let command = match words.as_slice() {
        ["sudo", rest @ ..] => rest,
        all => all,
    };
    if let [editor @ ("vi" | "vim" | "nano" | "edit"), args @ ..] = command {
        return edit(cluster, &session, editor, args);
    }
    on_machine(
        cluster,
        &session.backing,
        &session.name,
        trimmed,
        None,
        true,
    )
}

/// `vi FILE` (or `vim`, `nano`, `edit`) in a session: the front end's editor opens the
/// machine's file, named as scp names it (`node1:/etc/kubernetes/manifests/web.yaml`);
/// saving writes it back there ([`write_remote`]).
fn edit(cluster: &Cluster, session: &Session, editor: &str, args: &[&str]) -> Output {
    use super::file_editor::{file_argument, request, Found};
    let example = "/etc/kubernetes/manifests/web.yaml";
    let path = match file_argument(editor, args.iter().copied(), example) {
        Ok(path) if path.starts_with('/') => crate::storage::normalise(path),
        Ok(path) => crate::storage::normalise(&format!("{}/{path}", session.home)),
        Err(complaint) => return complaint,
    };
    let tree = cluster.world.storage.tree(&session.backing);
    let found = match tree.map(|t| t.read(&path)) {
        Some(Ok(text)) => Found::File(text),
        Some(Err(crate::storage::FsError::IsDir)) => Found::Dir,
        _ => Found::Missing,
    };
    request(editor, &path, format!("{}:{path}", session.name), found)
}

/// Saves an editor's text to `target` when it names a machine's file (`HOST:/PATH`, as
/// [`edit`] opens them): `None` when it is a workspace path.
pub fn write_remote(cluster: &mut Cluster, target: &str, text: &str) -> Option<Result<(), String>> {
    let (host, path) = target.split_once(':')?;
    if !path.starts_with('/') {
        return None;
    }
    let (backing, _) = machine(cluster, host)?;
    let at = cluster.world.clock.now_ms();
    let tree = match cluster
        .world
        .storage
        .tree_mut(&backing, crate::node::volumes::NODE_DISK)
    {
        Ok(t) => t,
        Err(e) => return Some(Err(format!("\"{target}\": {}", e.message()))),
    };
    let mode = match tree.stat(path) {
        Ok(crate::storage::Entry::File { mode, .. }) => mode,
        _ => 0o644,
    };
    Some(
        tree.write(path, text, false, mode, at)
            .map_err(|e| format!("\"{target}\": {}", e.message())),
    )
}

/// Runs `script` as root on the machine whose disk is `backing`, reading `stdin`, keeping
/// what it writes; `tty`: its output is a terminal (an interactive session, `ssh -t`).
fn on_machine(
    cluster: &mut Cluster,
    backing: &Backing,
    name: &str,
    script: &str,
    stdin: Option<&str>,
    tty: bool,
) -> Output {
    let now = cluster.world.clock.now_ms();
    let root = Arc::new(
        cluster
            .world
            .storage
            .tree(backing)
            .cloned()
            .unwrap_or_else(|| Tree::new(crate::node::volumes::NODE_DISK)),
    );
    let host = Machine {
        root: root.clone(),
        name: name.to_string(),
    };
    let vars: BTreeMap<String, String> = [
        ("HOME", "/root"),
        ("HOSTNAME", name),
        (
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ),
        ("USER", "root"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let mut units = match backing {
        Backing::Node(node) => super::systemctl::Units::of(cluster, node),
        _ => None,
    };
    let run = {
        let mut tools = match (backing, units.as_mut()) {
            (Backing::Node(node), Some(units)) => Some(NodeTools {
                units,
                crictl: super::crictl::Crictl::of(cluster, node, tty),
            }),
            _ => None,
        };
        let shell =
            Shell::new(&host, "bash", vars, now, LIMIT_MS).with_input(stdin.map(str::to_string));
        match tools.as_mut() {
            Some(tools) => shell.with_tools(tools).run_script(script),
            None => shell.run_script(script),
        }
    };
    let mut view = View::new(root, &[], None);
    for (at, op) in &run.ops {
        let _ = view.apply(op, now.saturating_add(*at));
    }
    if let Some(changed) = view.into_changes().root {
        let tree = Arc::try_unwrap(changed).unwrap_or_else(|a| (*a).clone());
        let _ = cluster.world.storage.put(backing.clone(), tree);
    }
    // After the disk: a kubelet started by the script reads the files as it left them.
    if let Some(units) = units {
        units.apply(cluster);
    }
    let mut out = Output::default();
    for l in run.lines {
        if l.stderr {
            out.err(l.text);
        } else {
            out.out(l.text);
        }
    }
    if let crate::node::process::End::Exit { code, .. } = run.end {
        out.exit_code = code;
    }
    out
}

/// The node's own programs a script may run: `systemctl` and `crictl`.
struct NodeTools<'a, 'c> {
    units: &'a mut super::systemctl::Units,
    crictl: super::crictl::Crictl<'c>,
}

impl crate::node::process::script::Tools for NodeTools<'_, '_> {
    fn run(
        &mut self,
        argv: &[String],
        now_ms: i64,
    ) -> Option<crate::node::process::script::ToolRun> {
        self.units
            .run(argv, now_ms)
            .or_else(|| self.crictl.run(argv, now_ms))
    }
}

#[cfg(test)]
mod tests {
    use crate::cluster::Cluster;

    #[test]
    fn vi_in_a_session_edits_the_machines_file_and_saving_writes_it_there() {
        let mut c = Cluster::new();
        c.run("ssh node1");
        let file = c
            .run("sudo vi /etc/kubernetes/manifests/web.yaml")
            .open_file
            .expect("an editor request");
        assert_eq!(file.path, "node1:/etc/kubernetes/manifests/web.yaml");
        assert!(file.new_file);
        let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx\n";
        c.write_file(&file.path, pod).expect("saved on node1");
        assert!(c.read_file(&file.path).is_none(), "not a workspace file");
        let again = c.run("vim web.yaml").open_file.expect("an editor request");
        assert_eq!(
            (again.path.as_str(), again.new_file),
            ("node1:/root/web.yaml", true)
        );
        let dir = c.run("nano /etc");
        assert_eq!(dir.stderr(), "nano: \"/etc\" is a directory\n");
        c.run("exit");
        let listed = c.run("kubectl get pods --no-headers -o custom-columns=N:.metadata.name");
        assert_eq!(listed.stdout(), "web-node1\n");
        let read = c.run("ssh node1 cat /etc/kubernetes/manifests/web.yaml");
        assert_eq!(read.stdout(), pod);
        // A host that is not a machine is a workspace path.
        c.write_file("nowhere:/x", "x").expect("a workspace file");
        assert_eq!(c.read_file("nowhere:/x"), Some("x"));
    }
}
