// Forms whose fields carry range constraints (`min`/`max`) check them in the
// app, which names the problem beside the form. Without `novalidate`, WebKit
// checks the constraint first and blocks the submit with a passing native
// tooltip, so the app's message never shows (found by the Themes e2e: a
// future training date).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const roots = [join(__dirname, "../views"), join(__dirname, "../components")];

/** Every `<form …>…</form>` block of a Svelte file, with its opening tag. */
function formBlocks(source: string): { tag: string; body: string }[] {
  const out: { tag: string; body: string }[] = [];
  const re = /<form\b([^>]*)>([\s\S]*?)<\/form>/g;
  for (let m = re.exec(source); m; m = re.exec(source)) out.push({ tag: m[1], body: m[2] });
  return out;
}

/** Does a form hold an input with a range constraint? */
function hasRangeConstraint(body: string): boolean {
  return /<input\b[^>]*\s(min|max)=/.test(body);
}

describe("forms with range-constrained fields", () => {
  it("finds forms and constraints in markup", () => {
    const src = `<form class="a" onsubmit={x}><input type="date" max={today} /></form><form novalidate><input /></form>`;
    const forms = formBlocks(src);
    expect(forms).toHaveLength(2);
    expect(hasRangeConstraint(forms[0].body)).toBe(true);
    expect(hasRangeConstraint(forms[1].body)).toBe(false);
    expect(/\bnovalidate\b/.test(forms[1].tag)).toBe(true);
  });

  it("leave the check to the app (novalidate) in every view", () => {
    const offenders: string[] = [];
    let constrained = 0;
    for (const dir of roots) {
      for (const f of readdirSync(dir).filter((n) => n.endsWith(".svelte"))) {
        for (const form of formBlocks(readFileSync(join(dir, f), "utf8"))) {
          if (!hasRangeConstraint(form.body)) continue;
          constrained += 1;
          if (!/\bnovalidate\b/.test(form.tag)) offenders.push(f);
        }
      }
    }
    expect(constrained).toBeGreaterThan(0); // the Themes marker form at least
    expect(offenders).toEqual([]);
  });
});
