/**
 * Loading policy packs: YAML files validated against the policy schema at load, each named by id, version
 * and content hash. A folder holds at most one live policy per id, and any number of shadow ones.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { DmidError } from '../errors.js';
import { canonicalJson } from './canonical-json.js';
import { POLICY_SCHEMA, type Policy } from './policy-schema.js';

/** The shipped policy packs: `src/policy/` and `dist/policy/` are both two levels below the repository. */
export const SHIPPED_POLICY_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));

/** Largest policy file read, bytes: a policy is a page of rules, not a data set. */
const MAX_POLICY_BYTES = 64 * 1024;

export interface PolicySet {
  /** The live policy of an id, or undefined. */
  live(id: string): Policy | undefined;
  /** The shadow policies of an id (decided and logged next to the live one, never returned). */
  shadows(id: string): readonly Policy[];
  /** Every policy, live and shadow, in id order. */
  all(): readonly Policy[];
}

/** Parses and validates one policy from its text; `source` names it in errors. */
export function parsePolicy(text: string, source: string): Policy {
  let raw: unknown;
  try {
    raw = parse(text, { uniqueKeys: true, prettyErrors: false });
  } catch (cause) {
    throw new DmidError('DMID_POLICY_INVALID', `${source}: not valid YAML`, { field: source, cause });
  }
  const parsed = POLICY_SCHEMA.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new DmidError('DMID_POLICY_INVALID', `${source}: ${problems.join('; ')}`, { field: source });
  }
  const contentHash = createHash('sha256').update(canonicalJson(parsed.data)).digest('hex');
  return { rules: parsed.data, contentHash, source };
}

/** Reads one policy file. */
export function loadPolicyFile(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new DmidError('DMID_POLICY_INVALID', `${path}: cannot read the file`, { field: path, cause });
  }
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) {
    throw new DmidError('DMID_POLICY_INVALID', `${path}: larger than ${MAX_POLICY_BYTES} bytes`);
  }
  return parsePolicy(text, basename(path));
}

/** Builds a set from loaded policies; two live policies of one id, or a repeated id+version, are refused. */
export function policySet(policies: readonly Policy[]): PolicySet {
  const live = new Map<string, Policy>();
  const shadows = new Map<string, Policy[]>();
  const seen = new Set<string>();
  for (const policy of policies) {
    const { id, version, mode } = policy.rules;
    if (seen.has(`${id}@${version}`)) {
      throw new DmidError('DMID_POLICY_INVALID', `${policy.source}: ${id} ${version} is defined twice`);
    }
    seen.add(`${id}@${version}`);
    if (mode === 'shadow') {
      shadows.set(id, [...(shadows.get(id) ?? []), policy]);
    } else if (live.has(id)) {
      throw new DmidError('DMID_POLICY_INVALID', `${policy.source}: a second live version of ${id}`);
    } else {
      live.set(id, policy);
    }
  }
  const sorted = [...policies].sort((a, b) =>
    a.rules.id < b.rules.id ? -1 : a.rules.id > b.rules.id ? 1 : 0,
  );
  return {
    live: (id) => live.get(id),
    shadows: (id) => shadows.get(id) ?? [],
    all: () => sorted,
  };
}

/** Loads every `*.yaml` / `*.yml` file of a folder (default: the shipped packs). */
export function loadPolicyDir(dir: string = SHIPPED_POLICY_DIR): PolicySet {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name));
  } catch (cause) {
    throw new DmidError('DMID_POLICY_INVALID', `cannot read the policy folder ${dir}`, { cause });
  }
  return policySet(names.sort().map((name) => loadPolicyFile(join(dir, name))));
}
