//! ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding
//! (`admissionregistration.k8s.io/v1`): defaults and the main validation
//! (`pkg/apis/admissionregistration/validation`). They are stored only: Kubeplay's apiserver
//! does not evaluate CEL.

use super::{
    KindRules, Object, StatusSubresource, ValidatingAdmissionPolicy,
    ValidatingAdmissionPolicyBinding,
};

impl KindRules for ValidatingAdmissionPolicy {
    /// `failurePolicy: Fail`, `matchPolicy: Equivalent`, empty selectors.
    fn default_fields(&mut self) {
        let Some(spec) = self.spec.as_mut() else {
            return;
        };
        spec.failure_policy.get_or_insert_with(|| "Fail".into());
        if let Some(m) = spec.match_constraints.as_mut() {
            m.match_policy.get_or_insert_with(|| "Equivalent".into());
            m.namespace_selector.get_or_insert_with(Default::default);
            m.object_selector.get_or_insert_with(Default::default);
        }
    }

    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let spec = self.spec.clone().unwrap_or_default();
        if spec.match_constraints.is_none() {
            causes.push("spec.matchConstraints: Required value".into());
        }
        let counted = spec.validations.as_ref().map_or(0, Vec::len)
            + spec.audit_annotations.as_ref().map_or(0, Vec::len);
        if counted == 0 {
            causes.push(
                "spec.validations: Required value: validations or auditAnnotations must contain at least one item"
                    .into(),
            );
        }
        for (i, v) in spec.validations.iter().flatten().enumerate() {
            if v.expression.trim().is_empty() {
                causes.push(format!("spec.validations[{i}].expression: Required value"));
            }
        }
    }
}

impl KindRules for ValidatingAdmissionPolicyBinding {
    fn validate(&self, _obj: &Object, causes: &mut Vec<String>) {
        let spec = self.spec.clone().unwrap_or_default();
        if spec.policy_name.as_deref().unwrap_or("").is_empty() {
            causes.push("spec.policyName: Required value".into());
        }
        match spec.validation_actions.as_deref() {
            None | Some([]) => causes.push("spec.validationActions: Required value".into()),
            Some(actions) => {
                for (i, a) in actions.iter().enumerate() {
                    if !matches!(a.as_str(), "Deny" | "Warn" | "Audit") {
                        causes.push(format!("spec.validationActions[{i}]: Unsupported value: \"{a}\": supported values: \"Audit\", \"Deny\", \"Warn\""));
                    }
                }
            }
        }
    }
}

impl StatusSubresource for ValidatingAdmissionPolicy {
    fn keep_status(&mut self, old: &Self) {
        self.status.clone_from(&old.status);
    }
    fn keep_spec(&mut self, old: &Self) {
        self.spec.clone_from(&old.spec);
    }
}
impl StatusSubresource for ValidatingAdmissionPolicyBinding {}
