/** A local (127.0.0.1) webhook receiver for tests: records every delivery, answers a settable status. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

export interface ReceivedDelivery {
  readonly body: string;
  readonly signature: string | undefined;
  readonly receivedAt: number;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedDelivery[];
  /** Status answered from now on. Default 204. */
  status: number;
  /** Starts listening (again) on the receiver's port. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A receiver on a free port, not yet listening unless `listening`; stopped after the test. */
export async function webhookReceiver(t: TestContext, listening = true): Promise<WebhookReceiver> {
  // A port that was free a moment ago: the receiver can be "down" and come back on the same URL.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  let server: Server | undefined;
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${port}/dmid-alerts`,
    received: [],
    status: 204,
    async start() {
      server = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (c: Buffer) => chunks.push(c));
        request.on('end', () => {
          const signature = request.headers['dmid-signature'];
          receiver.received.push({
            body: Buffer.concat(chunks).toString('utf8'),
            signature: typeof signature === 'string' ? signature : undefined,
            receivedAt: Date.now(),
          });
          response.writeHead(receiver.status).end();
        });
      });
      const s = server;
      await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  if (listening) await receiver.start();
  t.after(() => receiver.stop());
  return receiver;
}
