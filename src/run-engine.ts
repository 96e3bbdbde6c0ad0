/**
 * Runs the engine until SIGTERM or SIGINT, then stops it cleanly: the batch in flight finishes and
 * commits, connections close. In embedded mode a status line (events/s, latency, dead letters) goes to
 * stderr. Used by `npm start` (src/index.ts) and `dmid run`.
 */
import { formatStatusLine } from './api/latency-window.js';
import type { Config, Env, LogLevel } from './config.js';
import { DmidError } from './errors.js';
import { startEngine, type Engine } from './engine.js';
import type { Logger } from './logger.js';

const STATUS_INTERVAL_MS = 2000;

/**
 * The log level `npm start` runs with. In embedded mode on a terminal a person reads the status line, and
 * info logs (an "alerts raised" line about every second, from the simulator's frauds) would bury it: logs
 * start at warn there unless DMID_LOG_LEVEL is set. Elsewhere (Kafka mode, or stderr not a terminal: a
 * file, a log collector) the configured level, info by default. Logs are JSON lines either way.
 */
export function startLogLevel(config: Config, env: Env, stderrIsTty: boolean): LogLevel {
  const embedded = config.kafka.brokers === null && config.redis.url === null;
  const chosen = env.DMID_LOG_LEVEL !== undefined;
  return embedded && stderrIsTty && !chosen ? 'warn' : config.logLevel;
}

function printStatus(engine: Engine): () => void {
  const tty = process.stderr.isTTY;
  const timer = setInterval(() => {
    const line = `dmid ${engine.mode}: ${formatStatusLine(engine.window.snapshot())}`;
    process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  }, STATUS_INTERVAL_MS);
  return () => {
    clearInterval(timer);
    if (tty) process.stderr.write('\n');
  };
}

/** One line for a start that failed: what, and where, without a stack. */
export function startFailureLine(config: Config, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') {
    return `the API port ${config.api.host}:${config.api.port} is already in use (EADDRINUSE); set DMID_API_PORT`;
  }
  if (error instanceof DmidError) return `${error.code}: ${error.message}`;
  const message = error instanceof Error ? error.message : String(error);
  return `start failed: ${typeof code === 'string' ? `${code}: ` : ''}${message}`;
}

/** Runs until a signal or a failure; returns the exit code. */
export async function runEngine(config: Config, logger: Logger): Promise<number> {
  // Handlers first: a SIGTERM that arrives while the engine starts (a pod stopped during start-up) must
  // still end in a clean stop, not in Node's default exit.
  const started: { engine?: Engine; stopRequested: boolean } = { stopRequested: false };
  const stopOn = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'stopping');
    started.stopRequested = true;
    void started.engine?.stop();
  };
  process.once('SIGTERM', stopOn);
  process.once('SIGINT', stopOn);
  let engine: Engine;
  try {
    engine = await startEngine(config, logger);
  } catch (error) {
    // What was opened before the failure (Kafka clients, Redis, timers) would keep the process alive: the
    // start failed with nothing committed, so the process ends here, with one line saying why.
    process.stderr.write(`dmid: ${startFailureLine(config, error)}\n`);
    process.exit(1);
  }
  started.engine = engine;
  if (started.stopRequested) await engine.stop();
  logger.info({ mode: engine.mode, api: engine.apiUrl }, 'dmid started');
  process.stderr.write(
    `dmid: ${engine.mode} mode, API on ${engine.apiUrl} (scores: /v1/subjects/<id>/score)\n`,
  );
  const stopStatus = engine.mode === 'embedded' ? printStatus(engine) : () => undefined;
  try {
    await engine.running;
    await engine.stop();
    logger.info('dmid stopped');
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'dmid failed');
    // What retrying cannot fix (authentication refused, a topic missing, this instance fenced): one line.
    process.stderr.write(`dmid: stopped: ${startFailureLine(config, error)}\n`);
    await engine.stop().catch(() => undefined);
    return 1;
  } finally {
    stopStatus();
  }
}
