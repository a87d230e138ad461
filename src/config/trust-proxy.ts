import { isIP } from 'node:net';

/** What Fastify's `trustProxy` is given: nothing, how many proxies are in front, or which. */
export type TrustProxy = false | number | string[];

/** proxy-addr's names for whole ranges (127.0.0.0/8 and ::1, and so on). */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const MAX_HOPS = 20;

/**
 * TRUST_PROXY: `false` (or unset, or 0), a hop count, or comma-separated trusted proxy
 * addresses/CIDRs. Fastify then takes the client address as the right-most
 * X-Forwarded-For entry that is not a trusted proxy. `true` is refused: it trusts every
 * hop, so the client itself picks its address (left-most entry) and walks past throttles.
 * Throws an Error naming the variable, so a bad value stops start-up.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const raw = (value ?? '').trim();
  if (raw === '' || raw === 'false' || raw === '0') return false;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > MAX_HOPS) throw new Error(`TRUST_PROXY must be at most ${MAX_HOPS} hops, got ${raw}`);
    return hops;
  }
  if (raw === 'true') {
    throw new Error(
      'TRUST_PROXY=true would trust every hop, letting clients choose their own address: ' +
        'set the number of proxies in front (e.g. 1) or their addresses/CIDRs',
    );
  }
  const entries = raw.split(',').map((entry) => entry.trim());
  const invalid = entries.filter((entry) => !isTrustedProxyEntry(entry));
  if (invalid.length > 0) {
    throw new Error(
      `TRUST_PROXY must be false, a hop count, or comma-separated proxy addresses/CIDRs; not valid: ${invalid.map((entry) => JSON.stringify(entry)).join(', ')}`,
    );
  }
  return entries;
}

function isTrustedProxyEntry(entry: string): boolean {
  if (RANGE_NAMES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
}
