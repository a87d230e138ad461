import type { MailMessage } from './mail-message.js';

/** Shown in subjects and greetings. */
export const APP_NAME = 'nest-auth-service';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

/** One short HTML page per mail: the paragraphs, then the link as a button and as text. */
function html(paragraphs: string[], link?: { url: string; label: string }): string {
  const body = paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join('\n');
  const button = link
    ? `<p><a href="${escapeHtml(link.url)}" style="display:inline-block;padding:10px 16px;background:#1f6feb;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(link.label)}</a></p>\n` +
      `<p style="font-size:12px;color:#555">Or open this address: ${escapeHtml(link.url)}</p>`
    : '';
  return `<!doctype html>\n<html><body style="font-family:sans-serif;line-height:1.5">\n<h2>${APP_NAME}</h2>\n${body}\n${button}\n</body></html>\n`;
}

function hoursOrMinutes(expiresAt: Date, now = new Date()): string {
  const minutes = Math.max(1, Math.round((expiresAt.getTime() - now.getTime()) / 60_000));
  if (minutes < 120) return `${minutes} minutes`;
  return `${Math.round(minutes / 60)} hours`;
}

export function verificationMail(to: string, url: string, expiresAt: Date): MailMessage {
  const lines = [
    `Please confirm that ${to} is your address for ${APP_NAME}.`,
    `The link works once and expires in ${hoursOrMinutes(expiresAt)}.`,
    'If you did not sign up or change your address, ignore this mail.',
  ];
  return {
    kind: 'email-verification',
    to,
    subject: `${APP_NAME}: confirm your email address`,
    text: `${lines[0]}\n\nOpen this link to confirm it:\n${url}\n\n${lines[1]}\n${lines[2]}\n`,
    html: html(lines, { url, label: 'Confirm my address' }),
  };
}

export function passwordResetMail(to: string, url: string, expiresAt: Date): MailMessage {
  const lines = [
    `Someone (hopefully you) asked to reset the password of your ${APP_NAME} account.`,
    `The link works once and expires in ${hoursOrMinutes(expiresAt)}. Using it signs you out everywhere.`,
    'If you did not ask for this, ignore this mail: your password stays as it is.',
  ];
  return {
    kind: 'password-reset',
    to,
    subject: `${APP_NAME}: reset your password`,
    text: `${lines[0]}\n\nOpen this link to choose a new password:\n${url}\n\n${lines[1]}\n${lines[2]}\n`,
    html: html(lines, { url, label: 'Choose a new password' }),
  };
}

export function emailChangedMail(to: string, newAddress: string): MailMessage {
  const lines = [
    `The email address of your ${APP_NAME} account was changed from ${to} to ${newAddress}.`,
    'If this was you, there is nothing to do.',
    'If this was not you, someone else may be using your account: reset your password at once and contact an administrator.',
  ];
  return {
    kind: 'email-changed',
    to,
    subject: `${APP_NAME}: your email address was changed`,
    text: lines.join('\n\n') + '\n',
    html: html(lines),
  };
}
