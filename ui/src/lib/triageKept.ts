// The triage sessions of this app run. They live here, outside the view,
// so leaving Triage (or switching between its Tickets and Survey comments
// tabs) and coming back keeps each tab's place and confirmed count.
import { CommentSession } from "./commentTriage";
import { TriageSession } from "./triage";

/** Which queue the Triage view walks. */
export type TriageMode = "tickets" | "comments";

/** The sessions the views use; replaced only by [`forgetTriageSessions`]. */
export const kept: { mode: TriageMode; tickets: TriageSession; comments: CommentSession } = {
  mode: "tickets",
  tickets: new TriageSession([]),
  comments: new CommentSession([]),
};

/** Start over (a new workspace; tests). */
export function forgetTriageSessions(): void {
  kept.mode = "tickets";
  kept.tickets = new TriageSession([]);
  kept.comments = new CommentSession([]);
}
