/** Pieces the relying-party routes share: the subject id schema and its guard. */
import { sendApiError } from '../api-errors.js';
import { refusalOf } from './score-route.js';

export const SUBJECT_ID = { type: 'string', pattern: '^[a-z2-7]{32}$' } as const;

export const SUBJECT_PARAMS = {
  type: 'object',
  required: ['subjectId'],
  additionalProperties: false,
  properties: { subjectId: SUBJECT_ID },
} as const;

/** A raw identifier (or a typo) as subjectId is refused before validation, never echoed or logged. */
export function subjectGuard(pick: (request: { body: unknown; params: unknown }) => unknown) {
  return (
    request: { body: unknown; params: unknown },
    reply: Parameters<typeof sendApiError>[0],
    done: () => void,
  ): void => {
    const value = pick(request);
    if (value === undefined || refusalOf(value) === null) {
      done();
      return;
    }
    void sendApiError(reply, 'SUBJECT_ID_MALFORMED');
  };
}

export function fieldOf(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const field: unknown = Reflect.get(value, name);
  return field;
}
