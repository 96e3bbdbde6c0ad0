/**
 * The Redis store's copy of the evidence it last returned per subject, so that apply-signals.lua need not
 * send a subject's windows back, nor the worker parse them, when nothing but this worker's own events
 * changed them since.
 *
 * Every apply returns the subject's four windows (up to 80 signals), and for a subject with a history that
 * is most of the cost of the state step: bench/state-store-apply.ts, windows full, one event per subject
 * per call. With a copy, the worker sends `<salt>:<version>` of the state it holds; when the script finds
 * exactly that state (same salt: the same incarnation of the state, since erasure and expiry make a new
 * salt; same version: the same events applied, in Redis' one order), it leaves the windows out and the
 * worker inserts the events the script applied into its copy with the same rule (window.ts's
 * insertIntoWindow, which the Lua script is a port of). Otherwise (first sight, another worker applied
 * events in between, a copy that was forgotten) the windows come back as before.
 *
 * Bounded twice: at most `maxSubjects` copies (the least recently used go first), each for at most
 * `maxAgeMs` after it was last used, swept by a timer too, so an erased or quiet subject's signals do not
 * stay in a worker's memory. The evidence objects are never changed in place: a copy is replaced.
 */
import type { Signal, SignalKind } from '../codec/types.js';
import type { SubjectEvidence } from './evidence.js';
import { WINDOW_SIZES } from './evidence.js';
import type { KindedSignal } from './state-store.js';
import { insertIntoWindow } from './window.js';

/** The evidence of one subject at one state: its salt and version say which. */
export interface EvidenceCopy {
  readonly salt: string;
  readonly version: number;
  readonly evidence: SubjectEvidence;
}

export interface EvidenceCache {
  /** The copy of `subjectId`'s evidence, if one is held and not too old. */
  get(subjectId: string): EvidenceCopy | undefined;
  /** Keeps `copy` unless a newer one of the same state is held. */
  remember(subjectId: string, copy: EvidenceCopy): void;
  forget(subjectId: string): void;
  readonly size: number;
  /** Stops the sweep timer and drops every copy. */
  close(): void;
}

export interface EvidenceCacheOptions {
  /** Most subjects held. */
  readonly maxSubjects: number;
  /** Milliseconds a copy is kept after it was last used. */
  readonly maxAgeMs: number;
  readonly now?: () => number;
}

interface Held {
  readonly copy: EvidenceCopy;
  readonly usedAt: number;
}

export function createEvidenceCache(options: EvidenceCacheOptions): EvidenceCache {
  const { maxSubjects, maxAgeMs } = options;
  if (!Number.isSafeInteger(maxSubjects) || maxSubjects < 1) throw new RangeError('maxSubjects must be >= 1');
  if (!(maxAgeMs > 0)) throw new RangeError('maxAgeMs must be > 0');
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order, and every use re-inserts: the first entry is the least recent.
  const held = new Map<string, Held>();

  const sweep = (): void => {
    const oldest = now() - maxAgeMs;
    for (const [subjectId, entry] of held) {
      if (entry.usedAt > oldest && held.size <= maxSubjects) break;
      held.delete(subjectId);
    }
  };
  const timer = setInterval(sweep, maxAgeMs);
  timer.unref();

  return {
    get(subjectId) {
      const entry = held.get(subjectId);
      if (entry === undefined) return undefined;
      held.delete(subjectId);
      if (entry.usedAt <= now() - maxAgeMs) return undefined;
      held.set(subjectId, { copy: entry.copy, usedAt: now() });
      return entry.copy;
    },
    remember(subjectId, copy) {
      const entry = held.get(subjectId);
      if (entry !== undefined && entry.copy.salt === copy.salt && entry.copy.version > copy.version) return;
      held.delete(subjectId);
      held.set(subjectId, { copy, usedAt: now() });
      if (held.size > maxSubjects) sweep();
    },
    forget(subjectId) {
      held.delete(subjectId);
    },
    get size() {
      return held.size;
    },
    close() {
      clearInterval(timer);
      held.clear();
    },
  };
}

/**
 * `evidence` with the applied events of `signals` inserted (`flags[i]` is '1' when signal `i` was applied,
 * as apply-signals.lua reports), each window copied only if it changes.
 */
export function withApplied(
  evidence: SubjectEvidence,
  signals: readonly KindedSignal[],
  flags: string,
): SubjectEvidence {
  const changed = new Map<SignalKind, Signal[]>();
  signals.forEach(({ kind, signal }, i) => {
    if (flags[i] !== '1') return;
    let window = changed.get(kind);
    if (window === undefined) {
      window = [...evidence[kind]];
      changed.set(kind, window);
    }
    insertIntoWindow(window, signal, WINDOW_SIZES[kind]);
  });
  if (changed.size === 0) return evidence;
  // The casts hold because each window only ever receives signals of its own kind (KindedSignal).
  return {
    telecom: (changed.get('telecom') ?? evidence.telecom) as SubjectEvidence['telecom'],
    location: (changed.get('location') ?? evidence.location) as SubjectEvidence['location'],
    biometric: (changed.get('biometric') ?? evidence.biometric) as SubjectEvidence['biometric'],
    registry: (changed.get('registry') ?? evidence.registry) as SubjectEvidence['registry'],
  };
}

/** apply-signals.lua's ARGV[8]: the state of the copy the caller holds, or '' for none. */
export function heldStateArg(copy: EvidenceCopy | undefined): string {
  return copy === undefined ? '' : `${copy.salt}:${copy.version}`;
}
