// Forms whose fields carry constraints WebKit checks itself (`min`/`max`,
// `required`) check them in the app, which names the problem beside the form
// and focuses the field. Without `novalidate`, WebKit checks the constraint
// first and blocks the submit with a passing native tooltip ("Please fill
// out this field"), so the app's message never shows (found by the Themes
// e2e: a future training date; then the Sources form's empty URL).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const roots = [join(__dirname, "../views"), join(__dirname, "../components")];

/**
 * The opening tag starting at `from` (`<name …>`), read up to the `>` that
 * ends it: a `>` inside `{…}` (an arrow function) or quotes does not.
 */
function tagAt(source: string, from: number): string {
  let depth = 0;
  let quote: string | null = null;
  for (let i = from + 1; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "{") depth += 1;
    else if (c === "}") depth -= 1;
    else if (depth === 0 && (c === '"' || c === "'")) quote = c;
    else if (depth === 0 && c === ">") return source.slice(from, i + 1);
  }
  return source.slice(from);
}

/** Every opening tag of elements `names` in `source`. */
function tags(source: string, names: string): string[] {
  const re = new RegExp(`<(?:${names})\\b`, "g");
  const out: string[] = [];
  for (let m = re.exec(source); m; m = re.exec(source)) out.push(tagAt(source, m.index));
  return out;
}

/** Every `<form …>…</form>` block of a Svelte file, with its opening tag. */
function formBlocks(source: string): { tag: string; body: string }[] {
  const out: { tag: string; body: string }[] = [];
  const re = /<form\b/g;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    const tag = tagAt(source, m.index);
    const end = source.indexOf("</form>", m.index + tag.length);
    out.push({ tag, body: source.slice(m.index + tag.length, end < 0 ? undefined : end) });
  }
  return out;
}

/** A tag with its expressions (`{…}`) and quoted values blanked, so only attribute names remain to match. */
function attributes(tag: string): string {
  let out = tag;
  for (let prev = ""; prev !== out; ) [prev, out] = [out, out.replace(/\{[^{}]*\}/g, "_")];
  return out.replace(/"[^"]*"|'[^']*'/g, '""');
}

/** Does a form hold a control with a constraint WebKit would check (min, max, required)? */
function hasBrowserConstraint(body: string): boolean {
  return tags(body, "input|select|textarea").some((t) => /\s(min|max|required)(?=[\s=/>])/.test(attributes(t)));
}

const novalidate = (tag: string) => /\snovalidate(?=[\s=/>])/.test(attributes(tag));

describe("forms with constrained fields", () => {
  it("finds forms and constraints in markup", () => {
    const src = `<form class="a" onsubmit={(e) => { go(e); }}><input type="date" max={today} /></form>
      <form novalidate><input oninput={(e) => (x = e.currentTarget.value)} required /></form>
      <form><input placeholder="required" aria-label={"min" > "max" ? "a" : "b"} /><select required></select></form>
      <form><input class="field" /></form>`;
    const forms = formBlocks(src);
    expect(forms).toHaveLength(4);
    expect(forms.map((f) => hasBrowserConstraint(f.body))).toEqual([true, true, true, false]);
    expect(forms.map((f) => novalidate(f.tag))).toEqual([false, true, false, false]);
    // A word in a value or an expression is no attribute.
    expect(hasBrowserConstraint(`<input placeholder="a required field" title={min} />`)).toBe(false);
  });

  it("leave the check to the app (novalidate) in every view", () => {
    const offenders: string[] = [];
    const constrained: string[] = [];
    for (const dir of roots) {
      for (const f of readdirSync(dir).filter((n) => n.endsWith(".svelte"))) {
        for (const form of formBlocks(readFileSync(join(dir, f), "utf8"))) {
          if (!hasBrowserConstraint(form.body)) continue;
          constrained.push(f);
          if (!novalidate(form.tag)) offenders.push(f);
        }
      }
    }
    // The Themes marker form (max) and the Sources form (required) at least.
    expect(constrained).toEqual(expect.arrayContaining(["Themes.svelte", "Sources.svelte"]));
    expect(offenders).toEqual([]);
  });
});
