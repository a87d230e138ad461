import { BadRequestException, ConflictException, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import { DataSource, type EntityManager, IsNull, Not, Repository } from 'typeorm';
import { AccountLockout, accountLockoutKey } from '../../abuse/account-lockout.js';
import type { AuthUser } from '../../common/auth-user.js';
import type { AuthMethod } from '../../common/auth-method.js';
import { DomainEventBus } from '../../common/events/domain-events.js';
import { OneTimeTokensService } from '../../one-time-tokens/one-time-tokens.service.js';
import { User, UserStatus } from '../../users/user.entity.js';
import { type ClientInfo, LoginService, MFA_TOKEN_MAX_ATTEMPTS, MFA_TOKEN_PURPOSE, type MfaTokenData } from '../login/login.service.js';
import type { IssuedTokens } from '../tokens/tokens.service.js';
import { RecoveryCode } from './recovery-code.entity.js';
import { generateRecoveryCodes, hashRecoveryCode } from './recovery-codes.js';
import { SecretBox } from './secret-box.js';
import { TotpAuthenticator } from './totp-authenticator.entity.js';
import { TotpService } from './totp.js';

export const INVALID_MFA_TOKEN = 'Invalid, used or expired mfaToken';
export const INVALID_CODE = 'Invalid code';

export interface TotpSetup {
  secret: string;
  otpauthUrl: string;
  qrCode: string;
}

/** The second step's proof: exactly one of a TOTP code or a recovery code. */
export type SecondFactorProof = { code: string } | { recoveryCode: string };

/**
 * Two-factor login with an authenticator app (TOTP) and recovery codes: set-up, confirmation,
 * removal, new codes, and the login's second step, which ends in the login decision.
 */
@Injectable()
export class MfaService {
  constructor(
    @InjectRepository(TotpAuthenticator) private readonly authenticators: Repository<TotpAuthenticator>,
    @InjectRepository(RecoveryCode) private readonly recoveryCodes: Repository<RecoveryCode>,
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly totp: TotpService,
    private readonly box: SecretBox,
    private readonly oneTimeTokens: OneTimeTokensService,
    private readonly lockout: AccountLockout,
    private readonly logins: LoginService,
    private readonly events: DomainEventBus,
  ) {}

  /** A new pending secret (replacing any earlier pending one); logins are unaffected until confirmed. */
  async setUp(caller: AuthUser): Promise<TotpSetup> {
    if (caller.profile.mfaEnabled) throw new ConflictException('Two-factor login is already enabled');
    const secret = this.totp.generateSecret();
    const pending = { userId: caller.id, secretSealed: this.box.seal(secret, caller.id), confirmedAt: null, lastUsedStep: null, createdAt: new Date() };
    // Only a pending row may be replaced: a concurrent confirmation keeps its confirmed secret.
    const replaced = await this.authenticators.update({ userId: caller.id, confirmedAt: IsNull() }, pending);
    if (replaced.affected !== 1) {
      if (await this.authenticators.existsBy({ userId: caller.id })) throw new ConflictException('Two-factor login is already enabled');
      await this.authenticators.insert(pending);
    }
    const otpauthUrl = this.totp.otpauthUrl(secret, caller.username);
    return { secret, otpauthUrl, qrCode: await QRCode.toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', margin: 1, width: 240 }) };
  }

  /** A code from the app proves the set-up worked: two-factor login is on, with ten recovery codes. */
  async confirm(caller: AuthUser, code: string, ip?: string): Promise<string[]> {
    const pending = await this.authenticators.findOneBy({ userId: caller.id, confirmedAt: IsNull() });
    if (!pending) throw new BadRequestException('No two-factor set-up in progress');
    const step = this.totp.matchStep(this.box.open(pending.secretSealed, caller.id), code, pending.lastUsedStep);
    if (step === null) throw new BadRequestException(INVALID_CODE);
    const codes = await this.dataSource.transaction(async (manager) => {
      const confirmed = await manager.update(
        TotpAuthenticator,
        { userId: caller.id, confirmedAt: IsNull(), secretSealed: pending.secretSealed },
        { confirmedAt: new Date(), lastUsedStep: step },
      );
      if (confirmed.affected !== 1) return undefined;
      await manager.update(User, { id: caller.id }, { mfaEnabled: true });
      return this.replaceRecoveryCodes(manager, caller.id);
    });
    // Another request confirmed or restarted the set-up in between.
    if (!codes) throw new BadRequestException('No two-factor set-up in progress');
    await this.events.emit('mfa.enabled', { userId: caller.id, ip });
    return codes;
  }

  async disable(caller: AuthUser, ip?: string): Promise<void> {
    if (!(await this.remove(caller.id))) throw new NotFoundException('Two-factor login is not enabled');
    await this.events.emit('mfa.disabled', { userId: caller.id, ip });
  }

  /** An admin's reset for a user who lost their app and codes; their passkeys stay. */
  async reset(actor: AuthUser, userId: string, ip?: string): Promise<void> {
    if (!(await this.users.existsBy({ id: userId }))) throw new NotFoundException('User not found');
    await this.remove(userId);
    await this.events.emit('mfa.reset', { actorId: actor.id, userId, ip });
  }

  async regenerateRecoveryCodes(caller: AuthUser, ip?: string): Promise<string[]> {
    const codes = await this.dataSource.transaction(async (manager) => {
      const enabled = await manager.existsBy(TotpAuthenticator, { userId: caller.id, confirmedAt: Not(IsNull()) });
      return enabled ? this.replaceRecoveryCodes(manager, caller.id) : undefined;
    });
    if (!codes) throw new NotFoundException('Two-factor login is not enabled');
    await this.events.emit('mfa.recovery_regenerated', { userId: caller.id, ip });
    return codes;
  }

  /**
   * The login's second step. The mfa token allows MFA_TOKEN_MAX_ATTEMPTS checks, and each
   * check also counts toward the account's lockout before it runs, as a password check does;
   * a correct code then uses the token up, so it yields tokens once.
   */
  async verify(mfaToken: string, proof: SecondFactorProof, client: ClientInfo): Promise<IssuedTokens> {
    const challenge = await this.oneTimeTokens.attempt<MfaTokenData>(MFA_TOKEN_PURPOSE, mfaToken, MFA_TOKEN_MAX_ATTEMPTS);
    const user = challenge?.subject ? await this.users.findOneBy({ id: challenge.subject }) : null;
    if (!challenge?.data || !user || user.status !== UserStatus.Active || !user.mfaEnabled) {
      throw new UnauthorizedException(INVALID_MFA_TOKEN);
    }
    const lockoutKey = accountLockoutKey(user.usernameNormalized);
    await this.lockout.begin(lockoutKey, { username: user.username, ip: client.ip });
    const method = 'code' in proof ? 'totp' : 'recovery';
    const passed = 'code' in proof ? await this.useTotpCode(user.id, proof.code) : await this.useRecoveryCode(user.id, proof.recoveryCode);
    if (!passed) {
      await this.events.emit('mfa.failed', { userId: user.id, method, ip: client.ip });
      throw new UnauthorizedException(INVALID_CODE);
    }
    await this.lockout.succeeded(lockoutKey);
    if (!(await this.oneTimeTokens.consume(MFA_TOKEN_PURPOSE, mfaToken))) throw new UnauthorizedException(INVALID_MFA_TOKEN);
    if (method === 'recovery') {
      const remaining = await this.recoveryCodes.countBy({ userId: user.id, usedAt: IsNull() });
      await this.events.emit('mfa.recovery_used', { userId: user.id, remaining, ip: client.ip });
    }
    const amr: AuthMethod[] = [...challenge.data.amr, method === 'totp' ? 'otp' : 'recovery'];
    return this.logins.completeMultiFactor(user, amr, client);
  }

  /** Accepts a code once: the step it belongs to becomes the last used, by one conditional UPDATE. */
  private async useTotpCode(userId: string, code: string): Promise<boolean> {
    const authenticator = await this.authenticators.findOneBy({ userId, confirmedAt: Not(IsNull()) });
    if (!authenticator) return false;
    const step = this.totp.matchStep(this.box.open(authenticator.secretSealed, userId), code, authenticator.lastUsedStep);
    if (step === null) return false;
    const result = await this.authenticators
      .createQueryBuilder()
      .update(TotpAuthenticator)
      .set({ lastUsedStep: step })
      .where('user_id = :userId AND (last_used_step IS NULL OR last_used_step < :step)', { userId, step })
      .execute();
    return result.affected === 1;
  }

  private async useRecoveryCode(userId: string, code: string): Promise<boolean> {
    const result = await this.recoveryCodes
      .createQueryBuilder()
      .update(RecoveryCode)
      .set({ usedAt: new Date() })
      .where('user_id = :userId AND code_hash = :codeHash AND used_at IS NULL', { userId, codeHash: hashRecoveryCode(code) })
      .execute();
    return result.affected === 1;
  }

  private async replaceRecoveryCodes(manager: EntityManager, userId: string): Promise<string[]> {
    const codes = generateRecoveryCodes();
    const createdAt = new Date();
    await manager.delete(RecoveryCode, { userId });
    await manager.insert(
      RecoveryCode,
      codes.map((code) => ({ id: randomUUID(), userId, codeHash: hashRecoveryCode(code), usedAt: null, createdAt })),
    );
    return codes;
  }

  /** Removes the app, the codes and the flag; false when there was no confirmed app. */
  private remove(userId: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const enabled = await manager.existsBy(TotpAuthenticator, { userId, confirmedAt: Not(IsNull()) });
      await manager.delete(TotpAuthenticator, { userId });
      await manager.delete(RecoveryCode, { userId });
      await manager.update(User, { id: userId }, { mfaEnabled: false });
      return enabled;
    });
  }
}
