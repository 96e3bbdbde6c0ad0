/**
 * `dmid subject erase SUBJECT_ID`: erasure of one subject from the Redis state store.
 * `dmid subject access-log SUBJECT_ID`: who read or decided on the subject, and when (src/audit/).
 */
import { parseArgs } from 'node:util';
import { verifyAuditChain, type AuditRecord } from '../audit/access-audit.js';
import { createRedisAccessAudit } from '../audit/redis-access-audit.js';
import { loadConfig, type Config } from '../config.js';
import { isWellFormedSubjectId } from '../privacy/pseudonymize.js';
import { openRedis } from '../state/redis-client.js';
import { createRedisStore } from '../state/redis-store.js';
import { usage, type CliIo } from './io.js';

export const SUBJECT_HELP = `Usage: dmid subject erase SUBJECT_ID
       dmid subject access-log SUBJECT_ID

erase       erases a subject from Redis (DMID_REDIS_URL): its state, its salt, its dedupe memory and its
            cached score. Its anchors and receipts stay on the ledger and still verify, but without the
            salt nobody can link them to the subject any more. A later event for the subject starts
            afresh with a new salt.
access-log  prints every score read, decision, relationship change and receipt read about the subject:
            when, which party, for what purpose, what happened (the person's right to know, PIPL art. 45,
            GDPR art. 15). The records are hash-chained; a removed or edited one is reported, exit 1.
SUBJECT_ID is the pseudonym (see \`dmid pseudonymize\`), never a raw identifier.`;

function line(r: AuditRecord): string {
  const when = new Date(r.at).toISOString();
  return `${when}  ${r.action.padEnd(20)} ${(r.party ?? '(the person)').padEnd(16)} ${(r.purpose ?? '-').padEnd(36)} ${r.outcome}${r.ref === null ? '' : `  ${r.ref}`}\n`;
}

async function accessLog(config: Config, subjectId: string, io: CliIo): Promise<number> {
  const redis = openRedis(config.redis.url ?? '');
  try {
    const audit = createRedisAccessAudit({
      redis,
      keyPrefix: config.redis.keyPrefix,
      ttlMs: config.relyingParties.accessLogTtlMs,
    });
    const records = await audit.read(subjectId);
    for (const r of records) io.stdout.write(line(r));
    const check = verifyAuditChain(records);
    if (!check.ok) {
      io.stdout.write(`chain BROKEN at record ${check.brokenAt}: the log was edited or a record removed\n`);
      return 1;
    }
    io.stdout.write(`${records.length} records, chain intact\n`);
    return 0;
  } finally {
    redis.disconnect();
  }
}

export async function subjectCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: {} });
  const [action, subjectId, ...rest] = positionals;
  if ((action !== 'erase' && action !== 'access-log') || subjectId === undefined || rest.length > 0) {
    throw usage('expected `dmid subject erase SUBJECT_ID` or `dmid subject access-log SUBJECT_ID`');
  }
  if (!isWellFormedSubjectId(subjectId)) throw usage('SUBJECT_ID must be a pseudonym (32 base32 characters)');
  const config = loadConfig(io.env);
  if (config.redis.url === null) throw usage(`subject ${action} needs DMID_REDIS_URL`);
  if (action === 'access-log') return accessLog(config, subjectId, io);
  const store = createRedisStore({ redis: config.redis.url, keyPrefix: config.redis.keyPrefix });
  try {
    const erased = await store.eraseSubject(subjectId);
    io.stdout.write(erased ? 'erased\n' : 'nothing to erase (unknown or expired subject)\n');
    return 0;
  } finally {
    await store.close();
  }
}
