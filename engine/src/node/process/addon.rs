//! The images of the add-ons a learner installs (MetalLB, ingress-nginx, metrics-server,
//! local-path-provisioner):
//! their ENTRYPOINT and CMD, so that a manifest's `args` run as on a real node, and which of
//! their programs serve. What they do to the cluster is simulated where it belongs
//! (`controllers::metallb`, `network::ingress_nginx`).

use crate::api::image_ref::ImageRef;

/// An add-on program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Program {
    /// MetalLB's controller or speaker: runs until stopped, metrics on its declared port.
    Metallb,
    /// ingress-nginx's controller: nginx on 80/443, health on 10254.
    IngressNginx,
    /// `kube-webhook-certgen` (`create`/`patch`): does its job and exits 0.
    WebhookCertgen,
    /// metrics-server: runs until stopped, serving on its declared port.
    MetricsServer,
    /// rancher's local-path-provisioner: logs its config and runs until stopped (its
    /// provisioning is `controllers::persistentvolume::ExternalProvisioner`).
    LocalPath,
}

/// Every add-on image: (repositories, ENTRYPOINT, CMD, program).
const IMAGES: &[Entry] = &[
    (
        &["docker.io/metallb/controller", "quay.io/metallb/controller"],
        &["/controller"],
        &[],
        Program::Metallb,
    ),
    (
        &["docker.io/metallb/speaker", "quay.io/metallb/speaker"],
        &["/speaker"],
        &[],
        Program::Metallb,
    ),
    (
        &[
            "registry.k8s.io/ingress-nginx/controller",
            "k8s.gcr.io/ingress-nginx/controller",
        ],
        &["/usr/bin/dumb-init", "--"],
        &["/nginx-ingress-controller"],
        Program::IngressNginx,
    ),
    (
        &[
            "registry.k8s.io/ingress-nginx/kube-webhook-certgen",
            "k8s.gcr.io/ingress-nginx/kube-webhook-certgen",
            "docker.io/jettech/kube-webhook-certgen",
        ],
        &["/kube-webhook-certgen"],
        &[],
        Program::WebhookCertgen,
    ),
    (
        &[
            "registry.k8s.io/metrics-server/metrics-server",
            "k8s.gcr.io/metrics-server/metrics-server",
        ],
        &["/metrics-server"],
        &[],
        Program::MetricsServer,
    ),
    (
        &["docker.io/rancher/local-path-provisioner"],
        &[],
        &["local-path-provisioner"],
        Program::LocalPath,
    ),
];

type Entry = (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    Program,
);

fn entry(image: &str) -> Option<&'static Entry> {
    // Most images are none of these: skip parsing them (this runs on every pod event).
    if ![
        "metallb",
        "ingress-nginx",
        "certgen",
        "metrics-server",
        "local-path",
    ]
    .iter()
    .any(|k| image.contains(k))
    {
        return None;
    }
    ImageRef::repository_with(image, |repository| {
        IMAGES
            .iter()
            .find(|(repos, ..)| repos.contains(&repository))
    })
}

/// The image's ENTRYPOINT and CMD, if it is an add-on image.
pub fn defaults(image: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    entry(image).map(|(_, ep, cmd, _)| (*ep, *cmd))
}

/// The add-on program `argv` runs in `image`, if it runs the image's own program (after
/// `dumb-init --`) rather than a shell or another binary the learner asked for.
pub fn program(image: &str, argv: &[String]) -> Option<Program> {
    let (_, ep, cmd, program) = entry(image)?;
    let main = argv
        .iter()
        .find(|a| !a.ends_with("dumb-init") && a.as_str() != "--")?;
    ep.iter()
        .chain(cmd.iter())
        .any(|p| p == main)
        .then_some(*program)
}

/// The add-on program a pod's first container runs, if any.
pub fn pod_program(pod: &k8s_openapi::api::core::v1::Pod) -> Option<Program> {
    pod_command(pod).map(|(program, _)| program)
}

/// The add-on program a pod's first container runs and its argv, with `$(POD_NAMESPACE)`
/// expanded (the add-on manifests' only use of the downward API in flags).
pub fn pod_command(pod: &k8s_openapi::api::core::v1::Pod) -> Option<(Program, Vec<String>)> {
    let c = pod.spec.as_ref()?.containers.first()?;
    let image = c.image.as_deref()?;
    entry(image)?;
    let argv = super::argv(image, c.command.as_deref(), c.args.as_deref());
    let program = program(image, &argv)?;
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    let argv = argv
        .iter()
        .map(|a| a.replace("$(POD_NAMESPACE)", ns))
        .collect();
    Some((program, argv))
}

/// The value of flag `name` in an add-on's argv, written `--name=VALUE` or `--name VALUE`
/// (Go's flag package and cobra take both).
pub fn flag<'a>(argv: &'a [String], name: &str) -> Option<&'a str> {
    argv.iter().enumerate().find_map(|(i, a)| {
        if a == name {
            argv.get(i + 1).map(String::as_str)
        } else {
            a.strip_prefix(name)?.strip_prefix('=')
        }
    })
}

/// The uuid an add-on process draws when it starts (`uuid.NewUUID()`; local-path's
/// provisioner id ends with it), derived from its container's id — itself drawn from the
/// cluster's randomness — so that its logs and what the cluster sees of it agree.
pub fn instance_uuid(container_id: &str) -> String {
    let id = container_id
        .strip_prefix("containerd://")
        .unwrap_or(container_id);
    crate::rng::Rng::new(0).fork(id).uuid_v4()
}
