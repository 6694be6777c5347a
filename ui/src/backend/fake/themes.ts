// The fake backend's themes: the trainers' edits (rename, merge and its
// undo, split, markers) over a list of themes with their items' dates, the
// before/after counted as the core counts it (`theme_view::effect_of`:
// windows end at the data's last day). Functions over the fake's state.
import type { IpcError } from "../../bindings/IpcError";
import type { ThemeExample } from "../../bindings/ThemeExample";
import type { ThemeView } from "../../bindings/ThemeView";
import type { TrainingEffect } from "../../bindings/TrainingEffect";
import { fakeTheme } from "../fakeTriage";

const DAY = 86_400_000;

/** A fake theme: the view plus its items' dates (and its tickets and survey comments, for a split). */
export type FakeTheme = ThemeView & { dates: string[]; items?: ThemeExample[] };

/** The part of `FakeBackend` the theme calls work on. */
export interface FakeThemeState {
  themeList: FakeTheme[];
  /** Today (the core's `now`). */
  today: string;
  /** Merged themes, hidden, with the theme they went into (for undo). */
  mergedThemes: { theme: FakeTheme; into: number; moved: number }[];
}

function invalid(message: string): IpcError {
  return { code: "invalid_input", message };
}

function find(s: FakeThemeState, id: number): FakeTheme {
  const t = s.themeList.find((x) => x.id === id);
  if (!t) throw { code: "not_found", message: `theme ${id} does not exist` } satisfies IpcError;
  return t;
}

/** The items of a fake theme: the given ones, else one ticket per date. */
export function itemsOf(t: FakeTheme): ThemeExample[] {
  return (
    t.items ??
    t.dates.map((date, i) => ({
      origin: "ticket",
      ticket_id: t.id * 1000 + i,
      response_id: null,
      key: `#${t.id * 1000 + i}`,
      text: `ticket ${i + 1} of ${t.name}`,
      date,
    }))
  );
}

/** An item's identity across origins. */
const itemKey = (x: ThemeExample) => `${x.origin}:${x.ticket_id ?? x.response_id}`;

/** Set a fake theme's items, and its dates and counts from them. */
function setItems(t: FakeTheme, items: ThemeExample[]) {
  t.items = items;
  t.dates = items.map((x) => x.date).sort();
  t.count = items.length;
  t.survey_comments = items.filter((x) => x.origin === "survey_comment").length;
}

/** The data's last day: the latest item date, at most today. */
function dataEnd(s: FakeThemeState): string {
  const last = s.themeList.flatMap((t) => t.dates).sort().at(-1) ?? s.today;
  return last < s.today ? last : s.today;
}

function effect(s: FakeThemeState, t: FakeTheme, e: TrainingEffect): TrainingEffect {
  const days = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / DAY;
  const end = dataEnd(s);
  const first = [...s.themeList.flatMap((x) => x.dates)].sort()[0] ?? end;
  const before = t.dates.filter((d) => d < e.on).length;
  const after = t.dates.filter((d) => d >= e.on && d <= end).length;
  const beforeEnd = e.on <= end ? e.on : new Date(Date.parse(end) + DAY).toISOString().slice(0, 10);
  const weeks_before = Math.max(0, days(first, beforeEnd)) / 7;
  const weeks_after = Math.max(0, days(e.on, end) + 1) / 7;
  const rate = (n: number, w: number) => (w > 0 ? n / w : null);
  return { ...e, before, weeks_before, after, weeks_after, per_week_before: rate(before, weeks_before), per_week_after: rate(after, weeks_after), until: end };
}

export function themes(s: FakeThemeState): ThemeView[] {
  return s.themeList.map((full) => {
    const { dates: _d, items: _i, ...t } = full;
    return structuredClone({ ...t, effects: t.effects.map((e) => effect(s, full, e)) });
  });
}

export function renameTheme(s: FakeThemeState, theme: number, name: string) {
  const t = find(s, theme);
  if (!name.trim()) throw invalid("a theme name cannot be empty");
  t.name = name.trim();
}

export function mergeThemes(s: FakeThemeState, from: number, into: number) {
  if (from === into) throw invalid("cannot merge a theme into itself");
  const a = find(s, from);
  const b = find(s, into);
  s.mergedThemes.push({ theme: structuredClone(a), into, moved: a.dates.length });
  setItems(b, [...itemsOf(b), ...itemsOf(a)]);
  b.effects = [...b.effects, ...a.effects];
  s.themeList = s.themeList.filter((t) => t.id !== from);
}

export function unmergeTheme(s: FakeThemeState, theme: number): number {
  const i = s.mergedThemes.findIndex((m) => m.theme.id === theme);
  if (i < 0) throw invalid(`theme ${theme} is not merged into another theme`);
  const [m] = s.mergedThemes.splice(i, 1);
  const into = find(s, m.into);
  const moved = new Set(itemsOf(m.theme).map(itemKey));
  setItems(into, itemsOf(into).filter((x) => !moved.has(itemKey(x))));
  const markers = new Set(m.theme.effects.map((e) => e.marker_id));
  into.effects = into.effects.filter((e) => !markers.has(e.marker_id));
  s.themeList.push(m.theme);
  return m.into;
}

export function themeItems(s: FakeThemeState, theme: number): ThemeExample[] {
  return structuredClone(itemsOf(find(s, theme)));
}

export function splitTheme(s: FakeThemeState, theme: number, ticketIds: number[], commentIds: number[], name: string): number {
  if (!ticketIds.length && !commentIds.length) throw invalid("a split needs at least one ticket or survey comment");
  if (!name.trim()) throw invalid("a split needs a name for the new theme");
  const t = find(s, theme);
  const all = itemsOf(t);
  const picked = new Set([...ticketIds.map((id) => `ticket:${id}`), ...commentIds.map((id) => `survey_comment:${id}`)]);
  const missing = [...picked].find((k) => !all.some((x) => itemKey(x) === k));
  if (missing !== undefined) throw invalid(`${missing.replace(":", " ").replace("survey_comment", "survey comment")} is not in theme ${theme}`);
  setItems(t, all.filter((x) => !picked.has(itemKey(x))));
  const moving = all.filter((x) => picked.has(itemKey(x)));
  const id = Math.max(0, ...s.themeList.map((x) => x.id), ...s.mergedThemes.map((m) => m.theme.id)) + 1;
  const added: FakeTheme = fakeTheme(id, name.trim(), moving.map((x) => x.date).sort());
  setItems(added, moving);
  s.themeList.push(added);
  return id;
}

export function markThemeTraining(s: FakeThemeState, theme: number, date: string, kind: "training" | "documentation", note: string): number {
  const t = find(s, theme);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw invalid(`pick the day of the training or documentation update (YYYY-MM-DD, got "${date}")`);
  if (date > s.today) throw invalid(`${date} is in the future: mark a theme once the training or documentation update has happened`);
  const marker_id = Math.max(0, ...s.themeList.flatMap((x) => x.effects.map((e) => e.marker_id))) + 1;
  const blank = { before: 0, weeks_before: 0, after: 0, weeks_after: 0, per_week_before: null, per_week_after: null, until: s.today };
  t.effects.push({ marker_id, kind, on: date, note, ...blank });
  return marker_id;
}

export function removeThemeTraining(s: FakeThemeState, marker: number) {
  const t = s.themeList.find((x) => x.effects.some((e) => e.marker_id === marker));
  if (!t) throw { code: "not_found", message: `training marker ${marker} does not exist (already removed?)` } satisfies IpcError;
  t.effects = t.effects.filter((e) => e.marker_id !== marker);
}
