/**
 * Relationships from proof (src/access/consent.ts), and the person's revocation:
 *
 *   POST   /v1/relationships             {consentToken} | {subjectId, purpose, proof: "IN_PERSON"}
 *                                        -> 201 {subjectId, kind, purpose, expiresAt}
 *   DELETE /v1/relationships/:subjectId  -> 204 (the party ends its own relationship)
 *   POST   /v1/consents/revoke           {consentToken} -> 204, no API key: holding the token is the proof
 *
 * A proof that does not hold (forged, expired, revoked, another party's token, a capture elsewhere or too
 * old) answers 404 SUBJECT_NOT_FOUND, byte for byte what an unknown subject answers. Every change is in the
 * subject's access log.
 */
import type { FastifyInstance } from 'fastify';
import { relateByToken, relateInPerson, type Proven } from '../../access/consent.js';
import { MAX_TOKEN_LENGTH } from '../../access/consent-token.js';
import { ERROR_BODY_SCHEMA, sendApiError } from '../api-errors.js';
import { auditRefusal, authenticate, clientOf, limitBySource } from '../client-auth.js';
import type { RelyingPartyRouteDeps } from './relying-party-routes.js';
import { fieldOf, subjectGuard, SUBJECT_ID, SUBJECT_PARAMS } from './route-guards.js';

export const RELATIONSHIPS_ROUTE = '/v1/relationships';
export const REVOKE_ROUTE = '/v1/consents/revoke';

const ERRORS = { '4xx': ERROR_BODY_SCHEMA, '5xx': ERROR_BODY_SCHEMA } as const;
const TOKEN = { type: 'string', minLength: 1, maxLength: MAX_TOKEN_LENGTH } as const;
const PURPOSE = { type: 'string', pattern: '^[a-z][a-z0-9.-]{0,127}$' } as const;

const RELATIONSHIP_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    consentToken: TOKEN,
    subjectId: SUBJECT_ID,
    purpose: PURPOSE,
    proof: { type: 'string', enum: ['IN_PERSON'] },
  },
} as const;

const REVOKE_BODY = {
  type: 'object',
  required: ['consentToken'],
  additionalProperties: false,
  properties: { consentToken: TOKEN },
} as const;

interface RelationshipBody {
  consentToken?: string;
  subjectId?: string;
  purpose?: string;
  proof?: 'IN_PERSON';
}

export function registerConsentRoutes(app: FastifyInstance, deps: RelyingPartyRouteDeps): void {
  const onRequest = authenticate(deps);

  app.post<{ Body: RelationshipBody }>(RELATIONSHIPS_ROUTE, {
    schema: { body: RELATIONSHIP_BODY, response: ERRORS },
    onRequest,
    preValidation: subjectGuard((r) => fieldOf(r.body, 'subjectId')),
    handler: async (request, reply) => {
      const client = clientOf(request);
      const { consentToken, subjectId, purpose, proof } = request.body;
      const t = deps.now();
      let proven: Proven;
      if (
        consentToken !== undefined &&
        subjectId === undefined &&
        purpose === undefined &&
        proof === undefined
      ) {
        proven = await relateByToken(deps.consent, client, consentToken, t);
      } else if (
        consentToken === undefined &&
        subjectId !== undefined &&
        purpose !== undefined &&
        proof === 'IN_PERSON'
      ) {
        proven = await relateInPerson(deps.consent, client, subjectId, purpose, t);
      } else {
        return sendApiError(reply, 'BODY_INVALID');
      }
      if (!proven.ok) {
        auditRefusal(deps, RELATIONSHIPS_ROUTE, client.id, 'SUBJECT_NOT_FOUND');
        return sendApiError(reply, 'SUBJECT_NOT_FOUND');
      }
      const { relationship } = proven;
      await deps.accessLog.record({
        subjectId: proven.subjectId,
        party: client.id,
        purpose: relationship.purpose,
        action: 'RELATIONSHIP_CREATED',
        outcome: relationship.kind,
        ref: relationship.tokenId,
        at: t,
      });
      deps.audit.info(
        {
          audit: 'relationship',
          clientId: client.id,
          kind: relationship.kind,
          purpose: relationship.purpose,
        },
        'relationship registered',
      );
      return reply.code(201).send({
        subjectId: proven.subjectId,
        kind: relationship.kind,
        purpose: relationship.purpose,
        expiresAt: relationship.expiresAt,
      });
    },
  });

  app.delete<{ Params: { subjectId: string } }>(`${RELATIONSHIPS_ROUTE}/:subjectId`, {
    schema: { params: SUBJECT_PARAMS, response: ERRORS },
    onRequest,
    preValidation: subjectGuard((r) => fieldOf(r.params, 'subjectId')),
    handler: async (request, reply) => {
      const client = clientOf(request);
      // 204 whether or not there was one: the answer says nothing about the subject.
      const ended = await deps.access.removeRelationship(request.params.subjectId, client.id);
      if (ended) {
        await deps.accessLog.record({
          subjectId: request.params.subjectId,
          party: client.id,
          purpose: null,
          action: 'RELATIONSHIP_ENDED',
          outcome: 'ENDED',
          ref: null,
          at: deps.now(),
        });
      }
      deps.audit.info({ audit: 'relationship-ended', clientId: client.id }, 'relationship ended');
      return reply.code(204).send();
    },
  });

  app.post<{ Body: { consentToken: string } }>(REVOKE_ROUTE, {
    schema: { body: REVOKE_BODY, response: ERRORS },
    // No API key: the person revokes. Limited per source address like any request without a client.
    onRequest: async (request, reply) => limitBySource(deps, request, reply, REVOKE_ROUTE),
    handler: async (request, reply) => {
      // Expired tokens may be revoked too (harmless); only the signature must hold.
      const checked = deps.consent.verifier.check(request.body.consentToken, null);
      if (!checked.ok) return sendApiError(reply, 'CONSENT_TOKEN_INVALID');
      const { claims } = checked;
      const t = deps.now();
      await deps.access.revokeConsent(claims.tid, claims.exp);
      const live = await deps.access.liveRelationship(claims.sub, claims.party, t);
      if (live !== null && live.tokenId === claims.tid) {
        await deps.access.removeRelationship(claims.sub, claims.party);
      }
      await deps.accessLog.record({
        subjectId: claims.sub,
        party: claims.party,
        purpose: claims.purpose,
        action: 'CONSENT_REVOKED',
        outcome: 'REVOKED',
        ref: claims.tid,
        at: t,
      });
      deps.audit.info({ audit: 'consent-revoked', clientId: claims.party }, 'consent revoked');
      return reply.code(204).send();
    },
  });
}
