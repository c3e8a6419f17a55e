//! LimitRange (v1): defaulting (`SetDefaults_LimitRangeItem`: a Container item's default
//! limit from its max, its default request from the default limit, then from its min) and
//! validation (`ValidateLimitRange` in `pkg/apis/core/validation`), quantities canonical.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::{KindRules, LimitRange, Object, StatusSubresource};
use crate::api::quantity::Amount;
use crate::api::resource_names;

/// A resource list, by resource name.
type List = BTreeMap<String, Quantity>;

impl KindRules for LimitRange {
    fn default_fields(&mut self) {
        let spec = self.spec.get_or_insert_with(Default::default);
        for item in &mut spec.limits {
            for list in [
                &mut item.max,
                &mut item.min,
                &mut item.default,
                &mut item.default_request,
                &mut item.max_limit_request_ratio,
            ] {
                resource_names::canonicalize(list);
            }
            if item.type_ != "Container" {
                continue;
            }
            let default = item.default.get_or_insert_with(Default::default);
            for (k, v) in item.max.iter().flatten() {
                default.entry(k.clone()).or_insert_with(|| v.clone());
            }
            let request = item.default_request.get_or_insert_with(Default::default);
            for (k, v) in item.default.iter().flatten() {
                request.entry(k.clone()).or_insert_with(|| v.clone());
            }
            for (k, v) in item.min.iter().flatten() {
                request.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let limits = self.spec.as_ref().map_or(&[][..], |s| &s.limits[..]);
        let mut types = BTreeSet::new();
        for (i, item) in limits.iter().enumerate() {
            let at = format!("spec.limits[{i}]");
            type_name(&item.type_, &format!("{at}.type"), causes);
            if !types.insert(item.type_.as_str()) {
                causes.push(format!("{at}.type: Duplicate value: \"{}\"", item.type_));
            }
            let container_like = matches!(item.type_.as_str(), "Pod" | "Container");
            let names = |list: &Option<List>, field: &str, causes: &mut Vec<String>| {
                for k in list.iter().flatten().map(|(k, _)| k) {
                    let path = format!("{at}.{field}[{k}]");
                    causes.extend(resource_names::limit_range_causes(k, container_like, &path));
                }
            };
            names(&item.max, "max", causes);
            names(&item.min, "min", causes);
            if item.type_ == "Pod" {
                for (list, field) in [
                    (&item.default, "default"),
                    (&item.default_request, "defaultRequest"),
                ] {
                    if list.as_ref().is_some_and(|l| !l.is_empty()) {
                        causes.push(format!(
                            "{at}.{field}: Forbidden: may not be specified when `type` is 'Pod'"
                        ));
                    }
                }
            } else {
                names(&item.default, "default", causes);
                names(&item.default_request, "defaultRequest", causes);
            }
            if item.type_ == "PersistentVolumeClaim" {
                let has = |l: &Option<List>| l.as_ref().is_some_and(|l| l.contains_key("storage"));
                if !has(&item.min) && !has(&item.max) {
                    causes.push(format!(
                        "{at}.limits: Required value: either minimum or maximum storage value is required, but neither was provided"
                    ));
                }
            }
            names(
                &item.max_limit_request_ratio,
                "maxLimitRequestRatio",
                causes,
            );
            relations(item, &at, causes);
        }
    }
}

impl StatusSubresource for LimitRange {}

/// `validateLimitRangeTypeName`: a qualified name, and one of the standard types unless
/// it has a prefix.
fn type_name(value: &str, at: &str, causes: &mut Vec<String>) {
    let msgs = resource_names::qualified_name_causes(value);
    if !msgs.is_empty() {
        for m in msgs {
            causes.push(format!("{at}: Invalid value: \"{value}\": {m}"));
        }
        return;
    }
    if !value.contains('/') && !matches!(value, "Pod" | "Container" | "PersistentVolumeClaim") {
        causes.push(format!(
            "{at}: Invalid value: \"{value}\": must be a standard limit type or fully qualified"
        ));
    }
}

/// The checks between one resource's min, max, defaults and ratio (for each resource any
/// of them names, in name order; Go walks a set, in no fixed order).
fn relations(
    item: &k8s_openapi::api::core::v1::LimitRangeItem,
    at: &str,
    causes: &mut Vec<String>,
) {
    let get = |l: &Option<List>, k: &str| -> Option<(String, i128)> {
        let q = l.as_ref()?.get(k)?;
        Some((q.0.clone(), Amount::parse(&q.0)?.nanos()))
    };
    let pod = item.type_ == "Pod";
    let mut keys = BTreeSet::new();
    for l in [&item.max, &item.min, &item.max_limit_request_ratio] {
        keys.extend(l.iter().flatten().map(|(k, _)| k.as_str()));
    }
    if !pod {
        for l in [&item.default, &item.default_request] {
            keys.extend(l.iter().flatten().map(|(k, _)| k.as_str()));
        }
    }
    for k in keys {
        let (min, max) = (get(&item.min, k), get(&item.max, k));
        let (default, request) = if pod {
            (None, None)
        } else {
            (get(&item.default, k), get(&item.default_request, k))
        };
        let ratio = get(&item.max_limit_request_ratio, k);
        let mut invalid = |field: &str, value: &str, msg: String| {
            causes.push(format!(
                "{at}.{field}[{k}]: Invalid value: \"{value}\": {msg}"
            ));
        };
        if let (Some(mn), Some(mx)) = (&min, &max) {
            if mn.1 > mx.1 {
                invalid(
                    "min",
                    &mn.0,
                    format!("min value {} is greater than max value {}", mn.0, mx.0),
                );
            }
        }
        if let Some(dr) = &request {
            if let Some(mn) = min.as_ref().filter(|mn| mn.1 > dr.1) {
                invalid(
                    "defaultRequest",
                    &dr.0,
                    format!(
                        "min value {} is greater than default request value {}",
                        mn.0, dr.0
                    ),
                );
            }
            if let Some(mx) = max.as_ref().filter(|mx| dr.1 > mx.1) {
                invalid(
                    "defaultRequest",
                    &dr.0,
                    format!(
                        "default request value {} is greater than max value {}",
                        dr.0, mx.0
                    ),
                );
            }
            if let Some(d) = default.as_ref().filter(|d| dr.1 > d.1) {
                invalid(
                    "defaultRequest",
                    &dr.0,
                    format!(
                        "default request value {} is greater than default limit value {}",
                        dr.0, d.0
                    ),
                );
            }
        }
        if let Some(d) = &default {
            if let Some(mn) = min.as_ref().filter(|mn| mn.1 > d.1) {
                invalid(
                    "default",
                    &mn.0,
                    format!("min value {} is greater than default value {}", mn.0, d.0),
                );
            }
            if let Some(mx) = max.as_ref().filter(|mx| d.1 > mx.1) {
                invalid(
                    "default",
                    &mx.0,
                    format!("default value {} is greater than max value {}", d.0, mx.0),
                );
            }
        }
        if let Some(r) = &ratio {
            if r.1 < 1000 {
                invalid(
                    "maxLimitRequestRatio",
                    &r.0,
                    format!("ratio {} is less than 1", r.0),
                );
            }
            if let (Some(mn), Some(mx)) = (&min, &max) {
                let limit = mx.1 as f64 / mn.1 as f64;
                if (r.1 as f64 / 1000.0) > limit {
                    invalid(
                        "maxLimitRequestRatio",
                        &r.0,
                        format!("ratio {} is greater than max/min = {limit:.6}", r.0),
                    );
                }
            }
        }
        if !resource_names::overcommit_allowed(k) {
            if let (Some(d), Some(dr)) = (&default, &request) {
                if d.1 != dr.1 {
                    invalid(
                        "defaultRequest",
                        &dr.0,
                        format!(
                            "default value {} must equal to defaultRequest value {} in {k}",
                            d.0, dr.0
                        ),
                    );
                }
            }
        }
    }
}
