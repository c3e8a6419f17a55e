//! The interner that gives a custom kind's [`KindInfo`] the `'static` lifetime every
//! built-in kind's row has, so object keys, messages and resource requests treat both alike.
//!
//! It is process-wide but holds only immutable values equal to their keys: interning the
//! same definition twice returns the same row, so what a cluster sees never depends on what
//! another cluster interned. Memory grows with the distinct definitions ever established,
//! bounded by [`MAX_ROWS`] (each row's strings are bounded by CRD validation).

use std::sync::{Mutex, OnceLock};

use crate::api::kinds::KindInfo;

/// Most distinct custom kind rows one process keeps.
pub const MAX_ROWS: usize = 4096;
/// Most short names a custom kind's row keeps.
pub const MAX_SHORT_NAMES: usize = 16;

/// A custom kind's row, as owned strings, before interning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The kind, e.g. `CronTab`.
    pub kind: String,
    /// The plural resource name.
    pub plural: String,
    /// Short names.
    pub short_names: Vec<String>,
    /// API group.
    pub group: String,
    /// The preferred served version.
    pub version: String,
    /// Whether objects live in a namespace.
    pub namespaced: bool,
    /// Whether the `all` category lists it.
    pub in_all: bool,
}

impl Row {
    fn matches(&self, k: &KindInfo) -> bool {
        k.kind == self.kind
            && k.plural == self.plural
            && k.group == self.group
            && k.version == self.version
            && k.namespaced == self.namespaced
            && k.in_all == self.in_all
            && k.short_names.len() == self.short_names.len().min(MAX_SHORT_NAMES)
            && k.short_names
                .iter()
                .zip(&self.short_names)
                .all(|(a, b)| a == b)
    }
}

fn rows() -> &'static Mutex<Vec<&'static KindInfo>> {
    static ROWS: OnceLock<Mutex<Vec<&'static KindInfo>>> = OnceLock::new();
    ROWS.get_or_init(|| Mutex::new(Vec::new()))
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// The `'static` row equal to `row`; `None` once [`MAX_ROWS`] distinct rows exist.
pub fn intern(row: &Row) -> Option<&'static KindInfo> {
    let mut rows = match rows().lock() {
        Ok(r) => r,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(k) = rows.iter().find(|k| row.matches(k)) {
        return Some(k);
    }
    if rows.len() >= MAX_ROWS {
        return None;
    }
    let short: Vec<&'static str> = row
        .short_names
        .iter()
        .take(MAX_SHORT_NAMES)
        .map(|s| leak(s))
        .collect();
    let info: &'static KindInfo = Box::leak(Box::new(KindInfo {
        kind: leak(&row.kind),
        plural: leak(&row.plural),
        short_names: Box::leak(short.into_boxed_slice()),
        group: leak(&row.group),
        version: leak(&row.version),
        namespaced: row.namespaced,
        in_all: row.in_all,
    }));
    rows.push(info);
    Some(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_definition_is_interned_once() {
        let row = Row {
            kind: "InternTest".into(),
            plural: "interntests".into(),
            short_names: vec!["it".into()],
            group: "test.example.com".into(),
            version: "v1".into(),
            namespaced: true,
            in_all: false,
        };
        let a = intern(&row).unwrap();
        let b = intern(&row.clone()).unwrap();
        assert!(std::ptr::eq(a, b));
        let c = intern(&Row {
            version: "v2".into(),
            ..row
        })
        .unwrap();
        assert!(!std::ptr::eq(a, c));
        assert_eq!(c.api_version(), "test.example.com/v2");
    }
}
