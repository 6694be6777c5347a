// Views that show stored data load it when they open and again whenever
// the app's change counter moves (a sync wrote tickets).
import { onMount, untrack } from "svelte";

/** Call during component setup: `load()` now, and again each time `tick()` changes. */
export function loadAndReloadOn(tick: () => number, load: () => unknown): void {
  onMount(() => {
    void load();
  });
  let seen = untrack(tick);
  $effect(() => {
    const t = tick();
    if (t !== seen) {
      seen = t;
      void load();
    }
  });
}
