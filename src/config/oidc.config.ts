import type { EnvReader } from './env-reader.js';

/** One OpenID Provider users may sign in with (an entry of OIDC_PROVIDERS). */
export interface OidcProviderConfig {
  /** URL-safe, unique: it names the provider in routes (/api/auth/oidc/<id>/...) and in identities. */
  id: string;
  /** Shown on the web client's button ("Continue with <name>"). */
  name: string;
  /** The issuer identifier; discovery reads `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
}

const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const FIELDS = ['id', 'name', 'issuer', 'clientId', 'clientSecret'] as const;

/** Sign in with OpenID Connect: the configured providers and where they send the browser back. */
export class OidcConfig {
  readonly providers: readonly OidcProviderConfig[];
  /** The web client's origin (APP_URL): the callback lives there, and the flow ends there. */
  readonly appUrl: string;

  constructor(read: EnvReader, appUrl: string) {
    this.appUrl = appUrl;
    this.providers = parseProviders(read);
  }

  provider(id: string): OidcProviderConfig | undefined {
    return this.providers.find((provider) => provider.id === id);
  }

  /** The redirect_uri to register at the provider. */
  callbackUrl(id: string): string {
    return `${this.appUrl}/api/auth/oidc/${id}/callback`;
  }
}

function parseProviders(read: EnvReader): OidcProviderConfig[] {
  const raw = read.raw('OIDC_PROVIDERS');
  if (raw === undefined) return [];
  const problem = (message: string) => {
    read.problem(`OIDC_PROVIDERS ${message}`);
    return [];
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return problem('must be a JSON list such as [{"id":"google","name":"Google","issuer":"https://accounts.google.com","clientId":"...","clientSecret":"..."}]');
  }
  if (!Array.isArray(parsed)) return problem('must be a JSON list of providers');
  const providers: OidcProviderConfig[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of parsed.entries()) {
    const where = `entry ${index}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return problem(`${where} must be an object`);
    const record = entry as Record<string, unknown>;
    for (const field of FIELDS) {
      if (typeof record[field] !== 'string' || (record[field] as string).trim() === '') return problem(`${where} needs a non-empty string "${field}"`);
    }
    const unknown = Object.keys(record).filter((key) => !(FIELDS as readonly string[]).includes(key));
    if (unknown.length > 0) return problem(`${where} has unknown field(s): ${unknown.join(', ')}`);
    const provider = Object.fromEntries(FIELDS.map((field) => [field, record[field]])) as unknown as OidcProviderConfig;
    if (!ID_PATTERN.test(provider.id)) return problem(`${where}: id "${provider.id}" must be 1-32 lower-case letters, digits, "-" or "_"`);
    if (seen.has(provider.id)) return problem(`${where}: id "${provider.id}" is used twice`);
    seen.add(provider.id);
    if (!isHttpUrl(provider.issuer)) return problem(`${where}: issuer must be an http(s) URL`);
    if (provider.name.length > 64) return problem(`${where}: name must be at most 64 characters`);
    providers.push(provider);
  }
  return providers;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}
