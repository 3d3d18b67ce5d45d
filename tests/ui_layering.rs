//! The UI is assembled from outside: `app` builds provider clients, the simulator and the
//! runtime and hands `src/ui` an engine's channels. This keeps `src/ui` from reaching back
//! into those modules (or into `app`/`cli`, which depend on it).

use std::path::{Path, PathBuf};

/// Top-level modules `src/ui` must not name.
const FORBIDDEN: [&str; 4] = ["providers", "sim", "cli", "app"];

/// Every `crate::` path in `source` that starts at a forbidden module, as written (a
/// grouped `crate::{a, b::c}` counts each member).
fn forbidden_paths(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in source.match_indices("crate::") {
        let rest = &source[at + "crate::".len()..];
        let roots = match rest.strip_prefix('{') {
            Some(group) => group_members(group),
            None => vec![rest],
        };
        for root in roots {
            let name: String = root
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if FORBIDDEN.contains(&name.as_str()) {
                found.push(format!("crate::{name}"));
            }
        }
    }
    found
}

/// The members of a `{...}` group (the text after its `{`), split at top-level commas, so
/// `{engine::{A, B}, sim::X}` gives `engine::{A, B}` and `sim::X`.
fn group_members(group: &str) -> Vec<&str> {
    let mut members = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                members.push(group[start..i].trim());
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                members.push(group[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    members
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

#[test]
fn the_scanner_sees_plain_grouped_and_nested_paths() {
    let source = "use crate::providers::Client;\n\
                  use crate::{core::{Board, Shot}, sim::SimServer};\n\
                  let c = crate::cli::load_config();\n\
                  use crate::simulated_badge;\n\
                  use crate::engine::sim_keys;";
    assert_eq!(
        forbidden_paths(source),
        ["crate::providers", "crate::sim", "crate::cli"]
    );
}

#[test]
fn no_ui_file_imports_providers_sim_cli_or_app() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
    let mut files = Vec::new();
    rust_files(&ui, &mut files);
    assert!(
        files.len() > 10,
        "found only {} files under {}",
        files.len(),
        ui.display()
    );
    let offenders: Vec<String> = files
        .iter()
        .flat_map(|path| {
            let source = std::fs::read_to_string(path).expect("a readable source file");
            forbidden_paths(&source)
                .into_iter()
                .map(move |p| format!("{}: {p}", path.display()))
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "src/ui reaches outside its layer:\n{}",
        offenders.join("\n")
    );
}
