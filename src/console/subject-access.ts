/**
 * The one authorisation check of the console's subject views, the same rule as the score API: a subject
 * is shown only to a `support` operator whose client has a live relationship (consent) with the subject
 * for the support desk's purpose (`console.support`: a consent to a policy of the same client is not a
 * consent to be looked at by its desk), and only with a stated purpose, which goes to the audit log with the outcome. Anything else is answered
 * exactly like an unknown subject. Every view is logged, granted or not; the log holds no subject id.
 * A granted view also goes to the subject's access log (`dmid subject access-log`): the person sees it.
 */
import type { AccessStore } from '../access/access-store.js';
import { SUPPORT_PURPOSE } from '../access/consent.js';
import type { AccessAudit } from '../audit/access-audit.js';
import type { Logger } from '../logger.js';
import type { OperatorSession } from './operator-sessions.js';

export const MIN_PURPOSE_LENGTH = 8;
export const MAX_PURPOSE_LENGTH = 300;

export interface SubjectAccessDeps {
  readonly access: Pick<AccessStore, 'liveRelationship'>;
  readonly audit: Logger;
  /** The subjects' access log. */
  readonly accessLog: Pick<AccessAudit, 'record'>;
  readonly now: () => number;
}

export type SubjectAccess = 'granted' | 'not-found' | 'purpose-missing';

export function purposeProblem(purpose: string): boolean {
  const trimmed = purpose.trim();
  return trimmed.length < MIN_PURPOSE_LENGTH || trimmed.length > MAX_PURPOSE_LENGTH;
}

export async function authorizeSubjectView(
  deps: SubjectAccessDeps,
  session: OperatorSession,
  subjectId: string,
  purpose: string,
): Promise<SubjectAccess> {
  const base = { audit: 'console-subject-view', clientId: session.client.id, role: session.role };
  if (purposeProblem(purpose)) {
    deps.audit.info({ ...base, outcome: 'purpose-missing' }, 'console subject view refused');
    return 'purpose-missing';
  }
  const relationship =
    session.role === 'support'
      ? await deps.access.liveRelationship(subjectId, session.client.id, deps.now())
      : null;
  const granted = relationship?.purpose === SUPPORT_PURPOSE;
  if (granted) {
    await deps.accessLog.record({
      subjectId,
      party: session.client.id,
      purpose: purpose.trim(),
      action: 'CONSOLE_VIEW',
      outcome: 'SERVED',
      ref: null,
      at: deps.now(),
    });
  }
  deps.audit.info(
    { ...base, purpose: purpose.trim(), outcome: granted ? 'granted' : 'not-found' },
    granted ? 'console subject view' : 'console subject view refused',
  );
  return granted ? 'granted' : 'not-found';
}
