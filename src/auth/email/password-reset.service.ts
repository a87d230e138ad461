import { BadRequestException, type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { accountLink, INVALID_LINK, PASSWORD_RESET } from '../../common/account-links.js';
import type { AuthUser } from '../../common/auth-user.js';
import { DomainEventBus } from '../../common/events/domain-events.js';
import { PendingWork } from '../../common/pending-work.js';
import { HttpConfig } from '../../config/http.config.js';
import { MailConfig } from '../../config/mail.config.js';
import { type IssuedOneTimeToken, OneTimeTokensService } from '../../one-time-tokens/one-time-tokens.service.js';
import { PasswordService } from '../../passwords/password.service.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import type { User } from '../../users/user.entity.js';
import { UsersService } from '../../users/users.service.js';
import { LoginMethods } from '../login/login-methods.js';
import { AccountLockout, loginLockoutKey } from '../../abuse/account-lockout.js';
import { MailQuotaService } from './mail-quota.service.js';

/** One answer for every forgot-password request: it must not tell whether the address has an account. */
export const FORGOT_PASSWORD_MESSAGE = 'If an account has this address, a link to reset its password is on its way.';

/**
 * The address the link was issued for: a reset counts as proof of that address only, not of
 * one the account moved to since (changing the address voids reset links too).
 */
interface ResetData extends Record<string, unknown> {
  email: string | null;
}

export interface AdminResetLink {
  resetUrl: string;
  expiresAt: Date;
}

@Injectable()
export class PasswordResetService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('PasswordReset');
  /** Work of forgot-password requests that were already answered. */
  private readonly pendingWork = new PendingWork();

  constructor(
    private readonly users: UsersService,
    private readonly tokens: OneTimeTokensService,
    private readonly quota: MailQuotaService,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionsService,
    private readonly lockout: AccountLockout,
    private readonly loginMethods: LoginMethods,
    private readonly events: DomainEventBus,
    private readonly config: MailConfig,
    private readonly http: HttpConfig,
  ) {}

  /**
   * The same answer whether or not the address has an account, given after the same work: the
   * lookup and the quota count. What only an account gets (its older links voided, a new one,
   * the audit row, the mail) happens after the answer has gone: done before it, those writes
   * made a known address answer measurably later (MySQL ~24 against ~18 ms, PostgreSQL ~19
   * against ~15), which told which addresses have accounts.
   */
  async forgot(email: string, ip?: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    const quota = await this.quota.take(email);
    if (!user) return;
    this.afterAnswer(async () => {
      // Spent budget: the user's current link stays valid, so a flood cannot keep voiding it.
      if (!quota.allowed) return this.events.emit('password.reset_requested', { userId: user.id, ip, mail: null });
      const { token, expiresAt } = await this.issue(user);
      await this.events.emit('password.reset_requested', { userId: user.id, ip, mail: { to: user.email!, token, expiresAt } });
    });
  }

  /** Resolves once the work of forgot-password answers already given is done (its mail is then queued). */
  settled(): Promise<void> {
    return this.pendingWork.settled();
  }

  /** That work needs the database: it finishes before the database closes. */
  beforeApplicationShutdown(): Promise<void> {
    return this.settled();
  }

  /**
   * Starts `work` once the answer is written: setImmediate runs after the reply's own
   * synchronous write, which matters on SQLite, whose statements run synchronously.
   */
  private afterAnswer(work: () => Promise<void>): void {
    const done = new Promise<void>((settle) =>
      setImmediate(() =>
        work()
          .catch((error: unknown) => this.logger.error({ msg: `Password reset link not issued: ${(error as Error)?.message ?? String(error)}` }))
          .finally(settle),
      ),
    );
    this.pendingWork.add(done);
  }

  /**
   * Sets the new password, ends every session, lifts a lockout and counts the address the link
   * was issued for as verified. A password the policy refuses answers 400 and leaves the link usable.
   *
   * When the link is the first proof that the owner reads the account's mail, the passkeys and
   * linked providers go: until then anyone could have made the account with someone else's
   * address and added their own passkey or provider, which would outlive the owner's reset and
   * keep them logged in ("account pre-hijacking"). Second factors stay (API.md): the next
   * login still asks for one, and an administrator can turn it off.
   */
  async reset(token: string, newPassword: string, ip?: string): Promise<void> {
    const pending = await this.tokens.peek(PASSWORD_RESET, token);
    const user = pending?.subject ? await this.users.findById(pending.subject) : null;
    if (!user) throw new BadRequestException(INVALID_LINK);
    this.users.assertPasswordAllowedFor(user, newPassword, 'newPassword');
    const passwordHash = await this.passwords.hash(newPassword);
    // Only now is the link used up; of two concurrent resets one wins, the other gets 400.
    const consumed = await this.tokens.consume<ResetData>(PASSWORD_RESET, token);
    if (consumed?.subject !== user.id) throw new BadRequestException(INVALID_LINK);
    await this.users.setPasswordFromReset(user.id, passwordHash);
    await this.sessions.revokeAll(user.id);
    await this.lockout.lift(loginLockoutKey(user.username));
    await this.events.emit('session.revoked', { userId: user.id, scope: 'all' });
    await this.events.emit('password.reset', { userId: user.id, ip });
    const linkEmail = consumed.data?.email;
    if (!user.emailVerified && typeof linkEmail === 'string' && (await this.users.markEmailVerified(user.id, linkEmail))) {
      await this.events.emit('email.verified', { userId: user.id, email: linkEmail, ip });
      await this.loginMethods.removeUnproven(user.id, ip);
    }
  }

  /** POST /users/:id/password-reset: a link the admin hands over (deployments without mail); it voids the user's earlier links. */
  async issueForAdmin(actor: AuthUser, userId: string, ip?: string): Promise<AdminResetLink> {
    const user = await this.users.getById(userId);
    const { token, expiresAt } = await this.issue(user);
    await this.events.emit('password.reset_requested', { userId: user.id, actorId: actor.id, ip, mail: null });
    return { resetUrl: accountLink(this.http.appUrl, 'reset-password', token), expiresAt };
  }

  /** A new link for the user's current address; the earlier ones stop working. */
  private async issue(user: User): Promise<IssuedOneTimeToken> {
    await this.tokens.voidAll(PASSWORD_RESET, user.id);
    const data: ResetData = { email: user.emailNormalized };
    return this.tokens.issue(PASSWORD_RESET, user.id, this.config.resetTokenTtlSeconds, data);
  }
}
