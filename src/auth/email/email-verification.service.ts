import { BadRequestException, Injectable } from '@nestjs/common';
import { EMAIL_VERIFICATION, INVALID_LINK, PASSWORD_RESET } from '../../common/account-links.js';
import type { AuthUser } from '../../common/auth-user.js';
import { DomainEventBus } from '../../common/events/domain-events.js';
import { MailConfig } from '../../config/mail.config.js';
import { OneTimeTokensService } from '../../one-time-tokens/one-time-tokens.service.js';
import { normalizeEmail, type User } from '../../users/user.entity.js';
import { UsersService } from '../../users/users.service.js';
import { MailQuotaExceededException } from './mail-quota.exception.js';
import { MailQuotaService } from './mail-quota.service.js';


/** The address a verification link vouches for, stored with its token. */
interface VerificationData extends Record<string, unknown> {
  email: string;
}

@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: OneTimeTokensService,
    private readonly quota: MailQuotaService,
    private readonly events: DomainEventBus,
    private readonly config: MailConfig,
  ) {}

  /**
   * Issues a verification link for the user's current address and has it mailed; a newer
   * link voids the older ones. Past MAIL_PER_HOUR nothing is sent: `strict` (an explicit
   * resend) then answers 429, otherwise the request carries on without the mail.
   */
  async sendLink(user: Pick<User, 'id' | 'email'>, strict: boolean): Promise<void> {
    if (!user.email) return;
    const quota = await this.quota.take(user.email);
    if (!quota.allowed) {
      if (strict) throw new MailQuotaExceededException(quota.retryAfterSeconds);
      return;
    }
    await this.tokens.voidAll(EMAIL_VERIFICATION, user.id);
    const data: VerificationData = { email: normalizeEmail(user.email) };
    const { token, expiresAt } = await this.tokens.issue(EMAIL_VERIFICATION, user.id, this.config.verifyTokenTtlSeconds, data);
    await this.events.emit('email.verification_requested', { userId: user.id, email: user.email, token, expiresAt });
  }

  /** Following the link: 400 for an invalid, used or expired token, or one mailed to an address since replaced. */
  async verify(token: string, ip?: string): Promise<void> {
    const consumed = await this.tokens.consume<VerificationData>(EMAIL_VERIFICATION, token);
    if (!consumed?.subject || typeof consumed.data?.email !== 'string') throw new BadRequestException(INVALID_LINK);
    if (!(await this.users.markEmailVerified(consumed.subject, consumed.data.email))) throw new BadRequestException(INVALID_LINK);
    await this.events.emit('email.verified', { userId: consumed.subject, email: consumed.data.email, ip });
  }

  /** POST /users/me/email/verification: a new link, unless there is nothing to verify. */
  async resend(caller: AuthUser): Promise<void> {
    const user = await this.users.getById(caller.id);
    if (!user.email) throw new BadRequestException('The account has no email address');
    if (user.emailVerified) throw new BadRequestException('The email address is already verified');
    await this.sendLink(user, true);
  }

  /**
   * PUT /users/me/email: the new address starts unverified and gets a link; the old one
   * gets a notice (through the `email.changed` event). Links mailed to the old address stop
   * working, reset links too: whoever reads the old mailbox must not take the account back. The same address in another letter case only changes how it is shown.
   */
  async change(caller: AuthUser, email: string, ip?: string): Promise<User> {
    const current = await this.users.getById(caller.id);
    if (current.emailNormalized === normalizeEmail(email)) {
      if (current.email === email) return current;
      const renamed = await this.users.setEmail(caller.id, email);
      if (current.emailVerified) await this.users.markEmailVerified(caller.id, renamed.emailNormalized!);
      return { ...renamed, emailVerified: current.emailVerified };
    }
    const user = await this.users.setEmail(caller.id, email);
    await this.tokens.voidAll(EMAIL_VERIFICATION, caller.id);
    await this.tokens.voidAll(PASSWORD_RESET, caller.id);
    // The notice counts toward the old address's MAIL_PER_HOUR like any other mail: changing the
    // address back and forth must not mail an inbox without limit.
    const noticeToOld = current.email !== null && (await this.quota.take(current.email)).allowed;
    await this.events.emit('email.changed', { userId: caller.id, from: current.email, to: email, noticeToOld, ip });
    await this.sendLink(user, false);
    return user;
  }
}
