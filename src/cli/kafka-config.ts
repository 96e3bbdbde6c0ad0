/** The Kafka client of a CLI command, from configuration. */
import type { Config } from '../config.js';
import { createKafkaClient, type KafkaClient } from '../ingest/kafka-client.js';
import { usage } from './io.js';

export function kafkaClientFor(config: Config): KafkaClient {
  if (config.kafka.brokers === null) {
    throw usage('no Kafka configured: set DMID_KAFKA_BROKERS (e.g. 127.0.0.1:9092)');
  }
  return createKafkaClient({
    brokers: config.kafka.brokers,
    clientId: config.kafka.clientId,
    logLevel: 'error',
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    tls: config.kafka.tls,
    sasl: config.kafka.sasl,
  });
}
