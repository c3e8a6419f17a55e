//! The HPA's status as the controller writes it: conditions (`setCondition`: a transition
//! time only when the status flips), metric statuses, and the status write when anything
//! changed (`updateStatusIfNeeded`).

use k8s_openapi::api::autoscaling::v2::{
    HorizontalPodAutoscalerCondition, HorizontalPodAutoscalerStatus, MetricStatus,
    MetricValueStatus, ResourceMetricStatus,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::api::object::{HorizontalPodAutoscaler, Object};
use crate::api::quantity::format_milli;
use crate::world::World;

/// Sets condition `type_` (added at the end when new).
pub fn set_condition(
    status: &mut HorizontalPodAutoscalerStatus,
    type_: &str,
    value: bool,
    reason: &str,
    message: &str,
    now: &Time,
) {
    let list = status.conditions.get_or_insert_with(Vec::new);
    let value = if value { "True" } else { "False" };
    let index = match list.iter().position(|c| c.type_ == type_) {
        Some(i) => i,
        None => {
            list.push(HorizontalPodAutoscalerCondition {
                type_: type_.into(),
                ..Default::default()
            });
            list.len() - 1
        }
    };
    if let Some(c) = list.get_mut(index) {
        if c.status != value {
            c.last_transition_time = Some(now.clone());
        }
        c.status = value.into();
        c.reason = Some(reason.into());
        c.message = Some(message.into());
    }
}

/// A Resource metric's status: utilization (if a utilization target) and average value.
pub fn resource_status(
    resource: &str,
    container: Option<&str>,
    utilization: Option<i32>,
    raw_milli: i64,
) -> MetricStatus {
    let current = MetricValueStatus {
        average_utilization: utilization,
        average_value: Some(Quantity(format_milli(raw_milli, resource == "memory"))),
        value: None,
    };
    match container {
        None => MetricStatus {
            type_: "Resource".into(),
            resource: Some(ResourceMetricStatus {
                name: resource.into(),
                current,
            }),
            ..Default::default()
        },
        Some(c) => MetricStatus {
            type_: "ContainerResource".into(),
            container_resource: Some(
                k8s_openapi::api::autoscaling::v2::ContainerResourceMetricStatus {
                    name: resource.into(),
                    container: c.into(),
                    current,
                },
            ),
            ..Default::default()
        },
    }
}

/// Writes `hpa`'s status if it differs from `original`.
pub fn update_if_needed(
    world: &mut World,
    original: &Option<HorizontalPodAutoscalerStatus>,
    hpa: &HorizontalPodAutoscaler,
) {
    if &hpa.status == original {
        return;
    }
    let _ = world
        .api
        .update_status(Object::HorizontalPodAutoscaler(Box::new(hpa.clone())));
}
