//! What `kube-webhook-certgen` (ingress-nginx's admission Jobs) leaves behind once its pod
//! succeeds: `create` writes a Secret holding a new CA, certificate and key (`ca`, `cert`,
//! `key`; kept if it exists), `patch` copies the CA into a ValidatingWebhookConfiguration's
//! webhooks (`caBundle`) and sets their `failurePolicy`. The certificates are placeholders
//! of the right shape: nothing here speaks TLS.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::admissionregistration::v1::ValidatingWebhookConfiguration;
use k8s_openapi::api::core::v1::{Pod, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::ByteString;

use super::addon_pods::AddonPods;
use super::runtime::{Controller, Queue, WholeStore};
use crate::api::object::{Object, ObjectKey, WatchEvent};
use crate::node::process::addon;
use crate::node::process::addon::flag;
use crate::world::World;

/// The controller: one pass over the pods after any write it did not make.
#[derive(Clone, Debug)]
pub struct WebhookCertgen {
    trigger: WholeStore,
    pods: AddonPods,
    /// Pods whose work is done, by uid.
    done: BTreeSet<String>,
}

impl Default for WebhookCertgen {
    fn default() -> Self {
        WebhookCertgen {
            trigger: WholeStore::over("Pod"),
            pods: AddonPods::of(addon::Program::WebhookCertgen),
            done: BTreeSet::new(),
        }
    }
}

/// A succeeded certgen pod's uid, namespace and argv (`$(POD_NAMESPACE)` expanded).
fn finished(world: &World) -> Vec<(String, String, Vec<String>)> {
    world
        .api
        .list_as::<Pod>(None)
        .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Succeeded"))
        .filter_map(|p| match addon::pod_command(p)? {
            (addon::Program::WebhookCertgen, argv) => Some((
                p.metadata.uid.clone().unwrap_or_default(),
                p.metadata.namespace.clone().unwrap_or_default(),
                argv,
            )),
            _ => None,
        })
        .collect()
}

impl Controller for WebhookCertgen {
    fn name(&self) -> &'static str {
        "webhook-certgen"
    }

    fn reads(&self, obj: &Object) -> bool {
        matches!(obj, Object::Pod(_))
    }

    fn enqueue(&mut self, event: &WatchEvent, world: &World, _queue: &mut Queue) {
        if self.pods.note(event) {
            self.trigger.note(world);
        }
    }

    fn after_events(&mut self, _world: &World, queue: &mut Queue) {
        self.trigger.queue(queue);
    }

    fn sync(&mut self, world: &mut World, _key: &ObjectKey, _queue: &mut Queue) {
        let live: BTreeSet<String> = world
            .api
            .list_as::<Pod>(None)
            .filter_map(|p| p.metadata.uid.clone())
            .collect();
        self.done.retain(|uid| live.contains(uid));
        for (uid, pod_ns, argv) in finished(world) {
            if !self.done.insert(uid) {
                continue;
            }
            let ns = flag(&argv, "--namespace").unwrap_or(&pod_ns).to_string();
            let secret = flag(&argv, "--secret-name").unwrap_or_default().to_string();
            match argv.get(1).map(String::as_str) {
                Some("create") => create_secret(world, &ns, &secret),
                Some("patch") => {
                    let webhook = flag(&argv, "--webhook-name")
                        .unwrap_or_default()
                        .to_string();
                    let policy = flag(&argv, "--patch-failure-policy").map(str::to_string);
                    patch_webhook(world, &ns, &secret, &webhook, policy);
                }
                _ => {}
            }
        }
        self.trigger.synced(world);
    }
}

/// A PEM block of `kind` whose body is `lines` of base64 drawn from `rng`.
fn pem(rng: &mut crate::rng::Rng, kind: &str, lines: usize) -> Vec<u8> {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = format!("-----BEGIN {kind}-----\n");
    for _ in 0..lines {
        for _ in 0..64 {
            s.push(B64[(rng.next_u64() % 64) as usize] as char);
        }
        s.push('\n');
    }
    s.push_str(&format!("-----END {kind}-----\n"));
    s.into_bytes()
}

fn create_secret(world: &mut World, ns: &str, name: &str) {
    if name.is_empty() || world.api.get_as::<Secret>(ns, name).is_some() {
        return;
    }
    let mut rng = world.side_rng("webhook-certgen");
    let data = BTreeMap::from([
        (
            "ca".to_string(),
            ByteString(pem(&mut rng, "CERTIFICATE", 10)),
        ),
        (
            "cert".to_string(),
            ByteString(pem(&mut rng, "CERTIFICATE", 12)),
        ),
        (
            "key".to_string(),
            ByteString(pem(&mut rng, "EC PRIVATE KEY", 3)),
        ),
    ]);
    let secret = Secret {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some(ns.to_string()),
            ..Default::default()
        },
        data: Some(data),
        ..Default::default()
    };
    let _ = world.create(Object::Secret(Box::new(secret)));
}

fn patch_webhook(world: &mut World, ns: &str, secret: &str, webhook: &str, policy: Option<String>) {
    let Some(ca) = world
        .api
        .get_as::<Secret>(ns, secret)
        .and_then(|s| s.data.as_ref()?.get("ca").cloned())
    else {
        return;
    };
    let Some(mut vwc) = world
        .api
        .get_as::<ValidatingWebhookConfiguration>("", webhook)
        .cloned()
    else {
        return;
    };
    for w in vwc.webhooks.iter_mut().flatten() {
        w.client_config.ca_bundle = Some(ca.clone());
        if let Some(p) = &policy {
            w.failure_policy = Some(p.clone());
        }
    }
    let _ = world
        .api
        .update(Object::ValidatingWebhookConfiguration(Box::new(vwc)));
}
