//! The error that crosses IPC: `{code, message}`, plus `problem` for an
//! import file the core cannot read.
//!
//! `code` is the core's [`ErrorCode`], which the UI switches on (never on the
//! text); `message` is the core's one-line message, which says what failed.
//! `problem` ([`ImportProblem`]) lets the import panel give its own hint (its
//! checkbox, its encoding choice) where the CLI names its flags. None of them
//! ever carries a credential.

use hypercare::{ErrorCode, ImportProblem, StoreProblem};
use serde::Serialize;
use ts_rs::TS;

/// An error as the UI receives it from every command.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    /// Only for an import file the core cannot read (a bad row, the encoding).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub problem: Option<ImportProblem>,
    /// Only for a refused form value: the key of the field it is about
    /// (a KPI setting's key), which the form marks and focuses.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
    /// Only when the workspace's store cannot be opened: why, so the window
    /// says what to do (update the app, close the other program...).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub store: Option<StoreProblem>,
}

impl IpcError {
    /// An error of the shell itself (a background task that died...).
    pub fn internal(message: impl Into<String>) -> Self {
        IpcError { code: ErrorCode::Internal, message: message.into(), problem: None, field: None, store: None }
    }
}

impl From<hypercare::Error> for IpcError {
    fn from(e: hypercare::Error) -> Self {
        IpcError {
            code: e.code(),
            message: e.to_string(),
            problem: e.import_problem(),
            field: e.field().map(String::from),
            store: e.store_problem(),
        }
    }
}

impl From<tauri::Error> for IpcError {
    fn from(e: tauri::Error) -> Self {
        IpcError::internal(format!("desktop shell: {e}"))
    }
}

/// What every command returns.
pub type CmdResult<T> = Result<T, IpcError>;

/// Run blocking core work (SQLite, the OS credential store) off the async
/// runtime and map both its error and a panic of the worker.
pub async fn blocking<T, F>(f: F) -> CmdResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> hypercare::Result<T> + Send + 'static,
{
    match tauri::async_runtime::spawn_blocking(f).await {
        Ok(r) => r.map_err(IpcError::from),
        Err(e) => Err(IpcError::internal(format!("a background task failed: {e}; see the log file"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let e: IpcError = hypercare::Error::Offline { url: "http://10.0.0.1".into(), reason: "timed out".into() }.into();
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "offline");
        assert!(json["message"].as_str().unwrap().contains("cannot reach http://10.0.0.1"));
        assert_eq!(json.as_object().unwrap().len(), 2, "only code and message cross IPC: {json}");
    }

    #[test]
    fn an_import_problem_crosses_with_its_kind_for_the_panel_hint() {
        let e: IpcError = hypercare::Error::import(ImportProblem::Encoding, "x.csv is not UTF-8: byte 0xE9 on line 2").into();
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!((json["code"].as_str(), json["problem"].as_str()), (Some("invalid_input"), Some("encoding")));
        assert!(!json["message"].as_str().unwrap().contains("--"), "no CLI flag reaches the app: {json}");
    }

    #[test]
    fn a_refused_setting_crosses_with_the_key_of_its_field() {
        let e: IpcError = hypercare::Error::invalid_field("licensed_users", "Licensed users: \"x\" is not a number").into();
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!((json["code"].as_str(), json["field"].as_str()), (Some("invalid_input"), Some("licensed_users")));
    }

    #[test]
    fn a_store_that_cannot_open_crosses_with_why_for_the_window_advice() {
        let e: IpcError = hypercare::Error::SchemaTooNew { path: "/w/hypercare.sqlite3".into(), found: 120, known: 101 }.into();
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!((json["code"].as_str(), json["store"].as_str()), (Some("internal"), Some("too_new")));
        assert!(json["message"].as_str().unwrap().contains("schema 120"), "{json}");
    }

    #[test]
    fn every_code_is_snake_case_on_the_wire() {
        let cases = [
            (hypercare::Error::Auth("token refused".into()), "auth"),
            (hypercare::Error::not_found("no ticket 7"), "not_found"),
            (hypercare::Error::invalid("bad url"), "invalid_input"),
            (hypercare::Error::Conflict("changed".into()), "conflict"),
            (hypercare::Error::BadResponse("html".into()), "bad_response"),
            (hypercare::Error::Internal("bug".into()), "internal"),
        ];
        for (err, code) in cases {
            let json = serde_json::to_value(IpcError::from(err)).unwrap();
            assert_eq!(json["code"], code);
        }
    }
}
