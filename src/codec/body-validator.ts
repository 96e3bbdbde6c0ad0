/**
 * A bounds-checked walk over an Avro body, compiled once per writer schema and run before avsc decodes it.
 *
 * Why: avsc trusts the bytes. A garbage block count makes it loop (and allocate) once per claimed item
 * after the buffer has ended, invalid UTF-8 silently becomes U+FFFD, a boolean byte of 7 reads as true,
 * and "ran out of bytes" cannot be told apart from "nonsense". This walk reads every length, count, enum
 * index and union branch against the bytes that are really there, so that:
 * - the bytes ending early is DECODE_TRUNCATED, anything structurally impossible is DECODE_MALFORMED;
 * - work and allocation are bounded by the input length (every array/map item is charged against a
 *   budget of one item per input byte, so even zero-byte items cannot spin);
 * - once it passes, avsc's own reader cannot run past the end or throw.
 */
import { isUtf8 } from 'node:buffer';

import { DmidError } from '../errors.js';

/** Read position over one body. `itemBudget` and `depth` bound work on adversarial input. */
export interface BodyCursor {
  readonly buf: Buffer;
  pos: number;
  itemBudget: number;
  depth: number;
}

/** Checks the value at `cursor.pos` and advances past it; throws a DmidError when the bytes are bad. */
export type BodyCheck = (cursor: BodyCursor) => void;

interface CompiledNode {
  readonly check: BodyCheck;
  /** The fewest bytes a value of this type takes, to reject absurd block counts before looping. */
  readonly minBytes: number;
}

/** Nesting beyond this is only reachable through recursive schemas; deeper input is refused, not recursed. */
const MAX_DEPTH = 64;
/** avsc reads longs into JS numbers and refuses magnitudes beyond this (its `isSafeLong`). */
const MAX_SAFE_LONG = 9007199254740990;
const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;

function truncated(path: string): never {
  throw new DmidError('DMID_CODEC_TRUNCATED', `The bytes end inside ${path}.`, {
    reason: 'DECODE_TRUNCATED',
    field: path,
  });
}

export function malformed(path: string, what: string): never {
  throw new DmidError('DMID_CODEC_MALFORMED', `Malformed Avro body at ${path}: ${what}.`, {
    reason: 'DECODE_MALFORMED',
    field: path,
  });
}

/**
 * Reads a zig-zag varint. `maxBytes` is 5 for Avro int, 10 for long. Float arithmetic past 28 bits keeps
 * it exact up to 2^53, which is all avsc accepts anyway.
 */
function readVarint(cursor: BodyCursor, path: string, maxBytes: 5 | 10): number {
  const { buf } = cursor;
  let pos = cursor.pos;
  const first = buf[pos++];
  if (first === undefined) return truncated(path);
  if (first < 0x80) {
    cursor.pos = pos;
    return (first >>> 1) ^ -(first & 1);
  }
  let unsigned = first & 0x7f;
  let scale = 0x80;
  for (let count = 1; ; count++) {
    if (count === maxBytes) return malformed(path, `varint longer than ${maxBytes} bytes`);
    const byte = buf[pos++];
    if (byte === undefined) return truncated(path);
    unsigned += (byte & 0x7f) * scale;
    scale *= 0x80;
    if (byte < 0x80) break;
  }
  cursor.pos = pos;
  if (unsigned > 2 * MAX_SAFE_LONG + 1) return malformed(path, 'long outside the exact JavaScript range');
  return unsigned % 2 === 1 ? -(unsigned + 1) / 2 : unsigned / 2;
}

function readInt(cursor: BodyCursor, path: string): number {
  const value = readVarint(cursor, path, 5);
  if (value < INT_MIN || value > INT_MAX) return malformed(path, 'int out of range');
  return value;
}

function readLong(cursor: BodyCursor, path: string): number {
  const value = readVarint(cursor, path, 10);
  if (value < -MAX_SAFE_LONG || value > MAX_SAFE_LONG) {
    return malformed(path, 'long outside the exact JavaScript range');
  }
  return value;
}

/** Advances over `length` bytes that must be there. */
function skipBytes(cursor: BodyCursor, path: string, length: number): void {
  if (cursor.pos + length > cursor.buf.length) truncated(path);
  cursor.pos += length;
}

function readLength(cursor: BodyCursor, path: string): number {
  const length = readLong(cursor, path);
  if (length < 0) malformed(path, 'negative length');
  return length;
}

function isAsciiRun(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if ((buf[i] ?? 0x80) >= 0x80) return false;
  }
  return true;
}

const PRIMITIVES: Readonly<Record<string, (path: string) => CompiledNode>> = {
  null: () => ({ check: () => undefined, minBytes: 0 }),
  boolean: (path) => ({
    check: (cursor) => {
      const byte = cursor.buf[cursor.pos];
      if (byte === undefined) truncated(path);
      // The spec allows only 0 and 1; avsc would read any non-zero byte as true.
      else if (byte > 1) malformed(path, 'boolean byte is neither 0 nor 1');
      cursor.pos++;
    },
    minBytes: 1,
  }),
  int: (path) => ({ check: (cursor) => void readInt(cursor, path), minBytes: 1 }),
  long: (path) => ({ check: (cursor) => void readLong(cursor, path), minBytes: 1 }),
  float: (path) => ({ check: (cursor) => skipBytes(cursor, path, 4), minBytes: 4 }),
  double: (path) => ({ check: (cursor) => skipBytes(cursor, path, 8), minBytes: 8 }),
  bytes: (path) => ({
    check: (cursor) => skipBytes(cursor, path, readLength(cursor, path)),
    minBytes: 1,
  }),
  string: (path) => ({ check: (cursor) => checkString(cursor, path), minBytes: 1 }),
};

function checkString(cursor: BodyCursor, path: string): void {
  const length = readLength(cursor, path);
  const start = cursor.pos;
  skipBytes(cursor, path, length);
  // Most strings here are ASCII ids; a JS scan beats creating a view for the native check.
  if (!isAsciiRun(cursor.buf, start, cursor.pos) && !isUtf8(cursor.buf.subarray(start, cursor.pos))) {
    malformed(path, 'string is not valid UTF-8');
  }
}

type Json = Readonly<Record<string, unknown>>;

function isJsonObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface CompileContext {
  /** Named types by fullname, as defined; a reference compiles the definition again with its own path. */
  readonly definitions: Map<string, Json>;
  /** Names whose definition is being compiled: a reference to one of them is a recursive schema. */
  readonly compiling: Set<string>;
}

/**
 * Compiles a schema in Parsing Canonical Form (what avsc's `type.schema()` returns: fullnames everywhere,
 * primitives as strings) into a body check. `rootPath` names the record in error messages.
 */
export function compileBodyValidator(canonicalSchema: unknown, rootPath: string): BodyCheck {
  const node = compileNode(canonicalSchema, rootPath, { definitions: new Map(), compiling: new Set() });
  return node.check;
}

function compileNode(schema: unknown, path: string, context: CompileContext): CompiledNode {
  if (typeof schema === 'string') return compileName(schema, path, context);
  if (Array.isArray(schema)) return compileUnion(schema, path, context);
  if (!isJsonObject(schema)) throw new TypeError(`Not an Avro schema at ${path}`);
  const type = schema['type'];
  if (type === 'array') return compileBlocks(compileNode(schema['items'], `${path}[]`, context), path, false);
  if (type === 'map') return compileBlocks(compileNode(schema['values'], `${path}{}`, context), path, true);
  if (type !== 'record' && type !== 'error' && type !== 'enum' && type !== 'fixed') {
    return compileNode(type, path, context);
  }
  const name = schema['name'];
  if (typeof name !== 'string') throw new TypeError(`Named type without a name at ${path}`);
  context.definitions.set(name, schema);
  return compileDefinition(name, schema, path, context);
}

function compileDefinition(name: string, schema: Json, path: string, context: CompileContext): CompiledNode {
  context.compiling.add(name);
  try {
    if (schema['type'] === 'enum') return compileEnum(schema, path);
    if (schema['type'] === 'fixed') return compileFixed(schema, path);
    return compileRecord(schema, path, context);
  } finally {
    context.compiling.delete(name);
  }
}

function compileName(name: string, path: string, context: CompileContext): CompiledNode {
  const primitive = PRIMITIVES[name];
  if (primitive !== undefined) return primitive(path);
  const definition = context.definitions.get(name);
  if (definition === undefined) throw new TypeError(`Unknown Avro type name ${name} at ${path}`);
  if (!context.compiling.has(name)) return compileDefinition(name, definition, path, context);
  // A recursive schema: compile this level only when input really nests this deep (bounded by MAX_DEPTH).
  let node: CompiledNode | undefined;
  return {
    check: (cursor) => {
      node ??= compileDefinition(name, definition, path, context);
      node.check(cursor);
    },
    minBytes: 0,
  };
}

function compileRecord(schema: Json, path: string, context: CompileContext): CompiledNode {
  const rawFields = schema['fields'];
  const fields = (Array.isArray(rawFields) ? rawFields : []).map((field: unknown) => {
    if (!isJsonObject(field) || typeof field['name'] !== 'string') {
      throw new TypeError(`Bad field at ${path}`);
    }
    const fieldPath = path === '' ? field['name'] : `${path}.${field['name']}`;
    return compileNode(field['type'], fieldPath, context);
  });
  const checks = fields.map((field) => field.check);
  const minBytes = fields.reduce((sum, field) => sum + field.minBytes, 0);
  return {
    check: (cursor) => {
      if (++cursor.depth > MAX_DEPTH) malformed(path || 'the record', 'nesting too deep');
      for (const check of checks) check(cursor);
      cursor.depth--;
    },
    minBytes,
  };
}

function compileEnum(schema: Json, path: string): CompiledNode {
  const symbols = schema['symbols'];
  const count = Array.isArray(symbols) ? symbols.length : 0;
  return {
    check: (cursor) => {
      const index = readInt(cursor, path);
      if (index < 0 || index >= count) malformed(path, 'enum index out of range');
    },
    minBytes: 1,
  };
}

function compileFixed(schema: Json, path: string): CompiledNode {
  const size = schema['size'];
  const length = typeof size === 'number' ? size : 0;
  return { check: (cursor) => skipBytes(cursor, path, length), minBytes: length };
}

function compileUnion(branches: readonly unknown[], path: string, context: CompileContext): CompiledNode {
  const nodes = branches.map((branch) => compileNode(branch, path, context));
  const checks = nodes.map((node) => node.check);
  const minBranch = nodes.reduce((min, node) => Math.min(min, node.minBytes), Infinity);
  return {
    check: (cursor) => {
      const check = checks[readInt(cursor, path)];
      if (check === undefined) malformed(path, 'union branch out of range');
      else check(cursor);
    },
    minBytes: 1 + (Number.isFinite(minBranch) ? minBranch : 0),
  };
}

/** Arrays and maps: blocks of `count` items (negative count: followed by the block's byte size), 0 ends. */
function compileBlocks(items: CompiledNode, path: string, isMap: boolean): CompiledNode {
  const itemBytes = items.minBytes + (isMap ? 1 : 0);
  const checkItem = items.check;
  return {
    check: (cursor) => {
      for (;;) {
        let count = readLong(cursor, path);
        if (count === 0) return;
        if (count < 0) {
          count = -count;
          readLength(cursor, path);
        }
        if (count * itemBytes > cursor.buf.length - cursor.pos) truncated(path);
        cursor.itemBudget -= count;
        if (cursor.itemBudget < 0) malformed(path, 'more items than input bytes');
        for (let i = 0; i < count; i++) {
          if (isMap) checkString(cursor, path);
          checkItem(cursor);
        }
      }
    },
    minBytes: 1,
  };
}
