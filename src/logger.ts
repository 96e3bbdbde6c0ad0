/**
 * The process logger: pino, JSON lines on stderr (stdout is for data, e.g. `dmid consume`).
 * Nothing logged may contain a raw identifier; subject ids are pseudonyms but are still kept out of
 * routine log lines.
 */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

export function createLogger(level: LogLevel, name = 'dmid'): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: false }));
}
