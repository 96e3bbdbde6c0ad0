/**
 * Kafka client failures, classified: a cluster that cannot be reached or is not ready (retrying may help)
 * becomes `DMID_KAFKA_UNAVAILABLE` with the client's error as `cause`; authentication and authorisation
 * failures are fatal (retrying cannot fix them); argument errors are thrown as they are.
 */
import { GenericError, MultipleErrors } from '@platformatic/kafka';
import { DmidError } from '../errors.js';

/** Whether an error came from the Kafka client (as opposed to our code or the caller's). */
export function isKafkaError(error: unknown): error is GenericError | MultipleErrors {
  return error instanceof Error && GenericError.isGenericError(error);
}

/** The error and everything inside it: the errors of an aggregate and the causes. */
function leaves(error: unknown, depth = 0): unknown[] {
  if (depth > 8) return [error];
  if (error instanceof AggregateError && error.errors.length > 0)
    return error.errors.flatMap((e: unknown) => leaves(e, depth + 1));
  // The admin wraps the broker's answer in an error of its own.
  if (isKafkaError(error) && error.code === 'PLT_KFK_USER' && error.cause !== undefined)
    return leaves(error.cause, depth + 1);
  return [error];
}

/** The broker's error id (`TOPIC_ALREADY_EXISTS`, ...) of a protocol error in `error`, else undefined. */
export function kafkaProtocolErrorType(error: unknown): string | undefined {
  for (const leaf of leaves(error)) {
    if (isKafkaError(leaf) && typeof leaf.apiId === 'string') return leaf.apiId;
  }
  return undefined;
}

/** What the broker said, from the innermost errors of `error` (an aggregate's own message says nothing). */
export function kafkaErrorDetail(error: unknown): string {
  const texts = leaves(error).map((leaf) => {
    if (!(leaf instanceof Error)) return String(leaf);
    const server =
      isKafkaError(leaf) && typeof leaf.serverErrorMessage === 'string' ? `: ${leaf.serverErrorMessage}` : '';
    return `${leaf.message}${server}`;
  });
  return [...new Set(texts)].join('; ');
}

const FATAL_IDS = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'UNSUPPORTED_SASL_MECHANISM',
]);

function isFatalLeaf(leaf: unknown): boolean {
  return (
    isKafkaError(leaf) && (leaf.code === 'PLT_KFK_AUTHENTICATION' || FATAL_IDS.has(String(leaf.apiId ?? '')))
  );
}

/**
 * Authentication or authorisation refused: a process cannot fix that by waiting. A refused SASL login
 * arrives as a failed connection whose cause is the authentication error.
 */
export function isKafkaFatal(error: unknown): boolean {
  return leaves(error).some(
    (leaf) =>
      isFatalLeaf(leaf) || (isKafkaError(leaf) && leaf.code === 'PLT_KFK_NETWORK' && isFatalLeaf(leaf.cause)),
  );
}

function leafUnavailable(leaf: unknown): boolean {
  if (!isKafkaError(leaf)) return false;
  // Timeouts carry the network code; both mean "the broker did not answer".
  if (leaf.code === 'PLT_KFK_NETWORK' || leaf.code === 'PLT_KFK_TIMEOUT') return true;
  if (leaf.code === 'PLT_KFK_PROTOCOL') return leaf.canRetry === true;
  return false;
}

/**
 * True for client errors that mean "the cluster is not reachable or not ready": connection and timeout
 * failures, exhausted retries of those, and protocol errors the broker marks retriable (leader elections,
 * a coordinator loading). Argument errors and non-retriable protocol errors are not.
 */
export function isKafkaUnavailable(error: unknown): boolean {
  if (!isKafkaError(error)) return false;
  if (isKafkaFatal(error)) return false;
  const inner = leaves(error);
  // A retry loop's aggregate ends with the client closing while retrying: what came before decides.
  const meaningful = inner.filter(
    (e) => !(isKafkaError(e) && e.code === 'PLT_KFK_USER' && /closed/i.test(e.message)),
  );
  if (meaningful.length === 0) return false;
  return meaningful.every((e) => leafUnavailable(e));
}

function describe(error: unknown): string {
  if (error instanceof MultipleErrors) {
    const last = error.errors.at(-1) as unknown;
    return last instanceof Error ? `${error.message} (last: ${last.message})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The client's answer to a send or subscription naming a topic the cluster does not have. */
export function isUnknownTopic(error: unknown): boolean {
  return leaves(error).some(
    (leaf) => isKafkaError(leaf) && leaf.code === 'PLT_KFK_USER' && /^Unknown topic/.test(leaf.message),
  );
}

/**
 * A client failure as dmid reports it: an unavailable cluster becomes DMID_KAFKA_UNAVAILABLE, a missing
 * topic DMID_KAFKA_TOPIC_MISSING and a refused login DMID_KAFKA_AUTH_FAILED; anything else is returned as
 * it is.
 */
export function classifyKafkaError(action: string, error: unknown): unknown {
  if (isKafkaFatal(error)) {
    return new DmidError('DMID_KAFKA_AUTH_FAILED', `Kafka ${action} refused: ${kafkaErrorDetail(error)}`, {
      cause: error,
    });
  }
  if (isUnknownTopic(error)) {
    return new DmidError('DMID_KAFKA_TOPIC_MISSING', `Kafka ${action} failed: ${kafkaErrorDetail(error)}`, {
      cause: error,
    });
  }
  if (isKafkaUnavailable(error)) {
    return new DmidError('DMID_KAFKA_UNAVAILABLE', `Kafka ${action} failed: ${describe(error)}`, {
      cause: error,
    });
  }
  return error;
}

/** Runs a client call, its failure classified by {@link classifyKafkaError}. */
export async function withKafka<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw classifyKafkaError(action, error);
  }
}

/**
 * Broker answers that end a transaction but not the producer's right to run the next one, as the Java
 * client treats them (abortable, KIP-588/KIP-360): a coordinator that moved or is loading, a transaction
 * still being completed (CONCURRENT_TRANSACTIONS), an epoch the coordinator bumped after aborting a timed
 * out transaction (INVALID_PRODUCER_EPOCH), producer state lost with a restarted leader, replicas out of
 * sync. PRODUCER_FENCED (another live instance took the transactional id) is not among them.
 */
const TRANSACTION_ABORTABLE_IDS = new Set([
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'CONCURRENT_TRANSACTIONS',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_TXN_STATE',
  'UNKNOWN_PRODUCER_ID',
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'TRANSACTION_ABORTABLE',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'FENCED_LEADER_EPOCH',
  'REQUEST_TIMED_OUT',
]);

/** Whether a failed transaction may be aborted and its unit retried on a new producer (see above). */
export function isTransientTransactionFailure(error: unknown): boolean {
  if (!isKafkaError(error) || isKafkaFatal(error) || isUnknownTopic(error)) return false;
  const inner = leaves(error).filter(
    (e) => !(isKafkaError(e) && e.code === 'PLT_KFK_USER' && /closed/i.test(e.message)),
  );
  if (inner.some((e) => isKafkaError(e) && e.apiId === 'PRODUCER_FENCED')) return false;
  return (
    inner.length > 0 &&
    inner.every(
      (e) => leafUnavailable(e) || (isKafkaError(e) && TRANSACTION_ABORTABLE_IDS.has(String(e.apiId ?? ''))),
    )
  );
}

/**
 * A consumer stream that failed on something a new group member can outlive: the cluster unreachable or
 * not ready, or a partition led by a broker missing from the client's metadata while brokers restart
 * (the client gives up on that one instead of refreshing its metadata).
 */
export function isTransientStreamFailure(error: unknown): boolean {
  if (!isKafkaError(error) || isKafkaFatal(error) || isUnknownTopic(error)) return false;
  const inner = leaves(error).filter(
    (e) => !(isKafkaError(e) && e.code === 'PLT_KFK_USER' && /closed/i.test(e.message)),
  );
  return (
    inner.length > 0 &&
    inner.every(
      (e) =>
        leafUnavailable(e) ||
        (isKafkaError(e) &&
          e.code === 'PLT_KFK_USER' &&
          /^Cannot find broker with node id/.test(e.message)) ||
        (isKafkaError(e) && (e.needsRejoin === true || e.apiId === 'NOT_COORDINATOR')),
    )
  );
}
