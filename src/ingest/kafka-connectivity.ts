/**
 * Whether this process reaches its Kafka cluster, for /readyz and the `dmid_kafka_connected` gauge: a
 * metadata request without retries every half second, each given at most 1.5 s, so a lost cluster shows
 * within 2 s. The clients themselves retry a lost broker for ever (kafka-client.ts `reconnectForever`);
 * this only reports. A change from lost to reached counts as a reconnect.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface KafkaConnectivity {
  readonly connected: () => boolean;
  stop(): void;
}

export interface ConnectivityProbe {
  /** Resolves when one broker answered, rejects when none did. */
  (): Promise<unknown>;
}

/** How a process reports its connection: the gauge and the reconnect counter. */
export interface ConnectivityListener {
  (connected: boolean, reconnected: boolean): void;
}

const PROBE_INTERVAL_MS = 500;
const PROBE_TIMEOUT_MS = 1500;

async function answered(probe: ConnectivityProbe): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      probe().then(
        () => true,
        () => false,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Probes until stop(); starts as connected (the caller connected just before). */
export function watchConnectivity(
  probe: ConnectivityProbe,
  listener: ConnectivityListener,
): KafkaConnectivity {
  let connected = true;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    const now = await answered(probe);
    if (stopped) return;
    if (now !== connected) {
      listener(now, now);
      connected = now;
    }
    timer = setTimeout(() => void tick(), PROBE_INTERVAL_MS);
    timer.unref();
  };
  listener(true, false);
  timer = setTimeout(() => void tick(), PROBE_INTERVAL_MS);
  timer.unref();
  return {
    connected: () => connected,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** `dmid_kafka_connected` and `dmid_kafka_reconnects_total` on `registry`, by client role. */
export function kafkaConnectivityMetrics(registry: Registry, role: string): ConnectivityListener {
  const gauge =
    (registry.getSingleMetric('dmid_kafka_connected') as Gauge<'client'> | undefined) ??
    new Gauge({
      name: 'dmid_kafka_connected',
      help: '1 while this process reaches its Kafka cluster (a metadata request answered within 1.5 s, every 0.5 s), else 0; by client (worker, alerts, ledger-writer).',
      labelNames: ['client'] as const,
      registers: [registry],
    });
  const counter =
    (registry.getSingleMetric('dmid_kafka_reconnects_total') as Counter<'client'> | undefined) ??
    new Counter({
      name: 'dmid_kafka_reconnects_total',
      help: 'Times this process reached its Kafka cluster again after losing it, by client.',
      labelNames: ['client'] as const,
      registers: [registry],
    });
  counter.inc({ client: role }, 0);
  return (connected, reconnected) => {
    gauge.set({ client: role }, connected ? 1 : 0);
    if (reconnected) counter.inc({ client: role });
  };
}
