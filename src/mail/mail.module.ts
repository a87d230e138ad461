import { Module } from '@nestjs/common';
import { MailSubscriber } from './mail.subscriber.js';
import { MailerService } from './mailer.service.js';

/** A mailer (SMTP or outbox) fed by domain events; nothing imports it but the app module. */
@Module({
  providers: [MailerService, MailSubscriber],
})
export class MailModule {}
