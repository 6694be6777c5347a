//! Survey imports from the desktop: preview a CSV export with a guessed
//! mapping, keep named mappings, import with one. The file is read by the
//! shell from a path the user typed or chose; nothing is uploaded.

use std::path::PathBuf;

use chrono::Utc;
use hypercare::import::preview::{preview_survey as preview, FileLayout, SurveyPreview};
use hypercare::import::surveys::{import_surveys, SurveyMapping};
use hypercare::import::{Encoding, ImportOptions, ImportSummary};
use hypercare::kpi::Period;
use hypercare::{Error, Store};
use tauri::{AppHandle, Runtime, State};

use crate::error::{blocking, CmdResult};
use crate::refine_runner::spawn_refine;
use crate::state::AppState;

fn encoding(e: Option<&str>) -> hypercare::Result<Encoding> {
    e.map_or(Ok(Encoding::Utf8), Encoding::parse)
}

fn path(p: &str) -> hypercare::Result<PathBuf> {
    let p = p.trim().trim_matches('"');
    if p.is_empty() {
        return Err(Error::invalid("choose a file: type or paste its full path"));
    }
    Ok(PathBuf::from(p))
}

/// The columns and first rows of the export at `path`, with a guessed
/// mapping for the user to confirm. `encoding`: `utf-8` (default) or
/// `latin1`; `layout`: the user's header lines and separator (`null`: guess).
#[tauri::command]
pub async fn preview_survey(
    state: State<'_, AppState>,
    path: String,
    encoding: Option<String>,
    layout: Option<FileLayout>,
) -> CmdResult<SurveyPreview> {
    let store = state.store().await?;
    blocking(move || {
        let tz = Period::parse_tz(&store.kpi_settings()?.timezone)?;
        preview(&self::path(&path)?, self::encoding(encoding.as_deref())?, tz, layout.unwrap_or_default())
    })
    .await
}

/// Names of the saved survey mappings, A to Z.
#[tauri::command]
pub async fn survey_mappings(state: State<'_, AppState>) -> CmdResult<Vec<String>> {
    let store = state.store().await?;
    blocking(move || store.survey_mapping_names()).await
}

/// A saved survey mapping (`not_found` when there is none by that name).
#[tauri::command]
pub async fn survey_mapping(state: State<'_, AppState>, name: String) -> CmdResult<SurveyMapping> {
    let store = state.store().await?;
    blocking(move || store.survey_mapping(&name)).await
}

/// Save (or replace) a named survey mapping; `invalid_input` when it lacks
/// a timestamp or a score column.
#[tauri::command]
pub async fn save_survey_mapping(state: State<'_, AppState>, name: String, mapping: SurveyMapping) -> CmdResult<()> {
    let store = state.store().await?;
    blocking(move || store.save_survey_mapping(&name, &mapping, Utc::now())).await
}

/// Import the export at `path` with the saved mapping `mapping`:
/// all-or-nothing unless `skip_bad_rows`; a file already imported is
/// refused with `conflict`. New comments join triage and the themes at
/// once (on words), then are refined in the background (`triage-refine`
/// events report the progress), as after a sync.
#[tauri::command]
pub async fn import_survey_file<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
    mapping: String,
    skip_bad_rows: bool,
    encoding: Option<String>,
) -> CmdResult<ImportSummary> {
    let store = state.store().await?;
    let (summary, refine) = blocking(move || {
        let opts = ImportOptions { skip_bad_rows, encoding: self::encoding(encoding.as_deref())? };
        import_named(&store, &self::path(&path)?, &mapping, opts)
    })
    .await?;
    if refine {
        spawn_refine(&app);
    }
    Ok(summary)
}

/// Import with a saved mapping, then triage the new comments (as the CLI
/// does; the model never runs here). The answers are in once the import
/// returns: a failed triage is logged, not reported as a failed import.
/// Also says whether the background refinement has work: comments triaged
/// on words, or not triaged at all (the refinement triages those too).
fn import_named(store: &Store, path: &std::path::Path, mapping: &str, opts: ImportOptions) -> hypercare::Result<(ImportSummary, bool)> {
    let m = store.survey_mapping(mapping)?;
    let summary = import_surveys(store, path, &m, opts, Utc::now())?;
    let refine = match hypercare::triage::triage_new_comments(store, Utc::now()) {
        Ok(t) => t.pending > 0,
        Err(e) => {
            tracing::warn!("survey comments imported but not triaged: {e}");
            true
        }
    };
    Ok((summary, refine))
}
