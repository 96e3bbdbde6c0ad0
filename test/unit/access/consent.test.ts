/**
 * Consent tokens and in-person proofs (issue 18): only a token signed by a configured authority, for this
 * party and one of its purposes, unexpired and unrevoked, makes a relationship; a capture proves one only
 * at the party's own capture point, live, matched and fresh.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { relateByToken, relateInPerson, type ConsentDeps } from '../../../src/access/consent.js';
import { consentVerifier, issueConsentToken } from '../../../src/access/consent-token.js';
import { createMemoryAccessStore } from '../../../src/access/memory-access-store.js';
import type { Client } from '../../../src/access/clients.js';
import { createMemoryStore } from '../../../src/state/memory-store.js';
import { biometric, subjectId } from '../../support/evidence-factory.js';

const NOW = 1_800_000_000_000;
const authority = generateKeyPairSync('ed25519');
const forger = generateKeyPairSync('ed25519');

const CLIENT: Client = {
  id: 'city-hospital',
  name: 'x',
  apiKeySha256: '0'.repeat(64),
  policies: ['hospital.outpatient-checkin'],
  readRawScores: false,
  alerts: false,
  capturePoints: ['kiosk-hospital-07'],
};

function deps(): ConsentDeps & {
  access: ReturnType<typeof createMemoryAccessStore>;
  store: ReturnType<typeof createMemoryStore>;
} {
  return {
    verifier: consentVerifier([authority.publicKey]),
    access: createMemoryAccessStore(),
    store: createMemoryStore(),
    captureWindowMs: 600_000,
    inPersonRelationshipMs: 3_600_000,
  };
}

function token(o: Partial<{ party: string; purpose: string; exp: number; signer: typeof authority }> = {}) {
  return (subject: string): string =>
    issueConsentToken((o.signer ?? authority).privateKey, {
      party: o.party ?? CLIENT.id,
      purpose: o.purpose ?? 'hospital.outpatient-checkin',
      subjectId: subject,
      expiresAt: o.exp ?? NOW + 86_400_000,
      now: NOW,
    });
}

void describe('consent tokens', () => {
  void it('a valid token makes a CONSENT relationship bound to its purpose and token', async () => {
    const d = deps();
    const s = subjectId();
    const proven = await relateByToken(d, CLIENT, token()(s), NOW);
    assert.ok(proven.ok);
    const live = await d.access.liveRelationship(s, CLIENT.id, NOW);
    assert.equal(live?.purpose, 'hospital.outpatient-checkin');
    assert.equal(live?.kind, 'CONSENT');
    assert.ok(live?.tokenId);
  });

  void it('forged, expired, other-party, foreign-purpose, altered and revoked tokens make nothing', async () => {
    const d = deps();
    const s = subjectId();
    const good = token()(s);
    const [head, claims, signature] = good.split('.');
    const altered = JSON.parse(Buffer.from(claims ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    altered.party = 'city-hospital';
    altered.sub = subjectId();
    const refusedTokens = [
      token({ signer: forger })(s),
      token({ exp: NOW - 1 })(s),
      token({ exp: NOW + 500 * 86_400_000 })(s),
      token({ party: 'acme-insurance' })(s),
      token({ purpose: 'insurer.claim-payout' })(s),
      `${head}.${Buffer.from(JSON.stringify(altered)).toString('base64url')}.${signature}`,
      'not a token',
    ];
    for (const t of refusedTokens) assert.equal((await relateByToken(d, CLIENT, t, NOW)).ok, false, t);
    assert.equal(await d.access.liveRelationship(s, CLIENT.id, NOW), null);
    const checked = d.verifier.check(good, NOW);
    assert.ok(checked.ok);
    await d.access.revokeConsent(checked.claims.tid, NOW + 86_400_000);
    assert.equal((await relateByToken(d, CLIENT, good, Date.now())).ok, false);
  });
});

void describe('in-person proof', () => {
  void it('a fresh live capture at the party’s own capture point, and nothing else', async () => {
    const d = deps();
    const apply = async (s: string, o: Parameters<typeof biometric>[0]): Promise<void> => {
      await d.store.applySignals([
        { subjectId: s, signals: [{ kind: 'biometric', signal: biometric({ ...o, subjectId: s }) }] },
      ]);
    };
    const cases: [string, Parameters<typeof biometric>[0], boolean][] = [
      ['own point, fresh, live', { providerId: 'kiosk-hospital-07', observedAt: NOW - 60_000 }, true],
      ['another party’s point', { providerId: 'kiosk-bank-01', observedAt: NOW - 60_000 }, false],
      ['too old', { providerId: 'kiosk-hospital-07', observedAt: NOW - 700_000 }, false],
      ['attack', { providerId: 'kiosk-hospital-07', observedAt: NOW - 1, presentationAttack: true }, false],
      ['not live', { providerId: 'kiosk-hospital-07', observedAt: NOW - 1, livenessScore: 0.3 }, false],
      ['not matched', { providerId: 'kiosk-hospital-07', observedAt: NOW - 1, matchScore: 0.2 }, false],
    ];
    for (const [name, capture, expected] of cases) {
      const s = subjectId();
      await apply(s, capture);
      const proven = await relateInPerson(d, CLIENT, s, 'hospital.outpatient-checkin', NOW);
      assert.equal(proven.ok, expected, name);
      assert.equal((await d.access.liveRelationship(s, CLIENT.id, NOW)) !== null, expected, name);
    }
    const s = subjectId();
    await apply(s, { providerId: 'kiosk-hospital-07', observedAt: NOW - 1 });
    const noPoints = { ...CLIENT, capturePoints: [] };
    assert.equal((await relateInPerson(d, noPoints, s, 'hospital.outpatient-checkin', NOW)).ok, false);
    assert.equal((await relateInPerson(d, CLIENT, s, 'insurer.claim-payout', NOW)).ok, false);
  });
});
