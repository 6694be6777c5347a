//! Themes in the store: re-clustering, identity across re-runs, placing the
//! tickets of an incremental sync, and trainer edits.
//!
//! A re-run keeps a theme's identity (id, trainer's name, markers) when a new
//! cluster holds at least half of its earlier members' tickets; several
//! clusters may land in one theme, which is how a trainer's merge survives.
//! **Invariant:** tickets and survey comments a trainer placed by a split
//! are pinned and no re-run moves them; a renamed theme keeps its name.

use std::collections::HashSet;

use rustc_hash::FxHashMap as HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::classify::TicketText;
use super::polarity;
use super::survey_items::{comment_text, load_comments, membership, ItemOrigin};
use super::text::{analyze, Analyzed};
use super::embed::{center_one, cosine, embed_text, DIM};
use super::embed_store::{cached, cached_for, embeddings_for};
use super::themes::{detect_with, dot, item_terms, normalise, theme_analysis, Dense, Space, SparseVec, ThemeConfig, ThemeInput, MIN_THEME_SIZE};
pub use super::theme_edits::{mark_training, merge_themes, remove_training_marker, rename_theme, split_theme, theme_items, unmerge_theme, SplitItems};
use crate::model::Category;
use crate::store::to_ts;
use crate::{Error, Result, Store};

/// Terms kept per stored theme centroid.
const CENTROID_TERMS: usize = 150;

/// Term weights shared by the centroids, saved for incremental placement.
#[derive(Debug, Default, Serialize, Deserialize)]
struct SavedSpace {
    n: usize,
    idf: HashMap<String, f32>,
    /// The mean embedding the run centred on (empty: embeddings were off).
    #[serde(default)]
    mean: Vec<f32>,
    /// Weight of the embedding cosine in that run (0: off).
    #[serde(default)]
    embed_weight: f32,
    /// The merge threshold of that run (0: the words-only default).
    #[serde(default)]
    threshold: f32,
}

/// Prefix of the embedding dimensions stored among a centroid's terms
/// (`~0`..`~383`); no word starts with it.
const DENSE_PREFIX: char = '~';

/// One analysed item for a theme refresh: a ticket or a survey comment.
pub struct ThemeItem<'a> {
    /// `tickets.id` or `survey_responses.id`, as `origin` says.
    pub id: i64,
    pub origin: ItemOrigin,
    pub title: &'a str,
    pub description: &'a str,
    pub analyzed: Analyzed,
    pub category: Option<Category>,
    /// The item's sentence embedding (see [`super::embed_store`]).
    pub embedding: Option<Vec<f32>>,
}

struct Item {
    id: i64,
    origin: ItemOrigin,
    title: String,
    description: String,
    category: Option<Category>,
    channel: Option<String>,
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Internal(e.to_string()))
}

/// Whether the last full clustering used sentence embeddings (then new
/// items can be placed in its themes by their embeddings too).
pub fn last_run_embedded(c: &Connection) -> Result<bool> {
    let saved: Option<String> =
        c.query_row("SELECT value FROM triage_settings WHERE key = 'theme_space'", [], |r| r.get(0)).optional()?;
    Ok(saved.and_then(|s| serde_json::from_str::<SavedSpace>(&s).ok()).is_some_and(|s| s.embed_weight > 0.0 && s.mean.len() == DIM))
}

/// Re-cluster all tickets and survey comments; returns the number of
/// themes with members.
pub fn refresh_themes(store: &Store, now: DateTime<Utc>) -> Result<usize> {
    let items: Vec<Item> = store.read(|c| {
        let mut st = c.prepare(
            "SELECT t.id, t.title, t.description, COALESCE(tr.category_override, tr.category), t.tracker
             FROM tickets t LEFT JOIN triage tr ON tr.ticket_id = t.id
             WHERE t.deleted_at IS NULL ORDER BY t.created_at, t.id",
        )?;
        let rows = st.query_map([], |r| {
            let c: Option<String> = r.get(3)?;
            Ok(Item {
                id: r.get(0)?,
                origin: ItemOrigin::Ticket,
                title: r.get(1)?,
                description: r.get(2)?,
                category: c.as_deref().and_then(Category::parse),
                channel: r.get(4)?,
            })
        })?;
        let mut items = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        let mut st = c.prepare("SELECT response_id, COALESCE(category_override, category) FROM survey_comment_triage")?;
        let cats: HashMap<i64, String> = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        for sc in load_comments(c)? {
            let text = comment_text(&sc.text);
            items.push(Item {
                id: sc.id,
                origin: ItemOrigin::SurveyComment,
                title: text.title,
                description: text.description,
                category: cats.get(&sc.id).and_then(|c| Category::parse(c)),
                channel: text.channel,
            });
        }
        Ok(items)
    })?;
    let texts: Vec<String> = items.iter().map(|i| embed_text(&i.title, &i.description, i.channel.as_deref())).collect();
    let (vectors, _) = embeddings_for(store, &texts)?;
    let items: Vec<ThemeItem> = items
        .iter()
        .zip(vectors)
        .map(|(i, embedding)| ThemeItem {
            id: i.id,
            origin: i.origin,
            title: &i.title,
            description: &i.description,
            analyzed: theme_analysis(analyze(&i.title, &i.description), i.channel.as_deref(), &i.description),
            category: i.category,
            embedding,
        })
        .collect();
    refresh_themes_with(store, &items, now)
}

/// Re-cluster already analysed items (oldest first); returns the number of
/// themes with members.
/// Survey comments that state no problem ([`polarity`]) take no part.
pub fn refresh_themes_with(store: &Store, items: &[ThemeItem], now: DateTime<Utc>) -> Result<usize> {
    let items: Vec<&ThemeItem> = items.iter().filter(|i| forms_themes(i.origin, i.description)).collect();
    let inputs: Vec<ThemeInput> = items
        .iter()
        .map(|i| ThemeInput { analyzed: &i.analyzed, title: i.title, description: i.description, category: i.category, embedding: i.embedding.as_deref() })
        .collect();
    let cfg = ThemeConfig::for_embeddings(!items.is_empty() && items.iter().all(|i| i.embedding.is_some()));
    let (space, vecs) = Space::vectors(&inputs, &cfg);
    // The shipped seed tickets steady the mean the embeddings are centred on.
    let background: Vec<Vec<f32>> = if cfg.embed_weight > 0.0 {
        let seed = super::store::seed_examples()?;
        let texts: Vec<String> = seed.iter().map(|l| embed_text(&l.text.title, &l.text.description, l.text.channel.as_deref())).collect();
        // Cached only: a full run never runs the model (the seed is
        // embedded before any ticket, by the refinement's training step).
        cached_for(store, &texts)?.into_iter().flatten().collect()
    } else {
        Vec::new()
    };
    let dense = Dense::of(&inputs, &cfg, &background);
    let clusters = detect_with(&inputs, &space, &vecs, &dense, &cfg);
    store.with_tx(|tx| {
        let owner = current_owners(tx)?;
        let pinned = pinned_items(tx)?;
        let mut members: HashMap<i64, Vec<ItemKey>> = HashMap::default();
        // theme -> (key terms, stored centroid)
        type Meta = (Vec<String>, Vec<(String, f32)>);
        let mut meta: HashMap<i64, Meta> = HashMap::default();
        let mut saved = SavedSpace { n: items.len(), idf: HashMap::default(), mean: dense.mean.clone(), embed_weight: dense.embed_weight, threshold: cfg.threshold };
        for cl in &clusters {
            let keys: Vec<ItemKey> = cl.members.iter().map(|m| (items[*m].origin, items[*m].id)).collect();
            let theme = match continued_theme(&keys, &owner) {
                Some(t) => t,
                None => {
                    tx.execute("INSERT INTO themes(name, created_at, updated_at) VALUES ('', ?1, ?1)", [to_ts(now)])?;
                    tx.last_insert_rowid()
                }
            };
            // The heaviest terms carry the centroid; storing only those keeps
            // incremental placement cheap.
            let mut top = cl.centroid.clone();
            top.sort_by(|a, b| b.1.total_cmp(&a.1));
            top.truncate(CENTROID_TERMS);
            normalise(&mut top);
            let mut centroid: Vec<(String, f32)> = top.iter().map(|(id, w)| (space.terms[*id as usize].clone(), *w)).collect();
            centroid.extend(cl.dense_centroid.iter().enumerate().map(|(k, w)| (format!("{DENSE_PREFIX}{k}"), *w)));
            for (id, _) in &top {
                let df = space.df[*id as usize].max(1) as f32;
                saved.idf.insert(space.terms[*id as usize].clone(), (space.n.max(1) as f32 / df).ln());
            }
            let free = keys.iter().filter(|k| !pinned.contains(*k));
            members.entry(theme).or_default().extend(free);
            meta.entry(theme).or_insert((cl.key_terms.clone(), centroid));
        }
        for origin in [ItemOrigin::Ticket, ItemOrigin::SurveyComment] {
            write_memberships(tx, origin, &members)?;
        }
        for theme in members.keys() {
            if let Some((terms, centroid)) = meta.get(theme) {
                tx.execute(
                    "UPDATE themes SET key_terms = ?2, centroid = ?3, updated_at = ?4,
                       name = CASE WHEN name_edited = 1 THEN name ELSE ?5 END WHERE id = ?1",
                    params![theme, json(terms)?, json(centroid)?, to_ts(now), terms.join(", ")],
                )?;
            }
        }
        // Drop automatic themes that lost every member and carry no trainer work.
        tx.execute(
            "DELETE FROM themes WHERE name_edited = 0 AND merged_into IS NULL
               AND id NOT IN (SELECT theme_id FROM theme_members)
               AND id NOT IN (SELECT theme_id FROM theme_comment_members)
               AND id NOT IN (SELECT theme_id FROM training_markers)
               AND id NOT IN (SELECT theme_id FROM theme_edits) AND id NOT IN (SELECT other_id FROM theme_edits WHERE other_id IS NOT NULL)",
            [],
        )?;
        tx.execute(
            "INSERT INTO triage_settings(key, value) VALUES ('theme_space', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [json(&saved)?],
        )?;
        Ok(members.len())
    })
}

/// Dissolve the automatic themes left with fewer than [`MIN_THEME_SIZE`]
/// live members (tickets not deleted, survey comments) — after a source's
/// tickets were removed, a "theme" of one or two is no recurring problem.
/// A theme a trainer worked on (renamed, merged, split, marked, or holding
/// an item pinned by a split) stays. The members of a dissolved theme
/// belong to no theme until the next run places them. Returns how many
/// themes were dissolved.
pub(crate) fn dissolve_small_themes(tx: &Transaction<'_>) -> Result<usize> {
    let small: Vec<i64> = tx
        .prepare(
            "SELECT th.id FROM themes th
             WHERE th.merged_into IS NULL AND th.name_edited = 0
               AND (SELECT count(*) FROM theme_members m JOIN tickets t ON t.id = m.ticket_id
                    WHERE m.theme_id = th.id AND t.deleted_at IS NULL)
                 + (SELECT count(*) FROM theme_comment_members m WHERE m.theme_id = th.id) < ?1
               AND NOT EXISTS (SELECT 1 FROM theme_members m WHERE m.theme_id = th.id AND m.pinned = 1)
               AND NOT EXISTS (SELECT 1 FROM theme_comment_members m WHERE m.theme_id = th.id AND m.pinned = 1)
               AND NOT EXISTS (SELECT 1 FROM training_markers k WHERE k.theme_id = th.id)
               AND NOT EXISTS (SELECT 1 FROM theme_edits e WHERE e.theme_id = th.id OR e.other_id = th.id)
               AND NOT EXISTS (SELECT 1 FROM themes o WHERE o.merged_into = th.id)",
        )?
        .query_map([MIN_THEME_SIZE as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &small {
        // Memberships go with the theme (ON DELETE CASCADE).
        tx.execute("DELETE FROM themes WHERE id = ?1", [id])?;
    }
    Ok(small.len())
}

/// An item of a theme: its origin and id.
type ItemKey = (ItemOrigin, i64);

/// The existing theme a new cluster continues: the one that owned at least
/// half of its tickets before (a trainer's merge survives because several
/// clusters may land in one theme). Survey comments vote only in a cluster
/// without tickets, so importing comments never takes a theme's identity
/// away from the tickets that made it.
fn continued_theme(keys: &[ItemKey], owner: &HashMap<ItemKey, i64>) -> Option<i64> {
    let tickets = keys.iter().filter(|k| k.0 == ItemOrigin::Ticket).count();
    let voters = if tickets > 0 { ItemOrigin::Ticket } else { ItemOrigin::SurveyComment };
    let voting: Vec<&ItemKey> = keys.iter().filter(|k| k.0 == voters).collect();
    let mut votes: HashMap<i64, usize> = HashMap::default();
    for k in &voting {
        if let Some(t) = owner.get(*k) {
            *votes.entry(*t).or_default() += 1;
        }
    }
    votes.into_iter().max_by_key(|(t, v)| (*v, -*t)).filter(|(_, v)| 2 * v >= voting.len()).map(|(t, _)| t)
}

/// Rewrite the automatic memberships of one origin to `members`, touching
/// only the rows that change.
fn write_memberships(tx: &Transaction<'_>, origin: ItemOrigin, members: &HashMap<i64, Vec<ItemKey>>) -> Result<()> {
    let (table, col, unpinned) = membership(origin);
    let mut old: HashMap<i64, i64> = {
        let mut st = tx.prepare(&format!("SELECT {col}, theme_id FROM {table} WHERE {unpinned}"))?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<HashMap<_, _>>>()?
    };
    let mut ins = tx.prepare(&format!("INSERT OR IGNORE INTO {table}(theme_id, {col}) VALUES (?1, ?2)"))?;
    let mut del = tx.prepare(&format!("DELETE FROM {table} WHERE {col} = ?1 AND {unpinned}"))?;
    for (theme, keys) in members {
        for (_, id) in keys.iter().filter(|k| k.0 == origin) {
            match old.remove(id) {
                Some(t) if t == *theme => {}
                Some(_) => {
                    del.execute([id])?;
                    ins.execute(params![theme, id])?;
                }
                None => {
                    ins.execute(params![theme, id])?;
                }
            }
        }
    }
    for id in old.keys() {
        del.execute([id])?;
    }
    Ok(())
}

/// item → the active theme it belongs to now.
fn current_owners(c: &Connection) -> Result<HashMap<ItemKey, i64>> {
    let mut out = HashMap::default();
    for origin in [ItemOrigin::Ticket, ItemOrigin::SurveyComment] {
        let (table, col, _) = membership(origin);
        let mut st = c.prepare(&format!(
            "SELECT m.{col}, m.theme_id FROM {table} m JOIN themes t ON t.id = m.theme_id WHERE t.merged_into IS NULL"
        ))?;
        let rows = st.query_map([], |r| Ok(((origin, r.get::<_, i64>(0)?), r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (k, v) = row?;
            out.insert(k, v);
        }
    }
    Ok(out)
}

/// The items a trainer placed by a split (no re-run moves them).
fn pinned_items(c: &Connection) -> Result<HashSet<ItemKey>> {
    let mut out = HashSet::new();
    for origin in [ItemOrigin::Ticket, ItemOrigin::SurveyComment] {
        let (table, col, _) = membership(origin);
        let mut st = c.prepare(&format!("SELECT {col} FROM {table} WHERE pinned = 1"))?;
        for id in st.query_map([], |r| r.get::<_, i64>(0))? {
            out.insert((origin, id?));
        }
    }
    Ok(out)
}

/// The themes of the last full run, for placing single items: the saved
/// term weights and each active theme's stored centroid.
struct Placer {
    saved: SavedSpace,
    /// Theme, word centroid, embedding centroid (empty: none).
    centroids: Vec<(i64, HashMap<String, f32>, Vec<f32>)>,
    cfg: ThemeConfig,
}

impl Placer {
    fn load(c: &Connection) -> Result<Placer> {
        let saved: SavedSpace = c
            .query_row("SELECT value FROM triage_settings WHERE key = 'theme_space'", [], |r| r.get::<_, String>(0))
            .optional()?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default();
        let mut st = c.prepare("SELECT id, centroid FROM themes WHERE merged_into IS NULL")?;
        let centroids = st
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .map(|(id, c)| {
                let (dense, words): (Vec<(String, f32)>, Vec<(String, f32)>) =
                    serde_json::from_str::<Vec<(String, f32)>>(&c).unwrap_or_default().into_iter().partition(|(t, _)| t.starts_with(DENSE_PREFIX));
                (id, words.into_iter().collect(), dense_vector(&dense))
            })
            .collect();
        Ok(Placer { saved, centroids, cfg: ThemeConfig::default() })
    }

    /// The cached embedding of a text, centred as the last full run did;
    /// `None` when that run had no embeddings or the text has none yet.
    fn embedding(&self, c: &Connection, title: &str, description: &str, channel: Option<&str>) -> Result<Option<Vec<f32>>> {
        if self.saved.embed_weight <= 0.0 || self.saved.mean.len() != DIM {
            return Ok(None);
        }
        Ok(cached(c, &embed_text(title, description, channel))?.map(|mut e| {
            center_one(&mut e, &self.saved.mean);
            e
        }))
    }

    /// The nearest theme at or above the clustering threshold (words and,
    /// when given, the centred embedding, weighted as in the last full run).
    fn nearest(&self, a: &Analyzed, category: Option<Category>, emb: Option<&[f32]>) -> Option<i64> {
        let max_idf = (self.saved.n.max(2) as f32).ln();
        let raw = item_terms(a, category, &self.cfg);
        let mut names: Vec<&String> = raw.keys().collect();
        names.sort();
        let mut v: SparseVec = names
            .iter()
            .enumerate()
            .map(|(k, n)| (k as u32, raw[*n] * self.saved.idf.get(*n).copied().unwrap_or(max_idf)))
            .collect();
        normalise(&mut v);
        let w = self.saved.embed_weight;
        let threshold = match emb {
            Some(_) if self.saved.threshold > 0.0 => self.saved.threshold,
            _ => self.cfg.threshold,
        };
        self.centroids
            .iter()
            .map(|(theme, c, dense)| {
                let cv: SparseVec = names.iter().enumerate().filter_map(|(k, n)| c.get(*n).map(|w| (k as u32, *w))).collect();
                let words = dot(&v, &cv);
                let s = match emb {
                    Some(e) if dense.len() == DIM => (1.0 - w) * words + w * cosine(e, dense),
                    _ => words,
                };
                (*theme, s)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .filter(|(_, s)| *s >= threshold)
            .map(|(t, _)| t)
    }
}

/// Place changed tickets in the nearest existing theme (above the
/// clustering threshold), using the term weights (and the embedding mean)
/// of the last full run. A ticket's embedding comes from the cache
/// ([`super::embed_store`]); without one it is placed by its words alone.
pub fn assign_to_themes(tx: &Transaction<'_>, tickets: &[(i64, &TicketText)], _now: DateTime<Utc>) -> Result<()> {
    let placer = Placer::load(tx)?;
    let pinned = pinned_items(tx)?;
    for (id, text) in tickets {
        if pinned.contains(&(ItemOrigin::Ticket, *id)) {
            continue;
        }
        let a = theme_analysis(analyze(&text.title, &text.description), text.channel.as_deref(), &text.description);
        let category: Option<String> = tx
            .query_row("SELECT COALESCE(category_override, category) FROM triage WHERE ticket_id = ?1", [id], |r| r.get(0))
            .optional()?
            .flatten();
        tx.execute("DELETE FROM theme_members WHERE ticket_id = ?1 AND pinned = 0", [id])?;
        let emb = placer.embedding(tx, &text.title, &text.description, text.channel.as_deref())?;
        if let Some(theme) = placer.nearest(&a, category.as_deref().and_then(Category::parse), emb.as_deref()) {
            tx.execute("INSERT OR IGNORE INTO theme_members(theme_id, ticket_id) VALUES (?1, ?2)", params![theme, id])?;
        }
    }
    Ok(())
}

/// Place survey comments (id, text, category) in the nearest existing
/// theme, as [`assign_to_themes`] does for tickets (a comment that states no
/// problem joins none; one a trainer moved by a split stays). Returns how
/// many joined one.
pub fn assign_comments_to_themes(tx: &Transaction<'_>, comments: &[(i64, &str, Category)]) -> Result<usize> {
    let placer = Placer::load(tx)?;
    let pinned = pinned_items(tx)?;
    let mut placed = 0;
    for (id, text, category) in comments {
        if pinned.contains(&(ItemOrigin::SurveyComment, *id)) {
            continue;
        }
        let t = comment_text(text);
        tx.execute("DELETE FROM theme_comment_members WHERE response_id = ?1 AND pinned = 0", [id])?;
        if !forms_themes(ItemOrigin::SurveyComment, text) {
            continue;
        }
        let a = theme_analysis(analyze(&t.title, &t.description), t.channel.as_deref(), &t.description);
        let emb = placer.embedding(tx, &t.title, &t.description, t.channel.as_deref())?;
        if let Some(theme) = placer.nearest(&a, Some(*category), emb.as_deref()) {
            tx.execute("INSERT OR IGNORE INTO theme_comment_members(theme_id, response_id) VALUES (?1, ?2)", params![theme, id])?;
            placed += 1;
        }
    }
    Ok(placed)
}

/// Whether an item takes part in themes: every ticket, and every survey
/// comment but one that states no problem (praise, thanks, "all good").
fn forms_themes(origin: ItemOrigin, text: &str) -> bool {
    origin == ItemOrigin::Ticket || polarity::may_form_theme(text)
}

/// A stored centroid's embedding part (`~k` entries) as a vector.
fn dense_vector(entries: &[(String, f32)]) -> Vec<f32> {
    let mut v = vec![0.0f32; DIM];
    let mut any = false;
    for (t, w) in entries {
        if let Some(k) = t.strip_prefix(DENSE_PREFIX).and_then(|k| k.parse::<usize>().ok()).filter(|k| *k < DIM) {
            v[k] = *w;
            any = true;
        }
    }
    if any {
        v
    } else {
        Vec::new()
    }
}
