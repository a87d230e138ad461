import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { accountLink, type AccountLinkPage } from '../common/account-links.js';
import type { DomainEvents } from '../common/events/domain-events.js';
import { HttpConfig } from '../config/http.config.js';
import { emailChangedMail, passwordResetMail, verificationMail } from './mail-templates.js';
import { MailerService } from './mailer.service.js';

/** Turns the domain events that deserve a mail into queued messages; services never call the mailer. */
@Injectable()
export class MailSubscriber {
  constructor(
    private readonly mailer: MailerService,
    private readonly config: HttpConfig,
  ) {}

  @OnEvent('email.verification_requested')
  verificationRequested(event: DomainEvents['email.verification_requested']): void {
    this.mailer.enqueue(verificationMail(event.email, this.link('verify-email', event.token), event.expiresAt));
  }

  @OnEvent('password.reset_requested')
  resetRequested(event: DomainEvents['password.reset_requested']): void {
    if (!event.mail) return;
    this.mailer.enqueue(passwordResetMail(event.mail.to, this.link('reset-password', event.mail.token), event.mail.expiresAt));
  }

  @OnEvent('email.changed')
  emailChanged(event: DomainEvents['email.changed']): void {
    if (event.from && event.noticeToOld) this.mailer.enqueue(emailChangedMail(event.from, event.to));
  }

  private link(page: AccountLinkPage, token: string): string {
    return accountLink(this.config.appUrl, page, token);
  }
}
