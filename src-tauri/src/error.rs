//! The error that crosses IPC: `{code, message}`.
//!
//! `code` is the core's [`ErrorCode`], which the UI switches on (never on the
//! text); `message` is the core's one-line message, which says what failed
//! and what to do. Neither ever carries a credential.

use hypercare::ErrorCode;
use serde::Serialize;
use ts_rs::TS;

/// An error as the UI receives it from every command.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl IpcError {
    /// An error of the shell itself (a background task that died...).
    pub fn internal(message: impl Into<String>) -> Self {
        IpcError { code: ErrorCode::Internal, message: message.into() }
    }
}

impl From<hypercare::Error> for IpcError {
    fn from(e: hypercare::Error) -> Self {
        IpcError { code: e.code(), message: e.to_string() }
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
