import type { EnvReader } from './env-reader.js';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.js';

/** The HTTP server: its port, who may call it cross-origin, which proxies it trusts, how it stops. */
export class HttpConfig {
  readonly port: number;
  readonly corsOrigins: string[];
  readonly trustProxy: TrustProxy;
  readonly shutdownTimeoutSeconds: number;
  /** The web client's public origin: links in mails, WebAuthn origin, OIDC redirects. */
  readonly appUrl: string;

  constructor(read: EnvReader) {
    this.port = read.integer('PORT', 3000, 0, 65535);
    this.corsOrigins = (read.raw('CORS_ORIGINS') ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean);
    this.trustProxy = trustProxyFrom(read);
    this.shutdownTimeoutSeconds = read.duration('SHUTDOWN_TIMEOUT', '10s');
    const appUrl = read.matching(
      'APP_URL',
      /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/,
      'APP_URL must be an http(s) URL such as https://auth.example.com',
    );
    this.appUrl = (appUrl ?? `http://localhost:${this.port}`).replace(/\/+$/, '');
  }
}

/** TRUST_PROXY, checked by the same parser the HTTP adapter uses (it exists before this config). */
function trustProxyFrom(read: EnvReader): TrustProxy {
  try {
    return parseTrustProxy(read.raw('TRUST_PROXY'));
  } catch (error) {
    read.problem((error as Error).message);
    return false;
  }
}
