/** Shared helpers of the simulator tests. */
import type { SimulatedEvent, ValidEvent } from '../../../src/simulator/events.js';
import { createSignalStream, type SignalStreamOptions } from '../../../src/simulator/stream.js';

/** A fixed start, so that tests never depend on the wall clock: 2025-01-01T00:00:00Z. */
export const START_MS = Date.UTC(2025, 0, 1);

/** The first `count` events of a stream with `options`. */
export function take(options: SignalStreamOptions, count: number): SimulatedEvent[] {
  const events: SimulatedEvent[] = [];
  if (count <= 0) return events;
  for (const event of createSignalStream(options)) {
    events.push(event);
    if (events.length >= count) break;
  }
  return events;
}

/** Events of a stream up to (not including) simulated time `untilMs`. */
export function until(options: SignalStreamOptions, untilMs: number): SimulatedEvent[] {
  const events: SimulatedEvent[] = [];
  for (const event of createSignalStream(options)) {
    if (event.at >= untilMs) break;
    events.push(event);
  }
  return events;
}

export function validOnly(events: readonly SimulatedEvent[]): ValidEvent[] {
  return events.filter((e): e is ValidEvent => e.valid);
}

/** Valid events grouped by subject, in stream order. */
export function bySubject(events: readonly SimulatedEvent[]): Map<number, ValidEvent[]> {
  const map = new Map<number, ValidEvent[]>();
  for (const event of validOnly(events)) {
    const list = map.get(event.subjectIndex);
    if (list === undefined) map.set(event.subjectIndex, [event]);
    else list.push(event);
  }
  return map;
}
