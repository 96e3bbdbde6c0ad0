/**
 * Typed results from the replies of the Redis adapter. Each reply is checked against what the script or
 * command returns (apply-signals.lua documents its reply); a reply of another shape is a bug, never a
 * transient condition, so it throws a plain Error whose message names the part that is wrong, not values.
 */
import { SIGNAL_KINDS, type Signal, type SignalByKind, type SignalKind } from '../codec/types.js';
import { parseCachedScore } from './cached-score.js';
import type { SubjectEvidence } from './evidence.js';
import { withApplied, type EvidenceCopy } from './evidence-cache.js';
import { decodeEntry, encodeEntry } from './window-entry.js';
import type { ApplyResult, SubjectSignals, SubjectStateView } from './state-store.js';

/** The state hash fields, in the order readState asks for them (windows in SIGNAL_KINDS order). */
export const STATE_FIELDS = [...SIGNAL_KINDS, 'ver', 'emitted', 'last', 'salt'] as const;

function malformed(what: string): Error {
  return new Error(`state store: Redis returned a malformed ${what}`);
}

/** JSON.parse without its error: V8 quotes the text it failed on, and that text is personal data. */
function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw malformed(what);
  }
}

/**
 * One stored window of `kind` (see window-entry.ts: entries as JSON arrays, one per line, oldest first),
 * or [] when the window was never written. The lines become one JSON array text, parsed at once.
 */
export function parseWindow<K extends SignalKind>(
  kind: K,
  subjectId: string,
  stored: unknown,
): SignalByKind[K][] {
  if (stored === null) return [];
  if (typeof stored !== 'string') throw malformed('window');
  const entries = parseJson(`[${stored.replaceAll('\n', ',')}]`, 'window');
  if (!Array.isArray(entries)) throw malformed('window');
  return entries.map((entry: unknown) => {
    if (!Array.isArray(entry)) throw malformed('window entry');
    return decodeEntry(kind, subjectId, entry);
  });
}

/** The four windows, from replies in SIGNAL_KINDS order. */
export function parseEvidence(subjectId: string, stored: readonly unknown[]): SubjectEvidence {
  const [telecom, location, biometric, registry] = stored;
  return {
    telecom: parseWindow('telecom', subjectId, telecom),
    location: parseWindow('location', subjectId, location),
    biometric: parseWindow('biometric', subjectId, biometric),
    registry: parseWindow('registry', subjectId, registry),
  };
}

function counter(value: unknown, what: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw malformed(what);
  return n;
}

function eventIdOrNull(value: unknown): string | null {
  if (value !== null && typeof value !== 'string') throw malformed('last event id');
  return value;
}

/** The readState result from HMGET of {@link STATE_FIELDS} (missing fields are null). */
function saltOf(value: unknown): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) throw malformed('salt');
  return value;
}

export function parseStateFields(subjectId: string, reply: unknown): SubjectStateView {
  if (!Array.isArray(reply) || reply.length !== STATE_FIELDS.length) throw malformed('state');
  const fields: unknown[] = reply;
  return {
    subjectId,
    evidence: parseEvidence(subjectId, fields.slice(0, SIGNAL_KINDS.length)),
    version: fields[4] === null ? 0 : counter(fields[4], 'version'),
    emittedVersion: fields[5] === null ? 0 : counter(fields[5], 'emitted version'),
    lastEventId: eventIdOrNull(fields[6]),
    salt: fields[7] === null ? null : saltOf(fields[7]),
  };
}

/**
 * The ApplyResult of `subject` from the reply of apply-signals.lua (see its Output). `copy` is the evidence
 * whose state the call named (its held-state argument): when the script left the windows out, the events it applied
 * are inserted into that copy.
 */
export function parseApplyReply(subject: SubjectSignals, reply: unknown, copy?: EvidenceCopy): ApplyResult {
  if (!Array.isArray(reply) || reply.length !== 11) throw malformed('apply-signals reply');
  const items: unknown[] = reply;
  const flags = items[8];
  if (typeof flags !== 'string' || flags.length !== subject.signals.length || /[^01]/.test(flags)) {
    throw malformed('apply-signals flags');
  }
  const appliedEventIds: string[] = [];
  subject.signals.forEach(({ signal }, i) => {
    if (flags[i] === '1') appliedEventIds.push(signal.eventId);
  });
  const windowsLeftOut = items[10] === 1;
  if (windowsLeftOut && copy === undefined) throw malformed('apply-signals reply (windows left out)');
  return {
    subjectId: subject.subjectId,
    evidence:
      windowsLeftOut && copy !== undefined
        ? withApplied(copy.evidence, subject.signals, flags)
        : parseEvidence(subject.subjectId, items.slice(0, SIGNAL_KINDS.length)),
    appliedEventIds,
    version: counter(items[4], 'version'),
    emittedVersion: counter(items[5], 'emitted version'),
    lastEventId: eventIdOrNull(items[6]),
    cached: parseCachedScore(subject.subjectId, items[7]),
    salt: saltOf(items[9]),
  };
}

/** Appends the arguments of one event for apply-signals.lua: kind, eventId, observedAt, window entry. */
export function pushEventArgs(args: string[], kind: SignalKind, signal: Signal): void {
  args.push(kind, signal.eventId, String(signal.observedAt), encodeEntry(kind, signal));
}
