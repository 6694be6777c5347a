//! API tokens: in the OS credential store (Keychain, Credential Manager,
//! Secret Service) through `keyring`; never in SQLite, never in a log line.
//!
//! A machine without a credential store (a headless CI box with no Secret
//! Service) cannot keep a token across restarts. There the token typed in
//! the UI is kept in this process's memory only, and the source's token
//! environment variable (the CLI's route) supplies it after a restart; the
//! UI says so (see [`TokenStorage`]).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use hypercare::model::Source;
use serde::Serialize;
use ts_rs::TS;

/// Service name of the entries in the OS credential store.
const SERVICE: &str = "app.hypercare.desk";

/// Set to `none` to skip the OS credential store (tests, kiosks).
pub const CREDENTIAL_STORE_ENV: &str = "HYPERCARE_CREDENTIAL_STORE";

/// Where a source's token is kept.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum TokenStorage {
    /// In the OS credential store; survives restarts.
    OsCredentialStore,
    /// No OS credential store here: kept in memory until the app quits;
    /// after a restart the token comes from `env_var`.
    SessionOnly { env_var: String, reason: String },
}

/// The environment variable a source's token is read from when the OS
/// credential store has none: `HYPERCARE_TOKEN_<NAME>` (upper case, `_` for
/// anything not a letter or digit).
pub fn default_token_env(source_name: &str) -> String {
    let name: String =
        source_name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    format!("HYPERCARE_TOKEN_{name}")
}

/// The shell's credential keeper. All methods block (the OS store may talk
/// D-Bus): call them from `spawn_blocking`.
#[derive(Default)]
pub struct Credentials {
    /// `Err(reason)` once the OS store was found unusable.
    os_store: OnceLock<Result<(), String>>,
    /// Tokens typed in this session where the OS store is unusable.
    session: Mutex<HashMap<String, String>>,
}

impl Credentials {
    /// A keeper that never touches the OS store (`reason` says why), as on
    /// a machine without one.
    pub fn without_os_store(reason: &str) -> Self {
        let c = Credentials::default();
        let _ = c.os_store.set(Err(reason.to_string()));
        c
    }

    /// Whether the OS credential store works here (`Err` says why not, as a
    /// short cause the UI puts in parentheses). Probed once.
    pub fn os_store(&self) -> Result<(), String> {
        self.os_store.get_or_init(probe_os_store).clone()
    }

    /// Keep `token` for `source`; says where it went.
    pub fn save(&self, source: &Source, token: &str) -> TokenStorage {
        if self.os_store().is_ok() {
            match keyring::Entry::new(SERVICE, &source.name).and_then(|e| e.set_password(token)) {
                Ok(()) => return TokenStorage::OsCredentialStore,
                Err(e) => tracing::warn!(source = %source.name, error = %e, "could not save the token in the OS credential store"),
            }
        }
        self.lock_session().insert(source.name.clone(), token.to_string());
        let env_var = source.token_env.clone().unwrap_or_else(|| default_token_env(&source.name));
        let reason = self.os_store().err().unwrap_or_else(|| "the system credential store refused the token".into());
        TokenStorage::SessionOnly { env_var, reason }
    }

    /// The token for `source`: OS store, else this session's memory, else
    /// the source's environment variable.
    pub fn token_for(&self, source: &Source) -> Option<String> {
        if self.os_store().is_ok() {
            if let Ok(token) = keyring::Entry::new(SERVICE, &source.name).and_then(|e| e.get_password()) {
                return Some(token);
            }
        }
        if let Some(token) = self.lock_session().get(&source.name) {
            return Some(token.clone());
        }
        hypercare::sync::token_from_env(source.token_env.as_deref())
    }

    /// Forget the token of a removed source.
    pub fn forget(&self, source_name: &str) {
        self.lock_session().remove(source_name);
        if self.os_store().is_ok() {
            match keyring::Entry::new(SERVICE, source_name).and_then(|e| e.delete_credential()) {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) => tracing::warn!(source = %source_name, error = %e, "could not delete the token from the OS credential store"),
            }
        }
    }

    fn lock_session(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        // A poisoned map only means another thread panicked mid-insert; the map itself is fine.
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn probe_os_store() -> Result<(), String> {
    if std::env::var(CREDENTIAL_STORE_ENV).is_ok_and(|v| v == "none") {
        return Err(format!("turned off with {CREDENTIAL_STORE_ENV}=none"));
    }
    let outcome = keyring::Entry::new(SERVICE, "__probe__").and_then(|e| e.get_password());
    match outcome {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => {
            tracing::info!(error = %e, "no OS credential store; tokens fall back to environment variables");
            Err(e.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, token_env: &str) -> Source {
        Source {
            id: 1,
            name: name.into(),
            kind: hypercare::model::SourceKind::Redmine,
            url: "http://127.0.0.1:3303".into(),
            project: "erp".into(),
            token_env: Some(token_env.into()),
            last_sync_at: None,
            last_sync_status: None,
            last_sync_error: None,
        }
    }

    #[test]
    fn without_a_credential_store_tokens_live_in_memory_then_come_from_the_env() {
        let creds = Credentials::without_os_store("no Secret Service");
        // A variable only this test uses, so parallel tests cannot race on it.
        let var = "HYPERCARE_TOKEN_DESK_TEST_FALLBACK";
        let erp = source("erp", var);
        assert_eq!(creds.token_for(&erp), None, "nothing saved, nothing in the environment");

        let storage = creds.save(&erp, "typed-token");
        assert_eq!(
            storage,
            TokenStorage::SessionOnly { env_var: var.into(), reason: "no Secret Service".into() },
            "the UI is told where the token went and which variable to set"
        );
        assert_eq!(creds.token_for(&erp).as_deref(), Some("typed-token"));

        // After a restart (or removal) only the environment variable is left.
        creds.forget("erp");
        std::env::set_var(var, "env-token");
        assert_eq!(creds.token_for(&erp).as_deref(), Some("env-token"));
        std::env::remove_var(var);
        assert_eq!(creds.token_for(&erp), None);
    }

    #[test]
    fn token_env_names_are_shell_safe() {
        assert_eq!(default_token_env("erp-prod.v2"), "HYPERCARE_TOKEN_ERP_PROD_V2");
    }
}
