import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { redisFor } from '../../support/redis.js';

const TEST_TIMEOUT = { timeout: 30_000 };

void describe('Redis (real server)', () => {
  void test('write, read and expire a key', TEST_TIMEOUT, async (t) => {
    const { redis, prefix } = await redisFor(t);
    const key = `${prefix}greeting`;
    assert.equal(await redis.set(key, 'hello', 'PX', 300), 'OK');
    assert.equal(await redis.get(key), 'hello');
    const ttl = await redis.pttl(key);
    assert.ok(ttl > 0 && ttl <= 300, `pttl ${ttl}`);

    const deadline = Date.now() + 5000;
    while ((await redis.exists(key)) === 1) {
      assert.ok(Date.now() < deadline, 'key did not expire within 5 s');
      await sleep(50);
    }
    assert.equal(await redis.get(key), null);
  });

  void test('lua-scripting: EVAL runs atomically on the server', TEST_TIMEOUT, async (t) => {
    const { redis, prefix } = await redisFor(t);
    // KEYS[1] hash, ARGV[1] field, ARGV[2] increment, ARGV[3] ttl in ms. Returns the new value.
    const script = `
      local v = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
      return v`;
    const key = `${prefix}{subject}:counters`;
    assert.equal(await redis.eval(script, 1, key, 'events', 5, 60_000), 5);
    assert.equal(await redis.eval(script, 1, key, 'events', 2, 60_000), 7);
    assert.equal(await redis.hget(key, 'events'), '7');
    assert.ok((await redis.pttl(key)) > 0);

    // EVALSHA works after SCRIPT LOAD: what ioredis' defineCommand relies on.
    const sha = await redis.script('LOAD', script);
    assert.equal(typeof sha, 'string');
    assert.equal(await redis.evalsha(String(sha), 1, key, 'events', 1, 60_000), 8);
  });

  void test('the key prefix isolates tests: another prefix sees nothing', TEST_TIMEOUT, async (t) => {
    const a = await redisFor(t);
    const b = await redisFor(t);
    await a.redis.set(`${a.prefix}k`, '1');
    assert.notEqual(a.prefix, b.prefix);
    assert.deepEqual(await b.redis.keys(`${b.prefix}*`), []);
  });
});
