/**
 * Webhooks cannot reach inside (issue 18): every internal URL form is refused at registration, and a
 * delivery to one (a subscription stored earlier, a name that now resolves inside) never connects: a
 * loopback listener opened by the test sees no connection, and the client is told only DELIVERY_FAILED.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { pino } from 'pino';
import { createMemoryAccessStore } from '../../../src/access/memory-access-store.js';
import { createAlertDelivery } from '../../../src/alerts/alert-delivery.js';
import { createMemoryAlertStore } from '../../../src/alerts/memory-alert-store.js';
import {
  isBlockedAddress,
  resolveTarget,
  type WebhookTargetPolicy,
} from '../../../src/alerts/webhook-target.js';
import { waitFor } from '../../support/pipeline.js';

/** A loopback TCP listener counting the connections it gets. */
async function listener(t: TestContext): Promise<{ port: number; connections: () => number }> {
  let count = 0;
  const server: Server = createServer((socket) => {
    count += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, connections: () => count };
}

/** Names a resolver maps inside (or half inside: a rebinding answer). */
const FAKE_DNS: Readonly<Record<string, readonly string[]>> = {
  'internal.example.com': ['10.1.2.3'],
  'rebind.example.com': ['93.184.216.34', '127.0.0.1'],
  'metadata.example.com': ['169.254.169.254'],
  'mapped.example.com': ['::ffff:127.0.0.1'],
  'public.example.com': ['93.184.216.34'],
};

const POLICY: WebhookTargetPolicy = {
  allowedHosts: new Set(),
  resolve: (host) => {
    const found = FAKE_DNS[host];
    return found === undefined ? Promise.reject(new Error('ENOTFOUND')) : Promise.resolve(found);
  },
};

function internalUrls(port: number): string[] {
  return [
    `https://127.0.0.1:${port}/hook`,
    `https://localhost:${port}/hook`,
    `https://api.localhost:${port}/hook`,
    `https://[::1]:${port}/hook`,
    `https://[::ffff:127.0.0.1]:${port}/hook`,
    `https://[::ffff:7f00:1]:${port}/hook`,
    `https://[0:0:0:0:0:ffff:7f00:1]:${port}/hook`,
    `https://[::127.0.0.1]:${port}/hook`,
    `https://2130706433:${port}/hook`,
    `https://0x7f000001:${port}/hook`,
    `https://0x7f.1:${port}/hook`,
    `https://017700000001:${port}/hook`,
    `https://127.1:${port}/hook`,
    `https://0.0.0.0:${port}/hook`,
    `https://0:${port}/hook`,
    `https://10.0.0.1:${port}/hook`,
    `https://172.16.5.4:${port}/hook`,
    `https://192.168.1.1:${port}/hook`,
    `https://100.64.0.1:${port}/hook`,
    'https://169.254.169.254/latest/meta-data/',
    `https://[fe80::1]:${port}/hook`,
    `https://[fd00::1]:${port}/hook`,
    `https://[fc00::1]:${port}/hook`,
    `https://[::]:${port}/hook`,
    `https://[64:ff9b::7f00:1]:${port}/hook`,
    `https://[2002:7f00:1::]:${port}/hook`,
    `https://224.0.0.1:${port}/hook`,
    `https://255.255.255.255:${port}/hook`,
    `https://internal.example.com:${port}/hook`,
    `https://rebind.example.com:${port}/hook`,
    `https://metadata.example.com/latest`,
    `https://mapped.example.com:${port}/hook`,
    `http://public.example.com:${port}/hook`,
    `https://user:secret@public.example.com/hook`,
    `ftp://public.example.com/hook`,
  ];
}

void describe('webhook targets', () => {
  void it('refuses every internal URL form (35 of them)', async () => {
    const urls = internalUrls(9);
    assert.ok(urls.length >= 20);
    for (const url of urls) {
      const checked = await resolveTarget(url, POLICY);
      assert.equal(checked.ok, false, url);
    }
  });

  void it('accepts https to a public address and pins the connection to the checked address', async () => {
    const checked = await resolveTarget('https://public.example.com/hook', POLICY);
    assert.ok(checked.ok);
    assert.deepEqual([checked.target.address, checked.target.family], ['93.184.216.34', 4]);
    assert.equal(isBlockedAddress('8.8.8.8'), false);
    assert.equal(isBlockedAddress('2606:4700::1111'), false);
  });

  void it('a development host may be http and loopback, only when listed', async () => {
    const url = 'http://127.0.0.1:8080/hook';
    assert.equal((await resolveTarget(url, POLICY)).ok, false);
    assert.ok((await resolveTarget(url, { ...POLICY, allowedHosts: new Set(['127.0.0.1']) })).ok);
  });

  void it('a delivery to any internal form never connects, and fails with ADDRESS_REFUSED', async (t) => {
    const inside = await listener(t);
    const access = createMemoryAccessStore();
    const alerts = createMemoryAlertStore();
    const worker = createAlertDelivery({
      alerts,
      access,
      logger: pino({ level: 'silent' }),
      targets: POLICY,
      maxAttempts: 1,
      pollMs: 10,
      timeoutMs: 500,
    });
    worker.start();
    t.after(() => worker.stop());
    const urls = internalUrls(inside.port);
    for (const [i, url] of urls.entries()) {
      // Stored directly: as if registered before the rules, or the name resolved elsewhere back then.
      await access.putSubscription(`c${i}`, { url, secret: 'ab'.repeat(32) });
      await alerts.enqueue(
        [
          {
            deliveryId: `a:c${i}`,
            alertId: 'a',
            clientId: `c${i}`,
            body: '{}',
            attempts: 0,
            createdAt: Date.now(),
            lastError: null,
            lastStatus: null,
          },
        ],
        Date.now(),
      );
    }
    worker.wake();
    const parkedAll = async (): Promise<boolean> => {
      for (let i = 0; i < urls.length; i++) if ((await alerts.parked(`c${i}`)).length !== 1) return false;
      return true;
    };
    await waitFor(parkedAll, 'every delivery parked', 10_000);
    for (let i = 0; i < urls.length; i++) {
      assert.equal((await alerts.parked(`c${i}`))[0]?.lastError, 'ADDRESS_REFUSED', urls[i]);
    }
    assert.equal(inside.connections(), 0);
  });
});
