/**
 * `npm start`: wiring only. Builds dependencies from configuration and runs the engine.
 *
 * The scoring pipeline (issue #3) is not wired yet: this checks the configuration, says which mode it
 * would run in, and exits, so that a bad configuration is caught the same way it will be later.
 */
import { loadConfig } from './config.js';
import { DmidError } from './errors.js';
import { createLogger } from './logger.js';

function start(): number {
  try {
    const config = loadConfig();
    const logger = createLogger(config.logLevel);
    const mode = config.kafka.brokers === null || config.redis.url === null ? 'embedded' : 'kafka+redis';
    logger.info({ mode, topics: config.topics.names, api: config.api }, 'configuration valid');
    process.stderr.write(
      `dmid: configuration valid (mode: ${mode}). The scoring pipeline is not wired yet (issue #3); exiting.\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof DmidError) {
      process.stderr.write(`dmid: ${error.code}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = start();
