import { BadRequestException, ConflictException, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth-user.js';
import { DomainEventBus } from '../../common/events/domain-events.js';
import { WebAuthnConfig } from '../../config/webauthn.config.js';
import { OneTimeTokensService } from '../../one-time-tokens/one-time-tokens.service.js';
import { UsersService } from '../../users/users.service.js';
import { LoginMethods } from '../login/login-methods.js';
import { type ClientInfo, LoginService } from '../login/login.service.js';
import type { IssuedTokens } from '../tokens/tokens.service.js';
import { PasskeyResponseDto } from './dto/passkey-response.dto.js';
import { Passkey } from './passkey.entity.js';

const REGISTRATION = 'passkey.registration';
const AUTHENTICATION = 'passkey.authentication';
const CHALLENGE_TTL_SECONDS = 5 * 60;
/** 1023 bytes is WebAuthn's limit, but the hex column holds 256; real authenticators use 16 to 64. */
const MAX_CREDENTIAL_ID_BYTES = 256;
const LOGIN_FAILED = 'Passkey login failed';
/**
 * Bounds what one account can store, the list it reads back and the options' excludeCredentials,
 * which name every passkey the account has; people keep a handful (a phone, a laptop, a key or two).
 */
export const MAX_PASSKEYS_PER_ACCOUNT = 25;
const TOO_MANY_PASSKEYS = `An account holds at most ${MAX_PASSKEYS_PER_ACCOUNT} passkeys: remove one first`;

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const isString = (value: unknown): value is string => typeof value === 'string';
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const hexOf = (base64url: string) => Buffer.from(base64url, 'base64url').toString('hex');

/**
 * The challenge is the one-time token itself (32 random bytes, base64url): the browser signs
 * it into clientDataJSON, so the response names the challenge it answers, and consuming the
 * token makes every challenge single-use on whichever instance the answer lands.
 */
const challengeBytes = (token: string) => new Uint8Array(Buffer.from(token, 'base64url'));

@Injectable()
export class PasskeysService {
  constructor(
    @InjectRepository(Passkey) private readonly passkeys: Repository<Passkey>,
    private readonly tokens: OneTimeTokensService,
    private readonly users: UsersService,
    private readonly logins: LoginService,
    private readonly events: DomainEventBus,
    private readonly config: WebAuthnConfig,
    private readonly loginMethods: LoginMethods,
  ) {}

  async list(userId: string): Promise<PasskeyResponseDto[]> {
    const rows = await this.passkeys.find({ where: { userId }, order: { createdAt: 'ASC' } });
    return rows.map((row) => PasskeyResponseDto.from(row));
  }

  async registrationOptions(caller: AuthUser): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.passkeys.find({ where: { userId: caller.id } });
    // Refused before the user is asked to touch an authenticator for nothing.
    if (existing.length >= MAX_PASSKEYS_PER_ACCOUNT) throw new ConflictException(TOO_MANY_PASSKEYS);
    const { token } = await this.tokens.issue(REGISTRATION, caller.id, CHALLENGE_TTL_SECONDS);
    return generateRegistrationOptions({
      rpName: this.config.rpName,
      rpID: this.config.rpId,
      userName: caller.username,
      // The user handle a discoverable credential returns at login: our user id.
      userID: new TextEncoder().encode(caller.id),
      challenge: challengeBytes(token),
      attestationType: 'none',
      excludeCredentials: existing.map((passkey) => ({ id: Buffer.from(passkey.credentialId, 'hex').toString('base64url') })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      timeout: CHALLENGE_TTL_SECONDS * 1000,
    });
  }

  async register(caller: AuthUser, body: Record<string, unknown>, name: string | undefined, ip?: string): Promise<PasskeyResponseDto> {
    const response = body as unknown as RegistrationResponseJSON;
    const challenge = challengeOf(body);
    // The challenge must be one this caller asked for; a stranger's challenge is no challenge.
    const pending = challenge === undefined ? undefined : await this.tokens.consume(REGISTRATION, challenge);
    if (!pending || pending.subject !== caller.id) throw new BadRequestException('No pending passkey registration for this response');
    let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verification = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge!,
        expectedOrigin: this.config.origin,
        expectedRPID: this.config.rpId,
        requireUserVerification: true,
      });
    } catch (error) {
      throw new BadRequestException(`Passkey registration failed: ${(error as Error)?.message ?? 'invalid response'}`);
    }
    if (!verification.verified) throw new BadRequestException('Passkey registration failed');
    const { credential } = verification.registrationInfo;
    const credentialId = hexOf(credential.id);
    if (credentialId.length > MAX_CREDENTIAL_ID_BYTES * 2) throw new BadRequestException('Credential id too long');
    if (await this.passkeys.existsBy({ credentialId })) throw new BadRequestException('This passkey is already registered');
    const passkey: Passkey = {
      id: randomUUID(),
      userId: caller.id,
      credentialId,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: (credential.transports ?? []).join(','),
      name: name ?? 'Passkey',
      createdAt: new Date(),
      lastUsedAt: null,
    };
    try {
      await this.passkeys.insert(passkey);
    } catch (error) {
      // The same credential registered concurrently: the unique index decided, say so plainly.
      if (await this.passkeys.existsBy({ credentialId })) throw new BadRequestException('This passkey is already registered');
      throw error;
    }
    // Counted after the insert, so registrations racing past the options' check cannot
    // together go over: each one that finds too many takes its own passkey back.
    if ((await this.passkeys.countBy({ userId: caller.id })) > MAX_PASSKEYS_PER_ACCOUNT) {
      await this.passkeys.delete({ id: passkey.id });
      throw new ConflictException(TOO_MANY_PASSKEYS);
    }
    await this.events.emit('passkey.added', { userId: caller.id, passkeyId: passkey.id, name: passkey.name, ip });
    return PasskeyResponseDto.from(passkey);
  }

  async remove(caller: AuthUser, id: string, ip?: string): Promise<void> {
    const outcome = await this.loginMethods.remove(caller.id, { passkeyId: id });
    if (outcome === 'missing') throw new NotFoundException('Passkey not found');
    if (outcome === 'last') throw new ConflictException('This is the account’s only way to log in');
    await this.events.emit('passkey.removed', { userId: caller.id, passkeyId: id, ip });
  }

  /** Usernameless: no allowCredentials, the authenticator offers its discoverable credentials. */
  async authenticationOptions() {
    const { token } = await this.tokens.issue(AUTHENTICATION, null, CHALLENGE_TTL_SECONDS);
    const options = await generateAuthenticationOptions({
      rpID: this.config.rpId,
      challenge: challengeBytes(token),
      userVerification: 'required',
      timeout: CHALLENGE_TTL_SECONDS * 1000,
    });
    return { challengeId: token, options };
  }

  async authenticate(challengeId: string, body: Record<string, unknown>, client: ClientInfo): Promise<IssuedTokens> {
    if (!isAuthenticationResponse(body)) throw new BadRequestException('response is not an AuthenticationResponseJSON');
    const response = body;
    // Used up before anything else: a failed attempt cannot be retried with the same challenge.
    if (!(await this.tokens.consume(AUTHENTICATION, challengeId))) throw new UnauthorizedException(LOGIN_FAILED);
    const passkey = await this.passkeys.findOneBy({ credentialId: hexOf(response.id) });
    if (!passkey) throw new UnauthorizedException(LOGIN_FAILED);
    const user = await this.users.findById(passkey.userId);
    if (!user) throw new UnauthorizedException(LOGIN_FAILED);
    const userHandle = response.response.userHandle;
    if (userHandle && Buffer.from(userHandle, 'base64url').toString('utf8') !== user.id) throw new UnauthorizedException(LOGIN_FAILED);
    let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      verification = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challengeId,
        expectedOrigin: this.config.origin,
        expectedRPID: this.config.rpId,
        requireUserVerification: true,
        // The library checks the counter before the signature; we check it after (below), so
        // only a correctly signed response with a stale counter is audited as a regression.
        credential: {
          id: Buffer.from(passkey.credentialId, 'hex').toString('base64url'),
          publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
          counter: 0,
          transports: passkey.transports ? (passkey.transports.split(',') as AuthenticatorTransportFuture[]) : undefined,
        },
      });
    } catch {
      throw new UnauthorizedException(LOGIN_FAILED);
    }
    if (!verification.verified) throw new UnauthorizedException(LOGIN_FAILED);
    const received = verification.authenticationInfo.newCounter;
    if ((received > 0 || passkey.counter > 0) && received <= passkey.counter) {
      await this.events.emit('passkey.counter_regressed', { userId: user.id, passkeyId: passkey.id, stored: passkey.counter, received, ip: client.ip });
      throw new UnauthorizedException(LOGIN_FAILED);
    }
    // Conditional, so of two concurrent logins with one counter value only one moves it.
    const moved = await this.passkeys
      .createQueryBuilder()
      .update(Passkey)
      .set({ counter: received, lastUsedAt: new Date() })
      .where('id = :id AND (counter < :received OR (counter = 0 AND :received = 0))', { id: passkey.id, received })
      .execute();
    if (moved.affected !== 1) throw new UnauthorizedException(LOGIN_FAILED);
    return this.logins.completeMultiFactor(user, ['webauthn'], client);
  }
}

/** The challenge the browser signed into clientDataJSON, if the response has a readable one. */
function challengeOf(body: Record<string, unknown>): string | undefined {
  const inner = body.response;
  if (!isObject(inner) || !isString(inner.clientDataJSON) || !BASE64URL.test(inner.clientDataJSON)) return undefined;
  try {
    const clientData: unknown = JSON.parse(Buffer.from(inner.clientDataJSON, 'base64url').toString('utf8'));
    return isObject(clientData) && isString(clientData.challenge) ? clientData.challenge : undefined;
  } catch {
    return undefined;
  }
}

function isAuthenticationResponse(body: Record<string, unknown>): body is Record<string, unknown> & AuthenticationResponseJSON {
  const inner = body.response;
  return (
    isString(body.id) && body.id.length > 0 && body.id.length <= 1400 && BASE64URL.test(body.id) &&
    isString(body.rawId) && body.type === 'public-key' && isObject(inner) &&
    isString(inner.clientDataJSON) && isString(inner.authenticatorData) && isString(inner.signature) &&
    (inner.userHandle === undefined || inner.userHandle === null || (isString(inner.userHandle) && BASE64URL.test(inner.userHandle)))
  );
}
