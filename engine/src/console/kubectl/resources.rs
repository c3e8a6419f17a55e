//! Resource arguments as kubectl reads them: `TYPE[,TYPE...] [NAME...]` or `TYPE/NAME...`.

use crate::api::kinds::KindInfo;
use crate::apiserver::ApiServer;

/// What the apiserver answers a read of a create-only resource (the reviews).
const METHOD_NOT_ALLOWED: &str =
    "Error from server (MethodNotAllowed): the server does not allow this method on the requested resource";

/// One resource argument resolved: a kind and the names asked for (empty = all of them).
pub struct Request {
    /// The kind asked for.
    pub kind: &'static KindInfo,
    /// The names asked for; empty when none were given.
    pub names: Vec<String>,
}

/// Turns `pods`, `pod,svc web`, or `pod/web svc/api` into requests.
pub fn resolve(api: &ApiServer, positionals: &[String]) -> Result<Vec<Request>, String> {
    let Some(first) = positionals.first() else {
        return Ok(Vec::new());
    };
    let resolve = |arg: &str| match api.resolve(arg) {
        None => Err(format!("the server doesn't have a resource type \"{arg}\"")),
        Some(k) if k.create_only() => Err(METHOD_NOT_ALLOWED.to_string()),
        Some(k) => Ok(k),
    };
    if first.contains('/') {
        let mut requests: Vec<Request> = Vec::new();
        for arg in positionals {
            let Some((kind, name)) = arg.split_once('/') else {
                return Err("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".to_string());
            };
            let kind = resolve(kind)?;
            match requests.iter_mut().find(|r| r.kind == kind) {
                Some(r) => r.names.push(name.to_string()),
                None => requests.push(Request {
                    kind,
                    names: vec![name.to_string()],
                }),
            }
        }
        return Ok(requests);
    }
    let names: Vec<String> = positionals[1..].to_vec();
    let mut requests = Vec::new();
    for t in first.split(',').filter(|t| !t.is_empty()) {
        // A category (`all`, `api-extensions`, a CRD's own) stands for its resources.
        let category = api.in_category(t);
        if !category.is_empty() {
            requests.extend(category.into_iter().map(|kind| Request {
                kind,
                names: names.clone(),
            }));
            continue;
        }
        requests.push(Request {
            kind: resolve(t)?,
            names: names.clone(),
        });
    }
    Ok(requests)
}
