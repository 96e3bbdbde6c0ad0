/**
 * Which failed transactions are aborted and retried (src/ingest/kafka-errors.ts): the broker answers of a
 * rolling restart (coordinator moved, epoch bumped, producer state lost, replicas out of sync) are, a
 * producer fenced by another instance, a refused login and a programmer error are not. Built from the
 * client's own error classes, as the client builds them from a broker's answer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MultipleErrors, NetworkError, ProtocolError, UserError } from '@platformatic/kafka';
import { isTransientStreamFailure, isTransientTransactionFailure } from '../../../src/ingest/kafka-errors.js';

/** A send that failed after retries, as the client reports it: an aggregate of the attempts. */
const failedTimes = (...ids: string[]): MultipleErrors =>
  new MultipleErrors(
    `produce failed ${ids.length} times.`,
    ids.map((id) => new ProtocolError(id)),
  );

void test('transient-transaction: rolling-restart answers are aborted and retried', () => {
  for (const id of [
    'NOT_COORDINATOR',
    'COORDINATOR_LOAD_IN_PROGRESS',
    'CONCURRENT_TRANSACTIONS',
    'INVALID_PRODUCER_EPOCH',
    'UNKNOWN_PRODUCER_ID',
    'OUT_OF_ORDER_SEQUENCE_NUMBER',
    'INVALID_TXN_STATE',
    'TRANSACTION_ABORTABLE',
  ]) {
    assert.equal(isTransientTransactionFailure(new ProtocolError(id)), true, id);
  }
  assert.equal(
    isTransientTransactionFailure(
      failedTimes('NOT_LEADER_OR_FOLLOWER', 'NOT_ENOUGH_REPLICAS', 'INVALID_PRODUCER_EPOCH'),
    ),
    true,
  );
  // Nested as a partial send reports it: the aggregate of a send around the aggregate of its retries.
  const nested = new MultipleErrors('Producing messages failed.', [
    failedTimes('OUT_OF_ORDER_SEQUENCE_NUMBER'),
  ]);
  assert.equal(isTransientTransactionFailure(nested), true);
});

void test('transient-transaction: fencing, refused access and programmer errors are not retried', () => {
  assert.equal(isTransientTransactionFailure(new ProtocolError('PRODUCER_FENCED')), false);
  assert.equal(isTransientTransactionFailure(failedTimes('NOT_COORDINATOR', 'PRODUCER_FENCED')), false);
  assert.equal(
    isTransientTransactionFailure(new ProtocolError('TRANSACTIONAL_ID_AUTHORIZATION_FAILED')),
    false,
  );
  assert.equal(isTransientTransactionFailure(new ProtocolError('INVALID_RECORD')), false);
  assert.equal(isTransientTransactionFailure(new UserError('Unknown topic x.')), false);
  assert.equal(isTransientTransactionFailure(new TypeError('cannot read x of undefined')), false);
  assert.equal(
    isTransientTransactionFailure(
      new MultipleErrors('x', [new ProtocolError('NOT_COORDINATOR'), new TypeError('bug')]),
    ),
    false,
  );
});

void test('transient-stream: a fetch that gave up while brokers restart rejoins; other failures end the run', () => {
  // As the client reports it when a partition's leader is on a broker its metadata does not list yet.
  const restarting = new MultipleErrors('fetch failed 3 times.', [
    new NetworkError('Connection closed'),
    new UserError('Cannot find broker with node id 3'),
  ]);
  assert.equal(isTransientStreamFailure(restarting), true);
  assert.equal(isTransientStreamFailure(new ProtocolError('NOT_COORDINATOR')), true);
  assert.equal(isTransientStreamFailure(new ProtocolError('UNKNOWN_MEMBER_ID')), true);
  assert.equal(isTransientStreamFailure(new UserError('Unknown topic dmid.x.')), false);
  assert.equal(isTransientStreamFailure(new ProtocolError('GROUP_AUTHORIZATION_FAILED')), false);
  assert.equal(isTransientStreamFailure(new ProtocolError('INVALID_RECORD')), false);
  assert.equal(isTransientStreamFailure(new TypeError('x is not a function')), false);
});
