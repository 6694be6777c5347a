//! End to end in the real app window: a trainer's theme edits on the demo
//! workspace. Merge (with its confirmation) and Undo, Split, a rename that
//! survives "Run triage", and a training marker (a future date refused, the
//! before/after counts, removal). Same harness as `e2e.rs`; no Redmine.
//! Run alone: `timeout 300 cargo test -p hypercare-desk --test e2e_themes -- --test-threads=1`.

mod support;

use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use fantoccini::Locator;
use serde::Deserialize;
use serde_json::json;
use support::{testid, App, DEMO_WORDS_ONLY, WAIT_TIMEOUT};

/// A theme as its row shows it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
struct Theme {
    id: i64,
    name: String,
    /// Tickets and survey comments (`data-count`).
    count: usize,
    comments: usize,
}

impl Theme {
    fn tickets(&self) -> usize {
        self.count - self.comments
    }
}

/// Every theme row, in display order.
async fn themes(app: &App) -> Result<Vec<Theme>> {
    let rows = app
        .exec(
            "return [...document.querySelectorAll('[data-testid=theme-row]')].map((r) => {
               const c = r.querySelector('[data-testid=theme-count]');
               return { id: Number(r.dataset.themeId), name: r.querySelector('[data-testid=theme-name]').innerText,
                        count: Number(c.dataset.count), comments: Number(c.dataset.surveyComments) };
             });",
            vec![],
        )
        .await?;
    serde_json::from_value(rows).context("reading the theme rows")
}

/// Wait until the theme rows satisfy `ok`; returns them.
async fn wait_themes(app: &App, what: &str, ok: impl Fn(&[Theme]) -> bool) -> Result<Vec<Theme>> {
    let deadline = std::time::Instant::now() + WAIT_TIMEOUT;
    loop {
        let shown = themes(app).await?;
        if ok(&shown) {
            return Ok(shown);
        }
        if std::time::Instant::now() >= deadline {
            bail!("{what}: not shown within {WAIT_TIMEOUT:?}; the themes are {shown:#?}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

fn by_id(themes: &[Theme], id: i64) -> Option<&Theme> {
    themes.iter().find(|t| t.id == id)
}

/// CSS of the element with testid `id` inside the row of theme `theme`.
fn in_row(theme: i64, id: &str) -> String {
    format!("[data-testid=\"theme-row\"][data-theme-id=\"{theme}\"] {}", testid(id))
}

/// Open the Themes view and wait for its rows.
async fn open_themes(app: &App) -> Result<Vec<Theme>> {
    app.click("nav-themes").await?;
    app.wait_testid("themes-count").await?;
    wait_themes(app, "some themes", |t| t.len() >= 4).await
}

/// Merge `from` into `into` through the confirmation, then Undo.
async fn merge_and_undo(app: &App, from: &Theme, into: &Theme) -> Result<()> {
    let before = themes(app).await?;
    app.click_css(&in_row(from.id, "theme-merge")).await?;
    app.set_value("theme-merge-into", &into.id.to_string()).await?;
    app.click("theme-save").await?;
    let question = app.text("theme-confirm-text").await?;
    let sum = from.count + into.count;
    ensure!(
        question.contains(&from.name) && question.contains(&into.name) && question.contains(&format!("{sum} items")),
        "the merge question does not name both themes and the summed count {sum}: {question:?}"
    );
    ensure!(themes(app).await? == before, "the themes changed before the merge was confirmed");

    app.click("theme-confirm").await?;
    app.wait_text("themes-notice", &format!("Merged “{}” into “{}”", from.name, into.name), WAIT_TIMEOUT).await?;
    let merged = wait_themes(app, "the merged theme", |t| by_id(t, from.id).is_none()).await?;
    let kept = by_id(&merged, into.id).context("the theme merged into is gone")?;
    ensure!(kept.count == sum, "after the merge “{}” shows {} items, not {} + {}", into.name, kept.count, into.count, from.count);
    ensure!(merged.len() == before.len() - 1, "{} themes after merging two of {}", merged.len(), before.len());
    app.wait_text("themes-count", &format!("{} recurring themes", before.len() - 1), WAIT_TIMEOUT).await?;

    app.click("theme-undo-merge").await?;
    app.wait_text("themes-notice", &format!("Merge undone: “{}” is back", from.name), WAIT_TIMEOUT).await?;
    let undone = wait_themes(app, "both themes back", |t| by_id(t, from.id).is_some()).await?;
    ensure!(by_id(&undone, from.id) == Some(from), "after Undo “{}” is not back as it was: {:?}", from.name, by_id(&undone, from.id));
    ensure!(by_id(&undone, into.id) == Some(into), "after Undo “{}” is not back as it was: {:?}", into.name, by_id(&undone, into.id));
    ensure!(undone.len() == before.len(), "{} themes after Undo, {} before the merge", undone.len(), before.len());
    Ok(())
}

/// Split two tickets out of `theme` into a new theme called `name`; returns
/// the keys of the moved tickets.
async fn split(app: &App, theme: &Theme, name: &str) -> Result<Vec<String>> {
    app.click_css(&in_row(theme.id, "theme-split")).await?;
    app.wait_testid("theme-split-ticket").await?;
    let offered = app.count(&testid("theme-split-ticket")).await?;
    ensure!(offered == theme.tickets(), "the split offers {offered} tickets; the theme has {}", theme.tickets());
    // Tick the first two tickets; their keys as the split form lists them.
    let boxes = app.client()?.find_all(Locator::Css(&testid("theme-split-ticket"))).await?;
    for b in boxes.iter().take(2) {
        b.click().await?;
    }
    let picked = app
        .exec(
            "return [...document.querySelectorAll('[data-testid=theme-split-ticket]:checked')]
               .map((c) => c.closest('label').querySelector('.muted').innerText);",
            vec![],
        )
        .await?;
    let keys: Vec<String> = serde_json::from_value(picked)?;
    ensure!(keys.len() == 2 && keys.iter().all(|k| k.starts_with('#')), "picked no ticket keys: {keys:?}");
    app.type_into("theme-split-name", name).await?;
    app.click("theme-save").await?;
    app.wait_text("theme-confirm-text", &format!("Move 2 tickets out of “{}” into a new theme “{name}”", theme.name), WAIT_TIMEOUT).await?;
    app.click("theme-confirm").await?;
    app.wait_text("themes-notice", &format!("Moved 2 tickets into the new theme “{name}”"), WAIT_TIMEOUT).await?;
    let after = wait_themes(app, "the new theme", |t| t.iter().any(|x| x.name == name)).await?;
    let new = after.iter().find(|t| t.name == name).context("no new theme")?;
    ensure!(new.count == 2 && new.comments == 0, "the new theme holds {new:?}, not the 2 picked tickets");
    let old = by_id(&after, theme.id).context("the split theme is gone")?;
    ensure!(old.count == theme.count - 2, "“{}” shows {} items after moving 2 of {} out", theme.name, old.count, theme.count);
    let examples = app.texts(&in_row(new.id, "theme-example")).await?;
    for key in &keys {
        ensure!(examples.iter().any(|e| e.starts_with(key.as_str())), "the new theme does not show ticket {key}: {examples:?}");
    }
    Ok(keys)
}

/// Split the first ticket and the first survey comment of `theme` into a new
/// theme called `name` (the picker lists comments after the tickets).
async fn split_with_comment(app: &App, theme: &Theme, name: &str) -> Result<()> {
    app.click_css(&in_row(theme.id, "theme-split")).await?;
    app.wait_testid("theme-split-comment").await.context("the split offers no survey comment")?;
    let offered = (app.count(&testid("theme-split-ticket")).await?, app.count(&testid("theme-split-comment")).await?);
    ensure!(offered == (theme.tickets(), theme.comments), "the split offers {offered:?} (tickets, comments) of {theme:?}");
    app.click_css(&testid("theme-split-ticket")).await?;
    app.click_css(&testid("theme-split-comment")).await?;
    app.type_into("theme-split-name", name).await?;
    app.click("theme-save").await?;
    let question = format!("Move 1 ticket and 1 survey comment out of “{}” into a new theme “{name}”", theme.name);
    app.wait_text("theme-confirm-text", &question, WAIT_TIMEOUT).await?;
    app.click("theme-confirm").await?;
    app.wait_text("themes-notice", &format!("Moved 1 ticket and 1 survey comment into the new theme “{name}”"), WAIT_TIMEOUT).await?;
    let after = wait_themes(app, "the new theme", |t| t.iter().any(|x| x.name == name)).await?;
    let new = after.iter().find(|t| t.name == name).context("no new theme")?;
    ensure!((new.count, new.comments) == (2, 1), "the new theme holds {new:?}, not the picked ticket and comment");
    let old = by_id(&after, theme.id).context("the split theme is gone")?;
    ensure!(old.comments == theme.comments - 1, "“{}” still shows {} survey comments", theme.name, old.comments);
    Ok(())
}

/// The demo's data runs from its go-live (2026-09-28) for six weeks: a
/// marker in the middle has tickets on both sides.
const MARKER_DAY: &str = "2026-10-19";

/// Items of `theme` dated before `day` (UTC), read from the store with SQL:
/// an independent count to hold the view's "before" against.
fn items_before(app: &App, theme: i64, day: &str) -> Result<usize> {
    let store = hypercare::Store::open_dir(app.data_dir()).context("opening the app's store")?;
    let n: i64 = store.read(|c| {
        Ok(c.query_row(
            "SELECT (SELECT COUNT(*) FROM theme_members m JOIN tickets t ON t.id = m.ticket_id
                     WHERE m.theme_id = ?1 AND t.deleted_at IS NULL AND date(t.created_at, 'unixepoch') < ?2)
                  + (SELECT COUNT(*) FROM theme_comment_members m JOIN survey_responses s ON s.id = m.response_id
                     WHERE m.theme_id = ?1 AND date(s.answered_at, 'unixepoch') < ?2)",
            rusqlite::params![theme, day],
            |r| r.get(0),
        )?)
    })?;
    Ok(n as usize)
}

/// JS: the user's local date `days` from today, as YYYY-MM-DD.
const LOCAL_DATE_JS: &str = "(days) => { const d = new Date(); d.setDate(d.getDate() + days);
  const p = (n) => String(n).padStart(2, '0'); return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`; }";

/// Mark `theme` as addressed by training: a future date is refused with a
/// visible problem; a past one shows before/after counts; then remove it.
async fn training_marker(app: &App, theme: &Theme) -> Result<()> {
    let effect = in_row(theme.id, "theme-before-after");
    ensure!(app.count(&effect).await? == 0, "the demo theme already has a marker");
    app.click_css(&in_row(theme.id, "theme-mark-training")).await?;
    let today = app.exec(&format!("return ({LOCAL_DATE_JS})(0);"), vec![]).await?;
    ensure!(json!(app.value("theme-training-date").await?) == today, "the date does not default to today ({today})");

    let next_week = app.exec(&format!("return ({LOCAL_DATE_JS})(7);"), vec![]).await?;
    let next_week = next_week.as_str().context("no date")?.to_string();
    app.set_value("theme-training-date", &next_week).await?;
    app.click("theme-save").await?;
    app.wait_text("theme-form-problem", &format!("{next_week} is in the future"), WAIT_TIMEOUT)
        .await
        .context("a future training date is not refused visibly")?;
    ensure!(app.count(&effect).await? == 0, "a future marker was added");

    app.set_value("theme-training-date", MARKER_DAY).await?;
    app.click("theme-save").await?;
    app.wait_text("themes-notice", &format!("Marked “{}” as addressed: Training on {MARKER_DAY}", theme.name), WAIT_TIMEOUT).await?;
    let el = app.wait_css(&effect, WAIT_TIMEOUT).await?;
    let text = el.text().await?;
    let attr = |name: &'static str| {
        let el = el.clone();
        async move {
            let v = el.attr(name).await?.with_context(|| format!("no {name}"))?;
            v.parse::<usize>().with_context(|| format!("{name} = {v:?}"))
        }
    };
    let (before, after) = (attr("data-before").await?, attr("data-after").await?);
    ensure!(
        text.starts_with(&format!("Training on {MARKER_DAY}: ")) && text.contains(&format!("before ({before})")) && text.contains(&format!("after ({after})")),
        "the marker line does not read as its counts ({before} before, {after} after): {text:?}"
    );
    ensure!(before > 0 && after > 0, "a mid-demo marker must have items on both sides: {text:?}");
    ensure!(before + after == theme.count, "{before} before + {after} after is not the theme's {} items", theme.count);
    let want = items_before(app, theme.id, MARKER_DAY)?;
    ensure!(before == want, "the view counts {before} items before {MARKER_DAY}; the store has {want}");
    let dashed = app.count(&format!("{} line.marker", in_row(theme.id, "theme-sparkline"))).await?;
    ensure!(dashed == 1, "the sparkline shows {dashed} marker lines, not 1");

    let remove = in_row(theme.id, "theme-marker-remove");
    app.click_css(&remove).await?;
    app.wait_until("the removal asks again", WAIT_TIMEOUT, &format!(
        "document.querySelector({:?})?.innerText.includes('Really remove?')", remove
    ))
    .await?;
    ensure!(app.count(&effect).await? == 1, "one click removed the marker");
    app.click_css(&remove).await?;
    app.wait_text("themes-notice", "Marker removed", WAIT_TIMEOUT).await?;
    app.wait_gone(&effect, WAIT_TIMEOUT).await.context("the removed marker is still shown")?;
    Ok(())
}

/// Rename `theme`, run triage again from the Triage view, come back: the
/// name holds (a re-run names automatic themes by their key terms).
async fn rename_survives_run_triage(app: &App, theme: &Theme, name: &str) -> Result<()> {
    app.click_css(&in_row(theme.id, "theme-rename")).await?;
    ensure!(app.value("theme-name-input").await? == theme.name, "the rename field does not start with the name");
    app.type_into("theme-name-input", name).await?;
    app.click("theme-save").await?;
    app.wait_text("themes-notice", &format!("Renamed to “{name}”"), WAIT_TIMEOUT).await?;
    wait_themes(app, "the new name", |t| by_id(t, theme.id).is_some_and(|x| x.name == name)).await?;

    app.click("nav-triage").await?;
    app.click("triage-run").await?;
    app.wait_text("triage-note", "Triaged", Duration::from_secs(120)).await.context("Run triage did not finish")?;
    let shown = open_themes(app).await?;
    let renamed = shown.iter().find(|t| t.name == name).with_context(|| format!("“{name}” is gone after Run triage: {shown:#?}"))?;
    ensure!(renamed.id == theme.id, "the name moved to another theme: {renamed:?}, was {theme:?}");
    ensure!(!shown.iter().any(|t| t.name == theme.name), "the old name “{}” came back after Run triage", theme.name);
    Ok(())
}

#[tokio::test]
async fn a_trainer_merges_undoes_splits_renames_and_marks_themes() {
    // Words only (DEMO_WORDS_ONLY): what the test sees changes only through
    // its own clicks and its own "Run triage".
    let app = App::start_with("themes_edit", DEMO_WORDS_ONLY).await.expect("starting the app");
    let outcome = async {
        app.wait_testid("inbox-list").await?;
        let shown = open_themes(&app).await?;
        // Themes of tickets only: counts then read as plain ticket counts.
        let plain: Vec<&Theme> = shown.iter().filter(|t| t.comments == 0 && t.count >= 3).collect();
        ensure!(plain.len() >= 3, "the demo needs three themes of 3+ tickets and no survey comments: {shown:#?}");
        let (a, b, c) = (plain[0].clone(), plain[1].clone(), plain[2].clone());

        merge_and_undo(&app, &b, &a).await.context("merge and undo")?;
        let split_name = format!("E2E split {}", support::app::unix_millis());
        split(&app, &c, &split_name).await.context("split")?;
        let now = themes(&app).await?;
        let mixed = now
            .iter()
            .find(|t| t.comments >= 1 && t.tickets() >= 2 && ![a.id, b.id, c.id].contains(&t.id))
            .context("the demo needs a theme with survey comments")?
            .clone();
        let mixed_name = format!("E2E split with a comment {}", support::app::unix_millis());
        split_with_comment(&app, &mixed, &mixed_name).await.context("split with a survey comment")?;
        let now = themes(&app).await?;
        let biggest = now.iter().max_by_key(|t| t.count).context("no theme")?.clone();
        training_marker(&app, &biggest).await.context("training marker")?;
        let new_name = format!("Posting keys (renamed {})", support::app::unix_millis());
        rename_survives_run_triage(&app, &a, &new_name).await.context("rename and Run triage")?;
        // The splits, too, survive the re-run: their tickets and comments are pinned there.
        let after = themes(&app).await?;
        let kept = after.iter().find(|t| t.name == split_name).context("the split theme is gone after Run triage")?;
        ensure!(kept.count == 2, "the split theme holds {} items after Run triage, not 2", kept.count);
        let kept = after.iter().find(|t| t.name == mixed_name).context("the split theme with a comment is gone after Run triage")?;
        ensure!((kept.count, kept.comments) == (2, 1), "after Run triage the split theme with a comment holds {kept:?}");
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}

/// Wait until the element with testid `id` has the focus.
async fn wait_focused(app: &App, id: &str, what: &str) -> Result<()> {
    let probe = format!("document.activeElement?.dataset?.testid === '{id}'");
    if app.wait_until(what, WAIT_TIMEOUT, &probe).await.is_err() {
        bail!("{what}: the focus is on {:?}", app.focused_testid().await?);
    }
    Ok(())
}

/// A keyboard user merges two themes: each step of the form takes the focus
/// (the "Merge into" list, then the confirmation's Merge button), so Enter
/// and arrows go on without a mouse; and an 81-character name is refused with
/// a message, leaving the theme's name as it was.
#[tokio::test]
async fn theme_forms_take_the_focus_and_an_overlong_name_is_refused() {
    let app = App::start_with("themes_keyboard", DEMO_WORDS_ONLY).await.expect("starting the app");
    let enter = char::from(fantoccini::key::Key::Enter).to_string();
    let outcome = async {
        app.wait_testid("inbox-list").await?;
        let shown = open_themes(&app).await?;
        let (a, b) = (shown[0].clone(), shown[1].clone());

        app.exec("arguments[0].focus();", vec![serde_json::to_value(app.wait_css(&in_row(b.id, "theme-merge"), WAIT_TIMEOUT).await?)?])
            .await?;
        app.press(&enter).await?;
        wait_focused(&app, "theme-merge-into", "the “Merge into” list has the focus after Merge…").await?;
        app.set_value("theme-merge-into", &a.id.to_string()).await?;
        app.exec("document.querySelector('[data-testid=theme-save]').focus();", vec![]).await?;
        app.press(&enter).await?;
        app.wait_testid("theme-confirm-text").await?;
        wait_focused(&app, "theme-confirm", "the confirmation's Merge button has the focus after Next…").await?;
        app.press(&enter).await?;
        app.wait_text("themes-notice", &format!("Merged “{}” into “{}”", b.name, a.name), WAIT_TIMEOUT).await?;

        app.click_css(&in_row(a.id, "theme-rename")).await?;
        // (WebDriver cannot type characters outside the BMP such as emoji:
        // the core test counts those.)
        app.type_into("theme-name-input", &"x".repeat(81)).await?;
        app.click("theme-save").await?;
        app.wait_text("themes-error", "at most 80 characters", WAIT_TIMEOUT).await.context("an 81-character name is not refused visibly")?;
        let now = themes(&app).await?;
        ensure!(by_id(&now, a.id).map(|t| t.name.as_str()) == Some(a.name.as_str()), "the refused rename changed the name: {now:#?}");
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}
