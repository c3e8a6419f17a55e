//! The apiserver's update path shared by `patch`, `replace`, `edit` and `set env|resources`:
//! a full object as JSON is decoded into its kind, checked against the stored one (name,
//! resourceVersion), then stored through the same update as `apply` (validation, immutable
//! pod fields, generation bump that starts a rollout).

use serde_json::Value;

use crate::api::error::ApiError;
use crate::api::kinds::KindInfo;
use crate::api::manifest::DecodeError;
use crate::api::object::Object;
use crate::apiserver::ApiServer;
use crate::cluster::Cluster;

/// Why an update was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UpdateError {
    /// An error of the API (NotFound, Invalid, Forbidden pod update...).
    Api(ApiError),
    /// Any other message, printed as it is (`Error from server (BadRequest): ...`).
    Other(String),
}

impl UpdateError {
    /// The line kubectl prints.
    pub fn message(&self) -> String {
        match self {
            UpdateError::Api(e) => e.kubectl_message(),
            UpdateError::Other(m) => m.clone(),
        }
    }

    /// The message with `error when <verb> "<file>": ` inserted, for objects read from files.
    pub fn message_for_file(&self, verb: &str, file: &str) -> String {
        match self {
            UpdateError::Api(e) => e.kubectl_message_for_file(verb, file),
            UpdateError::Other(m) => match m.split_once("): ") {
                Some((head, rest)) if m.starts_with("Error from server") => {
                    format!("{head}): error when {verb} \"{file}\": {rest}")
                }
                _ => m.clone(),
            },
        }
    }
}

/// Decodes a whole object of kind `info` from JSON; unknown fields are dropped and returned
/// (the apiserver warns about them), type errors are the decoder's message.
pub fn decode(
    api: &ApiServer,
    info: &KindInfo,
    value: &Value,
) -> Result<(Object, Vec<String>), String> {
    // Events are not updated through these verbs yet.
    let decoded = match info.kind {
        "Event" => None,
        _ => api.decode(info, value, false),
    };
    match decoded {
        Some(Ok(found)) => Ok(found),
        Some(Err(DecodeError::UnknownFields(fields))) => Err(fields
            .iter()
            .map(|(p, _)| format!("unknown field \"{p}\""))
            .collect::<Vec<_>>()
            .join(", ")),
        Some(Err(DecodeError::Invalid(m))) => Err(m),
        None => Err(format!(
            "Kubeplay does not simulate updates of {} objects yet",
            info.kind
        )),
    }
}

/// What an accepted update did.
#[derive(Clone, Debug, PartialEq)]
pub struct Updated {
    /// Whether the stored object changed (`false`: kubectl's `(no change)`).
    pub changed: bool,
    /// `Warning: unknown field "..."` lines for fields the decoder dropped.
    pub warnings: Vec<String>,
    /// The object as stored (or as it would be, for a dry run).
    pub object: Object,
}

/// Stores `value` (the new full object) over `existing`, as an update request does.
pub fn update(
    cluster: &mut Cluster,
    existing: &Object,
    value: &Value,
    dry_run: bool,
) -> Result<Updated, UpdateError> {
    let info = existing.info();
    let name = existing.name().to_string();
    let new_name = value
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if new_name != name {
        return Err(UpdateError::Other(format!(
            "Error from server (BadRequest): the name of the object ({new_name}) does not match the name on the URL ({name})"
        )));
    }
    let live_rv = existing.metadata().resource_version.clone();
    if let Some(rv) = value
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
    {
        if Some(rv) != live_rv.as_deref() {
            return Err(UpdateError::Other(format!(
                "Error from server (Conflict): Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                info.qualified_resource()
            )));
        }
    }
    // The main resource ignores status: it stays what the controllers wrote.
    let mut value = value.clone();
    if let Some(map) = value.as_object_mut() {
        match existing.to_json().get("status") {
            Some(status) => {
                map.insert("status".into(), status.clone());
            }
            None => {
                map.remove("status");
            }
        }
    }
    let (mut obj, unknown) = decode(&cluster.world.api, info, &value).map_err(|m| {
        UpdateError::Other(format!(
            "Error from server (BadRequest): {kind} in version \"{v}\" cannot be handled as a {kind}: {m}",
            kind = info.kind,
            v = info.version
        ))
    })?;
    let warnings = unknown
        .iter()
        .map(|p| format!("Warning: unknown field \"{p}\""))
        .collect();
    {
        let meta = obj.metadata_mut();
        meta.namespace = existing.metadata().namespace.clone();
        meta.resource_version = live_rv;
    }
    let mut comparable = obj.clone();
    crate::api::defaults::object(&mut comparable);
    if comparable.to_json() == existing.to_json() || obj.to_json() == existing.to_json() {
        return Ok(Updated {
            changed: false,
            warnings,
            object: existing.clone(),
        });
    }
    if dry_run {
        crate::api::validation::validate(&comparable).map_err(UpdateError::Api)?;
        return Ok(Updated {
            changed: true,
            warnings,
            object: comparable,
        });
    }
    cluster
        .update_from_apply(existing.clone(), obj)
        .map_err(UpdateError::Api)?;
    let stored = cluster
        .world
        .api
        .get(info.kind, existing.namespace(), &name)
        .cloned()
        .unwrap_or_else(|| existing.clone());
    Ok(Updated {
        changed: true,
        warnings,
        object: stored,
    })
}

/// The object as `kubectl get -o yaml` shows it, which is what edit and diff work on.
pub fn to_yaml(obj: &Object) -> String {
    crate::printers::yaml::to_yaml(&obj.to_json())
}
