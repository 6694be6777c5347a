import { describe, expect, it } from "vitest";

import { QueueControls, type QueueAction, type QueueView } from "./queueControls.svelte";

/** A key press as the window delivers it, recording preventDefault. */
function key(k: string, target: { tagName: string } | null = null) {
  const e = { key: k, ctrlKey: false, metaKey: false, altKey: false, target, prevented: false, preventDefault() {} };
  e.preventDefault = () => {
    e.prevented = true;
  };
  return e;
}

/** A view that records what the controls did, taking the actions `takes` allows. */
function view(takes: (a: QueueAction) => boolean = () => true, save: () => Promise<unknown> = async () => undefined) {
  const log: string[] = [];
  const v: QueueView = {
    save: async () => {
      log.push("save");
      return save();
    },
    act: (a) => log.push(a.kind === "category" ? `category ${a.category}` : a.kind === "move" ? `move ${a.by}` : a.kind),
    takes,
    changed: () => log.push("changed"),
  };
  return { v, log };
}

function press(c: QueueControls, k: string, target: { tagName: string } | null = null) {
  const e = key(k, target);
  c.onkeydown(e as unknown as KeyboardEvent);
  return e.prevented;
}

describe("QueueControls", () => {
  it("maps keys to the view's actions and keeps the browser from acting on them", () => {
    const { v, log } = view();
    const c = new QueueControls(v);
    expect(press(c, "3")).toBe(true);
    expect(press(c, "j")).toBe(true);
    expect(press(c, "i")).toBe(true);
    expect(log).toEqual(["category performance", "changed", "move 1", "changed", "cycle-impact", "changed"]);
  });

  it("leaves keys the view does not take, other keys and typing in a field to the browser", () => {
    const { v, log } = view((a) => a.kind !== "cycle-impact");
    const c = new QueueControls(v);
    expect(press(c, "i")).toBe(false);
    expect(press(c, "x")).toBe(false);
    expect(press(c, "3", { tagName: "INPUT" })).toBe(false);
    expect(log).toEqual([]);
  });

  it("confirms on Enter, one save at a time, and clears the error once a save succeeds", async () => {
    let fail = true;
    let release: () => void = () => {};
    const { v, log } = view(
      () => true,
      () =>
        new Promise<void>((ok, no) => {
          release = () => (fail ? no({ code: "offline", message: "no network" }) : ok());
        }),
    );
    const c = new QueueControls(v);
    expect(press(c, "Enter")).toBe(true);
    expect(c.busy).toBe(true);
    const second = c.confirm();
    await second;
    expect(log.filter((l) => l === "save")).toHaveLength(1);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(c.error).toEqual({ code: "offline", message: "no network" });
    expect(c.busy).toBe(false);

    fail = false;
    const saved = c.confirm();
    release();
    await saved;
    expect(c.error).toBeNull();
    expect(log.filter((l) => l === "save")).toHaveLength(2);
  });
});
