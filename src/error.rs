//! The core's error type. Every fallible core function returns [`Result`].
//!
//! Errors carry a small [`ErrorCode`] that front ends switch on (the desktop
//! shell sends it across IPC as `{code, message}`; the CLI picks its exit code
//! from it). Messages are one line, say what failed and, where it helps, what
//! to do. They never contain credentials.

use serde::Serialize;

/// What kind of failure this is, for the UI to switch on. Never match on text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// The server could not be reached (DNS, refused, timeout, TLS).
    Offline,
    /// The server refused the credentials (401/403 on read).
    Auth,
    /// A ticket, source or file that does not exist.
    NotFound,
    /// The user's input (arguments, files, mappings) is not acceptable.
    InvalidInput,
    /// The server state moved under us (a ticket changed since it was opened).
    Conflict,
    /// The server answered, but not with something we understand.
    BadResponse,
    /// A bug or an environment failure (disk full, corrupt store...).
    Internal,
}

/// What is wrong with an import file. The core's message names the problem
/// (file, line, column, byte); each front end adds its own hint from this
/// (the CLI names its flags, the app its checkbox and encoding choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportProblem {
    /// A malformed row (it can be fixed, or skipped with the others imported).
    BadRow,
    /// The bytes are not in the encoding read (UTF-8 unless asked otherwise).
    Encoding,
}

/// Why a workspace's store could not be opened, for the app to say what to
/// do (never from the text). The file is left as it was in every case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StoreProblem {
    /// Written by a newer Hypercare Desk: update the app.
    TooNew,
    /// Another process holds the file (another Hypercare Desk, a backup tool).
    Locked,
    /// The file is not an SQLite store, or it is damaged.
    NotAStore,
    /// The file or its folder cannot be read or written (permissions, disk).
    CannotOpen,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("local store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("local store: could not get a connection: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("the store at {path} was written by a newer Hypercare Desk (schema {found}, this build knows {known}); update the app")]
    SchemaTooNew { path: String, found: i64, known: i64 },
    /// The store file could not be opened or upgraded; `code()` is `Internal`.
    #[error("cannot open the store {path}: {reason}")]
    StoreOpen { path: String, problem: StoreProblem, reason: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The message names the problem only; each front end adds its advice
    /// (the CLI a hint line, the app a note that says whether it retries).
    #[error("cannot reach {url}: {reason}")]
    Offline { url: String, reason: String },
    #[error("{0}")]
    Auth(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    InvalidInput(String),
    /// An import file the core cannot read as asked; `code()` is `InvalidInput`.
    #[error("{message}")]
    Import { problem: ImportProblem, message: String },
    /// A form value the core refuses; `field` is the key of the setting or
    /// input it is about (the app marks that control). `code()` is `InvalidInput`.
    #[error("{message}")]
    InvalidField { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    BadResponse(String),
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Offline { .. } => ErrorCode::Offline,
            Error::Auth(_) => ErrorCode::Auth,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::InvalidInput(_) | Error::Import { .. } | Error::InvalidField { .. } => ErrorCode::InvalidInput,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::BadResponse(_) => ErrorCode::BadResponse,
            Error::Sqlite(rusqlite::Error::QueryReturnedNoRows) => ErrorCode::NotFound,
            Error::Sqlite(_)
            | Error::Pool(_)
            | Error::SchemaTooNew { .. }
            | Error::StoreOpen { .. }
            | Error::Io(_)
            | Error::Internal(_) => {
                ErrorCode::Internal
            }
        }
    }

    /// What is wrong with an import file, when that is the error.
    pub fn import_problem(&self) -> Option<ImportProblem> {
        match self {
            Error::Import { problem, .. } => Some(*problem),
            _ => None,
        }
    }

    /// Why the store could not be opened, when that is the error.
    pub fn store_problem(&self) -> Option<StoreProblem> {
        match self {
            Error::SchemaTooNew { .. } => Some(StoreProblem::TooNew),
            Error::StoreOpen { problem, .. } => Some(*problem),
            _ => None,
        }
    }

    /// The key of the form field an `InvalidField` error is about.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::InvalidField { field, .. } => Some(field),
            _ => None,
        }
    }

    /// A refused value of the form field `field` (a settings key).
    pub fn invalid_field(field: impl Into<String>, msg: impl Into<String>) -> Self {
        Error::InvalidField { field: field.into(), message: msg.into() }
    }

    pub fn import(problem: ImportProblem, msg: impl Into<String>) -> Self {
        Error::Import { problem, message: msg.into() }
    }

    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::InvalidInput(msg.into())
    }
    pub fn not_found(msg: impl Into<String>) -> Self {
        Error::NotFound(msg.into())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offline_error_names_the_problem_and_leaves_the_advice_to_the_front_end() {
        let e = Error::Offline {
            url: "http://127.0.0.1:9/projects/erp.json".into(),
            reason: "the connection was refused or failed".into(),
        };
        let msg = e.to_string();
        assert_eq!(msg, "cannot reach http://127.0.0.1:9/projects/erp.json: the connection was refused or failed");
        assert!(!msg.contains("Check the network"), "the app adds the advice once, the CLI as a hint: {msg}");
        assert_eq!(e.code(), ErrorCode::Offline);
    }
}
