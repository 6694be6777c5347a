// The inbox row's meta line (status, priority, category, assignee, comment
// count, date) must stay on one line at the app's default window size
// (1200 × 780: a list pane about 460 px wide). A QA pass saw the date wrap
// to a third line whenever "N comments" showed. Vitest has no layout
// engine, so this guards the CSS rules that keep the line whole; checked
// in a real browser at 1200 × 780 with long categories and assignees
// (see the merge notes of the QA-fix branch).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

const inbox = readFileSync(fileURLToPath(new URL("./Inbox.svelte", import.meta.url)), "utf8");

/** The declarations of `selector`'s rule in the component's style block. */
function rule(selector: string): string {
  const at = inbox.indexOf(`${selector} {`);
  expect(at, `no CSS rule for ${selector}`).toBeGreaterThan(-1);
  return inbox.slice(at, inbox.indexOf("}", at));
}

describe("an inbox row", () => {
  it("keeps its meta line on one line: it never wraps, and the category and assignee shorten instead", () => {
    expect(rule(".row-meta")).toMatch(/flex-wrap:\s*nowrap/);
    expect(rule(".row-meta")).toMatch(/white-space:\s*nowrap/);
    // Status, priority, comment count and date keep their width...
    expect(rule(".row-meta > *")).toMatch(/flex:\s*none/);
    // ...the category and the assignee give way with an ellipsis (full text in the tooltip).
    const shrink = rule(".row-meta > .shrink");
    expect(shrink).toMatch(/min-width:\s*0/);
    expect(shrink).toMatch(/text-overflow:\s*ellipsis/);
    expect(inbox).toMatch(/class="muted shrink" title=\{CATEGORY_LABELS\[t\.category\]\}/);
    expect(inbox).toMatch(/class="muted shrink" title=\{t\.assignee \?\? "Unassigned"\}/);
  });
});
