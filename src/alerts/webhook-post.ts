/**
 * One webhook POST to a checked target (webhook-target.ts): the socket connects to the address that was
 * checked, never to a second lookup of the host; TLS still verifies the certificate against the host name
 * (the `servername` is the URL's host). Redirects are not followed (node:http never follows them), so the
 * URL the client registered is the only one called.
 */
import type { LookupFunction } from 'node:net';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { WebhookTarget } from './webhook-target.js';

export type PostResult =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'connection-failed' };

/** A lookup that answers the checked address whatever it is asked (both callback shapes of net.connect). */
function pinnedLookup(target: WebhookTarget): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all === true) {
      callback(null, [{ address: target.address, family: target.family }]);
    } else {
      callback(null, target.address, target.family);
    }
  };
}

export function postWebhook(
  target: WebhookTarget,
  headers: Readonly<Record<string, string>>,
  body: string,
  timeoutMs: number,
): Promise<PostResult> {
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: PostResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = send(
      target.url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(target),
        // One connection per delivery: a pooled socket could outlive the check of its address.
        agent: false,
      },
      (response) => {
        response.resume();
        settle({ kind: 'status', status: response.statusCode ?? 0 });
      },
    );
    const timer = setTimeout(() => {
      settle({ kind: 'timeout' });
      req.destroy();
    }, timeoutMs);
    req.on('error', () => settle({ kind: 'connection-failed' }));
    req.end(body);
  });
}
