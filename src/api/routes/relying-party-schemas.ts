/** Response schemas of the relying-party routes: fast-json-stringify compiles them, and drops anything else. */

const DIMENSION = { type: 'string', enum: ['TELECOM', 'LOCATION', 'BIOMETRIC', 'REGISTRY'] } as const;

const REASON = {
  type: 'object',
  required: ['code', 'dimension', 'reasonCode'],
  additionalProperties: false,
  properties: {
    code: { type: 'string' },
    dimension: { anyOf: [DIMENSION, { type: 'null' }] },
    reasonCode: { type: ['string', 'null'] },
  },
} as const;

const SCORE = {
  type: 'object',
  required: ['scoreId', 'scoredAt', 'modelVersion', 'assuranceLevel', 'confidence', 'dimensions'],
  additionalProperties: false,
  properties: {
    scoreId: { type: 'string' },
    scoredAt: { type: 'integer' },
    modelVersion: { type: 'string' },
    assuranceLevel: { type: 'string', enum: ['NONE', 'LOW', 'SUBSTANTIAL', 'HIGH'] },
    confidence: { type: ['number', 'null'] },
    dimensions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['dimension', 'score', 'evidenceAt'],
        additionalProperties: false,
        properties: {
          dimension: DIMENSION,
          score: { type: 'number' },
          evidenceAt: { type: ['integer', 'null'] },
        },
      },
    },
  },
} as const;

/** The decision record (src/policy/decision-record.ts) plus its hash and anchor id. */
export const DECISION_RESPONSE_SCHEMA = {
  type: 'object',
  required: [
    'decisionId',
    'decidedAt',
    'clientId',
    'subjectId',
    'policy',
    'outcome',
    'reasons',
    'stepUp',
    'score',
    'recordHash',
    'anchorId',
  ],
  additionalProperties: false,
  properties: {
    decisionId: { type: 'string' },
    decidedAt: { type: 'integer' },
    clientId: { type: 'string' },
    subjectId: { type: 'string' },
    policy: {
      type: 'object',
      required: ['id', 'version', 'contentHash'],
      additionalProperties: false,
      properties: { id: { type: 'string' }, version: { type: 'string' }, contentHash: { type: 'string' } },
    },
    outcome: { type: 'string', enum: ['ALLOW', 'STEP_UP', 'DENY'] },
    reasons: { type: 'array', items: REASON },
    stepUp: { type: 'array', items: { type: 'string' } },
    score: SCORE,
    recordHash: { type: 'string' },
    anchorId: { type: 'string' },
  },
} as const;

export const PARKED_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['parked'],
  additionalProperties: false,
  properties: {
    parked: {
      type: 'array',
      items: {
        type: 'object',
        required: ['deliveryId', 'alertId', 'attempts', 'createdAt', 'lastError', 'lastStatus', 'alert'],
        additionalProperties: false,
        properties: {
          deliveryId: { type: 'string' },
          alertId: { type: 'string' },
          attempts: { type: 'integer' },
          createdAt: { type: 'integer' },
          lastError: { type: ['string', 'null'] },
          lastStatus: { type: ['integer', 'null'] },
          alert: { type: 'object', additionalProperties: true },
        },
      },
    },
  },
} as const;
