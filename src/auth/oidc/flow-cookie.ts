import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { TokensConfig } from '../../config/tokens.config.js';
import { usesSecureCookies } from '../token-cookies.js';

/** How long a browser has from "Continue with ..." to the exchange of its login code. */
export const FLOW_COOKIE_TTL_SECONDS = 10 * 60;

const NAME = 'oidc_flow';
const LOCAL_PATH = '/api/auth/oidc';
const VERSION = 'v1';

/**
 * What the browser that started a login carries through it. Signed, not encrypted: it is
 * HttpOnly, and nothing in it is useful without the provider's authorization code.
 */
export interface FlowCookie {
  /** Provider id. */
  p: string;
  /** The `state` sent to the provider (its hash is the server-side single-use record). */
  s: string;
  /** PKCE code verifier: never stored server-side. */
  v: string;
  /** The `nonce` the ID token must carry. */
  n: string;
  /** Random browser-binding value; the login code is issued for its hash only. */
  b: string;
  /** Expiry, seconds since the epoch: the signature covers it, so Max-Age cannot be stretched. */
  e: number;
}

export const bindingHash = (binding: string) => createHash('sha256').update(binding).digest('hex');

/**
 * `__Host-oidc_flow` (Secure, Path=/) wherever the other cookies are `__Host-` too, so a sibling
 * subdomain cannot plant its own flow (login CSRF); the prefix demands Path=/. On plain-http
 * localhost it is `oidc_flow`, scoped to /api/auth/oidc.
 */
function cookieName(request: FastifyRequest): { name: string; path: string; secure: boolean } {
  const secure = usesSecureCookies(request);
  return secure ? { name: `__Host-${NAME}`, path: '/', secure } : { name: NAME, path: LOCAL_PATH, secure };
}

const keys = new WeakMap<TokensConfig, Buffer>();
function key(config: TokensConfig): Buffer {
  let derived = keys.get(config);
  if (!derived) {
    // Derived, so this HMAC never shares a key with the JWTs or the CSRF tokens.
    derived = createHmac('sha256', config.secret).update('oidc-flow-cookie-key').digest();
    keys.set(config, derived);
  }
  return derived;
}

const sign = (config: TokensConfig, payload: string) => createHmac('sha256', key(config)).update(`${VERSION}.${payload}`).digest('base64url');

export function setFlowCookie(request: FastifyRequest, reply: FastifyReply, config: TokensConfig, flow: Omit<FlowCookie, 'e'>): void {
  const payload = Buffer.from(JSON.stringify({ ...flow, e: Math.floor(Date.now() / 1000) + FLOW_COOKIE_TTL_SECONDS })).toString('base64url');
  const { name, path, secure } = cookieName(request);
  reply.setCookie(name, `${VERSION}.${payload}.${sign(config, payload)}`, {
    httpOnly: true,
    secure,
    // Lax: the provider's redirect back is a top-level GET from another site and must carry it.
    sameSite: 'lax',
    path,
    maxAge: FLOW_COOKIE_TTL_SECONDS,
  });
}

export function clearFlowCookie(request: FastifyRequest, reply: FastifyReply): void {
  const { name, path, secure } = cookieName(request);
  reply.clearCookie(name, { path, httpOnly: true, secure, sameSite: 'lax' });
}

/** The flow this browser started, if its cookie is present, well signed and unexpired. */
export function readFlowCookie(request: FastifyRequest, config: TokensConfig): FlowCookie | undefined {
  const value = request.cookies?.[cookieName(request).name];
  if (typeof value !== 'string' || value.length > 4096) return undefined;
  const [version, payload, signature, ...rest] = value.split('.');
  if (version !== VERSION || !payload || !signature || rest.length > 0) return undefined;
  const expected = Buffer.from(sign(config, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  let flow: unknown;
  try {
    flow = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isFlow(flow) || flow.e * 1000 <= Date.now()) return undefined;
  return flow;
}

function isFlow(value: unknown): value is FlowCookie {
  if (typeof value !== 'object' || value === null) return false;
  const flow = value as Record<string, unknown>;
  return ['p', 's', 'v', 'n', 'b'].every((field) => typeof flow[field] === 'string') && typeof flow.e === 'number';
}

/** Constant-time equality of two strings (a state from the URL against the cookie's). */
export function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
