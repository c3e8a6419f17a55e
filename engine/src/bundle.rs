//! The texts shipped beside the code: the lesson files (`lessons/*.yaml`, by file name) and
//! the add-on manifests (`engine/addons/**`, by path under that folder).
//!
//! Native builds embed them. The page fetches `public/bundle.json`, generated from the same
//! files (by this module's tests, which fail while it is stale), and hands it over with [`install`]
//! before its first command, so the wasm stays small. Until then there are no lessons and no
//! add-on manifests ([`loaded`] says which).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The shipped texts.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Bundle {
    /// Lesson file name (`02-first-pod.yaml`) to its text.
    lessons: BTreeMap<String, String>,
    /// Path under `engine/addons/` (`minikube/metallb.yaml`) to its text.
    addons: BTreeMap<String, String>,
}

static BUNDLE: OnceLock<Bundle> = OnceLock::new();

/// Installs the texts from the JSON of `public/bundle.json` (once; later calls keep the
/// first copy).
pub fn install(json: &str) -> Result<(), String> {
    let bundle: Bundle = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let _ = BUNDLE.set(bundle);
    Ok(())
}

/// The texts, if installed (native builds install the embedded copy on first use).
fn bundle() -> Option<&'static Bundle> {
    #[cfg(not(target_arch = "wasm32"))]
    if BUNDLE.get().is_none() {
        let _ = BUNDLE.set(embedded::bundle());
    }
    BUNDLE.get()
}

/// Whether the texts are there (the page installs them before its first command).
pub fn loaded() -> bool {
    bundle().is_some()
}

/// The lesson files as (file name, text), in file-name order; none until installed.
pub fn lesson_files() -> Vec<(&'static str, &'static str)> {
    bundle().map_or_else(Vec::new, |b| {
        b.lessons
            .iter()
            .map(|(f, t)| (f.as_str(), t.as_str()))
            .collect()
    })
}

/// The add-on manifest at `path` under `engine/addons/`, if installed and shipped.
pub fn addon(path: &str) -> Option<&'static str> {
    bundle()?.addons.get(path).map(String::as_str)
}

/// The files themselves, for native builds (the CLI, tests) and for writing `bundle.json`.
#[cfg(not(target_arch = "wasm32"))]
mod embedded {
    use super::Bundle;

    /// `(lessons/…, text)` of every shipped lesson.
    pub const LESSONS: &[(&str, &str)] = &[
        (
            "01-meet-your-cluster.yaml",
            include_str!("../../lessons/01-meet-your-cluster.yaml"),
        ),
        (
            "02-first-pod.yaml",
            include_str!("../../lessons/02-first-pod.yaml"),
        ),
        (
            "03-multi-container-pods.yaml",
            include_str!("../../lessons/03-multi-container-pods.yaml"),
        ),
        (
            "04-labels-and-selectors.yaml",
            include_str!("../../lessons/04-labels-and-selectors.yaml"),
        ),
        (
            "05-namespaces.yaml",
            include_str!("../../lessons/05-namespaces.yaml"),
        ),
        (
            "06-self-healing.yaml",
            include_str!("../../lessons/06-self-healing.yaml"),
        ),
        (
            "07-deployments.yaml",
            include_str!("../../lessons/07-deployments.yaml"),
        ),
        (
            "08-rolling-updates.yaml",
            include_str!("../../lessons/08-rolling-updates.yaml"),
        ),
        (
            "09-services.yaml",
            include_str!("../../lessons/09-services.yaml"),
        ),
        (
            "10-nodeport.yaml",
            include_str!("../../lessons/10-nodeport.yaml"),
        ),
        (
            "11-loadbalancer-ingress.yaml",
            include_str!("../../lessons/11-loadbalancer-ingress.yaml"),
        ),
        (
            "12-configmaps.yaml",
            include_str!("../../lessons/12-configmaps.yaml"),
        ),
        (
            "13-secrets.yaml",
            include_str!("../../lessons/13-secrets.yaml"),
        ),
        (
            "14-pod-storage.yaml",
            include_str!("../../lessons/14-pod-storage.yaml"),
        ),
        (
            "15-persistent-volumes.yaml",
            include_str!("../../lessons/15-persistent-volumes.yaml"),
        ),
        (
            "16-resources-and-probes.yaml",
            include_str!("../../lessons/16-resources-and-probes.yaml"),
        ),
        (
            "17-autoscaling.yaml",
            include_str!("../../lessons/17-autoscaling.yaml"),
        ),
    ];

    /// `(engine/addons/…, text)` of every shipped add-on manifest.
    pub const ADDONS: &[(&str, &str)] = &[
        (
            "ingress-nginx-v1.15.1-baremetal.yaml",
            include_str!("../addons/ingress-nginx-v1.15.1-baremetal.yaml"),
        ),
        (
            "ingress-nginx-v1.15.1-cloud.yaml",
            include_str!("../addons/ingress-nginx-v1.15.1-cloud.yaml"),
        ),
        (
            "k8s-examples-hpa-php-apache.yaml",
            include_str!("../addons/k8s-examples-hpa-php-apache.yaml"),
        ),
        (
            "k8s-examples-php-apache.yaml",
            include_str!("../addons/k8s-examples-php-apache.yaml"),
        ),
        (
            "local-path-storage-v0.0.32.yaml",
            include_str!("../addons/local-path-storage-v0.0.32.yaml"),
        ),
        (
            "metallb-v0.15.2-native.yaml",
            include_str!("../addons/metallb-v0.15.2-native.yaml"),
        ),
        (
            "metallb-v0.8.3.yaml",
            include_str!("../addons/metallb-v0.8.3.yaml"),
        ),
        (
            "metrics-server-v0.8.0-components.yaml",
            include_str!("../addons/metrics-server-v0.8.0-components.yaml"),
        ),
        (
            "minikube/ingress-deploy.yaml",
            include_str!("../addons/minikube/ingress-deploy.yaml"),
        ),
        (
            "minikube/metallb-config.yaml.tmpl",
            include_str!("../addons/minikube/metallb-config.yaml.tmpl"),
        ),
        (
            "minikube/metallb.yaml",
            include_str!("../addons/minikube/metallb.yaml"),
        ),
        (
            "minikube/metrics-server.yaml",
            include_str!("../addons/minikube/metrics-server.yaml"),
        ),
    ];

    /// The embedded files as a [`Bundle`].
    pub fn bundle() -> Bundle {
        let map = |files: &[(&str, &str)]| {
            files
                .iter()
                .map(|(f, t)| (f.to_string(), t.to_string()))
                .collect()
        };
        Bundle {
            lessons: map(LESSONS),
            addons: map(ADDONS),
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    /// `public/bundle.json`'s text, made from the embedded files.
    fn to_json() -> String {
        let mut text = serde_json::to_string_pretty(&embedded::bundle()).unwrap();
        text.push('\n');
        text
    }

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    /// The files under `dir` (relative, `/`-separated) whose names end with one of `exts`.
    fn files_under(dir: &Path, exts: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path.strip_prefix(dir).unwrap().to_string_lossy();
                    let rel = rel.replace('\\', "/");
                    if exts.iter().any(|e| rel.ends_with(e)) {
                        out.push(rel);
                    }
                }
            }
        }
        #[allow(clippy::disallowed_methods)] // a native test's helper, not in the wasm
        out.sort();
        out
    }

    #[test]
    fn every_lesson_and_addon_file_is_shipped() {
        let lessons: Vec<&str> = embedded::LESSONS.iter().map(|(f, _)| *f).collect();
        assert_eq!(lessons, files_under(&root().join("lessons"), &[".yaml"]));
        let addons: Vec<&str> = embedded::ADDONS.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            addons,
            files_under(&root().join("engine/addons"), &[".yaml", ".tmpl"]),
            "ADDONS lists engine/addons/ in name order"
        );
    }

    /// `public/bundle.json` is what the embedded files make; `KUBEPLAY_BLESS=1` rewrites it.
    #[test]
    fn bundle_json_is_fresh() {
        let path = root().join("public/bundle.json");
        let want = to_json();
        if std::env::var_os("KUBEPLAY_BLESS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "public/bundle.json is stale: run KUBEPLAY_BLESS=1 cargo test -p kubeplay-engine bundle_json"
        );
    }

    #[test]
    fn installs_the_shipped_json_and_refuses_junk() {
        // The native copy is installed already; installing the same texts changes nothing.
        assert!(loaded());
        assert_eq!(install(&to_json()), Ok(()));
        assert!(install("{\"lessons\": 3}").is_err());
        assert!(install("not json").is_err());
        assert_eq!(lesson_files().len(), embedded::LESSONS.len());
        let metallb = embedded::ADDONS
            .iter()
            .find(|(f, _)| *f == "minikube/metallb.yaml")
            .map(|(_, t)| *t);
        assert_eq!(
            addon("minikube/metallb.yaml"),
            metallb,
            "by path under engine/addons/"
        );
        assert_eq!(addon("nope.yaml"), None);
    }

    #[test]
    fn a_bundle_round_trips_through_json() {
        let parsed: Bundle = serde_json::from_str(&to_json()).unwrap();
        assert_eq!(parsed.lessons.len(), embedded::LESSONS.len());
        assert_eq!(parsed.addons.len(), embedded::ADDONS.len());
        for (path, text) in embedded::ADDONS {
            assert_eq!(parsed.addons.get(*path).map(String::as_str), Some(*text));
        }
    }
}
