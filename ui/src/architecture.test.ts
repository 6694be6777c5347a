// Guards of the UI's two structural rules, checked over the source tree:
// only src/backend/ talks to Tauri, and nothing renders text as HTML.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL(".", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|svelte)$/.test(e.name) && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

const files = sources(SRC).map((p) => ({ path: relative(SRC, p), text: readFileSync(p, "utf8") }));

describe("UI structure", () => {
  it("reads the source tree", () => {
    expect(files.map((f) => f.path)).toContain("App.svelte");
  });

  it("imports @tauri-apps only in src/backend/", () => {
    const offenders = files.filter((f) => /from\s+["']@tauri-apps\//.test(f.text) && !f.path.startsWith("backend/"));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it("never renders markup from data ({@html}, innerHTML, outerHTML, insertAdjacentHTML)", () => {
    const offenders = files.filter((f) => /\{@html|\.innerHTML|\.outerHTML|insertAdjacentHTML/.test(f.text));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });
});
