import type { EnvReader } from './env-reader.js';

/**
 * The WebAuthn relying party. Browsers bind a passkey to the RP id (a registrable domain) and
 * sign the page's origin into every response, so both must name where the web client is served.
 */
export class WebAuthnConfig {
  /** The web client's public origin (API.md: APP_URL); the only origin a passkey response may come from. */
  readonly origin: string;
  readonly rpId: string;
  readonly rpName: string;

  constructor(read: EnvReader, port: number) {
    const appUrl = read.raw('APP_URL') ?? `http://localhost:${port}`;
    let url: URL | undefined;
    try {
      url = new URL(appUrl);
    } catch {
      read.problem('APP_URL must be an absolute http(s) URL such as https://auth.example.com');
    }
    if (url && url.protocol !== 'http:' && url.protocol !== 'https:') read.problem('APP_URL must be an http(s) URL');
    this.origin = url?.origin ?? `http://localhost:${port}`;
    this.rpId = read.matching('WEBAUTHN_RP_ID', /^[a-z0-9.-]+$/i, 'WEBAUTHN_RP_ID must be a host name such as example.com') ?? url?.hostname ?? 'localhost';
    this.rpName = read.string('WEBAUTHN_RP_NAME', 'nest-auth-service', { maxLength: 64 });
  }
}
