//! Kubeplay's scale envelope: the most a tab simulates, refused at admission (as a quota
//! would) so that no request, controller or replay grows the cluster past what a browser
//! tab holds. Not an upstream limit: the message says it is Kubeplay's.

use super::store::Store;
use crate::api::error::ApiError;
use crate::api::object::Object;

/// The most pods a cluster holds (upstream's tested scale is 150,000; a tab's is this).
pub const MAX_PODS: usize = 10_000;

/// The most objects of all kinds but Events (which expire on their own) a cluster holds.
pub const MAX_OBJECTS: usize = 100_000;

/// Refuses a create past the envelope.
pub fn admit(store: &Store, obj: &Object) -> Result<(), ApiError> {
    let (kind, limit, what) = match obj.kind() {
        "Event" => return Ok(()),
        "Pod" => ("Pod", MAX_PODS, "pods"),
        _ => ("", MAX_OBJECTS, "objects"),
    };
    let stored = match kind {
        "" => store.total().saturating_sub(store.count("Event")),
        kind => store.count(kind),
    };
    if stored < limit {
        return Ok(());
    }
    let message = format!("Kubeplay simulates at most {limit} {what} per cluster");
    Err(ApiError::denied(obj.info(), obj.name(), message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use k8s_openapi::api::core::v1::Pod;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn pod(name: &str) -> Object {
        Object::Pod(Box::new(Pod {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some("default".into()),
                ..Default::default()
            },
            ..Default::default()
        }))
    }

    #[test]
    fn pods_past_the_envelope_are_forbidden() {
        let mut store = Store::default();
        let mut rng = Rng::new(1);
        let now = crate::clock::time_from_ms(crate::clock::BOOT_MS);
        for i in 0..MAX_PODS {
            assert!(admit(&store, &pod(&format!("p{i}"))).is_ok());
            store
                .create(pod(&format!("p{i}")), now.clone(), &mut rng)
                .unwrap();
        }
        let err = admit(&store, &pod("one-more")).unwrap_err();
        assert_eq!(
            err.kubectl_message(),
            "Error from server (Forbidden): pods \"one-more\" is forbidden: \
             Kubeplay simulates at most 10000 pods per cluster"
        );
        store.remove("Pod", "default", "p0");
        assert!(admit(&store, &pod("one-more")).is_ok());
    }
}
