import { BadRequestException, Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { accountLink } from '../../common/account-links.js';
import type { AuthUser } from '../../common/auth-user.js';
import { DomainEventBus } from '../../common/events/domain-events.js';
import { HttpConfig } from '../../config/http.config.js';
import { MailConfig } from '../../config/mail.config.js';
import { OneTimeTokensService } from '../../one-time-tokens/one-time-tokens.service.js';
import { PasswordService } from '../../passwords/password.service.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import { UsersService } from '../../users/users.service.js';
import { AccountLockout, loginLockoutKey } from '../../abuse/account-lockout.js';
import { INVALID_LINK } from './email-verification.service.js';
import { MailQuotaService } from './mail-quota.service.js';

export const PASSWORD_RESET = 'password-reset';
/** One answer for every forgot-password request: it must not tell whether the address has an account. */
export const FORGOT_PASSWORD_MESSAGE = 'If an account has this address, a link to reset its password is on its way.';

export interface AdminResetLink {
  resetUrl: string;
  expiresAt: Date;
}

@Injectable()
export class PasswordResetService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: OneTimeTokensService,
    private readonly quota: MailQuotaService,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionsService,
    private readonly lockout: AccountLockout,
    private readonly events: DomainEventBus,
    private readonly config: MailConfig,
    private readonly http: HttpConfig,
  ) {}

  /**
   * The same answer whether or not the address has an account, and the same work: the
   * lookup, the quota count and a token's worth of randomness, hashing and a DELETE happen
   * either way, so the timing does not tell either. The mail itself goes out after the response.
   */
  async forgot(email: string, ip?: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    const quota = await this.quota.take(email);
    if (!user || !quota.allowed) {
      // Spent budget: the user's current link stays valid, so a flood cannot keep voiding it.
      await this.tokens.voidAll(PASSWORD_RESET, randomUUID());
      createHash('sha256').update(randomBytes(32).toString('base64url')).digest('hex');
      if (user) await this.events.emit('password.reset_requested', { userId: user.id, ip, mail: null });
      return;
    }
    await this.tokens.voidAll(PASSWORD_RESET, user.id);
    const { token, expiresAt } = await this.tokens.issue(PASSWORD_RESET, user.id, this.config.resetTokenTtlSeconds);
    await this.events.emit('password.reset_requested', { userId: user.id, ip, mail: { to: user.email!, token, expiresAt } });
  }

  /**
   * Sets the new password, ends every session, lifts a lockout and counts the address as
   * verified. A password the policy refuses answers 400 and leaves the link usable.
   */
  async reset(token: string, newPassword: string, ip?: string): Promise<void> {
    const pending = await this.tokens.peek(PASSWORD_RESET, token);
    const user = pending?.subject ? await this.users.findById(pending.subject) : null;
    if (!user) throw new BadRequestException(INVALID_LINK);
    this.users.assertPasswordAllowedFor(user, newPassword, 'newPassword');
    const passwordHash = await this.passwords.hash(newPassword);
    // Only now is the link used up; of two concurrent resets one wins, the other gets 400.
    const consumed = await this.tokens.consume(PASSWORD_RESET, token);
    if (consumed?.subject !== user.id) throw new BadRequestException(INVALID_LINK);
    await this.users.setPasswordFromReset(user, passwordHash);
    await this.sessions.revokeAll(user.id);
    await this.lockout.lift(loginLockoutKey(user.username));
    await this.events.emit('session.revoked', { userId: user.id, scope: 'all' });
    await this.events.emit('password.reset', { userId: user.id, ip });
    if (user.email && !user.emailVerified) {
      await this.events.emit('email.verified', { userId: user.id, email: user.emailNormalized!, ip });
    }
  }

  /** POST /users/:id/password-reset: a link the admin hands over (deployments without mail); it voids the user's earlier links. */
  async issueForAdmin(actor: AuthUser, userId: string, ip?: string): Promise<AdminResetLink> {
    const user = await this.users.getById(userId);
    await this.tokens.voidAll(PASSWORD_RESET, user.id);
    const { token, expiresAt } = await this.tokens.issue(PASSWORD_RESET, user.id, this.config.resetTokenTtlSeconds);
    await this.events.emit('password.reset_requested', { userId: user.id, actorId: actor.id, ip, mail: null });
    return { resetUrl: accountLink(this.http.appUrl, 'reset-password', token), expiresAt };
  }
}
