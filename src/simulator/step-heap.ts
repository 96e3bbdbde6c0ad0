/**
 * A binary min-heap of scheduled steps, ordered by time and then by the order they were scheduled in,
 * so that steps due at the same millisecond run in a reproducible order.
 */
import type { StepRun } from './sim-context.js';

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly run: StepRun;
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

export class StepHeap {
  private readonly entries: Entry[] = [];
  private seq = 0;

  get size(): number {
    return this.entries.length;
  }

  push(at: number, run: StepRun): void {
    const entries = this.entries;
    const entry: Entry = { at, seq: this.seq++, run };
    let i = entries.length;
    entries.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = entries[parent];
      if (p === undefined || !before(entry, p)) break;
      entries[i] = p;
      i = parent;
    }
    entries[i] = entry;
  }

  /** Removes and returns the earliest step due at or before `t`, or undefined when none is. */
  popDue(t: number): StepRun | undefined {
    const entries = this.entries;
    const top = entries[0];
    if (top === undefined || top.at > t) return undefined;
    const last = entries.pop();
    if (last !== undefined && entries.length > 0) this.siftDown(last);
    return top.run;
  }

  private siftDown(entry: Entry): void {
    const entries = this.entries;
    const n = entries.length;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const l = entries[left];
      const r = entries[right];
      if (l === undefined) break;
      const child = r !== undefined && before(r, l) ? right : left;
      const c = child === right && r !== undefined ? r : l;
      if (!before(c, entry)) break;
      entries[i] = c;
      i = child;
    }
    entries[i] = entry;
  }
}
