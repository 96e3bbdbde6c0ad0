import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterNodesOf } from '../../../src/state/redis-client.js';
import { keySlot } from '../../../src/state/redis-cluster.js';

void test('keySlot: the slots Redis Cluster gives (CLUSTER KEYSLOT), hash tags included', () => {
  // Values from CLUSTER KEYSLOT on Redis 7 (the cluster of deploy/local/redis-cluster.sh).
  assert.equal(keySlot('foo'), 12182);
  assert.equal(keySlot('dmid:{abc}:state'), 7638);
  assert.equal(keySlot('{abc}'), keySlot('abc'));
  // An empty tag is no tag: the whole key is hashed.
  assert.equal(keySlot('a{}b'), keySlot('a{}b'));
  assert.notEqual(keySlot('a{}b'), keySlot(''));
});

void test('a URL naming several nodes is a cluster; one node is not', () => {
  assert.equal(clusterNodesOf('redis://127.0.0.1:6379'), null);
  assert.deepEqual(clusterNodesOf('redis://127.0.0.1:17000,127.0.0.1:17001'), [
    { host: '127.0.0.1', port: 17000 },
    { host: '127.0.0.1', port: 17001 },
  ]);
  assert.deepEqual(clusterNodesOf('redis://a:1,redis://b:2'), [
    { host: 'a', port: 1 },
    { host: 'b', port: 2 },
  ]);
});
