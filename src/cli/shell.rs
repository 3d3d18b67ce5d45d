//! Shell integration: `shotdeck completions SHELL`, `shotdeck man`, and telling a mistyped
//! subcommand apart from a new board's name.
//!
//! The editor takes a board path as its positional argument, so clap cannot reject
//! `shotdeck valdiate b.json` by itself: `valdiate` parses as a board that does not exist
//! yet. [`mistyped_subcommand`] decides, before the editor starts, whether the word was
//! more likely meant as a command.

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;
use clap::error::ErrorKind;
use clap_complete::Shell;

use super::Cli;
use super::out::write_with;

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to print a completion script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Prints the completion script for `args.shell` on stdout.
pub(super) fn completions(args: CompletionsArgs) -> ExitCode {
    // Generated whole first: clap_complete panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "shotdeck", &mut script);
    write_with(|out| out.write_all(&script));
    ExitCode::SUCCESS
}

/// Prints the man page (roff) on stdout: `shotdeck man > shotdeck.1`. Clap's sections
/// (options, subcommands), then the keys, environment, files and exit codes.
pub(super) fn man() -> ExitCode {
    let mut page = Vec::new();
    if let Err(e) = clap_mangen::Man::new(Cli::command()).render(&mut page) {
        eprintln!("shotdeck: cannot render the man page: {e}");
        return ExitCode::FAILURE;
    }
    let keymap = crate::ui::Keymap::defaults();
    page.extend_from_slice(super::man_sections::render(&keymap).as_bytes());
    write_with(|out| out.write_all(&page));
    ExitCode::SUCCESS
}

/// Parses the command line, first catching a mistyped subcommand: `shotdeck valdiate
/// b.json` would otherwise be refused with a confusing "cannot be used with [BOARD]", and
/// `shotdeck valdiate` would open a new board named `valdiate`.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, ExitCode> {
    use clap::Parser;
    let args: Vec<OsString> = args.into_iter().collect();
    let parsed = Cli::try_parse_from(&args);
    let first_word = match &parsed {
        Ok(cli) if cli.command.is_none() => cli.board.clone(),
        Ok(_) => None,
        Err(_) => args
            .iter()
            .skip(1)
            .find(|a| !a.to_string_lossy().starts_with('-'))
            .map(Into::into),
    };
    if let Some(word) = first_word
        && let Some(meant) = mistyped_subcommand(&word)
    {
        return Err(report_mistyped(&word, &meant));
    }
    parsed.map_err(|e| print_clap_error(&e))
}

/// The subcommand `arg` was probably meant to be, when it is not a board: a board is a
/// file that exists, or a name with an extension (`new-board.json`) or a folder in it. A
/// bare word that is a near miss of a subcommand (`valdiate`, `submti`) is a typo.
pub fn mistyped_subcommand(arg: &Path) -> Option<String> {
    suggestion_for(arg, arg.exists())
}

/// [`mistyped_subcommand`] with the file's existence given (tests need no files).
fn suggestion_for(arg: &Path, exists: bool) -> Option<String> {
    if exists || arg.extension().is_some() || arg.components().count() != 1 {
        return None;
    }
    let word = arg.to_str()?;
    let cmd = Cli::command();
    let names = cmd
        .get_subcommands()
        .flat_map(|s| std::iter::once(s.get_name()).chain(s.get_all_aliases()));
    names
        .map(|name| (edit_distance(word, name), name))
        .filter(|&(d, name)| d > 0 && d <= allowed_distance(name))
        .min_by_key(|&(d, _)| d)
        .map(|(_, name)| name.to_string())
}

/// Short names tolerate one slip, longer ones two (a swapped pair counts as one).
fn allowed_distance(name: &str) -> usize {
    if name.chars().count() <= 4 { 1 } else { 2 }
}

/// The clap-style error for a mistyped subcommand (exit code 2, like clap's own). The typed
/// name is printed escaped: it came from the command line, not from us.
pub(super) fn report_mistyped(typo: &Path, suggestion: &str) -> ExitCode {
    let typo = crate::core::printable_path(typo);
    let err = Cli::command().error(
        ErrorKind::InvalidSubcommand,
        format!(
            "unrecognized subcommand '{typo}'; did you mean '{suggestion}'?\n\n  \
             (to open a new board by that name, give it an extension: {typo}.json)"
        ),
    );
    print_clap_error(&err)
}

/// What `clap::Error::exit` does, as an exit code for `main` to return.
fn print_clap_error(err: &clap::Error) -> ExitCode {
    let _ = err.print();
    ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2))
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
/// two neighbouring characters each cost one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        d[at(i, 0)] = i;
    }
    for j in 0..=b.len() {
        d[at(0, j)] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[at(i - 1, j)] + 1)
                .min(d[at(i, j - 1)] + 1)
                .min(d[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[at(i - 2, j - 2)] + 1);
            }
            d[at(i, j)] = best;
        }
    }
    d[at(a.len(), b.len())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_a_swap_as_one() {
        assert_eq!(edit_distance("valdiate", "validate"), 1);
        assert_eq!(edit_distance("submti", "submit"), 1);
        assert_eq!(edit_distance("jobs", "jobs"), 0);
        assert_eq!(edit_distance("doctr", "doctor"), 1);
        assert_eq!(edit_distance("", "new"), 3);
    }

    #[test]
    fn near_misses_of_subcommands_are_typos() {
        let typo = |s: &str| mistyped_subcommand(Path::new(s));
        assert_eq!(typo("valdiate").as_deref(), Some("validate"));
        assert_eq!(typo("submti").as_deref(), Some("submit"));
        assert_eq!(typo("jbos").as_deref(), Some("jobs"));
        assert_eq!(typo("completion").as_deref(), Some("completions"));
        assert_eq!(typo("sim-sever").as_deref(), Some("sim-server"));
    }

    #[test]
    fn new_boards_still_open_the_editor() {
        let board = |s: &str| mistyped_subcommand(Path::new(s));
        // A new file with an extension, however close its stem is to a command.
        assert_eq!(board("new-board.json"), None);
        assert_eq!(board("valdiate.json"), None);
        // A path with a folder in it, and a word unlike any command.
        assert_eq!(board("boards/valdiate"), None);
        assert_eq!(board("storyboard"), None);
        assert_eq!(board("teaser"), None);
    }

    #[test]
    fn an_existing_file_is_a_board_even_when_named_like_a_typo() {
        assert_eq!(suggestion_for(Path::new("valdiate"), true), None);
        assert_eq!(
            suggestion_for(Path::new("valdiate"), false).as_deref(),
            Some("validate")
        );
    }
}
