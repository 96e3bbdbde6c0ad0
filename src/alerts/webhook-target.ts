/**
 * Where a webhook may go: never inside. A relying party names a URL and the engine POSTs to it, so without
 * care the engine is a port scanner and a request forger for anything it can reach (Redis, Kafka, its own
 * API, a cloud metadata service). The rules:
 * - https only; http only for hosts listed for development (`DMID_WEBHOOK_ALLOWED_HOSTS`), which also skip
 *   the address check (a receiver on the developer's loopback);
 * - no credentials in the URL;
 * - the host is resolved once, every address it resolves to must be public, and the connection goes to
 *   that checked address (delivery passes it to the socket; no second lookup a DNS rebinding could change);
 * - refused: loopback, private, link-local, CGNAT, ULA, multicast, reserved and documentation ranges,
 *   IPv4-mapped / IPv4-compatible / NAT64 / 6to4 / Teredo IPv6 forms (they can carry any IPv4 address).
 *   Numeric encodings (`2130706433`, `0x7f.1`, `017700000001`) are normalised to dotted IPv4 by the WHATWG
 *   URL parser before the check, so they meet the same ranges.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Ranges no webhook may reach, one list per family: a BlockList checks IPv4 addresses against its IPv6
 * rules through their mapped form, so `::ffff:0:0/96` in a shared list would refuse every IPv4 address.
 */
const BLOCKED_V4 = buildV4();
const BLOCKED_V6 = buildV6();

function buildV4(): BlockList {
  const list = new BlockList();
  const v4: [string, number][] = [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.88.99.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ];
  for (const [address, prefix] of v4) list.addSubnet(address, prefix, 'ipv4');
  return list;
}

function buildV6(): BlockList {
  const list = new BlockList();
  const v6: [string, number][] = [
    ['::', 96], // unspecified, loopback and IPv4-compatible
    ['::ffff:0:0', 96], // IPv4-mapped
    ['64:ff9b::', 96], // NAT64
    ['64:ff9b:1::', 48],
    ['100::', 64], // discard
    ['2001::', 32], // Teredo
    ['2001:db8::', 32], // documentation
    ['2002::', 16], // 6to4
    ['fc00::', 7], // ULA
    ['fe80::', 10], // link-local
    ['fec0::', 10], // site-local
    ['ff00::', 8], // multicast
  ];
  for (const [address, prefix] of v6) list.addSubnet(address, prefix, 'ipv6');
  return list;
}

/** Whether an IP address (v4 or v6 text) is one a webhook must not reach. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return family === 4 ? BLOCKED_V4.check(address, 'ipv4') : BLOCKED_V6.check(address, 'ipv6');
}

export interface WebhookTargetPolicy {
  /** Host names (lower-case, as in a URL) allowed over http and to internal addresses: development only. */
  readonly allowedHosts: ReadonlySet<string>;
  /** Resolves a host name to its addresses. Default: the system resolver (`dns.lookup`, all addresses). */
  readonly resolve?: (host: string) => Promise<readonly string[]>;
}

/** A URL checked for delivery: where to connect (the checked address) and the URL itself. */
export interface WebhookTarget {
  readonly url: URL;
  /** The address the connection goes to. */
  readonly address: string;
  readonly family: 4 | 6;
}

export type TargetRefusal = 'URL_INVALID' | 'ADDRESS_REFUSED' | 'UNRESOLVED';

export type TargetCheck =
  | { readonly ok: true; readonly target: WebhookTarget }
  | { readonly ok: false; readonly refusal: TargetRefusal };

async function systemResolve(host: string): Promise<readonly string[]> {
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((a) => a.address);
}

/** The host of a URL without IPv6 brackets. */
function bareHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** Checks the URL's form (scheme, credentials, host) without resolving it. */
export function checkUrlForm(text: string, policy: WebhookTargetPolicy): URL | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.username !== '' || url.password !== '') return null;
  const allowed = policy.allowedHosts.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowed)) return null;
  if (allowed) return url;
  const host = bareHost(url);
  if (isIP(host) !== 0 && isBlockedAddress(host)) return null;
  if (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.')) return null;
  return url;
}

/**
 * Resolves the URL's host once and checks every address; the first is where the connection goes. A host
 * that resolves to any refused address is refused whole (a mixed answer is how rebinding starts).
 */
export async function resolveTarget(text: string, policy: WebhookTargetPolicy): Promise<TargetCheck> {
  const url = checkUrlForm(text, policy);
  if (url === null) return { ok: false, refusal: 'URL_INVALID' };
  const host = bareHost(url);
  let addresses: readonly string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else {
    try {
      addresses = await (policy.resolve ?? systemResolve)(host);
    } catch {
      return { ok: false, refusal: 'UNRESOLVED' };
    }
  }
  const first = addresses[0];
  if (first === undefined) return { ok: false, refusal: 'UNRESOLVED' };
  const allowed = policy.allowedHosts.has(url.hostname);
  if (!allowed && addresses.some(isBlockedAddress)) return { ok: false, refusal: 'ADDRESS_REFUSED' };
  return { ok: true, target: { url, address: first, family: isIP(first) === 6 ? 6 : 4 } };
}

/** Parses `DMID_WEBHOOK_ALLOWED_HOSTS` (comma-separated host names). */
export function allowedHostsOf(list: string | null): ReadonlySet<string> {
  if (list === null) return new Set();
  return new Set(
    list
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== ''),
  );
}
