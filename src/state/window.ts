/**
 * The window rule, as one pure function: how a new event enters a subject's evidence window. The in-memory
 * twin runs it directly; apply-signals.lua is a line-for-line port of it, and the conformance tests use it
 * as the reference both adapters must match.
 *
 * Order is event time: `observedAt` ascending, ties broken by `eventId` compared code unit by code unit
 * (compareEvents in src/features/event-window.ts, the order features read windows in). Event ids are UUIDs,
 * plain ASCII, so this is also the byte order the Lua script compares in.
 */
import type { SignalHeader } from '../codec/types.js';
import { compareEvents } from '../features/event-window.js';

/**
 * What {@link insertIntoWindow} did with an event:
 * - `duplicate`: an event with the same id is already in the window; nothing changed.
 * - `kept`: inserted in its place in time (and the oldest dropped if the window was full).
 * - `too-old`: the window is full and the event is older than all of it, so it is not kept. It still
 *   counts as applied (it is remembered as seen and raises the version): it happened, it is just outside
 *   what the window keeps.
 */
export type InsertOutcome = 'duplicate' | 'kept' | 'too-old';

/**
 * Inserts `event` into `window` (ordered oldest first, at most `size` long), in place, then trims the
 * window back to `size` by dropping the oldest event.
 *
 * The search runs from the newest end because events mostly arrive in order: the usual insert is an
 * append. The duplicate check scans the whole window (≤ 32) because the dedupe memory is bounded: an id
 * it has forgotten may still be in a window, and must not enter it twice.
 */
export function insertIntoWindow<T extends SignalHeader>(window: T[], event: T, size: number): InsertOutcome {
  for (const held of window) if (held.eventId === event.eventId) return 'duplicate';
  let at = window.length;
  while (at > 0) {
    const before = window[at - 1];
    if (before === undefined || compareEvents(before, event) <= 0) break;
    at -= 1;
  }
  if (at === 0 && window.length >= size) return 'too-old';
  window.splice(at, 0, event);
  while (window.length > size) window.shift();
  return 'kept';
}

/** The window that applying `events` one by one to an empty window leaves (the reference for tests). */
export function windowOf<T extends SignalHeader>(events: Iterable<T>, size: number): T[] {
  const window: T[] = [];
  for (const event of events) insertIntoWindow(window, event, size);
  return window;
}
