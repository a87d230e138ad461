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

  /** `appUrl`: APP_URL as the HTTP area validated it (the variable is read there, once). */
  constructor(read: EnvReader, appUrl: string) {
    const url = new URL(appUrl);
    this.origin = url.origin;
    this.rpId = read.matching('WEBAUTHN_RP_ID', /^[a-z0-9.-]+$/i, 'WEBAUTHN_RP_ID must be a host name such as example.com') ?? url.hostname;
    this.rpName = read.string('WEBAUTHN_RP_NAME', 'nest-auth-service', { maxLength: 64 });
  }
}
