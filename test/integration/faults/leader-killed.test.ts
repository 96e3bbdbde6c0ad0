/**
 * leader-killed-under-load (issue 16): on the three-broker cluster (replication factor 3,
 * min.insync.replicas 2), the leader of a partition the producers write to is SIGKILLed under load and
 * brought back with its data. No record the broker acknowledged is lost (read back by Kafka's own Java
 * consumer), no event is applied twice, every score has its anchor, and the worker scores again within
 * 10 s without exiting.
 */
import { test } from 'node:test';
import { runUnderFault } from '../../support/cluster-fault-run.js';
import { killLeader, restartBroker } from '../../support/kafka-cluster.js';

void test('leader-killed-under-load: nothing acknowledged lost or applied twice, every score anchored, scoring again within 10 s', async (t) => {
  await runUnderFault(
    t,
    'leader-killed',
    async ({ pipeline }) => {
      const faultAt = Date.now();
      const node = await killLeader(pipeline.topics.telecom, 0);
      return { faultAt, heal: () => restartBroker(node) };
    },
    { maxRecoverySeconds: 10 },
  );
});
