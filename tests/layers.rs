//! The layer rule of README's Layout section, checked on the source: every top-level module
//! imports only from layers below its own, a surface never imports another surface, and
//! modules of one shared layer form no cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module of `src/` and its layer, lowest first.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "base",
        &[
            "clock",
            "config",
            "data_key",
            "domain",
            "jose",
            "mail",
            "metrics",
            "net",
            "protocol",
            "telemetry",
        ],
    ),
    ("store", &["store"]),
    ("state", &["state"]),
    (
        "shared",
        &[
            "http",
            "roles",
            "federation",
            "login",
            "issuer",
            "credentials",
            "clients",
            "webhooks",
            "sso_setup",
        ],
    ),
    (
        "surfaces",
        &[
            "console", "events", "oidc", "op", "ops", "portal", "saml", "scim", "sso", "tokens",
            "verify",
        ],
    ),
    ("startup", &["startup", "openapi"]),
    ("main", &["main", "lib"]),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, mods)| mods.contains(&module))
}

/// Top-level module → the top-level modules it names through `crate::`, comments skipped.
fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph = BTreeMap::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = path.strip_prefix(&src).expect("under src");
            let first = rel.components().next().expect("a component");
            let top = first
                .as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_owned();
            let text = std::fs::read_to_string(&path).expect("read file");
            let targets = graph.entry(top.clone()).or_insert_with(BTreeSet::new);
            for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for target in crate_paths(line) {
                    if target != top {
                        targets.insert(target);
                    }
                }
            }
        }
    }
    graph
}

/// The first segment after each `crate::` on a line, including `crate::{a, b}` groups.
fn crate_paths(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in line.match_indices("crate::") {
        let rest = &line[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            for item in inner.split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

#[test]
fn every_module_has_a_layer_and_imports_only_downwards() {
    let graph = import_graph();
    let mut wrong = Vec::new();
    for (module, targets) in &graph {
        let Some(own) = layer_of(module) else {
            wrong.push(format!("{module} has no layer in tests/layers.rs"));
            continue;
        };
        for target in targets {
            let Some(theirs) = layer_of(target) else {
                wrong.push(format!("{module} names {target}, which has no layer"));
                continue;
            };
            let surface = LAYERS[own].0 == "surfaces";
            if theirs > own || (theirs == own && (surface || LAYERS[own].1.len() == 1)) {
                wrong.push(format!(
                    "{module} ({}) imports {target} ({})",
                    LAYERS[own].0, LAYERS[theirs].0
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "layer rule broken:\n{}", wrong.join("\n"));
}

#[test]
fn modules_of_one_layer_form_no_cycle() {
    let graph = import_graph();
    for (name, modules) in LAYERS {
        // Depth-first search for a cycle among this layer's modules only.
        fn visit<'a>(
            m: &'a str,
            graph: &'a BTreeMap<String, BTreeSet<String>>,
            layer: &[&str],
            path: &mut Vec<&'a str>,
        ) -> Option<String> {
            if let Some(at) = path.iter().position(|p| *p == m) {
                return Some(format!("{} -> {m}", path[at..].join(" -> ")));
            }
            path.push(m);
            for t in graph.get(m).into_iter().flatten() {
                if layer.contains(&t.as_str()) {
                    if let Some(cycle) = visit(t, graph, layer, path) {
                        return Some(cycle);
                    }
                }
            }
            path.pop();
            None
        }
        for m in modules.iter() {
            let cycle = visit(m, &graph, modules, &mut Vec::new());
            assert!(cycle.is_none(), "cycle in the {name} layer: {cycle:?}");
        }
    }
}

#[test]
fn the_checker_sees_grouped_and_plain_imports() {
    assert_eq!(
        crate_paths("use crate::{ops, portal::x, scim}; let a = crate::store::Store;"),
        ["ops", "portal", "scim", "store"]
    );
}
