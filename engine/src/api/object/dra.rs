//! Dynamic resource allocation (`resource.k8s.io/v1`): DeviceClass, ResourceClaim,
//! ResourceClaimTemplate and ResourceSlice, stored with the main validation of
//! `pkg/apis/resource/validation`. No driver publishes devices, so no claim is allocated.

use k8s_openapi::api::resource::v1::DeviceClaim;

use super::{
    DeviceClass, KindRules, Object, ResourceClaim, ResourceClaimTemplate, ResourceSlice,
    StatusSubresource,
};

/// The most requests one claim may make (`DeviceRequestsMaxSize`).
const MAX_REQUESTS: usize = 32;

/// A claim's device requests: each named, each either exact or with alternatives.
fn requests(devices: Option<&DeviceClaim>, path: &str, causes: &mut Vec<String>) {
    let Some(requests) = devices.and_then(|d| d.requests.as_ref()) else {
        return;
    };
    if requests.len() > MAX_REQUESTS {
        causes.push(format!(
            "{path}.devices.requests: Too many: {}: must have at most {MAX_REQUESTS} items",
            requests.len()
        ));
        return;
    }
    for (i, r) in requests.iter().enumerate() {
        let at = format!("{path}.devices.requests[{i}]");
        if r.name.is_empty() {
            causes.push(format!("{at}.name: Required value"));
        }
        match (&r.exactly, &r.first_available) {
            (None, None) => causes.push(format!(
                "{at}: Required value: exactly one of `exactly` or `firstAvailable` is required"
            )),
            (Some(e), None) if e.device_class_name.is_empty() => {
                causes.push(format!("{at}.exactly.deviceClassName: Required value"))
            }
            _ => {}
        }
    }
}

impl KindRules for ResourceClaim {
    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        requests(self.spec.devices.as_ref(), "spec", causes);
    }
}

impl KindRules for ResourceClaimTemplate {
    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        requests(self.spec.spec.devices.as_ref(), "spec.spec", causes);
    }
}

impl KindRules for DeviceClass {}

impl KindRules for ResourceSlice {
    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let spec = &self.spec;
        if spec.driver.is_empty() {
            causes.push("spec.driver: Required value".into());
        }
        if spec.pool.name.is_empty() {
            causes.push("spec.pool.name: Required value".into());
        }
        let owners = [
            spec.node_name.as_deref().is_some_and(|n| !n.is_empty()),
            spec.node_selector.is_some(),
            spec.all_nodes == Some(true),
            spec.per_device_node_selection == Some(true),
        ];
        if !owners.contains(&true) {
            causes.push("spec: Required value: exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required".into());
        }
    }
}

impl StatusSubresource for ResourceClaim {
    fn keep_status(&mut self, old: &Self) {
        self.status.clone_from(&old.status);
    }
    fn keep_spec(&mut self, old: &Self) {
        self.spec.clone_from(&old.spec);
    }
}
impl StatusSubresource for ResourceClaimTemplate {}
impl StatusSubresource for DeviceClass {}
impl StatusSubresource for ResourceSlice {}
