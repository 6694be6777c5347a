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

/** "Training on 2026-10-12: 4.0/week before (12), 0.5/week after (1), −88%". */
export function effectText(e: TrainingEffect): string {
  const kind = e.kind === "documentation" ? "Documentation" : "Training";
  let change = "";
  if (e.per_week_before > 0) {
    const pct = Math.round(((e.per_week_after - e.per_week_before) / e.per_week_before) * 100);
    change = `, ${pct > 0 ? "+" : pct < 0 ? "−" : "±"}${Math.abs(pct)}%`;
  }
  return (
    `${kind} on ${e.on}: ${e.per_week_before.toFixed(1)}/week before (${e.before}), ` +
    `${e.per_week_after.toFixed(1)}/week after (${e.after})${change}`
  );
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
