/** `dmid run`: the scoring worker and the API against Kafka and Redis, until SIGTERM or SIGINT. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { engineMode } from '../engine.js';
import { createLogger } from '../logger.js';
import { runEngine } from '../run-engine.js';
import { usage, type CliIo } from './io.js';

export const RUN_HELP = `Usage: dmid run

Runs a scoring worker (one consumer-group member over the four signal topics) and the HTTP API
(scores, /healthz, /readyz, /metrics) against DMID_KAFKA_BROKERS and DMID_REDIS_URL, creating
missing topics first. Stops cleanly on SIGTERM or SIGINT: the batch in flight finishes and its
offsets are committed. More throughput: run more of them in the same group (DMID_KAFKA_GROUP_ID).
Without Kafka and Redis configured, use \`npm start\` (embedded mode).`;

export async function runCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: {} });
  if (positionals.length > 0) throw usage('run takes no arguments');
  const config = loadConfig(io.env);
  if (engineMode(config) !== 'kafka') {
    throw usage('dmid run needs DMID_KAFKA_BROKERS and DMID_REDIS_URL; `npm start` runs the embedded mode');
  }
  return runEngine(config, createLogger(config.logLevel));
}
