/**
 * `dmid consent keygen|issue`: the enrolment authority's side of consent tokens (src/access/consent-token.ts).
 * The authority enrols the person (authenticated in person or through its own flow), then issues a token
 * bound to one party, one purpose, the person's pseudonym and an expiry, and gives it to the person, who
 * hands it to the party. dmid trusts the authority's public key (`DMID_CONSENT_PUBLIC_KEYS_FILE`).
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { issueConsentToken, keyIdOf, MAX_CONSENT_DAYS } from '../access/consent-token.js';
import { isWellFormedSubjectId } from '../privacy/pseudonymize.js';
import { usage, type CliIo } from './io.js';

export const CONSENT_HELP = `Usage: dmid consent keygen --out PREFIX
       dmid consent issue --key PRIVATE_KEY.pem --party CLIENT_ID --purpose POLICY_ID
                          --subject SUBJECT_ID [--days N]

keygen  writes an Ed25519 key pair of an enrolment authority: PREFIX.key.pem (private: keep it with the
        authority) and PREFIX.pub.pem (public: give it to dmid as DMID_CONSENT_PUBLIC_KEYS_FILE).
issue   prints a consent token for the person: the party (client id) may decide on them for the purpose
        (one of the party's policies) until the expiry (--days, default 30, at most ${MAX_CONSENT_DAYS}).
        The party presents it: POST /v1/relationships {"consentToken": "..."}. The person revokes it:
        POST /v1/consents/revoke {"consentToken": "..."}.`;

const DAY_MS = 86_400_000;

function keygen(out: string, io: CliIo): number {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(`${out}.key.pem`, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(`${out}.pub.pem`, publicKey.export({ type: 'spki', format: 'pem' }));
  io.stdout.write(`key id ${keyIdOf(publicKey)}: ${out}.key.pem (private), ${out}.pub.pem (public)\n`);
  return 0;
}

function privateKeyFrom(path: string) {
  const text = readFileSync(path, 'utf8');
  const pem = /-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----/.exec(text)?.[0];
  if (pem === undefined) throw usage(`${path}: no PRIVATE KEY block`);
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw usage(`${path}: not an Ed25519 key`);
  return key;
}

export function consentCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      key: { type: 'string' },
      party: { type: 'string' },
      purpose: { type: 'string' },
      subject: { type: 'string' },
      days: { type: 'string', default: '30' },
    },
  });
  const [action, ...rest] = positionals;
  if (rest.length > 0) throw usage('unexpected arguments');
  if (action === 'keygen') {
    if (values.out === undefined) throw usage('keygen needs --out PREFIX');
    return Promise.resolve(keygen(values.out, io));
  }
  if (action !== 'issue') throw usage('expected `dmid consent keygen` or `dmid consent issue`');
  const { key, party, purpose, subject } = values;
  if (key === undefined || party === undefined || purpose === undefined || subject === undefined) {
    throw usage('issue needs --key, --party, --purpose and --subject');
  }
  if (!isWellFormedSubjectId(subject)) throw usage('--subject must be a pseudonym (32 base32 characters)');
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > MAX_CONSENT_DAYS) {
    throw usage(`--days must be a whole number from 1 to ${MAX_CONSENT_DAYS}`);
  }
  const token = issueConsentToken(privateKeyFrom(key), {
    party,
    purpose,
    subjectId: subject,
    expiresAt: Date.now() + days * DAY_MS,
  });
  io.stdout.write(`${token}\n`);
  return Promise.resolve(0);
}
