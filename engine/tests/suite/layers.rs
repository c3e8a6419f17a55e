//! The engine's layers, checked: every `crate::MODULE` reference in `engine/src` (outside
//! `#[cfg(test)]` modules) must point to the same or a lower layer, and the only modules that
//! may lean on each other inside a layer are the pairs listed here. This is the import graph
//! ARCHITECTURE.md draws; a change that breaks it fails here with the offending files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level modules by layer, lowest first.
const LAYERS: &[&[&str]] = &[
    &[
        "clock", "rng", "timers", "output", "storage", "cgroups", "bundle", "bounds", "sh", "sort",
    ],
    &["api"],
    &["apiserver"],
    &["world"],
    &["controllers", "node", "network"],
    &["printers"],
    &[
        "cluster",
        "console",
        "view",
        "lessons",
        "lint",
        "transcript",
    ],
];

/// Edges allowed inside one layer (from, to).
const SAME_LAYER: &[(&str, &str)] = &[
    // The sh grammar counts its nesting with `bounds::Depth`.
    ("sh", "bounds"),
    // The system-objects controller reposts the kubelet's mirror pods.
    ("controllers", "node"),
    // MetalLB's controller shares the speakers' view of pools and the election.
    ("controllers", "network"),
    // The network delivers requests to the containers the kubelet runs.
    ("network", "node"),
    // The composition root owns the console; the console drives the root (see
    // ARCHITECTURE.md: the one mutual dependency left, at the top).
    ("cluster", "console"),
    ("console", "cluster"),
    // The root feeds the autoscaling chart's recorder as its clock moves.
    ("cluster", "view"),
    // Front ends' helpers over the facade.
    ("view", "cluster"),
    ("lessons", "cluster"),
    ("lessons", "console"),
    ("lint", "cluster"),
    ("transcript", "cluster"),
    // Scripts join the lines of a loop as the console's parser reads them.
    ("transcript", "console"),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The `.rs` files under `src`, relative, with their text.
fn sources(src: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("engine/src is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(src)
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                files.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files
}

/// Files that are whole `#[cfg(test)] mod NAME;` modules (test benches, test files).
fn test_only(files: &[(String, String)]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (rel, text) in files {
        let dir = match rel.rsplit_once('/') {
            Some((d, "mod.rs")) => format!("{d}/"),
            Some((d, f)) => format!("{d}/{}/", f.trim_end_matches(".rs")),
            None if rel == "lib.rs" => String::new(),
            None => format!("{}/", rel.trim_end_matches(".rs")),
        };
        let mut lines = text.lines().peekable();
        while let Some(line) = lines.next() {
            if line.trim() != "#[cfg(test)]" {
                continue;
            }
            let Some(next) = lines.peek() else { continue };
            let decl = next.trim().trim_start_matches("pub ");
            if let Some(name) = decl.strip_prefix("mod ").and_then(|d| d.strip_suffix(';')) {
                out.insert(format!("{dir}{name}.rs"));
                out.insert(format!("{dir}{name}/mod.rs"));
            }
        }
    }
    out
}

/// `crate::X` references of each top-level module (outside test code), with the files they
/// come from.
fn references() -> BTreeMap<(String, String), BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = sources(&src);
    let skip = test_only(&files);
    let mut out = BTreeMap::new();
    for (rel, text) in &files {
        let top = rel.split('/').next().unwrap().trim_end_matches(".rs");
        if top == "lib" || skip.contains(rel) {
            continue;
        }
        let code = text
            .find("#[cfg(test)]\nmod ")
            .map_or(text.as_str(), |i| &text[..i]);
        for line in code.lines() {
            let line = line.split("//").next().unwrap_or("");
            for (i, _) in line.match_indices("crate::") {
                let name: String = line[i + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if name != top && layer_of(&name).is_some() {
                    out.entry((top.to_string(), name))
                        .or_insert_with(BTreeSet::new)
                        .insert(rel.clone());
                }
            }
        }
    }
    out
}

#[test]
fn every_module_is_in_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in std::fs::read_dir(src).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        let module = name.trim_end_matches(".rs");
        if module != "lib" {
            assert!(
                layer_of(module).is_some(),
                "engine/src/{name} is in no layer: add it to LAYERS in engine/tests/suite/layers.rs and to ARCHITECTURE.md"
            );
        }
    }
}

#[test]
fn modules_depend_only_downwards() {
    let refs = references();
    assert!(
        refs.len() > 20,
        "the scan found too few references: {refs:?}"
    );
    let mut wrong = Vec::new();
    for ((from, to), files) in &refs {
        let (Some(a), Some(b)) = (layer_of(from), layer_of(to)) else {
            continue;
        };
        let ok = b < a || (a == b && SAME_LAYER.contains(&(from.as_str(), to.as_str())));
        if !ok {
            wrong.push(format!("{from} -> {to} (in {files:?})"));
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}
