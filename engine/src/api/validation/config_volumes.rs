//! ConfigMap, Secret, downwardAPI and projected volumes as the apiserver validates them
//! (`validateConfigMapVolumeSource`, `validateSecretVolumeSource`, `validateKeyToPath`,
//! `validateDownwardAPIVolumeFile`, `validateProjectedVolumeSource`): file modes within
//! 0–0777, item keys and relative paths.

use k8s_openapi::api::core::v1::{DownwardAPIVolumeFile, KeyToPath, PodSpec};

const FILE_MODE: &str = "must be a number between 0 and 0777 (octal), both inclusive";

/// Checks the config volumes of the pod spec at `path`.
pub fn volumes(spec: &PodSpec, path: &str, causes: &mut Vec<String>) {
    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        let at = format!("{path}.volumes[{i}]");
        if let Some(c) = &v.config_map {
            let at = format!("{at}.configMap");
            if c.name.is_empty() {
                causes.push(format!("{at}.name: Required value"));
            }
            mode(c.default_mode, &format!("{at}.defaultMode"), causes);
            items(c.items.as_deref(), &at, causes);
        }
        if let Some(s) = &v.secret {
            let at = format!("{at}.secret");
            if s.secret_name.as_deref().unwrap_or("").is_empty() {
                causes.push(format!("{at}.secretName: Required value"));
            }
            mode(s.default_mode, &format!("{at}.defaultMode"), causes);
            items(s.items.as_deref(), &at, causes);
        }
        if let Some(d) = &v.downward_api {
            let at = format!("{at}.downwardAPI");
            mode(d.default_mode, &format!("{at}.defaultMode"), causes);
            files(d.items.as_deref(), &at, causes);
        }
        if let Some(p) = &v.projected {
            let at = format!("{at}.projected");
            mode(p.default_mode, &format!("{at}.defaultMode"), causes);
            for (j, src) in p.sources.iter().flatten().enumerate() {
                let at = format!("{at}.sources[{j}]");
                if let Some(c) = &src.config_map {
                    items(c.items.as_deref(), &format!("{at}.configMap"), causes);
                }
                if let Some(s) = &src.secret {
                    items(s.items.as_deref(), &format!("{at}.secret"), causes);
                }
                if let Some(d) = &src.downward_api {
                    files(d.items.as_deref(), &format!("{at}.downwardAPI"), causes);
                }
            }
        }
    }
}

fn mode(m: Option<i32>, path: &str, causes: &mut Vec<String>) {
    if let Some(m) = m.filter(|m| !(0..=0o777).contains(m)) {
        causes.push(format!("{path}: Invalid value: {m}: {FILE_MODE}"));
    }
}

fn items(items: Option<&[KeyToPath]>, path: &str, causes: &mut Vec<String>) {
    for (i, kp) in items.into_iter().flatten().enumerate() {
        let at = format!("{path}.items[{i}]");
        if kp.key.is_empty() {
            causes.push(format!("{at}.key: Required value"));
        }
        file_path(&kp.path, &format!("{at}.path"), causes);
        mode(kp.mode, &format!("{at}.mode"), causes);
    }
}

fn files(items: Option<&[DownwardAPIVolumeFile]>, path: &str, causes: &mut Vec<String>) {
    for (i, f) in items.into_iter().flatten().enumerate() {
        let at = format!("{path}.items[{i}]");
        file_path(&f.path, &format!("{at}.path"), causes);
        mode(f.mode, &format!("{at}.mode"), causes);
    }
}

/// `validateLocalNonReservedPath`, with `Required` for an empty path.
fn file_path(p: &str, at: &str, causes: &mut Vec<String>) {
    let quoted = format!("\"{p}\"");
    if p.is_empty() {
        causes.push(format!("{at}: Required value"));
    }
    if p.starts_with('/') {
        causes.push(format!(
            "{at}: Invalid value: {quoted}: must be a relative path"
        ));
    }
    if p.split('/').any(|part| part == "..") {
        causes.push(format!(
            "{at}: Invalid value: {quoted}: must not contain '..'"
        ));
    }
    if p.starts_with("..") && !p.starts_with("../") {
        causes.push(format!(
            "{at}: Invalid value: {quoted}: must not start with '..'"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn modes_keys_and_paths() {
        let spec: PodSpec = serde_json::from_value(json!({"containers": [], "volumes": [
            {"name": "a", "configMap": {"name": "", "defaultMode": 600,
                "items": [{"key": "", "path": "/abs"}, {"key": "k", "path": "..x", "mode": -1}]}},
            {"name": "b", "secret": {"defaultMode": 0o400}},
            {"name": "c", "projected": {"sources": [{"downwardAPI": {"items": [{"path": "../up"}]}}]}}
        ]}))
        .unwrap();
        let mut causes = Vec::new();
        volumes(&spec, "spec", &mut causes);
        assert_eq!(
            causes,
            [
                "spec.volumes[0].configMap.name: Required value",
                "spec.volumes[0].configMap.defaultMode: Invalid value: 600: must be a number between 0 and 0777 (octal), both inclusive",
                "spec.volumes[0].configMap.items[0].key: Required value",
                "spec.volumes[0].configMap.items[0].path: Invalid value: \"/abs\": must be a relative path",
                "spec.volumes[0].configMap.items[1].path: Invalid value: \"..x\": must not start with '..'",
                "spec.volumes[0].configMap.items[1].mode: Invalid value: -1: must be a number between 0 and 0777 (octal), both inclusive",
                "spec.volumes[1].secret.secretName: Required value",
                "spec.volumes[2].projected.sources[0].downwardAPI.items[0].path: Invalid value: \"../up\": must not contain '..'",
            ]
        );
    }
}
