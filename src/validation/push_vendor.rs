//! What the Jira, ServiceNow and Zendesk pushes share: evidence named with
//! the marker (their attachments carry no description), the upload of the
//! evidence not on the server yet, and what counts as a refusal of one write.
//!
//! Their conflict check is Redmine's rule ([`super::comment::changed_by_others`])
//! over each server's own history, read only when the ticket's last update
//! is newer than what the validator saw.

use std::future::Future;

use super::push::{Fail, Row};
use super::settle::{evidence, match_attachments};
use super::redmine::{HttpFailure, HttpResult, RemoteIssue};
use crate::Store;

/// A refusal of this one write (not the server refusing us altogether,
/// not a failure that may pass): the row is rejected, the rest goes on.
pub(super) fn refusal(f: &HttpFailure) -> bool {
    !f.transient && !f.stops_server()
}

/// The name an evidence file is attached under: it carries the marker.
pub(super) fn file_name(uuid: &str, name: &str) -> String {
    format!("{}{name}", file_prefix(uuid))
}

/// The start of the names of a validation's evidence files:
/// `hc-<first 8 characters of the uuid>-`.
pub(super) fn file_prefix(uuid: &str) -> String {
    format!("hc-{}-", uuid.chars().take(8).collect::<String>())
}

/// What [`upload_missing`] did.
pub(super) struct Uploads<T> {
    /// Files the server took: (original name, what the upload returned).
    pub(super) sent: Vec<(String, T)>,
    /// Names of the files the server refused (the comment lists them).
    pub(super) refused: Vec<String>,
    /// Rows of refused files, with the server's reason.
    pub(super) rejected: Vec<(i64, String)>,
}

/// Upload each evidence row of `attachments` that `before` does not show
/// yet with `upload(name, media type, content)`. A refused file rejects
/// its row and the rest goes on; any other failure stops the push (the
/// retry finds what landed by its name and size).
pub(super) async fn upload_missing<T, F, Fut>(
    store: &Store,
    before: &RemoteIssue,
    mk: &str,
    attachments: &[&Row],
    mut upload: F,
) -> Result<Uploads<T>, Fail>
where
    F: FnMut(String, String, Vec<u8>) -> Fut,
    Fut: Future<Output = HttpResult<T>>,
{
    let found = match_attachments(store, before, mk, attachments)?;
    let mut out = Uploads { sent: Vec::new(), refused: Vec::new(), rejected: Vec::new() };
    for row in attachments.iter().filter(|r| !found.iter().any(|(id, _)| *id == r.id)) {
        let (name, media, content) = store.read(|c| evidence(c, row.evidence_id))?;
        match upload(name.clone(), media, content).await {
            Ok(t) => out.sent.push((name, t)),
            Err(f) if refusal(&f) => {
                out.rejected.push((row.id, f.error.to_string()));
                out.refused.push(name);
            }
            Err(f) => return Err(f.into()),
        }
    }
    Ok(out)
}
