// HTTP layer: the access token lives only in this module's memory; the refresh token
// lives in an HttpOnly cookie (cookie mode), so a reload restores the session through
// POST /api/auth/refresh and nothing readable by scripts ever holds a long-lived secret.

export type Role = 'user' | 'admin';
export type UserStatus = 'pending' | 'active' | 'disabled';

export interface User {
  id: string;
  username: string;
  name: string | null;
  email: string | null;
  emailVerified: boolean;
  role: Role;
  status: UserStatus;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
  mfaEnabled: boolean;
}

export interface Author {
  id: string;
  name: string;
  book: string;
  country: string;
  bookerPrize: boolean;
  ownerId: string;
  createdAt: string;
  updatedAt: string;
}

export interface Session {
  id: string;
  createdAt: string;
  lastUsedAt: string | null;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

export interface AuditEvent {
  id: string;
  at: string;
  action: string;
  actorId: string | null;
  targetId: string | null;
  ip: string | null;
  detail: unknown;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
}

interface TokenResponse {
  accessToken: string;
  tokenType: string;
  expiresIn: number;
}

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

function csrfHeader(): Record<string, string> {
  const csrf = csrfToken();
  return csrf ? { 'X-CSRF-Token': csrf } : {};
}

let sessionLostHandler: (() => void) | null = null;

/** Called once when a 401 could not be cured by a refresh. */
export function onSessionLost(handler: () => void): void {
  sessionLostHandler = handler;
}

interface RequestOptions {
  body?: unknown;
  /** Send the access token (default true). */
  auth?: boolean;
  /** On 401, refresh once and retry once (default true when auth). */
  retry?: boolean;
  headers?: Record<string, string>;
}

async function send(method: string, path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (opts.auth !== false && accessToken) headers['Authorization'] = `Bearer ${accessToken}`;
  try {
    return await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, ['Cannot reach the server. Check your connection and try again.']);
  }
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

/**
 * Calls the API. A 401 on an authenticated call triggers one refresh and one retry;
 * when the refresh fails the session is gone and the app returns to the login screen.
 */
export async function api<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  let res = await send(method, path, opts);
  if (res.status === 401 && opts.auth !== false && opts.retry !== false) {
    const first = errorFrom(res, await readJson(res));
    // A "not fresh" answer is about how the token was obtained; refreshing cannot help.
    if (first.needsFreshLogin) throw first;
    if (!(await refresh())) {
      accessToken = null;
      first.sessionLost = true;
      sessionLostHandler?.();
      throw first;
    }
    res = await send(method, path, opts);
  }
  const data = await readJson(res);
  if (!res.ok) throw errorFrom(res, data);
  return data as T;
}

/** The password was right, but the account wants its second factor before any token. */
export interface MfaChallenge {
  mfaRequired: true;
  mfaToken: string;
  methods: string[];
  expiresIn: number;
}

/**
 * Password login in cookie mode; the access token it yields is fresh. For an account with
 * two-factor login on it answers the challenge instead, and `verifyMfa` finishes the login.
 */
export async function login(username: string, password: string): Promise<MfaChallenge | null> {
  const res = await send('POST', '/api/auth/login', {
    body: { username, password },
    auth: false,
    headers: { ...COOKIE_MODE },
  });
  const data = await readJson(res);
  if (!res.ok) throw errorFrom(res, data);
  if ((data as Partial<MfaChallenge>).mfaRequired) return data as MfaChallenge;
  accessToken = (data as TokenResponse).accessToken;
  return null;
}

/** The login's second step: a 6-digit code from the app, or else a recovery code. */
export async function verifyMfa(mfaToken: string, code: string): Promise<void> {
  const typed = code.replace(/\s/g, '');
  const proof = /^\d{6}$/.test(typed) ? { code: typed } : { recoveryCode: code.trim() };
  const res = await send('POST', '/api/auth/mfa/verify', {
    body: { mfaToken, ...proof },
    auth: false,
    headers: { ...COOKIE_MODE },
  });
  const data = await readJson(res);
  if (!res.ok) throw errorFrom(res, data);
  accessToken = (data as TokenResponse).accessToken;
}

/** Passkey login in cookie mode: complete on its own, and the access token it yields is fresh. */
export async function passkeyLogin(challengeId: string, response: unknown): Promise<void> {
  const res = await send('POST', '/api/auth/passkeys/authentication', {
    body: { challengeId, response },
    auth: false,
    headers: { ...COOKIE_MODE },
  });
  const data = await readJson(res);
  if (!res.ok) throw errorFrom(res, data);
  accessToken = (data as TokenResponse).accessToken;
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
    const res = await fetch('/api/auth/refresh', {
      method: 'POST',
      headers: { Accept: 'application/json', ...COOKIE_MODE, ...csrfHeader() },
      credentials: 'same-origin',
      cache: 'no-store',
    });
    if (!res.ok) return false;
    const data = (await readJson(res)) as TokenResponse | null;
    if (!data?.accessToken) return false;
    accessToken = data.accessToken;
    return true;
  } catch {
    return false;
  }
}

/** Ends this device's session; the server clears the cookies. Never throws. */
export async function logout(): Promise<void> {
  try {
    // The CSRF header is read at each attempt: a refresh in between may rotate the cookie.
    const attempt = () => send('POST', '/api/auth/logout', { headers: csrfHeader() });
    let res = accessToken ? await attempt() : null;
    if ((!res || res.status === 401) && (await refresh())) res = await attempt();
  } catch {
    // Signing out locally still matters when the server is unreachable.
  } finally {
    accessToken = null;
  }
}

export async function logoutAll(): Promise<void> {
  await api<void>('POST', '/api/auth/logout-all', { headers: csrfHeader() });
  accessToken = null;
}

export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
