/**
 * What the console shows of the stream: a bounded, in-process record of what this engine wrote to
 * `identity.scores`, `identity.anchors` and `signals.dlq`, and of the decisions its API made.
 *
 * It wraps the worker's transport (`tap.transport(base)`): every record the engine sends passes through,
 * unchanged, after it was acknowledged. Bounded: the latest {@link MAX_SUBJECTS} subjects with their
 * latest {@link SCORES_PER_SUBJECT} scores, the latest {@link MAX_LETTERS} dead letters. In Kafka mode
 * with several workers it holds what this process wrote: the console of one process is a window, not
 * the topic (docs/console.md). In Kafka mode the record is fed from the topics instead (kafka-feed.ts):
 * every process's console then shows what all workers wrote, read_committed.
 */
import type { Codec } from '../codec/codec.js';
import type { IdentityScore } from '../codec/types.js';
import type { TopicNames } from '../config.js';
import type { OutboundRecord, Transport } from '../ingest/transport.js';
import type { DecisionService } from '../policy/decision-service.js';

export const MAX_SUBJECTS = 5_000;
export const SCORES_PER_SUBJECT = 60;
export const MAX_LETTERS = 200;
const DECISIONS_PER_SUBJECT = 20;

export interface RecordedDecision {
  readonly decisionId: string;
  readonly clientId: string;
  readonly policy: string;
  readonly outcome: string;
  readonly decidedAt: number;
  readonly anchorId: string;
}

export interface RecordedLetter {
  /** `<topic>:<partition>:<offset>` of the refused record: the requeue's idempotency key. */
  readonly id: string;
  readonly seq: number;
  readonly reason: string;
  readonly topic: string;
  readonly provider: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly at: number;
}

export interface ConsoleTap {
  /** `base`, recording what is sent through it (embedded mode). */
  transport(base: Transport): Transport;
  /** Records what was written to `topic` (at `at`, epoch ms; default now): the Kafka feed's entry. */
  observe(topic: string, records: readonly OutboundRecord[], at?: number): void;
  /** `service`, recording each decision it makes. */
  decisions(service: DecisionService): DecisionService;
  /** A subject's recorded scores, oldest first. */
  scores(subjectId: string): readonly IdentityScore[];
  /** The anchor of a score id, when it was seen. */
  anchorOf(scoreId: string): string | undefined;
  decisionsAbout(subjectId: string): readonly RecordedDecision[];
  /** Every recorded score (for backtests over the window), oldest subject first. */
  allScores(): Iterable<IdentityScore>;
  letters(): readonly RecordedLetter[];
  letter(id: string): RecordedLetter | undefined;
  /** Counts of every dead letter seen since start, by reason, source topic and provider. */
  letterCounts(): {
    readonly total: number;
    readonly byReason: ReadonlyMap<string, number>;
    readonly byTopic: ReadonlyMap<string, number>;
    readonly byProvider: ReadonlyMap<string, number>;
  };
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export function createConsoleTap(codec: Codec, topics: TopicNames, now: () => number): ConsoleTap {
  const history = new Map<string, IdentityScore[]>();
  const anchors = new Map<string, string>();
  const decided = new Map<string, RecordedDecision[]>();
  const letters: RecordedLetter[] = [];
  const counts = {
    total: 0,
    byReason: new Map<string, number>(),
    byTopic: new Map<string, number>(),
    byProvider: new Map<string, number>(),
  };
  let seq = 0;

  const keepScore = (score: IdentityScore): void => {
    const list = history.get(score.subjectId) ?? [];
    history.delete(score.subjectId); // re-inserted last: the Map's order is the eviction order
    list.push(score);
    if (list.length > SCORES_PER_SUBJECT) list.shift();
    history.set(score.subjectId, list);
    if (history.size > MAX_SUBJECTS) {
      const oldest = history.keys().next().value;
      if (oldest !== undefined) history.delete(oldest);
    }
  };
  const providerOf = (value: Buffer | null): string => {
    if (value === null) return '(redacted)';
    try {
      const decoded = codec.decodeAny(value).value;
      return 'providerId' in decoded ? decoded.providerId : '(not a signal)';
    } catch {
      return '(undecodable)';
    }
  };
  const keepLetter = (record: OutboundRecord, at: number): void => {
    const headers = record.headers ?? {};
    const topic = headers['dlq.topic'] ?? '?';
    const letter: RecordedLetter = {
      id: `${topic}:${headers['dlq.partition'] ?? '?'}:${headers['dlq.offset'] ?? '?'}`,
      seq: (seq += 1),
      reason: headers['dlq.reason'] ?? '?',
      topic,
      provider: providerOf(record.value),
      headers,
      key: record.key,
      value: record.value,
      at,
    };
    counts.total += 1;
    bump(counts.byReason, letter.reason);
    bump(counts.byTopic, topic);
    bump(counts.byProvider, letter.provider);
    letters.push(letter);
    if (letters.length > MAX_LETTERS) letters.shift();
  };
  const observe = (topic: string, records: readonly OutboundRecord[], at = now()): void => {
    for (const record of records) {
      if (record.value === null && topic !== topics.dlq) continue;
      if (topic === topics.scores && record.value !== null) keepScore(codec.decode('score', record.value));
      else if (topic === topics.anchors && record.value !== null) {
        const anchor = codec.decode('anchor', record.value);
        anchors.set(
          anchor.anchoredRecord === 'DECISION' ? (anchor.decisionId ?? '') : anchor.scoreId,
          anchor.anchorId,
        );
      } else if (topic === topics.dlq) keepLetter(record, at);
    }
  };

  return {
    transport: (base) => ({
      run: (options) => base.run(options),
      // `consumed` passes through: a transactional transport commits those offsets with these records.
      async send(batches, consumed) {
        await base.send(batches, consumed);
        for (const batch of batches) observe(batch.topic, batch.records);
      },
      stop: () => base.stop(),
      status: () => base.status(),
    }),
    observe,
    decisions: (service) => ({
      async decide(client, subjectId, policyId) {
        const result = await service.decide(client, subjectId, policyId);
        if (result.kind === 'decided') {
          const list = decided.get(subjectId) ?? [];
          list.push({
            decisionId: result.record.decisionId,
            clientId: client.id,
            policy: `${result.record.policy.id}@${result.record.policy.version}`,
            outcome: result.record.outcome,
            decidedAt: result.record.decidedAt,
            anchorId: result.anchorId,
          });
          if (list.length > DECISIONS_PER_SUBJECT) list.shift();
          decided.set(subjectId, list);
        }
        return result;
      },
    }),
    scores: (subjectId) => history.get(subjectId) ?? [],
    anchorOf: (scoreId) => anchors.get(scoreId),
    decisionsAbout: (subjectId) => decided.get(subjectId) ?? [],
    *allScores() {
      for (const list of history.values()) yield* list;
    },
    letters: () => letters,
    letter: (id) => letters.find((l) => l.id === id),
    letterCounts: () => counts,
  };
}
