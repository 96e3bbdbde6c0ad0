/**
 * Readiness: whether this process should receive traffic and be counted as a working consumer.
 *
 * The worker owns the facts (is Kafka reachable, is Redis reachable, is consumption paused) and hands the
 * API a function returning a {@link ReadinessReport}; the API only evaluates it, bounded in time, and
 * never lets a failing or hanging check take the probe down with it.
 */
import { withDeadline } from './deadline.js';

/** One named check. */
export interface ReadinessCheck {
  readonly ok: boolean;
  /**
   * A short, fixed description of the state (e.g. `broker unreachable`, `paused: store unavailable`).
   * Shown to whoever can reach `/readyz`: no personal data, no hostnames or credentials.
   */
  readonly detail?: string;
}

/** What `/readyz` reports. Ready only when `ready` is true and every check is ok. */
export interface ReadinessReport {
  readonly ready: boolean;
  /** By name, e.g. `kafka`, `redis`, `consumption`. */
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
}

/** A readiness source: synchronous (cached state) or asynchronous (a fresh ping). */
export type ReadinessSource = () => ReadinessReport | Promise<ReadinessReport>;

/** Longest `detail` passed on to a client; a longer one is cut, in case a caller passes an error message. */
const MAX_DETAIL_LENGTH = 200;

/** A report from checks: ready exactly when every check is ok. */
export function readinessOf(checks: Readonly<Record<string, ReadinessCheck>>): ReadinessReport {
  return { ready: Object.values(checks).every((check) => check.ok), checks };
}

/**
 * Calls `source` within `timeoutMs` and normalises its answer: `ready` is true only if the source says so
 * and every check is ok. A source that throws or is too slow gives a not-ready report with a `readiness`
 * check saying so (its error is not shown: it may hold internals).
 */
export async function evaluateReadiness(
  source: ReadinessSource,
  timeoutMs: number,
): Promise<ReadinessReport> {
  let report: ReadinessReport;
  try {
    report = await withDeadline(
      Promise.resolve().then(source),
      timeoutMs,
      () => new Error('readiness timed out'),
    );
  } catch {
    return { ready: false, checks: { readiness: { ok: false, detail: 'readiness check failed' } } };
  }
  const checks: Record<string, ReadinessCheck> = {};
  let allOk = true;
  for (const [name, check] of Object.entries(report.checks)) {
    allOk &&= check.ok;
    checks[name] =
      check.detail === undefined
        ? { ok: check.ok }
        : { ok: check.ok, detail: check.detail.slice(0, MAX_DETAIL_LENGTH) };
  }
  return { ready: report.ready && allOk, checks };
}

/** JSON schema of {@link ReadinessReport}, the response of `/readyz` for 200 and 503. */
export const READINESS_SCHEMA = {
  type: 'object',
  required: ['ready', 'checks'],
  additionalProperties: false,
  properties: {
    ready: { type: 'boolean' },
    checks: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['ok'],
        additionalProperties: false,
        properties: { ok: { type: 'boolean' }, detail: { type: 'string' } },
      },
    },
  },
} as const;
