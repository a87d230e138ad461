/** What the mailer sends: one recipient, a subject, a plain-text part and an HTML part. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Which template made it (for logs and the `mail.sent` metric); never the recipient or a link. */
  kind: MailKind;
}

export type MailKind = 'email-verification' | 'email-changed' | 'password-reset';
