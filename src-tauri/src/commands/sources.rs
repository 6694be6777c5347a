//! Ticket servers: list, test, add (token to the credential store), remove.

use hypercare::model::{Source, SourceKind};
use hypercare::store::sources::NewSource;
use hypercare::sync::ConnectionInfo;
use hypercare::Error;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;

use crate::credentials::{default_token_env, TokenStorage};
use crate::error::{blocking, CmdResult};
use crate::state::AppState;

/// A server as the "Connect" form describes it.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ServerInput {
    pub kind: SourceKind,
    pub url: String,
    pub project: String,
    /// The API token; empty for a server that allows anonymous reads.
    pub token: String,
}

/// A source to add: the server plus a name.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct NewSourceInput {
    pub name: String,
    pub server: ServerInput,
}

/// What adding a source did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AddedSource {
    pub source: Source,
    /// Where the token went (the UI explains a session-only fallback).
    pub token_storage: Option<TokenStorage>,
}

/// Check the form before anything reaches the network or the store.
fn check_server(s: &ServerInput) -> hypercare::Result<()> {
    if s.kind == SourceKind::Demo {
        return Err(Error::invalid("the demo is built in; choose a ticket server kind such as Redmine"));
    }
    let url = tauri::Url::parse(s.url.trim()).map_err(|e| {
        Error::invalid(format!("server URL {:?} is not a URL ({e}); write it like https://redmine.example.com", s.url))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::invalid(format!("server URL {:?} must start with http:// or https://", s.url)));
    }
    if s.project.trim().is_empty() {
        return Err(Error::invalid("the project is empty: enter the project the form asks for under the server kind"));
    }
    hypercare::sync::check_project(s.kind, s.project.trim())
}

fn token_of(s: &ServerInput) -> Option<String> {
    Some(s.token.trim().to_string()).filter(|t| !t.is_empty())
}

/// All configured sources (the demo included).
#[tauri::command]
pub async fn list_sources(state: State<'_, AppState>) -> CmdResult<Vec<Source>> {
    let store = state.store().await?;
    blocking(move || store.sources()).await
}

/// Ask the server whether the URL, project and token work; stores nothing.
#[tauri::command]
pub async fn test_connection(server: ServerInput) -> CmdResult<ConnectionInfo> {
    check_server(&server)?;
    let token = token_of(&server);
    Ok(hypercare::sync::test_connection(server.kind, server.url.trim(), server.project.trim(), token).await?)
}

/// Add a source and keep its token in the OS credential store (or, where
/// there is none, for this session plus the source's environment variable).
#[tauri::command]
pub async fn add_source(state: State<'_, AppState>, input: NewSourceInput) -> CmdResult<AddedSource> {
    check_server(&input.server)?;
    let (store, creds) = (state.store().await?, state.credentials.clone());
    blocking(move || {
        let name = input.name.trim().to_string();
        let token = token_of(&input.server);
        let source = store.add_source(
            &NewSource {
                token_env: Some(default_token_env(&name)),
                name,
                kind: input.server.kind,
                url: input.server.url.trim().to_string(),
                project: input.server.project.trim().to_string(),
                config: serde_json::json!({}),
            },
            chrono::Utc::now(),
        )?;
        tracing::info!(source = %source.name, kind = source.kind.as_str(), "source added");
        let token_storage = token.map(|t| creds.save(&source, &t));
        Ok(AddedSource { source, token_storage })
    })
    .await
}

/// Replace the API token of an existing source (a new key, or a restart on
/// a machine without a credential store).
#[tauri::command]
pub async fn set_source_token(state: State<'_, AppState>, name: String, token: String) -> CmdResult<TokenStorage> {
    let (store, creds) = (state.store().await?, state.credentials.clone());
    blocking(move || {
        let token = token.trim();
        if token.is_empty() {
            return Err(Error::invalid("the API token is empty: paste the key from the server's account page"));
        }
        let source = store.source(&name)?;
        let storage = creds.save(&source, token);
        tracing::info!(source = %source.name, "token replaced");
        Ok(storage)
    })
    .await
}

/// Remove a source, everything synced from it, and its stored token.
#[tauri::command]
pub async fn remove_source<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, name: String) -> CmdResult<()> {
    let (store, creds) = (state.store().await?, state.credentials.clone());
    blocking(move || {
        store.remove_source(&name)?;
        creds.forget(&name);
        tracing::info!(source = %name, "source removed");
        Ok(())
    })
    .await?;
    // A pass may be embedding the removed tickets' texts: start over on what is left.
    crate::refine_runner::restart_refine(&app);
    Ok(())
}


#[cfg(test)]
mod tests {
    use super::*;

    fn server(url: &str, project: &str) -> ServerInput {
        ServerInput { kind: SourceKind::Redmine, url: url.into(), project: project.into(), token: String::new() }
    }

    #[test]
    fn the_form_is_checked_before_the_network() {
        assert!(check_server(&server("http://127.0.0.1:3000", "erp")).is_ok());
        let bad = check_server(&server("redmine.example.com", "erp")).unwrap_err();
        assert_eq!(bad.code(), hypercare::ErrorCode::InvalidInput);
        assert!(bad.to_string().contains("https://redmine.example.com"), "{bad}");
        assert!(check_server(&server("ftp://x.example", "erp")).is_err());
        assert!(check_server(&server("https://x.example", "  ")).unwrap_err().to_string().contains("project"));
        let sn = |project: &str| ServerInput { kind: SourceKind::ServiceNow, ..server("https://x.service-now.com", project) };
        assert!(check_server(&sn("incident: assignment_group.name=Hypercare")).is_ok());
        assert_eq!(check_server(&sn("Incident")).unwrap_err().field(), Some("project"));
    }
}

/// The custom fields a source's synced tickets carry, and which hold
/// impact, urgency and satisfaction.
#[tauri::command]
pub async fn source_fields(state: State<'_, AppState>, source: String) -> CmdResult<hypercare::store::fields::SourceFields> {
    let store = state.store().await?;
    blocking(move || store.source_fields(&source)).await
}

/// Choose the fields that hold impact, urgency and satisfaction (`None`:
/// none), all at once. The UI re-runs triage when impact or urgency changed.
#[tauri::command]
pub async fn set_source_fields(
    state: State<'_, AppState>,
    source: String,
    impact: Option<i64>,
    urgency: Option<i64>,
    csat: Option<i64>,
) -> CmdResult<hypercare::store::fields::SourceFields> {
    let store = state.store().await?;
    let choice = hypercare::store::fields::FieldChoice { impact, urgency, csat };
    blocking(move || store.set_source_fields(&source, choice)).await
}
