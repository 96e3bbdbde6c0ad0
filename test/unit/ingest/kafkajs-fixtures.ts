/**
 * For the tests of kafkajs-crc32c.ts, kafkajs-records.ts and kafkajs-produce.ts: kafkajs's own modules,
 * loaded from their source in module scopes of their own (the require cache has the replacements), and
 * random messages.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { runInThisContext } from 'node:vm';
import type {
  KafkaEncoder,
  RecordArguments,
  RecordBatchArguments,
} from '../../../src/ingest/kafkajs-records.js';

const require = createRequire(import.meta.url);

export interface ProduceRequest {
  readonly apiVersion: number;
  readonly encode: () => Promise<KafkaEncoder>;
}
export type ProduceRequestFunction = (args: object) => ProduceRequest;

/** kafkajs's own modules, none of them replaced. */
export interface KafkajsOriginals {
  readonly crc32C: (buffer: Uint8Array) => number;
  readonly crc32CIndex: (buffer: Uint8Array) => number;
  readonly Record: (args: RecordArguments) => KafkaEncoder;
  readonly RecordBatch: (args: RecordBatchArguments) => Promise<KafkaEncoder>;
  readonly produceV3: ProduceRequestFunction;
}

/** Runs a kafkajs module's source in a module of its own, `substitutes` given for these modules. */
function loadSource(id: string, substitutes: ReadonlyMap<string, unknown>): unknown {
  const filename = require.resolve(id);
  const requireFrom = createRequire(filename);
  const ownRequire = (request: string): unknown => {
    const path = requireFrom.resolve(request);
    return substitutes.has(path) ? substitutes.get(path) : requireFrom(request);
  };
  const wrapped = runInThisContext(Module.wrap(readFileSync(filename, 'utf8')), { filename }) as (
    ...args: unknown[]
  ) => void;
  const module = { exports: {} as unknown };
  wrapped(module.exports, ownRequire, module, filename, filename.replace(/[/\\][^/\\]*$/, ''));
  return module.exports;
}

let originals: KafkajsOriginals | undefined;

/** kafkajs's crc32C, Record, RecordBatch and produce request v3, as kafkajs wrote them. */
export function kafkajsOriginals(): KafkajsOriginals {
  if (originals !== undefined) return originals;
  const substitutes = new Map<string, unknown>();
  const load = (id: string): unknown => {
    const exports = loadSource(id, substitutes);
    substitutes.set(require.resolve(id), exports);
    return exports;
  };
  const crc32C = load('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js');
  const crc32CIndex = load('kafkajs/src/protocol/recordBatch/crc32C/index.js');
  const Record = load('kafkajs/src/protocol/recordBatch/record/v0/index.js');
  const batchModule = load('kafkajs/src/protocol/recordBatch/v0/index.js') as {
    readonly RecordBatch: KafkajsOriginals['RecordBatch'];
  };
  const produceV3 = load('kafkajs/src/protocol/requests/produce/v3/request.js');
  originals = {
    crc32C: crc32C as KafkajsOriginals['crc32C'],
    crc32CIndex: crc32CIndex as KafkajsOriginals['crc32CIndex'],
    Record: Record as KafkajsOriginals['Record'],
    RecordBatch: batchModule.RecordBatch,
    produceV3: produceV3 as ProduceRequestFunction,
  };
  return originals;
}

const TEXTS = [
  '',
  'a',
  'subject-42',
  'é',
  'ünïcödé ✓',
  '日本語のキー',
  '🦄 emoji',
  'x'.repeat(300),
  '\u{10FFFF}',
];

export function pick<T>(values: readonly T[]): T {
  return values[randomInt(values.length)] as T;
}

export function randomText(): string {
  return randomInt(4) === 0 ? randomBytes(randomInt(1, 200)).toString('base64') : pick(TEXTS);
}

function randomBytesValue(): Buffer {
  return pick([Buffer.alloc(0), randomBytes(randomInt(1, 20)), randomBytes(randomInt(100, 2_000))]);
}

function randomKeyOrValue(): string | Buffer | null | undefined {
  switch (randomInt(5)) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return randomBytesValue();
    default:
      return randomText();
  }
}

function randomHeaderValue(): string | Buffer {
  return randomInt(2) === 0 ? randomText() : randomBytesValue();
}

function randomHeaders(): object | undefined {
  switch (randomInt(4)) {
    case 0:
      return undefined;
    case 1:
      return {};
    default: {
      const headers: { [key: string]: string | Buffer | (string | Buffer)[] } = {};
      for (let i = randomInt(1, 5); i > 0; i--) {
        const key = pick(['trace-id', 'content-type', 'ключ', `h${i}`, '']);
        headers[key] =
          randomInt(3) === 0
            ? Array.from({ length: randomInt(0, 4) }, randomHeaderValue)
            : randomHeaderValue();
      }
      return headers;
    }
  }
}

export const NOW = Date.now();

export interface Message {
  key?: string | Buffer | null;
  value: string | Buffer | null | undefined;
  headers?: object;
  timestamp?: number | string;
}

function randomTimestamp(): number | string | undefined {
  switch (randomInt(4)) {
    case 0:
      return undefined;
    case 1:
      return String(NOW - randomInt(100_000_000));
    default:
      // Around now, far in the past (deltas beyond 32 bits), the epoch.
      return pick([NOW + randomInt(-5_000, 5_000), NOW - randomInt(2 ** 40), 0]);
  }
}

export function randomMessages(count: number): Message[] {
  return Array.from({ length: count }, () => {
    const message: Message = { value: randomKeyOrValue() };
    const key = randomKeyOrValue();
    if (key !== undefined) message.key = key;
    const headers = randomHeaders();
    if (headers !== undefined) message.headers = headers;
    const timestamp = randomTimestamp();
    if (timestamp !== undefined) message.timestamp = timestamp;
    return message;
  });
}

export function randomCount(): number {
  return pick([0, 1, 2, randomInt(3, 20), randomInt(20, 300)]);
}

/** Runs `f` with Date.now() fixed at NOW: kafkajs stamps batches and messages without a timestamp. */
export async function atNow<T>(f: () => Promise<T>): Promise<T> {
  const now = Date.now;
  Date.now = () => NOW;
  try {
    return await f();
  } finally {
    Date.now = now;
  }
}
