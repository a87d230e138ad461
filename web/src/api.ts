// HTTP layer: the access token lives only in this module's memory; the refresh token
// lives in an HttpOnly cookie (cookie mode), so a reload restores the session through
// POST /api/auth/refresh and nothing readable by scripts ever holds a long-lived secret.

import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './api-schema.js';

// Every body the server sends or takes is typed from its OpenAPI document: api-schema.d.ts is
// generated from docs/openapi.json (`npm run web:types`, and at every build). No DTO is
// retyped by hand here; a page names a schema, e.g. Schemas['TotpSetupDto'].
export type Schemas = components['schemas'];
export type User = Schemas['UserResponseDto'];
export type Author = Schemas['AuthorResponseDto'];
export type Session = Schemas['SessionResponseDto'];
export type MfaChallenge = Schemas['MfaChallengeDto'];
/** The query parameters an operation takes, e.g. Query<'/api/users'>['status']. */
export type Query<P extends keyof paths> = NonNullable<paths[P] extends { get: { parameters: { query?: infer Q } } } ? Q : never>;

export class ApiError extends Error {
  /** Set when the session could not be restored and the app is going back to login. */
  sessionLost = false;

  constructor(
    readonly status: number,
    readonly messages: string[],
    readonly body: unknown = null,
    /** Seconds from the Retry-After header (429, 503), when the answer had one. */
    readonly retryAfter: number | null = null,
  ) {
    super(messages.join(' ') || `Request failed (${status})`);
    this.name = 'ApiError';
  }

  /** A valid token that is not fresh enough for a sensitive route. */
  get needsFreshLogin(): boolean {
    return this.status === 401 && /fresh/i.test(this.message);
  }
}

/** Over https the server sets `__Host-csrf_token`; on plain-http localhost `csrf_token`. */
const CSRF_COOKIES = ['__Host-csrf_token', 'csrf_token'];
const COOKIE_MODE = { 'X-Token-Transport': 'cookie' } as const;

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;

export function hasAccessToken(): boolean {
  return accessToken !== null;
}

export function forgetAccessToken(): void {
  accessToken = null;
}

interface TokenClaims {
  sid?: string;
  exp?: number;
  fresh?: boolean;
}

/** Reads (never verifies) the access token's claims: the server is the judge. */
export function tokenClaims(): TokenClaims | null {
  if (!accessToken) return null;
  try {
    const part = accessToken.split('.')[1] ?? '';
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as TokenClaims;
  } catch {
    return null;
  }
}

export function tokenExpired(skewSeconds = 5): boolean {
  const exp = tokenClaims()?.exp;
  return typeof exp === 'number' && exp * 1000 <= Date.now() + skewSeconds * 1000;
}

function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return part.slice(eq + 1).trim();
      }
    }
  }
  return null;
}

function csrfToken(): string | null {
  return CSRF_COOKIES.map(readCookie).find((value) => value !== null) ?? null;
}

let sessionLostHandler: (() => void) | null = null;

/** Called once when a 401 could not be cured by a refresh. */
export function onSessionLost(handler: () => void): void {
  sessionLostHandler = handler;
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function errorFrom(res: Response, body: unknown): ApiError {
  let messages: string[] = [];
  if (body && typeof body === 'object' && 'message' in body) {
    const m = (body as { message: unknown }).message;
    if (Array.isArray(m)) messages = m.map(String);
    else if (typeof m === 'string') messages = [m];
  }
  if (messages.length === 0) {
    const fallback: Record<number, string> = {
      400: 'The request was not valid.',
      401: 'Please log in again.',
      403: 'You are not allowed to do that.',
      404: 'Not found.',
      409: 'That conflicts with existing data.',
      413: 'The request is too large.',
      429: 'Too many attempts. Please wait a moment and try again.',
    };
    messages = [fallback[res.status] ?? (res.status >= 500 ? 'The server had a problem. Please try again later.' : `Request failed (${res.status}).`)];
  }
  const retryAfter = retryAfterSeconds(res.headers.get('Retry-After'));
  if (retryAfter !== null) {
    // "try again later" when the answer says exactly when: say when.
    messages = messages.map((m) => `${m.replace(/[\s;,.]*(please\s+)?(wait a moment and\s+)?try again( later)?\.?$/i, '').replace(/[\s.;,]+$/, '')}. ${whenToRetry(retryAfter)}`);
  }
  return new ApiError(res.status, messages, body, retryAfter);
}

/** Retry-After is either a number of seconds or an HTTP date. */
function retryAfterSeconds(header: string | null): number | null {
  if (!header) return null;
  const seconds = /^\s*\d+\s*$/.test(header) ? Number(header) : (Date.parse(header) - Date.now()) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : null;
}

/** "Try again in 15 minutes (at 14:05)." */
export function whenToRetry(seconds: number): string {
  if (seconds < 60) return `Try again in ${seconds <= 1 ? 'a second' : `${seconds} seconds`}.`;
  const minutes = Math.ceil(seconds / 60);
  const at = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' }).format(new Date(Date.now() + seconds * 1000));
  if (minutes < 120) return `Try again in ${minutes === 1 ? '1 minute' : `${minutes} minutes`} (at ${at}).`;
  return `Try again in about ${Math.round(minutes / 60)} hours (at ${at}).`;
}

const UNREACHABLE = 'Cannot reach the server. Check your connection and try again.';

/** The routes that lean on the refresh cookie: cookie mode proves it can read the CSRF cookie. */
const CSRF_ROUTES: ReadonlySet<string> = new Set<keyof paths>(['/api/auth/refresh', '/api/auth/logout', '/api/auth/logout-all']);

/**
 * What every call needs, as openapi-fetch middleware: the access token (when `auth`), the
 * CSRF header on the cookie routes (read at each attempt: a refresh may rotate the cookie),
 * and error answers turned into ApiError, so a call resolves only with a success body.
 * With `retry`, a 401 triggers one refresh and one retry; when the refresh fails the session
 * is gone and the app returns to the login screen.
 */
function sessionMiddleware({ auth, retry }: { auth: boolean; retry: boolean }): Middleware {
  // The body of a sent request is spent: a retry sends a copy taken before.
  const copies = new Map<string, Request>();
  const prepare = (request: Request, schemaPath: string): Request => {
    if (auth && accessToken) request.headers.set('Authorization', `Bearer ${accessToken}`);
    const csrf = CSRF_ROUTES.has(schemaPath) ? csrfToken() : null;
    if (csrf) request.headers.set('X-CSRF-Token', csrf);
    return request;
  };
  return {
    onRequest({ request, schemaPath, id }) {
      prepare(request, schemaPath);
      if (auth && retry) copies.set(id, request.clone());
      return request;
    },
    async onResponse({ response, schemaPath, id }) {
      const copy = copies.get(id);
      copies.delete(id);
      let res = response;
      if (res.status === 401 && copy) {
        const first = errorFrom(res, await readJson(res));
        // A "not fresh" answer is about how the token was obtained; refreshing cannot help.
        if (first.needsFreshLogin) throw first;
        if (!(await refresh())) {
          accessToken = null;
          first.sessionLost = true;
          sessionLostHandler?.();
          throw first;
        }
        copy.headers.delete('Authorization');
        try {
          res = await fetch(prepare(copy, schemaPath));
        } catch {
          throw new ApiError(0, [UNREACHABLE]);
        }
      }
      if (!res.ok) throw errorFrom(res, await readJson(res));
      return res;
    },
    onError({ id }) {
      copies.delete(id);
      return new ApiError(0, [UNREACHABLE]);
    },
  };
}

function client(options: { auth: boolean; retry: boolean }): Client<paths> {
  const c = createClient<paths>({
    headers: { Accept: 'application/json' },
    credentials: 'same-origin',
    cache: 'no-store',
    // Empty filters are left out, as a form leaves them: `?q=&status=` would be a 400.
    querySerializer: (params: Record<string, unknown>) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) {
        if (v === undefined || v === null || v === '') continue;
        q.set(k, String(v));
      }
      return q.toString();
    },
  });
  c.use(sessionMiddleware(options));
  return c;
}

/** Signed-in calls: the access token, and on a 401 one refresh and one retry. */
export const api = client({ auth: true, retry: true });
/** Signed-in calls whose 401 the caller answers itself (withFreshLogin on the "fresh" routes). */
export const apiNoRetry = client({ auth: true, retry: false });
/** Calls without the access token: login, sign-up, the links from mails. */
export const publicApi = client({ auth: false, retry: false });

/**
 * The success body of a call (the middleware has turned every error answer into an ApiError):
 *   const me = await ok(api.GET('/api/users/me'));
 */
export async function ok<R extends { data?: unknown; error?: unknown; response: Response }>(call: Promise<R>): Promise<Exclude<R['data'], undefined>> {
  const { data, error, response } = await call;
  if (!response.ok) throw errorFrom(response, error ?? null);
  return data as Exclude<R['data'], undefined>;
}

/**
 * Password login in cookie mode; the access token it yields is fresh. For an account with
 * two-factor login on it answers the challenge instead, and `verifyMfa` finishes the login.
 */
export async function login(username: string, password: string): Promise<MfaChallenge | null> {
  const answer = await ok(publicApi.POST('/api/auth/login', { body: { username, password }, params: { header: COOKIE_MODE } }));
  if ('mfaRequired' in answer) return answer;
  accessToken = answer.accessToken;
  return null;
}

/** The login's second step: a 6-digit code from the app, or else a recovery code. */
export async function verifyMfa(mfaToken: string, code: string): Promise<void> {
  const typed = code.replace(/\s/g, '');
  const proof = /^\d{6}$/.test(typed) ? { code: typed } : { recoveryCode: code.trim() };
  const tokens = await ok(publicApi.POST('/api/auth/mfa/verify', { body: { mfaToken, ...proof }, params: { header: COOKIE_MODE } }));
  accessToken = tokens.accessToken;
}

/** Passkey login in cookie mode: complete on its own, and the access token it yields is fresh. */
export async function passkeyLogin(challengeId: string, response: Schemas['PasskeyAuthenticationDto']['response']): Promise<void> {
  const tokens = await ok(publicApi.POST('/api/auth/passkeys/authentication', { body: { challengeId, response }, params: { header: COOKIE_MODE } }));
  accessToken = tokens.accessToken;
}

/**
 * The OpenID Connect login code from `#/oidc?code=`, in cookie mode; the browser's HttpOnly flow
 * cookie goes with it. Like a password login it may answer the two-factor challenge instead.
 */
export async function oidcExchange(code: string): Promise<MfaChallenge | null> {
  const answer = await ok(publicApi.POST('/api/auth/oidc/exchange', { body: { code }, params: { header: COOKIE_MODE } }));
  if ('mfaRequired' in answer) return answer;
  accessToken = answer.accessToken;
  return null;
}

/** Silent refresh from the HttpOnly cookie. Concurrent callers share one request. */
export function refresh(): Promise<boolean> {
  refreshing ??= refreshAcrossTabs().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function refreshAcrossTabs(): Promise<boolean> {
  // Two tabs refreshing with the same cookie at once would look like token reuse and
  // revoke the session; a Web Lock serializes them (the second one sees the new cookie).
  if (typeof navigator !== 'undefined' && navigator.locks) {
    return navigator.locks.request('auth-refresh', () => doRefresh());
  }
  return doRefresh();
}

async function doRefresh(): Promise<boolean> {
  // Without the CSRF cookie the server would answer 403: there is no cookie session.
  if (!csrfToken()) return false;
  try {
    const tokens = await ok(publicApi.POST('/api/auth/refresh', { params: { header: COOKIE_MODE } }));
    if (!tokens?.accessToken) return false;
    accessToken = tokens.accessToken;
    return true;
  } catch {
    return false;
  }
}

/** Ends this device's session; the server clears the cookies. Never throws. */
export async function logout(): Promise<void> {
  try {
    /** False on a 401: the access token is gone or expired, and a refresh may cure it. */
    const attempt = async (): Promise<boolean> => {
      try {
        await ok(apiNoRetry.POST('/api/auth/logout'));
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return false;
        throw err;
      }
    };
    const done = accessToken !== null && (await attempt());
    if (!done && (await refresh())) await attempt();
  } catch {
    // Signing out locally still matters when the server is unreachable.
  } finally {
    accessToken = null;
  }
}

export async function logoutAll(): Promise<void> {
  await ok(api.POST('/api/auth/logout-all'));
  accessToken = null;
}
