import { ForbiddenException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TokensConfig } from '../config/tokens.config.js';

export const REFRESH_COOKIE = 'refresh_token';
export const CSRF_COOKIE = 'csrf_token';
export const CSRF_HEADER = 'x-csrf-token';
export const TRANSPORT_HEADER = 'x-token-transport';

/**
 * `__Host-` cookies can only be set by this very host, over https, for Path=/, so a sibling
 * subdomain cannot plant its own refresh or CSRF cookie here. Browsers accept the prefix only
 * with `Secure`, which plain-http localhost development cannot send: there the cookies keep
 * their plain names and the refresh cookie stays scoped to /api/auth.
 */
const HOST_PREFIX = '__Host-';
const LOCAL_REFRESH_COOKIE_PATH = '/api/auth';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

interface CookieSet {
  secure: boolean;
  refresh: string;
  csrf: string;
  refreshPath: string;
}

/** `X-Token-Transport: cookie` on login asks for the SPA cookie mode. */
export function wantsCookieTransport(request: FastifyRequest): boolean {
  const value = request.headers[TRANSPORT_HEADER];
  return typeof value === 'string' && value.trim().toLowerCase() === 'cookie';
}

export function refreshTokenFromCookie(request: FastifyRequest): string | null {
  return request.cookies?.[cookieSet(request).refresh] || null;
}

/**
 * The CSRF token of a session: an HMAC of its id under a key derived from the server secret.
 * A token read from another session, or made up, does not fit this one; rotation keeps it.
 */
export function csrfTokenFor(config: TokensConfig, sessionId: string): string {
  return createHmac('sha256', csrfKey(config)).update(sessionId).digest('base64url');
}

const csrfKeys = new WeakMap<TokensConfig, Buffer>();

function csrfKey(config: TokensConfig): Buffer {
  let key = csrfKeys.get(config);
  if (!key) {
    // Derived, so the CSRF tokens and the JWT signatures never share a key.
    key = createHmac('sha256', config.secret).update('csrf-token-key').digest();
    csrfKeys.set(config, key);
  }
  return key;
}

/**
 * Sets the refresh token as an HttpOnly cookie and beside it the session's readable CSRF
 * token, which the SPA echoes in X-CSRF-Token.
 */
export function setTokenCookies(
  request: FastifyRequest,
  reply: FastifyReply,
  tokens: { refreshToken: string; csrfToken: string; maxAgeSeconds: number },
): void {
  const cookies = cookieSet(request);
  reply.setCookie(cookies.refresh, tokens.refreshToken, {
    httpOnly: true,
    secure: cookies.secure,
    sameSite: 'strict',
    path: cookies.refreshPath,
    maxAge: tokens.maxAgeSeconds,
  });
  reply.setCookie(cookies.csrf, tokens.csrfToken, {
    httpOnly: false,
    secure: cookies.secure,
    sameSite: 'strict',
    path: '/',
    maxAge: tokens.maxAgeSeconds,
  });
}

export function clearTokenCookies(request: FastifyRequest, reply: FastifyReply): void {
  const cookies = cookieSet(request);
  reply.clearCookie(cookies.refresh, { path: cookies.refreshPath, httpOnly: true, secure: cookies.secure, sameSite: 'strict' });
  reply.clearCookie(cookies.csrf, { path: '/', secure: cookies.secure, sameSite: 'strict' });
}

/** A request that leans on the refresh cookie must prove it can read this session's CSRF token. */
export function assertCsrf(request: FastifyRequest, expected: string): void {
  const header = request.headers[CSRF_HEADER];
  if (typeof header !== 'string' || !sameString(header, expected)) {
    throw new ForbiddenException('Missing or wrong X-CSRF-Token header for the refresh cookie');
  }
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Secure, `__Host-` cookies everywhere except plain-http localhost, where browsers would drop them. */
export function usesSecureCookies(request: FastifyRequest): boolean {
  return request.protocol === 'https' || !LOCAL_HOSTS.has(request.hostname.replace(/:\d+$/, ''));
}

function cookieSet(request: FastifyRequest): CookieSet {
  const secure = usesSecureCookies(request);
  return secure
    ? { secure, refresh: HOST_PREFIX + REFRESH_COOKIE, csrf: HOST_PREFIX + CSRF_COOKIE, refreshPath: '/' }
    : { secure, refresh: REFRESH_COOKIE, csrf: CSRF_COOKIE, refreshPath: LOCAL_REFRESH_COOKIE_PATH };
}
