import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createTransport, type Transporter } from 'nodemailer';
import { DomainEventBus } from '../common/events/domain-events.js';
import { PendingWork } from '../common/pending-work.js';
import { MailConfig } from '../config/mail.config.js';
import type { MailMessage } from './mail-message.js';

/** Waits before the 2nd, 3rd and 4th attempt: a brief SMTP outage costs a delay, not the mail. */
export const RETRY_DELAYS_MS = [1_000, 10_000, 60_000];
/** How long shutdown waits for mails still queued or in flight. */
const DRAIN_TIMEOUT_MS = 5_000;
/**
 * Added to SMTP_URL unless it sets them: pooled connections (reused between mails, closed
 * at shutdown) and timeouts, so a server that never answers fails the attempt in seconds
 * instead of nodemailer's default of minutes.
 */
const SMTP_DEFAULTS: Record<string, string> = {
  pool: 'true',
  connectionTimeout: '10000',
  greetingTimeout: '10000',
  socketTimeout: '30000',
};

function withSmtpDefaults(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  for (const [name, value] of Object.entries(SMTP_DEFAULTS)) {
    if (!url.searchParams.has(name)) url.searchParams.set(name, value);
  }
  return url.toString();
}

/**
 * Sends mail over SMTP (SMTP_URL) or, without it, writes each message as an .eml file into
 * MAIL_OUTBOX. `enqueue` returns at once and the send starts on a later turn of the event
 * loop, so a request never waits for, fails with, or is timed by its mail. A failed send
 * is retried (RETRY_DELAYS_MS) and a mail that still fails is logged as an error.
 */
@Injectable()
export class MailerService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private readonly transport: Transporter;
  /** Sends not yet settled (queued, in flight or waiting for a retry). */
  private readonly pending = new PendingWork();
  /** Retries waiting for their turn, with what settles each. */
  private readonly retries = new Map<NodeJS.Timeout, { message: MailMessage; done: () => void }>();
  private closing = false;

  constructor(
    private readonly config: MailConfig,
    private readonly events: DomainEventBus,
  ) {
    this.transport = config.smtpUrl
      ? createTransport(withSmtpDefaults(config.smtpUrl))
      : // Renders the complete MIME message into a buffer; writeToOutbox stores it.
        createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  onModuleInit(): void {
    if (this.config.smtpUrl) {
      const url = new URL(this.config.smtpUrl);
      this.logger.log(`Mail goes to the SMTP server ${url.protocol}//${url.host} (SMTP_URL)`);
    } else {
      this.logger.log(`No SMTP_URL: mail is written as .eml files into ${resolve(this.config.outbox)} (MAIL_OUTBOX)`);
    }
  }

  /** Queues the message; never throws and never waits for the send. */
  enqueue(message: MailMessage): void {
    const sending = new Promise<void>((done) => setImmediate(() => this.attempt(message, 0, done)));
    this.pending.add(sending);
  }

  /** Resolves once every queued mail is sent or given up (tests and shutdown). */
  drain(): Promise<void> {
    return this.pending.settled();
  }

  /** Lets sends in flight finish (bounded); a retry still waiting is logged as lost rather than awaited for a minute. */
  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    for (const [timer, { message, done }] of this.retries) {
      clearTimeout(timer);
      this.logger.error({ msg: 'Mail not sent: shutting down before its retry', kind: message.kind });
      done();
    }
    this.retries.clear();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((done) => (timer = setTimeout(() => done('timeout'), DRAIN_TIMEOUT_MS).unref()));
    const outcome = await Promise.race([this.drain(), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.logger.error(`Shutting down with ${this.pending.size} mail(s) still unsent`);
    this.transport.close();
  }

  private attempt(message: MailMessage, failures: number, done: () => void): void {
    this.send(message).then(
      async () => {
        this.logger.log({ msg: 'Mail sent', kind: message.kind, attempts: failures + 1 });
        await this.events.emit('mail.sent', { kind: message.kind }).catch(() => undefined);
        done();
      },
      (error: Error) => {
        const delay = RETRY_DELAYS_MS[failures];
        if (delay === undefined || this.closing) {
          this.logger.error({ msg: 'Mail not sent, giving up', kind: message.kind, attempts: failures + 1, error: error.message });
          done();
          return;
        }
        this.logger.warn({ msg: 'Mail not sent, will retry', kind: message.kind, attempt: failures + 1, retryInMs: delay, error: error.message });
        const timer = setTimeout(() => {
          this.retries.delete(timer);
          this.attempt(message, failures + 1, done);
        }, delay);
        // A waiting retry alone must not keep the process alive; shutdown settles it (above).
        timer.unref();
        this.retries.set(timer, { message, done });
      },
    );
  }

  private async send(message: MailMessage): Promise<void> {
    const info = await this.transport.sendMail({
      from: this.config.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    });
    if (!this.config.smtpUrl) await this.writeToOutbox(info.message as Buffer);
  }

  /** Named so a directory listing sorts oldest first and two instances never collide. */
  private async writeToOutbox(raw: Buffer): Promise<void> {
    await mkdir(this.config.outbox, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
    await writeFile(join(this.config.outbox, name), raw, { mode: 0o600 });
  }
}
