//! Reading config.toml key by key, so one bad key costs only itself.
//!
//! Each top-level key is deserialized on its own; a key that fails is reported (the key, the
//! file, line and column) and left at its default, the rest is kept. The keys that hold
//! money ([`MONEY_KEYS`]) fail closed instead: a problem in one of them, a number there that
//! is not finite or is negative, a syntax error anywhere (it may have swallowed a `[budget]`
//! line) or a file that cannot be read marks the config [`ConfigProblem::money`], and every
//! paid action is refused until the file is fixed (see [`Config::money_refusal`]).

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, Deserializer};

use super::config::{Config, ConfigProblem};
use super::toml_error::{describe, locate};

/// The tables whose loss would let money out unchecked: limits, unit prices, prices, and
/// the store (a lost `[store]` would send on this machine alone, outside the team's
/// account limit and day budget).
pub const MONEY_KEYS: [&str; 4] = ["budget", "usd_per_unit", "prices", "store"];

/// The config `text` (read from `path`) says, with every problem found on the way.
pub(super) fn parse(path: &Path, text: &str) -> Config {
    let (doc, syntax_errors) = DeTable::parse_recoverable(text);
    let mut problems: Vec<ConfigProblem> = syntax_errors
        .iter()
        .map(|e| ConfigProblem::new(path, "", describe(text, e), true))
        .collect();
    let span = doc.span();
    let doc = doc.into_inner();
    let mut good = DeTable::new();
    for (key, value) in doc.iter() {
        let name = key.get_ref().as_ref();
        let money = MONEY_KEYS.contains(&name);
        let mut bad = Vec::new();
        if money {
            unusable_numbers(name, value, text, &mut bad);
        }
        let mut alone = DeTable::new();
        alone.insert(key.clone(), value.clone());
        if let Err(e) = Config::deserialize(Deserializer::from(Spanned::new(span.clone(), alone))) {
            bad.push((name.to_string(), describe(text, &e)));
        }
        if bad.is_empty() {
            good.insert(key.clone(), value.clone());
        }
        problems.extend(
            bad.into_iter()
                .map(|(key, what)| ConfigProblem::new(path, &key, what, money)),
        );
    }
    let mut config = Config::deserialize(Deserializer::from(Spanned::new(span, good)))
        .unwrap_or_else(|e| {
            // Every key passed alone; together they should too. Fail closed if not.
            problems.push(ConfigProblem::new(path, "", describe(text, &e), true));
            Config::default()
        });
    config.problems = problems;
    config
}

/// Every number under a money key that is NaN, infinite or negative, as `(key.path, where
/// and why)`: `per_day = nan` would turn a limit off, a negative price would lower a sum.
fn unusable_numbers(
    path: &str,
    value: &Spanned<DeValue<'_>>,
    text: &str,
    out: &mut Vec<(String, String)>,
) {
    let usable = match value.get_ref() {
        DeValue::Table(table) => {
            for (key, value) in table.iter() {
                unusable_numbers(&format!("{path}.{}", key.get_ref()), value, text, out);
            }
            return;
        }
        DeValue::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                unusable_numbers(&format!("{path}[{i}]"), value, text, out);
            }
            return;
        }
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse::<f64>()
            .is_ok_and(|v| v.is_finite() && v >= 0.0),
        DeValue::Integer(i) => !i.as_str().trim_start().starts_with('-'),
        _ => return,
    };
    if !usable {
        let at = locate(text, value.span().start);
        out.push((
            path.to_string(),
            format!("{at}: must be a finite number of zero or more (US dollars)"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Config {
        parse(Path::new("/cfg/config.toml"), text)
    }

    #[test]
    fn one_bad_key_costs_only_itself() {
        let c =
            parsed("mouse = \"no\"\nnotify = \"loud\"\ntheme = \"light\"\n[budget]\nper_job = 1\n");
        assert_eq!(c.theme, "light");
        assert_eq!(c.budget.per_job, Some(1.0));
        assert!(c.mouse, "the bad key keeps its default");
        let keys: Vec<_> = c.problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["mouse", "notify"]);
        assert!(c.problems.iter().all(|p| !p.money));
        assert!(c.money_refusal().is_none());
        let said = &c.problems[0].message;
        assert!(
            said.starts_with("/cfg/config.toml: line 1, column 9:") && said.contains("mouse"),
            "{said}"
        );
    }

    #[test]
    fn the_kling_route_is_read_and_an_unknown_one_names_its_key() {
        use shotdeck_core::kling_v2::RoutePref;
        let c = parsed("[profiles.kling]\nroute = \"v2\"\n");
        assert_eq!(c.profiles.kling.route, RoutePref::V2);
        assert!(c.problems.is_empty());
        let c = parsed("[profiles.kling]\nroute = \"v3\"\n");
        assert_eq!(
            c.profiles.kling.route,
            RoutePref::Auto,
            "the default is kept"
        );
        let said = &c.problems[0].message;
        assert!(
            said.contains("[profiles.kling] route") && said.contains("line 2"),
            "{said}"
        );
        assert!(!c.problems[0].money);
    }

    #[test]
    fn a_broken_budget_refuses_paid_actions() {
        let c = parsed("theme = \"light\"\n[budget]\nper_jb = 1\n");
        assert_eq!(c.theme, "light");
        let refusal = c.money_refusal().unwrap();
        assert!(
            refusal.contains("budget") && refusal.contains("line 3"),
            "{refusal}"
        );
    }

    #[test]
    fn non_finite_and_negative_money_is_refused_with_its_key() {
        for (text, key) in [
            ("[budget]\nper_day = nan\n", "budget.per_day"),
            ("[budget]\nper_job = inf\n", "budget.per_job"),
            ("[budget]\nper_board = -5\n", "budget.per_board"),
            (
                "[usd_per_unit]\nkling-v3 = -0.14\n",
                "usd_per_unit.kling-v3",
            ),
            (
                "[prices.kling.kling-v3.std]\nsilent = nan\naudio = 0.1\n",
                "prices.kling.kling-v3.std.silent",
            ),
        ] {
            let c = parsed(text);
            let p = c.problems.iter().find(|p| p.money).expect(text);
            assert_eq!(p.key, key, "{text}");
            assert!(p.message.contains("line 2"), "{}", p.message);
            assert!(c.money_refusal().unwrap().contains(key));
        }
        let fine = parsed("[budget]\nper_day = 0\nper_job = 1_000.5\n");
        assert!(fine.problems.is_empty(), "{:?}", fine.problems);
        assert_eq!(fine.budget.per_job, Some(1000.5));
    }

    #[test]
    fn the_store_url_is_read_and_a_bad_one_is_named_by_its_key() {
        let c = parsed("[store]\nurl = \"postgres://me:s3cret@db/team\"\n");
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        let url = c.store.url.clone().unwrap();
        assert_eq!(url.expose_secret(), "postgres://me:s3cret@db/team");
        assert!(!format!("{c:?}").contains("s3cret"));
        let from_env = c
            .store_url_with(Some("postgresql://db/other".into()))
            .unwrap();
        assert_eq!(from_env.unwrap().expose_secret(), "postgresql://db/other");
        assert_eq!(c.store_url_with(Some(" ".into())).unwrap(), Some(url));
        let e = c
            .store_url_with(Some("mysql://root:s3cret@db".into()))
            .unwrap_err();
        assert!(
            e.starts_with("SHOTDECK_STORE_URL: unknown scheme \"mysql\""),
            "{e}"
        );
        assert!(!e.contains("s3cret"), "{e}");

        let c = parsed("theme = \"light\"\n[store]\nurl = \"mysql://root:s3cret@db/x\"\n");
        assert_eq!(c.theme, "light");
        assert_eq!(c.store.url, None);
        let p = &c.problems[0];
        assert_eq!(p.key, "store");
        assert!(
            p.message.contains("line 3")
                && p.message.contains("url")
                && p.message.contains("mysql"),
            "{}",
            p.message
        );
        assert!(!p.message.contains("s3cret"), "{}", p.message);
        // Sending without the team's store would escape its limit and budget.
        assert!(c.money_refusal().is_some());
    }

    #[test]
    fn the_account_is_read_and_a_bad_one_is_named_and_refuses_paid_actions() {
        let c = parsed("[store]\naccount = \"studio-a\"\n");
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert_eq!(c.account_with(None).unwrap(), "studio-a");
        assert_eq!(c.account_with(Some("  ".into())).unwrap(), "studio-a");
        assert_eq!(c.account_with(Some("studio-b".into())).unwrap(), "studio-b");
        let e = c.account_with(Some("studio b".into())).unwrap_err();
        assert!(e.starts_with("SHOTDECK_ACCOUNT: "), "{e}");
        assert_eq!(parsed("").account_with(None).unwrap(), "default");

        let c = parsed("theme = \"light\"\n[store]\naccount = \"studio a\"\n");
        assert_eq!(c.theme, "light");
        let p = &c.problems[0];
        assert_eq!(p.key, "store");
        assert!(
            p.message.contains("line 3") && p.message.contains("store.account"),
            "{}",
            p.message
        );
        assert!(p.money);
        assert!(c.money_refusal().unwrap().contains("[store]"));
    }

    #[test]
    fn the_orphan_days_are_read_and_a_bad_value_is_named_by_key_and_line() {
        assert_eq!(parsed("").team.fetch_orphans_after_days, 23);
        let c = parsed("[team]\nfetch_orphans_after_days = 0\n");
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert_eq!(c.team.fetch_orphans_after_days, 0);
        for bad in ["30", "-1", "\"soon\""] {
            let c = parsed(&format!(
                "theme = \"light\"\n[team]\nfetch_orphans_after_days = {bad}\n"
            ));
            assert_eq!(c.theme, "light");
            assert_eq!(
                c.team.fetch_orphans_after_days, 23,
                "{bad}: the default is kept"
            );
            let p = &c.problems[0];
            assert_eq!(p.key, "team");
            assert!(
                p.message.contains("line 3") && p.message.contains("fetch_orphans_after_days"),
                "{}",
                p.message
            );
            assert!(!p.money, "not a money key: paid actions go on");
        }
    }

    #[test]
    fn a_syntax_error_anywhere_fails_closed() {
        let c = parsed("theme = \"light\"\n[budget\nper_job = 1\n");
        assert!(c.money_refusal().is_some(), "{:?}", c.problems);
    }
}
