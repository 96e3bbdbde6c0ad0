/**
 * `npm start`: runs the engine (src/engine.ts; embedded mode when no Kafka/Redis is configured) until
 * SIGTERM or SIGINT. Exit code 0 after a clean stop, 1 on a failure or a bad configuration. The start
 * script execs node (package.json), so the signals npm forwards reach this process.
 */
import { loadConfig, type Config } from './config.js';
import { DmidError } from './errors.js';
import { createLogger } from './logger.js';
import { runEngine, startLogLevel } from './run-engine.js';

async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof DmidError) {
      process.stderr.write(`dmid: ${error.code}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  return runEngine(config, createLogger(startLogLevel(config, process.env, process.stderr.isTTY === true)));
}

// Anything thrown past main would reach tfjs's wasm loader's uncaughtException handler, which prints a
// stack and exits 7: one line and exit 1 instead.
process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`dmid: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
