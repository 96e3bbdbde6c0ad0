/** `dmid subject erase SUBJECT_ID`: erasure of one subject from the Redis state store. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { isWellFormedSubjectId } from '../privacy/pseudonymize.js';
import { createRedisStore } from '../state/redis-store.js';
import { usage, type CliIo } from './io.js';

export const SUBJECT_HELP = `Usage: dmid subject erase SUBJECT_ID

Erases a subject from Redis (DMID_REDIS_URL): its state, its salt, its dedupe memory and its cached
score. Its anchors and receipts stay on the ledger and still verify, but without the salt nobody can
link them to the subject any more. A later event for the subject starts afresh with a new salt.
SUBJECT_ID is the pseudonym (see \`dmid pseudonymize\`), never a raw identifier.`;

export async function subjectCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: {} });
  const [action, subjectId, ...rest] = positionals;
  if (action !== 'erase' || subjectId === undefined || rest.length > 0) {
    throw usage('expected `dmid subject erase SUBJECT_ID`');
  }
  if (!isWellFormedSubjectId(subjectId)) throw usage('SUBJECT_ID must be a pseudonym (32 base32 characters)');
  const config = loadConfig(io.env);
  if (config.redis.url === null) throw usage('subject erase needs DMID_REDIS_URL');
  const store = createRedisStore({ redis: config.redis.url, keyPrefix: config.redis.keyPrefix });
  try {
    const erased = await store.eraseSubject(subjectId);
    io.stdout.write(erased ? 'erased\n' : 'nothing to erase (unknown or expired subject)\n');
    return 0;
  } finally {
    await store.close();
  }
}
