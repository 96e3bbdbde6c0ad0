/**
 * Guards on metric label values: the one place that decides what may become a label.
 *
 * A label value that carries a subject id, a raw identifier or any other unbounded value would leak
 * personal data into every scrape and blow up the time-series count of Prometheus. So label values come
 * either from a closed set (DLQ reasons, HTTP methods) or, for topics and partitions, from a set that is
 * open but bounded: a value must look like what it claims to be, and only the first `limit` distinct
 * values are admitted. Later ones collapse into {@link OVERFLOW_LABEL}, refused ones into
 * {@link INVALID_LABEL}, so the series count stays bounded whatever the caller passes.
 */
import { detectRawIdentifier } from '../privacy/pii-guard.js';
import { isWellFormedSubjectId } from '../privacy/pseudonymize.js';

/** Label value used when a value is refused (does not look like what the label holds). */
export const INVALID_LABEL = 'invalid';
/** Label value used once a label has admitted its limit of distinct values. */
export const OVERFLOW_LABEL = 'other';

/** Kafka's own rule for topic names: letters, digits, `.`, `_`, `-`, at most 249 characters. */
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
/** Largest partition number admitted as a label; far above any real topic, far below unbounded. */
const MAX_PARTITION = 100_000;

/**
 * True when `value` may be a topic label: a valid Kafka topic name that is not shaped like a subject id
 * and holds no raw identifier (a misconfigured caller passing a record key instead of a topic).
 */
export function isSafeTopicLabel(value: string): boolean {
  return TOPIC_NAME.test(value) && !isWellFormedSubjectId(value) && detectRawIdentifier(value) === null;
}

/** A partition number as a label value, or {@link INVALID_LABEL} when it is not a plausible partition. */
export function partitionLabel(partition: number): string {
  return Number.isInteger(partition) && partition >= 0 && partition <= MAX_PARTITION
    ? String(partition)
    : INVALID_LABEL;
}

/**
 * Admits values of one label from an open set, up to `limit` distinct ones.
 * Admission is remembered, so the check costs one Set lookup once a value has been seen.
 */
export class BoundedLabel {
  private readonly admitted = new Set<string>();

  /**
   * @param limit most distinct values admitted; later ones become {@link OVERFLOW_LABEL}.
   * @param isSafe the shape a value must have; others become {@link INVALID_LABEL}.
   */
  constructor(
    private readonly limit: number,
    private readonly isSafe: (value: string) => boolean,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  }

  /** The label value to record for `value`. */
  admit(value: string): string {
    if (this.admitted.has(value)) return value;
    if (!this.isSafe(value)) return INVALID_LABEL;
    if (this.admitted.size >= this.limit) return OVERFLOW_LABEL;
    this.admitted.add(value);
    return value;
  }
}

/** A label over a closed set: values outside it are recorded as `fallback`. */
export class ClosedLabel<T extends string> {
  private readonly values: ReadonlySet<string>;

  constructor(
    values: readonly T[],
    private readonly fallback: string,
  ) {
    this.values = new Set(values);
  }

  /** `value` itself when it belongs to the set, else the fallback. */
  admit(value: string): string {
    return this.values.has(value) ? value : this.fallback;
  }
}
