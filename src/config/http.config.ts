import { isIP } from 'node:net';
import type { EnvReader } from './env-reader.js';

/**
 * Which proxies' X-Forwarded-For to believe: none (false), every one (true), the nearest
 * `hops`, or the listed addresses and CIDR ranges.
 */
export type TrustProxy = boolean | number | string[];

const TRUST_PROXY_MESSAGE = 'TRUST_PROXY must be false, true, a hop count, or comma-separated addresses/CIDRs';

/** The HTTP server: its port, who may call it cross-origin, which proxies it trusts, how it stops. */
export class HttpConfig {
  readonly port: number;
  readonly corsOrigins: string[];
  readonly trustProxy: TrustProxy;
  readonly shutdownTimeoutSeconds: number;

  constructor(read: EnvReader) {
    this.port = read.integer('PORT', 3000, 0, 65535);
    this.corsOrigins = (read.raw('CORS_ORIGINS') ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean);
    this.trustProxy = parseTrustProxy(read.raw('TRUST_PROXY') ?? 'false', read);
    this.shutdownTimeoutSeconds = read.duration('SHUTDOWN_TIMEOUT', '10s');
  }
}

function parseTrustProxy(value: string, read: EnvReader): TrustProxy {
  if (value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.every(isAddressOrCidr)) return entries;
  read.problem(TRUST_PROXY_MESSAGE);
  return false;
}

function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d+$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}
