// Marking the field a form error is about: `aria-invalid` (screen readers
// and the red outline in app.css) and the focus, so "Correct the highlighted
// value" is true. Used by ErrorNote, the one place errors are shown.

/** The minimal element surface used (a DOM element in the app, a stub in tests). */
export interface Markable {
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  focus(options?: { preventScroll?: boolean }): void;
}

/**
 * Mark `field` invalid and move the focus to it; the returned function
 * removes the mark (when the error goes away or names another field).
 */
export function markInvalid(field: Markable | null | undefined): () => void {
  if (!field) return () => {};
  field.setAttribute("aria-invalid", "true");
  field.focus();
  return () => field.removeAttribute("aria-invalid");
}
