//! What the board says about storage, computed without the DOM (unit-tested natively): a
//! pod tile's volume chips and their lines (`data: PVC data → PV pv1 · NFS 10.0.0.9:/x`),
//! the storage area's binding texts, and a Pending claim's blocker in plain words.

use kubeplay_engine::view::{ClaimView, PersistentVolumeView, SourceView, VolumeView};

use crate::i18n::{tr, Locale, Msg};

/// A volume type's short label, as on its chip (Kubernetes field names, kubectl's short
/// names where they exist).
pub fn type_label(type_: &str) -> &'static str {
    match type_ {
        "configMap" => "cm",
        "secret" => "secret",
        "emptyDir" => "emptyDir",
        "hostPath" => "hostPath",
        "nfs" => "nfs",
        "persistentVolumeClaim" => "pvc",
        "projected" => "projected",
        "downwardAPI" => "downwardAPI",
        "ephemeral" => "ephemeral",
        "local" => "local",
        "csi" => "csi",
        "image" => "image",
        _ => "volume",
    }
}

/// The CSS class of a volume type's chip.
pub fn type_class(type_: &str) -> &'static str {
    match type_ {
        "configMap" | "secret" | "projected" | "downwardAPI" => "vol-config",
        "emptyDir" => "vol-scratch",
        "hostPath" | "local" => "vol-node",
        "nfs" => "vol-net",
        "persistentVolumeClaim" | "ephemeral" => "vol-claim",
        _ => "vol-other",
    }
}

/// One chip of a tile: a volume type and how many of the pod's volumes have it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chip {
    /// The source type (`persistentVolumeClaim`).
    pub type_: String,
    /// Its label (`pvc`), with `×N` for several volumes of the type.
    pub text: String,
    /// The lines of its volumes, one per volume, for its tooltip.
    pub title: String,
}

/// The volumes a tile shows: all but the ServiceAccount token volume every pod gets.
pub fn shown(volumes: &[VolumeView]) -> impl Iterator<Item = &VolumeView> {
    volumes.iter().filter(|v| !v.token)
}

/// A tile's chips: one per volume type, in the spec's order of first appearance.
pub fn chips(volumes: &[VolumeView], node: Option<&str>, locale: Locale) -> Vec<Chip> {
    let mut chips: Vec<(String, Vec<String>)> = Vec::new();
    for v in shown(volumes) {
        let line = volume_line(v, node, locale);
        match chips.iter_mut().find(|(t, _)| *t == v.source.type_) {
            Some((_, lines)) => lines.push(line),
            None => chips.push((v.source.type_.clone(), vec![line])),
        }
    }
    chips
        .into_iter()
        .map(|(type_, lines)| {
            let mut text = type_label(&type_).to_string();
            if lines.len() > 1 {
                text.push_str(&format!(" ×{}", lines.len()));
            }
            Chip {
                type_,
                text,
                title: lines.join("\n"),
            }
        })
        .collect()
}

/// What backs a source, as a learner reads it: `NFS 10.0.0.9:/x`, `ConfigMap app`.
pub fn source_text(s: &SourceView) -> String {
    let kind = match s.type_.as_str() {
        "configMap" => "ConfigMap",
        "secret" => "Secret",
        "nfs" => "NFS",
        "persistentVolumeClaim" => "PVC",
        other => other,
    };
    if s.text.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} {}", s.text)
    }
}

/// One volume on one line: `data: PVC data → PV pv1 · NFS 10.0.0.9:/x`,
/// `logs: hostPath /var/log on node1`.
pub fn volume_line(v: &VolumeView, node: Option<&str>, locale: Locale) -> String {
    let mut line = format!("{}: ", v.name);
    match &v.claim {
        Some(c) => {
            line.push_str(&format!("PVC {}", c.name));
            match (&c.volume, c.status.as_str()) {
                (_, "") => line.push_str(&format!(" ({})", tr(locale, Msg::ClaimMissing))),
                (Some(pv), _) => {
                    line.push_str(&format!(" → PV {pv}"));
                    if let Some(src) = &c.volume_source {
                        line.push_str(&format!(" · {}", source_text(src)));
                    }
                    if c.status != "Bound" {
                        line.push_str(&format!(" ({})", c.status));
                    }
                }
                (None, status) => line.push_str(&format!(" ({status})")),
            }
        }
        None => line.push_str(&source_text(&v.source)),
    }
    if let ("hostPath", Some(node)) = (v.source.type_.as_str(), node) {
        line.push_str(&format!(" ({node})"));
    }
    line
}

/// All of a tile's volume lines (for its tooltip and its focus text).
pub fn volume_lines(volumes: &[VolumeView], node: Option<&str>, locale: Locale) -> Vec<String> {
    shown(volumes)
        .map(|v| volume_line(v, node, locale))
        .collect()
}

/// A claim's binding as text: `data → pv1`, or `data → ?` while unbound.
pub fn binding_text(c: &ClaimView) -> String {
    let volume = if c.volume.is_empty() { "?" } else { &c.volume };
    format!("{} → {volume}", c.name)
}

/// A PersistentVolume's binding as text: `pv1 → default/data`, or the volume alone.
pub fn volume_binding_text(v: &PersistentVolumeView) -> String {
    if v.claim.is_empty() {
        v.name.clone()
    } else {
        format!("{} → {}", v.name, v.claim)
    }
}

/// Why a claim waits, by the rule that holds it, from its newest event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocker {
    /// No volume matches and no class is set to make one.
    NoVolumeNoClass,
    /// The class binds only once a pod uses the claim.
    WaitingForConsumer,
    /// The class named does not exist.
    ClassNotFound,
    /// The class's provisioner has not made a volume yet.
    WaitingForProvisioner,
}

impl Blocker {
    /// The blocker an event (reason, message) names, if the board knows it.
    pub fn of(reason: &str, message: &str) -> Option<Blocker> {
        match reason {
            "FailedBinding" if message.contains("no storage class is set") => {
                Some(Blocker::NoVolumeNoClass)
            }
            "WaitForFirstConsumer" => Some(Blocker::WaitingForConsumer),
            "ProvisioningFailed"
                if message.starts_with("storageclass.storage.k8s.io ")
                    && message.ends_with(" not found") =>
            {
                Some(Blocker::ClassNotFound)
            }
            "ExternalProvisioning" | "Provisioning" => Some(Blocker::WaitingForProvisioner),
            _ => None,
        }
    }

    /// The plain-words explanation.
    pub fn explain(self, locale: Locale) -> &'static str {
        tr(
            locale,
            match self {
                Blocker::NoVolumeNoClass => Msg::BlockNoVolume,
                Blocker::WaitingForConsumer => Msg::BlockConsumer,
                Blocker::ClassNotFound => Msg::BlockNoClass,
                Blocker::WaitingForProvisioner => Msg::BlockProvisioner,
            },
        )
    }
}

/// A Pending claim's blocker in plain words, if its newest event names a known rule.
pub fn blocker_text(c: &ClaimView, locale: Locale) -> Option<&'static str> {
    let e = c.waiting.as_ref()?;
    Blocker::of(&e.reason, &e.message).map(|b| b.explain(locale))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeplay_engine::view::{ClaimEvent, ClaimLink};

    fn vol(name: &str, type_: &str, text: &str) -> VolumeView {
        VolumeView {
            name: name.into(),
            source: SourceView {
                type_: type_.into(),
                text: text.into(),
            },
            ..Default::default()
        }
    }

    fn claim_vol(status: &str, pv: Option<&str>) -> VolumeView {
        VolumeView {
            claim: Some(ClaimLink {
                name: "data".into(),
                status: status.into(),
                volume: pv.map(str::to_string),
                volume_source: pv.map(|_| SourceView {
                    type_: "nfs".into(),
                    text: "211.183.3.99:/pvpvc".into(),
                }),
            }),
            ..vol("data", "persistentVolumeClaim", "data")
        }
    }

    #[test]
    fn chips_group_volumes_by_type_and_skip_the_token() {
        let token = VolumeView {
            token: true,
            ..vol("kube-api-access-x", "projected", "serviceAccountToken")
        };
        let volumes = [
            vol("a", "hostPath", "/a"),
            vol("conf", "configMap", "app"),
            token,
            vol("b", "hostPath", "/b"),
        ];
        let chips = chips(&volumes, Some("node1"), Locale::En);
        let texts: Vec<_> = chips.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["hostPath ×2", "cm"]);
        assert_eq!(
            chips[0].title,
            "a: hostPath /a (node1)\nb: hostPath /b (node1)"
        );
        assert_eq!(chips[1].title, "conf: ConfigMap app");
        assert!(super::chips(&volumes[2..3], None, Locale::En).is_empty());
        assert_eq!(type_class("nfs"), "vol-net");
        assert_eq!(type_label("somethingNew"), "volume");
    }

    #[test]
    fn a_claim_volume_reads_through_to_its_volume() {
        let bound = claim_vol("Bound", Some("pv-nfs"));
        assert_eq!(
            volume_line(&bound, Some("node1"), Locale::En),
            "data: PVC data → PV pv-nfs · NFS 211.183.3.99:/pvpvc"
        );
        assert_eq!(
            volume_line(&claim_vol("Pending", None), None, Locale::En),
            "data: PVC data (Pending)"
        );
        let missing = volume_line(&claim_vol("", None), None, Locale::En);
        assert_eq!(missing, "data: PVC data (no such claim)");
        assert_ne!(missing, volume_line(&claim_vol("", None), None, Locale::Ko));
        assert_eq!(
            volume_line(&vol("s", "emptyDir", ""), None, Locale::En),
            "s: emptyDir"
        );
    }

    #[test]
    fn bindings_and_blockers_read_as_text() {
        let mut c = ClaimView {
            name: "data".into(),
            status: "Pending".into(),
            ..Default::default()
        };
        assert_eq!(binding_text(&c), "data → ?");
        assert_eq!(blocker_text(&c, Locale::En), None);
        for (reason, message, blocker) in [
            (
                "FailedBinding",
                "no persistent volumes available for this claim and no storage class is set",
                Blocker::NoVolumeNoClass,
            ),
            (
                "WaitForFirstConsumer",
                "waiting for first consumer to be created before binding",
                Blocker::WaitingForConsumer,
            ),
            (
                "ProvisioningFailed",
                "storageclass.storage.k8s.io \"fast\" not found",
                Blocker::ClassNotFound,
            ),
            (
                "ExternalProvisioning",
                "Waiting for a volume to be created either by the external provisioner 'rancher.io/local-path' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
                Blocker::WaitingForProvisioner,
            ),
        ] {
            c.waiting = Some(ClaimEvent {
                type_: "Normal".into(),
                reason: reason.into(),
                message: message.into(),
            });
            assert_eq!(Blocker::of(reason, message), Some(blocker));
            assert_eq!(blocker_text(&c, Locale::En), Some(blocker.explain(Locale::En)));
        }
        assert_eq!(Blocker::of("VolumeMismatch", "x"), None);
        c.volume = "pv1".into();
        assert_eq!(binding_text(&c), "data → pv1");
        let pv = PersistentVolumeView {
            name: "pv1".into(),
            claim: "default/data".into(),
            ..Default::default()
        };
        assert_eq!(volume_binding_text(&pv), "pv1 → default/data");
        assert_eq!(
            volume_binding_text(&PersistentVolumeView {
                claim: String::new(),
                ..pv
            }),
            "pv1"
        );
    }
}
