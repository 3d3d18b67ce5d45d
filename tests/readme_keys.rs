//! README.md's key table is the keymap table: this renders the expected markdown from the
//! embedded defaults and compares it with the section between the `keys:start`/`keys:end`
//! markers, printing the text to paste when they differ.

use shotdeck::ui::Keymap;
use shotdeck::ui::keymap::Context;

const START: &str = "<!-- keys:start -->\n";
const END: &str = "<!-- keys:end -->";

/// One row per binding, contexts in table order; the context is named on its first row.
fn key_table(keymap: &Keymap) -> String {
    let mut out = String::from("| where | keys | what |\n|---|---|---|\n");
    for c in Context::ALL {
        for (i, b) in keymap.bindings(c).iter().enumerate() {
            let place = if i == 0 {
                format!("**{}**", c.title())
            } else {
                String::new()
            };
            let keys: Vec<String> = b
                .keys
                .iter()
                .map(|k| format!("`{}`", k.to_string().replace('|', "\\|")))
                .collect();
            out.push_str(&format!(
                "| {place} | {} | {} |\n",
                keys.join(" "),
                b.desc.replace('|', "\\|")
            ));
        }
    }
    out
}

#[test]
fn the_readme_key_table_is_the_keymap() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let start = readme
        .find(START)
        .expect("README.md has <!-- keys:start -->")
        + START.len();
    let end = readme[start..]
        .find(END)
        .map(|n| start + n)
        .expect("README.md has <!-- keys:end --> after keys:start");
    let expected = key_table(&Keymap::defaults());
    let actual = &readme[start..end];
    assert!(
        actual == expected,
        "README.md's key table differs from crates/tui/src/keymap/keymap.toml; paste this between the \
         markers:\n\n{START}{expected}{END}\n"
    );
}
