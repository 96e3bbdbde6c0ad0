/** Reading extra writer schemas (other versions of contract records) from a folder of `.avsc` files. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DmidError } from '../errors.js';
import { createCodec, type Codec } from './codec.js';

/** The parsed JSON of every `.avsc` file in `dir`, in name order. */
export function readSchemaDir(dir: string): unknown[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.avsc'));
  } catch (cause) {
    throw new DmidError('DMID_CODEC_SCHEMA_INVALID', `cannot read the schema folder ${dir}`, { cause });
  }
  return names.sort().map((name) => {
    try {
      return JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown;
    } catch (cause) {
      throw new DmidError('DMID_CODEC_SCHEMA_INVALID', `${name} is not readable JSON`, {
        field: name,
        cause,
      });
    }
  });
}

/** The codec with the contract schemas and, when a folder is configured, its extra writer schemas. */
export function createConfiguredCodec(extraSchemaDir: string | null): Codec {
  return createCodec({ extraWriterSchemas: extraSchemaDir === null ? [] : readSchemaDir(extraSchemaDir) });
}
