// The configured OpenID Connect providers and the address that starts a sign-in with one:
// shared by the login page's "Continue with ..." buttons (oidc.ts) and the "confirm it's you"
// dialog's "Confirm with ..." buttons (session.ts).

import * as http from './api.js';
import type { Schemas } from './api.js';

export type Provider = Schemas['OidcProviderDto'];

let providers: Promise<Provider[]> | null = null;

/** The configured providers, asked once per page load (an empty list when the call fails). */
export function loadProviders(): Promise<Provider[]> {
  providers ??= http.ok(http.publicApi.GET('/api/auth/oidc/providers')).catch(() => {
    providers = null;
    return [];
  });
  return providers;
}

/** Only a path of this site: the server checks it again. */
export function safePath(path: string | null): string | null {
  return path && path.startsWith('/') && !path.startsWith('//') && !path.includes('\\') ? path : null;
}

/** Where the browser goes to sign in with `providerId`; it comes back to `returnTo` (a path of this site). */
export function authorizeHref(providerId: string, returnTo: string | null): string {
  const query = safePath(returnTo) ? `?returnTo=${encodeURIComponent(returnTo!)}` : '';
  return `/api/auth/oidc/${encodeURIComponent(providerId)}/authorize${query}`;
}
