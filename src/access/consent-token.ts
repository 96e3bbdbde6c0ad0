/**
 * Consent tokens: the proof a relying party presents to get a relationship with a subject. A token is
 * given to the person by an enrolment authority (the engine's operator with `dmid consent issue`, or a
 * separate authority) and binds one party, one purpose, one subject pseudonym and an expiry, under an
 * Ed25519 signature. dmid verifies it with the authorities' public keys it is configured with
 * (`DMID_CONSENT_PUBLIC_KEYS_FILE`); a party cannot make or alter one.
 *
 * Form: `dmidc1.<base64url(JSON claims)>.<base64url(signature over "dmidc1." + claims part)>`.
 * The person revokes it by presenting it (POST /v1/consents/revoke): holding the token is the proof.
 */
import { createHash, createPublicKey, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DmidError } from '../errors.js';
import { isWellFormedSubjectId } from '../privacy/pseudonymize.js';

const PREFIX = 'dmidc1';
/** Longest consent a token may carry, days: consent is renewed, not granted forever. */
export const MAX_CONSENT_DAYS = 400;
const DAY_MS = 86_400_000;
/** Longest token accepted, characters (claims are a few hundred bytes). */
export const MAX_TOKEN_LENGTH = 2048;

export interface ConsentClaims {
  /** Token id: what a revocation names. */
  readonly tid: string;
  /** Id of the signing key (see {@link keyIdOf}). */
  readonly kid: string;
  /** The relying party (client id) the consent is given to. */
  readonly party: string;
  /** What for: a policy id of that party. */
  readonly purpose: string;
  /** The subject pseudonym. */
  readonly sub: string;
  /** Issued and expiry, epoch ms. */
  readonly iat: number;
  readonly exp: number;
}

/** A key's id: the first 16 hex digits of the SHA-256 of its SPKI DER form. */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

export interface IssueRequest {
  readonly party: string;
  readonly purpose: string;
  readonly subjectId: string;
  readonly expiresAt: number;
  readonly now?: number;
}

/** Signs a consent token with an Ed25519 private key. */
export function issueConsentToken(privateKey: KeyObject, request: IssueRequest): string {
  if (!isWellFormedSubjectId(request.subjectId)) {
    throw new DmidError('DMID_CONFIG_INVALID', 'consent: the subject must be a pseudonym');
  }
  const claims: ConsentClaims = {
    tid: randomUUID(),
    kid: keyIdOf(privateKey),
    party: request.party,
    purpose: request.purpose,
    sub: request.subjectId,
    iat: request.now ?? Date.now(),
    exp: request.expiresAt,
  };
  const body = `${PREFIX}.${b64(JSON.stringify(claims))}`;
  return `${body}.${sign(null, Buffer.from(body, 'utf8'), privateKey).toString('base64url')}`;
}

function claimsOf(value: unknown): ConsentClaims | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const strings = ['tid', 'kid', 'party', 'purpose', 'sub'].every((k) => {
    const field = v[k];
    return typeof field === 'string' && field.length <= 128;
  });
  if (!strings || !Number.isSafeInteger(v.iat) || !Number.isSafeInteger(v.exp)) return null;
  return value as ConsentClaims;
}

export type ConsentCheck =
  | { readonly ok: true; readonly claims: ConsentClaims }
  | { readonly ok: false; readonly why: 'MALFORMED' | 'SIGNATURE' | 'EXPIRED' };

export interface ConsentVerifier {
  /** Checks form and signature; `nowMs` also the expiry (and the 400-day bound), unless null. */
  check(token: string, nowMs: number | null): ConsentCheck;
  readonly keys: number;
}

export function consentVerifier(publicKeys: readonly KeyObject[]): ConsentVerifier {
  const byId = new Map(publicKeys.map((k) => [keyIdOf(k), k]));
  return {
    keys: byId.size,
    check(token, nowMs) {
      if (token.length > MAX_TOKEN_LENGTH) return { ok: false, why: 'MALFORMED' };
      const parts = token.split('.');
      if (parts.length !== 3 || parts[0] !== PREFIX) return { ok: false, why: 'MALFORMED' };
      let claims: ConsentClaims | null;
      try {
        claims = claimsOf(JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')));
      } catch {
        return { ok: false, why: 'MALFORMED' };
      }
      if (claims === null || !isWellFormedSubjectId(claims.sub)) return { ok: false, why: 'MALFORMED' };
      const key = byId.get(claims.kid);
      const signed = Buffer.from(`${parts[0]}.${parts[1]}`, 'utf8');
      if (key === undefined || !verify(null, signed, key, Buffer.from(parts[2] ?? '', 'base64url'))) {
        return { ok: false, why: 'SIGNATURE' };
      }
      if (nowMs !== null && (claims.exp <= nowMs || claims.exp - nowMs > MAX_CONSENT_DAYS * DAY_MS)) {
        return { ok: false, why: 'EXPIRED' };
      }
      return { ok: true, claims };
    },
  };
}

/** The public keys of a PEM file (one or more `PUBLIC KEY` blocks, Ed25519). */
export function loadConsentPublicKeys(path: string): KeyObject[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new DmidError('DMID_CONFIG_INVALID', `cannot read the consent keys file ${path}`, { cause });
  }
  const blocks = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? [];
  const keys = blocks.map((pem) => createPublicKey(pem));
  if (keys.length === 0 || keys.some((k) => k.asymmetricKeyType !== 'ed25519')) {
    throw new DmidError('DMID_CONFIG_INVALID', `${path}: expected Ed25519 PUBLIC KEY blocks`);
  }
  return keys;
}
