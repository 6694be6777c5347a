// The themes view's logic: the sparkline's geometry (numbers in, SVG point
// coordinates out, no markup) and the before/after wording.
import type { ThemeExample } from "../bindings/ThemeExample";
import type { TrainingEffect } from "../bindings/TrainingEffect";
import type { WeekCount } from "../bindings/WeekCount";

/** Points of a polyline over `counts` in a `width` × `height` box (y grows down). */
export function sparklinePoints(counts: readonly number[], width: number, height: number, pad = 2): { x: number; y: number }[] {
  if (!counts.length) return [];
  const max = Math.max(1, ...counts);
  const step = counts.length > 1 ? (width - 2 * pad) / (counts.length - 1) : 0;
  return counts.map((c, i) => ({
    x: round(pad + i * step),
    y: round(height - pad - (c / max) * (height - 2 * pad)),
  }));
}

/** The SVG `points` attribute for those points. */
export function pointsAttr(points: { x: number; y: number }[]): string {
  return points.map((p) => `${p.x},${p.y}`).join(" ");
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** "8 → 1" style tooltip per week. */
export function weeklyTitle(weekly: readonly WeekCount[]): string {
  return weekly.map((w) => `${w.week}: ${w.count}`).join("\n");
}

/** A marker's kind as users read it. */
export const KIND_LABELS: Record<"training" | "documentation", string> = {
  training: "Training",
  documentation: "Documentation update",
};

function kindLabel(kind: string): string {
  return kind === "documentation" ? KIND_LABELS.documentation : KIND_LABELS.training;
}

function perWeek(rate: number | null, n: number, when: "before" | "after", until: string): string {
  if (rate === null) return when === "after" ? `no data after the marker yet (data until ${until})` : "no data before the marker";
  return `${rate.toFixed(1)}/week ${when} (${n})`;
}

/**
 * "Training on 2026-10-12: 4.0/week before (12), 0.5/week after (2), −88%".
 * A window without data says so; a change is only shown between two rates.
 */
export function effectText(e: TrainingEffect): string {
  let change = "";
  if (e.per_week_before !== null && e.per_week_after !== null && e.per_week_before > 0) {
    const pct = Math.round(((e.per_week_after - e.per_week_before) / e.per_week_before) * 100);
    change = `, ${pct > 0 ? "+" : pct < 0 ? "−" : "±"}${Math.abs(pct)}%`;
  }
  return (
    `${kindLabel(e.kind)} on ${e.on}: ${perWeek(e.per_week_before, e.before, "before", e.until)}, ` +
    `${perWeek(e.per_week_after, e.after, "after", e.until)}${change}`
  );
}

/** Today's date where the user is, YYYY-MM-DD. */
export function localToday(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** What is wrong with a marker date (`null`: nothing); `today` is the user's. */
export function trainingDateProblem(date: string, today: string): string | null {
  if (!isIsoDate(date)) return "Pick the day of the training or documentation update.";
  if (date > today) return `${date} is in the future. Mark a theme once the training or documentation update has happened.`;
  return null;
}

/** The question before a merge: both names and what the list becomes. */
export function mergeQuestion(from: { name: string; count: number }, into: { name: string; count: number }, themes: number): string {
  return (
    `Merge “${from.name}” into “${into.name}”? “${into.name}” will hold ${into.count + from.count} items; ` +
    `${themes} themes become ${themes - 1}.`
  );
}

/** What a split picks: tickets (by ticket id) and survey comments (by response id). */
export interface SplitPick {
  tickets: number[];
  comments: number[];
}

/** "2 tickets", "1 survey comment", "2 tickets and 1 survey comment". */
export function pickedText(p: SplitPick): string {
  const n = (k: number, one: string) => `${k} ${one}${k === 1 ? "" : "s"}`;
  const parts = [p.tickets.length ? n(p.tickets.length, "ticket") : "", p.comments.length ? n(p.comments.length, "survey comment") : ""];
  return parts.filter(Boolean).join(" and ") || "nothing";
}

/** What is wrong with a split (`null`: nothing): `picked` of the theme's `total` items. */
export function splitProblem(picked: SplitPick, total: number, name: string): string | null {
  const n = picked.tickets.length + picked.comments.length;
  if (!n) return "Pick at least one ticket or survey comment to move into the new theme.";
  if (n >= total) return "Leave at least one item in this theme (to rename it, use Rename).";
  if (!name.trim()) return "Give the new theme a name.";
  return null;
}

/** The question before a split. */
export function splitQuestion(from: string, picked: SplitPick, name: string): string {
  return `Move ${pickedText(picked)} out of “${from}” into a new theme “${name.trim()}”?`;
}

/** Is `s` a YYYY-MM-DD date? */
export function isIsoDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
}

/** Where an example comes from: the ticket's key, or "survey comment, 2026-10-05". */
export function exampleOrigin(e: ThemeExample): string {
  return e.origin === "survey_comment" ? `survey comment, ${e.date}` : (e.key ?? `ticket ${e.ticket_id ?? ""}`);
}

/** "12 tickets" or "12 tickets · 3 survey comments" (`count` includes the comments). */
export function countText(t: { count: number; survey_comments: number }): string {
  const tickets = t.count - t.survey_comments;
  const base = `${tickets} ticket${tickets === 1 ? "" : "s"}`;
  if (!t.survey_comments) return base;
  return `${base} · ${t.survey_comments} survey comment${t.survey_comments === 1 ? "" : "s"}`;
}

/** The examples shown (three), keeping a survey comment among them when the theme has one. */
export function shownExamples(examples: readonly ThemeExample[], n = 3): ThemeExample[] {
  const first = examples.slice(0, n);
  if (first.some((e) => e.origin === "survey_comment")) return first;
  const comment = examples.find((e) => e.origin === "survey_comment");
  return comment ? [...first.slice(0, n - 1), comment] : first;
}
