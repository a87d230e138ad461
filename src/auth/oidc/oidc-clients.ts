import { Injectable, Logger } from '@nestjs/common';
import * as client from 'openid-client';
import type { OidcProviderConfig } from '../../config/oidc.config.js';

/** Discovery and every later request to a provider give up after this long. */
const TIMEOUT_SECONDS = 10;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The provider could not be discovered (down, unreachable, or not an OpenID Provider). */
export class ProviderUnavailableError extends Error {}

/**
 * One openid-client Configuration per provider, discovered on first use (start-up does not
 * depend on every provider being up). A failed discovery is not remembered: the next login
 * tries again.
 */
@Injectable()
export class OidcClients {
  private readonly logger = new Logger(OidcClients.name);
  private readonly configurations = new Map<string, Promise<client.Configuration>>();

  configuration(provider: OidcProviderConfig): Promise<client.Configuration> {
    let pending = this.configurations.get(provider.id);
    if (!pending) {
      pending = this.discover(provider);
      this.configurations.set(provider.id, pending);
      pending.catch(() => this.configurations.delete(provider.id));
    }
    return pending;
  }

  private async discover(provider: OidcProviderConfig): Promise<client.Configuration> {
    const issuer = new URL(provider.issuer);
    try {
      return await client.discovery(issuer, provider.clientId, undefined, client.ClientSecretBasic(provider.clientSecret), {
        timeout: TIMEOUT_SECONDS,
        // openid-client refuses plain http; only a provider on this very machine (a local
        // test or development provider) may use it, never one across a network.
        execute: isLoopbackHttp(issuer) ? [client.allowInsecureRequests] : [],
      });
    } catch (error) {
      this.logger.warn(`OIDC discovery of "${provider.id}" (${provider.issuer}) failed: ${(error as Error).message}`);
      throw new ProviderUnavailableError((error as Error).message);
    }
  }
}

function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}
