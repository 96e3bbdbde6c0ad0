/**
 * Relying-party clients: who may call the decision API, with which API key (stored only as its SHA-256),
 * for which policies, and whether they may read raw scores or subscribe to alerts.
 *
 * Clients are configuration, not data: a YAML file named by `DMID_CLIENTS_FILE`, reviewed like any other
 * change to who may see what. Embedded mode without it loads the demo clients of
 * `examples/relying-parties.yaml`, whose keys are printed in docs/relying-parties.md (never use them elsewhere).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { DmidError } from '../errors.js';

/** The demo clients of the embedded mode (two levels below the repository, from src/ and dist/). */
export const DEMO_CLIENTS_FILE = fileURLToPath(
  new URL('../../examples/relying-parties.yaml', import.meta.url),
);

/** Shortest API key accepted: 24 characters of a random token carry enough entropy to be unguessable. */
export const MIN_API_KEY_LENGTH = 24;

const CLIENT_SCHEMA = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]{1,62}$/, 'expected lower-case letters, digits and "-"'),
  name: z.string().min(1).max(200),
  /** Lower-case hex SHA-256 of the client's API key. */
  apiKeySha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex characters'),
  /** Policy ids the client may decide on. */
  policies: z.array(z.string().min(1).max(128)).max(64),
  /** May read a subject's confidence and sub-scores (decision `score` details, the score API). */
  readRawScores: z.boolean().default(false),
  /** May register a webhook and receive alerts about subjects it has a live relationship with. */
  alerts: z.boolean().default(false),
  /**
   * Capture points of this party (the `providerId` of its kiosks and branch devices): a fresh live
   * biometric capture of a subject at one of them proves an in-person relationship (src/access/consent.ts).
   */
  capturePoints: z.array(z.string().min(1).max(128)).max(1000).default([]),
  /** The `operator` scope: the console roles this client may sign in with (docs/console.md); absent: none. */
  operator: z
    .array(z.enum(['support', 'auditor', 'policy-author']))
    .min(1)
    .max(3)
    .optional(),
});

const FILE_SCHEMA = z.strictObject({ clients: z.array(CLIENT_SCHEMA).max(10_000) });

export type Client = z.infer<typeof CLIENT_SCHEMA>;
export type OperatorRole = NonNullable<Client['operator']>[number];

export interface ClientRegistry {
  /** The client an API key belongs to, or undefined. */
  byApiKey(apiKey: string): Client | undefined;
  byId(id: string): Client | undefined;
  /** Every client, in file order. */
  all(): readonly Client[];
  readonly size: number;
}

export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/** A registry over parsed clients; ids and key hashes must be unique. */
export function clientRegistry(clients: readonly Client[]): ClientRegistry {
  const byHash = new Map<string, Client>();
  const byId = new Map<string, Client>();
  for (const client of clients) {
    if (byId.has(client.id) || byHash.has(client.apiKeySha256)) {
      throw new DmidError('DMID_CLIENTS_INVALID', `client ${client.id}: id or API key hash used twice`);
    }
    byId.set(client.id, client);
    byHash.set(client.apiKeySha256, client);
  }
  return {
    // Looked up by the key's hash: the key itself is never kept, and a Map lookup on a hash leaks nothing.
    byApiKey: (apiKey) => (apiKey.length < MIN_API_KEY_LENGTH ? undefined : byHash.get(hashApiKey(apiKey))),
    byId: (id) => byId.get(id),
    all: () => [...byId.values()],
    size: byId.size,
  };
}

/** Parses a clients file's text; `source` names it in errors. */
export function parseClients(text: string, source: string): ClientRegistry {
  let raw: unknown;
  try {
    raw = parse(text, { uniqueKeys: true, prettyErrors: false });
  } catch (cause) {
    throw new DmidError('DMID_CLIENTS_INVALID', `${source}: not valid YAML`, { cause });
  }
  const parsed = FILE_SCHEMA.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new DmidError('DMID_CLIENTS_INVALID', `${source}: ${problems.join('; ')}`);
  }
  return clientRegistry(parsed.data.clients);
}

export function loadClientsFile(path: string): ClientRegistry {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new DmidError('DMID_CLIENTS_INVALID', `cannot read the clients file ${path}`, { cause });
  }
  return parseClients(text, path);
}
