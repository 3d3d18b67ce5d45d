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
