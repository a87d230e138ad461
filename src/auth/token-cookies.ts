import { ForbiddenException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const REFRESH_COOKIE = 'refresh_token';
export const CSRF_COOKIE = 'csrf_token';
export const CSRF_HEADER = 'x-csrf-token';
export const TRANSPORT_HEADER = 'x-token-transport';
/** The refresh cookie is only ever sent to the routes that consume it. */
const REFRESH_COOKIE_PATH = '/api/auth';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** `X-Token-Transport: cookie` on login or refresh asks for the SPA cookie mode. */
export function wantsCookieTransport(request: FastifyRequest): boolean {
  const value = request.headers[TRANSPORT_HEADER];
  return typeof value === 'string' && value.trim().toLowerCase() === 'cookie';
}

export function refreshTokenFromCookie(request: FastifyRequest): string | null {
  return request.cookies?.[REFRESH_COOKIE] || null;
}

/**
 * Sets the refresh token as an HttpOnly cookie scoped to /api/auth, and beside it a readable
 * CSRF token the SPA echoes in X-CSRF-Token (double submit).
 */
export function setTokenCookies(request: FastifyRequest, reply: FastifyReply, refreshToken: string, maxAgeSeconds: number): void {
  const secure = isSecureContext(request);
  reply.setCookie(REFRESH_COOKIE, refreshToken, {
    httpOnly: true,
    secure,
    sameSite: 'strict',
    path: REFRESH_COOKIE_PATH,
    maxAge: maxAgeSeconds,
  });
  reply.setCookie(CSRF_COOKIE, randomBytes(32).toString('base64url'), {
    httpOnly: false,
    secure,
    sameSite: 'strict',
    path: '/',
    maxAge: maxAgeSeconds,
  });
}

export function clearTokenCookies(request: FastifyRequest, reply: FastifyReply): void {
  const secure = isSecureContext(request);
  reply.clearCookie(REFRESH_COOKIE, { path: REFRESH_COOKIE_PATH, httpOnly: true, secure, sameSite: 'strict' });
  reply.clearCookie(CSRF_COOKIE, { path: '/', secure, sameSite: 'strict' });
}

/** A request that leans on the refresh cookie must prove it can read the CSRF cookie. */
export function assertCsrf(request: FastifyRequest): void {
  const header = request.headers[CSRF_HEADER];
  const cookie = request.cookies?.[CSRF_COOKIE];
  if (typeof header !== 'string' || !cookie || !sameString(header, cookie)) {
    throw new ForbiddenException('Missing or wrong X-CSRF-Token header for the refresh cookie');
  }
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Secure cookies everywhere except plain-http localhost, where browsers would drop them. */
function isSecureContext(request: FastifyRequest): boolean {
  if (request.protocol === 'https') return true;
  return !LOCAL_HOSTS.has(request.hostname.replace(/:\d+$/, ''));
}
