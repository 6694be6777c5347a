// The OS colour scheme, for the charts: the core draws them light or dark
// (ChartTheme), so they follow the app (app.css, prefers-color-scheme) and
// are drawn again when the OS switches while the app is open.
import type { ChartTheme } from "../bindings/ChartTheme";

export const DARK_QUERY = "(prefers-color-scheme: dark)";

/** The part of a MediaQueryList used (the real one in the app, a stub in tests). */
export interface SchemeQuery {
  matches: boolean;
  addEventListener(type: "change", listener: (e: { matches: boolean }) => void): void;
  removeEventListener(type: "change", listener: (e: { matches: boolean }) => void): void;
}

/** The window's dark-scheme query; null where there is no window (tests). */
export function schemeQuery(): SchemeQuery | null {
  return typeof matchMedia === "function" ? matchMedia(DARK_QUERY) : null;
}

/** The chart theme for the scheme now (light without a window). */
export function currentTheme(q: SchemeQuery | null): ChartTheme {
  return q?.matches ? "dark" : "light";
}

/** Call `onChange` with the new theme whenever the OS scheme changes; returns the unsubscribe. */
export function watchTheme(q: SchemeQuery | null, onChange: (t: ChartTheme) => void): () => void {
  if (!q) return () => {};
  const listener = (e: { matches: boolean }) => onChange(e.matches ? "dark" : "light");
  q.addEventListener("change", listener);
  return () => q.removeEventListener("change", listener);
}
