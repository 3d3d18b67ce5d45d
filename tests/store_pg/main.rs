//! The PostgreSQL job store against a real server: `SHOTDECK_TEST_PG` names it (a libpq
//! string or a postgres:// URL; `.ci/pg-ephemeral.sh` starts a throwaway one and sets it).
//! Without it these tests skip, unless `SHOTDECK_REQUIRE_PG=1` (CI), where they fail.
//! Each test works in a schema of its own, so they run in parallel on one server.

mod account_gate;
mod busy_engine;
mod clock;
mod contract;
mod cursor;
mod engines;
mod gate;
mod hand_off;
mod insert;
mod killed_engine;
mod lease;
mod listen;
mod live;
mod machine;
mod migrate;
mod projects;
mod support;
mod team;
mod three_and_a_kill;
mod two_terminals;
