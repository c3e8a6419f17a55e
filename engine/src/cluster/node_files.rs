//! The kubelet's files on every node: its configuration as kubeadm writes it
//! (`/var/lib/kubelet/config.yaml`, the `kubelet-config` ConfigMap's; `kubeadm-flags.env`)
//! and, on the default profile's Ubuntu nodes, the unit and drop-in the pkgs.k8s.io package
//! installs, which `systemctl cat kubelet` prints and `systemctl status` names.

use crate::storage::{Backing, Storage};

/// The kubelet's unit file (the deb package's).
pub const KUBELET_UNIT_PATH: &str = "/usr/lib/systemd/system/kubelet.service";
/// kubeadm's drop-in for it.
pub const KUBEADM_DROP_IN_PATH: &str = "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf";
/// What `kubeadm init`/`join` puts in `KUBELET_KUBEADM_ARGS` on a containerd node.
pub const KUBEADM_FLAGS: &str = "--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10.1";
/// The drop-in's kubeconfig and config arguments.
pub const DROP_IN_ARGS: &str = "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml";

const KUBELET_UNIT: &str = "[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
";

const KUBEADM_DROP_IN: &str = "# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment=\"KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf\"
Environment=\"KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml\"
# This is a file that \"kubeadm init\" and \"kubeadm join\" generates at runtime, populating the KUBELET_KUBEADM_ARGS variable dynamically
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
# This is a file that the user can use for overrides of the kubelet args as a last resort. Preferably, the user should use
# the .NodeRegistration.KubeletExtraArgs object in the configuration files instead. KUBELET_EXTRA_ARGS should be sourced from this file.
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
";

/// What minikube writes to `/etc/crictl.yaml` for containerd (`populateCRIConfig`); a kubeadm
/// node has no such file (cri-tools' package installs none), so crictl warns there.
const MINIKUBE_CRICTL_CONFIG: &str = "runtime-endpoint: unix:///run/containerd/containerd.sock\n";

/// Writes the kubelet's files on `node`'s disk at `at` (epoch ms); `units`: the package's
/// unit files too (a kubeadm node's), else minikube's crictl configuration.
pub fn write(storage: &mut Storage, node: &str, units: bool, at: i64) {
    let flags = format!("KUBELET_KUBEADM_ARGS=\"{KUBEADM_FLAGS}\"\n");
    let mut files = vec![
        (
            "/var/lib/kubelet/config.yaml",
            super::system_config::KUBELET_CONFIG,
            0o644,
        ),
        ("/var/lib/kubelet/kubeadm-flags.env", flags.as_str(), 0o644),
    ];
    if units {
        files.push((KUBELET_UNIT_PATH, KUBELET_UNIT, 0o644));
        files.push((KUBEADM_DROP_IN_PATH, KUBEADM_DROP_IN, 0o644));
    } else {
        files.push((
            crate::console::crictl::CONFIG_PATH,
            MINIKUBE_CRICTL_CONFIG,
            0o644,
        ));
    }
    put(storage, node, &files, at);
}

/// Writes `files` (path, text, mode) on `node`'s disk at `at` (epoch ms), making their
/// directories as `mkdir -p` does: what installing a package or `kubeadm init` leaves.
pub fn put(storage: &mut Storage, node: &str, files: &[(&str, &str, u32)], at: i64) {
    let Ok(t) = storage.tree_mut(&Backing::Node(node.into()), crate::node::volumes::NODE_DISK)
    else {
        return;
    };
    for (path, text, mode) in files {
        if let Some((dir, _)) = path.rsplit_once('/') {
            let _ = t.mkdir(dir, true, 0o755, at);
        }
        let _ = t.write(path, text, false, *mode, at);
    }
}
