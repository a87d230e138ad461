import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { AuthMethod } from '../auth-method.js';
import type { Role } from '../role.enum.js';

/** How an admin's change moved an account; each kind is also its audit action (`user.<kind>`). */
export type UserChangeKind = 'approved' | 'disabled' | 'enabled' | 'status_changed' | 'role_changed';

/**
 * Every domain event and its payload. Services emit these; audit, metrics and (later) mail
 * subscribe, so a new subscriber touches one file and no service.
 */
/** Why a passkey or a linked provider went without its owner asking (absent: the owner removed it). */
export type LoginMethodRemovalReason = 'first-email-proof';

export interface DomainEvents {
  'user.registered': { userId: string; username: string };
  'user.updated': { kind: UserChangeKind; actorId: string; userId: string; ip?: string; from: string; to: string };
  'user.deleted': { actorId: string; userId: string; username: string; role: Role; ip?: string };
  /** `amr`: how the login was made (e.g. ['oidc'], ['pwd', 'otp']). */
  'login.succeeded': { userId: string; sessionId: string; amr: AuthMethod[]; ip?: string };
  /** `username` is what was typed; `userId` is null when it names no account. */
  'login.failed': { userId: string | null; username: string; ip?: string };
  /** The attempt that spent an account's failure budget (once per lock). */
  'login.locked': { username: string; until: Date; ip?: string };
  /** An attempt refused because the account is locked (every one). */
  'login.refused': { ip?: string };
  'refresh.rotated': { userId: string; sessionId: string };
  'refresh.reused': { userId: string; sessionId: string; ip?: string };
  /** A refresh token that names no live session, or a session whose user may no longer log in. */
  'refresh.invalid': { sessionId: string };
  'session.revoked': { userId: string; sessionId?: string; scope: 'one' | 'all' };
  'password.changed': { userId: string; ip?: string };
  /** A wrong current password on a password change: counts like a failed login. */
  'password.failed': { userId: string; ip?: string };
  'mfa.enabled': { userId: string; ip?: string };
  /** The user turned two-factor login off (an admin's reset is `mfa.reset`). */
  'mfa.disabled': { userId: string; ip?: string };
  /** An admin removed a user's authenticator app and recovery codes. */
  'mfa.reset': { actorId: string; userId: string; ip?: string };
  /** A wrong (or replayed) code at the login's second step: counts like a failed login. */
  'mfa.failed': { userId: string; method: 'totp' | 'recovery'; ip?: string };
  'mfa.recovery_used': { userId: string; remaining: number; ip?: string };
  'mfa.recovery_regenerated': { userId: string; ip?: string };
  'passkey.added': { userId: string; passkeyId: string; name: string; ip?: string };
  /** `reason` 'first-email-proof': removed by the password reset that first proved the account's mailbox (PasswordResetService.reset). */
  'passkey.removed': { userId: string; passkeyId: string; ip?: string; reason?: LoginMethodRemovalReason };
  /** A correctly signed passkey login whose counter did not move forward: a cloned authenticator? */
  'passkey.counter_regressed': { userId: string; passkeyId: string; stored: number; received: number; ip?: string };
  /** An OpenID Provider's account was linked to a user: to an existing account by its verified email, or to one just `created`. */
  'oidc.linked': { userId: string; provider: string; created: boolean; ip?: string };
  /** The user unlinked a provider's account, or a reset removed it (`reason`, as for passkey.removed). */
  'oidc.unlinked': { userId: string; provider: string; ip?: string; reason?: LoginMethodRemovalReason };
  /**
   * An OIDC login that ended at the web client's login page (or a refused login code):
   * `reason` is the error code the browser got; `userId` when an account was concerned.
   */
  'oidc.failed': { provider: string | null; reason: string; userId: string | null; ip?: string };
  /** A per-client throttle refused a request. */
  'throttle.refused': { scope: string };
  /**
   * A verification link for `email` was issued; the mailer sends it. `token` is the raw
   * link secret: only the mail subscriber may use it, nothing may store or log it.
   */
  'email.verification_requested': { userId: string; email: string; token: string; expiresAt: Date };
  /** The owner followed a verification link (or a reset link, which proves the same). */
  'email.verified': { userId: string; email: string; ip?: string };
  /** The owner set a new address; `from` hears about it when `noticeToOld` (false past its MAIL_PER_HOUR). */
  'email.changed': { userId: string; from: string | null; to: string; noticeToOld: boolean; ip?: string };
  /**
   * A password reset link was issued: by the user through forgot-password (`mail` says
   * where the mailer sends it; null when MAIL_PER_HOUR held it back and no link was issued) or by an admin
   * (`actorId`, no mail: the admin hands the link over). `mail.token` is as secret as above.
   */
  'password.reset_requested': {
    userId: string;
    actorId?: string;
    ip?: string;
    mail: { to: string; token: string; expiresAt: Date } | null;
  };
  /** A reset link set a new password; every session of the user was revoked. */
  'password.reset': { userId: string; ip?: string };
  /** The mailer handed a message to SMTP or the outbox (`kind`: which template). */
  'mail.sent': { kind: string };
}

export type DomainEventName = keyof DomainEvents;

/**
 * Typed emit over @nestjs/event-emitter. `emitAsync` waits for every listener, so what a
 * subscriber writes (an audit row) is stored before the request is answered, and a failed
 * audit write fails the request as it did when services wrote the row themselves.
 */
@Injectable()
export class DomainEventBus {
  constructor(private readonly emitter: EventEmitter2) {}

  async emit<K extends DomainEventName>(name: K, payload: DomainEvents[K]): Promise<void> {
    await this.emitter.emitAsync(name, payload);
  }
}
