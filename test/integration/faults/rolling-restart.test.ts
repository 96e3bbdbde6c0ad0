/**
 * rolling-restart-under-load (issue 16): the three brokers of the cluster are restarted one after the
 * other (SIGTERM, start with their data, wait until every partition is in sync again) while producers
 * publish. No record the broker acknowledged is lost, no event is applied twice, every score has its
 * anchor, and the worker process never exits.
 */
import { test } from 'node:test';
import { runUnderFault } from '../../support/cluster-fault-run.js';
import { restartBroker } from '../../support/kafka-cluster.js';

void test('rolling-restart-under-load: nothing acknowledged lost or applied twice, every score anchored, no process exits', async (t) => {
  await runUnderFault(
    t,
    'rolling-restart',
    async () => {
      for (const node of [1, 2, 3]) await restartBroker(node);
      // Recovery is counted from the last restart; nothing left to heal: every node is back and in sync.
      return { faultAt: Date.now(), heal: () => Promise.resolve() };
    },
    { maxRecoverySeconds: 10 },
  );
});
