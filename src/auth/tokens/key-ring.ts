import { Injectable } from '@nestjs/common';
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import jsonwebtoken, { type Algorithm, type Secret } from 'jsonwebtoken';
import { TokensConfig } from '../../config/tokens.config.js';

/** One key of the ring: tokens name it by `kid`, and only its own algorithm is accepted with it. */
export interface TokenKey {
  kid: string;
  algorithm: Algorithm;
  /** What signs: the HMAC secret, or (asymmetric keys) the private key. */
  signingKey: KeyObject;
  /** What verifies: the same secret, or the public key. */
  verificationKey: KeyObject;
}

/** passport-jwt's callback, as its typings name it (they predate KeyObject). */
type KeyCallback = (error: Error | null, key?: string | Buffer) => void;

/** The options both passport-jwt strategies share: key by `kid`, pinned algorithms, iss and aud. */
export interface VerificationOptions {
  secretOrKeyProvider: (request: unknown, rawJwtToken: string, done: KeyCallback) => void;
  algorithms: Algorithm[];
  issuer: string;
  audience: string;
}

/**
 * The signing and verification keys. Today one HS256 key made from JWT_SECRET; an
 * asymmetric key set adds keys here (newest signs, all verify) without touching callers.
 */
@Injectable()
export class KeyRing {
  private readonly keys: TokenKey[];
  private readonly byKid: Map<string, TokenKey>;

  constructor(private readonly config: TokensConfig) {
    this.keys = [hmacKey(config.secret)];
    this.byKid = new Map(this.keys.map((key) => [key.kid, key]));
  }

  /** The key new tokens are signed with. */
  get signingKey(): TokenKey {
    return this.keys[0];
  }

  /**
   * The key a token names in its `kid` header. Tokens minted before tokens carried a kid
   * verify against the JWT_SECRET key, so upgrading does not log everyone out.
   */
  keyFor(kid: unknown): TokenKey | undefined {
    if (kid === undefined) return this.keys.find((key) => key.algorithm === 'HS256');
    return typeof kid === 'string' ? this.byKid.get(kid) : undefined;
  }

  sign(payload: object, expiresInSeconds: number): string {
    const key = this.signingKey;
    return jsonwebtoken.sign(payload, key.signingKey, {
      algorithm: key.algorithm,
      keyid: key.kid,
      expiresIn: expiresInSeconds,
      issuer: this.config.issuer,
      audience: this.config.audience,
    });
  }

  /** For passport-jwt: it decodes and checks the token with the key chosen here. */
  verificationOptions(): VerificationOptions {
    return {
      secretOrKeyProvider: (_request, rawJwtToken, done) => this.provideKey(rawJwtToken, done),
      algorithms: [...new Set(this.keys.map((key) => key.algorithm))],
      issuer: this.config.issuer,
      audience: this.config.audience,
    };
  }

  private provideKey(rawJwtToken: string, done: KeyCallback): void {
    const header = decodeHeader(rawJwtToken);
    const key = header && this.keyFor(header.kid);
    // Unknown kid, or a header naming another algorithm than its key's: never try the key.
    if (!key || header.alg !== key.algorithm) return done(new jsonwebtoken.JsonWebTokenError('invalid key id'));
    done(null, asPassportKey(key.verificationKey));
  }
}

/**
 * The secret as a KeyObject, created once: given a string, jsonwebtoken first tries to parse
 * it as a PEM key on every call (~0.7 ms per request). Its kid is derived from the secret
 * through an HMAC, so it changes with JWT_SECRET and reveals nothing about it.
 */
function hmacKey(secret: string): TokenKey {
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const kid = createHmac('sha256', key).update('nest-auth-service key id').digest().subarray(0, 12).toString('base64url');
  return { kid, algorithm: 'HS256', signingKey: key, verificationKey: key };
}

/**
 * passport-jwt hands the key to jsonwebtoken untouched, and jsonwebtoken takes a KeyObject
 * (a Buffer would be re-parsed on every request); passport-jwt's typings predate KeyObject.
 */
function asPassportKey(key: KeyObject): Buffer {
  return key as Secret as Buffer;
}

function decodeHeader(token: string): { alg?: unknown; kid?: unknown } | undefined {
  const end = token.indexOf('.');
  if (end <= 0) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, end), 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null ? header : undefined;
  } catch {
    return undefined;
  }
}
