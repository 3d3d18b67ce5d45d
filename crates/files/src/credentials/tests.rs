//! Key lookup, precedence, file checks, and that no value ever prints.

use super::*;
use std::collections::HashMap;

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

fn write_file(dir: &Path, text: &str, mode: u32) -> PathBuf {
    let file = dir.join(CREDENTIALS_FILE);
    std::fs::write(&file, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = mode;
    file
}

#[test]
fn secrets_never_print() {
    let s = Secret::new("sk-very-secret");
    assert_eq!(format!("{s}"), "***");
    assert_eq!(format!("{s:?}"), "***");
    let creds = Credentials {
        access_key: Some(Secret::new("ak-visible?")),
        secret_key: Some(Secret::new("sk-very-secret")),
        api_key: Some(Secret::new("sk-gateway")),
        gateway_key: Some(Secret::new("sk-own-gateway")),
        file: PathBuf::from("/x/credentials.toml"),
        file_problem: None,
    };
    let shown = format!("{creds:?}");
    for needle in [
        "ak-visible?",
        "sk-very-secret",
        "sk-gateway",
        "sk-own-gateway",
    ] {
        assert!(!shown.contains(needle), "{shown}");
    }
}

#[test]
fn environment_wins_over_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(
        dir.path(),
        "kling_access_key = \"file-ak\"\nkling_secret_key = \"file-sk\"\n",
        0o600,
    );
    let creds = Credentials::load_from(&env_of(&[(ENV_ACCESS_KEY, "env-ak")]), &file);
    let (ak, sk) = creds.kling_keys().unwrap();
    assert_eq!(ak.expose(), "env-ak");
    assert_eq!(sk.expose(), "file-sk");
    assert!(creds.gateway_key().is_err());
}

#[cfg(unix)]
#[test]
fn a_file_readable_by_others_is_refused_naming_file_and_mode() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "kling_api_key = \"sk-x\"\n", 0o644);
    let creds = Credentials::load_from(&env_of(&[]), &file);
    let msg = creds.gateway_key().unwrap_err().to_string();
    assert!(msg.contains(&file.display().to_string()), "{msg}");
    assert!(msg.contains("0644") && msg.contains("chmod 600"), "{msg}");
    assert!(!msg.contains("sk-x"));
    // Keys the environment provides still work; the file is simply not used.
    let creds = Credentials::load_from(&env_of(&[(ENV_API_KEY, "sk-env")]), &file);
    assert_eq!(creds.gateway_key().unwrap().expose(), "sk-env");
    assert!(creds.kling_keys().unwrap_err().to_string().contains("0644"));
}

#[test]
fn missing_keys_name_the_variable_and_the_file() {
    let file = PathBuf::from("/nowhere/credentials.toml");
    let creds = Credentials::load_from(&env_of(&[]), &file);
    let msg = creds.kling_keys().unwrap_err().to_string();
    assert!(
        msg.contains(ENV_ACCESS_KEY) && msg.contains("kling_access_key"),
        "{msg}"
    );
    assert!(msg.contains("/nowhere/credentials.toml"), "{msg}");
    let msg = creds.gateway_key().unwrap_err().to_string();
    assert!(
        msg.contains(ENV_API_KEY) && msg.contains("/nowhere/credentials.toml"),
        "{msg}"
    );
}

#[test]
fn an_access_secret_pair_wins_else_the_api_key_is_used() {
    let file = PathBuf::from("/nowhere/credentials.toml");
    let all = [
        (ENV_ACCESS_KEY, "ak"),
        (ENV_SECRET_KEY, "sk"),
        (ENV_API_KEY, "api"),
    ];
    let pair = Credentials::load_from(&env_of(&all), &file).kling_auth();
    assert!(
        matches!(pair, Ok(KlingKeys::AccessSecret { .. })),
        "{pair:?}"
    );
    // Half a pair is not a pair: the API key is used.
    let half = [(ENV_ACCESS_KEY, "ak"), (ENV_API_KEY, "api")];
    let key = Credentials::load_from(&env_of(&half), &file).kling_auth();
    assert_eq!(key, Ok(KlingKeys::ApiKey(Secret::new("api"))));
}

#[test]
fn missing_kling_keys_name_both_ways_and_no_value() {
    let file = PathBuf::from("/nowhere/credentials.toml");
    let msg = Credentials::load_from(&env_of(&[]), &file)
        .kling_auth()
        .unwrap_err()
        .to_string();
    for needle in [ENV_ACCESS_KEY, ENV_SECRET_KEY, ENV_API_KEY, "kling_api_key"] {
        assert!(msg.contains(needle), "{msg}");
    }
    let half = Credentials::load_from(&env_of(&[(ENV_ACCESS_KEY, "ak-only")]), &file);
    let msg = half.kling_auth().unwrap_err().to_string();
    assert!(msg.contains("KLING_SECRET_KEY is missing"), "{msg}");
    assert!(!msg.contains("ak-only"), "{msg}");
}

#[test]
fn a_broken_file_reports_the_line_without_echoing_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(
        dir.path(),
        "# keys\nkling_secret_key = sk-unquoted-secret\n",
        0o600,
    );
    let msg = Credentials::load_from(&env_of(&[]), &file)
        .kling_keys()
        .unwrap_err()
        .to_string();
    assert!(msg.contains("line 2"), "{msg}");
    assert!(!msg.contains("sk-unquoted-secret"), "{msg}");
}

#[test]
fn unknown_keys_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "kling_acess_key = \"a\"\n", 0o600);
    let msg = Credentials::load_from(&env_of(&[]), &file)
        .kling_keys()
        .unwrap_err()
        .to_string();
    assert!(msg.contains("kling_acess_key"), "{msg}");
}

#[test]
fn the_gateway_prefers_its_own_key_over_kling_api_key() {
    let file = PathBuf::from("/nowhere/credentials.toml");
    let both = env_of(&[(ENV_API_KEY, "sk-kling"), (ENV_GATEWAY_KEY, "sk-gw")]);
    let creds = Credentials::load_from(&both, &file);
    assert_eq!(creds.gateway_key().unwrap().expose(), "sk-gw");
    let fallback = Credentials::load_from(&env_of(&[(ENV_API_KEY, "sk-kling")]), &file);
    assert_eq!(fallback.gateway_key().unwrap().expose(), "sk-kling");
    assert!(is_secret_env(ENV_GATEWAY_KEY));
}

#[test]
fn a_database_url_or_password_is_kept_from_child_processes() {
    // `postgres://user:password@host/db`: the team store's URL may carry a password.
    assert!(is_secret_env("SHOTDECK_STORE_URL"));
    assert!(is_secret_env("PGPASSWORD"));
    assert!(!is_secret_env("SHOTDECK_STORE_SCHEMA"));
    assert!(!is_secret_env("PGHOST"));
}
