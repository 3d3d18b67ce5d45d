//! Failing closed at the edges: hostile download servers, over-long ids, special and
//! hostile file names, a terminal that hangs up, money keys in a broken config. One test
//! binary (each of these was its own, and every binary links the whole crate).

mod cli_files;
mod download_hostile;
mod long_ids;
mod ui_pty_hangup;
mod ui_pty_money;
