/**
 * What the worker reports (src/ingest/worker.ts, WorkerMetrics) turned into Prometheus metrics and, in
 * the embedded mode, into the rolling window behind the live status line.
 */
import type { WorkerMetrics } from '../ingest/worker.js';
import type { LatencyWindow } from './latency-window.js';
import type { DmidMetrics } from './metrics.js';

export function workerMetrics(metrics: DmidMetrics, window?: LatencyWindow): WorkerMetrics {
  return {
    consumed(topic, count) {
      metrics.eventsConsumed.inc(topic, count);
      window?.recordEvents(count);
    },
    deadLettered(reason) {
      metrics.eventsDeadLettered.inc(reason);
      window?.recordDeadLettered();
    },
    scoresEmitted: (levels) => {
      for (const level of levels) metrics.scoresEmitted.inc(level);
    },
    endToEnd(observedToScoreSeconds, ingestToScoreSeconds) {
      metrics.observedToScore.observe(Math.max(0, observedToScoreSeconds));
      metrics.ingestToScore.observe(Math.max(0, ingestToScoreSeconds));
      window?.recordLatency(ingestToScoreSeconds * 1000);
    },
    batch: (size) => metrics.batchSize.observe(size),
    stage: (stage, seconds) => metrics.batchStageTime.observe(stage, seconds),
    lag: (topic, partition, lag) => metrics.consumerLag.set(topic, partition, lag),
    paused: (paused) => metrics.consumptionPaused.set(paused),
  };
}
