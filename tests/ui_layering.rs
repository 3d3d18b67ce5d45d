//! The workspace's crates are its layers and the arrows point inward. The compiler holds a
//! crate to the dependencies its manifest lists; this test holds the manifests to the design
//! (README "Layout"), so a new arrow is a visible change to this table, not a quiet `use`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each layer and the workspace crates it may depend on (normal dependencies).
const ALLOWED: [(&str, &[&str]); 7] = [
    ("core", &[]),
    ("files", &["core"]),
    ("providers", &["core", "files"]),
    ("store", &["core"]),
    ("engine", &["core", "files", "providers", "store"]),
    ("sim", &["core"]),
    ("tui", &["core", "files"]),
];

/// Outside crates a layer must not use: the pure core does no I/O and draws nothing; the
/// editor talks HTTP, SQL and the simulator only through the engine's messages.
const FORBIDDEN_EXTERNAL: [(&str, &[&str]); 2] = [
    (
        "core",
        &[
            "tokio",
            "reqwest",
            "rusqlite",
            "ratatui",
            "crossterm",
            "axum",
            "directories",
        ],
    ),
    ("tui", &["reqwest", "rusqlite", "axum", "jsonwebtoken"]),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The names in a manifest's `[dependencies]` table (not dev- or build-dependencies).
fn normal_dependencies(manifest: &str) -> BTreeSet<String> {
    let table: toml::Table = manifest.parse().expect("a manifest that parses");
    table
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|d| d.keys().cloned().collect())
        .unwrap_or_default()
}

fn manifest(layer: &str) -> String {
    let path = root().join("crates").join(layer).join("Cargo.toml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_crate_depends_only_on_the_layers_inside_it() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(root().join("crates"))
        .expect("crates/")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let known: BTreeSet<String> = ALLOWED.iter().map(|(l, _)| l.to_string()).collect();
    assert_eq!(on_disk, known, "a crate without a place in the layer table");
    for (layer, allowed) in ALLOWED {
        let inner: BTreeSet<String> = normal_dependencies(&manifest(layer))
            .into_iter()
            .filter_map(|d| d.strip_prefix("shotdeck-").map(str::to_owned))
            .collect();
        let allowed: BTreeSet<String> = allowed.iter().map(|s| s.to_string()).collect();
        let extra: Vec<_> = inner.difference(&allowed).collect();
        assert!(
            extra.is_empty(),
            "shotdeck-{layer} depends outward on {extra:?}"
        );
    }
}

#[test]
fn the_core_and_the_editor_keep_off_io_they_do_not_own() {
    for (layer, forbidden) in FORBIDDEN_EXTERNAL {
        let deps = normal_dependencies(&manifest(layer));
        let found: Vec<_> = forbidden.iter().filter(|f| deps.contains(**f)).collect();
        assert!(found.is_empty(), "shotdeck-{layer} depends on {found:?}");
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `std` modules that do I/O, which the pure core must not name outside its tests.
const IO_PATHS: [&str; 5] = [
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
    "std::io::stdin",
];

/// The source before its `#[cfg(test)]` module: tests may read fixtures.
fn non_test(source: &str) -> &str {
    source.split("#[cfg(test)]").next().unwrap_or(source)
}

#[test]
fn the_core_does_no_io() {
    let mut files = Vec::new();
    rust_files(&root().join("crates/core/src"), &mut files);
    assert!(files.len() > 20, "found only {} core files", files.len());
    let offenders: Vec<String> = files
        .iter()
        .flat_map(|path| {
            let source = std::fs::read_to_string(path).expect("a readable source file");
            IO_PATHS
                .iter()
                .filter(|io| non_test(&source).contains(*io))
                .map(|io| format!("{}: {io}", path.display()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "the core does I/O:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_scanner_sees_only_normal_dependencies() {
    let manifest = "[package]\nname = \"x\"\n[dependencies]\nshotdeck-core = { path = \"../core\" }\n\
                    serde.workspace = true\n[dev-dependencies]\nshotdeck-sim = { path = \"../sim\" }\n";
    let deps = normal_dependencies(manifest);
    assert_eq!(
        deps.into_iter().collect::<Vec<_>>(),
        ["serde", "shotdeck-core"]
    );
}

// ---- the editor's modules: a DAG, and panes and overlays that never see the app ----

/// The editor's top-level modules by layer: a module may name only modules of a lower
/// rank, and the leaves (rank 0) each other. `lib` (the crate root) only re-exports.
const TUI_RANKS: [(&str, u8); 14] = [
    ("keymap", 0),
    ("theme", 0),
    ("labels", 0),
    ("wrap", 0),
    ("widgets", 0),
    ("host", 0),
    ("notify", 0),
    ("model", 1),
    ("panes", 2),
    ("overlays", 2),
    ("app", 3),
    ("terminal", 4),
    ("lib", 5),
    // `crate::run`, `crate::UiDeps`: items the root re-exports, named through the root.
    ("<root item>", 5),
];

/// The top-level module a source file belongs to (`src/panes/settings.rs` → `panes`).
fn tui_module(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("a file under src");
    let first = rel
        .components()
        .next()
        .expect("a path")
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    first.strip_suffix(".rs").unwrap_or(&first).to_string()
}

/// The top-level modules `source` names through `crate::` (in `use` lines and in paths),
/// comments left out. `crate::{a, b::c}` names `a` and `b`; a capitalised or root-level
/// item (`crate::UiDeps`, `crate::run`) names the crate root.
fn crate_refs(source: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut name = |ident: &str| {
        if modules.contains(ident) {
            out.insert(ident.to_string());
        } else if !ident.is_empty() {
            out.insert("<root item>".to_string());
        }
    };
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            // `shotdeck_crate::` or `mycrate::` are other paths.
            let before = rest[..at].chars().next_back();
            rest = &rest[at + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                // The first identifier of each top-level item of the group.
                let mut depth = 0;
                let mut start = true;
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => start = true,
                        _ => {}
                    }
                    if start && (c.is_alphanumeric() || c == '_') {
                        let item: String = group[group.find(c).unwrap_or(0)..]
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        name(&item);
                        start = false;
                    }
                }
                continue;
            }
            let ident: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            name(&ident);
        }
    }
    out
}

/// Module → modules it names, for every file of `src` (edges within a module left out).
fn tui_graph(src: &Path) -> std::collections::BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| tui_module(src, f)).collect();
    let mut graph: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    for file in &files {
        let from = tui_module(src, file);
        let source = std::fs::read_to_string(file).expect("a readable source file");
        let to = crate_refs(&source, &modules);
        graph
            .entry(from.clone())
            .or_default()
            .extend(to.into_iter().filter(|t| *t != from));
    }
    graph
}

/// A cycle in `graph` as the path that closes it, if there is one.
fn find_cycle(graph: &std::collections::BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &std::collections::BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_editors_modules_form_a_dag_in_layer_order() {
    let src = root().join("crates/tui/src");
    let graph = tui_graph(&src);
    let edges: Vec<String> = graph
        .iter()
        .flat_map(|(from, to)| to.iter().map(move |t| format!("{from} -> {t}")))
        .collect();
    // `cargo test --test ui_layering -- --nocapture` prints the graph.
    println!("{}", edges.join("\n"));
    assert!(edges.len() > 20, "found only {} edges", edges.len());
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "the editor's modules import in a circle: {}",
            cycle.join(" -> ")
        );
    }
    let rank = |m: &str| {
        TUI_RANKS
            .iter()
            .find(|(name, _)| *name == m)
            .map(|(_, r)| *r)
            .unwrap_or_else(|| panic!("module {m} has no place in TUI_RANKS"))
    };
    let upward: Vec<&String> = edges
        .iter()
        .filter(|e| {
            let (from, to) = e.split_once(" -> ").expect("an edge");
            let (f, t) = (rank(from), rank(to));
            t > f || (t == f && f > 0)
        })
        .collect();
    assert!(
        upward.is_empty(),
        "imports against the layer order: {upward:?}"
    );
}

#[test]
fn panes_and_overlays_never_name_the_app() {
    let src = root().join("crates/tui/src");
    let mut files = Vec::new();
    for dir in ["panes", "overlays", "model", "widgets"] {
        rust_files(&src.join(dir), &mut files);
    }
    assert!(files.len() > 30, "found only {} files", files.len());
    let offenders: Vec<String> = files
        .iter()
        .filter(|path| {
            let source = std::fs::read_to_string(path).expect("a readable source file");
            source.lines().any(|line| {
                let code = line.split("//").next().unwrap_or("");
                code.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|word| word == "App")
                    || code.contains("crate::app")
            })
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(offenders.is_empty(), "they name the app: {offenders:?}");
}

#[test]
fn the_graph_scanner_sees_groups_root_items_and_cycles() {
    let modules: BTreeSet<String> = ["app", "model", "panes"].map(String::from).into();
    let refs = crate_refs(
        "use crate::{model::doc::Doc, panes::{View, PaneCtx}};\n\
         // crate::app is only mentioned\n\
         let x = crate::UiDeps::new();\n\
         let y = shotdeck_crate::app::x;",
        &modules,
    );
    assert_eq!(
        refs.into_iter().collect::<Vec<_>>(),
        ["<root item>", "model", "panes"]
    );
    let mut graph: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    graph.insert("panes".into(), ["model".to_string()].into());
    graph.insert("model".into(), BTreeSet::new());
    assert_eq!(find_cycle(&graph), None);
    graph.insert("model".into(), ["app".to_string()].into());
    graph.insert("app".into(), ["panes".to_string()].into());
    assert_eq!(
        find_cycle(&graph).map(|c| c.join(" -> ")),
        Some("app -> panes -> model -> app".to_string())
    );
}
