/**
 * The part of an evidence window a feature may look at: the signals observed at or before the time a score
 * is computed for, in event-time order.
 */
import type { SignalHeader } from '../codec/types.js';
import { MS_PER_HOUR } from './feature-constants.js';

/**
 * Event-time order with a total tie-break: `observedAt` ascending, then `eventId`. The tie-break makes
 * every feature independent of the order in which events with equal times arrived.
 */
export function compareEvents(a: SignalHeader, b: SignalHeader): number {
  if (a.observedAt !== b.observedAt) return a.observedAt - b.observedAt;
  if (a.eventId === b.eventId) return 0;
  return a.eventId < b.eventId ? -1 : 1;
}

/**
 * The signals of `window` with `observedAt ≤ nowMs`, oldest first (see {@link compareEvents}): a score at
 * time t sees only what was known by t.
 *
 * The state store already keeps windows in event-time order, so the usual case returns `window` itself
 * (or a prefix) without sorting; a window that is not in order (ties stored by arrival, a hand-built one)
 * is copied and sorted, so the result never depends on arrival order.
 */
export function visibleInOrder<T extends SignalHeader>(window: readonly T[], nowMs: number): readonly T[] {
  let ordered = true;
  let visible = 0;
  let previous: T | undefined;
  for (const signal of window) {
    if (signal.observedAt <= nowMs) visible += 1;
    if (previous !== undefined && compareEvents(previous, signal) > 0) ordered = false;
    previous = signal;
  }
  if (ordered) return visible === window.length ? window : window.slice(0, visible);
  const copy: T[] = [];
  for (const signal of window) if (signal.observedAt <= nowMs) copy.push(signal);
  return copy.sort(compareEvents);
}

/** Hours from `atMs` to `nowMs`, floored at 0 (a timestamp slightly ahead of now through clock skew is "now"). */
export function hoursSince(atMs: number, nowMs: number): number {
  return nowMs > atMs ? (nowMs - atMs) / MS_PER_HOUR : 0;
}

/** {@link hoursSince} for a nullable timestamp. */
export function hoursSinceOrNull(atMs: number | null, nowMs: number): number | null {
  return atMs === null ? null : hoursSince(atMs, nowMs);
}
